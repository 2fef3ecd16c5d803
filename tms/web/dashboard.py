"""The dashboard: progress of every document in every language, what needs me, activity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from tms.db import get_session
from tms.models import Activity, State, User
from tms.queries.dashboard import my_language_ids, needs_attention, recent_activity
from tms.services import stats
from tms.web.common import current_account

bp = Blueprint("dashboard", __name__)

@dataclass
class DocumentProgress:
    """One document and its per-language rows from stats.overview."""

    document_id: int
    slug: str
    title: str
    total_segments: int
    total_words: int
    languages: list[dict[str, Any]] = field(default_factory=list)


def progress_table(user: User) -> list[DocumentProgress]:
    """stats.overview grouped by document, my languages first in each."""
    mine = my_language_ids(user)
    grouped: dict[int, DocumentProgress] = {}
    for row in stats.overview(get_session()):
        doc = grouped.get(row["document_id"])
        if doc is None:
            doc = grouped[row["document_id"]] = DocumentProgress(
                row["document_id"], row["document"], row["title"], row["total_segments"],
                row["total_words"])
        doc.languages.append({**row, "mine": row["language_id"] in mine})
    for doc in grouped.values():
        doc.languages.sort(key=lambda r: (not r["mine"], r["language"]))
    return list(grouped.values())


# One whole sentence per verb, so translators can order the words as their language needs;
# each is a literal call (the extractor reads them) made only for the verb it is asked for.
_SENTENCES: dict[str, Callable[[int, dict[str, str]], str]] = {
    "translated": lambda n, p: ngettext(
        "%(user)s translated %(num)d segment of “%(document)s” (%(language)s).",
        "%(user)s translated %(num)d segments of “%(document)s” (%(language)s).", n, **p),
    "drafted": lambda n, p: ngettext(
        "%(user)s drafted %(num)d segment of “%(document)s” (%(language)s).",
        "%(user)s drafted %(num)d segments of “%(document)s” (%(language)s).", n, **p),
    "approved": lambda n, p: ngettext(
        "%(user)s approved %(num)d segment of “%(document)s” (%(language)s).",
        "%(user)s approved %(num)d segments of “%(document)s” (%(language)s).", n, **p),
    "sent_back": lambda n, p: ngettext(
        "%(user)s sent back %(num)d segment of “%(document)s” (%(language)s).",
        "%(user)s sent back %(num)d segments of “%(document)s” (%(language)s).", n, **p),
    "suggested": lambda n, p: ngettext(
        "%(user)s suggested %(num)d translation for “%(document)s” (%(language)s).",
        "%(user)s suggested %(num)d translations for “%(document)s” (%(language)s).", n, **p),
    "reverted": lambda n, p: ngettext(
        "%(user)s restored %(num)d earlier version in “%(document)s” (%(language)s).",
        "%(user)s restored %(num)d earlier versions in “%(document)s” (%(language)s).", n,
        **p),
    "cleared": lambda n, p: ngettext(
        "%(user)s cleared %(num)d translation in “%(document)s” (%(language)s).",
        "%(user)s cleared %(num)d translations in “%(document)s” (%(language)s).", n, **p),
    "rejected_suggestions": lambda n, p: ngettext(
        "%(user)s rejected %(num)d suggestion for “%(document)s” (%(language)s).",
        "%(user)s rejected %(num)d suggestions for “%(document)s” (%(language)s).", n, **p),
    "imported": lambda _n, p: _("%(user)s imported a new version of “%(document)s”.", **p),
    "published": lambda _n, p: _(
        "%(user)s published an edition of “%(document)s” (%(language)s).", **p),
}


def activity_sentence(activity: Activity) -> str:
    """One translated sentence for an Activity row: who did what where (no text)."""
    user = activity.user
    who = user.pseudonym if user is not None and user.pseudonym else _("former volunteer")
    params = {
        "user": who,
        "document": activity.document.title if activity.document else "…",
        "language": activity.language.code if activity.language else "",
    }
    sentence = _SENTENCES.get(activity.verb)
    if sentence is not None:
        return sentence(activity.count or 1, params)
    return _("%(user)s: %(verb)s, “%(document)s” (%(language)s).",
             verb=activity.verb.replace("_", " "), **params)


@bp.get("/")
@login_required
def index() -> str:
    """Progress of documents x languages, what needs my attention, recent activity."""
    session = get_session()
    user = current_account()
    return render_template(
        "dashboard/index.html",
        documents=progress_table(user),
        attention=needs_attention(session, user),
        activity=recent_activity(session),
        activity_sentence=activity_sentence,
        states=list(State),
    )
