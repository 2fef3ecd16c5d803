"""Accounts as the command line needs them: is there an admin, and who acts by default."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import User


def admin_exists(session: Session) -> bool:
    """Whether any account (active or not) is an administrator."""
    return session.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1)) is not None


def first_active_admin(session: Session) -> User | None:
    """The oldest active, not deleted administrator, or None."""
    return session.scalar(
        select(User).where(User.is_admin.is_(True), User.active.is_(True),
                           User.deleted.is_(False)).order_by(User.id).limit(1)
    )
