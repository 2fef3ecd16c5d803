"""Translation memory: remember approved pairs, find similar sources, search the memory.

Scores are rapidfuzz's normalised Levenshtein ratio (0-100) on tag-free, whitespace-folded
text, which is what translators read as "a 92% match".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tms.inline import strip_tags
from tms.models import MemoryUnit, utcnow

# A match of score s between strings of lengths a <= b needs a/b >= s/100 roughly
# (ratio = 2*matches/(a+b) <= 2a/(a+b)); this window keeps recall while skipping most rows.
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


def _length_window(length: int, threshold: int) -> tuple[int, int]:
    ratio = max(threshold, 1) / 100
    low = int(length * ratio / (2 - ratio))
    high = int(length * (2 - ratio) / ratio) + 1
    return low, high


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
    low, high = _length_window(len(plain), threshold)
    rows = session.execute(
        select(
            MemoryUnit.id,
            MemoryUnit.source,
            MemoryUnit.target,
            MemoryUnit.source_plain,
            MemoryUnit.origin,
            MemoryUnit.approved,
            MemoryUnit.updated_at,
        ).where(
            MemoryUnit.source_language == source_language,
            MemoryUnit.target_language == target_language,
            MemoryUnit.source_length.between(low, high),
        )
    ).all()
    scored: dict[tuple[str, str], Match] = {}
    for row in rows:
        score = fuzz.ratio(plain, row.source_plain, score_cutoff=threshold)
        if not score:
            continue
        if plain == row.source_plain:
            score = 100.0
        elif score >= 100:
            score = 99.0  # identical after folding but not equal: never claim an exact match
        match = Match(
            row.source, row.target, int(score), row.origin, row.approved, row.id, row.updated_at
        )
        key = (row.source_plain, row.target)
        best = scored.get(key)
        if best is None or _rank(match) > _rank(best):
            scored[key] = match
    by_source: dict[str, Match] = {}
    for (src_plain, _target), match in scored.items():
        best = by_source.get(src_plain)
        if best is None or _rank(match) > _rank(best):
            by_source[src_plain] = match
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
) -> MemoryUnit:
    """Store a pair; the unit of the same segment and language pair is updated in place."""
    plain = normalise(source)
    unit = None
    if segment_id is not None:
        unit = session.scalar(
            select(MemoryUnit).where(
                MemoryUnit.segment_id == segment_id,
                MemoryUnit.source_language == source_language,
                MemoryUnit.target_language == target_language,
            )
        )
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
    session.flush()
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
