"""Bring an existing translation into tms by aligning it with the document's segments.

propose_alignment reads the target-language file, cuts it into sentences, aligns it with
the document (tms.align: blocks by structure and length, sentences by a Gale-Church length
model with anchors) and stores the proposal as an AlignmentRun with one AlignmentPair per
bead. A reviewer then edits the proposal (move a sentence to the neighbouring pair, merge
two pairs, split a pair's target) and confirms or rejects pairs.

A pair holds source segments (segment_ids) and target sentences ([text, separator]). Its
shape is free: 1-1, 2-1 (two segments share one target sentence), 1-2, 0-1 (a sentence
the source does not have) or 1-0 (a segment with no target).

On confirmation the pair's target text goes to its segments:
- one segment: the whole text;
- several segments (a 2-1 pair): the text is cut in proportion to the segments' source
  lengths, at the nearest word boundary (a comma, semicolon or colon nearby wins), so each
  segment gets its own piece and the exported document reads the whole sentence once.
  The reviewer who approves them sees the pieces side by side and can move words in the
  editor. (Giving the first segment everything and the second nothing would leave the
  second untranslated, and exports would show its source text.)
Each piece is saved through tms.services.workflow.save_translation in state translated
(awaiting review, origin "alignment") and remembered by the translation memory as not yet
approved. A segment that already has a non-empty translation keeps it: the piece becomes
an open Suggestion (origin "alignment") beside it.

Every proposal, edit, confirmation and rejection is recorded as an AlignmentEvent.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms import align
from tms.formats import read_document
from tms.formats.base import FormatError, Tag
from tms.i18n import _
from tms.inline import split_at, strip_tags
from tms.models import (
    AlignmentEvent,
    AlignmentPair,
    AlignmentRun,
    Block,
    Document,
    DocumentVersion,
    Language,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
    utcnow,
)
from tms.segmentation import segment as cut_sentences
from tms.services import memory, workflow
from tms.services.errors import ServiceError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
EDIT_ACTIONS = ("up", "down", "merge", "split")


class AlignmentError(ServiceError):
    """A refused alignment action; ``message`` is one translated sentence."""


@dataclass
class ConfirmResult:
    """What confirm_pairs did, counted in segments (pairs for `pairs`)."""

    pairs: int = 0
    saved: int = 0
    suggested: int = 0
    unchanged: int = 0
    conflicts: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (pair id, reason)


# ---------------------------------------------------------------- reading pairs


def target_text(pair: AlignmentPair) -> str:
    """The pair's target sentences joined as they stood in the file (tagged)."""
    out = []
    for k, (text, sep) in enumerate(pair.target or []):
        out.append(text)
        if k < len(pair.target) - 1:
            out.append(sep or " ")
    return "".join(out)


def target_plain(pair: AlignmentPair) -> str:
    """target_text without tags: what the proposal page shows and split offsets count in."""
    return strip_tags(target_text(pair))


def segments_of(session: Session, run: AlignmentRun) -> dict[int, Segment]:
    """Every segment a run's pairs refer to, by id."""
    ids = {sid for p in run.pairs for sid in (p.segment_ids or [])}
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Segment).where(Segment.id.in_(ids)))}


def score_class(score: float) -> str:
    """CSS class of a score: score-high, score-mid, score-low or score-none."""
    if score <= 0:
        return "score-none"
    if score >= 0.8:
        return "score-high"
    if score >= 0.5:
        return "score-mid"
    return "score-low"


# ---------------------------------------------------------------- proposing


def _require_reviewer(session: Session, user: User, language: Language) -> None:
    if not workflow.can_review(session, user, language):
        raise AlignmentError(
            _("Only reviewers of %(language)s can align translations.", language=language.name)
        )


def _read(filename: str, data: bytes, language: str) -> Any:
    name = PurePath(filename or "").name
    if not data:
        raise AlignmentError(_("The file %(file)s is empty.", file=name or "?"))
    if len(data) > MAX_FILE_BYTES:
        raise AlignmentError(_("The file %(file)s is larger than %(mb)s MB.", file=name,
                               mb=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        return read_document(name, data, language)
    except FormatError as exc:
        raise AlignmentError(_("%(file)s: %(reason)s.", file=name,
                               reason=str(exc).rstrip("."))) from exc
    except Exception as exc:  # a reader bug must not reach the user as a traceback
        log.info("reader failed on %s", name, exc_info=True)
        raise AlignmentError(
            _("%(file)s could not be read; it may be damaged or not really a %(ext)s file.",
              file=name, ext=PurePath(name).suffix.lower())
        ) from exc


def _source_blocks(session: Session, document: Document
                   ) -> tuple[list[align.AlignBlock], list[Segment], list[dict[str, Tag]]]:
    """The document's current segments grouped by block, as AlignBlocks; also the flat
    segment list and each segment's block tag map."""
    rows = list(session.execute(
        select(Segment, Block)
        .outerjoin(Block, Segment.block_id == Block.id)
        .where(Segment.document_id == document.id, Segment.archived.is_(False))
        .order_by(Segment.position)
    ).all())
    blocks: list[align.AlignBlock] = []
    segments: list[Segment] = []
    seg_tags: list[dict[str, Tag]] = []
    last_block: int | None = None
    for seg, block in rows:
        tags = {k: Tag.from_json(v) for k, v in ((block.tags if block else None) or {}).items()}
        if block is None or block.id != last_block:
            blocks.append(align.AlignBlock(
                type=block.type if block else "paragraph",
                sentences=[],
                level=block.level if block else None,
                numbering=block.numbering if block else None,
                attrs=dict(block.attrs or {}) if block else {},
                tags=tags,
            ))
            last_block = block.id if block else None
        blocks[-1].sentences.append(seg.source)
        segments.append(seg)
        seg_tags.append(tags)
    return blocks, segments, seg_tags


def _target_blocks(parsed: Any, language: str
                   ) -> tuple[list[align.AlignBlock], list[tuple[str, str]]]:
    """Translatable, non-empty blocks of the target file cut into sentences; also the flat
    list of (sentence, separator)."""
    blocks: list[align.AlignBlock] = []
    flat: list[tuple[str, str]] = []
    for pb in parsed.blocks:
        if not pb.translatable or pb.type == "code" or not strip_tags(pb.text).strip():
            continue
        pieces = [(s, sep) for s, sep in cut_sentences(pb.text, language) if strip_tags(s).strip()]
        if not pieces:
            continue
        blocks.append(align.AlignBlock.from_parsed(pb, [s for s, _ in pieces]))
        flat.extend(pieces)
    return blocks, flat


def _run_report(result: align.DocumentAlignment, segments: int, sentences: int,
                warnings: list[str] | None) -> dict[str, Any]:
    """The figures a reviewer sees about a proposal: the length model and the pair kinds."""
    kinds: dict[str, int] = {}
    for p in result.pairs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    return {
        "ratio": round(result.model.c, 4),
        "variance": round(result.model.s2, 3),
        "segments": segments,
        "sentences": sentences,
        "pairs": len(result.pairs),
        "kinds": kinds,
        "warnings": list(warnings or []),
    }


def _store_pairs(session: Session, run: AlignmentRun, pairs: Sequence[align.AlignedPair],
                 segments: list[Segment], seg_tags: list[dict[str, Tag]],
                 sentences: list[tuple[str, str]], sent_tags: list[dict[str, Tag]]) -> None:
    """One proposed AlignmentPair per aligned pair, its target tags renumbered to the source's."""
    for position, p in enumerate(pairs):
        sources = [segments[i].source for i in p.source_indices]
        src_tags: dict[str, Tag] = {}
        for i in p.source_indices:
            src_tags.update(seg_tags[i])
        target = [
            [align.map_tags(sentences[j][0], sent_tags[j], sources, src_tags), sentences[j][1]]
            for j in p.target_indices
        ]
        session.add(AlignmentPair(
            run_id=run.id,
            position=position,
            segment_ids=[segments[i].id for i in p.source_indices],
            target=target,
            score=float(p.score),
            status="proposed",
        ))


def propose_alignment(
    session: Session,
    *,
    document: Document,
    language: Language,
    filename: str,
    data: bytes,
    user: User,
) -> AlignmentRun:
    """Read a translated file, align it with the document and store the proposal."""
    _require_reviewer(session, user, language)
    if language.code == document.source_language:
        raise AlignmentError(_("%(language)s is the source language of this document.",
                               language=language.name))
    parsed = _read(filename, data, language.code)
    src_blocks, segments, seg_tags = _source_blocks(session, document)
    if not segments:
        raise AlignmentError(_("This document has no segments to align with."))
    tgt_blocks, sentences = _target_blocks(parsed, language.code)
    if not sentences:
        raise AlignmentError(_("%(file)s contains no text to align.",
                               file=PurePath(filename).name))
    result = align.align_document(src_blocks, tgt_blocks)

    version = session.scalar(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc()).limit(1)
    )
    run = AlignmentRun(
        document_id=document.id,
        version_id=version.id if version else None,
        language_id=language.id,
        filename=PurePath(filename).name[:255],
        created_by_id=user.id,
        status="open",
        report=_run_report(result, len(segments), len(sentences), parsed.warnings),
    )
    session.add(run)
    session.flush()
    # target sentence index -> its block's tag map, for renumbering tags
    sent_tags: list[dict[str, Tag]] = []
    for b in tgt_blocks:
        sent_tags.extend([b.tags] * len(b.sentences))
    _store_pairs(session, run, result.pairs, segments, seg_tags, sentences, sent_tags)
    _event(session, run, user, "proposed", {"file": run.filename, "pairs": len(result.pairs)})
    session.flush()
    session.refresh(run)
    return run


# ---------------------------------------------------------------- deciding


def _event(session: Session, run: AlignmentRun, user: User | None, action: str,
           detail: dict[str, Any]) -> None:
    session.add(AlignmentEvent(run_id=run.id, user_id=user.id if user else None,
                               action=action, detail=detail))
    session.flush()


def _require_open(session: Session, run: AlignmentRun, user: User) -> Language:
    language = session.get(Language, run.language_id)
    assert language is not None
    _require_reviewer(session, user, language)
    return language


def _pairs(run: AlignmentRun, pair_ids: Sequence[int]) -> list[AlignmentPair]:
    wanted = set(pair_ids)
    found = [p for p in run.pairs if p.id in wanted]
    if len(found) != len(wanted):
        raise AlignmentError(_("Some of these pairs are not part of this alignment."))
    return found


def confirm_pairs(session: Session, run: AlignmentRun, pair_ids: Sequence[int],
                  user: User) -> ConfirmResult:
    """Turn proposed pairs into translations awaiting review (or suggestions beside
    existing translations) and remember them, unapproved, in the translation memory."""
    language = _require_open(session, run, user)
    document = session.get(Document, run.document_id)
    assert document is not None
    segments = segments_of(session, run)
    result = ConfirmResult()
    for pair in sorted(_pairs(run, pair_ids), key=lambda p: p.position):
        if pair.status != "proposed":
            result.skipped.append((pair.id, _("already decided")))
            continue
        text = target_text(pair)
        segs = [segments[i] for i in pair.segment_ids or [] if i in segments]
        if not segs or not strip_tags(text).strip():
            result.skipped.append((pair.id, _("a pair needs both a source and a target")))
            continue
        pieces = align.split_proportionally(text, [len(strip_tags(s.source)) for s in segs])
        for seg, piece in zip(segs, pieces, strict=True):
            if strip_tags(piece).strip():
                _apply(session, document, language, seg, piece, user, result)
        pair.status = "confirmed"
        pair.decided_by_id = user.id
        pair.decided_at = utcnow()
        result.pairs += 1
    _event(session, run, user, "confirmed", {
        "pairs": list(pair_ids), "saved": result.saved, "suggested": result.suggested,
        "conflicts": result.conflicts})
    _maybe_done(run)
    session.flush()
    return result


def _apply(session: Session, document: Document, language: Language, seg: Segment,
           piece: str, user: User, result: ConfirmResult) -> None:
    """One segment's piece: a translation if it has none yet, else a suggestion."""
    current = workflow.get_translation(session, seg.id, language.id)
    if current is not None and current.target.strip():
        if current.target == piece:
            result.unchanged += 1
            return
        open_same = session.scalar(select(Suggestion.id).where(
            Suggestion.segment_id == seg.id, Suggestion.language_id == language.id,
            Suggestion.status == "open", Suggestion.target == piece))
        if open_same is None:
            session.add(Suggestion(segment_id=seg.id, language_id=language.id, target=piece,
                                   author_id=user.id, status="open", origin="alignment"))
            session.flush()
            workflow.record_activity(session, "suggested", user=user,
                                     document_id=document.id, language_id=language.id)
        result.suggested += 1
        return
    saved = workflow.save_translation(
        session, segment=seg, language=language, user=user, target=piece,
        state=State.TRANSLATED, base_version=current.version if current else 0,
        origin="alignment",
    )
    if saved.status == "saved":
        memory.remember(session, source=seg.source, target=piece,
                        source_language=document.source_language,
                        target_language=language.code,
                        origin=f"{document.slug} #{seg.key}", segment_id=seg.id,
                        approved=False)
        result.saved += 1
    elif saved.status == "suggested":
        result.suggested += 1
    else:
        result.conflicts += 1


def confirm_above(session: Session, run: AlignmentRun, threshold: float,
                  user: User) -> ConfirmResult:
    """Confirm every proposed pair whose score is at least threshold (0..1)."""
    if not 0 <= threshold <= 1 or math.isnan(threshold):
        raise AlignmentError(_("The score must be between 0 and 1."))
    ids = [p.id for p in run.pairs if p.status == "proposed" and p.score >= threshold
           and p.segment_ids and p.target]
    return confirm_pairs(session, run, ids, user)


def reject_pairs(session: Session, run: AlignmentRun, pair_ids: Sequence[int],
                 user: User) -> int:
    """Mark proposed pairs rejected (nothing is written to the translations)."""
    _require_open(session, run, user)
    count = 0
    for pair in _pairs(run, pair_ids):
        if pair.status == "proposed":
            pair.status = "rejected"
            pair.decided_by_id = user.id
            pair.decided_at = utcnow()
            count += 1
    _event(session, run, user, "rejected", {"pairs": list(pair_ids)})
    _maybe_done(run)
    session.flush()
    return count


def _maybe_done(run: AlignmentRun) -> None:
    if all(p.status != "proposed" for p in run.pairs):
        run.status = "done"


# ---------------------------------------------------------------- editing


def edit_pair(session: Session, run: AlignmentRun, pair_id: int, action: str, user: User,
              *, offset: int | None = None) -> list[AlignmentPair]:
    """Change a proposal: "up" moves the pair's first target sentence to the previous
    pair, "down" its last one to the next pair, "merge" joins the pair with the next one,
    "split" cuts its target text at a plain-text offset into a new pair after it.
    Returns the pairs that changed."""
    _require_open(session, run, user)
    if action not in EDIT_ACTIONS:
        raise AlignmentError(_("Unknown change: %(action)s.", action=action))
    pairs = list(run.pairs)
    index = next((k for k, p in enumerate(pairs) if p.id == pair_id), None)
    if index is None:
        raise AlignmentError(_("This pair is not part of this alignment."))
    pair = pairs[index]
    if pair.status != "proposed":
        raise AlignmentError(_("This pair was already confirmed or rejected."))

    def neighbour(k: int) -> AlignmentPair:
        if not 0 <= k < len(pairs):
            raise AlignmentError(_("There is no pair on that side."))
        other = pairs[k]
        if other.status != "proposed":
            raise AlignmentError(
                _("The neighbouring pair was already confirmed or rejected."))
        return other

    changed: list[AlignmentPair]
    if action == "up":
        other = neighbour(index - 1)
        if not pair.target:
            raise AlignmentError(_("This pair has no target sentence to move."))
        first, *rest = pair.target
        other.target = [*(other.target or []), first]
        pair.target = rest
        changed = [other, pair]
    elif action == "down":
        other = neighbour(index + 1)
        if not pair.target:
            raise AlignmentError(_("This pair has no target sentence to move."))
        *rest, last = pair.target
        other.target = [last, *(other.target or [])]
        pair.target = rest
        changed = [pair, other]
    elif action == "merge":
        other = neighbour(index + 1)
        pair.segment_ids = [*(pair.segment_ids or []), *(other.segment_ids or [])]
        pair.target = [*(pair.target or []), *(other.target or [])]
        session.delete(other)
        run.pairs.remove(other)
        changed = [pair]
    else:
        new = _split(session, run, pairs, index, offset)
        changed = [pair, new]
    _renumber(run)
    _rescore(session, run, changed)
    _event(session, run, user, action, {"pair": pair_id, "offset": offset})
    session.flush()
    return changed


def _split(session: Session, run: AlignmentRun, pairs: list[AlignmentPair], index: int,
           offset: int | None) -> AlignmentPair:
    pair = pairs[index]
    plain = target_plain(pair)
    if offset is None or not 0 < offset < len(plain):
        raise AlignmentError(_("Choose where to split: a position inside the target text "
                               "(1 to %(n)s).", n=max(1, len(plain) - 1)))
    before: list[list[str]] = []
    after: list[list[str]] = []
    pos = 0
    for k, (text, sep) in enumerate(pair.target):
        gap = (sep or " ") if k < len(pair.target) - 1 else ""
        length = len(strip_tags(text))
        if pos + length + len(gap) <= offset:
            before.append([text, sep])
        elif pos >= offset:
            after.append([text, sep])
        elif offset - pos >= length:  # inside the gap after this sentence
            before.append([text, sep])
        else:
            head, tail = split_at(text, [offset - pos])
            before.append([head.rstrip(), " "])
            after.append([tail.lstrip(), sep])
        pos += length + len(gap)
    if not before or not after:
        raise AlignmentError(_("Choose where to split: a position inside the target text "
                               "(1 to %(n)s).", n=max(1, len(plain) - 1)))
    segs = list(pair.segment_ids or [])
    keep = max(1, math.ceil(len(segs) / 2)) if segs else 0
    pair.target = before
    new = AlignmentPair(run_id=run.id, position=pair.position + 1, segment_ids=segs[keep:],
                        target=after, score=0.0, status="proposed")
    pair.segment_ids = segs[:keep]
    run.pairs.insert(index + 1, new)
    session.add(new)
    return new


def _renumber(run: AlignmentRun) -> None:
    for position, p in enumerate(run.pairs):
        p.position = position


def _rescore(session: Session, run: AlignmentRun, pairs: Sequence[AlignmentPair]) -> None:
    """Scores of edited pairs, from the run's own length model."""
    model = align.LengthModel(float(run.report.get("ratio", 1.0)),
                              float(run.report.get("variance", align.DEFAULT_VARIANCE)))
    segments = segments_of(session, run)
    for p in pairs:
        sources = [segments[i].source for i in (p.segment_ids or []) if i in segments]
        targets = [text for text, _sep in (p.target or [])]
        p.score = align.pair_score(sources, targets, model)


# ---------------------------------------------------------------- listing


def runs_for(session: Session, document: Document, language: Language) -> list[AlignmentRun]:
    """Alignment runs of a document and language, newest first."""
    return list(session.scalars(
        select(AlignmentRun)
        .where(AlignmentRun.document_id == document.id,
               AlignmentRun.language_id == language.id)
        .order_by(AlignmentRun.id.desc())
    ))


def counts(run: AlignmentRun) -> dict[str, int]:
    """Pairs per status."""
    out = {"proposed": 0, "confirmed": 0, "rejected": 0}
    for p in run.pairs:
        out[p.status] = out.get(p.status, 0) + 1
    return out


def translated_ids(session: Session, run: AlignmentRun) -> set[int]:
    """Ids of the run's segments that already have a non-empty translation."""
    ids = {sid for p in run.pairs for sid in (p.segment_ids or [])}
    if not ids:
        return set()
    return set(session.scalars(
        select(Translation.segment_id).where(
            Translation.language_id == run.language_id, Translation.segment_id.in_(ids),
            Translation.target != "")
    ))
