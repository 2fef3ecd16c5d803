"""Markdown reader and writer."""

from __future__ import annotations

import pytest

from tms.formats import markdown, read_document
from tms.formats.base import FormatError, TargetBlock
from tms.inline import strip_tags, well_formed_errors

SOURCE = """\
---
title: "Front Matter Title"
lang: en
---
# Rights

Intro with **bold**, *italic*, `code <1>` and [a link](https://example.org "Example").[^1]
A soft break and a hard one\\
here.

## Health

1. First item
2. Second *item*
   - nested bullet
   - nested two

4) Fourth, in parentheses

> A quoted sentence.

| Right | Holder | Duty |
|-------|--------|------|
| Health | everyone | state |

```python
print("<2>")
```

![A sign](sign.png)

[^1]: The footnote body with *emphasis*.
    It goes on here.
"""


@pytest.fixture
def doc():  # type: ignore[no-untyped-def]
    """The sample source read through the registry."""
    return read_document("sample.md", SOURCE.encode())


def test_title_and_language(doc) -> None:  # type: ignore[no-untyped-def]
    assert doc.format == "markdown"
    assert doc.title == "Front Matter Title"
    assert doc.language == "en"


def test_first_heading_is_title_without_front_matter() -> None:
    doc = markdown.read(b"Para.\n\n# The heading\n", filename="x.md")
    assert doc.title == "The heading"


def test_block_types_levels_numbering(doc) -> None:  # type: ignore[no-untyped-def]
    summary = [(b.type, b.level, b.numbering) for b in doc.blocks]
    assert summary == [
        ("heading", 1, None),
        ("paragraph", None, None),
        ("heading", 2, None),
        ("list_item", 0, "1."),
        ("list_item", 0, "2."),
        ("list_item", 1, "•"),
        ("list_item", 1, "•"),
        ("list_item", 0, "4)"),
        ("quote", 0, None),
        ("table_cell", None, None),
        ("table_cell", None, None),
        ("table_cell", None, None),
        ("table_cell", None, None),
        ("table_cell", None, None),
        ("table_cell", None, None),
        ("code", None, None),
        ("paragraph", None, None),
        ("footnote", None, "1"),
    ]
    assert len({b.locator for b in doc.blocks}) == len(doc.blocks)
    assert all(not well_formed_errors(b.text) for b in doc.blocks)


def test_inline_tags(doc) -> None:  # type: ignore[no-untyped-def]
    para = doc.blocks[1]
    kinds = {t.kind for t in para.tags.values()}
    assert kinds == {"bold", "italic", "code", "literal", "link", "footnote_ref", "break"}
    link = next(t for t in para.tags.values() if t.kind == "link")
    assert link.data["href"] == "https://example.org"
    literal = next(t for t in para.tags.values() if t.kind == "literal")
    assert literal.data == {"text": "<1>"}
    ref = next(t for t in para.tags.values() if t.kind == "footnote_ref")
    assert ref.data["note"] == "1" and not ref.paired
    assert strip_tags(para.text) == (
        "Intro with bold, italic, code  and a link. A soft break and a hard onehere.")


def test_context_table_code_footnote(doc) -> None:  # type: ignore[no-untyped-def]
    by_type = {b.type: b for b in reversed(doc.blocks)}
    assert by_type["list_item"].context == "Rights > Health"
    cells = [b for b in doc.blocks if b.type == "table_cell"]
    assert cells[0].attrs == {"table": 0, "row": 0, "col": 0, "header": True}
    assert cells[5].attrs == {"table": 0, "row": 1, "col": 2, "header": False}
    code = by_type["code"]
    assert code.translatable is False and strip_tags(code.text) == 'print("")'
    note = by_type["footnote"]
    assert strip_tags(note.text) == "The footnote body with emphasis. It goes on here."
    assert note.attrs == {"note": "1"}
    image = doc.blocks[-2]
    assert next(iter(image.tags.values())).data["src"] == "sign.png"


def test_round_trip_keeps_text_and_structure(doc) -> None:  # type: ignore[no-untyped-def]
    out = markdown.write([TargetBlock(b, b.text) for b in doc.blocks], language="en",
                         title=doc.title)
    again = markdown.read(out, filename="again.md")
    assert again.title == doc.title
    assert [(b.type, b.level, b.numbering, strip_tags(b.text)) for b in again.blocks] == [
        (b.type, b.level, b.numbering, strip_tags(b.text)) for b in doc.blocks]
    assert [sorted(t.kind for t in b.tags.values()) for b in again.blocks] == [
        sorted(t.kind for t in b.tags.values()) for b in doc.blocks]


def test_writer_escapes_markdown_in_translations(doc) -> None:  # type: ignore[no-untyped-def]
    block = doc.blocks[1]
    target = "Un *faux* [lien] <script> et " + block.text
    out = markdown.write([TargetBlock(block, target)], language="fr", title="T")
    again = markdown.read(out, filename="x.md")
    assert strip_tags(again.blocks[0].text).startswith("Un *faux* [lien] <script> et ")


def test_bad_encoding_is_refused() -> None:
    with pytest.raises(FormatError, match="line 2"):
        markdown.read(b"# ok\nbad \xff byte\n", filename="x.md")


@pytest.mark.parametrize("source", [
    "> " * 60 + "deep quote",
    "".join("  " * i + "- item\n" for i in range(60)),
])
def test_too_deep_nesting_is_refused_not_truncated(source: str) -> None:
    with pytest.raises(FormatError, match="nested too deeply"):
        markdown.read(source.encode(), filename="deep.md")


def test_reasonable_nesting_is_read() -> None:
    doc = markdown.read(("> " * 10 + "quote").encode(), filename="q.md")
    assert [(b.type, b.level, b.text) for b in doc.blocks] == [("quote", 9, "quote")]
