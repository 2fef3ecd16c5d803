"""XLIFF 1.2: the exchange contract, the strict schema, states, inline tags, hostile files."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from tests.clients import xliff12_schema_path
from tests.test_format_po import META, ExchangeRoundTrip, units
from tms.formats import xliff
from tms.formats.base import ExportUnit, FormatError
from tms.models import State

NS = {"x": xliff.NS}


class TestXliffRoundTrip(ExchangeRoundTrip):
    fmt = xliff
    suffix = ".xlf"


def tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


@pytest.mark.clients
def test_written_xliff_validates_against_the_strict_schema() -> None:
    schema = etree.XMLSchema(etree.parse(str(xliff12_schema_path())))
    extra = ExportUnit(key="z9-0", source="Ctrl\x01char <1>a <2/></1>", target="x\x02 <1>b<2/></1>",
                       state=int(State.UNTRANSLATED), tags={})
    doc = tree(xliff.write([*units(), extra], META))
    assert schema.validate(doc), schema.error_log


@pytest.mark.clients
def test_the_schema_check_is_real() -> None:
    schema = etree.XMLSchema(etree.parse(str(xliff12_schema_path())))
    doc = tree(xliff.write(units(), META))
    doc.find(".//x:target", NS).set("state", "done")
    assert not schema.validate(doc)


def test_document_shape() -> None:
    root = tree(xliff.write(units(), META))
    assert root.tag == f"{{{xliff.NS}}}xliff" and root.get("version") == "1.2"
    (file_el,) = root.findall("x:file", NS)
    assert dict(file_el.attrib) == {"original": "declaration", "source-language": "en",
                                    "target-language": "pt-BR", "datatype": "plaintext"}
    tool = file_el.find("x:header/x:tool", NS)
    assert tool is not None and tool.get("tool-id") == "tms"
    tus = file_el.findall("x:body/x:trans-unit", NS)
    assert [(t.get("id"), t.get("resname")) for t in tus] == [(u.key, u.key) for u in units()]


@pytest.mark.parametrize(
    ("key", "state", "approved"),
    [("a1-0", "final", "yes"),
     ("b2-0", "translated", None),
     ("c3-0", "new", None),  # untranslated: the source copied into a state="new" target
     ("d4-0", "needs-review-translation", None),  # draft, and outdated
     ("e5-0", "needs-translation", None)],  # sent back by a reviewer
)
def test_state_mapping(key: str, state: str | None, approved: str | None) -> None:
    tu = tree(xliff.write(units(), META)).find(f".//x:trans-unit[@id='{key}']", NS)
    target = tu.find("x:target", NS)
    assert (target.get("state") if target is not None else None) == state
    assert tu.get("approved") == approved


@pytest.mark.parametrize(
    ("state", "outdated", "word"),
    [(State.NEEDS_WORK, False, "needs-translation"),
     (State.DRAFT, False, "needs-review-translation"),
     (State.TRANSLATED, False, "translated"),
     (State.APPROVED, False, "final"),
     (State.APPROVED, True, "needs-review-translation"),
     (State.UNTRANSLATED, False, "new")],
)
def test_state_word(state: State, outdated: bool, word: str) -> None:
    assert xliff.state_word(int(state), outdated=outdated) == word


def test_inline_tags_are_g_and_x_elements() -> None:
    tu = tree(xliff.write(units(), META)).find(".//x:trans-unit[@id='b2-0']", NS)
    source = tu.find("x:source", NS)
    assert source.text == "Everyone has the right to "
    g, x = list(source)
    assert (g.tag, g.get("id"), g.get("ctype"), g.text, g.tail) == (
        f"{{{xliff.NS}}}g", "1", "bold", "life", ".")
    assert (x.tag, x.get("id"), x.get("ctype")) == (f"{{{xliff.NS}}}x", "2", "x-footnote_ref")
    nested = tree(xliff.write(units(), META)).find(".//x:trans-unit[@id='c3-0']/x:source", NS)
    assert etree.tostring(nested, encoding="unicode", with_tail=False).endswith(
        '>Read <g id="3" ctype="link">the <g id="1" ctype="bold">full</g> text</g> '
        "and 50% of %s.</source>")


def test_notes_give_context_and_tag_legend() -> None:
    tu = tree(xliff.write(units(), META)).find(".//x:trans-unit[@id='b2-0']", NS)
    notes = [n.text for n in tu.findall("x:note", NS)]
    assert "Context: Preamble > Rights" in notes
    assert "Tags: <1>…</1> bold; <2/> footnote 1" in notes
    assert "Keep the footnote after the full stop." in notes


def test_xliff_edited_with_lxml_and_tags_reordered_reads_back() -> None:
    root = tree(xliff.write(units(), META))
    tu = root.find(".//x:trans-unit[@id='c3-0']", NS)
    tu.remove(tu.find("x:target", NS))  # the tool replaces the prefilled copy of the source
    target = etree.SubElement(tu, f"{{{xliff.NS}}}target", state="translated")
    # The translator moved the bold span in front of the link.
    target.text = "Et 50 % de %s : lisez "
    bold = etree.SubElement(target, f"{{{xliff.NS}}}g", id="1")
    bold.text = "tout"
    bold.tail = " "
    link = etree.SubElement(target, f"{{{xliff.NS}}}g", id="3")
    link.text = "le texte"
    link.tail = "."
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    back = {u.key: u for u in xliff.read_units(data, filename="back.xlf")}
    assert back["c3-0"].target == "Et 50 % de %s : lisez <1>tout</1> <3>le texte</3>."
    assert back["c3-0"].state == "translated" and not back["c3-0"].fuzzy


TOOL_TARGET = ('<target state="needs-review-translation"><mrk mtype="seg" mid="0">Un '
               '<bpt id="1">&lt;b&gt;</bpt>b<ept id="1">&lt;/b&gt;</ept><x id="2"/></mrk></target>')


def test_other_tools_inline_codes_become_our_tags() -> None:
    data = f'''<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="{xliff.NS_11}" version="1.1">
 <file original="declaration" source-language="en" target-language="fr" datatype="plaintext">
  <body>
   <trans-unit id="k1">
    <source>A <bx id="1"/>b<ex id="2" rid="1"/> <ph id="2">[fn]</ph></source>
    {TOOL_TARGET}
   </trans-unit>
  </body>
 </file>
</xliff>'''.encode()
    file = xliff.read_file(data, filename="tool.xlf")
    (unit,) = file.units
    assert unit.source == "A <1>b</1> <2/>"
    assert unit.target == "Un <1>b</1><2/>"
    assert unit.fuzzy and file.language == "fr" and file.bases == {}


BILLION_LAUGHS = b'''<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="d"
source-language="en" datatype="plaintext"><body><trans-unit id="k"><source>&b;</source>
</trans-unit></body></file></xliff>'''
EXTERNAL = b'''<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="d"
source-language="en" datatype="plaintext"><body><trans-unit id="k"><source>&x;</source>
</trans-unit></body></file></xliff>'''
VALID = xliff.write(units(), META)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "declares entities"),
        (EXTERNAL, "declares entities"),
        (VALID[: len(VALID) // 2], "not well formed"),
        (VALID.replace("déclarons".encode(), "déclarons".encode("latin-1")), "not well formed"),
        (b"<html><body>hello</body></html>", "not an XLIFF file"),
        (VALID.replace(xliff.NS.encode(), b"urn:oasis:names:tc:xliff:document:2.0"),
         "tms reads XLIFF 1.2 and 1.1"),
        (VALID.replace(b'<source>Sent back.</source>', b""),
         "the trans-unit 'e5-0' at line"),
        (VALID.replace(b'<x id="2" ctype="x-footnote_ref"/>', b"<x/>", 1), "has no id"),
    ],
    ids=["entity-expansion", "external-entity", "truncated", "wrong-encoding", "not-xliff",
         "xliff-2", "no-source", "inline-without-id"],
)
def test_hostile_or_broken_xliff_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as err:
        xliff.read_units(data, filename="upload.xlf")
    assert message in str(err.value)
    assert str(err.value).startswith("upload.xlf: ")


def test_missing_source_reports_its_line() -> None:
    data = VALID.replace(b"<source>Sent back.</source>", b"")
    line = next(i for i, text in enumerate(data.decode().splitlines(), start=1)
                if 'id="e5-0"' in text)
    with pytest.raises(FormatError, match=f"at line {line} has no <source>"):
        xliff.read_units(data, filename="upload.xlf")


def test_translators_are_named_only_when_credited() -> None:
    def header_notes(meta: object) -> list[str]:
        root = tree(xliff.write(units(), meta))  # type: ignore[arg-type]
        return [n.text for n in root.findall("x:file/x:header/x:note", NS)]

    assert not any("Translators" in n for n in header_notes(META))
    credited = type(META)(**{**META.__dict__, "translators": ["ana", "boris"]})
    assert "Translators: ana, boris" in header_notes(credited)


def test_content_starting_with_a_tag_is_not_indented() -> None:
    # lxml's pretty_print indented inside any element without leading text, and the
    # indentation became part of xml:space="preserve" text.
    unit = ExportUnit(key="t1-0", source="<1>Bold heading</1>", target="<1>Titre gras</1>",
                      state=int(State.TRANSLATED), tags={})
    lone = ExportUnit(key="t2-0", source="<2/>", target="", state=int(State.UNTRANSLATED))
    data = xliff.write([unit, lone], META)
    assert b"<source><g id=\"1\">Bold heading</g></source>" in data
    back = {u.key: u for u in xliff.read_units(data, filename="back.xlf")}
    assert back["t1-0"].source == "<1>Bold heading</1>"
    assert back["t1-0"].target == "<1>Titre gras</1>"
    assert back["t2-0"].source == "<2/>" and back["t2-0"].target == ""


def test_untranslated_units_are_prefilled_and_read_back_as_untranslated() -> None:
    root = tree(xliff.write(units(), META))
    target = root.find(".//x:trans-unit[@id='c3-0']/x:target", NS)
    source = root.find(".//x:trans-unit[@id='c3-0']/x:source", NS)
    assert etree.tostring(target, with_tail=False).split(b">", 1)[1].rsplit(b"<", 1)[0] == (
        etree.tostring(source, with_tail=False).split(b">", 1)[1].rsplit(b"<", 1)[0])
    back = {u.key: u for u in xliff.read_units(etree.tostring(root), filename="b.xlf")}
    assert back["c3-0"].target == "" and not back["c3-0"].fuzzy


def test_prefill_can_be_turned_off() -> None:
    root = tree(xliff.write(units(), replace(META, xliff_prefill=False)))
    assert root.find(".//x:trans-unit[@id='c3-0']/x:target", NS) is None


def test_text_awaiting_review_may_carry_approved_yes() -> None:
    plain = tree(xliff.write(units(), META)).find(".//x:trans-unit[@id='b2-0']", NS)
    marked = tree(xliff.write(units(), replace(META, xliff_approve_translated=True))).find(
        ".//x:trans-unit[@id='b2-0']", NS)
    assert plain.get("approved") is None and marked.get("approved") == "yes"
    assert marked.find("x:target", NS).get("state") == "translated"
    outdated = tree(xliff.write(units(), replace(META, xliff_approve_translated=True))).find(
        ".//x:trans-unit[@id='d4-0']", NS)
    assert outdated.get("approved") is None
