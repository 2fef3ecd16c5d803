"""The one read of the health check: does the database answer at all."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def database_answers(session: Session) -> bool:
    """True when a trivial query succeeds; any database failure means "not healthy"."""
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # whatever failed, the answer is the same
        return False
    return True
