"""Read-only queries that feed the segment editor: a page of segments, filters, the panel.

Every query here is a fixed number of statements whatever the page size (no N+1): the
page is one joined SELECT, comment counts one grouped SELECT over the page's ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tms import taglabels
from tms.i18n import N_, _
from tms.inline import strip_tags
from tms.models import (
    Block,
    Comment,
    Document,
    Language,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)

PAGE_SIZE = 50

# Filter name (query string value) -> label; the order is the order of the filter bar.
FILTERS: dict[str, str] = {
    "": N_("All"),
    "untranslated": N_("Untranslated"),
    "draft": N_("Draft"),
    "translated": N_("Awaiting review"),
    "needs_work": N_("Sent back"),
    "approved": N_("Approved"),
    "outdated": N_("Outdated"),
    "comments": N_("With open comments"),
    "qa": N_("With QA warnings"),
}

@dataclass
class SegmentRow:
    """One segment of the editor page with its translation in the page's language."""

    id: int
    position: int
    source: str
    block_id: int | None
    index_in_block: int
    target: str
    state: State
    version: int
    outdated: bool
    qa_warnings: int
    has_tag_errors: bool
    open_comments: int = 0

    @property
    def state_slug(self) -> str:
        """CSS and JSON name of the state."""
        return self.state.slug


@dataclass
class BlockGroup:
    """Consecutive segments of one block, with the block's context for translators."""

    block_id: int | None
    context: str
    label: str
    tags: dict[str, Any]
    full_text: str  # the whole block, tags stripped: the neighbours of a filtered segment
    rows: list[SegmentRow] = field(default_factory=list)


@dataclass
class EditorPage:
    """What the editor template needs."""

    groups: list[BlockGroup]
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    filtered: bool


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (used with escape="\\")."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def _heading_label(block: Block) -> str:
    return _("heading %(level)s", level=block.level) if block.level else _("heading")


def _list_item_label(block: Block) -> str:
    numbered = block.numbering and any(ch.isalnum() for ch in block.numbering)
    return _("list item %(n)s", n=block.numbering) if numbered else _("list item")


def _note_label(block: Block) -> str:
    attrs = block.attrs or {}
    n = attrs.get("note") or attrs.get("id") or block.numbering or ""
    word = _("footnote") if block.type == "footnote" else _("endnote")
    return f"{word} {n}".strip()


def _cell_label(block: Block) -> str:
    attrs = block.attrs or {}
    row, col = attrs.get("row"), attrs.get("col", attrs.get("column"))
    if isinstance(row, int) and isinstance(col, int):
        # DOCX blocks (they carry their "part") count rows from 1; Markdown and HTML from 0.
        shift = 0 if "part" in attrs else 1
        return _("table cell r%(row)s c%(col)s", row=row + shift, col=col + shift)
    return _("table cell")


# Block types whose label says more than their name: heading level, list number, note, cell.
_LABELLERS: dict[str, Callable[[Block], str]] = {
    "heading": _heading_label,
    "list_item": _list_item_label,
    "footnote": _note_label,
    "endnote": _note_label,
    "table_cell": _cell_label,
}
_PLAIN_LABELS = {
    "title": N_("title"),
    "paragraph": N_("paragraph"),
    "header": N_("page header"),
    "footer": N_("page footer"),
    "text_box": N_("text box"),
    "comment": N_("comment"),
    "quote": N_("quotation"),
    "caption": N_("caption"),
    "code": N_("code"),
    "message": N_("interface message"),
}


def block_label(block: Block | None) -> str:
    """A short description of where a block sits: "list item", "footnote 2", "table cell r2 c3"."""
    if block is None:
        return ""
    labeller = _LABELLERS.get(block.type)
    if labeller is not None:
        return labeller(block)
    return _(_PLAIN_LABELS.get(block.type, N_("paragraph")))


def _filter_clause(name: str, language_id: int) -> ColumnElement[bool] | None:
    t = Translation
    if name == "untranslated":
        return or_(t.id.is_(None), t.state == State.UNTRANSLATED)
    states = {
        "draft": State.DRAFT,
        "translated": State.TRANSLATED,
        "needs_work": State.NEEDS_WORK,
        "approved": State.APPROVED,
    }
    if name in states:
        return t.state == int(states[name])
    if name == "outdated":
        return t.outdated.is_(True)
    if name == "qa":
        return or_(t.qa_warnings > 0, t.has_tag_errors.is_(True))
    if name == "comments":
        return exists().where(
            Comment.segment_id == Segment.id,
            Comment.language_id == language_id,
            Comment.resolved.is_(False),
        )
    return None


def _page_conditions(document: Document, language: Language, filter_name: str,
                     query: str) -> tuple[list[ColumnElement[bool]], bool]:
    """The WHERE clauses of an editor page, and whether a filter or search narrows it."""
    conditions: list[ColumnElement[bool]] = [
        Segment.document_id == document.id,
        Segment.archived.is_(False),
    ]
    clause = _filter_clause(filter_name, language.id)
    if clause is not None:
        conditions.append(clause)
    if query:
        pattern = f"%{escape_like(query)}%"
        conditions.append(
            or_(
                Segment.source.ilike(pattern, escape="\\"),
                Translation.target.ilike(pattern, escape="\\"),
            )
        )
    return conditions, bool(clause is not None or query)


def _open_comment_counts(session: Session, seg_ids: list[int], language_id: int) -> dict[int, int]:
    """Open comments per segment id, for the segments of one page (one grouped SELECT)."""
    if not seg_ids:
        return {}
    return {
        sid: n
        for sid, n in session.execute(
            select(Comment.segment_id, func.count(Comment.id))
            .where(
                Comment.segment_id.in_(seg_ids),
                Comment.language_id == language_id,
                Comment.resolved.is_(False),
            )
            .group_by(Comment.segment_id)
        )
    }


def _segment_row(seg: Segment, tr: Translation | None, open_comments: int) -> SegmentRow:
    """One editor row: the segment and its translation (or an untranslated placeholder)."""
    return SegmentRow(
        id=seg.id,
        position=seg.position,
        source=seg.source,
        block_id=seg.block_id,
        index_in_block=seg.index_in_block,
        target=tr.target if tr else "",
        state=tr.state if tr else State.UNTRANSLATED,
        version=tr.version if tr else 0,
        outdated=bool(tr and tr.outdated),
        qa_warnings=tr.qa_warnings if tr else 0,
        has_tag_errors=bool(tr and tr.has_tag_errors),
        open_comments=open_comments,
    )


def _block_group(seg: Segment, block: Block | None) -> BlockGroup:
    """An empty group for the block a segment belongs to, with the block's context."""
    return BlockGroup(
        block_id=seg.block_id,
        context=block.context if block else "",
        label=block_label(block),
        tags=(block.tags or {}) if block else {},
        full_text=strip_tags(block.source) if block else "",
    )


def _grouped(rows: Sequence[Any], open_comments: dict[int, int]) -> list[BlockGroup]:
    """Consecutive segments of one block grouped; the whole block's text is kept only
    where some of its sentences are not on the page."""
    groups: list[BlockGroup] = []
    for seg, block, tr in rows:
        if not groups or groups[-1].block_id != seg.block_id or seg.block_id is None:
            groups.append(_block_group(seg, block))
        groups[-1].rows.append(_segment_row(seg, tr, open_comments.get(seg.id, 0)))
    for group in groups:
        shown = " ".join(strip_tags(r.source).strip() for r in group.rows)
        if " ".join(group.full_text.split()) == " ".join(shown.split()):
            group.full_text = ""  # every sentence of the block is on the page already
    return groups


def editor_page(
    session: Session,
    document: Document,
    language: Language,
    *,
    filter_name: str = "",
    query: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> EditorPage:
    """One page of segments in document order, grouped by block, with filters and search."""
    join_on = and_(Translation.segment_id == Segment.id, Translation.language_id == language.id)
    conditions, filtered = _page_conditions(document, language, filter_name, query.strip())
    total = session.scalar(
        select(func.count(Segment.id)).outerjoin(Translation, join_on).where(*conditions)
    ) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(Segment, Block, Translation)
        .outerjoin(Translation, join_on)
        .outerjoin(Block, Block.id == Segment.block_id)
        .where(*conditions)
        .order_by(Segment.position, Segment.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    open_comments = _open_comment_counts(session, [seg.id for seg, _b, _t in rows], language.id)
    return EditorPage(
        groups=_grouped(rows, open_comments),
        total=total,
        page=page,
        pages=pages,
        counts=state_counts(session, document, language),
        filtered=filtered,
    )


def state_counts(session: Session, document: Document, language: Language) -> dict[str, int]:
    """Number of live segments per state slug (untranslated includes missing rows)."""
    join_on = and_(Translation.segment_id == Segment.id, Translation.language_id == language.id)
    state_col = func.coalesce(Translation.state, int(State.UNTRANSLATED))
    result = {s.slug: 0 for s in State}
    for state, n in session.execute(
        select(state_col, func.count(Segment.id))
        .outerjoin(Translation, join_on)
        .where(Segment.document_id == document.id, Segment.archived.is_(False))
        .group_by(state_col)
    ):
        result[State(state).slug] = n
    result["total"] = sum(result.values())
    return result


def tag_labels(tags: dict[str, Any]) -> dict[str, str]:
    """Tag id -> short chip label from a block's tag map, in the interface language."""
    return taglabels.tag_labels(tags)


def history(session: Session, translation: Translation | None) -> list[dict[str, Any]]:
    """Revisions of a translation, newest first, as JSON-ready dicts."""
    if translation is None:
        return []
    rows = session.execute(
        select(Revision, User.pseudonym, User.deleted)
        .outerjoin(User, User.id == Revision.author_id)
        .where(Revision.translation_id == translation.id)
        .order_by(Revision.id.desc())
        .limit(50)
    ).all()
    return [
        {
            "id": rev.id,
            "author": pseudonym if pseudonym and not deleted else _("former volunteer"),
            "created_at": rev.created_at.isoformat(),
            "state": rev.state.slug,
            "state_label": rev.state.label,
            "origin": rev.origin,
            "note": rev.note,
            "target": rev.target,
        }
        for rev, pseudonym, deleted in rows
    ]


def open_suggestions(session: Session, segment_id: int, language_id: int) -> list[dict[str, Any]]:
    """Open suggestions beside the current text of a segment, oldest first, JSON-ready."""
    rows = session.execute(
        select(Suggestion, User.pseudonym, User.deleted)
        .outerjoin(User, User.id == Suggestion.author_id)
        .where(
            Suggestion.segment_id == segment_id,
            Suggestion.language_id == language_id,
            Suggestion.status == "open",
        )
        .order_by(Suggestion.id)
        .limit(20)
    ).all()
    return [
        {
            "id": sug.id,
            "author": pseudonym if pseudonym and not deleted else _("former volunteer"),
            "created_at": sug.created_at.isoformat(),
            "target": sug.target,
        }
        for sug, pseudonym, deleted in rows
    ]
