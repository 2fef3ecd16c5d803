"""`tms backup` / `tms restore`: after a restore every table holds exactly what it held at
backup time (SQLite online backup API; pg_dump/pg_restore on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.db import new_session
from tms.models import Comment, Document, Language, Segment, State, Translation, User
from tms.orm import Base
from tms.services import backup as backup_service
from tms.services import workflow


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key."""
    with app.app_context(), new_session() as s:
        result = {}
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result[table.name] = [tuple(row) for row in s.execute(table.select().order_by(*order))]
        return result


@pytest.fixture
def filled(app: Flask, session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """A database with people, a document, translations with history, a comment."""
    fr = make_language(session, "fr")
    make_language(session, "de")
    ana = make_user(session, "ana", roles={"fr": "translator"}, email="ana@example.org")
    make_user(session, "rita", roles={"fr": "reviewer"})
    doc = make_document(session)
    doc.versions[0].data = bytes(range(256)) * 4  # binary columns survive byte for byte
    segs = list(session.scalars(select(Segment).order_by(Segment.position)))
    for i, seg in enumerate(segs):
        workflow.save_translation(session, segment=seg, language=fr, user=ana,
                                  target=f"Texte « {i} » — ünïcödé", state=State.TRANSLATED,
                                  base_version=0)
    session.add(Comment(segment_id=segs[0].id, language_id=fr.id, author_id=ana.id,
                        body="Is this the right word?"))
    session.commit()
    session.close()
    return snapshot(app)


def _damage(app: Flask) -> None:
    with app.app_context(), new_session() as s:
        for t in s.scalars(select(Translation)):
            t.target = "overwritten"
            t.version += 1
        s.delete(s.scalars(select(User).where(User.pseudonym == "rita")).one())
        s.delete(s.scalars(select(Document)).one())
        s.add(Language(code="es", name="Spanish"))
        s.commit()


def test_backup_then_restore_gives_back_every_row(app: Flask, runner, filled, tmp_path: Path
                                                   ) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "saved" / "tms.backup"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 0
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".tms-backup-")]

    _damage(app)
    assert snapshot(app) != filled

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    after = snapshot(app)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in filled.items()}
    assert after == filled

    # the restored schema takes new writes (ids continue after the restored ones)
    with app.app_context(), new_session() as s:
        s.add(Language(code="it", name="Italian"))
        s.commit()
        assert s.scalar(select(Language.id).where(Language.code == "it")) > max(
            row[0] for row in filled["language"])


def test_default_backup_file_goes_to_instance_backups(app: Flask, runner, filled) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    files = list((Path(app.config["INSTANCE_DIR"]) / "backups").iterdir())
    assert len(files) == 1 and files[0].name.startswith("tms-")
    assert str(files[0]) in result.output


def test_restore_asks_first_and_keeps_data_when_refused(app: Flask, runner, filled,
                                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "b"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    _damage(app)
    damaged = snapshot(app)
    result = runner.invoke(args=["restore", str(out)], input="n\n")
    assert result.exit_code != 0
    assert snapshot(app) == damaged


@pytest.mark.parametrize("content", [b"", b"hello, this is not a backup", b"PK\x03\x04zip"])
def test_restore_refuses_other_files_with_one_sentence(app: Flask, runner, filled,
                                                       tmp_path: Path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.bin"
    bad.write_bytes(content)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1
    assert "notes.bin" in result.output and "Traceback" not in result.output
    assert snapshot(app) == filled


def test_sqlite_database_that_is_not_tms_is_refused(app: Flask, filled, tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    engine = app.extensions["tms_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite file is refused by its header on PostgreSQL (tested above)")
    with pytest.raises(backup_service.BackupError, match="not a tms backup"):
        backup_service.restore(engine, other)
    assert snapshot(app) == filled
