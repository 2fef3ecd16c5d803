"""Engine and session handling: one SQLAlchemy session per request or CLI command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tms.i18n import _
from tms.orm import make_engine
from tms.services.errors import ServiceError


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["tms_engine"] = engine
    app.extensions["tms_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["tms_engine"]


def get_session() -> Session:
    """The session of the current request or CLI command, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tms_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def commit_or_refuse(session: Session, message: str) -> None:
    """Commit; when a unique constraint refuses it (two people wrote the same row at the same
    moment), roll back and raise a ServiceError with this message instead."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ServiceError(message) from exc


@contextmanager
def new_session() -> Iterator[Session]:
    """A session outside the request cycle (background work, benchmarks)."""
    session = current_app.extensions["tms_sessionmaker"]()
    try:
        yield session
    finally:
        session.close()


def rollback_current() -> None:
    """Roll back the session of this request or command, if it opened one (after a refusal)."""
    session = g.get("db_session") if has_app_context() else None
    if session is not None:
        session.rollback()


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (database errors run to many lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class DatabaseNotReady(ServiceError):
    """The database has no schema yet, or cannot be reached."""


def require_database() -> None:
    """Refuse, in one sentence, a SQLite database file that does not exist: connecting would
    create an empty one (e.g. a command run outside the project folder)."""
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    if url.database.startswith("file:") or Path(url.database).exists():
        return
    raise DatabaseNotReady(_(
        "The database is not ready: there is no tms database at %(path)s; run the command in "
        "the project folder, set TMS_INSTANCE_DIR, or run “tms init” to create one.",
        path=url.database))


@contextmanager
def database_errors(*, require: bool = True) -> Iterator[None]:
    """Turn a database failure into DatabaseNotReady (one sentence), so callers above the
    database layer (the CLI) handle tms exceptions only; the session is rolled back first.
    A missing SQLite file is refused before anything connects (see require_database), unless
    the command creates the database itself (require=False)."""
    if require:
        require_database()
    try:
        yield
    except SQLAlchemyError as exc:
        rollback_current()
        # The sentence names `tms init`: the command line is where an empty database shows.
        raise DatabaseNotReady(
            _("The database is not ready (%(error)s); run “tms init” first.",
              error=first_line(getattr(exc, "orig", None) or exc))
        ) from exc
