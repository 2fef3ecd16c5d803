"""What every command shares: one error path, name lookups with their messages, a progress bar.

Commands validate their input, call one service or query, commit once and print; a refusal
(any ServiceError, a database that is not ready) becomes one "Error: ..." line and exit 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app

from tms import db, migrate
from tms.db import get_session
from tms.i18n import _
from tms.models import Document, Language, User
from tms.queries import lookup
from tms.services.errors import ServiceError

CommandT = TypeVar("CommandT", bound=Callable[..., Any])
RowT = TypeVar("RowT")


def service_errors(command: CommandT) -> CommandT:
    """Print a service's refusal as one "Error: ..." line (exit 1), after a rollback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ServiceError as exc:
            db.rollback_current()
            raise click.ClickException(exc.message) from exc

    return wrapper  # type: ignore[return-value]


def database_errors(command: CommandT) -> CommandT:
    """As service_errors, and a database that is missing or unreachable says so in one
    sentence (pointing at `tms init`); a missing SQLite file is not created."""
    return _database_errors(command, require=True)


def creating_database_errors(command: CommandT) -> CommandT:
    """database_errors for a command that creates the database itself (`tms demo`)."""
    return _database_errors(command, require=False)


def _database_errors(command: CommandT, *, require: bool) -> CommandT:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with db.database_errors(require=require):
            return command(*args, **kwargs)

    return service_errors(wrapper)  # type: ignore[return-value]


def prepare_database() -> str | None:
    """Create the instance folder and create or upgrade the schema; returns the revision.

    Any failure (the database may be unreachable) becomes one sentence and exit 1."""
    try:
        Path(current_app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
        return migrate.upgrade(db.get_engine())
    except Exception as exc:  # whatever the driver raises, the user gets one sentence
        raise click.ClickException(
            _("The database could not be prepared: %(error)s", error=db.first_line(exc))
        ) from exc


# Two wordings exist, kept as users know them: the reports (segments, stats, i18n) say
# "There is no ..." and exit 1; export, pretranslate, upload and the exchange commands
# treat an unknown name as a usage error ("No ... with the ...", exit 2).


def _found(row: RowT | None, usage: bool, message: str, usage_message: str) -> RowT:
    """The row, or the click error for a name that matches nothing."""
    if row is not None:
        return row
    if usage:
        raise click.UsageError(usage_message)
    raise click.ClickException(message)


def find_document(slug: str, *, usage: bool = False) -> Document:
    """The document with this slug, or a click error naming it."""
    return _found(lookup.document_by_slug(get_session(), slug), usage,
                  _("There is no document “%(slug)s”.", slug=slug),
                  _("No document with the slug “%(slug)s”.", slug=slug))


def find_language(code: str, *, usage: bool = False) -> Language:
    """The language with this code, or a click error naming it."""
    return _found(lookup.language_by_code(get_session(), code), usage,
                  _("There is no language “%(code)s”.", code=code),
                  _("No language with the code “%(code)s”.", code=code))


def find_user(pseudonym: str, *, usage: bool = False) -> User:
    """The account with this pseudonym, or a click error naming it."""
    message = _("No user called “%(name)s”.", name=pseudonym)
    return _found(lookup.user_by_pseudonym(get_session(), pseudonym), usage, message, message)


def read_file(path: Path) -> bytes:
    """The file's bytes, or one sentence saying why it could not be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(_("%(file)s could not be read: %(reason)s.", file=path.name,
                                     reason=exc.strerror or type(exc).__name__)) from exc


@contextmanager
def import_progress(minimum: int, *, shown: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for an import service: it draws a bar once the total reaches
    `minimum` (shorter imports finish before a bar would help), closed on the way out."""
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not shown or total < minimum:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=_("Importing"), file=None)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
