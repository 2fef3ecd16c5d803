"""Paragraph styles and list numbering of a DOCX package: block types, levels, list labels.

Word shows list numbers ("I.", "a)", "1.1") that are not in the text: they come from
numbering.xml through the paragraph's w:numPr (or its style's). We compute them the way
Word counts, closely enough for translators to see where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

# Bullet characters of the Symbol/Wingdings fonts live in the private use area; show the
# usual glyph instead of a box.
_SYMBOL_BULLETS = {
    "\uf0b7": "•",
    "\uf0a7": "▪",
    "\uf0d8": "➢",
    "\uf076": "❖",
    "\uf0fc": "✓",
    "\uf0a8": "◆",
    "\uf06e": "■",
    "\uf02d": "–",
}

_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


@dataclass
class StyleInfo:
    """What a paragraph style contributes to block detection."""

    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None


@dataclass
class Level:
    """One level of an abstract numbering definition."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level


@dataclass
class Numbering:
    """numbering.xml: abstract definitions, instances and the running counters."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    overridden: set[str] = field(default_factory=set)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (num_id, ilvl) and return the label Word would show."""
        if num_id not in self.nums:
            return None
        abs_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abs_id)
        if not levels:
            return None
        counters = self.counters.setdefault(abs_id, {})
        if overrides and num_id not in self.overridden:
            # a w:startOverride restarts the list the first time this instance is used
            self.overridden.add(num_id)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
        level = levels.get(ilvl, Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            deeper_level = levels.get(deeper, Level())
            if deeper_level.restart is None or deeper_level.restart > ilvl:
                del counters[deeper]
        if level.fmt == "bullet":
            return "".join(_SYMBOL_BULLETS.get(c, "•" if "\ue000" <= c <= "\uf8ff" else c)
                           for c in level.text) or "•"
        if level.fmt == "none":
            return level.text if "%" not in level.text else ""

        def repl(m: re.Match[str]) -> str:
            n = int(m.group(1)) - 1
            lvl = levels.get(n, Level())
            value = counters.get(n, lvl.start)
            return format_number(value, lvl.fmt if n != ilvl else level.fmt)

        return re.sub(r"%([1-9])", repl, level.text)


def format_number(value: int, fmt: str) -> str:
    """A counter value in a Word number format (decimal, lowerLetter, upperRoman, ...)."""
    if fmt in ("lowerLetter", "upperLetter"):
        if value < 1:
            return str(value)
        # Word repeats the letter: a..z, aa..zz, aaa...
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = to_roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def to_roman(value: int) -> str:
    """Roman numerals for 1..3999 (other values stay decimal)."""
    if not 0 < value < 4000:
        return str(value)
    out = []
    for n, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= n:
            out.append(s)
            value -= n
    return "".join(out)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def parse_numbering(root: etree._Element | None, w: str) -> Numbering:
    """Read numbering.xml (root may be None when the package has no numbering part)."""
    numbering = Numbering()
    if root is None:
        return numbering
    val = f"{{{w}}}val"
    for absnum in root.iter(f"{{{w}}}abstractNum"):
        levels: dict[int, Level] = {}
        for lvl in absnum.iter(f"{{{w}}}lvl"):
            ilvl = _int(lvl.get(f"{{{w}}}ilvl"), 0)
            fmt = lvl.find(f"{{{w}}}numFmt")
            text = lvl.find(f"{{{w}}}lvlText")
            start = lvl.find(f"{{{w}}}start")
            restart = lvl.find(f"{{{w}}}lvlRestart")
            levels[ilvl] = Level(
                fmt=fmt.get(val, "decimal") if fmt is not None else "decimal",
                text=text.get(val, "") if text is not None else "",
                start=_int(start.get(val) if start is not None else None, 1),
                restart=_int(restart.get(val), 0) if restart is not None else None,
            )
        numbering.abstract[absnum.get(f"{{{w}}}abstractNumId", "")] = levels
    for num in root.iter(f"{{{w}}}num"):
        abs_el = num.find(f"{{{w}}}abstractNumId")
        overrides: dict[int, int] = {}
        for ov in num.iter(f"{{{w}}}lvlOverride"):
            start = ov.find(f"{{{w}}}startOverride")
            if start is not None:
                overrides[_int(ov.get(f"{{{w}}}ilvl"), 0)] = _int(start.get(val), 1)
        numbering.nums[num.get(f"{{{w}}}numId", "")] = (
            abs_el.get(val, "") if abs_el is not None else "",
            overrides,
        )
    return numbering


def parse_styles(root: etree._Element | None, w: str) -> tuple[dict[str, StyleInfo], str | None]:
    """Paragraph styles by id, and the id of the default paragraph style."""
    styles: dict[str, StyleInfo] = {}
    default: str | None = None
    if root is None:
        return styles, default
    val = f"{{{w}}}val"
    for style in root.iter(f"{{{w}}}style"):
        if style.get(f"{{{w}}}type", "paragraph") != "paragraph":
            continue
        sid = style.get(f"{{{w}}}styleId", "")
        if style.get(f"{{{w}}}default") in ("1", "true", "on"):
            default = sid
        info = StyleInfo()
        name = style.find(f"{{{w}}}name")
        info.name = name.get(val, "") if name is not None else ""
        based = style.find(f"{{{w}}}basedOn")
        info.based_on = based.get(val) if based is not None else None
        ppr = style.find(f"{{{w}}}pPr")
        if ppr is not None:
            outline = ppr.find(f"{{{w}}}outlineLvl")
            if outline is not None:
                info.outline = _int(outline.get(val), 9)
            numpr = ppr.find(f"{{{w}}}numPr")
            if numpr is not None:
                num_id = numpr.find(f"{{{w}}}numId")
                ilvl = numpr.find(f"{{{w}}}ilvl")
                info.num_id = num_id.get(val) if num_id is not None else None
                info.ilvl = _int(ilvl.get(val), 0) if ilvl is not None else None
        styles[sid] = info
    return styles, default


def style_chain(styles: dict[str, StyleInfo], style_id: str | None) -> list[StyleInfo]:
    """The style and the styles it is based on, nearest first (cycles cut)."""
    chain: list[StyleInfo] = []
    seen: set[str] = set()
    while style_id and style_id in styles and style_id not in seen and len(chain) < 20:
        seen.add(style_id)
        info = styles[style_id]
        chain.append(info)
        style_id = info.based_on
    return chain


def heading_level(style_id: str | None, chain: list[StyleInfo]) -> int | None:
    """The heading level (1-9) a style name or outline level implies, or None."""
    for info in chain:
        m = _HEADING_NAME.match(info.name)
        if m:
            return int(m.group(1))
    if style_id:
        m = re.match(r"^Heading([1-9])$", style_id)
        if m and not chain:
            return int(m.group(1))
    for info in chain:
        if info.outline is not None:
            return info.outline + 1 if info.outline < 9 else None
    return None


def special_type(style_id: str | None, chain: list[StyleInfo]) -> str | None:
    """title / quote / caption from the style name (or id when there is no styles part)."""
    names = [info.name.lower() for info in chain] or [(style_id or "").lower()]
    for name in names:
        if name == "title":
            return "title"
        if name in ("quote", "intense quote", "intensequote"):
            return "quote"
        if name == "caption":
            return "caption"
    return None
