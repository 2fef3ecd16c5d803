"""What the dashboard reads: what needs me per document and language, recent activity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tms.models import Activity, Comment, Document, Language, Segment, State, Translation, User

RECENT_ACTIVITY = 20


@dataclass
class Attention:
    """What one document in one of my languages asks of me."""

    document: Document
    language: Language
    open_comments: int = 0
    sent_back: int = 0
    outdated: int = 0


def my_language_ids(user: User) -> set[int]:
    """The ids of the languages whose team the user is in."""
    return {m.language_id for m in user.memberships}


def _translation_counts(language_ids: set[int], *conditions: object) -> Select:
    """(document id, language id, count) of live translations matching the conditions."""
    return (
        select(Segment.document_id, Translation.language_id, func.count(Translation.id))
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Translation.language_id.in_(language_ids), Segment.archived.is_(False),
               *conditions)  # type: ignore[arg-type]
        .group_by(Segment.document_id, Translation.language_id)
    )


def needs_attention(session: Session, user: User) -> list[Attention]:
    """Per document and my language: open comments, segments sent back to me, outdated."""
    language_ids = my_language_ids(user)
    if not language_ids:
        return []
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    queries = {
        "open_comments": (
            select(Segment.document_id, Comment.language_id,
                   func.count(func.distinct(Segment.id)))
            .join(Segment, Segment.id == Comment.segment_id)
            .where(Comment.resolved.is_(False), Comment.language_id.in_(language_ids),
                   Segment.archived.is_(False))
            .group_by(Segment.document_id, Comment.language_id)
        ),
        "sent_back": _translation_counts(
            language_ids, Translation.state == State.NEEDS_WORK,
            Translation.translator_id == user.id),
        "outdated": _translation_counts(language_ids, Translation.outdated.is_(True)),
    }
    for name, query in queries.items():
        for doc_id, lang_id, n in session.execute(query):
            found[(doc_id, lang_id)][name] = int(n)
    if not found:
        return []
    documents = {d.id: d for d in session.scalars(
        select(Document).where(Document.id.in_({k[0] for k in found})))}
    languages = {lang.id: lang for lang in session.scalars(
        select(Language).where(Language.id.in_({k[1] for k in found})))}
    items = [Attention(documents[d], languages[lang], **counts)
             for (d, lang), counts in found.items() if d in documents and lang in languages]
    items.sort(key=lambda a: (a.document.title, a.language.code))
    return items


def recent_activity(session: Session, limit: int = RECENT_ACTIVITY) -> list[Activity]:
    """The newest activity rows (who did what where; no text)."""
    return list(session.scalars(
        select(Activity).order_by(Activity.created_at.desc(), Activity.id.desc()).limit(limit)))
