"""TMX 1.4b: round trip with tags, a real consumer, other tools' files, hostile files."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from tms.formats import tmx
from tms.formats.base import FormatError, MemoryPair

PAIRS = [
    MemoryPair("Everyone has the right to <1>life</1>.<2/>",
               'Chacun a droit à la <1>vie</1> <script>"&"</script><2/>', "en", "fr",
               origin="declaration #b2-0", created_at="2026-01-02T03:04:05+00:00"),
    MemoryPair("Read <3>the <1>full</1> text</3>.", "Lisez <1>tout</1> <3>le texte</3>.",
               "en", "fr"),
    MemoryPair("No tags at all.", "Aucune balise.", "en", "fr", origin="tmx: old.tmx"),
]


def written() -> bytes:
    return tmx.write(PAIRS, source_language="en", target_language="fr")


def test_round_trip_keeps_tags_text_origin_and_date() -> None:
    back = tmx.read(written(), filename="memory.tmx")
    assert [(p.source, p.target) for p in back] == [(p.source, p.target) for p in PAIRS]
    assert [(p.source_language, p.target_language) for p in back] == [("en", "fr")] * 3
    assert back[0].origin == "declaration #b2-0"
    assert back[0].created_at == "2026-01-02T03:04:05+00:00"
    assert back[1].origin == "tmx: memory.tmx"  # no origin written: the file names it


def test_header_and_inline_elements() -> None:
    root = etree.fromstring(written())
    assert root.get("version") == "1.4"
    header = root.find("header")
    assert {k: header.get(k) for k in ("creationtool", "srclang", "adminlang", "segtype",
                                       "o-tmf", "datatype")} == {
        "creationtool": "tms", "srclang": "en", "adminlang": "en", "segtype": "sentence",
        "o-tmf": "tms", "datatype": "plaintext"}
    seg = root.find("body/tu/tuv/seg")
    assert [(el.tag, dict(el.attrib), el.text) for el in seg] == [
        ("bpt", {"i": "1", "x": "1"}, "<1>"), ("ept", {"i": "1"}, "</1>"),
        ("ph", {"x": "2"}, "<2/>")]
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang")
             for tuv in root.find("body/tu").findall("tuv")]
    assert langs == ["en", "fr"]


def test_tags_as_plain_text_for_omegat_and_po() -> None:
    data = tmx.write(PAIRS, source_language="en", target_language="fr", inline="text")
    seg = etree.fromstring(data).find("body/tu/tuv/seg")
    assert len(seg) == 0 and seg.text == PAIRS[0].source
    assert [(p.source, p.target) for p in tmx.read(data, filename="m.tmx")] == [
        (p.source, p.target) for p in PAIRS]
    with pytest.raises(ValueError, match="inline must be"):
        tmx.write(PAIRS, source_language="en", target_language="fr", inline="strip")


def test_translate_toolkit_reads_our_tmx() -> None:
    from translate.storage.tmx import tmxfile

    store = tmxfile(io.BytesIO(written()), sourcelanguage="en", targetlanguage="fr")
    assert [(u.source, u.target) for u in store.units] == [(p.source, p.target) for p in PAIRS]


OTHER_TOOL = b'''<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="OmegaT" creationtoolversion="3.6" srclang="EN-US" adminlang="EN-US"
 datatype="plaintext" segtype="sentence" o-tmf="OmegaT TMX"/>
<body>
<tu changedate="20250102T101112Z">
 <tuv lang="DE-DE">
  <seg>Klick <bpt i="1" x="7">&lt;b&gt;</bpt>hier<ept i="1">&lt;/b&gt;</ept><ph>br</ph></seg>
 </tuv>
 <tuv lang="EN-US">
  <seg>Click <bpt i="1" x="7">&lt;b&gt;</bpt>here<ept i="1">&lt;/b&gt;</ept> now<ph>br</ph></seg>
 </tuv>
 <tuv xml:lang="fr-FR"><seg>Cliquez <hi x="7">ici</hi><ut>&lt;br&gt;</ut></seg></tuv>
</tu>
<tu><tuv xml:lang="en-US"><seg>Only one language.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Type &lt;1&gt; to begin.</seg></tuv>
    <tuv xml:lang="de-DE"><seg>Tippe &lt;1&gt;.</seg></tuv></tu>
</body>
</tmx>'''


def test_other_tools_tmx_is_read_tolerantly() -> None:
    pairs = tmx.read(OTHER_TOOL, filename="omegat.tmx")
    assert [(p.source_language, p.target_language) for p in pairs] == [
        ("EN-US", "DE-DE"), ("EN-US", "fr-FR"), ("en-US", "de-DE")]
    de, fr, literal = pairs
    assert de.source == "Click <7>here</7> now<901/>"
    assert de.target == "Klick <7>hier</7><901/>"
    assert fr.target == "Cliquez <7>ici</7>"
    assert de.changed_at == "2025-01-02T10:11:12+00:00" and de.created_at is None
    # Plain text in our tag syntax is read as our tags (OmegaT saves tms PO segments so).
    assert (literal.source, literal.target) == ("Type <1> to begin.", "Tippe <1>.")


ENGLISH_TUV_LINE = OTHER_TOOL.split(b"\n").index(b' <tuv lang="EN-US">') + 1
BOMB = b'''<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&b;</seg></tuv>
</tu></body></tmx>'''


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "declares entities"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b'<tmx><header/><body><tu><tuv xml:lang="en"><seg>&x;</seg></tuv></tu></body></tmx>',
         "declares entities"),
        (OTHER_TOOL[:300], "not well formed"),
        (b"<xliff/>", "not a TMX file"),
        (b'<tmx version="1.4"><body/></tmx>', "no <header> or no <body>"),
        (OTHER_TOOL.replace(b'<tuv lang="EN-US">', b"<tuv>"),
         f"the <tuv> at line {ENGLISH_TUV_LINE} has no language"),
        ("<tmx><header/><body><tu><tuv xml:lang='en'><seg>é</seg></tuv></tu></body></tmx>"
         .encode("latin-1"), "not well formed"),
    ],
    ids=["entity-expansion", "external-entity", "truncated", "not-tmx", "no-header",
         "tuv-without-lang", "wrong-encoding"],
)
def test_hostile_or_broken_tmx_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as err:
        tmx.read(data, filename="upload.tmx")
    assert message in str(err.value)
    assert str(err.value).startswith("upload.tmx: ")


def test_our_own_tmx_with_brackets_near_the_doctype_is_read() -> None:
    # The old byte check refused any DOCTYPE with a "[" in the first 4 KB, text included.
    pairs = [MemoryPair("See [1] and <1>note</1>.", "Voir [1] et <1>note</1>.", "en", "fr")]
    assert [(p.source, p.target) for p in tmx.read(
        tmx.write(pairs, source_language="en", target_language="fr"), filename="t.tmx")] == [
        ("See [1] and <1>note</1>.", "Voir [1] et <1>note</1>.")]


OMEGAT_TMX = b'''<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
   creationtoolversion="3.6.0_0" segtype="sentence" srclang="en"/>
  <body>
<!-- Default translations [segments without alternative] -->
    <tu>
      <tuv lang="en"><seg>Everyone has the right to &lt;1&gt;life&lt;/1&gt;.</seg></tuv>
      <tuv lang="fr" changeid="ana" changedate="20250301T090000Z"
           creationid="ana" creationdate="20250228T080000Z">
        <seg>Chacun a droit &#224; la &lt;1&gt;vie&lt;/1&gt;.</seg></tuv>
    </tu>
  </body>
</tmx>
'''


def test_omegat_tmx_with_a_comment_bracket_is_read() -> None:
    (pair,) = tmx.read(OMEGAT_TMX, filename="project_save.tmx")
    assert (pair.source, pair.target) == ("Everyone has the right to <1>life</1>.",
                                          "Chacun a droit à la <1>vie</1>.")
    assert (pair.author, pair.changed_at) == ("ana", "2025-03-01T09:00:00+00:00")


def test_dates_author_notes_and_props_are_read_and_written() -> None:
    data = b'''<?xml version="1.0"?><!DOCTYPE tmx SYSTEM "tmx14.dtd"><tmx version="1.4">
<header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x"
 creationtool="t" creationtoolversion="1"/><body>
<tu creationdate="20240101T000000Z" changedate="20250101T120000Z" changeid="rita">
<note>Checked by the legal team.</note><prop type="x-domain">law</prop>
<tuv xml:lang="en"><seg>Right</seg></tuv><tuv xml:lang="fr"><seg>Droit</seg></tuv></tu>
</body></tmx>'''
    (pair,) = tmx.read(data, filename="t.tmx")
    assert (pair.created_at, pair.changed_at, pair.author) == (
        "2024-01-01T00:00:00+00:00", "2025-01-01T12:00:00+00:00", "rita")
    assert pair.notes == ["Checked by the legal team."] and pair.props == {"x-domain": "law"}
    (again,) = tmx.read(tmx.write([pair], source_language="en", target_language="fr"),
                        filename="again.tmx")
    assert (again.created_at, again.changed_at, again.author, again.notes, again.props) == (
        pair.created_at, pair.changed_at, pair.author, pair.notes, pair.props)


def test_seg_starting_with_a_tag_gets_no_indentation() -> None:
    pairs = [MemoryPair("<1/>", "<1/>", "en", "fr")]
    data = tmx.write(pairs, source_language="en", target_language="fr")
    assert b"<seg><ph x=\"1\">&lt;1/&gt;</ph></seg>" in data


@pytest.mark.parametrize(("source", "target", "shown"), [
    ("Everyone has the right to <1>life</1>.", "Chacun a droit à la <1>vie</1>.",
     ("Everyone has the right to <g0>life</g0>.", "Chacun a droit à la <g0>vie</g0>.")),
    ("See the note.<2/>", "Voir la note.<2/>", ("See the note.", "Voir la note.")),
    ("<3>All bold</3>", "<3>Tout gras</3>", ("All bold", "Tout gras")),
    ("A <1>b</1> c<4/> d <5/>", "A <1>b</1> c<4/> d <5/>",
     ("A <g0>b</g0> c<x1/> d ", "A <g0>b</g0> c<x1/> d ")),
    ("See the note.<2/>", "Voir la note.", None),  # edges differ: OmegaT could not match
])
def test_omegat_shortcuts(source: str, target: str, shown: tuple[str, str] | None) -> None:
    assert tmx.omegat_pair(source, target) == shown


def test_omegat_mode_leaves_out_pairs_omegat_cannot_match() -> None:
    pairs = [MemoryPair("See the note.<2/>", "Voir la note.", "en", "fr"),
             MemoryPair("Read <1>this</1>.", "Lisez <1>ceci</1>.", "en", "fr")]
    data = tmx.write(pairs, source_language="en", target_language="fr", inline="omegat")
    assert data.count(b"<tu>") == 1 and b"Lisez &lt;g0&gt;ceci&lt;/g0&gt;." in data


@pytest.mark.parametrize("inline", tmx.INLINE_MODES)
def test_every_tmx_we_write_reads_back(inline: str) -> None:
    pairs = tmx.read(tmx.write(PAIRS, source_language="en", target_language="fr",
                               inline=inline), filename=f"{inline}.tmx")
    assert len(pairs) == len(PAIRS)
