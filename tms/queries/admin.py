"""What the admin pages read: the overview counts and the documents' versions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tms.models import Document, DocumentVersion, Language, User


def overview_counts(session: Session) -> dict[str, int]:
    """How many (not deleted) users, languages and documents there are."""
    return {
        "users": session.scalar(select(func.count()).select_from(User)
                                .where(User.deleted.is_(False))) or 0,
        "languages": session.scalar(select(func.count()).select_from(Language)) or 0,
        "documents": session.scalar(select(func.count()).select_from(Document)) or 0,
    }


def documents_with_latest_version(
        session: Session) -> list[tuple[Document, DocumentVersion | None]]:
    """Every document by title, with its newest version (None before the first import)."""
    docs = list(session.scalars(select(Document).order_by(Document.title, Document.id)))
    latest = {}
    for version in session.scalars(select(DocumentVersion).order_by(DocumentVersion.number)):
        latest[version.document_id] = version
    return [(d, latest.get(d.id)) for d in docs]
