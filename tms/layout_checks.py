"""Layout checks of a translated print document, before it is published (no Flask, no DB).

- pages: the translation's page count against the source's;
- overflow: text that no longer fits a fixed-size container of the DOCX (table rows with an
  exact height, text boxes, frames with an exact height), measured from the DOCX geometry
  with the widths of the glyphs of the font that prints it (fontTools), wrapped greedily;
- fonts: every character of the text is covered by the font the document asks for, or by
  the font fontconfig substitutes for it (as LibreOffice does), naming font and characters;
- language and direction: the runs' w:lang tags, and w:bidi for right-to-left languages.

The measurement is an estimate (no kerning, no hyphenation): it is meant to point at the
containers worth a look in the previews, so it leaves half a point of slack.
"""

from __future__ import annotations

import math
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from tms import fonts
from tms.formats.xmlsafe import open_zip, parse_xml, read_member
from tms.i18n import _, ngettext

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
EMU_PER_PT = 12700
DEFAULT_FONT = "Times New Roman"  # what Word assumes when a document names no font
DEFAULT_SIZE = 10.0  # points, Word's size when neither run, style nor defaults say
DEFAULT_CELL_MARGIN = 5.4  # points left and right (108 twips, LibreOffice's default)
SLACK = 0.5  # points: rounding in our estimate, not an overflow
MAX_LISTED = 30  # characters named in one finding


def w(local: str) -> str:
    """The Clark name of a WordprocessingML element or attribute."""
    return f"{{{W}}}{local}"


@dataclass(frozen=True)
class Finding:
    """One problem found, with one translated sentence saying what and where."""

    check: str  # pages, overflow, fonts, substitution, language, direction, tools
    message: str
    severity: str = "warning"  # "warning": fix before printing; "note": worth knowing
    font: str | None = None
    characters: str = ""
    where: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class LayoutReport:
    """Every check of one document in one language."""

    language: str
    source_pages: int | None = None
    target_pages: int | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tms check --json, the publish page's status)."""
        return {"language": self.language, "source_pages": self.source_pages,
                "target_pages": self.target_pages,
                "findings": [f.to_json() for f in self.findings]}


# --------------------------------------------------------------------------- pages


def check_pages(source_pages: int, target_pages: int) -> list[Finding]:
    """A finding when the translation runs onto more pages than the source."""
    if target_pages <= source_pages:
        return []
    return [Finding("pages", _("The translation has %(target)s pages, the source "
                               "%(source)s.", target=target_pages, source=source_pages))]


# --------------------------------------------------------------------------- the DOCX model


def _chars_slot(char: str) -> str:
    """Which of a run's four fonts Word uses for a character (w:rFonts attributes)."""
    cp = ord(char)
    if 0x0590 <= cp <= 0x08FF or 0xFB1D <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF \
            or 0x0900 <= cp <= 0x0E7F:
        return "cs"
    if 0x2E80 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF or 0xF900 <= cp <= 0xFAFF \
            or 0xFF00 <= cp <= 0xFFEF:
        return "eastAsia"
    return "ascii" if cp < 0x80 else "hAnsi"


_THEME_ATTR = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "cs": "cstheme",
               "eastAsia": "eastAsiaTheme"}


class Docx:
    """The parts of a DOCX the checks read, and style inheritance over them."""

    def __init__(self, data: bytes) -> None:
        zf = open_zip(data, where="document.docx")
        self.roots: list[etree._Element] = []
        names = zf.namelist()
        for name in ["word/document.xml", *sorted(
                n for n in names if n.startswith(("word/header", "word/footer"))
                and n.endswith(".xml")), "word/footnotes.xml", "word/endnotes.xml"]:
            if name in names:
                self.roots.append(parse_xml(read_member(zf, name, where=name), where=name))
        self.body = self.roots[0]
        styles = self._optional(zf, "word/styles.xml")
        self.styles: dict[str, etree._Element] = {}
        self.default_paragraph_style: str | None = None
        self.defaults_rpr: etree._Element | None = None
        self.defaults_ppr: etree._Element | None = None
        if styles is not None:
            for style in styles.iter(w("style")):
                sid = style.get(w("styleId"))
                if sid:
                    self.styles[sid] = style
                    if style.get(w("type")) == "paragraph" and style.get(w("default")) in (
                            "1", "true"):
                        self.default_paragraph_style = sid
            self.defaults_rpr = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
            self.defaults_ppr = styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
        self.theme: dict[str, str] = {}
        theme = self._optional(zf, "word/theme/theme1.xml")
        if theme is not None:
            for which in ("major", "minor"):
                font = theme.find(f".//{{{A}}}{which}Font")
                if font is None:
                    continue
                for script in ("latin", "ea", "cs"):
                    el = font.find(f"{{{A}}}{script}")
                    if el is not None and el.get("typeface"):
                        self.theme[f"{which}:{script}"] = el.get("typeface")

    @staticmethod
    def _optional(zf: zipfile.ZipFile, name: str) -> etree._Element | None:
        if name not in zf.namelist():
            return None
        return parse_xml(read_member(zf, name, where=name), where=name)

    # -- inheritance: direct formatting, character style, paragraph style, defaults
    def _chain(self, style_id: str | None) -> Iterator[etree._Element]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None

    def _paragraph_style(self, p: etree._Element) -> str | None:
        ps = p.find(f"{w('pPr')}/{w('pStyle')}")
        return ps.get(w("val")) if ps is not None else self.default_paragraph_style

    def run_property(self, run: etree._Element, p: etree._Element,
                     get: Callable[[etree._Element], Any]) -> Any:
        """The first value `get` finds in the run's rPr, its style, the paragraph's style
        or the document defaults."""
        candidates: list[etree._Element | None] = [run.find(w("rPr"))]
        rs = run.find(f"{w('rPr')}/{w('rStyle')}")
        if rs is not None:
            candidates += [s.find(w("rPr")) for s in self._chain(rs.get(w("val")))]
        candidates += [s.find(w("rPr")) for s in self._chain(self._paragraph_style(p))]
        candidates.append(self.defaults_rpr)
        for rpr in candidates:
            if rpr is not None and (value := get(rpr)) is not None:
                return value
        return None

    def paragraph_property(self, p: etree._Element,
                           get: Callable[[etree._Element], Any]) -> Any:
        """The first value `get` finds in the paragraph's pPr, its style or the defaults."""
        candidates = [p.find(w("pPr")),
                      *(s.find(w("pPr")) for s in self._chain(self._paragraph_style(p))),
                      self.defaults_ppr]
        for ppr in candidates:
            if ppr is not None and (value := get(ppr)) is not None:
                return value
        return None

    def font_name(self, run: etree._Element, p: etree._Element, slot: str) -> str:
        """The font family the run asks for, for characters of one slot."""
        def get(rpr: etree._Element) -> str | None:
            fonts_el = rpr.find(w("rFonts"))
            if fonts_el is None:
                return None
            theme = fonts_el.get(w(_THEME_ATTR[slot]))
            if theme:
                script = "cs" if theme.endswith("Bidi") else (
                    "ea" if theme.endswith("EastAsia") else "latin")
                which = "major" if theme.startswith("major") else "minor"
                if found := self.theme.get(f"{which}:{script}"):
                    return found
            value: str | None = fonts_el.get(w(slot))
            return value
        return self.run_property(run, p, get) or DEFAULT_FONT

    def font_size(self, run: etree._Element, p: etree._Element) -> float:
        """The run's size in points."""
        def get(rpr: etree._Element) -> float | None:
            sz = rpr.find(w("sz"))
            try:
                return int(sz.get(w("val"))) / 2 if sz is not None else None
            except (TypeError, ValueError):
                return None
        return self.run_property(run, p, get) or DEFAULT_SIZE

    def language(self, run: etree._Element, p: etree._Element, attr: str) -> str | None:
        """The run's w:lang value (attr "val", "bidi" or "eastAsia")."""
        def get(rpr: etree._Element) -> str | None:
            lang = rpr.find(w("lang"))
            value: str | None = lang.get(w(attr)) if lang is not None else None
            return value
        found: str | None = self.run_property(run, p, get)
        return found

    def is_bidi(self, p: etree._Element) -> bool:
        """Whether the paragraph is laid out right to left (w:bidi)."""
        def get(ppr: etree._Element) -> bool | None:
            el = ppr.find(w("bidi"))
            return None if el is None else el.get(w("val"), "1") not in ("0", "false", "off")
        return bool(self.paragraph_property(p, get))

    # -- walking
    def paragraphs(self) -> Iterator[etree._Element]:
        """Every paragraph of every part, without Word's VML fallback copies."""
        for root in self.roots:
            for p in root.iter(w("p")):
                if not any(a.tag == f"{{{MC}}}Fallback" for a in p.iterancestors()):
                    yield p


def runs_of(p: etree._Element) -> list[etree._Element]:
    """The paragraph's own runs (not those of a text box inside it)."""
    return [r for r in p.iter(w("r")) if next(r.iterancestors(w("p")), None) is p]


def run_text(r: etree._Element) -> str:
    """A run's text, with tabs and breaks as white space."""
    parts = []
    for el in r:
        if el.tag == w("t"):
            parts.append(el.text or "")
        elif el.tag == w("tab"):
            parts.append("\t")
        elif el.tag in (w("br"), w("cr")):
            parts.append("\n")
    return "".join(parts)


def _letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].casefold()


# --------------------------------------------------------------------------- fonts


def _font_findings(used: dict[str, set[str]]) -> list[Finding]:
    """Fonts asked for -> the characters set in them: what does not print as asked."""
    if not used:
        return []
    if not fonts.available():
        return [Finding("tools", _("Font coverage was not checked: install fontconfig "
                                   "(the Debian package fontconfig)."), "note")]
    found = []
    for name in sorted(used):
        resolved = fonts.resolve(name)
        face = fonts.face(resolved.file, resolved.index) if resolved else None
        if resolved is None or face is None:
            found.append(Finding("fonts", _("No installed font can print “%(font)s”.",
                                            font=name), font=name))
            continue
        missing = fonts.missing_characters("".join(used[name]), face)
        shown = " ".join(missing[:MAX_LISTED]) + (" …" if len(missing) > MAX_LISTED else "")
        if missing and resolved.substituted:
            found.append(Finding("fonts", ngettext(
                "“%(font)s” is not installed and “%(substitute)s”, which prints instead, "
                "has no glyph for %(num)s character: %(chars)s",
                "“%(font)s” is not installed and “%(substitute)s”, which prints instead, "
                "has no glyphs for %(num)s characters: %(chars)s",
                len(missing), font=name, substitute=resolved.family, chars=shown),
                font=name, characters="".join(missing)))
        elif missing:
            found.append(Finding("fonts", ngettext(
                "The font “%(font)s” has no glyph for %(num)s character of the text, which "
                "prints in another font or as a box: %(chars)s",
                "The font “%(font)s” has no glyphs for %(num)s characters of the text, which "
                "print in another font or as boxes: %(chars)s",
                len(missing), font=name, chars=shown), font=name, characters="".join(missing)))
        elif resolved.substituted:
            found.append(Finding("substitution", _(
                "“%(font)s” is not installed: “%(substitute)s” prints instead, so lines may "
                "break differently than in Word.", font=name, substitute=resolved.family),
                "note", font=name))
    return found


def check_text_fonts(text: str, families: str) -> list[Finding]:
    """Font coverage of plain text set in a CSS-style list of families (HTML prints)."""
    first = families.split(",")[0].strip().strip("\"'")
    return _font_findings({first: set(text)} if text.strip() else {})


# --------------------------------------------------------------------------- measuring


@dataclass
class _Measure:
    doc: Docx

    def face(self, name: str) -> fonts.Face | None:
        resolved = fonts.resolve(name)
        return fonts.face(resolved.file, resolved.index) if resolved else None

    def _line_spacing(self, p: etree._Element, single: float) -> float:
        def get(ppr: etree._Element) -> tuple[str, int] | None:
            sp = ppr.find(w("spacing"))
            if sp is None or sp.get(w("line")) is None:
                return None
            return sp.get(w("lineRule"), "auto"), int(sp.get(w("line")))
        rule = self.doc.paragraph_property(p, get)
        if rule is None:
            return single
        kind, value = rule
        if kind == "exact":
            return value / 20
        if kind == "atLeast":
            return max(single, value / 20)
        return single * value / 240

    def _space(self, p: etree._Element, which: str) -> float:
        def get(ppr: etree._Element) -> int | None:
            sp = ppr.find(w("spacing"))
            value = sp.get(w(which)) if sp is not None else None
            return int(value) if value is not None and value.lstrip("-").isdigit() else None
        return (self.doc.paragraph_property(p, get) or 0) / 20

    def paragraph_height(self, p: etree._Element, width: float) -> float:
        """How high the paragraph sets in a column `width` points wide (greedy wrapping)."""
        pieces: list[tuple[str, fonts.Face | None, float]] = []
        for r in runs_of(p):
            text = run_text(r)
            if not text:
                continue
            first = next((c for c in text if c.isalpha()), "a")
            pieces.append((text, self.face(self.doc.font_name(r, p, _chars_slot(first))),
                           self.doc.font_size(r, p)))
        size = max((s for _t, _f, s in pieces), default=DEFAULT_SIZE)
        face = next((f for _t, f, _s in pieces if f is not None), None)
        single = fonts.line_height(face, size) if face else size * 1.17
        lines = self._lines(pieces, max(width, 1.0))
        return (lines * self._line_spacing(p, single) + self._space(p, "before")
                + self._space(p, "after"))

    @staticmethod
    def _lines(pieces: list[tuple[str, fonts.Face | None, float]], width: float) -> int:
        def wide(text: str, face: fonts.Face | None, size: float) -> float:
            return fonts.text_width(text, face, size) if face else len(text) * size * 0.5

        lines, used, pending_space = 1, 0.0, 0.0
        word = 0.0
        for text, face, size in pieces:
            for char in [*text]:
                if char == "\n" or char.isspace():
                    # a word ends: place it on this line or the next
                    if word:
                        if used and used + pending_space + word > width:
                            lines += 1
                            used = 0.0
                            pending_space = 0.0
                        lines += max(0, math.ceil(word / width) - 1)
                        used += pending_space + (word if word <= width else word % width)
                        pending_space = 0.0
                        word = 0.0
                    if char == "\n":
                        lines += 1
                        used = pending_space = 0.0
                    else:
                        pending_space += wide(char, face, size)
                else:
                    word += wide(char, face, size)
        if word:
            if used and used + pending_space + word > width:
                lines += 1
            lines += max(0, math.ceil(word / width) - 1)
        return lines

    def height(self, paragraphs: list[etree._Element], width: float) -> float:
        """The height of paragraphs stacked in a column."""
        return sum(self.paragraph_height(p, width) for p in paragraphs)


@dataclass(frozen=True)
class _Container:
    where: str  # e.g. "table 1, row 2, cell 1"
    height: float  # points available
    needed: float  # points the text needs
    text: str

    @property
    def overflows(self) -> bool:
        return self.needed > self.height + SLACK


def _twips(el: etree._Element | None, attr: str = "w") -> float | None:
    if el is None:
        return None
    value = el.get(w(attr))
    if value is None or el.get(w("type"), "dxa") != "dxa":
        return None
    try:
        return int(value) / 20
    except ValueError:
        return None


def _cell_paragraphs(tc: etree._Element) -> list[etree._Element]:
    return [p for p in tc.iter(w("p")) if next(p.iterancestors(w("tc")), None) is tc]


def _paragraph_text(paragraphs: list[etree._Element]) -> str:
    return " ".join("".join(run_text(r) for r in runs_of(p)) for p in paragraphs).strip()


def containers(doc: Docx) -> list[_Container]:
    """Every fixed-size container of the document with the height its text needs."""
    measure = _Measure(doc)
    found: list[_Container] = []
    for n, tbl in enumerate(doc.body.iter(w("tbl")), start=1):
        grid = [_twips(c) or 0.0 for c in tbl.findall(f"{w('tblGrid')}/{w('gridCol')}")]
        margins = tbl.find(f"{w('tblPr')}/{w('tblCellMar')}")
        rows = [tr for tr in tbl.iter(w("tr")) if next(tr.iterancestors(w("tbl"))) is tbl]
        for row_n, tr in enumerate(rows, start=1):
            height = tr.find(f"{w('trPr')}/{w('trHeight')}")
            if height is None or height.get(w("hRule")) != "exact":
                continue
            row_height = (int(height.get(w("val"), "0")) or 0) / 20
            column = 0
            for cell_n, tc in enumerate(tr.findall(w("tc")), start=1):
                span_el = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
                span = int(span_el.get(w("val"), "1")) if span_el is not None else 1
                width = _twips(tc.find(f"{w('tcPr')}/{w('tcW')}")) or sum(
                    grid[column:column + span])
                column += span
                mar = tc.find(f"{w('tcPr')}/{w('tcMar')}")
                left = right = DEFAULT_CELL_MARGIN
                for source in (margins, mar):
                    if source is not None:
                        left = _twips(source.find(w("left"))) or _twips(
                            source.find(w("start"))) or left
                        right = _twips(source.find(w("right"))) or _twips(
                            source.find(w("end"))) or right
                paragraphs = _cell_paragraphs(tc)
                if not width or not _letters(_paragraph_text(paragraphs)):
                    continue
                found.append(_Container(
                    _("table %(table)s, row %(row)s, cell %(cell)s", table=n, row=row_n,
                      cell=cell_n), row_height,
                    measure.height(paragraphs, width - left - right),
                    _paragraph_text(paragraphs)))
    for n, box in enumerate(doc.body.iter(f"{{{WPS}}}wsp"), start=1):
        content = box.find(f"{{{WPS}}}txbx/{w('txbxContent')}")
        holder = next((a for a in box.iterancestors() if a.tag in (f"{{{WP}}}anchor",
                                                                     f"{{{WP}}}inline")), None)
        extent = holder.find(f"{{{WP}}}extent") if holder is not None else None
        props = box.find(f"{{{WPS}}}bodyPr")
        if content is None or extent is None or (
                props is not None and props.find(f"{{{A}}}spAutoFit") is not None):
            continue  # a box that grows with its text cannot overflow
        def inset(attr: str, default: int, props: etree._Element | None = props) -> float:
            return int(props.get(attr, default) if props is not None else default) / EMU_PER_PT
        width = int(extent.get("cx", "0")) / EMU_PER_PT - inset("lIns", 91440) - inset(
            "rIns", 91440)
        height = int(extent.get("cy", "0")) / EMU_PER_PT - inset("tIns", 45720) - inset(
            "bIns", 45720)
        paragraphs = list(content.iter(w("p")))
        if _letters(_paragraph_text(paragraphs)):
            found.append(_Container(_("text box %(n)s", n=n), height,
                                    measure.height(paragraphs, width),
                                    _paragraph_text(paragraphs)))
    frame_n = 0
    for p in doc.body.iter(w("p")):
        frame = p.find(f"{w('pPr')}/{w('framePr')}")
        if frame is None or frame.get(w("hRule")) != "exact" or not frame.get(w("w")):
            continue
        frame_n += 1
        width, height_pt = int(frame.get(w("w"))) / 20, int(frame.get(w("h"), "0")) / 20
        if _letters(_paragraph_text([p])):
            found.append(_Container(_("frame %(n)s", n=frame_n), height_pt,
                                    measure.height([p], width), _paragraph_text([p])))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _overflow_findings(source: Docx | None, target: Docx) -> list[Finding]:
    before = {c.where: c for c in containers(source)} if source is not None else {}
    found = []
    for box in containers(target):
        if not box.overflows:
            continue
        was = before.get(box.where)
        if was is not None and was.overflows:
            message = _("%(where)s (“%(text)s”): the text needs about %(needed)s pt but the "
                        "container is exactly %(height)s pt high; the source overflows it too.",
                        where=box.where, text=_short(box.text), needed=round(box.needed),
                        height=round(box.height))
        else:
            message = _("%(where)s (“%(text)s”): the text needs about %(needed)s pt but the "
                        "container is exactly %(height)s pt high, so the end is cut off.",
                        where=box.where, text=_short(box.text), needed=round(box.needed),
                        height=round(box.height))
        found.append(Finding("overflow", message, where=box.where))
    return found


# --------------------------------------------------------------------------- DOCX checks


def _text_checks(doc: Docx, language: str, rtl: bool) -> list[Finding]:
    used: dict[str, set[str]] = {}
    tags: Counter[str] = Counter()
    ltr_paragraphs = 0
    for p in doc.paragraphs():
        own_letters = False
        for r in runs_of(p):
            text = run_text(r)
            if not text:
                continue
            for char in set(text):
                if not fonts.ignorable(char):
                    used.setdefault(doc.font_name(r, p, _chars_slot(char)), set()).add(char)
            if _letters(text):
                own_letters = True
                # Word reads a complex-script run's language from w:bidi, others from w:val.
                attr = "bidi" if any(_chars_slot(c) == "cs" for c in text) else "val"
                tag = doc.language(r, p, attr) or doc.language(r, p, "val")
                if tag is None or _primary(tag) != _primary(language):
                    tags[tag or "?"] += 1
        if rtl and own_letters and not doc.is_bidi(p):
            ltr_paragraphs += 1
    found = _font_findings(used)
    for tag, count in sorted(tags.items()):
        if tag == "?":
            found.append(Finding("language", ngettext(
                "%(num)s run has no language tag (w:lang), so spelling and hyphenation do "
                "not treat it as %(language)s.",
                "%(num)s runs have no language tag (w:lang), so spelling and hyphenation do "
                "not treat them as %(language)s.", count, language=language)))
        else:
            found.append(Finding("language", ngettext(
                "%(num)s run is tagged as %(tag)s, not %(language)s (text left in the source "
                "language, or a tag to fix).",
                "%(num)s runs are tagged as %(tag)s, not %(language)s (text left in the "
                "source language, or tags to fix).", count, tag=tag, language=language)))
    if ltr_paragraphs:
        found.append(Finding("direction", ngettext(
            "%(num)s paragraph is laid out left to right (no w:bidi) in a right-to-left "
            "language.",
            "%(num)s paragraphs are laid out left to right (no w:bidi) in a right-to-left "
            "language.", ltr_paragraphs)))
    return found


def check_docx(source: bytes | None, target: bytes, language: str, *,
               rtl: bool = False) -> list[Finding]:
    """Overflow, font coverage, language tags and direction of a translated DOCX (source:
    the original, to say which overflows the source had already)."""
    target_doc = Docx(target)
    source_doc = Docx(source) if source is not None else None
    return _overflow_findings(source_doc, target_doc) + _text_checks(target_doc, language, rtl)
