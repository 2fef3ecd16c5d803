"""What the glossary page reads: the terms of one language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import GlossaryTerm, Language


def terms_of(session: Session, language: Language) -> list[GlossaryTerm]:
    """Every term of the language, by source language and source term."""
    return list(session.scalars(
        select(GlossaryTerm).where(GlossaryTerm.language_id == language.id)
        .order_by(GlossaryTerm.source_language, GlossaryTerm.source_term)))
