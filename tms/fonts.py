"""Installed fonts: which file prints a family (fontconfig's fc-match, as LibreOffice does),
which characters it covers and how wide text set in it is (fontTools). No Flask, no DB."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

from fontTools.ttLib import TTFont, TTLibError


@dataclass(frozen=True)
class Resolved:
    """The font fontconfig picks for a requested family."""

    requested: str
    family: str  # the family of the file that prints (differs when substituted)
    file: str
    index: int = 0  # the face inside a .ttc collection

    @property
    def substituted(self) -> bool:
        """Whether the requested family is not installed and another one prints instead."""
        return _fold(self.requested) != _fold(self.family)


@dataclass(frozen=True)
class Face:
    """What the checks need of one font file: its characters and metrics."""

    cmap: dict[int, str]
    advances: dict[str, int]
    units_per_em: int
    line_units: int  # ascent + descent + line gap
    default_advance: int


def _fold(name: str) -> str:
    return "".join(name.split()).casefold()


def available() -> bool:
    """Whether fontconfig's fc-match is installed."""
    return shutil.which("fc-match") is not None


@functools.lru_cache(maxsize=256)
def _resolve(family: str, _config: str | None) -> Resolved | None:
    res = subprocess.run(["fc-match", "-f", "%{family[0]}\n%{file}\n%{index}\n", family],
                         capture_output=True, text=True, check=False, timeout=30)
    lines = res.stdout.split("\n")
    if res.returncode != 0 or len(lines) < 3 or not lines[1]:
        return None
    return Resolved(family, lines[0], lines[1], int(lines[2] or 0))


def resolve(family: str) -> Resolved | None:
    """The font fontconfig (and so LibreOffice) prints a family with, or None."""
    # FONTCONFIG_FILE is part of the key: another configuration sees other fonts.
    return _resolve(family, os.environ.get("FONTCONFIG_FILE"))


@functools.lru_cache(maxsize=64)
def face(file: str, index: int = 0) -> Face | None:
    """The characters and metrics of a font file, or None when it cannot be read."""
    try:
        font = TTFont(file, fontNumber=index, lazy=True)
        cmap = dict(font.getBestCmap() or {})
        advances = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}
        hhea = font["hhea"]
        upm = int(font["head"].unitsPerEm)
    except (OSError, TTLibError, KeyError, AttributeError):
        return None
    line = int(hhea.ascent) - int(hhea.descent) + int(hhea.lineGap)
    return Face(cmap, advances, upm, line or int(upm * 1.17), advances.get(".notdef", upm // 2))


def ignorable(char: str) -> bool:
    """Characters no font has to draw: spaces, controls, format marks."""
    return char.isspace() or unicodedata.category(char)[0] in ("C", "Z")


def missing_characters(text: str, font: Face) -> list[str]:
    """The distinct characters of text the font has no glyph for, in order of code point."""
    return sorted({c for c in text if not ignorable(c) and ord(c) not in font.cmap})


def text_width(text: str, font: Face, size_pt: float) -> float:
    """The width of text set in the font at size_pt, in points (no kerning)."""
    units = 0
    for char in text:
        glyph = font.cmap.get(ord(char))
        units += font.advances.get(glyph, font.default_advance) if glyph else \
            font.default_advance
    return units * size_pt / font.units_per_em


def line_height(font: Face, size_pt: float) -> float:
    """The height of one single-spaced line of the font at size_pt, in points."""
    return font.line_units * size_pt / font.units_per_em
