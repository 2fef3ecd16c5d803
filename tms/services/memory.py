"""Translation memory: remember approved pairs, find similar sources, search the memory.

Scores are rapidfuzz's normalised Levenshtein ratio (0-100) on tag-free, whitespace-folded
text, which is what translators read as "a 92% match".
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tms.inline import strip_tags
from tms.models import MemoryUnit, utcnow
from tms.tmindex import MemoryIndex

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Match:
    """A memory match for a source text."""

    source: str
    target: str
    score: int
    origin: str
    approved: bool
    unit_id: int
    updated_at: datetime | None = None


def normalise(text: str) -> str:
    """Tag-free, NFC, whitespace-folded text: what matching compares."""
    return _WS.sub(" ", unicodedata.normalize("NFC", strip_tags(text))).strip()


def source_hash(plain: str) -> str:
    """Hash of the normalised, case-folded plain source (exact-match key)."""
    return hashlib.sha256(plain.casefold().encode()).hexdigest()


@dataclass
class _Synced:
    """One process's indexes for one database: a MemoryIndex per language pair."""

    indexes: dict[tuple[str, str], MemoryIndex] = field(default_factory=dict)
    max_id: int = 0
    last_updated: datetime | None = None
    synced_at: float = 0.0
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_SYNCED: dict[str, _Synced] = {}
_SYNCED_LOCK = threading.Lock()
# New units are found by id, changed ones by updated_at, each with its own index (an OR or
# a language-pair filter would make the database scan the table on every lookup). A unit
# committed late by a long transaction in another worker can slip past both; a periodic
# full re-read catches it.
RESYNC_SECONDS = 600.0
# Within one process, remember() updates the index directly; what other workers wrote is
# picked up at most this many seconds later, which spares two queries on most lookups.
FRESH_SECONDS = 1.0


def _index_for(session: Session, source_language: str, target_language: str) -> MemoryIndex:
    """This process's index for a language pair, brought up to date with the database."""
    synced = _sync(session)
    with synced.lock:
        return synced.indexes.setdefault((source_language, target_language), MemoryIndex())


def _synced_for(session: Session) -> _Synced:
    url = str(session.get_bind().engine.url)
    with _SYNCED_LOCK:
        return _SYNCED.setdefault(url, _Synced())


def _sync(session: Session) -> _Synced:
    """Bring this process's indexes for the session's database up to date."""
    synced = _synced_for(session)
    columns = (
        MemoryUnit.id,
        MemoryUnit.source_language,
        MemoryUnit.target_language,
        MemoryUnit.source_plain,
        MemoryUnit.updated_at,
    )
    with synced.lock:
        now = time.monotonic()
        if synced.checked_at and now - synced.checked_at < FRESH_SECONDS:
            return synced
        synced.checked_at = now
        if synced.synced_at and now - synced.synced_at < RESYNC_SECONDS:
            # One query of two index-backed maxima, then rows only if something changed: a
            # plain "id > n" made PostgreSQL, its statistics behind a bulk load, scan the
            # whole table every second (30 ms at 100k units) to find nothing.
            newest_id, newest_update = session.execute(
                select(func.max(MemoryUnit.id), func.max(MemoryUnit.updated_at))
            ).one()
            rows: list[Any] = []  # Row's type parameters differ between SQLAlchemy 2.0 and 2.1
            if newest_id is not None and newest_id > synced.max_id:
                rows += session.execute(select(*columns).where(MemoryUnit.id > synced.max_id))
            if (synced.last_updated is not None and newest_update is not None
                    and _naive(newest_update) > _naive(synced.last_updated)):
                rows += session.execute(
                    select(*columns).where(MemoryUnit.updated_at > synced.last_updated)
                ).all()
        else:
            synced.synced_at = now
            rows = list(session.execute(select(*columns)))
        if rows:
            by_pair: dict[tuple[str, str], list[tuple[int, str]]] = {}
            for r in rows:
                by_pair.setdefault((r.source_language, r.target_language), []).append(
                    (r.id, r.source_plain)
                )
            for pair, units in by_pair.items():
                synced.indexes.setdefault(pair, MemoryIndex()).add_many(units)
            synced.max_id = max(synced.max_id, max(r.id for r in rows))
            newest = max(r.updated_at for r in rows)
            if synced.last_updated is None or _naive(newest) > _naive(synced.last_updated):
                synced.last_updated = newest
    return synced


def warm(session: Session) -> int:
    """Read the whole memory into this process's indexes now (before serving, or before
    gunicorn forks its workers so they share it); returns the number of units indexed."""
    synced = _synced_for(session)
    with synced.lock:
        synced.synced_at = synced.checked_at = 0.0  # force the full read below
    _sync(session)
    return sum(len(index) for index in synced.indexes.values())


def is_warm(session: Session) -> bool:
    """Whether this process has read the whole memory of this database once (after that,
    lookups only read what changed)."""
    synced = _SYNCED.get(str(session.get_bind().engine.url))
    return synced is not None and synced.synced_at > 0


def _naive(stamp: datetime) -> datetime:
    # SQLite hands back naive datetimes, PostgreSQL aware ones; compare in UTC.
    return stamp.replace(tzinfo=None) if stamp.tzinfo is None else stamp.astimezone(UTC).replace(
        tzinfo=None
    )


def reset_indexes() -> None:
    """Forget every in-process index (tests that empty the database call this)."""
    with _SYNCED_LOCK:
        _SYNCED.clear()


def lookup(
    session: Session,
    source: str,
    *,
    source_language: str,
    target_language: str,
    limit: int = 5,
    threshold: int = 60,
) -> list[Match]:
    """The best memory matches for a source, best first; identical sources collapse to the
    best (approved, newest) translation."""
    plain = normalise(source)
    if not plain:
        return []
    index = _index_for(session, source_language, target_language)
    hits = index.search(plain, threshold=threshold, limit=limit * 4)
    if not hits:
        return []
    score_of = {h.unit_id: h.score for h in hits}
    rows = session.execute(
        select(
            MemoryUnit.id,
            MemoryUnit.source,
            MemoryUnit.target,
            MemoryUnit.source_plain,
            MemoryUnit.origin,
            MemoryUnit.approved,
            MemoryUnit.updated_at,
            MemoryUnit.source_language,
            MemoryUnit.target_language,
        ).where(MemoryUnit.id.in_(score_of))
    ).all()
    by_source: dict[str, Match] = {}
    for row in rows:
        # The pair is checked here, not in SQL: with the languages in the WHERE clause,
        # PostgreSQL (before its statistics catch up with a bulk load) chose the language
        # index and read every unit of the pair, 250 ms at 100k units instead of 0.1 ms.
        if (row.source_language, row.target_language) != (source_language, target_language):
            continue
        # The index may hold an older text of this unit: score the current one.
        score = fuzz.ratio(plain, row.source_plain, score_cutoff=threshold)
        if not score:
            continue
        if plain == row.source_plain:
            score = 100.0
        elif score >= 100:
            score = 99.0  # equal after folding but not identical: never claim an exact match
        match = Match(
            row.source, row.target, int(score), row.origin, row.approved, row.id, row.updated_at
        )
        best = by_source.get(row.source_plain)
        if best is None or _rank(match) > _rank(best):
            by_source[row.source_plain] = match
    return sorted(by_source.values(), key=_rank, reverse=True)[:limit]


def _rank(match: Match) -> tuple[int, bool, float]:
    stamp = match.updated_at.timestamp() if match.updated_at else 0.0
    return (match.score, match.approved, stamp)


def remember(
    session: Session,
    *,
    source: str,
    target: str,
    source_language: str,
    target_language: str,
    origin: str,
    segment_id: int | None = None,
    approved: bool = True,
    created_at: datetime | None = None,
) -> MemoryUnit:
    """Store a pair; the unit of the same segment and language pair is updated in place.

    created_at: the date a TMX file gives the text (default: now). updated_at is always now:
    the workers' indexes catch up by reading rows newer than the last they saw."""
    plain = normalise(source)
    unit = None
    if segment_id is not None:
        # by segment only (one unit per language at most), for the reason given in lookup()
        units = session.scalars(select(MemoryUnit).where(MemoryUnit.segment_id == segment_id))
        unit = next((u for u in units if (u.source_language, u.target_language)
                     == (source_language, target_language)), None)
    if unit is None:
        unit = MemoryUnit(
            source_language=source_language,
            target_language=target_language,
            segment_id=segment_id,
        )
        session.add(unit)
    unit.source = source
    unit.target = target
    unit.source_plain = plain
    unit.source_hash = source_hash(plain)
    unit.source_length = len(plain)
    unit.origin = origin
    unit.approved = approved
    unit.updated_at = utcnow()
    if created_at is not None:
        unit.created_at = created_at
    session.flush()
    synced = _SYNCED.get(str(session.get_bind().engine.url))
    if synced is not None:
        with synced.lock:
            synced.indexes.setdefault((source_language, target_language), MemoryIndex()).add_many(
                [(unit.id, plain)]
            )
    return unit


def concordance(
    session: Session,
    query: str,
    *,
    source_language: str,
    target_language: str,
    limit: int = 20,
) -> list[MemoryUnit]:
    """Memory units whose source or target contains the phrase (case-insensitive)."""
    phrase = _WS.sub(" ", query).strip()
    if not phrase:
        return []
    pattern = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        session.scalars(
            select(MemoryUnit)
            .where(
                MemoryUnit.source_language == source_language,
                MemoryUnit.target_language == target_language,
                or_(
                    func.lower(MemoryUnit.source_plain).like(pattern.lower(), escape="\\"),
                    func.lower(MemoryUnit.target).like(pattern.lower(), escape="\\"),
                ),
            )
            .order_by(MemoryUnit.approved.desc(), MemoryUnit.updated_at.desc())
            .limit(limit)
        )
    )
