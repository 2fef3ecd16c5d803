"""What the translation memory page reads besides the memory itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Document


def source_languages(session: Session) -> list[str]:
    """The source languages of the documents, and English, sorted."""
    codes = set(session.scalars(select(Document.source_language).distinct()))
    return sorted(codes | {"en"})
