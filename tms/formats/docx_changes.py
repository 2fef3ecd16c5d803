"""Tracked changes of one WordprocessingML part, resolved completely: all of them accepted.

Reader and writer both run `accept_changes` on every story part before counting paragraphs,
so locators agree and the exported file holds no revision marks at all: insertions and
moves are kept where they were inserted or moved to, deletions and the origins of moves
are gone, a deleted paragraph mark joins its paragraph to the next one, and formatting
changes keep the new formatting (the recorded old one is dropped).
"""

from __future__ import annotations

from lxml import etree

from tms.formats.docx_inline import Names

# Records of former properties: the current properties beside them are what is accepted.
_FORMAT_CHANGES = {"rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange",
                   "trPrChange", "tcPrChange", "tblGridChange", "numberingChange"}
_RANGE_MARKS = {"moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
                "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart",
                "customXmlDelRangeEnd", "customXmlMoveFromRangeStart",
                "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
                "customXmlMoveToRangeEnd"}
_GONE = {"del", "moveFrom"}
_KEPT = {"ins", "moveTo"}
# Elements whose w:ins / w:del children are markers about their parent, not content.
_MARKER_HOLDERS = {"rPr", "trPr", "tcPr", "numPr"}


def accept_changes(root: etree._Element, ns: Names) -> tuple[int, int]:
    """Accept every tracked change under root in place: (content changes, other marks)."""
    count = marks = 0
    for el in list(root.iter()):
        name = ns.local(el)
        if name in _FORMAT_CHANGES or name in _RANGE_MARKS or name in ("cellIns", "cellDel"):
            _remove(el)
            marks += 1
    for el in list(root.iter(*(ns.w(n) for n in _GONE | _KEPT))):
        parent = el.getparent()
        if parent is None:
            continue
        holder = ns.local(parent)
        if holder == "trPr":
            count += _row_marker(el, parent, ns)
        elif holder in _MARKER_HOLDERS:
            continue  # paragraph marks are handled below
        elif ns.local(el) in _GONE:
            _remove(el)
            count += 1
        else:
            _unwrap(el)
            count += 1
    for p in reversed(list(root.iter(ns.w("p")))):
        count += _paragraph_mark(p, ns)
    return count, marks


def _row_marker(el: etree._Element, trpr: etree._Element, ns: Names) -> int:
    """A table row marked inserted stays; one marked deleted goes."""
    row = trpr.getparent()
    _remove(el)
    if ns.local(el) in _GONE and row is not None and row.getparent() is not None:
        _remove(row)
    return 1


def _paragraph_mark(p: etree._Element, ns: Names) -> int:
    """Resolve a tracked paragraph mark: a deleted one joins p to the next paragraph."""
    marks = p.findall(f"{ns.w('pPr')}/{ns.w('rPr')}/*")
    changed = [m for m in marks if ns.local(m) in _GONE | _KEPT]
    if not changed:
        return 0
    deleted = any(ns.local(m) in _GONE for m in changed)
    for m in changed:
        _remove(m)
    nxt = p.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    ppr = p.find(ns.w("pPr"))
    keeps_section = ppr is not None and ppr.find(ns.w("sectPr")) is not None
    if not deleted:
        return 0  # an inserted paragraph mark: the paragraph simply stays
    if nxt is None or nxt.tag != p.tag or keeps_section:
        return 1  # nothing to join it to (end of a cell or before a table): it stays
    content = [c for c in p if c is not ppr]
    target_ppr = nxt.find(ns.w("pPr"))
    at = 0 if target_ppr is None else list(nxt).index(target_ppr) + 1
    for offset, child in enumerate(content):
        nxt.insert(at + offset, child)
    _remove(p)
    return 1


def _remove(el: etree._Element) -> None:
    """Remove el, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Replace el by its children."""
    parent = el.getparent()
    if parent is None:
        return
    index = list(parent).index(el)
    for offset, child in enumerate(list(el)):
        parent.insert(index + offset, child)
    _remove(el)


# Fields whose shown result is generated text in the source language (contents, captions,
# running heads, dates): marked dirty so Word recalculates them in the target language.
REFRESHED_FIELDS = {"TOC", "STYLEREF", "SEQ", "DATE", "TIME", "CREATEDATE", "SAVEDATE",
                    "PRINTDATE"}


def refresh_fields(root: etree._Element, ns: Names, *, mark: bool) -> int:
    """How many fields under root show generated text; with mark, set w:dirty on them."""
    count = 0
    for simple in root.iter(ns.w("fldSimple")):
        if _field_word(simple.get(ns.w("instr"), "")) in REFRESHED_FIELDS:
            count += 1
            if mark:
                simple.set(ns.w("dirty"), "true")
    stack: list[list[etree._Element | str | None]] = []  # [begin fldChar, instruction]
    for el in root.iter(ns.w("fldChar"), ns.w("instrText")):
        if ns.local(el) == "instrText":
            if stack and isinstance(stack[-1][1], str):
                stack[-1][1] += el.text or ""
            continue
        kind = el.get(ns.w("fldCharType"))
        if kind == "begin":
            stack.append([el, ""])
        elif kind in ("separate", "end") and stack:
            begin, instr = stack[-1]
            if isinstance(instr, str):
                stack[-1][1] = None  # decided: the instruction is complete
                if _field_word(instr) in REFRESHED_FIELDS and isinstance(begin, etree._Element):
                    count += 1
                    if mark:
                        begin.set(ns.w("dirty"), "true")
            if kind == "end":
                stack.pop()
    return count


def _field_word(instr: str) -> str:
    words = instr.split()
    return words[0].upper() if words else ""
