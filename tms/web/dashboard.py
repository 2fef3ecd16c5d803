"""The dashboard: progress of every document in every language, what needs me, activity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tms.db import get_session
from tms.models import Activity, Comment, Document, Language, Segment, State, Translation, User
from tms.services import stats

bp = Blueprint("dashboard", __name__)

RECENT_ACTIVITY = 20


@dataclass
class Attention:
    """What one document in one of my languages asks of me."""

    document: Document
    language: Language
    open_comments: int = 0
    sent_back: int = 0
    outdated: int = 0


@dataclass
class DocumentProgress:
    """One document and its per-language rows from stats.overview."""

    document_id: int
    slug: str
    title: str
    total_segments: int
    total_words: int
    languages: list[dict[str, Any]] = field(default_factory=list)


def _my_language_ids(user: User) -> set[int]:
    return {m.language_id for m in user.memberships}


def needs_attention(session: Session, user: User) -> list[Attention]:
    """Per document and my language: open comments, segments sent back to me, outdated."""
    language_ids = _my_language_ids(user)
    if not language_ids:
        return []
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    live = Segment.archived.is_(False)
    comments = session.execute(
        select(Segment.document_id, Comment.language_id, func.count(func.distinct(Segment.id)))
        .join(Segment, Segment.id == Comment.segment_id)
        .where(Comment.resolved.is_(False), Comment.language_id.in_(language_ids), live)
        .group_by(Segment.document_id, Comment.language_id)
    )
    for doc_id, lang_id, n in comments:
        found[(doc_id, lang_id)]["open_comments"] = int(n)
    sent_back = session.execute(
        select(Segment.document_id, Translation.language_id, func.count(Translation.id))
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Translation.state == int(State.NEEDS_WORK), Translation.translator_id == user.id,
               Translation.language_id.in_(language_ids), live)
        .group_by(Segment.document_id, Translation.language_id)
    )
    for doc_id, lang_id, n in sent_back:
        found[(doc_id, lang_id)]["sent_back"] = int(n)
    outdated = session.execute(
        select(Segment.document_id, Translation.language_id, func.count(Translation.id))
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Translation.outdated.is_(True), Translation.language_id.in_(language_ids), live)
        .group_by(Segment.document_id, Translation.language_id)
    )
    for doc_id, lang_id, n in outdated:
        found[(doc_id, lang_id)]["outdated"] = int(n)
    if not found:
        return []
    documents = {d.id: d for d in session.scalars(
        select(Document).where(Document.id.in_({k[0] for k in found})))}
    languages = {lang.id: lang for lang in session.scalars(
        select(Language).where(Language.id.in_({k[1] for k in found})))}
    items = [Attention(documents[d], languages[lang], **counts)
             for (d, lang), counts in found.items() if d in documents and lang in languages]
    items.sort(key=lambda a: (a.document.title, a.language.code))
    return items


def progress_table(session: Session, user: User) -> list[DocumentProgress]:
    """stats.overview grouped by document, my languages first in each."""
    mine = _my_language_ids(user)
    grouped: dict[int, DocumentProgress] = {}
    for row in stats.overview(session):
        doc = grouped.get(row["document_id"])
        if doc is None:
            doc = grouped[row["document_id"]] = DocumentProgress(
                row["document_id"], row["document"], row["title"], row["total_segments"],
                row["total_words"])
        doc.languages.append({**row, "mine": row["language_id"] in mine})
    for doc in grouped.values():
        doc.languages.sort(key=lambda r: (not r["mine"], r["language"]))
    return list(grouped.values())


def recent_activity(session: Session, limit: int = RECENT_ACTIVITY) -> list[Activity]:
    """The newest activity rows (who did what where; no text)."""
    return list(session.scalars(
        select(Activity).order_by(Activity.created_at.desc(), Activity.id.desc()).limit(limit)))


def activity_sentence(activity: Activity) -> str:
    """One translated sentence for an Activity row: who did what where (no text)."""
    user = activity.user
    who = user.pseudonym if user is not None and user.pseudonym else _("former volunteer")
    n = activity.count or 1
    params = {
        "user": who,
        "document": activity.document.title if activity.document else "…",
        "language": activity.language.code if activity.language else "",
    }
    # Whole sentences per verb, so translators can order the words as their language needs.
    sentences = {
        "translated": ngettext("%(user)s translated %(num)d segment of “%(document)s” "
                               "(%(language)s).",
                               "%(user)s translated %(num)d segments of “%(document)s” "
                               "(%(language)s).", n, **params),
        "drafted": ngettext("%(user)s drafted %(num)d segment of “%(document)s” (%(language)s).",
                            "%(user)s drafted %(num)d segments of “%(document)s” "
                            "(%(language)s).", n, **params),
        "approved": ngettext("%(user)s approved %(num)d segment of “%(document)s” "
                             "(%(language)s).",
                             "%(user)s approved %(num)d segments of “%(document)s” "
                             "(%(language)s).", n, **params),
        "sent_back": ngettext("%(user)s sent back %(num)d segment of “%(document)s” "
                              "(%(language)s).",
                              "%(user)s sent back %(num)d segments of “%(document)s” "
                              "(%(language)s).", n, **params),
        "suggested": ngettext("%(user)s suggested %(num)d translation for “%(document)s” "
                              "(%(language)s).",
                              "%(user)s suggested %(num)d translations for “%(document)s” "
                              "(%(language)s).", n, **params),
        "reverted": ngettext("%(user)s restored %(num)d earlier version in “%(document)s” "
                             "(%(language)s).",
                             "%(user)s restored %(num)d earlier versions in “%(document)s” "
                             "(%(language)s).", n, **params),
        "cleared": ngettext("%(user)s cleared %(num)d translation in “%(document)s” "
                            "(%(language)s).",
                            "%(user)s cleared %(num)d translations in “%(document)s” "
                            "(%(language)s).", n, **params),
        "rejected_suggestions": ngettext("%(user)s rejected %(num)d suggestion for "
                                         "“%(document)s” (%(language)s).",
                                         "%(user)s rejected %(num)d suggestions for "
                                         "“%(document)s” (%(language)s).", n, **params),
        "imported": _("%(user)s imported a new version of “%(document)s”.", **params),
        "published": _("%(user)s published an edition of “%(document)s” (%(language)s).",
                       **params),
    }
    if activity.verb in sentences:
        return sentences[activity.verb]
    return _("%(user)s: %(verb)s, “%(document)s” (%(language)s).",
             verb=activity.verb.replace("_", " "), **params)


@bp.get("/")
@login_required
def index() -> str:
    """Progress of documents x languages, what needs my attention, recent activity."""
    session = get_session()
    user = current_user.user
    return render_template(
        "dashboard/index.html",
        documents=progress_table(session, user),
        attention=needs_attention(session, user),
        activity=recent_activity(session),
        activity_sentence=activity_sentence,
        state_names=stats.STATE_NAMES,
    )
