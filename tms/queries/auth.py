"""What the navigation bar on every page reads: the languages a user reviews."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Language, Role, User


def review_languages(session: Session, user: User) -> list[Language]:
    """The languages whose review queue the user may open: every one (by code) for admins,
    else the teams the user is a reviewer in."""
    if user.is_admin:
        return list(session.scalars(select(Language).order_by(Language.code)))
    return [m.language for m in user.memberships if m.role == Role.REVIEWER]
