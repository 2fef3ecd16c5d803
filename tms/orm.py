"""The database below the application: the declarative base and engine creation.

No Flask here: models, services, queries, migrations and benchmarks build on this module;
tms.db binds it to the Flask app (one session per request or command).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool

from tms.i18n import _

POSTGRES_EXTRA = "pip install 'tms[postgres]'"


class Base(DeclarativeBase):
    """Declarative base of every tms model."""


class MissingDriver(Exception):
    """The database URL names a driver that is not installed (psycopg is an extra)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_driver(url: str) -> None:
    """Refuse, in one sentence, a database URL whose Python driver is not installed."""
    if url.startswith("sqlite"):
        return
    driver = make_url(url).get_driver_name()
    if importlib.util.find_spec(driver) is not None:
        return
    if driver == "psycopg":
        raise MissingDriver(_("PostgreSQL needs the psycopg driver; install it with: "
                              "%(command)s", command=POSTGRES_EXTRA))
    raise MissingDriver(_("The database driver %(driver)s is not installed.", driver=driver))


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    check_driver(url)
    if url.startswith("sqlite"):
        # hide_parameters: error messages (and so logs) never carry the texts volunteers typed
        kwargs: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False},
                        "hide_parameters": True}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         hide_parameters=True)
