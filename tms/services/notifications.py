"""In-app notifications: stored as a kind and parameters, worded at display time.

Storing no sentence means a notification reads in the language the user chooses when
they look at it, not the one of whoever triggered it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tms.i18n import N_, _
from tms.models import (
    Comment,
    Document,
    Language,
    Membership,
    Notification,
    Segment,
    Translation,
    User,
    utcnow,
)

KINDS: dict[str, str] = {
    "sent_back": N_(
        "%(reviewer)s sent back your %(language)s translation in “%(document)s”: %(reason)s"
    ),
    "comment": N_("%(author)s commented on a %(language)s segment of “%(document)s”."),
    "document_updated": N_(
        "“%(document)s” has a new version (%(version)s): please check the %(language)s "
        "translation."
    ),
}


def segment_link(document: Document, language: Language, segment: Segment) -> str:
    """The editor address of one segment (a path within the site)."""
    return f"/translate/{document.slug}/{language.code}?segment={segment.id}#s{segment.id}"


def _user_id(user: User | int) -> int:
    return user if isinstance(user, int) else user.id


def notify(
    session: Session, user: User | int, kind: str, params: dict[str, Any], link: str = ""
) -> Notification:
    """Queue a notification of a known kind for one user."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    note = Notification(user_id=_user_id(user), kind=kind, params=dict(params), link=link[:500])
    session.add(note)
    session.flush()
    return note


def render(notification: Notification) -> str:
    """The notification's sentence in the current interface language."""
    template = KINDS.get(notification.kind)
    if template is None:
        return notification.kind
    params = _Params({k: str(v) for k, v in (notification.params or {}).items()})
    try:
        return _(template) % params
    except (TypeError, ValueError):  # a catalogue entry with a broken placeholder
        return template % params


class _Params(dict[str, str]):
    """Placeholder values; one missing from an old notification reads as "…", not a crash."""

    def __missing__(self, key: str) -> str:
        return "…"


def unread_count(session: Session, user: User | int) -> int:
    """How many notifications the user has not read."""
    return int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == _user_id(user), Notification.read_at.is_(None)
            )
        )
        or 0
    )


def list_for(
    session: Session, user: User | int, *, unread_only: bool = False, limit: int = 100
) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == _user_id(user))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user: User | int, ids: list[int] | None = None) -> int:
    """Mark some (or all) of the user's notifications read; returns how many changed."""
    stmt = update(Notification).where(
        Notification.user_id == _user_id(user), Notification.read_at.is_(None)
    )
    if ids is not None:
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    result = session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount)  # type: ignore[attr-defined]


def on_comment(session: Session, comment: Comment) -> list[Notification]:
    """Tell the segment's translator and the thread's earlier authors about a new comment."""
    segment = session.get(Segment, comment.segment_id)
    language = session.get(Language, comment.language_id)
    if segment is None or language is None:
        return []
    document = session.get(Document, segment.document_id)
    assert document is not None
    recipients: list[int] = []
    translator_id = session.scalar(
        select(Translation.translator_id).where(
            Translation.segment_id == segment.id, Translation.language_id == language.id
        )
    )
    if translator_id:
        recipients.append(translator_id)
    recipients.extend(
        uid
        for uid in session.scalars(
            select(Comment.author_id)
            .where(
                Comment.segment_id == segment.id,
                Comment.language_id == language.id,
                Comment.id != comment.id,
                Comment.author_id.is_not(None),
            )
            .order_by(Comment.id)
        )
        if uid is not None
    )
    author = session.get(User, comment.author_id) if comment.author_id else None
    params = {
        "author": author.display_name if author else "former volunteer",
        "language": language.name,
        "document": document.title,
    }
    link = segment_link(document, language, segment)
    sent = []
    for uid in dict.fromkeys(recipients):
        if uid == comment.author_id:
            continue
        user = session.get(User, uid)
        if user is None or user.deleted or not user.active:
            continue
        sent.append(notify(session, uid, "comment", params, link))
    return sent


def on_document_updated(session: Session, document: Document) -> list[Notification]:
    """Tell every member of every language team that a document has a new version."""
    version = document.versions[-1].number if document.versions else 1
    rows = session.execute(
        select(Membership.user_id, Language)
        .join(Language, Language.id == Membership.language_id)
        .join(User, User.id == Membership.user_id)
        .where(User.active.is_(True), User.deleted.is_(False))
        .order_by(Membership.user_id, Language.code)
    ).all()
    sent = []
    for user_id, language in rows:
        params = {"document": document.title, "version": version, "language": language.name}
        link = f"/translate/{document.slug}/{language.code}"
        sent.append(notify(session, user_id, "document_updated", params, link))
    return sent
