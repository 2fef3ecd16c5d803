"""Helpers every page shares: the row behind a URL (or a 404) and one way to show refusals.

Views validate input, call one service or query, commit once and render; a refusal of a
service (any ``ServiceError``) is handled here, the same way on every HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, flash
from flask_login import current_user

from tms.db import get_session
from tms.models import Document, Language, User
from tms.orm import Base
from tms.queries import lookup
from tms.services.errors import ServiceError

RowT = TypeVar("RowT", bound=Base)
ViewT = TypeVar("ViewT", bound=Callable[..., Any])
ResponseT = TypeVar("ResponseT")


def language_or_404(code: str) -> Language:
    """The language with this code, or a 404."""
    language = lookup.language_by_code(get_session(), code)
    if language is None:
        abort(404)
    return language


def document_or_404(slug: str) -> Document:
    """The document with this slug, or a 404."""
    document = lookup.document_by_slug(get_session(), slug)
    if document is None:
        abort(404)
    return document


def row_or_404(model: type[RowT], row_id: int, **belongs_to: Any) -> RowT:
    """The row with this id, or a 404; ``belongs_to`` (e.g. language_id=3) must match too,
    so an id from another team's URL is not found rather than shown."""
    row = lookup.row_by_id(get_session(), model, row_id)
    if row is None or any(getattr(row, name) != value for name, value in belongs_to.items()):
        abort(404)
    return row


def user_or_404(user_id: int) -> User:
    """The (not deleted) account with this id, or a 404."""
    user = lookup.row_by_id(get_session(), User, user_id)
    if user is None or user.deleted:
        abort(404)
    return user


def team_language_or_403(code: str, *, review: bool = False) -> Language:
    """The language of a team page: 404 if unknown, 403 unless a member of its team
    (a reviewer, with ``review``) or an admin."""
    language = language_or_404(code)
    allowed = (current_user.can_review(language.id) if review
               else current_user.can_translate(language.id))
    if not allowed:
        abort(403)
    return language


def current_account() -> User:
    """The account of the logged-in user."""
    return current_user.user


def flash_refusals(back: Callable[..., Response | Any]) -> Callable[[ViewT], ViewT]:
    """On a ServiceError in the view: roll the session back, flash its message as an error
    and answer ``back(**url_values)`` (usually a redirect to the page the form was on)."""

    def decorate(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except ServiceError as exc:
                get_session().rollback()
                flash(exc.message, "error")
                return back(**kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def saved(message: str, response: ResponseT, *, category: str = "success") -> ResponseT:
    """Commit the view's change, flash its message (a success unless told) and answer
    ``response``."""
    get_session().commit()
    flash(message, category)
    return response
