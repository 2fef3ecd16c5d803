"""Layout checks on purpose-made DOCX files: overflowing exact-height cells, fonts without
the target's letters, language tags, and a clean document that reports nothing."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Inches, Pt

from tms import fonts
from tms.formats import docx as docx_format
from tms.formats.base import TargetBlock
from tms.inline import strip_tags
from tms.layout_checks import check_docx, check_pages
from tms.pseudo_locale import pseudo_translate

pytestmark = pytest.mark.skipif(not shutil.which("fc-match"),
                                reason="fontconfig is missing (apt-get install fontconfig)")

CELL_TEXT = "We, sex workers, declare our rights."
RUSSIAN = "Мы, секс-работники, заявляем о своих правах."


def make_docx(*, font: str = "DejaVu Sans", cell_text: str = CELL_TEXT,
              row_height: float = 30, body: str = "Everyone has the right to life.") -> bytes:
    """One paragraph and a one-cell table whose row is exactly row_height points high."""
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    d.add_paragraph(body)
    table = d.add_table(rows=1, cols=1)
    table.columns[0].width = Inches(2)
    row = table.rows[0]
    row.height = Pt(row_height)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    row.cells[0].width = Inches(2)
    row.cells[0].paragraphs[0].text = cell_text
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def translate(data: bytes, language: str, how: Callable[[str], str]) -> bytes:
    """The DOCX with every block's text replaced by how(text), as the exporter writes it."""
    parsed = docx_format.read(data, filename="t.docx", language="en")
    targets = [TargetBlock(b, how(b.text)) for b in parsed.blocks]
    return docx_format.write(data, targets, language=language)


def longer_pseudo(text: str) -> str:
    """The pseudo-translation, at least 40% longer than the source."""
    pseudo = pseudo_translate(text)
    while len(strip_tags(pseudo)) < 1.4 * len(strip_tags(text)):
        pseudo = pseudo[:-1] + " ẋẋ]"
    return pseudo


def test_exact_height_cell_overflowed_by_a_longer_pseudo_translation_is_reported():
    source = make_docx()
    target = translate(source, "fr", longer_pseudo)
    found = check_docx(source, target, "fr")
    overflows = [f for f in found if f.check == "overflow"]
    assert len(overflows) == 1, found
    assert overflows[0].where == "table 1, row 1, cell 1"
    assert "exactly 30 pt high" in overflows[0].message
    # the same cell holds the source
    assert not [f for f in check_docx(None, source, "en") if f.check == "overflow"]


def test_a_cell_tall_enough_for_the_translation_is_not_reported():
    source = make_docx(row_height=60)
    target = translate(source, "fr", longer_pseudo)
    assert not [f for f in check_docx(source, target, "fr") if f.check == "overflow"]


@pytest.fixture
def latin_only_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A font with ASCII glyphs only, installed for fontconfig (and LibreOffice) through a
    configuration of its own that also keeps the system's fonts."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    family = "Latin Only Test"
    names = [".notdef", "space"] + [f"c{cp}" for cp in range(0x21, 0x7F)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x20: "space", **{cp: f"c{cp}" for cp in range(0x21, 0x7F)}})
    pen = TTGlyphPen(None)
    pen.moveTo((50, 0))
    pen.lineTo((50, 700))
    pen.lineTo((450, 700))
    pen.closePath()
    glyph = pen.glyph()
    fb.setupGlyf({n: glyph for n in names})
    fb.setupHorizontalMetrics({n: (500, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    folder = tmp_path / "fonts"
    folder.mkdir()
    fb.save(str(folder / "LatinOnlyTest.ttf"))
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{folder}</dir>
  <cachedir>{tmp_path / "cache"}</cachedir>
</fontconfig>
""")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    resolved = fonts.resolve(family)
    assert resolved is not None and resolved.family == family, resolved
    return family


def test_a_font_without_cyrillic_exported_in_russian_names_the_font_and_letters(
        latin_only_font):
    source = make_docx(font=latin_only_font, row_height=60)
    target = translate(source, "ru", lambda _text: RUSSIAN)
    found = [f for f in check_docx(source, target, "ru") if f.check == "fonts"]
    assert len(found) == 1, found
    finding = found[0]
    assert finding.font == latin_only_font
    assert set(finding.characters) == {c for c in RUSSIAN if "\u0400" <= c <= "\u04ff"}
    assert "Latin Only Test" in finding.message and "М" in finding.message
    # the English source prints fine in it
    assert not [f for f in check_docx(None, source, "en") if f.check == "fonts"]


def test_a_clean_russian_document_reports_nothing():
    source = make_docx(row_height=60)
    target = translate(source, "ru", lambda _text: RUSSIAN)
    assert check_docx(source, target, "ru") == []


def test_text_left_in_another_language_and_missing_bidi_are_reported():
    source = make_docx(row_height=60)
    found = check_docx(source, source, "ar", rtl=True)
    checks = {f.check for f in found}
    assert checks == {"language", "direction"}, found
    assert any("en-US" in f.message for f in found if f.check == "language")


def test_a_font_that_is_not_installed_is_named_with_its_stand_in():
    source = make_docx(font="Nonexistent Serif Pro", row_height=60)
    found = [f for f in check_docx(None, source, "en") if f.check == "substitution"]
    assert len(found) == 1 and found[0].font == "Nonexistent Serif Pro"
    assert found[0].severity == "note"


def test_more_pages_than_the_source_is_reported():
    assert check_pages(3, 3) == []
    [finding] = check_pages(3, 4)
    assert finding.message == "The translation has 4 pages, the source 3."
