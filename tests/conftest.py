"""Shared fixtures: an app on a real database (SQLite or PostgreSQL), clients, factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tms import create_app
from tms.orm import Base, make_engine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "docx"
SOURCE_DOCS = ROOT / "source_docs"
PASSWORD = "correct horse battery staple"


def database_url(tmp_root: Path) -> str:
    """TMS_DATABASE_URL if set (CI's PostgreSQL run), else a SQLite file."""
    return os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Create the schema once per test run on a clean database."""
    url = database_url(tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    import tms.models  # noqa: F401  (registers the tables)

    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url


def _wipe(app: Flask) -> None:
    from tms.services import memory

    memory.reset_indexes()
    engine = app.extensions["tms_engine"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app whose database is emptied after each test."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "EXPORTS_DIR": str(tmp_path / "exports"),
            "INSTANCE_DIR": str(tmp_path / "instance"),
        }
    )
    try:
        yield app
    finally:
        _wipe(app)
        app.extensions["tms_engine"].dispose()


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session inside an app context (the one views use)."""
    from tms.db import get_session

    with app.app_context():
        yield get_session()
