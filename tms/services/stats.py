"""Progress numbers: segments and words per translation state, per document and language.

A segment without a Translation row in a language counts as untranslated there. Archived
segments (gone from the source) are not counted. Everything comes from a few aggregate
queries, whatever the number of documents and languages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tms.models import Document, Language, Segment, State, Translation

STATE_NAMES = tuple(s.slug for s in State)  # untranslated, needs_work, draft, ...


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(("total", *STATE_NAMES), 0)


def _language_stats(language: Language, total_segments: int, total_words: int,
                    rows: list[tuple[int, bool, int, int]]) -> dict[str, Any]:
    """Counts for one language from (state, outdated, segments, words) rows."""
    segments = _empty_counts()
    words = _empty_counts()
    outdated = outdated_words = 0
    for state, is_outdated, n, w in rows:
        name = State(state).slug
        if name == "untranslated":
            continue  # added below from the totals, so rows of state 0 count once
        segments[name] += n
        words[name] += w
        if is_outdated:
            outdated += n
            outdated_words += w
    segments["total"], words["total"] = total_segments, total_words
    segments["untranslated"] = total_segments - sum(segments[s] for s in STATE_NAMES[1:])
    words["untranslated"] = total_words - sum(words[s] for s in STATE_NAMES[1:])
    done = words["translated"] + words["approved"]
    return {
        "language_id": language.id,
        "language": language.code,
        "language_name": language.name,
        "segments": segments,
        "words": words,
        "outdated": outdated,
        "outdated_words": outdated_words,
        # by words: a long untranslated paragraph weighs more than a heading
        "percent_translated": _percent(done, total_words),
        "percent_approved": _percent(words["approved"], total_words),
    }


def _percent(part: int, whole: int) -> int:
    if whole <= 0:
        return 0
    return min(100, part * 100 // whole)


def _grouped(session: Session, document_ids: list[int] | None,
             language_id: int | None) -> dict[tuple[int, int], list[tuple[int, bool, int, int]]]:
    """(document id, language id) -> [(state, outdated, segments, words)] in one query."""
    query = (
        select(Segment.document_id, Translation.language_id, Translation.state,
               Translation.outdated, func.count(Translation.id),
               func.coalesce(func.sum(Segment.word_count), 0))
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Segment.archived.is_(False))
        .group_by(Segment.document_id, Translation.language_id, Translation.state,
                  Translation.outdated)
    )
    if document_ids is not None:
        query = query.where(Segment.document_id.in_(document_ids))
    if language_id is not None:
        query = query.where(Translation.language_id == language_id)
    out: dict[tuple[int, int], list[tuple[int, bool, int, int]]] = defaultdict(list)
    for doc_id, lang_id, state, outdated, n, w in session.execute(query):
        out[(doc_id, lang_id)].append((int(state), bool(outdated), int(n), int(w)))
    return out


def _totals(session: Session, document_ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """document id -> (segments, words) of its current (not archived) segments."""
    query = (
        select(Segment.document_id, func.count(Segment.id),
               func.coalesce(func.sum(Segment.word_count), 0))
        .where(Segment.archived.is_(False))
        .group_by(Segment.document_id)
    )
    if document_ids is not None:
        query = query.where(Segment.document_id.in_(document_ids))
    return {doc_id: (int(n), int(w)) for doc_id, n, w in session.execute(query)}


def _target_languages(session: Session, source_language: str | None,
                      language_id: int | None) -> list[Language]:
    query = select(Language).order_by(Language.code)
    if language_id is not None:
        query = query.where(Language.id == language_id)
    elif source_language is not None:
        query = query.where(Language.code != source_language)
    return list(session.scalars(query))


def document_stats(session: Session, document_id: int,
                   language_id: int | None = None) -> dict[str, Any]:
    """Segment and word counts per state (and outdated) for one document.

    With a language: that language's counts at the top level. Without: the totals and
    "languages", a list of per-language counts for every target language.
    """
    document = session.get(Document, document_id)
    if document is None:
        raise LookupError(f"document {document_id} does not exist")
    total_segments, total_words = _totals(session, [document_id]).get(document_id, (0, 0))
    grouped = _grouped(session, [document_id], language_id)
    languages = _target_languages(session, document.source_language, language_id)
    per_language = [
        _language_stats(lang, total_segments, total_words, grouped.get((document_id, lang.id), []))
        for lang in languages
    ]
    head: dict[str, Any] = {
        "document_id": document.id,
        "document": document.slug,
        "title": document.title,
        "source_language": document.source_language,
        "total_segments": total_segments,
        "total_words": total_words,
    }
    if language_id is not None:
        if not per_language:
            raise LookupError(f"language {language_id} does not exist")
        return {**head, **per_language[0]}
    return {**head, "languages": per_language}


def overview(session: Session, *, kind: str | None = "document",
             language_id: int | None = None) -> list[dict[str, Any]]:
    """Every document x target language with its counts (dashboard, publish pages).

    kind filters documents ("document" by default; None for all, "interface" for the UI's
    own strings). Rows are ordered by document title, then language code.
    """
    query = select(Document).order_by(Document.title, Document.id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    documents = list(session.scalars(query))
    if not documents:
        return []
    ids = [d.id for d in documents]
    totals = _totals(session, ids)
    grouped = _grouped(session, ids, language_id)
    languages = _target_languages(session, None, language_id)
    rows: list[dict[str, Any]] = []
    for doc in documents:
        total_segments, total_words = totals.get(doc.id, (0, 0))
        for lang in languages:
            if lang.code == doc.source_language:
                continue
            rows.append({
                "document_id": doc.id,
                "document": doc.slug,
                "title": doc.title,
                "source_language": doc.source_language,
                "total_segments": total_segments,
                "total_words": total_words,
                **_language_stats(lang, total_segments, total_words,
                                  grouped.get((doc.id, lang.id), [])),
            })
    return rows
