"""The review queue of a language: approve, send back, edit and approve, suggestions.

Thin views over tms.services.workflow; every action is a plain form POST (works without
JavaScript; review.js only adds keyboard shortcuts) that redirects back to the queue.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from tms.db import get_session
from tms.inline import word_diff
from tms.models import Language, Segment, State, Suggestion, Translation
from tms.queries import review as review_queries
from tms.services import workflow
from tms.taglabels import chip_pieces, tag_label, tag_labels
from tms.web.common import current_account, flash_refusals, row_or_404, saved, team_language_or_403

bp = Blueprint("review", __name__)

MAX_TARGET = 20_000
MAX_REASON = 5_000


def tag_pieces(text: str, tags: dict[str, Any] | None) -> list[dict[str, str]]:
    """A tagged string as text and tag pieces labelled from the block's tag map."""
    return chip_pieces(text, tag_labels(tags), missing=tag_label(None))


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def _back(lang_code: str, anchor: str = "") -> Any:
    """Redirect to the queue, keeping the document filter."""
    doc = request.form.get("document") or request.args.get("document") or None
    url = url_for("review.queue", lang_code=lang_code, document=doc)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _back_to_item(lang_code: str, translation_id: int | None = None,
                  suggestion_id: int | None = None) -> Any:
    """After a refusal: back to the queue, at the item the reviewer was acting on."""
    anchor = f"t{translation_id}" if translation_id else f"s{suggestion_id}"
    return _back(lang_code, anchor)


def _translation(language: Language, translation_id: int) -> Translation:
    return row_or_404(Translation, translation_id, language_id=language.id)


def _suggestion(language: Language, suggestion_id: int) -> Suggestion:
    return row_or_404(Suggestion, suggestion_id, language_id=language.id)


def _approved_message(result: workflow.SaveResult, language: Language) -> str:
    if result.status == "pending":
        return _(
            "Approval recorded. %(language)s needs %(n)s approvals: another reviewer must "
            "approve it too.",
            language=language.name,
            n=language.approvals_required,
        )
    return _("Approved.")


@bp.get("/review/<lang_code>")
@login_required
def queue(lang_code: str) -> Any:
    """The queue: awaiting review (oldest first), open suggestions, outdated approved."""
    language = team_language_or_403(lang_code, review=True)
    session = get_session()
    documents = review_queries.documents(session)
    doc_slug = request.args.get("document") or ""
    document = next((d for d in documents if d.slug == doc_slug), None)
    review_queue = review_queries.review_queue(
        session, language, document_id=document.id if document else None
    )
    return render_template(
        "review/queue.html",
        language=language,
        documents=documents,
        document=document,
        queue=review_queue,
        word_diff=word_diff,
        tag_pieces=tag_pieces,
        State=State,
        self_review=language.allow_self_review,
    )


@bp.post("/review/<lang_code>/<int:translation_id>/approve")
@login_required
@flash_refusals(_back_to_item)
def approve(lang_code: str, translation_id: int) -> Any:
    """Approve one translation (or confirm an outdated approved one)."""
    language = team_language_or_403(lang_code, review=True)
    translation = _translation(language, translation_id)
    result = workflow.approve(get_session(), translation=translation, user=current_account(),
                              base_version=_version())
    return saved(_approved_message(result, language), _back(lang_code))


@bp.post("/review/<lang_code>/<int:translation_id>/send-back")
@login_required
@flash_refusals(_back_to_item)
def send_back(lang_code: str, translation_id: int) -> Any:
    """Send a translation back to its translator with a required reason."""
    language = team_language_or_403(lang_code, review=True)
    translation = _translation(language, translation_id)
    workflow.send_back(get_session(), translation=translation, user=current_account(),
                       reason=request.form.get("reason", "")[:MAX_REASON],
                       base_version=_version())
    return saved(_("Sent back to the translator with your reason."), _back(lang_code))


@bp.post("/review/<lang_code>/<int:translation_id>/edit")
@login_required
@flash_refusals(_back_to_item)
def edit_and_approve(lang_code: str, translation_id: int) -> Any:
    """A reviewer's correction, approved in the same step."""
    language = team_language_or_403(lang_code, review=True)
    translation = _translation(language, translation_id)
    target = request.form.get("target", "")
    version = _version()
    if len(target) > MAX_TARGET or version is None:
        flash(_("The edited text is missing or too long."), "error")
        return _back(lang_code, f"t{translation_id}")
    segment = row_or_404(Segment, translation.segment_id)
    result = workflow.edit_and_approve(get_session(), segment=segment, language=language,
                                       user=current_account(), target=target,
                                       base_version=version)
    if result.status == "conflict":
        # The conflicting text is kept in the history: committed, then reported as a refusal.
        return saved(
            _("Someone else changed this segment meanwhile: your text is kept in its history. "
              "Check the new text and try again."),
            _back(lang_code, f"t{translation_id}"), category="error")
    return saved(_approved_message(result, language), _back(lang_code))


def _selected_versions() -> tuple[list[int], dict[int, int]]:
    """The ticked translations: each value is "id:version" (the version the reviewer saw)
    or a bare id; at most 500 are read."""
    ids: list[int] = []
    versions: dict[int, int] = {}
    for raw in request.form.getlist("ids")[:500]:
        ident, _sep, version = raw.partition(":")
        if not ident.isdigit():
            continue
        ids.append(int(ident))
        if version.isdigit():
            versions[int(ident)] = int(version)
    return ids, versions


def _flash_bulk(result: workflow.BulkResult, foreign: int) -> None:
    if result.approved:
        flash(ngettext("%(num)d translation approved.", "%(num)d translations approved.",
                       len(result.approved)), "success")
    if result.pending:
        flash(ngettext("%(num)d approval recorded; another reviewer must approve it too.",
                       "%(num)d approvals recorded; another reviewer must approve them too.",
                       len(result.pending)), "success")
    for tid, reason in result.skipped:
        flash(_("Not approved (#%(id)s): %(reason)s", id=tid, reason=reason), "error")
    if foreign:
        flash(ngettext("%(num)d selected item is not in this language.",
                       "%(num)d selected items are not in this language.", foreign), "error")


@bp.post("/review/<lang_code>/bulk-approve")
@login_required
def bulk_approve(lang_code: str) -> Any:
    """Approve the selected QA-clean translations; report the skipped ones."""
    language = team_language_or_403(lang_code, review=True)
    ids, versions = _selected_versions()
    if not ids:
        flash(_("Select at least one translation to approve."), "error")
        return _back(lang_code)
    session = get_session()
    owned = review_queries.translation_ids_in(session, ids, language)
    result = workflow.bulk_approve(
        session, translation_ids=[i for i in ids if i in owned], user=current_account(),
        versions=versions,
    )
    session.commit()
    _flash_bulk(result, len(set(ids) - owned))
    return _back(lang_code)


@bp.post("/review/<lang_code>/suggestions/<int:suggestion_id>/accept")
@login_required
@flash_refusals(_back_to_item)
def accept_suggestion(lang_code: str, suggestion_id: int) -> Any:
    """Accept a suggestion: its text becomes the approved target."""
    language = team_language_or_403(lang_code, review=True)
    suggestion = _suggestion(language, suggestion_id)
    result = workflow.accept_suggestion(get_session(), suggestion_id=suggestion.id,
                                        user=current_account(), base_version=_version())
    return saved(_("Suggestion accepted.") + " " + _approved_message(result, language),
                 _back(lang_code))


@bp.post("/review/<lang_code>/suggestions/<int:suggestion_id>/reject")
@login_required
@flash_refusals(_back_to_item)
def reject_suggestion(lang_code: str, suggestion_id: int) -> Any:
    """Reject a suggestion, with an optional reason."""
    language = team_language_or_403(lang_code, review=True)
    suggestion = _suggestion(language, suggestion_id)
    workflow.reject_suggestion(get_session(), suggestion_id=suggestion.id,
                               user=current_account(),
                               reason=request.form.get("reason", "")[:MAX_REASON])
    return saved(_("Suggestion rejected."), _back(lang_code))
