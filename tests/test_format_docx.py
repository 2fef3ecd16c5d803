"""DOCX reader and writer on small documents built in the test (python-docx + injected XML)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree

from tms.formats import docx as docx_format
from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, TargetBlock
from tms.inline import compare_tags

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    f'xmlns:w="{W}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
)
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


# -- building test documents ------------------------------------------------------------

def save(document: docx.document.Document) -> bytes:
    """The bytes of a python-docx document."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_body(body_xml: str) -> bytes:
    """A DOCX whose body holds the given paragraphs (w: and r: prefixes available)."""
    document = docx.Document()
    body = document.element.body
    sect = body.sectPr
    for el in parse_xml(f"<w:body {NSDECL}>{body_xml}</w:body>"):
        sect.addprevious(el)
    return save(document)


def add_part(data: bytes, name: str, xml: str, rel_type: str, content_type: str,
             rid: str = "rId900") -> bytes:
    """The package with one more part related from word/document.xml."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                rel = (f'<Relationship Id="{rid}" Type="{rel_type}" '
                       f'Target="{name.removeprefix("word/")}"/>')
                content = content.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                over = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
                content = content.replace(b"</Types>", over.encode() + b"</Types>")
            dst.writestr(info.filename, content)
        dst.writestr(name, xml)
    return out.getvalue()


def replace_part(data: bytes, name: str, content: bytes | None) -> bytes:
    """The package with one part replaced (or removed when content is None)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == name:
                if content is not None:
                    dst.writestr(name, content)
            else:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of a package by name."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    return {n: zf.read(n) for n in zf.namelist()}


def read(data: bytes) -> ParsedDocument:
    """Read with the DOCX reader under a test file name."""
    return docx_format.read(data, filename="test.docx")


def body(doc: ParsedDocument) -> list[ParsedBlock]:
    """Blocks of the main document part."""
    return [b for b in doc.blocks if b.locator.startswith("word/document.xml")]


def roundtrip(data: bytes, change: Callable[[ParsedBlock], str] = lambda b: b.text,
              **kw: object) -> tuple[bytes, ParsedDocument]:
    """Write every block with target = change(block), return the output and its reading."""
    doc = read(data)
    opts: dict[str, object] = {"language": "de", **kw}
    out = docx_format.write(data, [TargetBlock(b, change(b)) for b in doc.blocks],
                            **opts)  # type: ignore[arg-type]
    return out, read(out)


def formatted_chars(paragraph: docx.text.paragraph.Paragraph) -> list[tuple[str, bool, bool]]:
    """(character, bold, italic) of a python-docx paragraph's direct runs."""
    return [(c, bool(r.bold), bool(r.italic)) for r in paragraph.runs for c in r.text]


# -- reading ----------------------------------------------------------------------------

def test_bold_and_italic_runs_become_paired_tags() -> None:
    document = docx.Document()
    p = document.add_paragraph("We ask for ")
    p.add_run("rights").bold = True
    p.add_run(", not ")
    p.add_run("rescue").italic = True
    p.add_run(".")
    [block] = body(read(save(document)))
    assert block.text == "We ask for <1>rights</1>, not <2>rescue</2>."
    assert (block.tags["1"].kind, block.tags["1"].label) == ("bold", "bold")
    assert block.tags["2"].kind == "italic"
    assert "<w:b/>" in block.tags["1"].data["rpr"]
    assert block.type == "paragraph"
    assert block.locator == "word/document.xml#p0"


def test_split_runs_with_equal_formatting_merge() -> None:
    data = with_body(
        '<w:p><w:r w:rsidR="001"><w:rPr><w:b/><w:lang w:val="en-GB"/></w:rPr>'
        '<w:t>Hel</w:t></w:r><w:proofErr w:type="spellStart"/>'
        '<w:r w:rsidR="002"><w:rPr><w:b/><w:noProof/></w:rPr><w:t>lo</w:t></w:r>'
        '<w:r><w:lastRenderedPageBreak/><w:t xml:space="preserve"> world </w:t></w:r></w:p>'
    )
    [block] = body(read(data))
    assert block.text == "<1>Hello</1> world "
    assert block.tags["1"].kind == "bold"


def test_mixed_formatting_is_a_span_with_a_readable_label() -> None:
    document = docx.Document()
    p = document.add_paragraph("Plain words ")
    run = p.add_run("both")
    run.bold = run.italic = True
    [block] = body(read(save(document)))
    assert block.text == "Plain words <1>both</1>"
    assert block.tags["1"].kind == "span"
    assert block.tags["1"].label == "bold+italic"


def test_base_formatting_is_the_most_common_one() -> None:
    document = docx.Document()
    p = document.add_paragraph()
    p.add_run("Mostly bold text here").bold = True
    p.add_run(" plain ")
    p.add_run("bold again").bold = True
    [block] = body(read(save(document)))
    assert block.text == "Mostly bold text here<1> plain </1>bold again"
    assert block.tags["1"].label == "not bold"
    out, _ = roundtrip(save(document))
    paragraph = docx.Document(io.BytesIO(out)).paragraphs[0]
    assert formatted_chars(paragraph) == formatted_chars(document.paragraphs[0])


def hyperlink_docx() -> bytes:
    document = docx.Document()
    p = document.add_paragraph("Read ")
    rid = document.part.relate_to("https://example.org/rights", RT.HYPERLINK, is_external=True)
    link = parse_xml(
        f'<w:hyperlink {NSDECL} r:id="{rid}" w:history="1"><w:r><w:rPr>'
        '<w:rStyle w:val="Hyperlink"/></w:rPr><w:t>our </w:t></w:r><w:r><w:rPr>'
        '<w:rStyle w:val="Hyperlink"/></w:rPr><w:t>statement</w:t></w:r></w:hyperlink>'
    )
    p._p.append(link)
    p.add_run(" today.")
    return save(document)


def test_hyperlink_is_a_link_tag_with_its_target() -> None:
    [block] = body(read(hyperlink_docx()))
    assert block.text == "Read <1>our statement</1> today."
    tag = block.tags["1"]
    assert tag.kind == "link" and tag.paired
    assert tag.data["href"] == "https://example.org/rights"
    assert tag.data["rid"].startswith("rId")
    assert tag.data["attrs"]["w:history"] == "1"
    assert tag.label == "link: example.org/rights"


def test_hyperlink_is_recreated_with_the_same_relationship() -> None:
    data = hyperlink_docx()
    out, again = roundtrip(data, lambda b: "Lies heute <1>unsere Erklärung</1>.")
    [block] = body(again)
    assert block.text == "Lies heute <1>unsere Erklärung</1>."
    paragraph = docx.Document(io.BytesIO(out)).paragraphs[0]
    [link] = paragraph.hyperlinks
    assert link.address == "https://example.org/rights"
    assert link.text == "unsere Erklärung"
    assert link.runs[0]._r.rPr.xpath("w:rStyle/@w:val") == ["Hyperlink"]


FOOTNOTES = (
    f'<w:footnotes {NSDECL}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    '<w:continuationSeparator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> Adopted in Brussels.</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


def footnote_docx() -> bytes:
    data = with_body(
        '<w:p><w:r><w:t>The network met.</w:t></w:r><w:r><w:rPr>'
        '<w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
        '<w:r><w:t xml:space="preserve"> Then it wrote.</w:t></w:r></w:p>'
    )
    return add_part(data, "word/footnotes.xml", FOOTNOTES,
                    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
                    FOOTNOTES_CT)


def test_footnote_reference_and_footnote_body() -> None:
    doc = read(footnote_docx())
    para, note = doc.blocks
    assert para.text == "The network met.<1/> Then it wrote."
    assert para.tags["1"].kind == "footnote_ref"
    assert para.tags["1"].data["note"] == "1"
    assert "footnoteReference" in para.tags["1"].data["xml"]
    assert note.type == "footnote"
    assert note.attrs["note"] == "1"
    # the note number mark is not a tag, and the space after it stays in the skeleton
    assert note.text == "Adopted in Brussels." and note.attrs["lead"] == " "
    assert note.locator.startswith("word/footnotes.xml#p")
    assert note.context == "footnote 1"


def test_footnote_reference_keeps_its_id_on_write() -> None:
    targets = {
        "The network met.<1/> Then it wrote.": "Das Netzwerk traf sich.<1/> Dann schrieb es.",
        "Adopted in Brussels.": "In Brüssel angenommen.",
    }
    out, again = roundtrip(footnote_docx(), lambda b: targets[b.text])
    assert [b.text for b in again.blocks] == list(targets.values())
    assert '<w:t xml:space="preserve"> In Brüssel angenommen.</w:t>' in parts(out)[
        "word/footnotes.xml"].decode()  # the space after the mark is back
    xml = parts(out)["word/document.xml"].decode()
    assert '<w:footnoteReference w:id="1"/>' in xml
    notes = parts(out)["word/footnotes.xml"].decode()
    assert "<w:footnoteRef/>" in notes and "In Brüssel angenommen." in notes
    assert 'w:type="separator"' in notes


def test_tracked_changes_are_accepted() -> None:
    data = with_body(
        '<w:p><w:pPr><w:pPrChange w:id="9" w:author="a"><w:pPr/></w:pPrChange><w:rPr>'
        '<w:ins w:id="8" w:author="a"/></w:rPr></w:pPr>'
        '<w:r><w:t xml:space="preserve">Sex work </w:t></w:r>'
        '<w:ins w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r>'
        '<w:t xml:space="preserve">is </w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r>'
        '<w:delText xml:space="preserve">was not </w:delText></w:r></w:del>'
        '<w:moveFrom w:id="3" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r>'
        '<w:t>gone</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="4" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r>'
        '<w:t>work.</w:t></w:r></w:moveTo></w:p>'
    )
    doc = read(data)
    [block] = body(doc)
    assert block.text == "Sex work is work."
    assert doc.warnings == [
        "4 tracked changes were accepted (insertions kept, deletions dropped)"]
    out, again = roundtrip(data)
    assert body(again)[0].text == "Sex work is work."
    xml = parts(out)["word/document.xml"].decode()
    assert "w:del" not in xml and "w:ins" not in xml and "w:pPrChange" not in xml


def test_text_in_smart_tags_content_controls_and_custom_xml_is_read() -> None:
    data = with_body(
        '<w:p><w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>Lisbon</w:t></w:r>'
        '</w:smartTag><w:r><w:t xml:space="preserve">, </w:t></w:r>'
        '<w:sdt><w:sdtPr><w:alias w:val="Year"/></w:sdtPr><w:sdtContent><w:r>'
        '<w:t>2005</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:customXml w:element="x"><w:r><w:t xml:space="preserve"> and after</w:t></w:r>'
        '</w:customXml></w:p>'
    )
    [block] = body(read(data))
    assert block.text == "Lisbon, <1>2005</1> and after"
    # python-docx alone misses most of it
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text == ", "
    out, again = roundtrip(data, lambda b: "Lissabon, <1>2005</1> und danach")
    assert body(again)[0].text == "Lissabon, <1>2005</1> und danach"
    # the content control stays (python-docx does not look inside it)
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "Lissabon,  und danach"


def test_fields_are_standalone_tags_carrying_their_xml() -> None:
    data = with_body(
        '<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
        '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p>'
    )
    [block] = body(read(data))
    assert block.text == "Page <1/> of <2/>"
    page, total = block.tags["1"], block.tags["2"]
    assert (page.kind, page.data["instr"], page.data["result"]) == ("field", "PAGE", "7")
    assert page.label == "field: PAGE"
    assert "fldChar" in page.data["xml"] and "instrText" in page.data["xml"]
    assert (total.kind, total.data["instr"], total.data["result"]) == ("field", "NUMPAGES", "9")
    out, again = roundtrip(data, lambda b: "Seite <1/> von <2/>")
    assert body(again)[0].text == "Seite <1/> von <2/>"
    xml = parts(out)["word/document.xml"].decode()
    assert xml.count("<w:fldChar") == 3 and 'w:instr=" NUMPAGES "' in xml


def test_table_cells_are_blocks_with_row_and_column() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Right"
    table.cell(0, 1).text = "Status"
    table.cell(1, 1).text = "Recognised"
    blocks = body(read(save(document)))
    assert [(b.type, b.text, b.attrs["row"], b.attrs["col"]) for b in blocks] == [
        ("table_cell", "Right", 1, 1), ("table_cell", "Status", 1, 2),
        ("table_cell", "Recognised", 2, 2)]
    assert blocks[0].context == "table 1, row 1, column 1"
    out, _ = roundtrip(save(document), lambda b: b.text.upper())
    cells = docx.Document(io.BytesIO(out)).tables[0]
    assert cells.cell(1, 1).text == "RECOGNISED" and cells.cell(1, 0).text == ""


def test_headers_and_footers_are_blocks() -> None:
    document = docx.Document()
    document.add_paragraph("Body")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Our rights"
    section.footer.paragraphs[0].text = "Printed in Europe"
    doc = read(save(document))
    kinds = {(b.type, b.text) for b in doc.blocks}
    assert {("header", "Our rights"), ("footer", "Printed in Europe"),
            ("paragraph", "Body")} <= kinds
    header = next(b for b in doc.blocks if b.type == "header")
    assert re.fullmatch(r"word/header\d*\.xml#p0", header.locator)
    out, _ = roundtrip(save(document), lambda b: b.text[::-1])
    section = docx.Document(io.BytesIO(out)).sections[0]
    assert section.header.paragraphs[0].text == "sthgir ruO"
    assert section.footer.paragraphs[0].text == "eporuE ni detnirP"


TEXT_BOX = (
    '<w:p><w:r><w:t xml:space="preserve">Before the box </w:t></w:r><w:r><mc:AlternateContent>'
    '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>'
    '<w:p><w:r><w:t>Inside the box</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>'
    '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>'
    '<w:p><w:r><w:t>Inside the box</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>'
    '</w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>after it.</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>Next paragraph.</w:t></w:r></w:p>'
)


def test_text_box_is_read_once_and_written_to_both_branches() -> None:
    data = with_body(TEXT_BOX)
    blocks = body(read(data))
    assert [(b.type, b.text, b.locator) for b in blocks] == [
        ("paragraph", "Before the box <1/>after it.", "word/document.xml#p0"),
        ("text_box", "Inside the box", "word/document.xml#p1"),
        ("paragraph", "Next paragraph.", "word/document.xml#p3"),
    ]
    assert blocks[0].tags["1"].kind == "image" and blocks[0].tags["1"].label == "text box"
    out, again = roundtrip(data, lambda b: b.text.replace("box", "Kasten"))
    assert [b.text for b in body(again)] == [
        "Before the Kasten <1/>after it.", "Inside the Kasten", "Next paragraph."]
    xml = parts(out)["word/document.xml"].decode()
    assert xml.count("Inside the Kasten") == 2 and "Inside the box" not in xml


def test_literal_tag_text_becomes_a_literal_tag() -> None:
    document = docx.Document()
    document.add_paragraph("Write <1> and </2> or <3/> literally.")
    [block] = body(read(save(document)))
    assert block.text == "Write <1/> and <2/> or <3/> literally."
    assert [t.data["text"] for t in block.tags.values()] == ["<1>", "</2>", "<3/>"]
    assert {t.kind for t in block.tags.values()} == {"literal"}
    out, again = roundtrip(save(document), lambda b: "Schreib <1/> und <2/> oder <3/>.")
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "Schreib <1> und </2> oder <3/>."
    assert body(again)[0].text == "Schreib <1/> und <2/> oder <3/>."


def test_breaks_tabs_and_images_are_standalone_tags() -> None:
    data = with_body(
        '<w:p><w:r><w:t>One</w:t><w:br/><w:t>two</w:t><w:tab/><w:t>three</w:t>'
        '<w:br w:type="page"/></w:r><w:r><w:drawing><wp:inline><wp:docPr id="1" '
        'name="Picture 1" descr="Logo of the network"/></wp:inline></w:drawing></w:r></w:p>'
    )
    [block] = body(read(data))
    assert block.text == "One<1/>two<2/>three<3/><4/>"
    assert [(t.kind, t.label) for t in block.tags.values()] == [
        ("break", "line break"), ("tab", "tab"), ("break", "page break"),
        ("image", "image: Logo of the network")]
    assert block.tags["4"].data["alt"] == "Logo of the network"
    out, again = roundtrip(data, lambda b: "Eins<1/>zwei<2/>drei<3/><4/>")
    assert body(again)[0].text == "Eins<1/>zwei<2/>drei<3/><4/>"
    assert '<w:br w:type="page"/>' in parts(out)["word/document.xml"].decode()


def test_headings_title_lists_and_context() -> None:
    document = docx.Document()
    document.add_paragraph("The Manifesto of Us", style="Title")
    document.add_heading("Rights", level=1)
    document.add_heading("Work", level=2)
    document.add_paragraph("First point", style="List Number")
    document.add_paragraph("Second point", style="List Number")
    document.add_paragraph("A bullet", style="List Bullet")
    document.add_paragraph("", style="Normal")  # empty: no block, kept in the file
    document.add_paragraph("Closing words.")
    blocks = body(read(save(document)))
    assert [(b.type, b.level, b.numbering) for b in blocks] == [
        ("title", None, None), ("heading", 1, None), ("heading", 2, None),
        ("list_item", 0, "1."), ("list_item", 0, "2."), ("list_item", 0, "•"),
        ("paragraph", None, None)]
    assert blocks[-1].context == "Rights > Work"
    assert (blocks[1].context, blocks[2].context) == ("", "Rights")
    assert blocks[-1].locator == "word/document.xml#p7"


def test_numbering_formats() -> None:
    from tms.formats.docx_numbering import format_number

    assert [format_number(n, "upperRoman") for n in (1, 4, 9, 14)] == ["I", "IV", "IX", "XIV"]
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert format_number(3, "decimalZero") == "03"


def test_rtl_language_and_title_on_write() -> None:
    document = docx.Document()
    document.core_properties.title = "Our statement"
    document.add_paragraph("  Leading and trailing spaces  ")
    data = save(document)
    doc = read(data)
    assert doc.title == "Our statement"
    out = docx_format.write(data, [TargetBlock(doc.blocks[0], "  نص عربي  ")], language="ar",
                            rtl=True, title="بياننا")
    xml = parts(out)["word/document.xml"].decode()
    assert "<w:bidi/>" in xml and "<w:rtl/>" in xml
    assert '<w:lang w:val="ar" w:bidi="ar"/>' in xml
    assert '<w:t xml:space="preserve">  نص عربي  </w:t>' in xml
    reopened = docx.Document(io.BytesIO(out))
    assert reopened.core_properties.title == "بياننا"
    assert reopened.core_properties.language == "ar"
    assert reopened.paragraphs[0].text == "  نص عربي  "


def test_untouched_parts_and_paragraphs_are_copied_as_they_are() -> None:
    document = docx.Document()
    document.add_paragraph("Keep me.")
    document.add_paragraph("Change me.")
    data = save(document)
    doc = read(data)
    out = docx_format.write(data, [TargetBlock(doc.blocks[1], "Geändert.")], language="de")
    before, after = parts(data), parts(out)
    assert before.keys() == after.keys()
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"word/document.xml", "docProps/core.xml"}
    reopened = docx.Document(io.BytesIO(out))
    assert [p.text for p in reopened.paragraphs] == ["Keep me.", "Geändert."]
    assert reopened.paragraphs[1].runs[0]._r.rPr.xpath("w:lang/@w:val") == ["de"]


def test_reordered_and_nested_tags_on_write() -> None:
    document = docx.Document()
    p = document.add_paragraph("A ")
    p.add_run("bold").bold = True
    p.add_run(" and ")
    p.add_run("italic").italic = True
    data = save(document)
    [block] = body(read(data))
    assert block.text == "A <1>bold</1> and <2>italic</2>"
    target = "<2>Kursiv <1>und fett</1></2> dann A"
    assert compare_tags(block.text, target) == []
    out = docx_format.write(data, [TargetBlock(block, target)], language="de")
    runs = docx.Document(io.BytesIO(out)).paragraphs[0].runs
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in runs] == [
        ("Kursiv ", False, True), ("und fett", True, True), (" dann A", False, False)]


def test_write_uses_the_stored_tag_map_when_the_ids_do_not_match_the_file() -> None:
    document = docx.Document()
    document.add_paragraph("Plain text.")
    data = save(document)
    [block] = body(read(data))
    stored = docx_format.read(save(_bold_doc()), filename="b.docx").blocks[0]
    block.tags = stored.tags  # a tag map from elsewhere: kind "bold" for id 1
    out = docx_format.write(data, [TargetBlock(block, "Nur <1>fett</1>.")], language="de")
    runs = docx.Document(io.BytesIO(out)).paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs] == [("Nur ", False), ("fett", True), (".", False)]


def _bold_doc() -> docx.document.Document:
    document = docx.Document()
    p = document.add_paragraph("x ")
    p.add_run("y").bold = True
    return document


def test_pseudo_translation_lands_in_the_same_paragraphs() -> None:
    def accent(text: str) -> str:
        return re.sub(r"[A-Za-z]", lambda m: m.group(0) + "\u0301", text)

    data = hyperlink_docx()
    source = body(read(data))[0].text
    out, again = roundtrip(data, lambda b: accent(b.text))
    assert body(again)[0].text == accent(source)
    [link] = docx.Document(io.BytesIO(out)).paragraphs[0].hyperlinks
    assert link.text == accent("our statement")


def test_bad_locator_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("One.")
    data = save(document)
    block = ParsedBlock("paragraph", "One.", locator="word/document.xml#p99")
    with pytest.raises(FormatError, match="does not point into this document"):
        docx_format.write(data, [TargetBlock(block, "Eins.")], language="de")


# -- bad input ----------------------------------------------------------------------------

def _truncated() -> bytes:
    document = docx.Document()
    document.add_paragraph("Some text")
    data = save(document)
    return data[: len(data) // 2]


def _zip_bomb() -> bytes:
    # 20 MB of zeros packs into ~20 KB: past the 200:1 ratio tms.xmlsafe refuses
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(20):
                member.write(chunk)
    return out.getvalue()


def _entities() -> bytes:
    document = docx.Document()
    document.add_paragraph("x")
    xml = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol "lol">]>'
           b'<w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>&lol;</w:t>'
           b'</w:r></w:p></w:body></w:document>')
    return replace_part(save(document), "word/document.xml", xml)


def _no_document() -> bytes:
    return replace_part(save(docx.Document()), "word/document.xml", None)


def _not_xml() -> bytes:
    return replace_part(save(docx.Document()), "word/document.xml", b"<w:document><w:body>")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: b"Just some plain text, not a document.", "not a DOCX file"),
    (lambda: b"", "not a DOCX file"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "old Word .doc file"),
    (_truncated, "damaged or truncated"),
    (_zip_bomb, "looks like a zip bomb"),
    (_entities, "declares entities"),
    (_no_document, "no main document part"),
    (_not_xml, "not well formed"),
], ids=["text", "empty", "doc-or-encrypted", "truncated", "zip-bomb", "entities",
        "no-document", "broken-xml"])
def test_bad_input_is_refused_with_one_sentence(make: Callable[[], bytes], message: str) -> None:
    with pytest.raises(FormatError) as info:
        docx_format.read(make(), filename="upload.docx")
    text = str(info.value)
    assert message in text
    assert text.startswith("upload.docx")
    assert "\n" not in text and "Traceback" not in text


def test_registry_reads_docx() -> None:
    from tms.formats import read_document

    document = docx.Document()
    document.add_paragraph("Hello.")
    doc = read_document("x.docx", save(document))
    assert doc.format == "docx" and [b.text for b in doc.blocks] == ["Hello."]


def test_output_is_well_formed_xml() -> None:
    out, _ = roundtrip(footnote_docx())
    for name, content in parts(out).items():
        if name.endswith(".xml") or name.endswith(".rels"):
            etree.fromstring(content)


NUMBERING = (
    f'<w:numbering {NSDECL}>'
    '<w:abstractNum w:abstractNumId="7">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
    '<w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
    '<w:lvlText w:val="%2)"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="%1.%3"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>'
    '<w:num w:numId="4"><w:abstractNumId w:val="7"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    '</w:numbering>'
)


def _item(text: str, num: int, level: int) -> str:
    return (f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'
            f'</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>')


def test_list_numbers_are_computed_from_the_numbering_part() -> None:
    data = with_body(
        _item("Life", 3, 0) + _item("Police", 3, 1) + _item("Courts", 3, 1)
        + _item("Health", 3, 0) + _item("Testing", 3, 1) + _item("Detail", 3, 2)
        + _item("Restarted", 4, 0)
        + '<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Outline</w:t></w:r></w:p>'
    )
    data = replace_part(data, "word/numbering.xml", NUMBERING.encode())
    blocks = body(read(data))
    assert [(b.type, b.level, b.numbering) for b in blocks] == [
        ("list_item", 0, "I."), ("list_item", 1, "a)"), ("list_item", 1, "b)"),
        ("list_item", 0, "II."), ("list_item", 1, "a)"), ("list_item", 2, "II.1"),
        ("list_item", 0, "V."), ("heading", 2, None)]


def test_hyperlink_fragments_become_one_link_and_bookmarks_stay() -> None:
    document = docx.Document()
    p = document.add_paragraph("See ")
    rid = document.part.relate_to("https://example.org/", RT.HYPERLINK, is_external=True)
    for piece in ("the ", "site"):
        p._p.append(parse_xml(f'<w:hyperlink {NSDECL} r:id="{rid}"><w:r><w:t xml:space='
                              f'"preserve">{piece}</w:t></w:r></w:hyperlink>'))
    p._p.append(parse_xml(f'<w:bookmarkStart {NSDECL} w:id="5" w:name="target"/>'))
    p.add_run(" now.")
    p._p.append(parse_xml(f'<w:bookmarkEnd {NSDECL} w:id="5"/>'))
    data = save(document)
    [block] = body(read(data))
    assert block.text == "See <1>the site</1><2/> now."
    out = docx_format.write(data, [TargetBlock(block, "Siehe <1>die Seite</1><2/> jetzt.")],
                            language="de")
    paragraph = docx.Document(io.BytesIO(out)).paragraphs[0]
    assert [h.text for h in paragraph.hyperlinks] == ["die Seite"]
    assert paragraph._p.xpath("w:bookmarkStart/@w:name") == ["target"]
    # the bookmark starts right after the link, where it was
    assert etree.QName(paragraph._p.xpath("w:bookmarkStart")[0].getprevious()).localname \
        == "hyperlink"
    assert len(paragraph._p.xpath("w:bookmarkEnd")) == 1


def test_comments_are_reported_not_imported() -> None:
    comments = (f'<w:comments {NSDECL}><w:comment w:id="0" w:author="r"><w:p><w:r>'
                '<w:t>Check this</w:t></w:r></w:p></w:comment></w:comments>')
    data = add_part(
        with_body('<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Text</w:t></w:r>'
                  '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>'),
        "word/comments.xml", comments,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")
    doc = read(data)
    assert [b.text for b in doc.blocks] == ["Text"]
    assert doc.warnings == ["1 comment was not imported (comments are not translated)"]
    out, again = roundtrip(data, lambda b: "Texte")
    assert [b.text for b in again.blocks] == ["Texte"]
    assert '<w:commentReference w:id="0"/>' in parts(out)["word/document.xml"].decode()


def test_core_properties_part_is_added_when_missing() -> None:
    document = docx.Document()
    document.add_paragraph("Text.")
    data = save(document)
    data = replace_part(data, "docProps/core.xml", None)
    rels = re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", parts(data)["_rels/.rels"])
    data = replace_part(data, "_rels/.rels", rels)
    doc = read(data)
    assert doc.title is None
    out = docx_format.write(data, [TargetBlock(doc.blocks[0], "Texte.")], language="fr",
                            title="Notre texte")
    assert read(out).title == "Notre texte"
    reopened = docx.Document(io.BytesIO(out))
    assert (reopened.core_properties.title, reopened.core_properties.language) == (
        "Notre texte", "fr")


def test_a_field_inside_a_text_box_does_not_swallow_the_outer_paragraph() -> None:
    data = with_body(
        '<w:p><w:r><w:t xml:space="preserve">Outer text </w:t></w:r><w:r><w:pict><v:shape>'
        '<v:textbox><w:txbxContent><w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:txbxContent></v:textbox>'
        '</v:shape></w:pict></w:r></w:p>'
    )
    outer, inner = body(read(data))
    assert (outer.type, outer.text, outer.tags["1"].kind) == ("paragraph", "Outer text <1/>",
                                                              "image")
    assert (inner.type, inner.text, inner.tags["1"].kind) == ("text_box", "Page <1/>", "field")
    _, again = roundtrip(data, lambda b: b.text.replace("Page", "Seite"))
    assert [b.text for b in body(again)] == ["Outer text <1/>", "Seite <1/>"]
