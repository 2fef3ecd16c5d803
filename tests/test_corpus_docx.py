"""Every DOCX of the shared corpus: import (or a one-sentence refusal), export, same text.

The corpus (../shared/corpus/docx, see its README) holds real files from other projects,
each exercising one feature of the format. Nothing is copied into the repository.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from tests.clients import docx_to_text
from tests.conftest import CORPUS
from tms.formats import docx as docx_format
from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, TargetBlock
from tms.inline import tokenize

FILES = sorted(CORPUS.rglob("*.docx")) if CORPUS.is_dir() else []

# Files tms refuses, with the reason its message gives. Strict OOXML is supported (the
# namespace is read from the file), so nothing is refused today.
REFUSED: dict[str, str] = {}

# Strict OOXML files: python-docx itself cannot open them (neither the original nor ours),
# so the python-docx checks skip them; our own reader still checks them.
STRICT = {"strict-format.docx"}

# Elements python-docx's run API does not see through; paragraphs holding them are compared
# with our own reader only.
_HIDDEN = ("ins", "del", "moveTo", "moveFrom", "smartTag", "sdt", "customXml", "fldSimple",
           "fldChar", "dir", "bdo")

pytestmark = pytest.mark.skipif(not FILES, reason=f"the DOCX corpus is absent ({CORPUS})")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def read_or_refuse(path: Path) -> ParsedDocument | None:
    """Read a corpus file; a refusal must be listed in REFUSED and be one sentence."""
    data = path.read_bytes()
    try:
        doc = docx_format.read(data, filename=path.name)
    except FormatError as exc:
        message = str(exc)
        assert path.name in REFUSED, f"{path.name} was refused: {message}"
        assert REFUSED[path.name] in message
        assert "\n" not in message and message.count(". ") == 0
        return None
    assert path.name not in REFUSED, f"{path.name} is listed as refused but was read"
    return doc


def write_all(data: bytes, doc: ParsedDocument, change: Any = None) -> bytes:
    """The file written back with each block's target = change(text) (default: the source)."""
    targets = [TargetBlock(b, change(b.text) if change else b.text) for b in doc.blocks]
    return docx_format.write(data, targets, language="fr", title=doc.title)


def shape(block: ParsedBlock) -> tuple[Any, ...]:
    """What must survive a round trip: place, type, text, tags and their meaning."""
    tags = {k: (t.kind, t.paired, t.label, {d: v for d, v in t.data.items() if d != "xml"})
            for k, t in block.tags.items()}
    return (block.locator, block.type, block.level, block.numbering, block.context,
            block.text, tags)


ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "áéíóúÁÉÍÓÚçñýÇÑÝ")


def accent(tagged: str) -> str:
    """A pseudo-translation: letters accented, tags untouched."""
    return "".join(t.value.translate(ACCENTS) if t.kind == "text" else t.raw
                   for t in tokenize(tagged))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_corpus_file_round_trips(path: Path) -> None:
    doc = read_or_refuse(path)
    if doc is None:
        return
    data = path.read_bytes()
    out = write_all(data, doc)
    again = docx_format.read(out, filename=path.name)
    assert [shape(b) for b in again.blocks] == [shape(b) for b in doc.blocks]
    assert again.title == doc.title
    # every part we did not rewrite is copied byte for byte
    src, dst = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(out))
    rewritten = {b.locator.split("#")[0] for b in doc.blocks} | {"docProps/core.xml"}
    if "docProps/core.xml" not in src.namelist():
        # a core properties part is added (for the translated title and language)
        rewritten |= {"_rels/.rels", "[Content_Types].xml"}
        assert dst.namelist() == [*src.namelist(), "docProps/core.xml"]
    else:
        assert src.namelist() == dst.namelist()
    for name in src.namelist():
        if name not in rewritten:
            assert src.read(name) == dst.read(name), name
    if path.name not in STRICT:
        assert python_docx_view(out) == python_docx_view(data)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_corpus_pseudo_translation_lands_in_the_same_paragraphs(path: Path) -> None:
    doc = read_or_refuse(path)
    if doc is None:
        return
    out = write_all(path.read_bytes(), doc, accent)
    again = docx_format.read(out, filename=path.name)
    assert [(b.locator, b.type, b.text) for b in again.blocks] == [
        (b.locator, b.type, accent(b.text)) for b in doc.blocks]
    if path.name not in STRICT:
        docx.Document(io.BytesIO(out))  # opens in python-docx


def python_docx_view(data: bytes) -> list[list[tuple[Any, ...]]]:
    """Per paragraph of the body (tables and text boxes included), per character: the text
    and its direct formatting as python-docx sees it, with hyperlink targets."""
    document = docx.Document(io.BytesIO(data))
    view = []
    for p in document.element.body.iter(qn("w:p")):
        if any(True for name in _HIDDEN for _ in p.iter(qn(f"w:{name}"))):
            view.append([("(compared by our reader only)",)])
            continue
        paragraph = Paragraph(p, document._body)
        chars: list[tuple[Any, ...]] = []
        for item in paragraph.iter_inner_content():
            runs = item.runs if isinstance(item, Hyperlink) else [item]
            href = (item.address, item.fragment) if isinstance(item, Hyperlink) else None
            for run in runs:
                font = run.font
                fmt = (run.bold, run.italic, run.underline, font.strike, font.superscript,
                       font.subscript, run.style.name if run.style is not None else None, href)
                text = run.text.replace("\u2011", "-").replace("\u00ad", "")
                chars.extend((c, *fmt) for c in text)
        notes = [el.get(qn("w:id")) for el in p.iter(qn("w:footnoteReference"),
                                                     qn("w:endnoteReference"))]
        view.append([*chars, ("notes", *notes)])
    return view


CLIENT_SAMPLE = ["footnotes.docx", "endnotes.docx", "tables.docx", "text-box.docx",
                 "par-hyperlinks.docx", "hdr-header-footer.docx", "strict-format.docx",
                 "tab-stops.docx"]


@pytest.mark.clients
@pytest.mark.parametrize("name", CLIENT_SAMPLE)
def test_libreoffice_shows_the_translated_text(name: str, tmp_path: Path) -> None:
    path = next((p for p in FILES if p.name == name), None)
    if path is None:
        pytest.skip(f"{name} is not in the corpus")
    doc = read_or_refuse(path)
    assert doc is not None
    out = tmp_path / name
    out.write_bytes(write_all(path.read_bytes(), doc, accent))
    text = " ".join(docx_to_text(out).split())
    for block in doc.blocks:
        # a tag (tab, break) shows as white space or nothing: split the words there
        plain = " ".join(t.value for t in tokenize(accent(block.text)) if t.kind == "text")
        for word in re.findall(r"\w{3,}", plain):
            assert word in text, f"{word!r} of {block.locator} is not in LibreOffice's PDF"
