"""What the segment editor and its JSON API read beyond tms.services.editor_data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Translation


def translation_of(session: Session, segment_id: int, language_id: int) -> Translation | None:
    """The translation of one segment in one language, or None before the first save."""
    return session.scalar(select(Translation).where(Translation.segment_id == segment_id,
                                                    Translation.language_id == language_id))
