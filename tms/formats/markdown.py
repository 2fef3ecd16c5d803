"""Markdown reader (markdown-it-py, CommonMark + tables) and a Markdown writer.

Footnotes (`[^1]` references, `[^1]: text` definitions) are not in markdown-it-py's core,
so definitions are taken out of the source before parsing and references are found in
the text tokens; bodies become "footnote" blocks at the end, attrs {"note": label}.
Table cells carry attrs {"table": t, "row": r, "col": c, "header": bool}, like DOCX cells.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, Tag, TargetBlock
from tms.formats.inline_media import (
    HTML_MARKUP_RE,
    MediaTexts,
    add_image,
    is_media_text,
    is_title,
    media_texts,
    outside_media,
    unsafe_url,
)
from tms.formats.text import TaggedText, decode
from tms.i18n import _
from tms.inline import tokenize

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", re.S)
_FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]?(.*)$")
_FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\]")
_RULE_RE = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
MAX_NESTING = 50


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING + 10})
    return md.enable(["table", "strikethrough"])


_QUOTE_DEPTH_RE = re.compile(r"^(?:[ \t]*>)+")


def _check_nesting(text: str, filename: str) -> None:
    """Refuse nesting markdown-it would silently cut off (it drops deeper content)."""
    in_fence = False
    for n, line in enumerate(text.split("\n"), start=1):
        if line.lstrip(" >").startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue  # code may be indented as deeply as it likes
        m = _QUOTE_DEPTH_RE.match(line)
        quotes = m.group(0).count(">") if m else 0
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        if quotes + indent // 2 > MAX_NESTING:
            raise FormatError(_("the Markdown is nested too deeply on line %(line)s", line=n),
                              where=filename)


def read(data: bytes, *, filename: str, language: str = "en") -> ParsedDocument:
    """Read a Markdown file into blocks with inline tags."""
    text = decode(data, filename=filename).replace("\r\n", "\n").replace("\r", "\n")
    meta, text = _front_matter(text)
    text, notes = _take_footnotes(text)
    _check_nesting(text, filename)
    try:
        tokens = _parser().parse(text)
    except RecursionError:
        raise FormatError(_("the Markdown is nested too deeply"), where=filename) from None
    reader = _Reader(notes, text.split("\n"))
    reader.walk(tokens)
    title = meta.get("title") or reader.first_heading
    return ParsedDocument(format="markdown", blocks=reader.blocks, title=title,
                          language=meta.get("lang") or meta.get("language"),
                          warnings=reader.warnings)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Simple `key: value` front matter (YAML subset); the rest of the text."""
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if value.startswith('"'):
            try:
                value = str(json.loads(value))
            except ValueError:
                value = value.strip('"')
        elif value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("''", "'")
        meta[key.strip().lower()] = value
    return meta, text[m.end() :]


def _take_footnotes(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove `[^n]: ...` definitions (with indented continuation lines) from the text."""
    kept: list[str] = []
    notes: list[tuple[str, str]] = []
    in_fence = False
    current: list[str] | None = None
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        m = None if in_fence else _FOOTNOTE_DEF_RE.match(line)
        if m:
            current = [m.group(2)]
            notes.append((m.group(1), ""))
            notes[-1] = (m.group(1), "\n".join(current))
            continue
        if current is not None and (line.startswith(("    ", "\t")) or not line.strip()):
            if line.strip():
                current.append(line.strip())
                notes[-1] = (notes[-1][0], "\n".join(current))
            else:
                kept.append(line)
            continue
        current = None
        kept.append(line)
    return "\n".join(kept), notes


class _Reader:
    """Walks markdown-it block tokens, keeping the list, quote and heading context.

    Every block inside a blockquote or a list item gets attrs["within"]: the ids of the
    quotes ("q1") and list items ("i2") around it, outermost first, so that a writer can
    rebuild nested and adjacent quotes, lists inside quotes and items with several
    paragraphs or code. A list item's own id is the last of its "within".
    """

    def __init__(self, notes: list[tuple[str, str]], lines: list[str]) -> None:
        self.blocks: list[ParsedBlock] = []
        self.notes = notes
        self.lines = lines
        self.path: list[tuple[int, str]] = []
        self.first_heading: str | None = None
        self.warnings: list[str] = []
        self.lists: list[dict[str, Any]] = []  # {"ordered", "n"}
        self.quote_depth = 0
        self.item_stack: list[dict[str, Any]] = []  # per open list item: {"used", "numbering"}
        self.frames: list[str] = []  # the quotes and list items around the current token
        self.frame_count = 0
        self.table = -1
        self.row = -1
        self.col = -1
        self.header = False

    def _open_frame(self, kind: str) -> None:
        self.frame_count += 1
        self.frames.append(f"{kind}{self.frame_count}")

    def walk(self, tokens: list[Token]) -> None:
        """Turn the whole token stream into blocks, then add the footnote blocks."""
        pending: dict[str, Any] = {}
        for tok in tokens:
            t = tok.type
            if t == "heading_open":
                pending = {"type": "heading", "level": int(tok.tag[1])}
            elif t in ("bullet_list_open", "ordered_list_open"):
                self.lists.append({"ordered": t == "ordered_list_open"})
            elif t in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif t == "list_item_open":
                ordered = self.lists[-1]["ordered"] if self.lists else False
                numbering = f"{tok.info}{tok.markup}" if ordered else "•"
                self.item_stack.append({"used": False, "numbering": numbering,
                                        "ordered": ordered})
                self._open_frame("i")
            elif t == "list_item_close":
                self.item_stack.pop()
                self.frames.pop()
            elif t == "blockquote_open":
                self.quote_depth += 1
                self._open_frame("q")
            elif t == "blockquote_close":
                self.quote_depth -= 1
                self.frames.pop()
            elif t == "paragraph_open":
                pending = self._paragraph_kind()
            elif t == "table_open":
                self.table += 1
                self.row = -1
            elif t == "tr_open":
                self.row += 1
                self.col = -1
            elif t in ("th_open", "td_open"):
                self.col += 1
                pending = {"type": "table_cell", "attrs": {
                    "table": self.table, "row": self.row, "col": self.col,
                    "header": t == "th_open"}}
            elif t == "inline":
                self._inline_block(tok, pending or {"type": "paragraph"})
                pending = {}
            elif t in ("fence", "code_block"):
                self._code(tok.content.rstrip("\n"), {"info": tok.info.strip()})
            elif t == "html_block":
                self._html(tok.content.rstrip("\n"))
            elif t == "hr":
                self._rule(tok)
        for label, body in self.notes:
            self._footnote(label, body)

    def _paragraph_kind(self) -> dict[str, Any]:
        if self.item_stack and not self.item_stack[-1]["used"]:
            item = self.item_stack[-1]
            item["used"] = True
            return {"type": "list_item", "level": len(self.item_stack) - 1,
                    "numbering": item["numbering"], "attrs": {"ordered": item["ordered"]}}
        if self.quote_depth:
            return {"type": "quote", "level": self.quote_depth - 1}
        if self.item_stack:  # a second paragraph inside a list item
            return {"type": "paragraph", "level": len(self.item_stack) - 1,
                    "attrs": {"in_list": True}}
        return {"type": "paragraph"}

    def _context(self) -> str:
        return " > ".join(text for _lv, text in self.path)

    def _append(self, block: ParsedBlock) -> None:
        block.locator = block.locator or f"b{len(self.blocks) + 1}"
        if self.frames:
            block.attrs["within"] = list(self.frames)
        self.blocks.append(block)

    def _inline_block(self, tok: Token, info: dict[str, Any]) -> None:
        builder = TaggedText()
        _inline(builder, tok.children or [])
        text, tags = builder.result()
        if not text and info["type"] != "table_cell":
            return
        kind = info["type"]
        if kind == "heading":
            level = info["level"]
            self.path = [(lv, t) for lv, t in self.path if lv < level]
        block = ParsedBlock(type=kind, text=text, tags=tags, level=info.get("level"),
                            context=self._context(), numbering=info.get("numbering"),
                            attrs=dict(info.get("attrs", {})))
        self._append(block)
        if kind == "heading":
            plain = "".join(t.value for t in tokenize(text) if t.kind == "text").strip()
            self.path.append((info["level"], plain))
            if self.first_heading is None:
                self.first_heading = plain

    def _code(self, content: str, attrs: dict[str, Any]) -> None:
        builder = TaggedText()
        builder.text(content)
        text, tags = builder.result()
        self._append(ParsedBlock(type="code", text=text, tags=tags, context=self._context(),
                                 attrs=attrs, translatable=False))

    def _html(self, content: str) -> None:
        """Raw HTML passes through: its markup as literal tags, its text translatable.

        The markup before the first text and after the last stays out of the text
        (attrs "before"/"after"), so segments start with words, not with a tag."""
        pieces: list[tuple[bool, str]] = []  # (is markup, piece)
        pos = 0
        for m in HTML_MARKUP_RE.finditer(content):
            pieces.append((False, content[pos : m.start()]))
            pieces.append((True, m.group(0)))
            pos = m.end()
        pieces.append((False, content[pos:]))
        worded = [k for k, (markup, piece) in enumerate(pieces) if not markup and piece.strip()]
        if not worded:
            self._append(ParsedBlock(type="paragraph", text="", context=self._context(),
                                     attrs={"html": True, "before": content},
                                     translatable=False))
            return
        first, last = worded[0], worded[-1]
        lead = pieces[first][1]
        tail = pieces[last][1]
        before = "".join(p for _m, p in pieces[:first]) + lead[: len(lead) - len(lead.lstrip())]
        after = tail[len(tail.rstrip()) :] + "".join(p for _m, p in pieces[last + 1 :])
        middle = pieces[first : last + 1]
        middle[0] = (False, lead.lstrip()) if first != last else (False, lead.strip())
        if first != last:
            middle[-1] = (False, tail.rstrip())
        builder = TaggedText()
        for markup, piece in middle:
            if markup:
                builder.standalone(Tag("literal", False, {"text": piece, "html": True},
                                       piece[:40]))
            else:
                builder.text(piece)
        text, tags = builder.result()
        self._append(ParsedBlock(type="paragraph", text=text, tags=tags,
                                 context=self._context(),
                                 attrs={"html": True, "before": before, "after": after}))

    def _rule(self, tok: Token) -> None:
        """A thematic break: a block without text that keeps the source's markup."""
        markup = "---"
        if tok.map:
            line = self.lines[tok.map[0]].lstrip(" >").strip()
            if _RULE_RE.fullmatch(line):
                markup = line
        self._append(ParsedBlock(type="paragraph", text="", context=self._context(),
                                 attrs={"rule": True, "markup": markup}, translatable=False))

    def _footnote(self, label: str, body: str) -> None:
        tokens = _parser().parseInline(body.replace("\n", " "))
        builder = TaggedText()
        _inline(builder, tokens[0].children or [] if tokens else [])
        text, tags = builder.result()
        self._append(ParsedBlock(type="footnote", text=text, tags=tags, locator=f"fn-{label}",
                                 context="Footnotes", numbering=label,
                                 attrs={"note": label}))


_PAIRED = {
    "strong_open": ("bold", "bold"),
    "em_open": ("italic", "italic"),
    "s_open": ("strike", "strikethrough"),
}


def _inline(builder: TaggedText, children: list[Token]) -> None:
    """Feed markdown-it inline tokens into a tagged-text builder."""
    stack: list[str] = []
    for child in children:
        t = child.type
        if t == "text":
            _text_with_notes(builder, child.content)
        elif t == "softbreak":
            builder.text(" ")
        elif t == "hardbreak":
            builder.standalone(Tag("break", False, {}, "line break"))
        elif t in _PAIRED:
            kind, label = _PAIRED[t]
            stack.append(builder.open(Tag(kind, True, {}, label)))
        elif t == "link_open":
            href = str(child.attrs.get("href", ""))
            data: dict[str, Any] = {"href": href}
            if child.attrs.get("title"):
                data["title"] = str(child.attrs["title"])
            stack.append(builder.open(Tag("link", True, data, f"link: {_short(href)}")))
        elif t.endswith("_close") and stack:
            builder.close(stack.pop())
        elif t == "code_inline":
            ident = builder.open(Tag("code", True, {}, "code"))
            builder.text(child.content)
            builder.close(ident)
        elif t == "image":
            alt = "".join(c.content for c in child.children or [])
            add_image(builder, {"src": str(child.attrs.get("src", ""))}, alt,
                      str(child.attrs.get("title") or ""))
        elif t == "html_inline":
            builder.standalone(Tag("literal", False, {"text": child.content, "html": True},
                                   child.content[:40]))
        else:
            builder.text(child.content)


def _text_with_notes(builder: TaggedText, text: str) -> None:
    pos = 0
    for m in _FOOTNOTE_REF_RE.finditer(text):
        builder.text(text[pos : m.start()])
        label = m.group(1)
        builder.standalone(Tag("footnote_ref", False, {"note": label}, f"footnote {label}"))
        pos = m.end()
    builder.text(text[pos:])


def _short(href: str) -> str:
    return re.sub(r"^[a-z]+://(www\.)?", "", href)[:40]


# ---------------------------------------------------------------- writer

# "&" only where it would start an entity ("&amp;" must come back as "&amp;", not "&").
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|]|&(?=#?\w+;))")


def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(r"\\\1", text)


def render_inline(target: str, tags: dict[str, Tag], *, escape: bool = True,
                  raw_html: bool = False) -> str:
    """Markdown for a tagged string, rebuilt through the block's tag map.

    raw_html: the block is raw HTML from the source: its markup and text are written as
    they are (text that would start a tag is escaped as an HTML entity)."""
    out: list[str] = []
    closers: dict[str, str] = {}
    in_code: list[str] = []
    media = media_texts(target, tags)
    for tok, tag in outside_media(target, tags):  # alt texts and titles go inside the image
        if tok.kind == "text":
            if raw_html:
                out.append(_HTML_START_RE.sub("&lt;", tok.value))
            else:
                out.append(_escape(tok.value) if escape and not in_code else tok.value)
            continue
        kind = tag.kind if tag else "span"
        if tag is not None and kind == "image" and (tok.kind == "standalone"
                                                    or is_media_text(tag)):
            if not is_title(tag):
                out.append(_image(tok.value, tag, media))
            continue
        if tok.kind == "open":
            opener, closer = _markers(tag)
            closers[tok.value] = closer
            if kind == "code":
                in_code.append(tok.value)
            out.append(opener)
        elif tok.kind == "close":
            if tok.value in in_code:
                in_code.remove(tok.value)
            out.append(closers.pop(tok.value, ""))
        elif kind == "footnote_ref" and tag:
            out.append(f"[^{tag.data.get('note', tok.value)}]")
        elif kind == "break":
            out.append("\\\n")
        elif kind == "literal" and tag:
            raw = str(tag.data.get("text", ""))
            plain = tag.data.get("html") or in_code or not escape
            out.append(raw if plain else _escape(raw))
    return "".join(out)


_HTML_START_RE = re.compile(r"<(?=[A-Za-z/!?])")


def _image(ident: str, tag: Tag, media: MediaTexts) -> str:
    """An image: its alt text and title as the target says them; unsafe ones as text."""
    src = str(tag.data.get("src") or "")
    alt = media.alt_of(ident, tag)
    if not src:
        return ""  # an image from another format (a DOCX drawing) has no file here
    if unsafe_url(src, image=True):
        return _escape(alt)
    title = media.title_of(ident, tag)
    quoted = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
    return f"![{_escape(alt)}]({_url(src)}{quoted})"


def _markers(tag: Tag | None) -> tuple[str, str]:
    if tag is None:
        return "", ""
    if tag.kind == "bold":
        return "**", "**"
    if tag.kind == "italic":
        return "*", "*"
    if tag.kind == "strike":
        return "~~", "~~"
    if tag.kind == "code":
        return "`", "`"
    if tag.kind == "link" and tag.data.get("href"):
        href = str(tag.data["href"])
        if unsafe_url(href):
            return "", ""  # the text stays; a link that would run code does not
        return "[", f"]({_url(href)})"
    return "", ""


def _url(url: str) -> str:
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">" if " " in url else (
        url.replace("(", "%28").replace(")", "%29"))


def _frames(block: ParsedBlock, n: int) -> list[str]:
    """The quotes and list items around a block ("within"; made up for older blocks)."""
    within = block.attrs.get("within")
    if isinstance(within, list):
        return [str(f) for f in within]
    level = max(0, block.level or 0)
    if block.type == "quote":
        return ["q"] * (level + 1)  # a run of quote blocks is one quote
    if block.type == "list_item":
        return ["l"] * level + [f"i-{n}"]
    if block.attrs.get("in_list"):
        return ["l"] * (level + 1)
    return []


class _Layout:
    """Prefixes of the lines of blocks inside quotes ("> ") and list items (indents)."""

    def __init__(self) -> None:
        self.widths: dict[str, int] = {}  # list item id -> width of its marker

    def prefix(self, frames: list[str], marker: str | None) -> tuple[str, str]:
        """The first line's prefix and the other lines' prefix."""
        first = rest = ""
        for k, frame in enumerate(frames):
            if frame.startswith("q"):
                first += "> "
                rest += "> "
            elif marker is not None and k == len(frames) - 1:
                self.widths[frame] = len(marker)
                first += marker
                rest += " " * len(marker)
            elif frame.startswith(("i", "l")):
                pad = " " * self.widths.get(frame, 4)
                first += pad
                rest += pad
        return first, rest

    def gap(self, before: list[str], after: list[str]) -> str:
        """The blank line between two blocks: inside the quotes they share."""
        common: list[str] = []
        for a, b in zip(before, after, strict=False):
            if a != b:
                break
            common.append(a)
        return self.prefix(common, None)[1].rstrip()


def _lines(tb: TargetBlock, notes: list[str]) -> list[str] | None:
    """The block's own Markdown lines (no prefixes); None for a note (written at the end)."""
    b = tb.block
    if b.attrs.get("rule"):
        markup = str(b.attrs.get("markup") or "---")
        return [markup if _RULE_RE.fullmatch(markup) else "---"]
    if b.attrs.get("html"):
        raw = render_inline(tb.target, b.tags, escape=False, raw_html=True)
        return (str(b.attrs.get("before", "")) + raw + str(b.attrs.get("after", ""))).split("\n")
    text = render_inline(tb.target, b.tags)
    if b.type in ("footnote", "endnote"):
        label = b.attrs.get("note") or b.numbering or str(len(notes) + 1)
        notes.append(f"[^{label}]: {text}")
        return None
    if b.type in ("heading", "title"):
        level = 1 if b.type == "title" else max(1, min(6, b.level or 1))
        return ["#" * level + " " + text.replace("\\\n", " ")]
    if b.type == "code":
        code = render_inline(tb.target, b.tags, escape=False)
        fence = "~~~~" if "```" in code else "```"
        return [fence, *code.split("\n"), fence]
    return text.split("\n")


def write(blocks: list[TargetBlock], *, language: str, direction: str = "ltr",
          title: str | None = None) -> bytes:
    """Render target blocks as a Markdown document (front matter: title, lang, dir)."""
    head = ""
    if title:
        front = [f"title: {json.dumps(title, ensure_ascii=False)}", f"lang: {language}"]
        if direction == "rtl":
            front.append("dir: rtl")
        head = "---\n" + "\n".join(front) + "\n---\n\n"
    notes: list[str] = []
    layout = _Layout()
    out: list[str] = []
    prev: tuple[str, list[str]] | None = None  # (type, frames) of the block written last
    i = 0
    while i < len(blocks):
        tb = blocks[i]
        b = tb.block
        frames = _frames(b, i)
        if b.type == "table_cell":
            j = i
            while (j < len(blocks) and blocks[j].block.type == "table_cell"
                   and blocks[j].block.attrs.get("table") == b.attrs.get("table")):
                j += 1
            lines: list[str] | None = _table(blocks[i:j]).split("\n")
        else:
            j = i + 1
            lines = _lines(tb, notes)
        i = j
        if lines is None:
            continue
        marker = _list_marker(b.numbering) if b.type == "list_item" and frames else None
        first, rest = layout.prefix(frames, marker)
        if prev is not None:
            tight = (prev[0] == "list_item" and b.type == "list_item"
                     and [f for f in prev[1] if f[:1] == "q"] == [f for f in frames
                                                                 if f[:1] == "q"])
            out.append("\n" if tight else "\n" + layout.gap(prev[1], frames) + "\n")
        out.append("\n".join((first if k == 0 else rest) + line if line or k == 0
                              else rest.rstrip()
                              for k, line in enumerate(lines)))
        prev = (b.type, frames)
    body = "".join(out)
    if notes:
        body += ("\n\n" if body else "") + "\n".join(notes)
    if not body:
        return (head.rstrip("\n") + "\n").encode("utf-8") if head else b"\n"
    return (head + body + "\n").encode("utf-8")


def _list_marker(numbering: str | None) -> str:
    if numbering and re.fullmatch(r"\d{1,9}[.)]", numbering):
        return numbering + " "
    if numbering and numbering not in ("•", "-", "*", "–", "·", "◦", "▪"):
        return "- " + _escape(numbering) + " "
    return "- "


def _table(cells: list[TargetBlock]) -> str:
    rows: dict[int, dict[int, str]] = {}
    for n, tb in enumerate(cells):
        attrs = tb.block.attrs
        r = int(attrs.get("row", n))
        c = int(attrs.get("col", 0))
        rows.setdefault(r, {})[c] = render_inline(tb.target, tb.block.tags).replace(
            "\\\n", " ").replace("\n", " ")
    width = max((max(r) + 1 for r in rows.values() if r), default=1)
    lines = []
    for k, r in enumerate(sorted(rows)):
        lines.append("| " + " | ".join(rows[r].get(c, "") for c in range(width)) + " |")
        if k == 0:
            lines.append("|" + "---|" * width)
    return "\n".join(lines)
