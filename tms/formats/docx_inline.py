"""The inside of one WordprocessingML paragraph: runs -> tagged text, tagged text -> runs.

`analyse` walks a w:p (through w:ins, w:hyperlink, w:smartTag, w:sdt, w:customXml, fields)
and returns the block text with its tag map, plus live references to the elements each tag
stands for. `rebuild` replaces the paragraph's content with runs made from a target text.
Both sides run the same analysis on the same original XML, so tag ids always agree.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from tms.formats.base import Tag
from tms.inline import TAG_RE, Token, tag_ids, tokenize

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# rPr children that say nothing about how text looks, or that describe the source text
# (its language, tracked formatting changes): ignored when runs are compared.
_RPR_IGNORED = {"lang", "noProof", "rPrChange", "ins", "del", "moveFrom", "moveTo"}

# Schema order of rPr / pPr children: Word refuses files whose children are out of order.
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
]
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap",
    "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
    "cnfStyle", "rPr", "sectPr", "pPrChange",
]

_WRAPPERS = {"link", "control"}  # paired tags that stand for an element holding runs
_NOT_FORMAT = _WRAPPERS | {"field"}  # paired tags that say nothing about run formatting
_TRANSPARENT = {"smartTag", "customXml", "dir", "bdo"}  # containers whose runs are text
_ACCEPTED = {"ins", "moveTo"}  # tracked insertions: kept
_DROPPED = {"del", "moveFrom"}  # tracked deletions: their text is gone
# Bookmark, comment and permission marks: kept at their place in the text (as standalone
# tags inside it, before or after the runs at its edges).
_MARKS = {"bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
          "permStart", "permEnd"}
_MARK_LABELS = {"bookmarkEnd": "end of bookmark", "commentRangeStart": "comment",
                "commentRangeEnd": "end of comment", "commentReference": "comment mark",
                "permStart": "editing permission", "permEnd": "end of editing permission"}
_NOISE = {
    "proofErr", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart",
    "moveToRangeEnd", "customXmlInsRangeStart", "customXmlInsRangeEnd",
    "customXmlDelRangeStart", "customXmlDelRangeEnd", "customXmlMoveFromRangeStart",
    "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd",
}
_PROPS = {"pPr", "rPr", "smartTagPr", "customXmlPr", "sdtPr", "sdtEndPr"}
# Fields whose shown result is text a reader reads (a link's words, a cross-reference's
# copy of the text it points to): the result is translatable between the field's code,
# kept as a paired tag. Other fields stay one standalone tag.
TRANSLATED_FIELDS = {"HYPERLINK", "REF"}
_RUN_FIELDS = {
    "pgNum", "dayShort", "dayLong", "monthShort", "monthLong", "yearShort", "yearLong",
}
_OFF = {"0", "false", "off", "none"}


class Names:
    """Clark names of one package's WordprocessingML namespace (transitional or strict)."""

    def __init__(self, w: str, r: str) -> None:
        self.w_ns = w
        self.r_ns = r

    def w(self, local: str) -> str:
        """The Clark name of a w: element or attribute."""
        return f"{{{self.w_ns}}}{local}"

    def r(self, local: str) -> str:
        """The Clark name of an r: attribute."""
        return f"{{{self.r_ns}}}{local}"

    def local(self, el: etree._Element) -> str | None:
        """The local name of a w: element, or None for other namespaces and comments."""
        tag = el.tag
        if not isinstance(tag, str):
            return None
        prefix = f"{{{self.w_ns}}}"
        return tag[len(prefix):] if tag.startswith(prefix) else None


@dataclass
class Live:
    """What one tag id stands for in the live tree: the elements to move back on write."""

    tag: Tag
    elements: list[etree._Element] = field(default_factory=list)
    wrap_rpr: etree._Element | None = None  # standalone cut from a run: re-wrap in a run
    wrap: bool = False
    rpr: etree._Element | None = None  # cleaned rPr of formatting tags and link bases
    link: etree._Element | None = None  # the w:hyperlink element of link tags
    closing: list[etree._Element] = field(default_factory=list)  # a field's end run


@dataclass
class Analysis:
    """A paragraph seen as tagged text."""

    text: str
    tags: dict[str, Tag]
    live: dict[str, Live]
    base_rpr: etree._Element | None
    leading: list[etree._Element]
    trailing: list[etree._Element]
    changes: int

    @property
    def plain(self) -> str:
        """The text without tags and without literal placeholders resolved."""
        parts = []
        for tok in tokenize(self.text):
            if tok.kind == "text":
                parts.append(tok.value)
            elif tok.kind == "standalone" and self.tags[tok.value].kind == "literal":
                parts.append(self.tags[tok.value].data["text"])
        return "".join(parts)


@dataclass
class _Atom:
    text: str | None  # None for a standalone tag
    fkey: str | None  # formatting key; None = neutral (standalone tags)
    rpr: etree._Element | None
    link: int | None
    live: Live | None = None
    mark: bool = False  # a bookmark or comment mark (no text, no formatting of its own)
    role: str = ""  # "open" / "close": the code and the end of a field with a text result


def rpr_key(rpr: etree._Element | None) -> str:
    """A canonical string of run formatting (empty for no formatting)."""
    if rpr is None or len(rpr) == 0:
        return ""
    return "".join(_el_key(c) for c in rpr if isinstance(c.tag, str))


def _el_key(el: etree._Element) -> str:
    attrs = ",".join(f"{k}={v}" for k, v in sorted(el.attrib.items()))
    inner = "".join(_el_key(c) for c in el if isinstance(c.tag, str))
    return f"<{el.tag} {attrs}>{inner}</>"


def clean_rpr(rpr: etree._Element | None, ns: Names) -> etree._Element | None:
    """A copy of rPr without language, proofing and tracked-change markers (None if empty)."""
    if rpr is None:
        return None
    out = copy.deepcopy(rpr)
    for child in list(out):
        if not isinstance(child.tag, str) or ns.local(child) in _RPR_IGNORED:
            out.remove(child)
    for el in out.iter():
        # indentation of pretty-printed files is not formatting
        if el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    return out if len(out) else None


def xml_string(*elements: etree._Element) -> str:
    """Compact XML of elements (each carrying only the namespace declarations it uses)."""
    parts = []
    for el in elements:
        c = copy.deepcopy(el)
        c.tail = None
        etree.cleanup_namespaces(c)
        parts.append(etree.tostring(c, encoding="unicode"))
    return "".join(parts)


def parse_fragment(xml: str, ns: Names) -> list[etree._Element]:
    """Elements from a tag's stored XML (the inverse of xml_string)."""
    if not xml:
        return []
    root = etree.fromstring(f'<x xmlns:w="{ns.w_ns}">{xml}</x>'.encode(),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    return list(root)


class _Walker:
    """Collects atoms and markers from one paragraph."""

    def __init__(self, ns: Names, rels: dict[str, str]) -> None:
        self.ns = ns
        self.rels = rels
        self.atoms: list[_Atom] = []
        self.leading: list[etree._Element] = []
        self.trailing: list[etree._Element] = []
        self.links: list[etree._Element] = []
        self.changes = 0
        self.field: Live | None = None
        self.depth = 0
        self.field_link: int | None = None
        self.instr: list[str] = []  # the instruction of the field being collected
        self.result: Live | None = None  # a field whose result is being read as text
        self.rpr_cache: dict[str, etree._Element | None] = {}

    # -- containers -------------------------------------------------------------------
    def walk(self, parent: etree._Element, link: int | None) -> None:
        ns = self.ns
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            name = ns.local(child)
            if name in _PROPS:
                continue
            if name in _DROPPED:
                self.changes += 1
                continue
            if name in _NOISE:
                continue
            if self.field is not None and name not in ("r", "hyperlink") and \
                    name not in _ACCEPTED and name not in _TRANSPARENT and name != "sdt":
                self.field.elements.append(child)
                continue
            if name == "r":
                self.run(child, link)
            elif name == "hyperlink":
                self.walk(child, self.link_index(child, link))
            elif name in _ACCEPTED:
                self.changes += 1
                self.walk(child, link)
            elif name in _TRANSPARENT:
                self.walk(child, link)
            elif name == "sdt":
                content = child.find(ns.w("sdtContent"))
                if content is not None:
                    # a content control wraps its text like a link (not inside a link:
                    # one wrapper per stretch of text)
                    self.walk(content, self.link_index(child, link) if link is None else link)
            elif name == "fldSimple" and link is None and \
                    _field_word(child.get(ns.w("instr"), "")) in TRANSLATED_FIELDS and \
                    all(ns.local(c) == "r" for c in child if isinstance(c.tag, str)):
                # a simple field showing readable text wraps it like a link
                self.walk(child, self.link_index(child, link))
            elif name == "fldSimple":
                instr = child.get(ns.w("instr"), "").strip()
                result = "".join(t.text or "" for t in child.iter(ns.w("t")))
                self.standalone(
                    _field_tag(instr, result), [child], None, link)
            elif name in _MARKS:
                self.mark(child, name, link)
            else:
                self.other(child, link)

    def mark(self, el: etree._Element, name: str, link: int | None) -> None:
        """A bookmark or comment mark: before the first text it stays at the start, else it
        is a standalone tag where it is (marks at the very end are moved out by analyse)."""
        if link is None and not self.atoms:
            self.leading.append(el)
            return
        ns = self.ns
        mark_id = el.get(ns.w("id"), "")
        if name == "commentReference":
            ref = el.find(ns.w("commentReference"))
            mark_id = ref.get(ns.w("id"), "") if ref is not None else ""
        data = {"mark": name, "id": mark_id, "xml": xml_string(el)}
        label = _MARK_LABELS.get(name, "bookmark")
        if name == "bookmarkStart":
            data["name"] = el.get(ns.w("name"), "")
            label = f"bookmark: {data['name']}"
        live = Live(Tag("anchor", False, data, label), [el])
        self.atoms.append(_Atom(None, None, None, link, live, mark=True))

    def link_index(self, el: etree._Element, outer: int | None) -> int:
        """Index of a hyperlink; adjacent fragments of the same link share one index."""
        if self.links and self.atoms and self.atoms[-1].link == len(self.links) - 1:
            prev = self.links[-1]
            if prev.tag == el.tag == self.ns.w("hyperlink") and \
                    dict(prev.attrib) == dict(el.attrib) and prev.getparent() is el.getparent():
                return len(self.links) - 1
        self.links.append(el)
        return len(self.links) - 1

    def other(self, el: etree._Element, link: int | None) -> None:
        """Math, alternate content and unknown elements: a tag if they show anything."""
        if len(el) == 0 and not (el.text or "").strip():
            self.leading.append(el)
            return
        local = etree.QName(el).localname
        kind = "math" if local in ("oMath", "oMathPara") else "object"
        label = "formula" if kind == "math" else local
        self.standalone(Tag(kind, False, {}, label), [el], None, link)

    # -- runs ---------------------------------------------------------------------------
    def run(self, r: etree._Element, link: int | None) -> None:
        ns = self.ns
        fld_chars = [c.get(ns.w("fldCharType")) for c in r.findall(ns.w("fldChar"))]
        rpr = r.find(ns.w("rPr"))
        content = [c for c in r if isinstance(c.tag, str) and ns.local(c) not in
                   ("rPr", "lastRenderedPageBreak")]
        if self.result is not None and self.field is None and fld_chars == ["end"] \
                and len(content) == 1:
            self.close_result(r, link)
            return
        if self.field is not None or fld_chars:
            self.field_run(r, fld_chars, link)
            return
        for child in content:
            name = ns.local(child)
            sole = len(content) == 1
            if name == "t":
                value = child.text or ""
                if not value.strip() and child.get(XML_SPACE) != "preserve":
                    # Word prints nothing for it: it is not text, and no rebuilt run may
                    # print it (it would, with the xml:space a rebuilt run gets)
                    continue
                self.text(value, rpr, link)
            elif name == "noBreakHyphen":
                self.text("\u2011", rpr, link)
            elif name == "softHyphen":
                self.text("\u00ad", rpr, link)
            elif name in ("tab", "ptab"):
                self.part_of_run(Tag("tab", False, {}, "tab"), r, child, rpr, sole, link)
            elif name in ("br", "cr"):
                kind = child.get(ns.w("type"), "textWrapping")
                label = {"page": "page break", "column": "column break"}.get(kind, "line break")
                self.part_of_run(Tag("break", False, {"type": kind}, label),
                                 r, child, rpr, sole, link)
            elif name in ("footnoteReference", "endnoteReference"):
                note = child.get(ns.w("id"), "")
                kind = "footnote_ref" if name == "footnoteReference" else "endnote_ref"
                label = f"{'footnote' if kind == 'footnote_ref' else 'endnote'} {note}"
                self.part_of_run(Tag(kind, False, {"note": note}, label),
                                 r, child, rpr, sole, link)
            elif name in ("footnoteRef", "endnoteRef", "annotationRef", "separator",
                          "continuationSeparator"):
                self.leading.append(r if sole else _wrapped_copy(r, child, rpr, ns))
            elif name == "commentReference":
                self.mark(r if sole else _wrapped_copy(r, child, rpr, ns), name, link)
            elif name == "sym":
                char = child.get(ns.w("char"), "")
                self.part_of_run(Tag("symbol", False, {"char": char, "font":
                                     child.get(ns.w("font"), "")}, "symbol"),
                                 r, child, rpr, sole, link)
            elif name in ("drawing", "pict", "object") or child.tag == f"{{{MC}}}AlternateContent":
                boxed = any(True for _ in child.iter(ns.w("txbxContent")))
                data = {}
                for d in child.iter("{*}docPr"):
                    if d.get("descr") or d.get("title"):
                        data["alt"] = d.get("descr") or d.get("title") or ""
                        break
                label = "text box" if boxed else "image"
                if data.get("alt") and not boxed:
                    label = f"image: {data['alt'][:40]}"
                self.part_of_run(Tag("image", False, data, label), r, child, rpr, sole, link)
            elif name in _RUN_FIELDS or name == "instrText":
                self.part_of_run(_field_tag(name, ""), r, child, rpr, sole, link)
            elif name == "delText":
                continue
            else:
                local = etree.QName(child).localname
                self.part_of_run(Tag("object", False, {}, local), r, child, rpr, sole, link)

    def field_run(self, r: etree._Element, fld_chars: list[str | None], link: int | None) -> None:
        """A run that is part of a complex field (begin ... separate ... end)."""
        ns = self.ns
        if self.field is None:
            self.field = Live(_field_tag("", ""))
            self.field_link = link
            self.depth = 0
            self.instr = []
        self.field.elements.append(r)
        separated = False
        for child in r:
            name = ns.local(child)
            if name == "fldChar":
                kind = child.get(ns.w("fldCharType"))
                if kind == "begin":
                    self.depth += 1
                elif kind == "end":
                    self.depth -= 1
                elif kind == "separate" and self.depth == 1:
                    separated = True
            elif name == "instrText" and self.depth == 1:
                self.instr.append(child.text or "")
        if self.depth <= 0:
            self.close_field()
        elif separated and fld_chars == ["separate"] and self.result is None and \
                _field_word("".join(self.instr)) in TRANSLATED_FIELDS and \
                all(ns.local(c) in ("rPr", "fldChar") for c in r if isinstance(c.tag, str)):
            self.open_result()

    def open_result(self) -> None:
        """The field's code is complete and its result is readable text: the code becomes
        the opening of a paired tag and the result is read as text up to the field's end."""
        assert self.field is not None
        live, self.field = self.field, None
        instr = " ".join("".join(self.instr).split())
        live.tag = Tag("field", True, {"instr": instr, "xml": xml_string(*live.elements)},
                       f"field: {_field_word(instr)}")
        self.result = live
        self.atoms.append(_Atom(None, None, None, self.field_link, live, role="open"))

    def close_result(self, r: etree._Element, link: int | None) -> None:
        """The end of a field whose result was read as text."""
        live = self.result
        assert live is not None
        self.result = None
        opener = next(a for a in reversed(self.atoms) if a.live is live and a.role == "open")
        if opener.link != link:
            # the result crosses a hyperlink or control boundary: no pair can nest there,
            # so the code and the end are two standalone tags
            live.tag.paired = False
            opener.role = ""
            self.standalone(_field_tag("", ""), [r], None, link)
            return
        live.closing = [r]
        live.tag.data["end_xml"] = xml_string(r)
        self.atoms.append(_Atom(None, None, None, link, live, role="close"))

    def close_field(self) -> None:
        """Finish the field being collected as one standalone tag."""
        if self.field is None:
            return
        live, self.field = self.field, None
        self.depth = 0
        instr, result, depth, after_sep = [], [], 0, False
        ns = self.ns
        for el in live.elements:
            for d in el.iter(ns.w("fldChar"), ns.w("instrText"), ns.w("t")):
                name = ns.local(d)
                if name == "fldChar":
                    kind = d.get(ns.w("fldCharType"))
                    if kind == "begin":
                        depth += 1
                    elif kind == "end":
                        depth -= 1
                    elif kind == "separate" and depth == 1:
                        after_sep = True
                elif name == "instrText" and depth == 1:
                    instr.append(d.text or "")
                elif name == "t" and (after_sep or depth == 0):
                    result.append(d.text or "")
        tag = _field_tag("".join(instr).strip(), "".join(result))
        self.standalone(tag, live.elements, None, self.field_link)

    def part_of_run(self, tag: Tag, r: etree._Element, child: etree._Element,
                    rpr: etree._Element | None, sole: bool, link: int | None) -> None:
        """A standalone tag for one child of a run (the whole run when it is alone)."""
        if sole:
            self.standalone(tag, [r], None, link)
        else:
            live = Live(tag, [child], rpr, True)
            tag.data["xml"] = xml_string(_wrapped_copy(r, child, rpr, self.ns))
            self.atoms.append(_Atom(None, None, None, link, live))

    def standalone(self, tag: Tag, elements: list[etree._Element],
                   rpr: etree._Element | None, link: int | None) -> None:
        """A standalone tag whose elements are moved back as they are."""
        tag.data.setdefault("xml", xml_string(*elements))
        self.atoms.append(_Atom(None, None, None, link, Live(tag, list(elements), rpr, False)))

    def text(self, value: str, rpr: etree._Element | None, link: int | None) -> None:
        """Plain text with its formatting; runs of equal formatting merge."""
        if not value:
            return
        cleaned = clean_rpr(rpr, self.ns)
        key = rpr_key(cleaned)
        self.rpr_cache.setdefault(key, cleaned)
        last = self.atoms[-1] if self.atoms else None
        if last is not None and last.text is not None and last.fkey == key and last.link == link:
            last.text += value
        else:
            self.atoms.append(_Atom(value, key, self.rpr_cache[key], link))


def _wrapped_copy(r: etree._Element, child: etree._Element, rpr: etree._Element | None,
                  ns: Names) -> etree._Element:
    """A new run holding a copy of rPr and of one child of r."""
    new = etree.Element(ns.w("r"), nsmap=r.nsmap)
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    c = copy.deepcopy(child)
    c.tail = None
    new.append(c)
    return new


def _field_word(instr: str) -> str:
    words = instr.split()
    return words[0].upper() if words else ""


def _field_tag(instr: str, result: str) -> Tag:
    word = instr.split()[0] if instr.split() else "field"
    return Tag("field", False, {"instr": instr, "result": result}, f"field: {word}")


# -- tag labels -------------------------------------------------------------------------

def _props(rpr: etree._Element | None, ns: Names) -> dict[str, str]:
    out: dict[str, str] = {}
    if rpr is None:
        return out
    for c in rpr:
        name = ns.local(c)
        if name:
            out[name] = _el_key(c)
    return out


def format_tag(rpr: etree._Element | None, base: etree._Element | None, ns: Names) -> Tag:
    """A paired tag for run formatting that differs from the paragraph's base formatting."""
    mine, theirs = _props(rpr, ns), _props(base, ns)
    added = {k for k, v in mine.items() if theirs.get(k) != v}
    removed = set(theirs) - set(mine)
    kinds: list[str] = []
    other = False
    for name in sorted(added, key=lambda n: _RPR_ORDER.index(n) if n in _RPR_ORDER else 99):
        el = rpr.find(ns.w(name)) if rpr is not None else None
        val = (el.get(ns.w("val")) or "") if el is not None else ""
        on = val.lower() not in _OFF
        if name in ("b", "bCs"):
            kinds.append("bold" if on else "not bold")
        elif name in ("i", "iCs"):
            kinds.append("italic" if on else "not italic")
        elif name == "u":
            kinds.append("underline" if on else "not underlined")
        elif name in ("strike", "dstrike"):
            kinds.append("strike" if on else "not struck")
        elif name == "vertAlign" and val in ("superscript", "subscript"):
            kinds.append(val)
        elif name == "rStyle":
            low = val.lower()
            kinds.append("bold" if low == "strong" else "italic" if low == "emphasis"
                         else "style " + val)
            other = other or low not in ("strong", "emphasis")
        else:
            other = True
    lost = {"b": "not bold", "bCs": "not bold", "i": "not italic", "iCs": "not italic",
            "u": "not underlined", "strike": "not struck", "dstrike": "not struck",
            "vertAlign": "normal position", "rStyle": "no character style"}
    for name in sorted(removed):
        if name in lost:
            kinds.append(lost[name])
        else:
            other = True
    kinds = list(dict.fromkeys(kinds))
    known = {"bold", "italic", "underline", "strike", "superscript", "subscript"}
    kind = kinds[0] if len(kinds) == 1 and kinds[0] in known and not other else "span"
    label = "+".join(kinds) if kinds else "formatting"
    return Tag(kind, True, {"rpr": xml_string(rpr) if rpr is not None else ""}, label)


def _link_tag(el: etree._Element, rels: dict[str, str], rpr: etree._Element | None,
              ns: Names) -> Tag:
    rid = el.get(ns.r("id"), "")
    anchor = el.get(ns.w("anchor"), "")
    href = rels.get(rid, "")
    attrs = {etree.QName(k).localname if not k.startswith(f"{{{ns.w_ns}}}") else
             "w:" + etree.QName(k).localname: v for k, v in el.attrib.items()}
    attrs = {("r:id" if k == "id" and v == rid else k): v for k, v in attrs.items()}
    shell = etree.Element(el.tag, dict(el.attrib), nsmap=el.nsmap)
    target = href or (f"#{anchor}" if anchor else "")
    short = re.sub(r"^[a-z]+://(www\.)?", "", target).rstrip("/")
    return Tag("link", True, {
        "rid": rid, "href": href, "anchor": anchor, "attrs": attrs,
        "xml": xml_string(shell), "rpr": xml_string(rpr) if rpr is not None else "",
    }, f"link: {short}" if short else "link")


def _simple_field_tag(el: etree._Element, ns: Names) -> Tag:
    """A paired tag for a simple field (w:fldSimple) whose result is readable text."""
    shell = etree.Element(el.tag, dict(el.attrib), nsmap=el.nsmap)
    instr = " ".join(el.get(ns.w("instr"), "").split())
    return Tag("field", True, {"instr": instr, "simple": True, "xml": xml_string(shell)},
               f"field: {_field_word(instr)}")


def _control_tag(sdt: etree._Element, ns: Names) -> Tag:
    """A paired tag for an inline content control: its properties without its content."""
    shell = etree.Element(sdt.tag, dict(sdt.attrib), nsmap=sdt.nsmap)
    for name in ("sdtPr", "sdtEndPr"):
        props = sdt.find(ns.w(name))
        if props is not None:
            shell.append(copy.deepcopy(props))
    alias = sdt.find(f"{ns.w('sdtPr')}/{ns.w('alias')}")
    tag = sdt.find(f"{ns.w('sdtPr')}/{ns.w('tag')}")
    name = (alias.get(ns.w("val"), "") if alias is not None else "") or \
        (tag.get(ns.w("val"), "") if tag is not None else "")
    return Tag("control", True, {"name": name, "xml": xml_string(shell)},
               f"control: {name}" if name else "control")


# -- analysis ---------------------------------------------------------------------------

def analyse(p: etree._Element, ns: Names, rels: dict[str, str]) -> Analysis:
    """The paragraph as tagged text with its tag map and live elements."""
    walker = _Walker(ns, rels)
    walker.walk(p, None)
    walker.close_field()
    if walker.result is not None:
        # the field ends in a later paragraph: its code stays a standalone tag here
        walker.result.tag.paired = False
        for a in walker.atoms:
            if a.live is walker.result:
                a.role = ""
    atoms = walker.atoms
    # marks after the last text stay after it, outside the rebuilt runs
    ending: list[etree._Element] = []
    while atoms and atoms[-1].mark and atoms[-1].link is None:
        last = atoms.pop()
        if last.live is not None:
            ending[:0] = last.live.elements
    walker.trailing[:0] = ending
    # links usually carry their own character style: the base is what surrounds them
    outside = [a for a in atoms if a.link is None and a.text]
    base_key = _most_common(outside or atoms)
    base_rpr = walker.rpr_cache.get(base_key)
    link_base = {i: _most_common(a for a in atoms if a.link == i)
                 for i in range(len(walker.links))}
    _resolve_neutral(atoms, base_key, link_base)

    out: list[str] = []
    tags: dict[str, Tag] = {}
    live: dict[str, Live] = {}
    counter = [0]
    opened: dict[int, str] = {}  # id(Live) of an open field -> its tag id

    def new_id(item: Live) -> str:
        counter[0] += 1
        ident = str(counter[0])
        tags[ident] = item.tag
        live[ident] = item
        return ident

    i = 0
    while i < len(atoms):
        link = atoms[i].link
        j = i
        while j < len(atoms) and atoms[j].link == link:
            j += 1
        group = atoms[i:j]
        if link is not None:
            lkey = link_base[link]
            lrpr = walker.rpr_cache.get(lkey)
            el = walker.links[link]
            wrapper = _control_tag(el, ns) if ns.local(el) == "sdt" else \
                _simple_field_tag(el, ns) if ns.local(el) == "fldSimple" else \
                _link_tag(el, walker.rels, lrpr, ns)
            link_id = new_id(Live(wrapper, rpr=lrpr, link=el))
            out.append(f"<{link_id}>")
            eff = lkey
        else:
            eff = base_key
        k = 0
        while k < len(group):
            key = group[k].fkey
            m = k
            while m < len(group) and group[m].fkey == key:
                m += 1
            span_id = None
            if key != eff:
                rpr = walker.rpr_cache.get(key or "")
                eff_rpr = walker.rpr_cache.get(eff or "")
                span_id = new_id(Live(format_tag(rpr, eff_rpr, ns), rpr=rpr))
                out.append(f"<{span_id}>")
            for atom in group[k:m]:
                if atom.text is not None:
                    out.append(_literal_split(atom.text, new_id))
                elif atom.live is not None and atom.role == "open":
                    opened[id(atom.live)] = new_id(atom.live)
                    out.append(f"<{opened[id(atom.live)]}>")
                elif atom.live is not None and atom.role == "close":
                    out.append(f"</{opened[id(atom.live)]}>")
                elif atom.live is not None:
                    out.append(f"<{new_id(atom.live)}/>")
            if span_id:
                out.append(f"</{span_id}>")
            k = m
        if link is not None:
            out.append(f"</{link_id}>")
        i = j
    return Analysis("".join(out), tags, live, base_rpr, walker.leading, walker.trailing,
                    walker.changes)


def _most_common(atoms: Any) -> str:
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for a in atoms:
        if a.text is not None and a.fkey is not None:
            counts[a.fkey] += len(a.text)
            order.setdefault(a.fkey, len(order))
    if not counts:
        return ""
    return max(counts, key=lambda k: (counts[k], k == "", -order[k]))


def _resolve_neutral(atoms: list[_Atom], base: str, link_base: dict[int, str]) -> None:
    """Standalone tags join the formatting span around them, else the base formatting."""
    for idx, atom in enumerate(atoms):
        if atom.fkey is not None:
            continue
        own_base = link_base[atom.link] if atom.link is not None else base
        if atom.role:
            # the code and end of a field never sit inside a formatting span, so the pair
            # nests with the spans of its result
            atom.fkey = own_base
            continue
        prev = next((a.fkey for a in reversed(atoms[:idx])
                     if a.fkey is not None and a.link == atom.link), None)
        nxt = next((a.fkey for a in atoms[idx + 1:]
                    if a.text is not None and a.link == atom.link), None)
        atom.fkey = prev if prev is not None and prev == nxt else own_base


def _literal_split(text: str, new_id: Any) -> str:
    """Text where anything that looks like a tag becomes a literal standalone tag."""
    out = []
    pos = 0
    for m in TAG_RE.finditer(text):
        out.append(text[pos:m.start()])
        ident = new_id(Live(Tag("literal", False, {"text": m.group(0)}, m.group(0))))
        out.append(f"<{ident}/>")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# -- rebuilding -------------------------------------------------------------------------

def _clone(src: etree._Element, parent: etree._Element) -> etree._Element:
    """Copy src under parent as new sub-elements (no stray namespace declarations)."""
    el = etree.SubElement(parent, src.tag, dict(src.attrib))
    el.text = src.text
    for child in src:
        if isinstance(child.tag, str):
            c = _clone(child, el)
            c.tail = child.tail
    return el


def _order(el: etree._Element, order: list[str], ns: Names) -> None:
    """Sort children into schema order (unknown extension elements go last)."""
    def rank(c: etree._Element) -> int:
        name = ns.local(c)
        if name in ("rPrChange", "pPrChange"):
            return 1000
        return order.index(name) if name in order else 500

    children = sorted(el, key=rank)
    for c in children:
        el.append(c)


def _merge_rpr(rprs: list[etree._Element], ns: Names) -> etree._Element:
    """Outer to inner run properties combined; an inner property replaces an outer one."""
    merged: dict[str, etree._Element] = {}
    for rpr in rprs:
        for c in rpr:
            if isinstance(c.tag, str):
                merged[c.tag] = c
    out = etree.Element(ns.w("rPr"))
    for c in merged.values():
        out.append(copy.deepcopy(c))
    return out


@dataclass
class _Resolved:
    kind: str
    rpr: etree._Element | None = None
    link: etree._Element | None = None
    elements: list[etree._Element] = field(default_factory=list)
    wrap_rpr: etree._Element | None = None
    wrap: bool = False
    text: str = ""
    closing: list[etree._Element] = field(default_factory=list)


def _resolve(ident: str, analysis: Analysis, stored: dict[str, Tag], ns: Names) -> _Resolved | None:
    """What a tag id of the target means: the live element, else the stored tag map."""
    live = analysis.live.get(ident)
    tag = stored.get(ident)
    if live is not None and (tag is None or tag.kind == live.tag.kind):
        return _Resolved(live.tag.kind, live.rpr, live.link, list(live.elements),
                         live.wrap_rpr, live.wrap, live.tag.data.get("text", ""),
                         list(live.closing))
    if tag is None:
        return None
    data = tag.data
    if tag.kind == "literal":
        return _Resolved("literal", text=str(data.get("text", "")))
    if tag.kind in _WRAPPERS:
        shell = parse_fragment(str(data.get("xml", "")), ns)
        rpr = parse_fragment(str(data.get("rpr", "")), ns)
        return _Resolved(tag.kind, rpr[0] if rpr else None, shell[0] if shell else None)
    if tag.kind == "field" and tag.paired and data.get("simple"):
        shell = parse_fragment(str(data.get("xml", "")), ns)
        return _Resolved("field", link=shell[0] if shell else None)
    if tag.kind == "field" and tag.paired:
        return _Resolved("field", elements=parse_fragment(str(data.get("xml", "")), ns),
                         closing=parse_fragment(str(data.get("end_xml", "")), ns))
    if tag.paired:
        rpr = parse_fragment(str(data.get("rpr", "")), ns)
        return _Resolved(tag.kind, rpr[0] if rpr else None)
    return _Resolved(tag.kind, elements=parse_fragment(str(data.get("xml", "")), ns))


def rebuild(p: etree._Element, analysis: Analysis, target: str, *, ns: Names, language: str,
            rtl: bool, stored: dict[str, Tag]) -> None:
    """Replace the runs of p with runs made from the target tagged text."""
    ppr = p.find(ns.w("pPr"))
    for child in list(p):
        if child is not ppr:
            p.remove(child)
    if ppr is not None:
        # tracked changes of the paragraph itself are accepted along with its text
        for mark in ppr.findall(ns.w("pPrChange")) + ppr.findall(f"{ns.w('rPr')}/*"):
            if ns.local(mark) in ("pPrChange", "rPrChange", "ins", "del", "moveFrom", "moveTo"):
                mark.getparent().remove(mark)
    if rtl:
        if ppr is None:
            ppr = etree.SubElement(p, ns.w("pPr"))
            p.insert(0, ppr)
        if ppr.find(ns.w("bidi")) is None:
            etree.SubElement(ppr, ns.w("bidi"))
            _order(ppr, _PPR_ORDER, ns)
    for el in analysis.leading:
        _move(el, p)

    target = restore_marks(target, analysis)
    stack: list[tuple[str, _Resolved | None]] = []
    used: set[str] = set()
    state: dict[str, Any] = {"link_id": None, "container": p}

    def container() -> etree._Element:
        link_id = next((i for i, r in reversed(stack) if r is not None and _wraps(r)), None)
        if link_id != state["link_id"]:
            state["link_id"] = link_id
            if link_id is None:
                state["container"] = p
            else:
                shell = dict(stack)[link_id]
                assert shell is not None
                state["container"] = _wrapper(p, shell, ns)
        return state["container"]

    def current_rpr() -> etree._Element | None:
        fmts = [r.rpr for _, r in stack if r is not None and r.kind not in _NOT_FORMAT
                and r.rpr is not None]
        if fmts:
            return fmts[0] if len(fmts) == 1 else _merge_rpr(fmts, ns)
        formatted = [r for _, r in stack if r is not None and r.kind not in _NOT_FORMAT]
        if formatted:
            return None  # a formatting tag whose runs had no properties
        links = [r for _, r in stack if r is not None and _wraps(r)]
        if links:
            return links[-1].rpr
        return analysis.base_rpr

    def place(elements: list[etree._Element], again: bool) -> None:
        parent = container()
        for el in elements:
            if again:
                _clone(el, parent)
            else:
                _move(el, parent)

    fields: dict[str, int] = {}  # field tag id -> times opened minus times closed
    for tok in tokenize(target):
        if tok.kind == "open":
            res = _resolve(tok.value, analysis, stored, ns)
            stack.append((tok.value, res))
            if res is not None and res.kind == "field":
                place(res.elements, tok.value in used)
                used.add(tok.value)
                fields[tok.value] = fields.get(tok.value, 0) + 1
        elif tok.kind == "close":
            for pos in range(len(stack) - 1, -1, -1):
                if stack[pos][0] == tok.value:
                    res = stack[pos][1]
                    if res is not None and res.kind == "field":
                        place(res.closing, f"/{tok.value}" in used)
                        used.add(f"/{tok.value}")
                        fields[tok.value] -= 1
                    del stack[pos]
                    break
        elif tok.kind == "text":
            _text_run(container(), current_rpr(), tok.value, ns, language, rtl)
        else:
            res = _resolve(tok.value, analysis, stored, ns)
            if res is None:
                continue
            if res.kind == "literal":
                _text_run(container(), current_rpr(), res.text, ns, language, rtl)
                continue
            parent = container()
            again = tok.value in used
            used.add(tok.value)
            if again and res.kind == "anchor":
                continue  # a bookmark or comment id must stay unique in the part
            for el in res.elements:
                if res.wrap:
                    run = etree.SubElement(parent, ns.w("r"))
                    if res.wrap_rpr is not None:
                        _clone(res.wrap_rpr, run)
                    if again:
                        _clone(el, run)
                    else:
                        _move(el, run)
                elif again:
                    _clone(el, parent)
                else:
                    _move(el, parent)
    for ident, count in fields.items():
        live = analysis.live.get(ident)
        if count > 0 and live is not None:
            place(live.closing, f"/{ident}" in used)  # a field is never left open
    for el in analysis.trailing:
        _move(el, p)


def _wraps(res: _Resolved) -> bool:
    """True for a tag standing for an element that holds runs (link, control, simple field)."""
    return res.kind in _WRAPPERS or (res.kind == "field" and res.link is not None)


def restore_marks(target: str, analysis: Analysis) -> str:
    """The target with each bookmark or comment mark it lacks put back at the same relative
    place in the text (at a word end), so links and comments never get lost."""
    present = set(tag_ids(target))
    missing = [i for i, item in analysis.live.items()
               if item.tag.kind == "anchor" and i not in present]
    if not missing:
        return target
    source = _mark_offsets(analysis.text)
    tokens = tokenize(target)
    total = sum(len(t.value) for t in tokens if t.kind == "text")
    inserts: dict[int, list[str]] = {}
    for ident in missing:
        before, src_total = source.get(ident, (0, 1))
        pos = _string_pos(tokens, round(total * before / max(src_total, 1)))
        inserts.setdefault(pos, []).append(f"<{ident}/>")
    out, last = [], 0
    for pos in sorted(inserts):
        out.append(target[last:pos])
        out.extend(inserts[pos])
        last = pos
    out.append(target[last:])
    return "".join(out)


def _mark_offsets(text: str) -> dict[str, tuple[int, int]]:
    """Standalone tag id -> (text characters before it, all text characters)."""
    seen, count = {}, 0
    for tok in tokenize(text):
        if tok.kind == "text":
            count += len(tok.value)
        elif tok.kind == "standalone":
            seen[tok.value] = count
    return {k: (v, count) for k, v in seen.items()}


def _string_pos(tokens: list[Token], want: int) -> int:
    """Index in the tagged string after `want` text characters, moved on to a word end."""
    count = 0
    for tok in tokens:
        if tok.kind != "text":
            continue
        if count + len(tok.value) >= want:
            offset = want - count
            value = tok.value
            while 0 < offset < len(value) and not value[offset].isspace():
                offset += 1
            return tok.start + offset
        count += len(tok.value)
    return tokens[-1].end if tokens else 0


def _wrapper(p: etree._Element, shell: _Resolved, ns: Names) -> etree._Element:
    """A new hyperlink or content control at the end of p: the element runs go into."""
    src = shell.link
    if shell.kind == "field":
        return etree.SubElement(p, ns.w("fldSimple"), dict(src.attrib) if src is not None else {})
    if shell.kind != "control":
        attrib = dict(src.attrib) if src is not None else {}
        return etree.SubElement(p, ns.w("hyperlink"), attrib)
    sdt = etree.SubElement(p, ns.w("sdt"), dict(src.attrib) if src is not None else {})
    for name in ("sdtPr", "sdtEndPr"):
        props = src.find(ns.w(name)) if src is not None else None
        if props is not None:
            _clone(props, sdt)
    return etree.SubElement(sdt, ns.w("sdtContent"))


def _move(el: etree._Element, parent: etree._Element) -> None:
    el.tail = None
    parent.append(el)


def _text_run(parent: etree._Element, rpr: etree._Element | None, text: str, ns: Names,
              language: str, rtl: bool) -> None:
    """A run of text: rPr copied, w:lang set, tabs and newlines as w:tab / w:br."""
    if not text:
        return
    r = etree.SubElement(parent, ns.w("r"))
    props = etree.SubElement(r, ns.w("rPr"))
    if rpr is not None:
        for c in rpr:
            if isinstance(c.tag, str) and ns.local(c) not in ("lang", "rtl"):
                _clone(c, props)
    if rtl:
        etree.SubElement(props, ns.w("rtl"))
    lang = etree.SubElement(props, ns.w("lang"), {ns.w("val"): language})
    if rtl:
        lang.set(ns.w("bidi"), language)
    _order(props, _RPR_ORDER, ns)
    for piece in re.split(r"(\t|\n)", text):
        if piece == "\t":
            etree.SubElement(r, ns.w("tab"))
        elif piece == "\n":
            etree.SubElement(r, ns.w("br"))
        elif piece:
            t = etree.SubElement(r, ns.w("t"))
            t.text = piece
            if piece != piece.strip() or "  " in piece:
                t.set(XML_SPACE, "preserve")
