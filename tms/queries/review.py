"""The review queue of a language, read for the reviewers' page (no writes here).

Three sections, each capped, with full counts: texts awaiting review (oldest first), open
suggestions beside a text, and approved texts whose source changed. What every item shows
besides its row (the text at its last approval, the open suggestions, the QA issues) is
read for all items at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from tms.i18n import _
from tms.models import (
    REVIEW_ORIGIN,
    Document,
    Language,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)
from tms.services import qa


def documents(session: Session) -> list[Document]:
    """The documents a queue can be filtered by, by title."""
    return list(session.scalars(
        select(Document).where(Document.kind == "document").order_by(Document.title)))


def translation_ids_in(session: Session, ids: Iterable[int], language: Language) -> set[int]:
    """Which of these translation ids belong to this language."""
    return set(session.scalars(select(Translation.id).where(
        Translation.id.in_(set(ids)), Translation.language_id == language.id)))


def open_suggestions_count(session: Session, translation: Translation) -> int:
    """How many suggestions wait beside this translation."""
    return int(
        session.scalar(
            select(func.count(Suggestion.id)).where(
                Suggestion.segment_id == translation.segment_id,
                Suggestion.language_id == translation.language_id,
                Suggestion.status == "open",
            )
        )
        or 0
    )


# ---------------------------------------------------------------- the review queue


@dataclass
class QueueItem:
    """One entry of a language's review queue.

    kind: "review" (awaiting review), "suggestions" (open suggestions beside the text) or
    "outdated" (approved, but the source changed). last_approved: the target's text at its
    last approval (for the "what changed" diff), None if never approved.
    """

    kind: str
    translation: Translation
    segment: Segment
    document: Document
    translator: str = ""
    last_approved: str | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    issues: list[Any] = field(default_factory=list)


@dataclass
class ReviewQueue:
    """The three sections of a review queue, each capped at a limit, with full counts."""

    awaiting: list[QueueItem] = field(default_factory=list)
    suggestions: list[QueueItem] = field(default_factory=list)
    outdated: list[QueueItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _pseudonym(user: User | None) -> str:
    if user is None or user.deleted or not user.pseudonym:
        return _("former volunteer")
    return user.pseudonym


def review_queue(
    session: Session, language: Language, *, document_id: int | None = None, limit: int = 50
) -> ReviewQueue:
    """What the reviewers of a language should look at: texts awaiting review (oldest
    first), then open suggestions, then approved texts whose source changed."""
    base, count_base = _queue_selects(language, document_id)
    awaiting_where = Translation.state == State.TRANSLATED
    outdated_where = (Translation.state == State.APPROVED) & Translation.outdated.is_(True)

    open_sugg = (
        select(Suggestion.segment_id, func.min(Suggestion.id).label("first"))
        .where(Suggestion.language_id == language.id, Suggestion.status == "open")
        .group_by(Suggestion.segment_id)
        .subquery()
    )
    queue = ReviewQueue()
    queue.counts = {
        "awaiting": _count(session, count_base.where(awaiting_where)),
        "outdated": _count(session, count_base.where(outdated_where)),
        "suggestions": _count(session, count_base.join(
            open_sugg, open_sugg.c.segment_id == Translation.segment_id)),
    }
    awaiting = session.scalars(
        base.where(awaiting_where).order_by(Translation.updated_at, Translation.id).limit(limit)
    ).all()
    with_sugg = session.scalars(
        base.join(open_sugg, open_sugg.c.segment_id == Translation.segment_id)
        .order_by(open_sugg.c.first)
        .limit(limit)
    ).all()
    outdated = session.scalars(
        base.where(outdated_where).order_by(Translation.updated_at, Translation.id).limit(limit)
    ).all()
    # What each item shows besides its row is read for all items at once (a query per item
    # made the page cost ~2 queries x 150 items).
    approved = _last_approved_texts(session, [t.id for t in (*awaiting, *with_sugg, *outdated)])
    open_by_segment = _open_suggestions(session, language, {t.segment_id for t in with_sugg})
    queue.awaiting = [
        _queue_item(session, "review", t, language, approved, open_by_segment) for t in awaiting
    ]
    queue.suggestions = [
        _queue_item(session, "suggestions", t, language, approved, open_by_segment)
        for t in with_sugg
    ]
    queue.outdated = [
        _queue_item(session, "outdated", t, language, approved, open_by_segment)
        for t in outdated
    ]
    return queue


def _queue_selects(language: Language,
                   document_id: int | None) -> tuple[Select[Any], Select[Any]]:
    """The live translations of a language (of one document if given), and their count."""
    live = [Segment.archived.is_(False), Translation.language_id == language.id]
    if document_id is not None:
        live.append(Segment.document_id == document_id)
    rows = (
        select(Translation)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(*live)
        .options(
            selectinload(Translation.segment).selectinload(Segment.block),
            selectinload(Translation.translator),
        )
    )
    count = (
        select(func.count(Translation.id))
        .join(Segment, Segment.id == Translation.segment_id)
        .where(*live)
    )
    return rows, count


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def _open_suggestions(session: Session, language: Language,
                      segment_ids: set[int]) -> dict[int, list[Suggestion]]:
    """The open suggestions of these segments in a language, by segment, oldest first."""
    found: dict[int, list[Suggestion]] = {}
    if not segment_ids:
        return found
    for suggestion in session.scalars(
        select(Suggestion)
        .where(Suggestion.segment_id.in_(segment_ids), Suggestion.language_id == language.id,
               Suggestion.status == "open")
        .order_by(Suggestion.id)
    ):
        found.setdefault(suggestion.segment_id, []).append(suggestion)
    return found


def _last_approved_texts(session: Session, translation_ids: list[int]) -> dict[int, str]:
    """last_approved_text() of many translations in one query."""
    if not translation_ids:
        return {}
    newest = (
        select(func.max(Revision.id))
        .where(
            Revision.translation_id.in_(translation_ids),
            Revision.state == State.APPROVED,
            Revision.origin == REVIEW_ORIGIN,
        )
        .group_by(Revision.translation_id)
    )
    rows = session.execute(
        select(Revision.translation_id, Revision.target).where(Revision.id.in_(newest))
    )
    return {translation_id: target for translation_id, target in rows}


def last_approved_text(session: Session, translation: Translation) -> str | None:
    """The target as it was at its latest approval, or None if never approved."""
    return session.scalar(
        select(Revision.target)
        .where(
            Revision.translation_id == translation.id,
            Revision.state == State.APPROVED,
            Revision.origin == REVIEW_ORIGIN,
        )
        .order_by(Revision.id.desc())
        .limit(1)
    )


def _queue_item(
    session: Session,
    kind: str,
    translation: Translation,
    language: Language,
    approved: dict[int, str],
    open_by_segment: dict[int, list[Suggestion]],
) -> QueueItem:
    segment = translation.segment
    document = session.get(Document, segment.document_id)
    assert document is not None
    item = QueueItem(
        kind=kind,
        translation=translation,
        segment=segment,
        document=document,
        translator=_pseudonym(translation.translator) if translation.translator_id else "",
        last_approved=approved.get(translation.id),
        issues=qa.check_segment(segment, language, translation.target),
    )
    if kind == "suggestions":
        item.suggestions = list(open_by_segment.get(segment.id, []))
    return item
