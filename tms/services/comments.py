"""Comment threads: one per segment and language, plain text, resolvable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tms.i18n import _
from tms.models import Comment, Language, Segment, User
from tms.services import notifications
from tms.services.errors import ServiceError

MAX_BODY = 5000


class CommentError(ServiceError, ValueError):
    """A comment could not be added or changed; the message says why."""


@dataclass(frozen=True, slots=True)
class CommentView:
    """A comment as the editor shows it (body is plain text; escape it on output)."""

    id: int
    author: str
    body: str
    kind: str
    resolved: bool
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "author": self.author,
            "body": self.body,
            "kind": self.kind,
            "resolved": self.resolved,
            "created_at": self.created_at.isoformat(),
        }


def _author_name(user: User | None) -> str:
    if user is None or user.deleted or not user.pseudonym:
        return _("former volunteer")
    return user.pseudonym


def add_comment(
    session: Session,
    *,
    segment: Segment,
    language: Language,
    user: User,
    body: str,
    kind: str = "comment",
) -> Comment:
    """Add a plain-text comment to the thread of a segment in a language."""
    body = body.strip()
    if not body:
        raise CommentError(_("The comment is empty."))
    if len(body) > MAX_BODY:
        raise CommentError(_("The comment is too long (at most %(n)s characters).", n=MAX_BODY))
    comment = Comment(
        segment_id=segment.id, language_id=language.id, author_id=user.id, body=body, kind=kind
    )
    session.add(comment)
    session.flush()
    if kind == "comment":
        # Rejections notify through the workflow's own "sent back" notice.
        notifications.on_comment(session, comment)
    return comment


def resolve_comment(
    session: Session, comment: Comment, *, user: User, resolved: bool = True
) -> Comment:
    """Mark a comment resolved (or open it again)."""
    comment.resolved = resolved
    comment.resolved_by_id = user.id if resolved else None
    session.flush()
    return comment


def list_comments(session: Session, segment: Segment, language: Language) -> list[CommentView]:
    """The thread of a segment in a language, oldest first."""
    rows = session.scalars(
        select(Comment)
        .where(Comment.segment_id == segment.id, Comment.language_id == language.id)
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    return [
        CommentView(c.id, _author_name(c.author), c.body, c.kind, c.resolved, c.created_at)
        for c in rows
    ]
