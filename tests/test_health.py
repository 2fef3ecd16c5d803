"""Liveness and readiness: /healthz says whether the database answers and whether this
worker's memory index is built; /readyz is 503 until it is, and starts the build itself."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tms.services import memory


def _remember(session: Session, n: int) -> None:
    for i in range(n):
        memory.remember(session, source=f"Sentence number {i} of the memory.",
                        target=f"Phrase {i}.", source_language="en", target_language="fr",
                        origin="t", approved=True)
    session.commit()


def test_warm_reads_every_unit_and_marks_the_process_ready(app: Flask,
                                                          session: Session) -> None:
    _remember(session, 3)
    memory.reset_indexes()
    assert not memory.is_warm(session)
    assert memory.warm(session) == 3
    assert memory.is_warm(session)
    matches = memory.lookup(session, "Sentence number 1 of the memory.", source_language="en",
                            target_language="fr")
    assert matches and matches[0].score == 100


def test_readyz_is_503_until_the_background_build_is_done(app: Flask, client: FlaskClient,
                                                        session: Session) -> None:
    _remember(session, 5)
    memory.reset_indexes()
    assert client.get("/healthz").json == {"status": "ok", "ready": False}
    first = client.get("/readyz")  # the build starts now, in the background
    assert first.status_code == 503 and first.json == {"status": "warming"}
    deadline = time.monotonic() + 20
    resp = first
    while time.monotonic() < deadline:
        resp = client.get("/readyz")
        if resp.status_code == 200:
            break
        time.sleep(0.05)
    assert resp.status_code == 200 and resp.json == {"status": "ready"}
    assert client.get("/healthz").json == {"status": "ok", "ready": True}


def test_healthz_is_503_when_the_database_is_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tms import create_app

    broken = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    client = broken.test_client()
    assert client.get("/healthz").status_code == 503
    assert client.get("/readyz").json == {"status": "unavailable"}
