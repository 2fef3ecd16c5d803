"""Plain text reader, plus the small tagged-text builder the Markdown and HTML readers share.

Text files: paragraphs are separated by blank lines; a line starting with "# " or a line
underlined with === / --- is a heading; "- ", "* " and "1. " lines are list items. Line
breaks inside a paragraph become standalone "break" tags, so poems and addresses keep them.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, Tag
from tms.i18n import _
from tms.inline import TAG_RE

MAX_TEXT_BYTES = 20 * 1024 * 1024


class TaggedText:
    """Builds one block's tagged text and tag map from text pieces and tag events."""

    def __init__(self, *, collapse_space: bool = False) -> None:
        self.parts: list[str] = []
        self.tags: dict[str, Tag] = {}
        self.collapse_space = collapse_space
        self._next = 1

    def _new_id(self, tag: Tag) -> str:
        ident = str(self._next)
        self._next += 1
        self.tags[ident] = tag
        return ident

    def text(self, value: str) -> None:
        """Append literal text; anything that looks like a tag becomes a literal tag."""
        if self.collapse_space:
            value = re.sub(r"\s+", " ", value)
        pos = 0
        for m in TAG_RE.finditer(value):
            self.parts.append(value[pos : m.start()])
            self.standalone(Tag("literal", False, {"text": m.group(0)}, m.group(0)))
            pos = m.end()
        self.parts.append(value[pos:])

    def open(self, tag: Tag) -> str:
        """Open a paired tag; returns its id for close()."""
        ident = self._new_id(tag)
        self.parts.append(f"<{ident}>")
        return ident

    def close(self, ident: str) -> None:
        """Close a paired tag; a pair around nothing but white space is dropped."""
        opener = f"<{ident}>"
        if opener in self.parts:
            at = len(self.parts) - 1 - self.parts[::-1].index(opener)
            inside = self.parts[at + 1 :]
            if all(not p.startswith("<") and not p.strip() for p in inside):
                del self.parts[at]
                del self.tags[ident]
                return
        self.parts.append(f"</{ident}>")

    def standalone(self, tag: Tag) -> str:
        """Append a standalone tag."""
        ident = self._new_id(tag)
        self.parts.append(f"<{ident}/>")
        return ident

    def result(self) -> tuple[str, dict[str, Tag]]:
        """The tagged text (outer white space trimmed, spaces collapsed) and its tag map."""
        text = "".join(self.parts)
        if self.collapse_space:
            text = re.sub(r" {2,}", " ", text)
        text = _trim(text)
        tags = dict(self.tags)
        # trimming can empty a pair ("<1> </1>" at an edge): drop it and its tag
        for m in list(re.finditer(r"<(\d{1,4})></\1>", text)):
            tags.pop(m.group(1), None)
        text = re.sub(r"<(\d{1,4})></\1>", "", text)
        return text, tags


def _trim(text: str) -> str:
    """Strip white space at both ends, also just inside leading/trailing opening tags."""
    text = text.strip()
    text = re.sub(r"^((?:<\d{1,4}>)+)\s+", r"\1", text)
    text = re.sub(r"\s+((?:</\d{1,4}>)+)$", r"\1", text)
    return text


def decode(data: bytes, *, filename: str) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    if len(data) > MAX_TEXT_BYTES:
        raise FormatError(_("the file is larger than 20 MB"), where=filename)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FormatError(
                _("the UTF-16 text is damaged at byte %(pos)s", pos=exc.start), where=filename
            ) from None
    if b"\x00" in data:
        raise FormatError(
            _("this looks like a binary file, not text (it contains NUL bytes); "
              "upload a .docx, .md, .html or UTF-8 .txt file"),
            where=filename,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = f"{data[exc.start]:02X}"  # outside _(): Babel's extractor skips f-strings
        raise FormatError(
            _("the text is not UTF-8: byte %(pos)s on line %(line)s (0x%(byte)s) cannot be "
              "decoded; save the file as UTF-8 and upload it again",
              pos=exc.start, line=line, byte=byte),
            where=filename,
        ) from None


_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE_RE = re.compile(r"^(=+|-+)\s*$")
_ITEM_RE = re.compile(r"^(\s*)([-*•]|\d{1,3}[.)]|[a-z][.)]|[IVXLC]{1,6}\.)\s+(.*)$")


def read(data: bytes, *, filename: str, language: str = "en") -> ParsedDocument:
    """Read a plain-text file into heading, paragraph and list item blocks."""
    text = decode(data, filename=filename).replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[ParsedBlock] = []
    path: list[tuple[int, str]] = []
    title: str | None = None
    for para in re.split(r"\n[ \t]*\n", text):
        lines = [ln.rstrip() for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) > 1 and _HEADING_RE.match(lines[0]):
            # "# Heading" directly followed by its text, without a blank line
            paragraphs = [lines[:1], lines[1:]]
        else:
            paragraphs = [lines]
        for chunk in paragraphs:
            title = _add_paragraph(blocks, chunk, path, title)
    return ParsedDocument(format="text", blocks=blocks, title=title, language=None)


def _add_paragraph(blocks: list[ParsedBlock], lines: list[str], path: list[tuple[int, str]],
                   title: str | None) -> str | None:
    """Add the block(s) of one paragraph; returns the document title found so far."""
    heading = _heading(lines)
    if heading:
        level, head_text = heading
        path[:] = [(lv, t) for lv, t in path if lv < level]
        _add(blocks, "heading", [head_text], path, level=level)
        path.append((level, head_text))
        return title if title is not None else head_text
    if _ITEM_RE.match(lines[0]):
        _add_items(blocks, lines, path)
    else:
        _add(blocks, "paragraph", lines, path)
    return title


def _heading(lines: list[str]) -> tuple[int, str] | None:
    if len(lines) == 1:
        m = _HEADING_RE.match(lines[0])
        if m:
            return len(m.group(1)), m.group(2)
    if len(lines) == 2 and _UNDERLINE_RE.match(lines[1]) and not _ITEM_RE.match(lines[0]):
        return (1 if lines[1].startswith("=") else 2), lines[0].strip()
    return None


def _add_items(blocks: list[ParsedBlock], lines: list[str], path: list[tuple[int, str]]) -> None:
    items: list[tuple[int, str, list[str]]] = []
    for ln in lines:
        m = _ITEM_RE.match(ln)
        if m:
            items.append((len(m.group(1).expandtabs(4)) // 2, m.group(2), [m.group(3)]))
        else:
            items[-1][2].append(ln.strip())  # a continuation line of the item
    for level, marker, item_lines in items:
        numbering = "•" if marker in "-*•" else marker
        _add(blocks, "list_item", item_lines, path, level=level, numbering=numbering,
             attrs={"ordered": numbering != "•"})


def _add(
    blocks: list[ParsedBlock],
    kind: str,
    lines: list[str],
    path: list[tuple[int, str]],
    *,
    level: int | None = None,
    numbering: str | None = None,
    attrs: dict[str, Any] | None = None,
) -> None:
    builder = TaggedText()
    for i, ln in enumerate(lines):
        if i:
            builder.standalone(Tag("break", False, {}, "line break"))
        builder.text(ln.strip())
    tagged, tags = builder.result()
    blocks.append(ParsedBlock(
        type=kind, text=tagged, tags=tags, level=level, locator=f"b{len(blocks) + 1}",
        context=" > ".join(t for _lv, t in path), numbering=numbering, attrs=attrs or {},
    ))
