"""What the offline pages read: the texts behind an upload report, a source version."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Document, DocumentVersion, Segment, Suggestion, Translation


@dataclass
class ReportTexts:
    """For the segments of an upload report: the segment, its text online now, and the
    newest suggestion the uploader's file left (by segment id)."""

    segments: dict[int, Segment]
    online: dict[int, str]
    uploaded: dict[int, str]


def report_texts(session: Session, segment_ids: Collection[int], *, language_id: int,
                 author_id: int, origin: str) -> ReportTexts:
    """The segments and both texts of each, for the rows of an upload report."""
    segments = {s.id: s for s in session.scalars(
        select(Segment).where(Segment.id.in_(segment_ids)))}
    online = {segment_id: target for segment_id, target in session.execute(
        select(Translation.segment_id, Translation.target).where(
            Translation.segment_id.in_(segment_ids), Translation.language_id == language_id))}
    uploaded: dict[int, str] = {}
    for segment_id, target in session.execute(
        select(Suggestion.segment_id, Suggestion.target).where(
            Suggestion.segment_id.in_(segment_ids), Suggestion.language_id == language_id,
            Suggestion.author_id == author_id, Suggestion.origin == origin)
        .order_by(Suggestion.id)):
        uploaded[segment_id] = target  # the newest one wins
    return ReportTexts(segments, online, uploaded)


def version_by_number(session: Session, document: Document,
                      number: int) -> DocumentVersion | None:
    """Version ``number`` of the document's source, or None."""
    return session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))
