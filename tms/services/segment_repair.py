"""Segment repair: split a wrongly joined segment, merge two wrongly cut neighbours.

A repair changes the structure of a document (which sentence is one unit); what it does to
the translations is a state change, so tms.services.workflow makes it (flag_split,
merge_translations): the translations follow their text and are flagged outdated, each
with an append-only Revision of origin "repair" saying what happened, and their version is
bumped when their text changes so an editor open on the old text gets a conflict instead
of overwriting. Keys are recomputed exactly as the importer makes them
(importing.segment_key over normalise_source, occurrence index in document order), so
the next import of the same file finds the repaired segments by key. Nothing is deleted:
the second segment of a merge is archived with its history, comments and suggestions.
The caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tms.i18n import _
from tms.inline import join_segments, split_at, strip_tags
from tms.models import Document, Membership, Role, Segment, User
from tms.segmentation import count_words
from tms.services import workflow
from tms.services.errors import ServiceError
from tms.services.importing import normalise_source, segment_key

ORIGIN = workflow.REPAIR_ORIGIN
# White space at a cut, even inside tags closed or opened there, goes between the segments.
_TRAILING_WS = re.compile(r"(\s+)((?:</\d{1,4}>)*)$")
_LEADING_WS = re.compile(r"^((?:<\d{1,4}>)*)(\s+)")


class RepairError(ServiceError):
    """A refused repair; ``message`` is one translated sentence for the user."""


@dataclass(frozen=True)
class CutPoint:
    """A place a segment can be split: a plain-text offset and the text on each side."""

    offset: int
    before: str
    after: str


def can_repair(session: Session, user: User) -> bool:
    """Admins and reviewers of any language may split and merge segments."""
    if not user.active or user.deleted:
        return False
    if user.is_admin:
        return True
    return session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == Role.REVIEWER.value).limit(1)
    ) is not None


def _require(session: Session, user: User) -> None:
    if not can_repair(session, user):
        raise RepairError(_("Only reviewers and admins can split or merge segments."))


def cut_points(segment: Segment) -> list[CutPoint]:
    """Every word start inside the segment (after white space), where a split may go."""
    plain = strip_tags(segment.source)
    points = []
    for m in re.finditer(r"\s+(?=\S)", plain):
        offset = m.end()
        before = plain[:offset].strip()
        if before:
            points.append(CutPoint(offset, before, plain[offset:].strip()))
    return points


def next_in_block(session: Session, segment: Segment) -> Segment | None:
    """The segment after this one in the same block, if any (the merge partner)."""
    if segment.block_id is None or segment.archived:
        return None
    return session.scalar(select(Segment).where(
        Segment.block_id == segment.block_id,
        Segment.archived.is_(False),
        Segment.index_in_block == segment.index_in_block + 1,
    ))


def _word_count(text: str, language: str) -> int:
    plain = strip_tags(text)
    return count_words(plain, language) if plain.strip() else 0


def _shift(session: Session, segment: Segment, delta: int, *, after_position: int,
           after_index: int) -> None:
    """Move later segments of the document (and of the block) by delta places."""
    session.execute(
        update(Segment)
        .where(Segment.document_id == segment.document_id, Segment.archived.is_(False),
               Segment.position > after_position)
        .values(position=Segment.position + delta)
        .execution_options(synchronize_session=False))
    if segment.block_id is not None:
        session.execute(
            update(Segment)
            .where(Segment.block_id == segment.block_id, Segment.archived.is_(False),
                   Segment.index_in_block > after_index)
            .values(index_in_block=Segment.index_in_block + delta)
            .execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Segment) and obj.document_id == segment.document_id:
            session.expire(obj, ["position", "index_in_block"])


def rekey(session: Session, document_id: int) -> int:
    """Give every active segment of a document the key the importer would give it;
    returns how many keys changed. An archived segment holding a wanted key yields it."""
    session.flush()
    rows = list(session.scalars(select(Segment).where(
        Segment.document_id == document_id, Segment.archived.is_(False))
        .order_by(Segment.position, Segment.id)))
    seen: dict[str, int] = {}
    wanted: dict[int, tuple[Segment, str]] = {}
    for row in rows:
        plain = normalise_source(row.source)
        n = seen.get(plain, 0)
        seen[plain] = n + 1
        key = segment_key(plain, n)
        if row.key != key:
            wanted[row.id] = (row, key)
    if not wanted:
        return 0
    keys = {key for _row, key in wanted.values()}
    for old in session.scalars(select(Segment).where(
            Segment.document_id == document_id, Segment.archived.is_(True),
            Segment.key.in_(keys))):
        old.key = f"{old.key}~{old.id}"[:64]
    # Two steps, so that two rows swapping keys never meet the unique constraint.
    for row, _key in wanted.values():
        row.key = f"~repair~{row.id}"
    session.flush()
    for row, key in wanted.values():
        row.key = key
    session.flush()
    return len(wanted)


def split_segment(session: Session, segment: Segment, offset: int, user: User) -> Segment:
    """Cut a segment in two at a plain-text offset; returns the new second segment.

    Tags spanning the cut are closed and reopened (inline.split_at). Existing targets stay
    with the first part and are flagged outdated; the second part starts untranslated.
    """
    _require(session, user)
    if segment.archived:
        raise RepairError(_("This segment is no longer in the document."))
    plain = strip_tags(segment.source)
    if not 0 < offset < len(plain) or not plain[:offset].strip() or not plain[offset:].strip():
        raise RepairError(_("Choose a place inside the segment, with text on both sides."))
    pieces = split_at(segment.source, [offset])
    if len(pieces) != 2:
        raise RepairError(_("The segment cannot be split at this place."))
    first, second = pieces
    first_sep = ""
    ws = _TRAILING_WS.search(first)
    if ws:
        first_sep = ws.group(1)
        first = first[: ws.start()] + ws.group(2)
    lead = _LEADING_WS.match(second)
    if lead:
        first_sep += lead.group(2)
        second = lead.group(1) + second[lead.end():]
    document = session.get(Document, segment.document_id)
    assert document is not None
    language = document.source_language
    old_source = segment.source
    old_position, old_index = segment.position, segment.index_in_block
    _shift(session, segment, 1, after_position=old_position, after_index=old_index)
    session.refresh(segment)
    new = Segment(
        document_id=segment.document_id, block_id=segment.block_id,
        position=old_position + 1, index_in_block=old_index + 1,
        key=f"~new~{segment.id}", source=second, sep=segment.sep,
        word_count=_word_count(second, language),
    )
    session.add(new)
    segment.previous_source = old_source
    segment.source = first
    segment.sep = first_sep
    segment.word_count = _word_count(first, language)
    session.flush()
    note = _("Segment split by %(user)s: this text was written for “%(old)s”; its end now "
             "belongs to the next segment (“%(second)s”).", user=user.display_name,
             old=strip_tags(old_source), second=strip_tags(second))
    workflow.flag_split(session, segment, user=user, note=note)
    rekey(session, segment.document_id)
    return new


def merge_segments(session: Session, first: Segment, second: Segment, user: User) -> Segment:
    """Join a segment with the next one of its block; returns the merged (first) segment.

    Targets of each language are joined with a space and flagged outdated; the second
    segment is archived with its history.
    """
    _require(session, user)
    if first.archived or second.archived:
        raise RepairError(_("This segment is no longer in the document."))
    if (first.document_id != second.document_id or first.block_id is None
            or first.block_id != second.block_id
            or second.index_in_block != first.index_in_block + 1):
        raise RepairError(_("Only neighbouring segments of the same paragraph can be merged."))
    document = session.get(Document, first.document_id)
    assert document is not None
    old_first = first.source
    merged = join_segments([(first.source, first.sep), (second.source, "")])
    note = _("Segments merged by %(user)s: “%(first)s” and “%(second)s” are now one segment.",
             user=user.display_name, first=strip_tags(old_first),
             second=strip_tags(second.source))
    workflow.merge_translations(session, first, second, merged=merged, user=user, note=note)

    second_position, second_index = second.position, second.index_in_block
    first.previous_source = old_first
    first.source = merged
    first.sep = second.sep
    first.word_count = _word_count(merged, document.source_language)
    second.archived = True
    second.block_id = None
    session.flush()
    _shift(session, first, -1, after_position=second_position, after_index=second_index)
    rekey(session, first.document_id)
    session.refresh(first)
    return first
