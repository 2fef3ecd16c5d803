"""`tms tm`, `tms glossary` and `tms upload` through Flask's CLI runner."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.formats import glossary_files, tmx
from tms.formats.base import GlossaryEntry, MemoryPair
from tms.models import GlossaryTerm, MemoryUnit, Segment, State
from tms.services import memory, workflow
from tms.services.exporting import export_document

PAIRS = [
    MemoryPair("We declare our rights.", "Nous déclarons nos droits.", "en-GB", "fr-FR"),
    MemoryPair("Everyone has the right to <1>life</1>.", "Chacun a droit à la <1>vie</1>.",
               "en-GB", "fr-FR"),
    MemoryPair("We declare our rights.", "Wir erklären unsere Rechte.", "en-GB", "de-DE"),
]


@pytest.fixture
def tmx_file(tmp_path: Path, session: Session) -> Path:
    make_language(session, "fr")
    make_language(session, "de")
    session.commit()
    path = tmp_path / "network.tmx"
    path.write_bytes(tmx.write(PAIRS, source_language="en-GB", target_language="fr-FR"))
    return path


def units(session: Session) -> list[MemoryUnit]:
    session.expire_all()
    return list(session.scalars(select(MemoryUnit).order_by(MemoryUnit.id)))


def test_tm_import_maps_regions_to_known_languages_and_is_idempotent(runner, session, tmx_file):
    result = runner.invoke(args=["tm", "import", str(tmx_file)])
    assert result.exit_code == 0, result.output
    assert "3 pairs added" in result.output
    got = {(u.source_language, u.target_language, u.target, u.origin, u.approved)
           for u in units(session)}
    assert ("en", "fr", "Nous déclarons nos droits.", "tmx: network.tmx", True) in got
    assert ("en", "de", "Wir erklären unsere Rechte.", "tmx: network.tmx", True) in got
    again = runner.invoke(args=["tm", "import", str(tmx_file)])
    assert "0 pairs added" in again.output and "3 already there" in again.output
    assert len(units(session)) == 3


def test_tm_import_with_a_language_pair_keeps_only_that_pair(runner, session, tmx_file):
    result = runner.invoke(args=["tm", "import", str(tmx_file), "--source-lang", "en",
                                 "--target-lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "2 pairs added" in result.output and "1 of other languages" in result.output
    assert {(u.source_language, u.target_language) for u in units(session)} == {("en", "fr")}
    match = memory.lookup(session, "We declare our rights.", source_language="en",
                          target_language="fr")
    assert match and match[0].score == 100


def test_tm_import_of_a_broken_file_writes_nothing(runner, session, tmp_path):
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(b"<tmx><header/><body><tu><tuv><seg>x</seg></tuv>")
    result = runner.invoke(args=["tm", "import", str(bad)])
    assert result.exit_code == 1 and "bad.tmx cannot be read" in result.output
    assert units(session) == []


def test_tm_export_round_trips(runner, session, tmp_path, tmx_file):
    runner.invoke(args=["tm", "import", str(tmx_file), "--source-lang", "en",
                        "--target-lang", "fr"])
    out = tmp_path / "out.tmx"
    result = runner.invoke(args=["tm", "export", "--source-lang", "en", "--target-lang", "fr",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    pairs = tmx.read(out.read_bytes(), filename="out.tmx")
    assert {(p.source, p.target) for p in pairs} == {(p.source, p.target) for p in PAIRS[:2]}


@pytest.mark.parametrize("fmt", ["tbx", "csv"])
def test_glossary_import_and_export(runner, session, tmp_path, fmt):
    make_language(session, "fr")
    session.commit()
    entries = [GlossaryEntry("sex worker", "travailleuse du sexe", "en", "fr", "plural: -s"),
               GlossaryEntry("prostitute", "prostituée", "en", "fr", forbidden=True)]
    data = glossary_files.write_tbx(entries) if fmt == "tbx" else glossary_files.write_csv(
        entries)
    path = tmp_path / f"terms.{fmt}"
    path.write_bytes(data)
    result = runner.invoke(args=["glossary", "import", str(path), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "2 terms added or updated" in result.output
    session.expire_all()
    terms = {t.source_term: t for t in session.scalars(select(GlossaryTerm))}
    assert terms["prostitute"].forbidden and terms["sex worker"].note == "plural: -s"
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["glossary", "export", "--lang", "fr", "--format", fmt,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    back = glossary_files.read(out.read_bytes(), filename=out.name)
    assert {(e.source_term, e.target_term, e.forbidden) for e in back} == {
        ("sex worker", "travailleuse du sexe", False), ("prostitute", "prostituée", True)}


def test_glossary_import_of_a_csv_without_columns_says_so(runner, session, tmp_path):
    make_language(session, "fr")
    session.commit()
    path = tmp_path / "terms.csv"
    path.write_text("word;other\nsex work;travail du sexe\n", encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(path), "--lang", "fr"])
    assert result.exit_code == 1 and "must name the columns" in result.output
    assert session.scalar(select(func.count(GlossaryTerm.id))) == 0


def test_upload_applies_a_po_file_like_the_web(runner, session, tmp_path):
    fr = make_language(session, "fr")
    ana = make_user(session, "ana", roles={"fr": "translator"})
    doc = make_document(session)
    segs = list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))
    data = export_document(session, doc, fr, "po").data
    session.commit()
    catalogue = polib.pofile(data.decode("utf-8") + "\n")
    for entry in catalogue:
        if entry.msgctxt == segs[0].key:
            entry.msgstr = "Nous déclarons nos droits."
        if entry.msgctxt == segs[1].key:
            entry.msgstr = "Chacun a droit à la vie."  # tag dropped
    path = tmp_path / "declaration.fr.po"
    path.write_text(str(catalogue), encoding="utf-8")
    result = runner.invoke(args=["upload", str(path), "--doc", "declaration", "--lang", "fr",
                                 "--user", "ana", "--state", "draft"])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "Skipped (line" in result.output
    session.expire_all()
    t = workflow.get_translation(session, segs[0].id, fr.id)
    assert t.state == State.DRAFT and t.translator_id == ana.id


@pytest.mark.parametrize(("args", "message"), [
    (["--doc", "nope", "--lang", "fr", "--user", "ana"], "No document"),
    (["--doc", "declaration", "--lang", "xx", "--user", "ana"], "No language"),
    (["--doc", "declaration", "--lang", "fr", "--user", "nobody"], "No user"),
])
def test_upload_refuses_unknown_names(runner, session, tmp_path, args, message):
    make_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    make_document(session)
    session.commit()
    path = tmp_path / "x.po"
    path.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    result = runner.invoke(args=["upload", str(path), *args])
    assert result.exit_code == 2 and message in result.output


def test_tm_import_reads_our_own_document_tmx_and_keeps_dates(runner, session, tmp_path):
    fr = make_language(session, "fr")
    doc = make_document(session, sources=["See [1] and <1>this</1>.", "Plain [text]."])
    ana = make_user(session, "ana", roles={"fr": "reviewer"})
    segs = list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))
    workflow.save_translation(session, segment=segs[0], language=fr, user=ana,
                              target="Voir [1] et <1>ceci</1>.", state=State.TRANSLATED,
                              base_version=0)
    path = tmp_path / "declaration.fr.tmx"
    path.write_bytes(export_document(session, doc, fr, "tmx", include="translated").data)
    session.execute(MemoryUnit.__table__.delete())
    session.commit()
    result = runner.invoke(args=["tm", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    assert report["imported"] == 1 and report["notes_dropped"] == 0
    (unit,) = units(session)
    assert unit.target == "Voir [1] et <1>ceci</1>."


OMEGAT_SAVE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
   creationtoolversion="3.6.0_0" segtype="sentence" srclang="en"/>
  <body>
<!-- Default translations [without alternatives] -->
    <tu>
      <note>Checked [twice].</note>
      <tuv lang="en"><seg>We declare our rights.</seg></tuv>
      <tuv lang="fr" changeid="ana" changedate="20250301T090000Z">
        <seg>Nous déclarons nos droits.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_tm_import_reads_omegat_tmx_and_reports_what_it_cannot_keep(runner, session, tmp_path):
    make_language(session, "fr")
    session.commit()
    path = tmp_path / "project_save.tmx"
    path.write_text(OMEGAT_SAVE, encoding="utf-8")
    result = runner.invoke(args=["tm", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 pair added" in result.output
    assert "notes and properties of 1 pair were not kept" in result.output
    (unit,) = units(session)
    assert unit.origin == "tmx: project_save.tmx (ana)"
    assert unit.created_at.replace(tzinfo=None).isoformat() == "2025-03-01T09:00:00"


def test_upload_where_every_unit_is_skipped_exits_1(runner, session, tmp_path):
    fr = make_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    doc = make_document(session)
    data = export_document(session, doc, fr, "po").data
    session.commit()
    catalogue = polib.pofile(data.decode("utf-8") + "\n")
    for entry in catalogue:
        entry.msgctxt = "unknown-" + entry.msgctxt
        entry.msgstr = "Texte."
    path = tmp_path / "declaration.fr.po"
    path.write_text(str(catalogue), encoding="utf-8")
    result = runner.invoke(args=["upload", str(path), "--doc", "declaration", "--lang", "fr",
                                 "--user", "ana"])
    assert result.exit_code == 1
    assert "units of declaration.fr.po were skipped; nothing was imported." in result.output
    as_json = runner.invoke(args=["upload", str(path), "--doc", "declaration", "--lang", "fr",
                                  "--user", "ana", "--json"])
    assert as_json.exit_code == 1 and '"skipped": [' in as_json.output
