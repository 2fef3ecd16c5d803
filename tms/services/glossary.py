"""Glossary: agreed translations of terms, found in a segment's source as translators work."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.formats.base import GlossaryEntry
from tms.formats.glossary_files import lang_match
from tms.i18n import _
from tms.models import GlossaryTerm, Language
from tms.services.errors import ServiceError


class GlossaryError(ServiceError, ValueError):
    """A glossary operation that cannot be done, with a message for the user."""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _term_pattern(term: str) -> re.Pattern[str]:
    # Whole words, but let the last word take an inflection ending (rights/right,
    # travailleuses/travailleur): a glossary hint that misses plurals is little help.
    words = [re.escape(w) for w in _fold(term).split()]
    if not words:
        return re.compile(r"(?!x)x")
    body = r"\s+".join(words)
    return re.compile(rf"(?<!\w){body}\w{{0,3}}(?!\w)")


def terms_in(
    session: Session, source_plain: str, *, source_language: str, language_id: int
) -> list[GlossaryTerm]:
    """Glossary terms of the language pair that occur in a plain source text."""
    text = _fold(source_plain)
    terms = list(
        session.scalars(
            select(GlossaryTerm)
            .where(
                GlossaryTerm.source_language == source_language,
                GlossaryTerm.language_id == language_id,
            )
            .order_by(GlossaryTerm.source_term)
        )
    )
    spans = {t.id: [m.span() for m in _term_pattern(t.source_term).finditer(text)] for t in terms}
    found = sorted(
        (t for t in terms if spans[t.id]), key=lambda t: (-len(t.source_term), t.source_term)
    )
    # Longer terms first ("sex worker" before "sex work"); a shorter term is dropped when all
    # its occurrences sit inside a longer term's, so "workers" is not also "work" + "ers".
    # Every target of one source term is shown (preferred, admitted, deprecated).
    kept: list[GlossaryTerm] = []
    covered: list[tuple[int, int, str]] = []
    for term in found:
        key = _fold(term.source_term)
        free = [s for s in spans[term.id]
                if not any(a <= s[0] and s[1] <= b and k != key for a, b, k in covered)]
        if free:
            kept.append(term)
            covered.extend((a, b, key) for a, b in spans[term.id])
    return kept


def add_term(
    session: Session,
    *,
    language: Language,
    source_term: str,
    target_term: str,
    source_language: str = "en",
    note: str = "",
    approved: bool = False,
    forbidden: bool = False,
    user_id: int | None = None,
) -> GlossaryTerm:
    """Add a term (or update the one with the same source term in that language)."""
    source_term = " ".join(source_term.split())
    if not source_term:
        raise GlossaryError(_("A glossary term needs its source text."))
    if len(source_term) > 300 or len(target_term) > 300:
        raise GlossaryError(_("A glossary term may be at most 300 characters long."))
    term = session.scalar(
        select(GlossaryTerm).where(
            GlossaryTerm.language_id == language.id,
            GlossaryTerm.source_language == source_language,
            GlossaryTerm.source_term == source_term,
        )
    )
    if term is None:
        term = GlossaryTerm(
            language_id=language.id, source_language=source_language, source_term=source_term
        )
        session.add(term)
    term.target_term = target_term.strip()
    term.note = note.strip()
    term.approved = approved
    term.forbidden = forbidden
    term.created_by_id = term.created_by_id or user_id
    session.flush()
    return term


def import_entries(
    session: Session, entries: list[GlossaryEntry], *, language: Language, user_id: int | None,
    source_language: str | None = None,
) -> int:
    """Add entries read from TBX or CSV for one target language; returns how many.

    Every target of a source term is kept (a preferred term, an admitted one, a deprecated
    one), each with its status: an existing row with the same target is updated, rows whose
    target the file no longer names are reused, and the rest are added. A file's language
    variant (en-US) is stored as the source_language asked for (en) when it is one, so the
    terms are found in that language's documents.
    """
    by_source: dict[tuple[str, str], list[GlossaryEntry]] = {}
    for entry in entries:
        if not lang_match(entry.target_language, language.code):
            continue
        src = entry.source_language or source_language or "en"
        if source_language and lang_match(src, source_language):
            src = source_language
        source_term = " ".join(entry.source_term.split())
        if not source_term:
            raise GlossaryError(_("A glossary term needs its source text."))
        by_source.setdefault((src, source_term), []).append(entry)
    count = 0
    for (src, source_term), group in by_source.items():
        rows = list(session.scalars(select(GlossaryTerm).where(
            GlossaryTerm.language_id == language.id, GlossaryTerm.source_language == src,
            GlossaryTerm.source_term == source_term).order_by(GlossaryTerm.id)))
        targets = {e.target_term.strip() for e in group}
        free = [r for r in rows if r.target_term not in targets]
        for entry in group:
            if len(entry.target_term) > 300 or len(source_term) > 300:
                raise GlossaryError(_("A glossary term may be at most 300 characters long."))
            target = entry.target_term.strip()
            term = next((r for r in rows if r.target_term == target), None)
            if term is None:
                term = free.pop(0) if free else None
            if term is None:
                term = GlossaryTerm(language_id=language.id, source_language=src,
                                    source_term=source_term)
                session.add(term)
                rows.append(term)
            term.target_term = target
            term.note = entry.note.strip()
            term.approved = True
            term.forbidden = entry.forbidden
            term.status = entry.status
            term.created_by_id = term.created_by_id or user_id
            count += 1
    session.flush()
    return count


def entries_for(session: Session, language: Language) -> list[GlossaryEntry]:
    """All terms of a language as exchange entries (for TBX/CSV export)."""
    return [
        GlossaryEntry(
            t.source_term, t.target_term, t.source_language, language.code, t.note, t.forbidden,
            t.status,
        )
        for t in session.scalars(
            select(GlossaryTerm)
            .where(GlossaryTerm.language_id == language.id)
            .order_by(GlossaryTerm.source_term, GlossaryTerm.id)
        )
    ]
