"""The project's own sample documents: they import, segment sensibly and agree across formats."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.clients import vnu_check
from tests.conftest import ROOT, SOURCE_DOCS
from tms.formats import html, read_document
from tms.formats.base import ParsedDocument, TargetBlock
from tms.inline import strip_tags
from tms.segmentation import count_words, segment


def _docx_available() -> bool:
    try:
        importlib.import_module("tms.formats.docx")
    except ImportError:
        return False
    return True


needs_docx = pytest.mark.skipif(not _docx_available(),
                                reason="tms.formats.docx (the DOCX reader) is not importable yet")


def read_sample(name: str) -> ParsedDocument:
    """A sample document from source_docs/ through the format registry."""
    return read_document(name, (SOURCE_DOCS / name).read_bytes())


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """scripts/build_samples.py loaded as a module."""
    spec = importlib.util.spec_from_file_location("build_samples",
                                                  ROOT / "scripts" / "build_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _segments(doc: ParsedDocument) -> list[str]:
    return [s for b in doc.blocks if b.translatable for s, _sep in segment(b.text, "en")]


def _words(doc: ParsedDocument) -> int:
    return sum(count_words(strip_tags(b.text), "en") for b in doc.blocks)


def test_committed_files_match_the_builder(builder: ModuleType) -> None:
    md = builder.build_markdown(builder.DECLARATION, builder.DECLARATION_NOTES)
    assert (SOURCE_DOCS / "sample-declaration.md").read_text(encoding="utf-8") == md
    docx = builder.build_docx(builder.DECLARATION, builder.DECLARATION_NOTES,
                              title=builder.DECLARATION[0][1])
    assert (SOURCE_DOCS / "sample-declaration.docx").read_bytes() == docx
    manifesto = builder.build_docx(builder.MANIFESTO, {}, title=builder.MANIFESTO[0][1])
    assert (SOURCE_DOCS / "sample-manifesto.docx").read_bytes() == manifesto


def test_markdown_declaration() -> None:
    doc = read_sample("sample-declaration.md")
    assert doc.title == "Sample Declaration of the Rights of Sex Workers"
    assert strip_tags(doc.blocks[1].text).startswith("Sample text for tms testing.")
    assert "not the Declaration of the Rights of Sex Workers in Europe" in doc.blocks[1].text
    types = [b.type for b in doc.blocks]
    assert types.count("footnote") == 3 and types.count("list_item") >= 30
    links = [t for b in doc.blocks for t in b.tags.values() if t.kind == "link"]
    assert len(links) == 2
    assert 1500 <= _words(doc) <= 2500
    assert 70 <= len(_segments(doc)) <= 140


@needs_docx
def test_docx_declaration() -> None:
    doc = read_sample("sample-declaration.docx")
    assert doc.title == "Sample Declaration of the Rights of Sex Workers"
    rights = [b for b in doc.blocks if b.type == "list_item" and b.level == 0
              and b.numbering and b.numbering.rstrip(".").isalpha()]
    assert [b.numbering for b in rights[:4]] == ["I.", "II.", "III.", "IV."]
    subs = [b.numbering for b in doc.blocks if b.type == "list_item" and b.level == 1]
    assert subs[:4] == ["a)", "b)", "c)", "a)"]
    notes = [b for b in doc.blocks if b.type == "footnote"]
    assert len(notes) == 3
    refs = [t for b in doc.blocks for t in b.tags.values() if t.kind == "footnote_ref"]
    assert len(refs) == 3
    assert all(any(t.kind == "bold" for t in b.tags.values()) for b in rights)
    assert 70 <= len(_segments(doc)) <= 140


@needs_docx
def test_docx_manifesto() -> None:
    doc = read_sample("sample-manifesto.docx")
    assert doc.title == "Sample Manifesto for Safety, Dignity and Rights"
    assert strip_tags(doc.blocks[1].text).startswith("Sample text for tms testing.")
    levels = {b.level for b in doc.blocks if b.type == "heading"}
    assert {1, 2} <= levels
    cells = [b for b in doc.blocks if b.type == "table_cell"]
    assert max(b.attrs["col"] for b in cells) >= 2 and max(b.attrs["row"] for b in cells) >= 3
    kinds = {t.kind for b in doc.blocks for t in b.tags.values()}
    assert {"bold", "italic", "link"} <= kinds
    assert sum(b.type == "quote" for b in doc.blocks) >= 3
    assert sum(b.type == "list_item" for b in doc.blocks) >= 15
    assert 2000 <= _words(doc) <= 3000
    assert 120 <= len(_segments(doc)) <= 220


@needs_docx
def test_markdown_and_docx_declarations_agree() -> None:
    """Same plain text and tags per block. Known differences: the DOCX title is a "title"
    block where Markdown has a level-1 heading; Markdown numbering is 1./2. where DOCX has
    I./a); a DOCX footnote keeps the space Word puts after its number."""
    md = read_sample("sample-declaration.md")
    dx = read_sample("sample-declaration.docx")
    assert len(md.blocks) == len(dx.blocks)
    for a, b in zip(md.blocks, dx.blocks, strict=True):
        assert strip_tags(a.text).strip() == strip_tags(b.text).strip()
        assert a.type == b.type or (a.type, b.type) == ("heading", "title")
        assert sorted(t.kind for t in a.tags.values()) == sorted(
            t.kind for t in b.tags.values())


@pytest.mark.clients
def test_samples_export_to_valid_html(tmp_path: Path) -> None:
    names = ["sample-declaration.md"]
    if _docx_available():
        names += ["sample-declaration.docx", "sample-manifesto.docx"]
    paths = []
    for name in names:
        doc = read_sample(name)
        page = html.write([TargetBlock(b, b.text) for b in doc.blocks], language="en",
                          title=doc.title or name)
        assert page.count(b'class="footnote-ref"') == (3 if "declaration" in name else 0)
        path = tmp_path / (name.replace(".", "-") + ".html")
        path.write_bytes(page)
        paths.append(path)
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout
