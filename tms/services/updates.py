"""What a new source version means for each language team: the per-language update report.

importing.ImportReport counts segments (unchanged, changed, new, removed) for the document
as a whole; a team needs its own view: how many of its translations survived untouched,
how many are now outdated (old and new source are both kept on the segment), how many new
segments wait for it (and how many of those the memory pre-filled as drafts), and how many
of its translations went to the archive with removed segments (kept, never deleted).

The counts are read from the database, so they are right for the latest version; for an
older version the document-wide figures stored with it (DocumentVersion.report) remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tms.models import Document, DocumentVersion, Language, Revision, Segment, State, Translation
from tms.services import notifications


@dataclass
class LanguageUpdate:
    """One language's share of a source update."""

    language: Language
    kept: int = 0  # translated segments whose source did not change
    outdated: int = 0  # translations whose source changed: to check
    new: int = 0  # segments new in this version
    new_untranslated: int = 0  # of those, still without any translation
    prefilled: int = 0  # of those, drafts filled from exact memory matches
    archived: int = 0  # translations of segments removed from the source (kept)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready row."""
        return {"language": self.language.code, "kept": self.kept, "outdated": self.outdated,
                "new": self.new, "new_untranslated": self.new_untranslated,
                "prefilled": self.prefilled, "archived": self.archived}


@dataclass
class UpdateReport:
    """A version's document-wide figures and one row per target language."""

    document: Document
    version: DocumentVersion
    totals: dict[str, Any]
    languages: list[LanguageUpdate]
    latest: bool


def _window(session: Session, version: DocumentVersion) -> tuple[datetime, datetime | None]:
    """When this version was imported, and when the next one was (if any)."""
    following = session.scalar(
        select(DocumentVersion.imported_at).where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.number > version.number)
        .order_by(DocumentVersion.number).limit(1))
    return version.imported_at, following


def update_report(session: Session, document: Document, version: DocumentVersion) -> UpdateReport:
    """The per-language update report of one version of a document."""
    latest_number = session.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.document_id == document.id))
    languages = list(session.scalars(
        select(Language).where(Language.code != document.source_language).order_by(Language.name)))
    start, end = _window(session, version)
    new_cond = [Segment.document_id == document.id, Segment.archived.is_(False),
                Segment.created_at >= start]
    if end is not None:
        new_cond.append(Segment.created_at < end)
    new_ids = set(session.scalars(select(Segment.id).where(*new_cond)))
    rows = session.execute(
        select(Translation.language_id, Translation.segment_id, Translation.state,
               Translation.outdated, Segment.archived)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Segment.document_id == document.id, Translation.target != "",
               Translation.state > State.UNTRANSLATED)
    ).all()
    prefilled = set(session.execute(
        select(Translation.language_id, Translation.segment_id)
        .join(Revision, and_(Revision.translation_id == Translation.id,
                             Revision.origin == "memory"))
        .where(Translation.segment_id.in_(new_ids))
    ).all()) if new_ids else set()
    by_language = {lang.id: LanguageUpdate(lang, new=len(new_ids)) for lang in languages}
    translated_new: dict[int, set[int]] = {lang.id: set() for lang in languages}
    for language_id, segment_id, _state, outdated, archived in rows:
        row = by_language.get(language_id)
        if row is None:
            continue
        if archived:
            row.archived += 1
        elif segment_id in new_ids:
            translated_new[language_id].add(segment_id)
            row.prefilled += (language_id, segment_id) in prefilled
        elif outdated:
            row.outdated += 1
        else:
            row.kept += 1
    for language_id, row in by_language.items():
        row.new_untranslated = len(new_ids) - len(translated_new[language_id])
    return UpdateReport(document=document, version=version, totals=dict(version.report or {}),
                        languages=list(by_language.values()),
                        latest=version.number == latest_number)


def announce_update(session: Session, report: Any) -> int:
    """Tell every team member about a new version (for callers of importing.import_document,
    given its ImportReport); a new document or an unchanged file notifies nobody."""
    if getattr(report, "status", None) != "updated":
        return 0
    return len(notifications.on_document_updated(session, report.document))
