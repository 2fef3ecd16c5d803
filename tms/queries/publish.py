"""What the publishing pages read: the documents, their target languages, their editions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tms.models import Document, Edition, EditionFile, Language
from tms.queries.lookup import languages_by_name


def publishable_documents(session: Session) -> list[Document]:
    """Every document (not glossary or interface catalogue), by title."""
    return list(session.scalars(select(Document).where(Document.kind == "document")
                                .order_by(Document.title, Document.id)))


def target_languages(session: Session, document: Document) -> list[Language]:
    """Every language but the document's source language, by name."""
    return [lang for lang in languages_by_name(session)
            if lang.code != document.source_language]


def editions_by_language(session: Session, document: Document) -> dict[int, list[Edition]]:
    """The document's editions per language id, newest first, with their files' names and
    checksums (not the bytes, which only a download reads)."""
    found: dict[int, list[Edition]] = {}
    for edition in session.scalars(select(Edition).where(Edition.document_id == document.id)
                                   .order_by(Edition.number.desc())
                                   .options(selectinload(Edition.files)
                                            .defer(EditionFile.data))):
        found.setdefault(edition.language_id, []).append(edition)
    return found
