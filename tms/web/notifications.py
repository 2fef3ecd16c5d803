"""The notifications page (/notifications) and the unread count for the navigation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tms.db import get_session
from tms.models import Notification
from tms.services import notifications
from tms.web.common import current_account, row_or_404

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _nav_helpers() -> dict[str, Any]:
    def unread_notifications() -> int:
        """Unread notifications of the logged-in user (0 for visitors)."""
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(get_session(), current_account())

    return {"unread_notifications": unread_notifications}


def _safe_link(link: str) -> str:
    """Only links within this site (a path), never another origin."""
    return link if link.startswith("/") and not link.startswith("//") else ""


@bp.get("/notifications")
@login_required
def index() -> Any:
    """The user's notifications, newest first, worded in the current language."""
    session = get_session()
    items = [
        {
            "id": n.id,
            "text": notifications.render(n),
            "link": _safe_link(n.link),
            "created_at": n.created_at,
            "unread": n.read_at is None,
            "kind": n.kind,
        }
        for n in notifications.list_for(session, current_account())
    ]
    return render_template(
        "notifications/index.html",
        items=items,
        unread=sum(1 for i in items if i["unread"]),
    )


@bp.post("/notifications/read")
@login_required
def mark_read() -> Any:
    """Mark one notification (id) or all of them read."""
    session = get_session()
    raw = request.form.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    changed = notifications.mark_read(session, current_account(), ids)
    session.commit()
    if ids is None:
        flash(_("All notifications marked as read."), "success")
    elif not changed:
        flash(_("That notification was already read."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_link(notification_id: int) -> Any:
    """Mark a notification read and go to what it is about."""
    session = get_session()
    note = row_or_404(Notification, notification_id, user_id=current_account().id)
    link = _safe_link(note.link)
    notifications.mark_read(session, current_account(), [notification_id])
    session.commit()
    return redirect(link or url_for("notifications.index"))
