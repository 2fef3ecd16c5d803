"""Find one row by the name users know it by (a language code, a document slug, an id)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import and_, bindparam, select, true
from sqlalchemy.orm import Session, joinedload

from tms.models import Document, Language, Segment, Translation, User
from tms.orm import Base

RowT = TypeVar("RowT", bound=Base)


# The statements every request of the editor runs, built once: SQLAlchemy then reuses
# their cache keys instead of building and hashing a new statement on each call (about a
# third of these lookups' CPU).
_LANGUAGE_BY_CODE = select(Language).where(Language.code == bindparam("code"))
_USER_WITH_TEAMS = (
    select(User).options(joinedload(User.memberships)).where(User.id == bindparam("id"))
)
_SEGMENT_LANGUAGE_TRANSLATION = (
    select(Segment, Language, Translation)
    .select_from(Segment)
    # one row of each, not related: joined ON TRUE (a cross join said as such)
    .join(Language, true())
    .outerjoin(Translation, and_(Translation.segment_id == Segment.id,
                                 Translation.language_id == Language.id))
    .options(joinedload(Segment.document))
    .where(Segment.id == bindparam("id"), Language.code == bindparam("code"))
    # the translation as the database has it now, even if this session read it before
    .execution_options(populate_existing=True)
)


def language_by_code(session: Session, code: str) -> Language | None:
    """The language with this code (as stored: "fr", "sr-Latn"), or None."""
    return session.scalar(_LANGUAGE_BY_CODE, {"code": code})


def document_by_slug(session: Session, slug: str) -> Document | None:
    """The document with this slug, or None."""
    return session.scalar(select(Document).where(Document.slug == slug))


def user_by_pseudonym(session: Session, pseudonym: str) -> User | None:
    """The account with this pseudonym, or None."""
    return session.scalar(select(User).where(User.pseudonym == pseudonym))


def row_by_id(session: Session, model: type[RowT], row_id: int) -> RowT | None:
    """The row of this model with this primary key, or None."""
    return session.get(model, row_id)


def user_with_teams(session: Session, user_id: int) -> User | None:
    """The account with this id and its team memberships, in one statement (every request
    of a logged-in user reads the account, and most of them its teams)."""
    return session.execute(_USER_WITH_TEAMS, {"id": user_id}).unique().scalar_one_or_none()


def segment_language_translation(
    session: Session, segment_id: int, code: str
) -> tuple[Segment, Language, Translation | None] | None:
    """The segment with this id (with its document), the language with this code and the
    segment's current translation in that language (None if there is none yet), in one
    statement (every call of the editor's API names the segment and the language), or None
    if the segment or the language is missing."""
    row = session.execute(
        _SEGMENT_LANGUAGE_TRANSLATION, {"id": segment_id, "code": code}
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, User]:
    """The accounts with these ids, by id (deleted ones too: their history keeps them)."""
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(set(ids))))}


def languages_by_name(session: Session) -> list[Language]:
    """Every language, by name."""
    return list(session.scalars(select(Language).order_by(Language.name)))
