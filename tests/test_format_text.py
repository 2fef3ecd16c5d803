"""Plain text reader."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tms.formats import html, markdown, read_document, text
from tms.formats.base import FormatError, TargetBlock
from tms.inline import join_segments, strip_tags, well_formed_errors
from tms.segmentation import segment

SOURCE = """\
Sample Title
============

A first paragraph
on two lines.

# Rights

- first item
- second item
  continued
* third

1. one
2. two

Section two
-----------

Text with <1> inside.
"""


def _summary(data: bytes) -> list[tuple[str, int | None, str | None, str]]:
    doc = text.read(data, filename="x.txt")
    return [(b.type, b.level, b.numbering, b.text) for b in doc.blocks]


def test_blocks() -> None:
    doc = read_document("sample.txt", SOURCE.encode())
    assert doc.format == "text" and doc.title == "Sample Title"
    assert [(b.type, b.level, b.numbering, strip_tags(b.text)) for b in doc.blocks] == [
        ("heading", 1, None, "Sample Title"),
        ("paragraph", None, None, "A first paragraphon two lines."),
        ("heading", 1, None, "Rights"),
        ("list_item", 0, "•", "first item"),
        ("list_item", 0, "•", "second itemcontinued"),
        ("list_item", 0, "•", "third"),
        ("list_item", 0, "1.", "one"),
        ("list_item", 0, "2.", "two"),
        ("heading", 2, None, "Section two"),
        ("paragraph", None, None, "Text with  inside."),
    ]
    para = doc.blocks[1]
    assert para.text == "A first paragraph<1/>on two lines."
    assert para.tags["1"].kind == "break"
    literal = doc.blocks[-1]
    assert literal.text == "Text with <1/> inside."
    assert literal.tags["1"].kind == "literal" and literal.tags["1"].data == {"text": "<1>"}
    assert doc.blocks[-1].context == "Rights > Section two"
    assert len({b.locator for b in doc.blocks}) == len(doc.blocks)


@pytest.mark.parametrize("encoded", [
    codecs.BOM_UTF8 + "Café.".encode(),
    codecs.BOM_UTF16_LE + "Café.".encode("utf-16-le"),
    codecs.BOM_UTF16_BE + "Café.".encode("utf-16-be"),
    "Café.".encode(),
    b"Caf\xc3\xa9.\r\n",
])
def test_encodings(encoded: bytes) -> None:
    assert _summary(encoded) == [("paragraph", None, None, "Café.")]


def test_wrong_encoding_names_line_and_byte() -> None:
    with pytest.raises(FormatError) as err:
        text.read(b"line one\nline two caf\xe9\n", filename="latin1.txt")
    assert "line 2" in str(err.value) and "byte 21" in str(err.value)
    assert "0xE9" in str(err.value) and err.value.where == "latin1.txt"


def test_binary_is_refused() -> None:
    with pytest.raises(FormatError, match="binary file"):
        text.read(b"PK\x03\x04\x00\x00binary", filename="a.txt")


def test_heading_without_blank_line() -> None:
    assert _summary(b"# Heading\nIts text.\n") == [
        ("heading", 1, None, "Heading"), ("paragraph", None, None, "Its text.")]


def test_empty_file_has_no_blocks() -> None:
    assert _summary(b"\n\n  \n") == []


_PIECES = st.sampled_from([
    "#", " ", "\n", "\n\n", "*", "**", "_", "`", "```", "[", "]", "(", ")", "[^1]", "[^1]: ",
    "1.", "a)", ">", "- ", "|", "<", "/", "é", "Word", "\\", "http://x.y", "<1>", "</1>",
    "<2/>", "<p>", "</p>", "<b>", "</b>", "<li>", "<ol>", "<td>", "<sup>", "<br>",
    "<a href='#fn1'>", "</a>", "<img alt=x>", "&amp;", "  \n", "===", "\t",
])


@pytest.mark.parametrize("module", [text, markdown, html], ids=["text", "markdown", "html"])
@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=60))
def test_readers_survive_random_input(module, pieces: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Any input gives well-formed blocks whose tags all appear, or one FormatError."""
    try:
        doc = module.read("".join(pieces).encode(), filename="random")
    except FormatError:
        return
    for block in doc.blocks:
        assert not well_formed_errors(block.text)
        for ident in block.tags:
            assert f"<{ident}>" in block.text or f"<{ident}/>" in block.text
        assert join_segments(segment(block.text, "en")) == block.text
    targets = [TargetBlock(b, b.text) for b in doc.blocks]
    assert html.write(targets, language="en", title="t").startswith(b"<!DOCTYPE html>")
    markdown.read(markdown.write(targets, language="en", title="t"), filename="again.md")
