"""Documents and their segments as the command line lists them (`tms segments`, `tms export`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Block, Document, Segment


def current_segments(session: Session, document_id: int) -> list[dict[str, Any]]:
    """The document's segments that are not archived, in order, with their block's type and
    context (an empty string when the block has none)."""
    rows = session.execute(
        select(Segment, Block.type, Block.context)
        .join(Block, Block.id == Segment.block_id)
        .where(Segment.document_id == document_id, Segment.archived.is_(False))
        .order_by(Segment.position)
    ).all()
    return [
        {"position": seg.position, "block_type": btype, "context": context or "",
         "key": seg.key, "index_in_block": seg.index_in_block, "words": seg.word_count,
         "source": seg.source}
        for seg, btype, context in rows
    ]


def documents_of_kind(session: Session, kind: str) -> list[Document]:
    """Every document of this kind ("document" or "interface"), by slug."""
    return list(session.scalars(select(Document).where(Document.kind == kind)
                                .order_by(Document.slug)))
