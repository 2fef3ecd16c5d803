"""`tms tm import` of bilingual files written the way other tools write them (fixtures made
by hand from the formats' specifications under tests/fixtures/bilingual), and the readers
behind it: pair counts, tags, approval, skipped lines, encodings."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_language, make_user
from tms.formats import read_bilingual
from tms.formats.base import FormatError
from tms.models import MemoryUnit

FIXTURES = Path(__file__).parent / "fixtures" / "bilingual"


def units(session: Session) -> list[MemoryUnit]:
    session.expire_all()
    return list(session.scalars(select(MemoryUnit).order_by(MemoryUnit.id)))


def tm_import(runner, name: str, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["tm", "import", str(FIXTURES / name), "--json", *args])
    assert result.exit_code == 0, result.output
    report: dict = json.loads(result.output)
    return report


# (fixture, format, pairs read, pairs added, skipped, languages)
CASES = [
    ("memoq.mqxliff", "xliff", 4, 3, 1, ["en-gb", "fr-fr"]),
    ("trados.sdlxliff", "xliff", 3, 3, 1, ["de-DE", "en-US"]),
    ("passolo.xlf", "xliff", 3, 3, 1, ["en-US", "es-ES"]),
    ("xliff2.xlf", "xliff2", 5, 5, 1, ["en", "pt-BR"]),
    ("ru-windows-1251.po", "po", 5, 5, 2, ["en", "ru"]),
    ("omegat-bpt.tmx", "tmx", 5, 5, 2, ["de", "en", "fr"]),
    ("memory.csv", "csv", 5, 3, 2, ["de", "en", "fr"]),
]


@pytest.mark.parametrize(("name", "fmt", "read", "added", "skipped", "languages"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_tools_file_imports_with_the_expected_pairs(runner, session, name, fmt, read,
                                                         added, skipped, languages):
    report = tm_import(runner, name)
    assert (report["format"], report["read"], report["imported"]) == (fmt, read, added)
    assert len(report["skipped"]) == skipped
    assert all(item["line"] and item["reason"] for item in report["skipped"])
    assert report["languages"] == languages
    assert report["duplicates"] == read - added
    assert len(units(session)) == added
    again = tm_import(runner, name)  # units are deduplicated against the memory
    assert again["imported"] == 0 and again["duplicates"] == read


def test_inline_codes_become_tms_tags(runner, session):
    make_language(session, "fr")
    make_language(session, "de")
    session.commit()
    for name in ("memoq.mqxliff", "trados.sdlxliff", "omegat-bpt.tmx", "passolo.xlf",
                 "xliff2.xlf"):
        tm_import(runner, name)
    got = {u.source: (u.target, u.approved, u.source_language, u.target_language)
           for u in units(session)}
    # memoQ bpt/ept and ph, regions mapped onto the known languages
    assert got["We declare our <1>rights</1>."] == (
        "Nous déclarons nos <1>droits</1>.", True, "en", "fr")
    assert got["See note<1/> and the annex."][0] == "Voir la note<1/> et l’annexe."
    assert got["Sex work is work."][1] is False  # needs-review: not approved
    # Trados: one pair per <mrk mtype="seg">, its g ids ("pt1") renumbered
    assert got["They belong to <1>everyone</1>."][0] == "Sie gehören <1>allen</1>."
    assert got["Rights are universal."][0] == "Rechte sind universell."
    # TMX bpt/ept by i, hi paired, ut dropped
    assert got["Read the <1>whole</1> text."][0] in ("Lisez le texte <1>entier</1>.",
                                                       "Lesen Sie den <1>ganzen</1> Text.")
    assert "A <901>highlighted</901> word and code." in got
    # Passolo XLIFF 1.0 without namespace, windows-1252, bx/ex paired by rid
    assert got["&Open the <1>declaration</1>"][0] == "&Abrir la <1>declaración</1>"
    assert got["Café for members"][0] == "Café para miembros"
    # XLIFF 2.0: pc, sc/ec, mrk unwrapped, cp, "initial" not approved
    assert got["<1>Safety</1> first, SWAN always."][0] == "<1>Segurança</1> primeiro, SWAN sempre."
    assert got["Call us<1/>any time."][0] == "Ligue para nós<1/>a qualquer hora."
    assert got["Tab\tstop"][0] == "Tabulação\tparada"
    assert got["Draft text"][1] is False


def test_windows_1251_po_keeps_contexts_plurals_and_fuzzy(runner, session):
    tm_import(runner, "ru-windows-1251.po")
    got = {(u.source, u.target): u.approved for u in units(session)}
    assert got[("Our rights", "Наши права")] is True
    # the same msgid under two msgctxt gives two pairs
    assert ("Open", "Открыть") in got and ("Open", "Открыто") in got
    assert got[("Sex work is work.", "Секс-работа — это работа.")] is False
    plural = next(u for u in units(session) if u.source.startswith("%(num)s member"))
    assert plural.target.count("\n||\n") == 2


def test_utf16_po_needs_its_source_language(runner, session):
    result = runner.invoke(args=["tm", "import", str(FIXTURES / "uk-utf16.po")])
    assert result.exit_code == 1
    assert "does not say which languages" in result.output and "line 10" in result.output
    assert units(session) == []
    report = tm_import(runner, "uk-utf16.po", "--source-lang", "en")
    assert report["imported"] == 2
    assert {(u.source_language, u.target_language, u.target) for u in units(session)} >= {
        ("en", "uk", "Наші права")}


def test_csv_with_source_and_target_columns_takes_the_languages_given(runner, session):
    report = tm_import(runner, "columns.tsv", "--source-lang", "en", "--target-lang", "fr")
    assert report["imported"] == 2
    assert {(u.source_language, u.target_language) for u in units(session)} == {("en", "fr")}


def test_the_report_lists_skipped_lines(runner, session):
    result = runner.invoke(args=["tm", "import", str(FIXTURES / "memoq.mqxliff")])
    assert result.exit_code == 0, result.output
    assert "1 unit gave no pair" in result.output
    assert "Skipped (line 24): the unit has no translation" in result.output
    assert "Languages in the file: en-gb, fr-fr." in result.output


def test_web_upload_imports_an_xliff(client, session):
    make_user(session, "rita", roles={"fr": "reviewer"})
    session.commit()
    login(client, "rita")
    data = (FIXTURES / "memoq.mqxliff").read_bytes()
    response = client.post("/memory/import", data={
        "source": "en", "target": "fr", "file": (io.BytesIO(data), "memoq.mqxliff")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 pairs added to the memory" in page
    assert "Skipped (line 24)" in page


# --------------------------------------------------------------------------- encodings


def _po(charset: str, body: str) -> str:
    return (f'msgid ""\nmsgstr ""\n"Language: ru\\n"\n'
            f'"Content-Type: text/plain; charset={charset}\\n"\n\n{body}')


def test_a_po_declaring_a_legacy_charset_but_saved_as_utf8_is_refused() -> None:
    data = _po("windows-1251", 'msgid "Our rights"\nmsgstr "Наши права"\n').encode("utf-8")
    with pytest.raises(FormatError, match="declares the character set windows-1251 but its "
                                          "text is UTF-8"):
        read_bilingual("x.po", data)


def test_a_bom_contradicting_the_declaration_is_refused() -> None:
    text = _po("windows-1251", 'msgid "Our rights"\nmsgstr "Наши права"\n')
    with pytest.raises(FormatError, match="UTF-16 byte-order mark but declares"):
        read_bilingual("x.po", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def test_utf8_bom_po_and_undeclared_utf16_po_are_read() -> None:
    text = _po("UTF-8", 'msgid "Our rights"\nmsgstr "Наши права"\n')
    for data in (codecs.BOM_UTF8 + text.encode("utf-8"),
                 codecs.BOM_UTF16_BE + text.replace("UTF-8", "CHARSET").encode("utf-16-be")):
        found = read_bilingual("x.po", data)
        assert [(p.source, p.target) for p in found.pairs] == [("Our rights", "Наши права")]


def test_an_xml_file_declaring_latin1_but_saved_as_utf8_is_refused() -> None:
    data = (FIXTURES / "passolo.xlf").read_bytes().decode("cp1252").encode("utf-8")
    with pytest.raises(FormatError, match="declares the character set windows-1252 but"):
        read_bilingual("passolo.xlf", data)


def test_unknown_files_are_refused_in_one_sentence() -> None:
    with pytest.raises(FormatError, match="tms reads translation pairs from TMX, XLIFF, PO "
                                          "and CSV files"):
        read_bilingual("notes.docx", b"PK\x03\x04")
