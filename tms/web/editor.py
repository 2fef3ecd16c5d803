"""The translator's segment editor page: /translate/<doc_slug>/<lang_code>."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from tms.db import get_session
from tms.models import Document, Language, State
from tms.services import editor_data
from tms.services.editor_data import FILTERS, tag_labels
from tms.taglabels import chip_pieces
from tms.web.common import document_or_404, team_language_or_403

bp = Blueprint("editor", __name__)

CHIP = Markup(
    '<span class="chip c-{}" data-t="{}" role="img" aria-label="{}" title="{}">{}</span>'
)


def load_document_language(doc_slug: str, lang_code: str) -> tuple[Document, Language]:
    """The document and language of an editor URL: 404 if unknown, 403 if not a team member."""
    return document_or_404(doc_slug), team_language_or_403(lang_code)


def js_strings() -> dict[str, str]:
    """Every string editor.js shows, translated for the current user."""
    return {
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "suggested": _(
            "Saved as a suggestion (the approved text stays until a reviewer accepts)"
        ),
        "conflict": _("Conflict: someone else saved this segment meanwhile"),
        "offline": _("Not saved: offline — kept locally"),
        "error": _("Not saved"),
        "restored": _("Restored unsaved text from this device"),
        "unsavedBanner": _("Segments with unsaved text on this device: %(n)s."),
        "tagMissing": _("Missing tag %(tag)s"),
        "tagExtra": _("Tag %(tag)s is not in the source"),
        "tagTwice": _("Tag %(tag)s appears too often"),
        "tagNesting": _("Tags are not nested correctly near %(tag)s"),
        "tagsOk": _("Tags OK"),
        "noTags": _("No tags in this segment"),
        "insertTag": _("Insert tag %(tag)s"),
        "memory": _("Translation memory"),
        "sourceChanged": _("The source changed since this translation was written"),
        "noMemory": _("No similar translations."),
        "useMatch": _("Use match %(n)s (Alt+%(n)s)"),
        "glossary": _("Glossary"),
        "noGlossary": _("No glossary terms in this segment."),
        "forbidden": _("do not use"),
        "qa": _("Checks"),
        "noQa": _("No problems found."),
        "comments": _("Comments"),
        "noComments": _("No comments yet."),
        "addComment": _("Add comment"),
        "commentLabel": _("New comment"),
        "resolve": _("Resolve"),
        "reopen": _("Reopen"),
        "resolved": _("resolved"),
        "history": _("History"),
        "suggestions": _("Suggestions waiting for a reviewer"),
        "accept": _("Accept and approve"),
        "accepted": _("Suggestion accepted"),
        "noHistory": _("No earlier versions."),
        "revert": _("Restore this version"),
        "reverted": _("Version restored"),
        "loading": _("Loading…"),
        "loadFailed": _("Could not load the side panel."),
        "back": _("Back online"),
        "startTag": _("start of tag %(id)s: %(label)s"),
        "endTag": _("end of tag %(id)s: %(label)s"),
        "standaloneTag": _("tag %(id)s: %(label)s"),
        "score": _("%(n)s%% similar"),
        "firstSegment": _("This is the first segment on this page."),
        "lastSegment": _("This is the last segment on this page."),
    }


@bp.app_template_global()
def chip_html(text: str, labels: dict[str, str]) -> Markup:
    """A tagged string rendered as escaped text with tags as labelled chips."""
    parts: list[Markup | str] = []
    for piece in chip_pieces(text, labels):
        if "text" in piece:
            parts.append(Markup.escape(piece["text"]))
            continue
        ident, kind, label = piece["id"], piece["kind"], piece["label"] or ""
        short = label if len(label) <= 14 else label[:13] + "…"
        if kind == "open":
            aria = _("start of tag %(id)s: %(label)s", id=ident, label=label)
            shown = f"{ident} {short}".strip()
        elif kind == "close":
            aria = _("end of tag %(id)s: %(label)s", id=ident, label=label)
            shown = f"/{ident}"
        else:
            aria = _("tag %(id)s: %(label)s", id=ident, label=label)
            shown = f"{ident} {short}".strip()
        parts.append(CHIP.format(kind, piece["tag"], aria, label, shown))
    return Markup("").join(parts)


@bp.get("/translate/<doc_slug>/<lang_code>")
@login_required
def edit(doc_slug: str, lang_code: str) -> Any:
    """The segment list of one document in one language, filtered, paged, editable."""
    document, language = load_document_language(doc_slug, lang_code)
    filter_name = request.args.get("filter", "")
    if filter_name not in FILTERS:
        filter_name = ""
    query = request.args.get("q", "")[:200]
    page_no = request.args.get("page", 1, type=int) or 1
    page = editor_data.editor_page(
        get_session(), document, language, filter_name=filter_name, query=query, page=page_no
    )
    config = {
        "lang": language.code,
        "srcLang": document.source_language,
        "dir": language.direction,
        "api": "/api/segments/",
        "canReview": current_user.can_review(language.id),
    }
    return render_template(
        "editor/edit.html",
        document=document,
        language=language,
        page=page,
        filters=FILTERS,
        filter_name=filter_name,
        query=query,
        tag_labels=tag_labels,
        states=State,
        config=config,
        strings=js_strings(),
    )
