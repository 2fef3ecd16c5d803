"""HTML reader (lxml.html, no network, no entities) and the standalone HTML page writer.

Reader: h1-h6, p, li (ol/ul numbering, nesting), blockquote, td/th, figcaption/caption and
pre become blocks; inline elements become tags whose data keeps {"element", "attrs"} so
a writer can rebuild them. Footnotes written by our own writer (section.footnotes) come
back as footnote blocks, their references as footnote_ref tags.

Writer: one self-contained HTML5 page (no external resources), a table of contents,
semantic lists and tables, notes linked both ways, every text escaped, a print stylesheet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

import lxml.html
from lxml import etree

from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, Tag, TargetBlock
from tms.formats.inline_media import (
    HTML_MARKUP_RE,
    MediaTexts,
    add_image,
    is_media_text,
    is_title,
    media_texts,
    outside_media,
    remote_url,
    unsafe_url,
)
from tms.formats.text import TaggedText, decode
from tms.i18n import N_, _
from tms.inline import strip_tags, tokenize

# The page's own words, outside the f-strings below: Babel does not read inside them.
_CONTENTS = N_("Contents")
_NOTES = N_("Notes")
_BACK = N_("Back to the text")

MAX_HTML_BYTES = 20 * 1024 * 1024

_SKIP = {"script", "style", "template", "noscript", "head", "iframe", "object", "embed",
         "svg", "math", "button", "select", "textarea", "input", "form"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {
    "p", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "div", "section", "article", "main", "header", "footer", "aside", "nav", "figure",
    "figcaption", "caption", "pre", "hr", "dl", "dt", "dd", "address", "details", "summary",
    "body", "html", "fieldset", "hgroup",
}
_CLASS_TYPES = {"caption": "caption", "header": "header", "footer": "footer",
                "text-box": "text_box"}
_INLINE_KINDS = {
    "strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline",
    "s": "strike", "strike": "strike", "del": "strike", "sup": "superscript",
    "sub": "subscript", "code": "code", "kbd": "code", "samp": "code",
}


def read(data: bytes, *, filename: str, language: str = "en") -> ParsedDocument:
    """Read an HTML page into blocks with inline tags."""
    if len(data) > MAX_HTML_BYTES:
        raise FormatError(_("the HTML file is larger than 20 MB"), where=filename)
    text = _decode_html(data, filename=filename)
    if not text.strip():
        raise FormatError(_("the HTML file is empty"), where=filename)
    if "<!ENTITY" in text[:65536]:
        raise FormatError(_("the HTML declares entities, which tms refuses for safety"),
                          where=filename)
    text = _XML_DECLARATION_RE.sub("", text, count=1)
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False, recover=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise FormatError(_("the HTML cannot be parsed (%(error)s)", error=str(exc)),
                          where=filename) from None
    if any(e.level_name == "FATAL" and "depth" in e.message for e in parser.error_log):
        raise FormatError(_("the HTML is nested too deeply (more than 255 levels)"),
                          where=filename)
    title_el = root.find(".//title")
    reader = _Reader()
    body = root.find("body")
    reader.container(body if body is not None else root, {})
    title = (title_el.text_content().strip() if title_el is not None else "") or \
        reader.first_heading
    return ParsedDocument(format="html", blocks=reader.blocks + reader.notes, title=title,
                          language=root.get("lang") or None)


_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode_html(data: bytes, *, filename: str) -> str:
    """UTF-8 (or UTF-16 with a BOM); else the encoding its <meta charset> declares."""
    try:
        return decode(data, filename=filename)
    except FormatError as error:
        m = _META_CHARSET_RE.search(data[:4096])
        if not m or b"\x00" in data:
            raise
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            raise error from None


def _attrs(el: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in el.attrib.items()}


def _is_footnote_section(el: Any) -> bool:
    classes = (el.get("class") or "").split()
    return ("footnotes" in classes or "endnotes" in classes
            or el.get("role") in ("doc-endnotes", "doc-footnotes"))


def _note_label(el: Any) -> str | None:
    """The note label of a footnote reference (sup > a[href=#fn-1]) or None."""
    link = el if el.tag == "a" else el.find("a")
    if link is None:
        return None
    href = link.get("href") or ""
    classes = (link.get("class") or "").split()
    if (link.get("role") == "doc-noteref" or "footnote-ref" in classes
            or re.match(r"#fn[-:_]?\w+$", href)):
        return link.text_content().strip() or href.lstrip("#")
    return None


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[ParsedBlock] = []
        self.notes: list[ParsedBlock] = []
        self.path: list[tuple[int, str]] = []
        self.first_heading: str | None = None
        self.table = -1
        # The quotes ("q1"), list items ("i2"), definition lists ("d3"), terms ("t4") and
        # definitions ("e5") around the current element, outermost first: every block
        # inside one gets them as attrs["within"] (as the Markdown reader does).
        self.frames: list[str] = []
        self.frame_count = 0

    def framed(self, kind: str) -> _Frame:
        """A context manager: the element being read is one more frame of this kind."""
        return _Frame(self, kind)

    # block level ------------------------------------------------------------------
    def container(self, el: Any, ctx: dict[str, Any]) -> None:
        """Walk a block container: runs of loose inline content become paragraphs."""
        run = TaggedText(collapse_space=True)
        run.text(el.text or "")
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP or not tag:
                run.text(child.tail or "")
                continue
            if tag in _BLOCKS:
                self._flush(run, ctx)
                run = TaggedText(collapse_space=True)
                self.block(child, ctx)
            else:
                self.inline(child, run)
            run.text(child.tail or "")
        self._flush(run, ctx)

    def _flush(self, run: TaggedText, ctx: dict[str, Any]) -> None:
        text, tags = run.result()
        if _has_content(text, tags):
            self.emit(ctx.get("loose", "paragraph"), text, tags, level=ctx.get("quote"))

    def block(self, el: Any, ctx: dict[str, Any]) -> None:
        """Handle one block-level element."""
        tag = el.tag
        if tag in _HEADINGS:
            self.heading(el)
        elif tag == "p":
            # our writer marks captions, headers, footers and text boxes with a class
            classes = set((el.get("class") or "").split()) & _CLASS_TYPES.keys()
            kind = _CLASS_TYPES[classes.pop()] if classes else ctx.get("loose", "paragraph")
            self.inline_block(el, kind, level=ctx.get("quote"))
        elif tag in ("ul", "ol"):
            self.list(el, ctx)
        elif tag == "li":
            self.list_item(el, ctx, "•", False)
        elif tag == "blockquote":
            depth = (ctx.get("quote") or 0) + 1 if "quote" in ctx else 0
            with self.framed("q"):
                self.container(el, {**ctx, "loose": "quote", "quote": depth})
        elif tag == "dl":
            with self.framed("d"):
                self.container(el, {**ctx, "loose": "paragraph"})
        elif tag == "dt":
            with self.framed("t"):
                self.inline_block(el, "paragraph")
        elif tag == "dd":
            with self.framed("e"):
                self.container(el, {**ctx, "loose": "paragraph"})
        elif tag == "figure" and el.find("figcaption") is not None:
            self.figure(el, ctx)
        elif tag == "table":
            self.table_(el)
        elif tag in ("figcaption", "caption"):
            self.inline_block(el, "caption")
        elif tag == "pre":
            builder = TaggedText()
            builder.text(el.text_content().strip("\n"))
            text, tags = builder.result()
            if text:
                self.emit("code", text, tags, translatable=False)
        elif tag in ("section", "aside", "div", "ol") and _is_footnote_section(el):
            self.footnotes(el)
        elif tag == "nav" and "toc" in (el.get("class") or "").split():
            return  # our own table of contents: rebuilt on export
        elif tag == "hr":
            self.emit("paragraph", "", {}, attrs={"rule": True}, translatable=False)
        elif tag in ("td", "th", "tr", "thead", "tbody", "tfoot"):
            self.container(el, ctx)
        else:
            self.container(el, ctx)

    def heading(self, el: Any) -> None:
        level = int(el.tag[1])
        self.path = [(lv, t) for lv, t in self.path if lv < level]
        block = self.inline_block(el, "heading", level=level)
        if block is not None:
            plain = el.text_content().strip()
            plain = re.sub(r"\s+", " ", plain)
            self.path.append((level, plain))
            if self.first_heading is None:
                self.first_heading = plain

    def inline_text(self, el: Any) -> tuple[str, dict[str, Tag]]:
        """The tagged text of an element's whole inline content."""
        builder = TaggedText(collapse_space=True)
        builder.text(el.text or "")
        for child in el:
            self.inline(child, builder)
            builder.text(child.tail or "")
        return builder.result()

    def inline_block(self, el: Any, kind: str, *, level: int | None = None,
                     numbering: str | None = None,
                     attrs: dict[str, Any] | None = None) -> ParsedBlock | None:
        """Emit one block from the whole inline content of an element."""
        text, tags = self.inline_text(el)
        if not _has_content(text, tags) and kind != "table_cell":
            return None
        return self.emit(kind, text, tags, level=level, numbering=numbering, attrs=attrs)

    def emit(self, kind: str, text: str, tags: dict[str, Tag], *, level: int | None = None,
             numbering: str | None = None, attrs: dict[str, Any] | None = None,
             translatable: bool = True) -> ParsedBlock:
        attrs = dict(attrs or {})
        if self.frames:
            attrs["within"] = list(self.frames)
        block = ParsedBlock(type=kind, text=text, tags=tags, level=level,
                            locator=f"b{len(self.blocks) + 1}",
                            context=" > ".join(t for _lv, t in self.path),
                            numbering=numbering, attrs=attrs, translatable=translatable)
        self.blocks.append(block)
        return block

    def list(self, el: Any, ctx: dict[str, Any]) -> None:
        ordered = el.tag == "ol"
        list_type = el.get("type") or "1"
        try:
            n = int(el.get("start") or 1)
        except ValueError:
            n = 1
        level = ctx.get("list_level", -1) + 1
        for child in el:
            if not isinstance(child.tag, str) or child.tag in _SKIP:
                continue
            if child.tag != "li":
                if child.tag in _BLOCKS:
                    self.block(child, {**ctx, "list_level": level})
                continue
            if child.get("value", "").isdigit():
                n = int(child.get("value"))
            numbering = _format_number(n, list_type) if ordered else "•"
            self.list_item(child, {**ctx, "list_level": level}, numbering, ordered)
            n += 1

    def list_item(self, el: Any, ctx: dict[str, Any], numbering: str, ordered: bool) -> None:
        with self.framed("i"):
            self._list_item(el, ctx, numbering, ordered)

    def _list_item(self, el: Any, ctx: dict[str, Any], numbering: str, ordered: bool) -> None:
        level = ctx.get("list_level", 0)
        builder = TaggedText(collapse_space=True)
        builder.text(el.text or "")
        deferred: list[Any] = []
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP or not tag:
                if not deferred:
                    builder.text(child.tail or "")
                continue
            if tag in _BLOCKS or deferred:
                deferred.append(child)
            else:
                self.inline(child, builder)
                builder.text(child.tail or "")
        text, tags = builder.result()
        if not text and deferred and deferred[0].tag == "p":
            text, tags = self.inline_text(deferred.pop(0))
        if text:
            self.emit("list_item", text, tags, level=level, numbering=numbering,
                      attrs={"ordered": ordered})
        for child in deferred:
            if child.tag in _BLOCKS:
                self.block(child, {**ctx, "list_level": level, "loose": "paragraph"})
            else:
                builder = TaggedText(collapse_space=True)
                self.inline(child, builder)
                builder.text(child.tail or "")
                text, tags = builder.result()
                if text:
                    self.emit("paragraph", text, tags, level=level)

    def figure(self, el: Any, ctx: dict[str, Any]) -> None:
        """A figure with a caption: its images go into the caption block, before its text."""
        builder = TaggedText(collapse_space=True)
        caption = None
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "figcaption" and caption is None:
                caption = child
            elif tag in _BLOCKS:
                self.block(child, ctx)
            elif tag and tag not in _SKIP:
                self.inline(child, builder)
        if caption is not None:
            builder.text(caption.text or "")
            for child in caption:
                self.inline(child, builder)
                builder.text(child.tail or "")
        text, tags = builder.result()
        if _has_content(text, tags):
            self.emit("caption", text, tags)

    def table_(self, el: Any) -> None:
        self.table += 1
        table = self.table
        row = -1
        for tr in el.iter("tr"):
            # nested tables are read as text of their cell
            if next((a for a in tr.iterancestors("table")), None) is not el:
                continue
            row += 1
            col = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                attrs: dict[str, Any] = {"table": table, "row": row, "col": col,
                                         "header": cell.tag == "th"}
                for span in ("colspan", "rowspan"):
                    if (cell.get(span) or "").isdigit() and int(cell.get(span)) > 1:
                        attrs[span] = int(cell.get(span))
                self.inline_block(cell, "table_cell", attrs=attrs)
                col += int(attrs.get("colspan", 1))
        caption = el.find("caption")
        if caption is not None:
            self.inline_block(caption, "caption")

    def footnotes(self, el: Any) -> None:
        for li in el.iter("li"):
            label = (li.get("id") or "").split("-", 1)[-1] or str(len(self.notes) + 1)
            builder = TaggedText(collapse_space=True)
            builder.text(li.text or "")
            for child in li:
                self._note_child(child, builder)
            text, tags = builder.result()
            if text:
                self.notes.append(ParsedBlock(
                    type="footnote", text=text, tags=tags, locator=f"fn-{label}",
                    context="Footnotes", numbering=label, attrs={"note": label}))

    def _note_child(self, child: Any, builder: TaggedText) -> None:
        if child.tag == "a" and ("footnote-back" in (child.get("class") or "").split()
                                 or (child.get("href") or "").startswith("#fnref")):
            builder.text(child.tail or "")
            return
        if child.tag == "p":
            builder.text(" " + (child.text or ""))
            for sub in child:
                self._note_child(sub, builder)
            builder.text(child.tail or "")
            return
        self.inline(child, builder)
        builder.text(child.tail or "")

    # inline level -------------------------------------------------------------------
    def inline(self, el: Any, builder: TaggedText) -> None:
        """Add an inline element (and its content, not its tail) to a builder."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            return
        data = {"element": tag, "attrs": _attrs(el)}
        if tag == "br":
            builder.standalone(Tag("break", False, data, "line break"))
            return
        if tag == "img":
            add_image(builder, {**data, "src": el.get("src") or ""}, el.get("alt") or "",
                      el.get("title") or "")
            return
        if tag in ("a", "span") and "remote-image" in (el.get("class") or "").split():
            # our writer's stand-in for an image on another server (a page loads nothing)
            add_image(builder, {"element": "img", "attrs": {},
                                "src": el.get("href") or el.get("data-src") or ""},
                      el.text_content(), el.get("title") or "")
            return
        if tag in ("sup", "a"):
            label = _note_label(el)
            if label is not None:
                builder.standalone(Tag("footnote_ref", False, {**data, "note": label},
                                       f"footnote {label}"))
                return
        if tag == "a" and el.get("href"):
            href = el.get("href")
            kind = "link"
            data["href"] = href
            label_text = "link: " + re.sub(r"^[a-z]+://(www\.)?", "", href)[:40]
        elif tag in _INLINE_KINDS:
            kind = _INLINE_KINDS[tag]
            label_text = kind
        elif _small_caps(el):
            kind = "smallcaps"
            label_text = "small caps"
        else:
            kind = "span"
            label_text = tag
        ident = builder.open(Tag(kind, True, data, label_text))
        builder.text(el.text or "")
        for child in el:
            self.inline(child, builder)
            builder.text(child.tail or "")
        builder.close(ident)


def _small_caps(el: Any) -> bool:
    """A span set in small capitals (by its style or by our writer's class)."""
    style = re.sub(r"\s+", "", (el.get("style") or "").lower())
    classes = (el.get("class") or "").split()
    return el.tag == "span" and ("font-variant:small-caps" in style
                                 or "small-caps" in classes or "smallcaps" in classes)


def _has_content(text: str, tags: dict[str, Tag]) -> bool:
    """Text to translate, or an image (an image alone is still part of the page)."""
    return bool(strip_tags(text).strip()) or any(t.kind == "image" for t in tags.values())


class _Frame:
    """Pushes one frame id onto a reader's frames while an element is read."""

    def __init__(self, reader: _Reader, kind: str) -> None:
        self.reader = reader
        self.kind = kind

    def __enter__(self) -> None:
        self.reader.frame_count += 1
        self.reader.frames.append(f"{self.kind}{self.reader.frame_count}")

    def __exit__(self, *_exc: object) -> None:
        self.reader.frames.pop()


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


def _format_number(n: int, list_type: str) -> str:
    if list_type == "I":
        return _roman(n) + "."
    if list_type == "i":
        return _roman(n).lower() + "."
    if list_type == "a":
        return _letters(n) + "."
    if list_type == "A":
        return _letters(n).upper() + "."
    return f"{n}."


def parse_numbering(numbering: str | None) -> tuple[str | None, int | None]:
    """The HTML list type ("1", "I", "i", "a", "A", or None for bullets) and number."""
    if not numbering:
        return None, None
    core = numbering.strip().strip("()[]").rstrip(".)]:").strip()
    if core.isdigit():
        return "1", int(core)
    if core and re.fullmatch(r"[IVXLCDM]+", core) and core != "D":
        return "I", _roman_value(core)
    if core and re.fullmatch(r"[ivxlcdm]+", core) and core not in ("c", "d", "l", "m"):
        return "i", _roman_value(core.upper())
    if re.fullmatch(r"[a-z]", core):
        return "a", ord(core) - 96
    if re.fullmatch(r"[A-Z]", core):
        return "A", ord(core) - 64
    if re.fullmatch(r"\d+(\.\d+)+", core):
        return "1", int(core.split(".")[-1])
    return None, None


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(text):
        v = values[ch]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total


# ---------------------------------------------------------------- writer

STYLE = """
:root { color-scheme: light; }
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.55; margin: 0 auto;
  max-width: 42rem; padding: 1rem 1.25rem 3rem; color: #1a1a1a; background: #fff; }
h1, h2, h3, h4, h5, h6 { font-family: system-ui, sans-serif; line-height: 1.25; }
a { color: #0b4f8a; }
nav.toc { border-block: 1px solid #ccc; margin-block: 1.5rem; padding-block: .5rem; }
nav.toc ol { list-style: none; padding-inline-start: 0; }
nav.toc .toc-2 { padding-inline-start: 1rem; } nav.toc .toc-3 { padding-inline-start: 2rem; }
nav.toc .toc-4, nav.toc .toc-5, nav.toc .toc-6 { padding-inline-start: 3rem; }
blockquote { border-inline-start: 4px solid #bbb; margin-inline: 0; padding-inline-start: 1rem;
  color: #333; }
table { border-collapse: collapse; margin-block: 1rem; width: 100%; }
th, td { border: 1px solid #999; padding: .35rem .5rem; text-align: start; vertical-align: top; }
pre { overflow-x: auto; background: #f4f4f4; padding: .75rem; }
.caption, .header, .footer, .text-box { font-size: .9em; color: #444; }
.notes { border-block-start: 1px solid #999; margin-block-start: 2.5rem; font-size: .92em; }
sup a { text-decoration: none; }
img { max-width: 100%; height: auto; }
.small-caps { font-variant: small-caps; }
@counter-style paren-decimal { system: extends decimal; suffix: ") "; }
@counter-style paren-lower-alpha { system: extends lower-alpha; suffix: ") "; }
@counter-style paren-upper-alpha { system: extends upper-alpha; suffix: ") "; }
@counter-style paren-lower-roman { system: extends lower-roman; suffix: ") "; }
@counter-style paren-upper-roman { system: extends upper-roman; suffix: ") "; }
ol.paren { list-style-type: paren-decimal; }
ol.paren[type="a"] { list-style-type: paren-lower-alpha; }
ol.paren[type="A" s] { list-style-type: paren-upper-alpha; }
ol.paren[type="i"] { list-style-type: paren-lower-roman; }
ol.paren[type="I" s] { list-style-type: paren-upper-roman; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc, .footnote-back { display: none; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3, h4 { break-after: avoid; }
  li, blockquote, tr, .notes li { break-inside: avoid; }
  @page { margin: 2cm; }
}
"""

_SAFE_ELEMENTS = {"strong", "em", "u", "s", "sup", "sub", "code", "mark", "small", "abbr",
                  "q", "cite", "dfn", "kbd", "samp", "var", "b", "i", "ins", "del"}
_KIND_ELEMENTS = {"bold": "strong", "italic": "em", "underline": "u", "strike": "s",
                  "superscript": "sup", "subscript": "sub", "code": "code"}
# The source's own element where it says more than the kind (<del> is struck through,
# but it is a deletion).
_KEEP_ELEMENT = {"strike": {"del", "s", "strike"}, "bold": {"b", "strong"},
                 "italic": {"i", "em"}, "code": {"code", "kbd", "samp"}}
# Raw HTML from a Markdown source is rebuilt only from these elements, without attributes,
# and only where its start and end tags pair up; anything else (comments, scripts, forms)
# is left out of the page.
_RAW_PHRASING = _SAFE_ELEMENTS | {"span", "br", "wbr"}
_RAW_FLOW = _RAW_PHRASING | {"div", "p", "blockquote", "dl", "dt", "dd", "ul", "ol", "li",
                             "hr", "section", "aside", "figure", "figcaption"}
_RAW_PARENTS = {"dt": {"dl"}, "dd": {"dl"}, "li": {"ul", "ol"}}
_RAW_VOID = {"br", "wbr", "hr"}
_RAW_TAG_RE = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>$")


def _note_key(kind: str, label: str) -> str:
    return f"{kind}:{label}"


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text) or "x"


class _Notes:
    """Notes in document order: their numbers and back-reference ids."""

    def __init__(self, blocks: list[TargetBlock]) -> None:
        self.order: dict[str, int] = {}
        for tb in blocks:
            b = tb.block
            if b.type in ("footnote", "endnote"):
                label = str(b.attrs.get("note") or b.numbering or b.locator or len(self.order))
                self.order.setdefault(_note_key(b.type, label), len(self.order) + 1)
        self.refs: dict[int, str] = {}  # note number -> id of its first reference
        self.ref_count = 0

    def number(self, tag: Tag) -> int | None:
        kind = "endnote" if tag.kind == "endnote_ref" else "footnote"
        return self.order.get(_note_key(kind, str(tag.data.get("note", ""))))

    def ref_id(self, number: int) -> str:
        self.ref_count += 1
        ident = f"fnref-{self.ref_count}"
        self.refs.setdefault(number, ident)
        return ident


def render_inline(target: str, tags: dict[str, Tag], notes: _Notes | None = None, *,
                  flow: bool = False) -> str:
    """Escaped HTML for a tagged string, rebuilt through the tag map.

    flow: the text is a raw HTML block of a Markdown source (block elements allowed)."""
    out: list[str] = []
    stack: list[tuple[str, str]] = []  # (tag id, closing markup)
    media = media_texts(target, tags)
    raw = _raw_markup(target, tags, flow=flow)
    in_link = 0
    for tok, tag in outside_media(target, tags):
        if tok.kind == "text":
            out.append(escape(tok.value, quote=True))
            continue
        if tag is None:
            continue
        if tag.kind == "image" and (tok.kind == "standalone" or is_media_text(tag)):
            if not is_title(tag):
                out.append(_image(tok.value, tag, media, in_link=in_link > 0))
            continue
        if tok.kind == "open":
            opener, closer = _element(tag)
            out.append(opener)
            stack.append((tok.value, closer))
            in_link += opener.startswith("<a ")
        elif tok.kind == "close":
            if not any(ident == tok.value for ident, _c in stack):
                continue
            reopen: list[tuple[str, str]] = []
            while stack:
                ident, closer = stack.pop()
                out.append(closer)
                in_link -= closer == "</a>"
                if ident == tok.value:
                    break
                reopen.append((ident, closer))
            for ident, closer in reversed(reopen):  # mis-nested target: keep HTML valid
                out.append(_element(tags[ident])[0])
                stack.append((ident, closer))
                in_link += closer == "</a>"
        elif tok.value in raw:
            out.append(raw[tok.value])
        else:
            out.append(_standalone(tag, notes))
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)


def _raw_markup(target: str, tags: dict[str, Tag], *, flow: bool) -> dict[str, str]:
    """The markup to write for the raw HTML literals of a target ("" for those left out):
    allowed elements whose start and end tags pair up, rebuilt without attributes."""
    allowed = _RAW_FLOW if flow else _RAW_PHRASING
    out: dict[str, str] = {}
    open_: list[tuple[str, str]] = []  # (tag id, element)
    for tok in tokenize(target):
        tag = tags.get(tok.value) if tok.kind == "standalone" else None
        if tag is None or tag.kind != "literal" or not tag.data.get("html"):
            continue
        out[tok.value] = ""
        m = _RAW_TAG_RE.match(str(tag.data.get("text", "")).strip())
        if not m or m.group(2).lower() not in allowed:
            continue
        closing, name = m.group(1), m.group(2).lower()
        if name in _RAW_VOID:
            out[tok.value] = "" if closing else f"<{name}>"
        elif not closing:
            parent = open_[-1][1] if open_ else ""
            if name in _RAW_PARENTS and parent not in _RAW_PARENTS[name]:
                continue
            open_.append((tok.value, name))
        elif open_ and open_[-1][1] == name:
            ident, _name = open_.pop()
            small = name == "span" and "small-caps" in re.sub(r"\s+", "", _start_attrs(
                tags[ident]).lower())
            out[ident] = '<span class="small-caps">' if small else f"<{name}>"
            out[tok.value] = f"</{name}>"
    return out


def _start_attrs(tag: Tag) -> str:
    """The attributes of a raw HTML start tag, as written."""
    m = _RAW_TAG_RE.match(str(tag.data.get("text", "")).strip())
    return m.group(3) if m else ""


def _image(ident: str, tag: Tag, media: MediaTexts, *, in_link: bool) -> str:
    """An <img> for an image with a file; an image on another server becomes a link to it
    (the page loads nothing from elsewhere); a source that would run code, its alt text."""
    src = str(tag.data.get("src") or "").strip()
    alt = media.alt_of(ident, tag)
    title = media.title_of(ident, tag)
    if not src:
        return ""  # an image from another format (a DOCX drawing) has no file here
    title_attr = f' title="{escape(title, quote=True)}"' if title else ""
    if unsafe_url(src, image=True):
        return escape(alt)
    if remote_url(src):
        text = escape(alt or src)
        if in_link:
            return (f'<span class="remote-image" data-src="{escape(_href(src), quote=True)}"'
                    f"{title_attr}>{text}</span>")
        return (f'<a class="remote-image" href="{escape(_href(src), quote=True)}"'
                f"{title_attr}>{text}</a>")
    return (f'<img src="{escape(_href(src), quote=True)}" alt="{escape(alt, quote=True)}"'
            f"{title_attr}>")


_URL_ILLEGAL_RE = re.compile(r"[\s\"<>\\^`{|}]")


def _href(url: str) -> str:
    """A URL with the characters an HTML attribute URL may not hold percent-encoded."""
    return _URL_ILLEGAL_RE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                               url.strip())


def _element(tag: Tag) -> tuple[str, str]:
    if tag.kind == "link":
        href = str(tag.data.get("href", "")).strip()
        if href and not unsafe_url(href):
            return f'<a href="{escape(_href(href), quote=True)}">', "</a>"
        return "", ""
    if tag.kind == "smallcaps":
        return '<span class="small-caps">', "</span>"
    element = str(tag.data.get("element") or "")
    name = element if element in _KEEP_ELEMENT.get(tag.kind, ()) else _KIND_ELEMENTS.get(
        tag.kind)
    if name is None and element in _SAFE_ELEMENTS:
        name = element
    if name:
        return f"<{name}>", f"</{name}>"
    return "", ""


def _standalone(tag: Tag, notes: _Notes | None) -> str:
    if tag.kind in ("footnote_ref", "endnote_ref"):
        number = notes.number(tag) if notes else None
        if number is None or notes is None:
            return f"<sup>{escape(str(tag.data.get('note', '')))}</sup>"
        ref = notes.ref_id(number)
        return (f'<sup id="{ref}"><a href="#fn-{number}" class="footnote-ref" '
                f'role="doc-noteref">{number}</a></sup>')
    if tag.kind == "break":
        return "<br>"
    if tag.kind == "tab":
        return " "
    if tag.kind == "literal":
        return escape(str(tag.data.get("text", "")))
    return ""


def write(blocks: list[TargetBlock], *, language: str, direction: str = "ltr",
          title: str, translate: Callable[[str], str] | None = None) -> bytes:
    """A standalone, accessible HTML5 page for the target blocks.

    translate: the target language's catalogue lookup, for the page's own words
    ("Contents", "Notes"); without it they follow the interface language. The page has an
    h1 only where the document has one: the title goes into <title>, not into the text."""
    tr = translate or _
    direction = "rtl" if direction == "rtl" else "ltr"
    language = re.sub(r"[^A-Za-z0-9-]", "-", language.replace("_", "-")) or "und"
    notes = _Notes(blocks)
    title = title.strip() or tr(N_("Document"))
    body = _Body(blocks, notes)
    body.write()
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language, quote=True)}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        + "<main>\n" + "\n".join(_with_toc(body.parts, _toc(body.toc, tr))) + "\n</main>\n"
        + _notes_section(blocks, notes, tr) + "\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def _run_end(blocks: list[TargetBlock], i: int) -> int:
    """The index after the run of blocks of the same type from i on (cells: same table)."""
    first = blocks[i].block
    j = i
    while j < len(blocks) and blocks[j].block.type == first.type and (
            first.type != "table_cell"
            or blocks[j].block.attrs.get("table") == first.attrs.get("table")) and (
            not isinstance(blocks[j].block.attrs.get("within"), list)):
        j += 1
    return j


_FRAME_ELEMENTS = {"q": "blockquote", "d": "dl", "t": "dt", "e": "dd"}


class _Body:
    """The page's main content, block by block, with its headings for the TOC.

    Blocks that say what they are "within" (quotes, list items, definition lists: the
    HTML and Markdown readers write it) are nested exactly so; older blocks without it
    are grouped into runs of list items, quotes and table cells."""

    def __init__(self, blocks: list[TargetBlock], notes: _Notes) -> None:
        self.blocks = blocks
        self.notes = notes
        self.parts: list[str] = []
        self.toc: list[tuple[int, str, str]] = []
        has_title = any(tb.block.type == "title" for tb in blocks)
        # one h1 per page: under a title block, section headings move down one level
        self.offset = 1 if has_title else 0
        # headings may not skip levels (the Nu checker): h1 -> h3 is h2; the first one
        # keeps its level (a page of h2 sections has no h1 to start from)
        self.last_level: int | None = None
        self.open: list[dict[str, Any]] = []  # open containers, outermost first
        self.out: list[str] = []  # the markup of the containers being written

    def write(self) -> None:
        """Every block in order; runs of list items, table cells and quotes as one element."""
        blocks, notes = self.blocks, self.notes
        i = 0
        while i < len(blocks):
            b = blocks[i].block
            within = b.attrs.get("within")
            if isinstance(within, list):
                self.nested(blocks[i], [str(f) for f in within])
                i += 1
                continue
            self.close_to(0)
            if b.type == "list_item":
                j = _run_end(blocks, i)
                self.parts.append(_lists(blocks[i:j], notes))
            elif b.type == "table_cell":
                j = _run_end(blocks, i)
                self.parts.append(_table(blocks[i:j], notes))
            elif b.type == "quote":
                j = _run_end(blocks, i)
                inner = "".join(f"<p>{render_inline(q.target, q.block.tags, notes)}</p>"
                                for q in blocks[i:j] if q.target.strip())
                if inner:
                    self.parts.append(f"<blockquote>{inner}</blockquote>")
            else:
                j = i + 1
                self.block(blocks[i])
            i = j
        self.close_to(0)

    # nesting ----------------------------------------------------------------------
    def _open_ids(self) -> list[str]:
        return [e["frame"] for e in self.open if e["frame"]]

    def close_to(self, keep: int, *, lists: bool = True) -> None:
        """Close containers until only the first `keep` frames are open; lists: also a
        list left open over its closed item (else the next item may continue it)."""
        while self.open and (len(self._open_ids()) > keep or (
                lists and keep == 0)):
            top = self.open.pop()
            self.out.append(top["close"])
        if not self.open and self.out:
            self.parts.append("".join(self.out))
            self.out = []

    def _close_list(self) -> None:
        if self.open and self.open[-1]["kind"] == "list":
            self.out.append(self.open.pop()["close"])

    def nested(self, tb: TargetBlock, frames: list[str]) -> None:
        """Write a block inside its quotes, list items and definition lists."""
        b = tb.block
        opened = self._open_ids()
        k = 0
        while k < min(len(opened), len(frames)) and opened[k] == frames[k]:
            k += 1
        own = bool(frames) and frames[-1][:1] == "i" and b.type == "list_item"
        if own and k == len(frames):
            k -= 1  # the same item twice: a new item
        self.close_to(k, lists=False)
        for n, frame in enumerate(frames[k:], start=k):
            kind = frame[:1]
            if kind == "i":
                item_block = b if own and n == len(frames) - 1 else None
                self._open_item(frame, item_block)
            else:
                self._close_list()
                element = _FRAME_ELEMENTS.get(kind, "div")
                self.out.append(f"<{element}>")
                self.open.append({"frame": frame, "kind": kind, "close": f"</{element}>"})
        html = render_inline(tb.target, b.tags, self.notes)
        inline_here = (own or (frames and frames[-1][:1] == "t")) and not b.attrs.get("html")
        if inline_here:
            self.out.append(html)
            return
        self._close_list()
        saved, self.parts = self.parts, []
        self.block(tb)
        self.out.extend(self.parts)
        self.parts = saved

    def _open_item(self, frame: str, block: ParsedBlock | None) -> None:
        """Open a list item (and its list, unless the open one fits its numbering)."""
        list_type, number = parse_numbering(block.numbering) if block else (None, None)
        ordered = block is not None and (list_type is not None or bool(
            block.attrs.get("ordered") and block.numbering
            and block.numbering not in "•-*–·◦▪"))
        tag = "ol" if ordered else "ul"
        list_type = list_type or "1"
        top = self.open[-1] if self.open else None
        if top is not None and top["kind"] == "list" and (
                top["tag"] != tag or (ordered and top["type"] != list_type)):
            self._close_list()
            top = None
        elif top is not None and top["kind"] != "list":
            top = None
        if top is None:
            attrs = ""
            if ordered and block is not None:
                if list_type != "1":
                    attrs += f' type="{list_type}"'
                if number is not None and number != 1:
                    attrs += f' start="{number}"'
                if (block.numbering or "").strip().endswith(")"):
                    attrs += ' class="paren"'
            self.out.append(f"<{tag}{attrs}>")
            top = {"frame": None, "kind": "list", "tag": tag, "type": list_type,
                   "next": number if number is not None else 1, "close": f"</{tag}>"}
            self.open.append(top)
        value = ""
        if ordered and number is not None and number != top["next"]:
            value = f' value="{number}"'
            top["next"] = number
        top["next"] = (top["next"] or 0) + 1
        self.out.append(f"<li{value}>")
        self.open.append({"frame": frame, "kind": "i", "close": "</li>"})

    # blocks -----------------------------------------------------------------------
    def block(self, tb: TargetBlock) -> None:
        """One block that stands alone (notes are written at the end, once refs have ids)."""
        b = tb.block
        if b.type in ("footnote", "endnote"):
            return
        if b.attrs.get("rule"):
            self.parts.append("<hr>")
            return
        if b.type == "table_cell":
            self.parts.append(_table([tb], self.notes))
            return
        if b.attrs.get("html"):
            self.parts.append(_raw_block(tb, self.notes))
            return
        html = render_inline(tb.target, b.tags, self.notes)
        if not html.strip() and b.type != "code":
            return
        if b.type in ("heading", "title"):
            level = 1 if b.type == "title" else max(1, min(6, (b.level or 1) + self.offset))
            if self.last_level is not None:
                level = min(level, self.last_level + 1)
            self.last_level = level
            anchor = f"h-{len(self.toc) + 1}"
            self.toc.append((level, anchor, html))
            self.parts.append(f'<h{level} id="{anchor}">{html}</h{level}>')
        elif b.type == "code":
            self.parts.append(f"<pre><code>{html}</code></pre>")
        elif b.type in ("caption", "header", "footer", "text_box"):
            self.parts.append(f'<p class="{b.type.replace("_", "-")}">{html}</p>')
        else:
            self.parts.append(f"<p>{html}</p>")


def _raw_block(tb: TargetBlock, notes: _Notes) -> str:
    """A raw HTML block of a Markdown source: its allowed elements, its text escaped."""
    b = tb.block
    tags = dict(b.tags)
    before = _literals(str(b.attrs.get("before", "")), tags)
    after = _literals(str(b.attrs.get("after", "")), tags)
    html = render_inline(before + tb.target + after, tags, notes, flow=True)
    return f'<div class="raw-html">{html}</div>' if html.strip() else ""


def _literals(markup: str, tags: dict[str, Tag]) -> str:
    """Raw HTML outside a block's text as literal tags added to its tag map."""
    out = []
    for m in HTML_MARKUP_RE.finditer(markup):
        ident = str(9000 + len(tags))  # ids no reader gives (at most 4 digits)
        tags[ident] = Tag("literal", False, {"text": m.group(0), "html": True})
        out.append(f"<{ident}/>")
    return "".join(out)


def _toc(toc: list[tuple[int, str, str]], tr: Callable[[str], str]) -> str:
    """The table of contents, when the page has more than one heading."""
    if len(toc) <= 1:
        return ""
    items = "".join(
        f'<li class="toc-{level}"><a href="#{anchor}">{_strip_links(html)}</a></li>'
        for level, anchor, html in toc)
    return (f'<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">'
            f'{escape(tr(_CONTENTS))}</h2><ol>{items}</ol></nav>')


def _notes_section(blocks: list[TargetBlock], notes: _Notes, tr: Callable[[str], str]
                   ) -> str:
    """Footnotes and endnotes that are referred to, each with a link back to the text."""
    note_items: list[str] = []
    for tb in blocks:
        b = tb.block
        if b.type not in ("footnote", "endnote"):
            continue
        label = str(b.attrs.get("note") or b.numbering or b.locator)
        number = notes.order.get(_note_key(b.type, label))
        if number is None:
            continue
        html = render_inline(tb.target, b.tags, notes)
        back = notes.refs.get(number)
        back_link = (f' <a href="#{back}" class="footnote-back" '
                     f'aria-label="{escape(tr(_BACK))}">↩</a>' if back else "")
        note_items.append(f'<li id="fn-{number}">{html}{back_link}</li>')
    if not note_items:
        return ""
    return (f'<section class="notes footnotes" role="doc-endnotes" '
            f'aria-labelledby="notes-title"><h2 id="notes-title">'
            f'{escape(tr(_NOTES))}</h2><ol>{"".join(note_items)}</ol></section>')


def _with_toc(body: list[str], toc_html: str) -> list[str]:
    """The page body with the table of contents right after the page's h1."""
    if not toc_html:
        return body
    if body and body[0].startswith("<h1"):
        return [body[0], toc_html, *body[1:]]
    return [toc_html, *body]


def _strip_links(html: str) -> str:
    """Heading HTML without anchors and note references, for use inside a TOC link."""
    html = re.sub(r'<sup id="fnref-\d+">.*?</sup>', "", html)
    return re.sub(r"</?a\b[^>]*>", "", html)


def _lists(items: list[TargetBlock], notes: _Notes) -> str:
    out: list[str] = []
    stack: list[dict[str, Any]] = []  # {"level", "tag", "type", "next", "li_open"}

    def close_top() -> None:
        top = stack.pop()
        if top["li_open"]:
            out.append("</li>")
        out.append(f"</{top['tag']}>")

    for tb in items:
        b = tb.block
        level = max(0, b.level or 0)
        list_type, number = parse_numbering(b.numbering)
        ordered = list_type is not None or bool(b.attrs.get("ordered") and b.numbering
                                                and b.numbering not in "•-*–·◦▪")
        tag = "ol" if ordered else "ul"
        list_type = list_type or "1"
        while stack and stack[-1]["level"] > level:
            close_top()
        if stack and stack[-1]["level"] == level and (
            stack[-1]["tag"] != tag or (ordered and stack[-1]["type"] != list_type)
        ):
            close_top()
        if not stack or stack[-1]["level"] < level:
            attrs = ""
            if ordered:
                if list_type != "1":
                    attrs += f' type="{list_type}"'
                if number is not None and number != 1:
                    attrs += f' start="{number}"'
                if (b.numbering or "").strip().endswith(")"):
                    attrs += ' class="paren"'  # "a)" rather than "a."
            out.append(f"<{tag}{attrs}>")
            stack.append({"level": level, "tag": tag, "type": list_type,
                          "next": number if number is not None else 1, "li_open": False})
        elif stack[-1]["li_open"]:
            out.append("</li>")
        top = stack[-1]
        value = ""
        if ordered and number is not None and number != top["next"]:
            value = f' value="{number}"'
            top["next"] = number
        out.append(f"<li{value}>{render_inline(tb.target, b.tags, notes)}")
        top["li_open"] = True
        top["next"] = (top["next"] or 0) + 1
    while stack:
        close_top()
    return "".join(out)


def _table(cells: list[TargetBlock], notes: _Notes) -> str:
    grid: dict[int, dict[int, list[TargetBlock]]] = {}
    for n, tb in enumerate(cells):
        attrs = tb.block.attrs
        row = int(attrs["row"]) if "row" in attrs else n
        col = int(attrs.get("col", 0))
        grid.setdefault(row, {}).setdefault(col, []).append(tb)
    width = max((max(r) + int(r[max(r)][0].block.attrs.get("colspan", 1))
                 for r in grid.values() if r), default=1)
    rows = []
    for r in sorted(grid):
        cols = grid[r]
        html_cells = []
        c = 0
        while c < width:
            parts = cols.get(c)
            if not parts:
                html_cells.append("<td></td>")
                c += 1
                continue
            attrs = parts[0].block.attrs
            span = int(attrs.get("colspan", 1))
            texts = [render_inline(p.target, p.block.tags, notes) for p in parts]
            content = texts[0] if len(texts) == 1 else "".join(f"<p>{t}</p>" for t in texts)
            extra = f' colspan="{span}"' if span > 1 else ""
            if attrs.get("header"):
                html_cells.append(f'<th scope="col"{extra}>{content}</th>')
            else:
                html_cells.append(f"<td{extra}>{content}</td>")
            c += span
        rows.append("<tr>" + "".join(html_cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"
