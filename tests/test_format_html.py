"""HTML reader and the standalone HTML page writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients import vnu_check
from tms.formats import html, markdown, read_document
from tms.formats.base import FormatError, ParsedBlock, Tag, TargetBlock
from tms.inline import strip_tags, well_formed_errors

PAGE = b"""<!DOCTYPE html>
<html lang="fr"><head><title>Page title</title><style>p{color:red}</style>
<script>alert(1)</script></head>
<body>
<h1>Droits</h1>
<p>Du <strong>gras</strong>, de l'<em>italique</em>, <u>soulign\xc3\xa9</u>,
 <a href="https://example.org/x">un lien</a>, <span class="x">un span</span>
 et une note<sup><a href="#fn1" class="footnote-ref">1</a></sup>.<br>Ligne
<code>&lt;1&gt;</code>.</p>
<h2>Sant\xc3\xa9</h2>
<ol type="I"><li>Premier<ol type="a"><li>sous-point</li><li>autre</li></ol></li>
<li><p>Deuxi\xc3\xa8me</p><p>Suite du point.</p></li></ol>
<ul><li>Puce <img src="a.png" alt="image"></li></ul>
<blockquote><p>Citation.</p></blockquote>
<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>
<figure><img src="b.png" alt=""><figcaption>L\xc3\xa9gende</figcaption></figure>
<div>Texte libre dans un div.</div>
<pre>code  brut</pre>
<script>document.write("no")</script>
<section class="footnotes"><ol><li id="fn-1">La note.
<a href="#fnref-1" class="footnote-back">r</a></li></ol></section>
</body></html>
"""


@pytest.fixture
def doc():  # type: ignore[no-untyped-def]
    """The sample page read through the registry."""
    return read_document("page.html", PAGE, language="fr")


def test_blocks(doc) -> None:  # type: ignore[no-untyped-def]
    assert doc.title == "Page title" and doc.language == "fr"
    summary = [(b.type, b.level, b.numbering, strip_tags(b.text)) for b in doc.blocks]
    assert summary == [
        ("heading", 1, None, "Droits"),
        ("paragraph", None, None, "Du gras, de l'italique, souligné, un lien, un span et "
                                  "une note.Ligne ."),
        ("heading", 2, None, "Santé"),
        ("list_item", 0, "I.", "Premier"),
        ("list_item", 1, "a.", "sous-point"),
        ("list_item", 1, "b.", "autre"),
        ("list_item", 0, "II.", "Deuxième"),
        ("paragraph", None, None, "Suite du point."),
        ("list_item", 0, "•", "Puce image"),  # the image's alt text is text, in its tag
        ("quote", 0, None, "Citation."),
        ("table_cell", None, None, "A"),
        ("table_cell", None, None, "B"),
        ("table_cell", None, None, "1"),
        ("table_cell", None, None, "2"),
        ("caption", None, None, "Légende"),
        ("paragraph", None, None, "Texte libre dans un div."),
        ("code", None, None, "code  brut"),
        ("footnote", None, "1", "La note."),
    ]
    assert all(not well_formed_errors(b.text) for b in doc.blocks)
    assert doc.blocks[2].context == "Droits"
    assert doc.blocks[4].context == "Droits > Santé"
    assert doc.blocks[13].attrs == {"table": 0, "row": 1, "col": 1, "header": False}


def test_inline_tags_keep_element_and_attrs(doc) -> None:  # type: ignore[no-untyped-def]
    tags = doc.blocks[1].tags
    kinds = sorted(t.kind for t in tags.values())
    assert kinds == sorted(["bold", "italic", "underline", "link", "span", "footnote_ref",
                            "break", "code", "literal"])
    span = next(t for t in tags.values() if t.kind == "span")
    assert span.data == {"element": "span", "attrs": {"class": "x"}}
    link = next(t for t in tags.values() if t.kind == "link")
    assert link.data["href"] == "https://example.org/x"
    ref = next(t for t in tags.values() if t.kind == "footnote_ref")
    assert ref.data["note"] == "1"
    literal = next(t for t in tags.values() if t.kind == "literal")
    assert literal.data == {"text": "<1>"}


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"\x00\x01binary", "binary"),
    (b"<p>caf\xe9</p>", "not UTF-8"),
])
def test_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        html.read(data, filename="bad.html")


@pytest.mark.parametrize(("data", "message"), [
    (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><p>&a;</p>', "entities"),
    (b"<p>" + b"<b>" * 400 + b"deep" + b"</b>" * 400 + b"</p>", "nested too deeply"),
])
def test_hostile_input(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        html.read(data, filename="bad.html")


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
    b"<body><p>Caf\xc3\xa9 &amp; bar.</p></body></html>",
    b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 &amp; bar.</p>',
    b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    b"<p>Caf\xe9 &amp; bar.</p>",
])
def test_declared_encodings(data: bytes) -> None:
    doc = html.read(data, filename="x.html")
    assert [b.text for b in doc.blocks] == ["Café & bar."]


def test_oversize_is_refused() -> None:
    with pytest.raises(FormatError, match="20 MB"):
        html.read(b" " * (html.MAX_HTML_BYTES + 1), filename="big.html")


def _block(kind: str, text: str, **kw) -> ParsedBlock:  # type: ignore[no-untyped-def]
    return ParsedBlock(type=kind, text=text, **kw)


def model_blocks() -> list[TargetBlock]:
    """A block model like the DOCX reader's: Roman and lettered lists, a table, notes."""
    link = Tag("link", True, {"href": "https://example.org/?a=1&b=2"})
    bad = Tag("link", True, {"href": "javascript:alert(1)"})
    ref = Tag("footnote_ref", False, {"note": "2"})
    blocks = [
        _block("title", "Sample Declaration"),
        _block("paragraph", "Intro <1>bold</1> <2>link</2> <3>bad</3><4/>.",
               tags={"1": Tag("bold"), "2": link, "3": bad, "4": ref}),
        _block("heading", "Rights", level=2),
        _block("list_item", "Right to <1>health</1>", level=0, numbering="I.",
               tags={"1": Tag("italic")}),
        _block("list_item", "sub a", level=1, numbering="a)"),
        _block("list_item", "sub b", level=1, numbering="b)"),
        _block("list_item", "Right to work", level=0, numbering="II."),
        _block("list_item", "bullet", level=0, numbering="•"),
        _block("heading", "Table", level=2),
        _block("table_cell", "H1", attrs={"table": 0, "row": 0, "col": 0, "header": True}),
        _block("table_cell", "H2", attrs={"table": 0, "row": 0, "col": 1, "header": True}),
        _block("table_cell", "c1", attrs={"table": 0, "row": 1, "col": 0}),
        _block("table_cell", "c2", attrs={"table": 0, "row": 1, "col": 1}),
        _block("table_cell", "c2 more", attrs={"table": 0, "row": 1, "col": 1}),
        _block("quote", "Quoted words."),
        _block("footnote", "The note text.", attrs={"note": "2"}, locator="fn-2"),
    ]
    return [TargetBlock(b, b.text) for b in blocks]


def test_writer_structure() -> None:
    page = html.write(model_blocks(), language="en", title="Sample").decode()
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en" dir="ltr">' in page
    assert '<meta charset="utf-8">' in page and 'name="viewport"' in page
    assert '<ol type="I"><li>Right to <em>health</em><ol type="a" class="paren"><li>sub a</li>' \
        in page
    assert page.count("<h1") == 1 and '<h2 id="h-2">Rights</h2>' in page  # no level skipped
    assert '<li>sub b</li></ol></li><li>Right to work</li></ol><ul><li>bullet</li></ul>' in page
    assert '<th scope="col">H1</th>' in page and "<td><p>c2</p><p>c2 more</p></td>" in page
    assert '<a href="https://example.org/?a=1&amp;b=2">link</a>' in page
    assert "javascript" not in page and " bad" in page
    assert '<sup id="fnref-1"><a href="#fn-1"' in page
    assert '<li id="fn-1">The note text. <a href="#fnref-1"' in page
    assert '<nav class="toc"' in page and 'href="#h-2">Rights</a>' in page
    assert "<blockquote><p>Quoted words.</p></blockquote>" in page
    assert "http" not in page.replace("https://example.org/?a=1&amp;b=2", "")  # no resources


def test_writer_escapes_everything() -> None:
    tb = model_blocks()[1]
    evil = 'Say <script>alert("x")</script> & "quote" ' + tb.target
    page = html.write([TargetBlock(tb.block, evil)], language="fr", direction="rtl",
                      title='T <b>"&"</b>').decode()
    assert "<script>" not in page
    assert "Say &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quote&quot;" in page
    assert "<title>T &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</title>" in page
    assert 'dir="rtl"' in page


def test_writer_survives_misnested_target() -> None:
    tb = model_blocks()[1]
    page = html.write([TargetBlock(tb.block, "<1>a <2>b</1> c</2> <9>x</9>")],
                      language="en", title="T").decode()
    assert "<strong>a <a href" in page and "</strong>" in page


def test_html_round_trip(doc) -> None:  # type: ignore[no-untyped-def]
    out = html.write([TargetBlock(b, b.text) for b in doc.blocks], language="fr",
                     title=doc.title)
    again = html.read(out, filename="again.html")
    # images are not exported (no external resources), so "Puce <1/>" comes back "Puce"
    assert [strip_tags(b.text).strip() for b in again.blocks] == [
        strip_tags(b.text).strip() for b in doc.blocks]
    assert [b.type for b in again.blocks] == [b.type for b in doc.blocks]


@pytest.mark.clients
def test_nu_html_checker_accepts_pages(tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    from tests.test_format_markdown import SOURCE

    md = markdown.read(SOURCE.encode(), filename="x.md")
    pages = {
        "model.html": html.write(model_blocks(), language="en", title="Model"),
        "rtl.html": html.write(model_blocks(), language="ar", direction="rtl", title="عنوان"),
        "html.html": html.write([TargetBlock(b, b.text) for b in doc.blocks], language="fr",
                                title=doc.title or "x"),
        "md.html": html.write([TargetBlock(b, b.text) for b in md.blocks], language="en",
                              title=md.title or "x"),
        "empty.html": html.write([], language="en", title=""),
    }
    paths = []
    for name, data in pages.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.clients
def test_corpus_documents_export_to_valid_html(tmp_path: Path) -> None:
    """Every readable DOCX of the shared corpus, written as HTML, passes the Nu checker."""
    from tests.conftest import CORPUS

    files = sorted(CORPUS.glob("**/*.docx")) if CORPUS.exists() else []
    if not files:
        pytest.skip(f"the DOCX corpus is not at {CORPUS}")
    pytest.importorskip("tms.formats.docx", reason="the DOCX reader is not importable yet")
    paths = []
    for n, path in enumerate(files):
        try:
            doc = read_document(path.name, path.read_bytes())
        except FormatError:
            continue  # hostile or broken files are the DOCX reader's tests
        out = tmp_path / f"{n:03d}.html"
        out.write_bytes(html.write([TargetBlock(b, b.text) for b in doc.blocks],
                                   language="en", title=doc.title or path.stem))
        paths.append(out)
    assert len(paths) > 10
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout
