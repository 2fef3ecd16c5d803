"""Failures in the middle of long operations leave nothing half-done: an import, an offline
upload, an edition and export files either happen completely or not at all."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.conftest import SOURCE_DOCS
from tests.factories import login
from tests.test_security_xss import World, build_world
from tms import segmentation
from tms.db import new_session
from tms.formats import po
from tms.models import EditionFile, Segment, Translation
from tms.orm import Base
from tms.services import exporting, workflow


class Injected(RuntimeError):
    """The failure we cause on purpose."""


def fail_after(n: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that the call after the n-th raises Injected."""
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > n:
            raise Injected(f"injected failure after {n} calls")
        return real(*args, **kwargs)

    return wrapper


def row_counts(app: Flask) -> dict[str, int]:
    """Rows per table."""
    with app.app_context(), new_session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables}


def contents(app: Flask, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of some tables, for before/after comparison."""
    with app.app_context(), new_session() as s:
        out = {}
        for table in Base.metadata.sorted_tables:
            if table.name in tables:
                out[table.name] = [tuple(r) for r in s.execute(
                    table.select().order_by(*table.primary_key.columns))]
        return out


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    """A document with translations, an edition and a team (see test_security_xss)."""
    return build_world(session, "Une traduction.", title="Declaration")


@pytest.fixture
def admin(app: Flask, world: World):  # type: ignore[no-untyped-def]
    """The admin's client; a failing request gives the 500 page, as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    login(client, world.admin)
    return client


def _upload(client, url: str, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("slug", ["fresh-document", "decl"])
def test_import_failing_in_the_segmenter_writes_nothing(app: Flask, admin, world: World,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        slug: str) -> None:  # type: ignore[no-untyped-def]
    before = row_counts(app)
    monkeypatch.setattr(segmentation, "segment", fail_after(5, segmentation.segment))
    data = (SOURCE_DOCS / "sample-manifesto.docx").read_bytes()
    resp = _upload(admin, "/admin/documents", "manifesto.docx", data, slug=slug)
    assert resp.status_code == 500
    assert "Nothing was saved" in resp.get_data(as_text=True)
    assert row_counts(app) == before


@contextmanager
def failing_flush(session_class: type, after: int) -> Iterator[None]:
    """Make the (after+1)-th flush of any session raise."""
    calls = {"n": 0}

    def before_flush(_session: Any, _ctx: Any, _instances: Any) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise Injected("injected flush failure")

    event.listen(session_class, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(session_class, "before_flush", before_flush)


@pytest.mark.parametrize("after", [0, 1, 2])
def test_import_failing_at_a_later_flush_writes_nothing(app: Flask, admin, world: World,
                                                        after: int) -> None:  # type: ignore[no-untyped-def]
    before = contents(app, "document", "document_version", "block", "segment", "translation")
    counts = row_counts(app)
    data = (SOURCE_DOCS / "sample-declaration.md").read_bytes()
    with failing_flush(Session, after):
        resp = _upload(admin, "/admin/documents", "declaration.md", data, slug="decl")
    assert resp.status_code == 500
    assert row_counts(app) == counts
    assert contents(app, *before) == before


def test_offline_upload_failing_half_way_writes_nothing(app: Flask, world: World,
                                                        session: Session,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    translator = app.test_client()
    login(translator, world.translator)
    resp = translator.get(f"/offline/{world.slug}/{world.lang}/download/po")
    assert resp.status_code == 200
    units = po.read_units(resp.data, filename="x.po")
    text = resp.data.decode()
    # translate many units offline
    for unit in units[:12]:
        if unit.source and "<" not in unit.source:
            text = text.replace(f'msgid "{unit.source}"\nmsgstr ""',
                                f'msgid "{unit.source}"\nmsgstr "Hors ligne {unit.key}"', 1)
    assert text.count("Hors ligne") >= 5
    before = contents(app, "translation", "revision", "suggestion", "activity")
    counts = row_counts(app)
    monkeypatch.setattr(workflow, "save_translation", fail_after(3, workflow.save_translation))
    resp = _upload(translator, f"/offline/{world.slug}/{world.lang}", "fr.po", text.encode(),
                   state="translated")
    assert resp.status_code == 500
    assert row_counts(app) == counts
    assert contents(app, *before) == before
    # and without the failure the same upload goes through
    monkeypatch.undo()
    resp = _upload(translator, f"/offline/{world.slug}/{world.lang}", "fr.po", text.encode(),
                   state="translated")
    assert resp.status_code == 200
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Translation).where(
        Translation.target.like("Hors ligne%"))) >= 5


def test_edition_failing_between_its_files_leaves_no_edition(app: Flask, admin,
                                                             world: World) -> None:  # type: ignore[no-untyped-def]
    counts = row_counts(app)
    calls = {"n": 0}

    def before_insert(_mapper: Any, _conn: Any, _target: EditionFile) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # two files are in, the third fails
            raise Injected("injected failure while storing the third file")

    event.listen(EditionFile, "before_insert", before_insert)
    try:
        resp = admin.post(f"/publish/{world.slug}/{world.lang}/editions")
    finally:
        event.remove(EditionFile, "before_insert", before_insert)
    assert calls["n"] == 3
    assert resp.status_code == 500
    assert row_counts(app) == counts


def test_edition_with_a_failing_writer_is_refused_whole(app: Flask, admin, world: World,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tms.formats import xliff

    counts = row_counts(app)
    monkeypatch.setattr(xliff, "write", fail_after(0, xliff.write))
    resp = admin.post(f"/publish/{world.slug}/{world.lang}/editions", follow_redirects=True)
    assert resp.status_code in (200, 500)
    assert "Traceback" not in resp.get_data(as_text=True)
    assert row_counts(app) == counts


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("args", [["--doc", "decl", "--lang", "fr", "--format", "docx"],
                                  ["--all"]])
def test_export_failing_while_writing_leaves_no_partial_file(app: Flask, world: World,
                                                             runner, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             args: list[str]) -> None:  # type: ignore[no-untyped-def]
    exports = Path(app.config["EXPORTS_DIR"])
    real_fsync = exporting.os.fsync
    written: list[int] = []

    def full_disk(fd: int) -> None:
        # the bytes are in the temporary file: the disk fills up before they are safe
        written.append(fd)
        if len(written) >= 2 or args != ["--all"]:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(exporting.os, "fsync", full_disk)
    runner.invoke(args=["export", *args])
    assert written
    files = _files(exports)
    # whatever was written is whole; no temporary or half-written file stays behind
    assert not [p for p in files if p.name.startswith(".tmp-")]
    assert len(files) <= 1
    if args == ["--all"]:
        with app.app_context(), new_session() as s:
            assert s.scalar(select(func.count()).select_from(Segment)) > 0
        assert len(files) == 1  # the one export that was written before the disk filled
