"""Our own DOCX fixtures for the strict round-trip judge (tests.docx_judge), written from the
WordprocessingML specification: each holds the details a real file has and the corpus lacks.

FIXTURES maps a name to a function building the file (python-docx + injected XML).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from tests.test_format_docx import FOOTNOTES_CT, NSDECL, add_part, with_body

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WML_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"

FOOTNOTES = (
    f'<w:footnotes {NSDECL}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    '<w:continuationSeparator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
    '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> Adopted in </w:t></w:r><w:r><w:rPr><w:i/></w:rPr>'
    '<w:t>Brussels</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)
ENDNOTES = (
    f'<w:endnotes {NSDECL}>'
    '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
    '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    '<w:continuationSeparator/></w:r></w:p></w:endnote>'
    '<w:endnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
    '<w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> See the annex.</w:t></w:r></w:p>'
    '</w:endnote></w:endnotes>'
)
COMMENTS = (
    f'<w:comments {NSDECL}><w:comment w:id="0" w:author="Ana" w:initials="A">'
    '<w:p><w:r><w:annotationRef/></w:r><w:r><w:t>Check this wording.</w:t></w:r></w:p>'
    '</w:comment></w:comments>'
)

# Every run property the judge must see, with "off" values, in one paragraph.
FORMATTING = (
    '<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="120"/></w:pPr>'
    '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Rights </w:t></w:r>'
    '<w:r><w:rPr><w:b/><w:b w:val="0"/></w:rPr><w:t xml:space="preserve">not bold </w:t></w:r>'
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>sup</w:t></w:r>'
    '<w:r><w:rPr><w:strike/></w:rPr><w:t xml:space="preserve"> struck</w:t></w:r>'
    '<w:r><w:rPr><w:rStyle w:val="Emphasis"/></w:rPr><w:t xml:space="preserve"> styled</w:t>'
    '</w:r><w:r><w:rPr><w:caps/></w:rPr><w:t xml:space="preserve"> caps</w:t></w:r>'
    '<w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve"> marked</w:t>'
    '</w:r><w:r><w:rPr><w:color w:val="C00000"/></w:rPr><w:t xml:space="preserve"> red</w:t>'
    '</w:r><w:r><w:rPr><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve"> big</w:t></w:r>'
    '<w:r><w:rPr><w:i w:val="false"/></w:rPr><w:t xml:space="preserve"> upright</w:t></w:r>'
    '<w:r><w:t xml:space="preserve"> and plain text for the base.</w:t></w:r></w:p>'
)

# Symbols, tabs, breaks, a drawing, notes, marks, a control, a link, fields.
INLINE = (
    '<w:p><w:pPr><w:ind w:left="720"/></w:pPr>'
    '<w:r><w:t>Tick</w:t></w:r><w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'
    '<w:r><w:t xml:space="preserve"> here</w:t><w:tab/><w:t>then</w:t><w:br/>'
    '<w:t xml:space="preserve">a line </w:t></w:r>'
    '<w:r><w:drawing><wp:inline><wp:extent cx="10" cy="10"/><wp:docPr id="7" name="Logo" '
    'descr="Logo of the network"/></wp:inline></w:drawing></w:r>'
    '<w:r><w:t xml:space="preserve"> with a note</w:t></w:r>'
    '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/>'
    '</w:r><w:r><w:t xml:space="preserve"> and an endnote</w:t></w:r>'
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:endnoteReference w:id="1"/></w:r>'
    '<w:r><w:t xml:space="preserve">; see </w:t></w:r>'
    '<w:bookmarkStart w:id="5" w:name="charter"/><w:r><w:t>the charter</w:t></w:r>'
    '<w:bookmarkEnd w:id="5"/><w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    '<w:commentRangeStart w:id="0"/><w:r><w:t>all workers</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
    '<w:commentReference w:id="0"/></w:r><w:r><w:t xml:space="preserve"> in </w:t></w:r>'
    '<w:sdt><w:sdtPr><w:alias w:val="City"/><w:tag w:val="city"/><w:id w:val="9"/></w:sdtPr>'
    '<w:sdtContent><w:r><w:t>Lisbon</w:t></w:r></w:sdtContent></w:sdt>'
    '<w:r><w:t xml:space="preserve"> at </w:t></w:r>'
    '<w:hyperlink r:id="rIdLink"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>'
    '<w:t>our site</w:t></w:r></w:hyperlink>'
    '<w:r><w:t xml:space="preserve">, figure </w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> SEQ Figure \\* ARABIC </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve">, as in </w:t>'
    '</w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
    ' REF charter \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    '<w:r><w:rPr><w:i/></w:rPr><w:t>the charter</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/>'
    '</w:r><w:r><w:br w:type="page"/></w:r></w:p>'
)

TEXT_BOX = (
    '<w:p><w:r><w:t xml:space="preserve">Before the box </w:t></w:r><w:r><mc:AlternateContent>'
    '<mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="8" name="Box"/><wps:wsp>'
    '<wps:txbx><w:txbxContent><w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r>'
    '<w:t xml:space="preserve">Inside the </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>'
    '<w:t>box</w:t></w:r><w:bookmarkStart w:id="20" w:name="_GoBack"/>'
    '<w:bookmarkEnd w:id="20"/></w:p></w:txbxContent></wps:txbx></wps:wsp></wp:anchor>'
    '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>'
    '<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:t xml:space="preserve">Inside the </w:t>'
    '</w:r><w:r><w:rPr><w:b/></w:rPr><w:t>box</w:t></w:r>'
    '<w:bookmarkStart w:id="21" w:name="_GoBack"/><w:bookmarkEnd w:id="21"/></w:p>'
    '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    '<w:r><w:t>after it.</w:t></w:r></w:p>'
)

TABLE = (
    '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/>'
    '<w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc><w:tcPr><w:shd w:val="clear" '
    'w:fill="D9D9D9"/></w:tcPr><w:p><w:r><w:t>Demand</w:t></w:r></w:p></w:tc><w:tc><w:p>'
    '<w:r><w:t xml:space="preserve">Decriminalisation </w:t></w:r><w:r><w:rPr><w:u '
    'w:val="double"/></w:rPr><w:t>now</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
)


def everything() -> bytes:
    """One document with every detail the judge compares (notes, comments, a text box)."""
    data = with_body(FORMATTING + INLINE + TEXT_BOX + TABLE)
    data = add_part(data, "word/footnotes.xml", FOOTNOTES, f"{REL}/footnotes", FOOTNOTES_CT,
                    rid="rId901")
    data = add_part(data, "word/endnotes.xml", ENDNOTES, f"{REL}/endnotes",
                    f"{WML_CT}.endnotes+xml", rid="rId902")
    data = add_part(data, "word/comments.xml", COMMENTS, f"{REL}/comments",
                    f"{WML_CT}.comments+xml", rid="rId903")
    return _with_link(data, "rIdLink", "https://example.org/charter")


def _with_link(data: bytes, rid: str, url: str) -> bytes:
    """The package with an external hyperlink relationship of the main part."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                rel = (f'<Relationship Id="{rid}" Type="{REL}/hyperlink" Target="{url}" '
                       'TargetMode="External"/>')
                content = content.replace(b"</Relationships>",
                                          rel.encode() + b"</Relationships>")
            dst.writestr(info.filename, content)
    return out.getvalue()


FIXTURES: dict[str, Callable[[], bytes]] = {
    "everything.docx": everything,
}
