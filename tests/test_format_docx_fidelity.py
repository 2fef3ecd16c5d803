"""DOCX details that must come back exactly (issue 13): marks, tracked changes, content
controls, fields, whitespace, numbering labels, SmartArt, package layout. Each document is
built in the test (python-docx + injected XML)."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree

from tests.docx_judge import differences
from tests.test_format_docx import (
    NSDECL,
    add_part,
    body,
    parts,
    read,
    replace_part,
    roundtrip,
    save,
    with_body,
)
from tms.formats import docx as docx_format
from tms.formats.base import TargetBlock

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def body_xml(data: bytes) -> etree._Element:
    """The parsed main document part."""
    return etree.fromstring(parts(data)["word/document.xml"])


def sequence(p: etree._Element) -> list[str]:
    """The paragraph's content in order: text pieces and the local names of marks."""
    out: list[str] = []
    for el in p.iter():
        name = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if name == "t" and el.text:
            out.append(el.text)
        elif name in ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
                      "commentReference"):
            out.append(f"[{name} {el.get(f'{{{W}}}id')}]")
    return out


def first_paragraph(data: bytes) -> etree._Element:
    """The first w:p of the body."""
    return next(body_xml(data).iter(f"{{{W}}}p"))


# -- bookmarks and comment ranges ------------------------------------------------------

MARKED = (
    '<w:p><w:r><w:t xml:space="preserve">See the </w:t></w:r>'
    '<w:bookmarkStart w:id="1" w:name="rights"/><w:r><w:t>rights</w:t></w:r>'
    '<w:bookmarkEnd w:id="1"/><w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    '<w:commentRangeStart w:id="0"/><w:r><w:t>all workers</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
    '<w:r><w:t xml:space="preserve"> now</w:t></w:r>'
    '<w:bookmarkStart w:id="2" w:name="_GoBack"/><w:bookmarkEnd w:id="2"/>'
    '<w:r><w:t>.</w:t></w:r></w:p>'
)


def test_bookmarks_and_comment_ranges_are_standalone_tags_where_they_are() -> None:
    [block] = body(read(with_body(MARKED)))
    assert block.text == ("See the <1/>rights<2/> of <3/>all workers<4/><5/> now<6/><7/>.")
    labels = [block.tags[str(i)].label for i in range(1, 8)]
    assert labels == ["bookmark: rights", "end of bookmark", "comment", "end of comment",
                      "comment mark", "bookmark: _GoBack", "end of bookmark"]
    assert {t.kind for t in block.tags.values()} == {"anchor"}


def test_identity_round_trip_keeps_every_mark_in_place() -> None:
    data = with_body(MARKED)
    out, again = roundtrip(data)
    assert sequence(first_paragraph(out)) == sequence(first_paragraph(data))
    assert body(again)[0].text == body(read(data))[0].text


def test_translated_marks_land_where_the_translator_put_them() -> None:
    data = with_body(MARKED)
    out, _ = roundtrip(data, lambda b: "Voir les <1/>droits<2/> de <3/>tous<4/><5/> "
                                       "maintenant<6/><7/>.")
    assert sequence(first_paragraph(out)) == [
        "Voir les ", "[bookmarkStart 1]", "droits", "[bookmarkEnd 1]", " de ",
        "[commentRangeStart 0]", "tous", "[commentRangeEnd 0]", "[commentReference 0]",
        " maintenant", "[bookmarkStart 2]", "[bookmarkEnd 2]", "."]


def test_dropped_marks_are_restored_at_a_word_end_and_never_doubled() -> None:
    data = with_body(MARKED)
    out, _ = roundtrip(data, lambda b: "Voir <1/>les droits<1/> de tous maintenant.")
    seq = sequence(first_paragraph(out))
    for mark in ("[bookmarkStart 1]", "[bookmarkEnd 1]", "[commentRangeStart 0]",
                 "[commentRangeEnd 0]", "[commentReference 0]", "[bookmarkStart 2]"):
        assert seq.count(mark) == 1, mark
    text = "".join(s for s in seq if not s.startswith("["))
    assert text == "Voir les droits de tous maintenant."
    # restored at word ends, never inside a word
    marked = "".join("|" if s.startswith("[") else s for s in seq)
    assert not re.search(r"\w\|+\w", marked), marked


def test_marks_at_the_edges_stay_outside_the_text() -> None:
    data = with_body('<w:p><w:bookmarkStart w:id="3" w:name="_Toc1"/><w:r><w:t>Preamble'
                     '</w:t></w:r><w:bookmarkEnd w:id="3"/></w:p>')
    [block] = body(read(data))
    assert block.text == "Preamble"
    out, _ = roundtrip(data, lambda b: "Préambule")
    assert sequence(first_paragraph(out)) == ["[bookmarkStart 3]", "Préambule",
                                              "[bookmarkEnd 3]"]


def test_a_mark_inside_a_hyperlink_stays_inside_it() -> None:
    document = docx.Document()
    p = document.add_paragraph("Go ")
    rid = document.part.relate_to("https://example.org/", RT.HYPERLINK, is_external=True)
    p._p.append(parse_xml(f'<w:hyperlink {NSDECL} r:id="{rid}"><w:r><w:t xml:space="preserve">'
                          'there </w:t></w:r><w:bookmarkStart w:id="4" w:name="x"/><w:r>'
                          '<w:t>now</w:t></w:r></w:hyperlink>'))
    data = save(document)
    [block] = body(read(data))
    assert block.text == "Go <1>there <2/>now</1>"
    out = docx_format.write(data, [TargetBlock(block, "Va <1>là <2/>maintenant</1>")],
                            language="fr")
    link = next(first_paragraph(out).iter(f"{{{W}}}hyperlink"))
    assert sequence(link) == ["là ", "[bookmarkStart 4]", "maintenant"]


# -- tracked changes ---------------------------------------------------------------------

def _revision_marks(data: bytes) -> list[str]:
    """Local names of every revision element left in the main part."""
    names = {"ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "moveFromRangeStart",
             "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "delText"}
    return [etree.QName(el).localname for el in body_xml(data).iter()
            if isinstance(el.tag, str) and etree.QName(el).localname in names]


DEL = 'w:id="{}" w:author="a" w:date="2024-01-01T00:00:00Z"'


def test_moves_keep_the_destination_and_lose_the_origin_and_range_marks() -> None:
    data = with_body(
        f'<w:p><w:moveFromRangeStart {DEL.format(1)} w:name="move1"/><w:moveFrom {DEL.format(2)}>'
        '<w:r><w:t xml:space="preserve">Rights </w:t></w:r></w:moveFrom>'
        '<w:moveFromRangeEnd w:id="1"/><w:r><w:t>come first.</w:t></w:r></w:p>'
        f'<w:p><w:r><w:t xml:space="preserve">Then </w:t></w:r><w:moveToRangeStart {DEL.format(3)}'
        f' w:name="move1"/><w:moveTo {DEL.format(4)}><w:r><w:t>rights.</w:t></w:r></w:moveTo>'
        '<w:moveToRangeEnd w:id="3"/></w:p>')
    doc = read(data)
    assert [b.text for b in body(doc)] == ["come first.", "Then rights."]
    out, again = roundtrip(data)
    assert [b.text for b in body(again)] == ["come first.", "Then rights."]
    assert _revision_marks(out) == []


def test_a_deleted_paragraph_mark_joins_the_two_paragraphs() -> None:
    data = with_body(
        f'<w:p><w:pPr><w:rPr><w:del {DEL.format(1)}/></w:rPr></w:pPr>'
        '<w:r><w:t xml:space="preserve">We demand </w:t></w:r></w:p>'
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>safety.</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>Next.</w:t></w:r></w:p>')
    doc = read(data)
    assert [b.text for b in body(doc)] == ["We demand safety.", "Next."]
    assert doc.warnings == ["1 tracked change was accepted (insertions kept, deletions dropped)"]
    out, again = roundtrip(data, lambda b: b.text.upper())
    assert [b.text for b in body(again)] == ["WE DEMAND SAFETY.", "NEXT."]
    first = first_paragraph(out)
    assert first.find(f"{{{W}}}pPr/{{{W}}}jc") is not None  # the joined paragraph's own pPr
    assert _revision_marks(out) == []


def test_a_wholly_deleted_paragraph_is_gone_and_formatting_changes_are_dropped() -> None:
    data = with_body(
        f'<w:p><w:pPr><w:rPr><w:del {DEL.format(1)}/></w:rPr></w:pPr><w:del {DEL.format(2)}>'
        '<w:r><w:delText>Struck out entirely.</w:delText></w:r></w:del></w:p>'
        '<w:p><w:pPr><w:pPrChange w:id="5" w:author="a"><w:pPr><w:jc w:val="right"/></w:pPr>'
        '</w:pPrChange></w:pPr><w:r><w:rPr><w:b/><w:rPrChange w:id="6" w:author="a"><w:rPr/>'
        '</w:rPrChange></w:rPr><w:t>Kept.</w:t></w:r></w:p>')
    doc = read(data)
    assert [(b.text, b.locator) for b in body(doc)] == [("Kept.",
                                                         "word/document.xml#p0")]
    out, _ = roundtrip(data)
    assert _revision_marks(out) == []
    paragraphs = docx.Document(io.BytesIO(out)).paragraphs
    assert [p.text for p in paragraphs] == ["Kept."] and paragraphs[0].runs[0].bold


def test_an_empty_paragraph_with_a_deleted_mark_is_resolved_even_when_nothing_is_written() -> None:
    data = with_body(
        f'<w:p><w:pPr><w:rPr><w:del {DEL.format(1)}/></w:rPr></w:pPr></w:p>'
        '<w:p><w:r><w:t>Only text.</w:t></w:r></w:p>')
    out = docx_format.write(data, [], language="fr")
    assert _revision_marks(out) == []
    assert len(list(body_xml(out).iter(f"{{{W}}}p"))) == 1


# -- content controls ----------------------------------------------------------------------

def test_inline_content_controls_survive_around_their_text() -> None:
    data = with_body(
        '<w:p><w:r><w:t xml:space="preserve">Signed in </w:t></w:r>'
        '<w:sdt><w:sdtPr><w:alias w:val="City"/><w:tag w:val="city"/><w:id w:val="7"/>'
        '</w:sdtPr><w:sdtContent><w:r><w:t>Lisbon</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:sdt><w:sdtPr><w:tag w:val="year"/></w:sdtPr><w:sdtContent><w:r>'
        '<w:t xml:space="preserve"> 2005</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:r><w:t>.</w:t></w:r></w:p>')
    [block] = body(read(data))
    assert block.text == "Signed in <1>Lisbon</1><2> 2005</2>."
    assert (block.tags["1"].kind, block.tags["1"].label) == ("control", "control: City")
    assert block.tags["2"].label == "control: year"
    out, again = roundtrip(data, lambda b: "Signé à <1>Lisbonne</1><2> 2005</2>.")
    assert body(again)[0].text == "Signé à <1>Lisbonne</1><2> 2005</2>."
    sdts = list(first_paragraph(out).iter(f"{{{W}}}sdt"))
    assert [sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag").get(f"{{{W}}}val") for sdt in sdts] == [
        "city", "year"]
    assert sequence(sdts[0]) == ["Lisbonne"]
    assert sdts[0].find(f"{{{W}}}sdtPr/{{{W}}}id").get(f"{{{W}}}val") == "7"


def test_a_control_from_the_stored_tag_map_is_rebuilt_when_ids_do_not_match() -> None:
    data = with_body(
        '<w:p><w:sdt><w:sdtPr><w:alias w:val="Name"/></w:sdtPr><w:sdtContent><w:r>'
        '<w:t>Name</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> here'
        '</w:t></w:r></w:p>')
    [block] = body(read(data))
    stored = {"9": block.tags["1"]}
    moved = TargetBlock(type(block)(**{**block.__dict__, "tags": stored}), "Ici <9>Nom</9>")
    out = docx_format.write(data, [moved], language="fr")
    [sdt] = first_paragraph(out).iter(f"{{{W}}}sdt")
    assert sequence(sdt) == ["Nom"]


# -- fields ----------------------------------------------------------------------------------

def _complex(instr: str, result: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def test_generated_field_results_are_marked_dirty_and_reported() -> None:
    data = with_body(
        f'<w:p><w:r><w:t xml:space="preserve">Figure </w:t></w:r>{_complex("SEQ Figure", "1")}'
        f'<w:r><w:t xml:space="preserve">, page </w:t></w:r>{_complex("PAGE", "3")}'
        '<w:r><w:t xml:space="preserve">, </w:t></w:r>'
        '<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; "><w:r><w:t>1 May 2024</w:t>'
        '</w:r></w:fldSimple></w:p>')
    doc = read(data)
    assert any(w.startswith("2 fields (contents, caption numbers") for w in doc.warnings)
    out, again = roundtrip(data)
    assert body(again)[0].text == body(doc)[0].text
    root = body_xml(out)
    begins = [el.get(f"{{{W}}}dirty") for el in root.iter(f"{{{W}}}fldChar")
              if el.get(f"{{{W}}}fldCharType") == "begin"]
    assert begins == ["true", None]  # SEQ recalculated, PAGE left alone
    assert next(root.iter(f"{{{W}}}fldSimple")).get(f"{{{W}}}dirty") == "true"


def test_hyperlink_and_ref_field_results_are_translatable_between_the_kept_code() -> None:
    data = with_body(
        '<w:p><w:r><w:t xml:space="preserve">Read </w:t></w:r>'
        + _complex('HYPERLINK "https://example.org"', "our site").replace(
            "<w:r><w:t>our", '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>our')
        + '<w:r><w:t xml:space="preserve"> and </w:t></w:r>'
        '<w:fldSimple w:instr=" REF _Ref2 \\h "><w:r><w:t>the annex</w:t></w:r></w:fldSimple>'
        '<w:r><w:t xml:space="preserve">, page </w:t></w:r>' + _complex("PAGEREF _Ref2", "4")
        + '<w:r><w:t>.</w:t></w:r></w:p>')
    [block] = body(read(data))
    assert block.text == "Read <1><2>our site</2></1> and <3>the annex</3>, page <4/>."
    assert [(block.tags[i].kind, block.tags[i].paired, block.tags[i].label)
            for i in ("1", "3", "4")] == [("field", True, "field: HYPERLINK"),
                                          ("field", True, "field: REF"),
                                          ("field", False, "field: PAGEREF")]
    out, again = roundtrip(data, lambda b: "Voir <3>l'annexe</3>, page <4/>, et lire "
                                           "<1><2>notre site</2></1>.")
    assert body(again)[0].text == ("Voir <1>l'annexe</1>, page <2/>, et lire "
                                   "<3><4>notre site</4></3>.")
    p = first_paragraph(out)
    codes = [" ".join((el.text or "").split()) for el in p.iter(f"{{{W}}}instrText")]
    assert codes == ["PAGEREF _Ref2", 'HYPERLINK "https://example.org"']
    assert next(p.iter(f"{{{W}}}fldSimple")).get(f"{{{W}}}instr") == " REF _Ref2 \\h "
    kinds = [el.get(f"{{{W}}}fldCharType") for el in p.iter(f"{{{W}}}fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2
    # the shown result sits between the separate and the end of its field
    xml = etree.tostring(p, encoding="unicode")
    assert re.search(r'separate"/></w:r><w:r><w:rPr><w:rStyle w:val="Hyperlink"/>'
                     r'<w:lang w:val="de"/></w:rPr><w:t>notre site</w:t></w:r><w:r>'
                     r'<w:fldChar w:fldCharType="end"/>', xml), xml


def test_a_field_tag_dropped_from_the_end_is_closed_all_the_same() -> None:
    data = with_body('<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r>'
                     + _complex("REF _Ref1 \\h", "Part 2") + '<w:r><w:t>.</w:t></w:r></w:p>')
    [block] = body(read(data))
    assert block.text == "See <1>Part 2</1>."
    out, _ = roundtrip(data, lambda b: "Voir <1>partie 2.")
    kinds = [el.get(f"{{{W}}}fldCharType") for el in first_paragraph(out).iter(f"{{{W}}}fldChar")]
    assert kinds == ["begin", "separate", "end"]


LABELS = (
    f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="SECTION %1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="Article %1.%2 &lt;3&gt;"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
    '<w:lvlText w:val="(%3)"/></w:lvl>'
    '<w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>'
    '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>'
)


def test_list_labels_written_in_numbering_are_translatable_with_numbers_kept() -> None:
    data = replace_part(with_body(
        '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        '<w:r><w:t>Scope</w:t></w:r></w:p>'), "word/numbering.xml", LABELS.encode())
    doc = read(data)
    assert doc.blocks[0].numbering == "SECTION 1."
    labels = [b for b in doc.blocks if b.locator.startswith("word/numbering.xml")]
    assert [(b.locator, b.text, b.type, b.level) for b in labels] == [
        ("word/numbering.xml#lvl0", "SECTION <1/>.", "list_item", 0),
        ("word/numbering.xml#lvl1", "Article <1/>.<2/> <3/>", "list_item", 1)]
    assert [t.data["text"] for t in labels[1].tags.values()] == ["%1", "%2", "<3>"]
    assert labels[0].tags["1"].label == "level number 1"
    out, _ = roundtrip(data, lambda b: {"SECTION <1/>.": "ARTICLE <1/> :",
                                        "Article <1/>.<2/> <3/>": "<3/> Art. <1/>.<2/>"
                                        }.get(b.text, b.text))
    root = etree.fromstring(parts(out)["word/numbering.xml"])
    assert [el.get(f"{{{W}}}val") for el in root.iter(f"{{{W}}}lvlText")] == [
        "ARTICLE %1 :", "<3> Art. %1.%2", "(%3)", "o"]
    assert read(out).blocks[0].numbering == "ARTICLE 1 :"


A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DGM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
DSP = "http://schemas.microsoft.com/office/drawing/2008/diagram"
DIAGRAM_DATA = (
    f'<dgm:dataModel xmlns:dgm="{DGM}" xmlns:a="{A}"><dgm:ptLst>'
    '<dgm:pt modelId="{A1}" type="doc"><dgm:t><a:bodyPr/><a:p><a:endParaRPr/></a:p></dgm:t>'
    '</dgm:pt><dgm:pt modelId="{B2}"><dgm:t><a:bodyPr/><a:p><a:r><a:rPr lang="en-GB"/>'
    '<a:t>Organise</a:t></a:r></a:p></dgm:t></dgm:pt><dgm:pt modelId="{C3}"><dgm:t>'
    '<a:bodyPr/><a:p><a:r><a:t xml:space="preserve">Speak </a:t></a:r><a:r><a:rPr b="1"/>'
    '<a:t>out</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>'
)
DIAGRAM_DRAWING = (
    f'<dsp:drawing xmlns:dsp="{DSP}" xmlns:a="{A}"><dsp:spTree>'
    '<dsp:sp modelId="{B2}"><dsp:txBody><a:bodyPr/><a:p><a:r><a:t>Organise</a:t></a:r></a:p>'
    '</dsp:txBody></dsp:sp><dsp:sp modelId="{C3}"><dsp:txBody><a:bodyPr/><a:p><a:r>'
    '<a:t xml:space="preserve">Speak </a:t></a:r><a:r><a:t>out</a:t></a:r></a:p></dsp:txBody>'
    '</dsp:sp></dsp:spTree></dsp:drawing>'
)


def test_smartart_text_is_translatable_in_the_data_and_the_drawing_shown() -> None:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData"
    data = add_part(with_body('<w:p><w:r><w:t>Our steps:</w:t></w:r></w:p>'),
                    "word/diagrams/data1.xml", DIAGRAM_DATA, rel,
                    "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml",
                    rid="rId950")
    data = add_part(data, "word/diagrams/drawing1.xml", DIAGRAM_DRAWING,
                    "http://schemas.microsoft.com/office/2007/relationships/diagramDrawing",
                    "application/vnd.ms-office.drawingml.diagramDrawing+xml", rid="rId951")
    doc = read(data)
    shown = [(b.locator, b.type, b.text) for b in doc.blocks[1:]]
    assert shown == [("word/diagrams/data1.xml#dp1", "text_box", "Organise"),
                     ("word/diagrams/data1.xml#dp2", "text_box", "Speak out")]
    out, again = roundtrip(data)
    assert differences(data, out) == []  # the identity round trip changes nothing
    out, again = roundtrip(data, lambda b: {"Organise": "S'organiser",
                                            "Speak out": "Prendre la parole"}.get(b.text,
                                                                                  b.text))
    assert [b.text for b in again.blocks[1:]] == ["S'organiser", "Prendre la parole"]
    drawing = etree.fromstring(parts(out)["word/diagrams/drawing1.xml"])
    assert ["".join(t.text or "" for t in p.iter(f"{{{A}}}t"))
            for p in drawing.iter(f"{{{A}}}p")] == ["S'organiser", "Prendre la parole"]


# -- whitespace ------------------------------------------------------------------------------

def test_a_whitespace_only_run_without_preserve_does_not_start_printing() -> None:
    data = with_body('<w:p><w:r><w:t>Rights</w:t></w:r><w:r><w:t> </w:t></w:r>'
                     '<w:r><w:t>now</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
                     '<w:r><w:t>.</w:t></w:r></w:p>')
    [block] = body(read(data))
    assert block.text == "Rightsnow ."  # what Word prints
    out, _ = roundtrip(data)
    assert "".join(sequence(first_paragraph(out))) == "Rightsnow ."


# -- package layout --------------------------------------------------------------------------

def test_a_main_part_under_another_name_is_found_through_the_package_relationships() -> None:
    src = parts(with_body('<w:p><w:r><w:t>Elsewhere.</w:t></w:r></w:p>'))
    renamed = {"word/document.xml": "word/main.xml",
               "word/_rels/document.xml.rels": "word/_rels/main.xml.rels"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in src.items():
            if name in ("_rels/.rels", "[Content_Types].xml"):
                content = content.replace(b"word/document.xml", b"word/main.xml")
            zf.writestr(renamed.get(name, name), content)
    data = buffer.getvalue()
    doc = read(data)
    assert [(b.locator, b.text) for b in doc.blocks] == [("word/main.xml#p0", "Elsewhere.")]
    out = docx_format.write(data, [TargetBlock(doc.blocks[0], "Ailleurs.")], language="fr")
    assert "word/document.xml" not in parts(out)
    assert [b.text for b in read(out).blocks] == ["Ailleurs."]
