"""The review queue of a language: approve, send back, edit and approve, suggestions.

Thin views over tms.services.workflow; every action is a plain form POST (works without
JavaScript; review.js only adds keyboard shortcuts) that redirects back to the queue.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from tms.db import get_session
from tms.inline import word_diff
from tms.models import Document, Language, Segment, State, Suggestion, Translation
from tms.services import workflow
from tms.taglabels import chip_pieces, tag_label, tag_labels

bp = Blueprint("review", __name__)

MAX_TARGET = 20_000
MAX_REASON = 5_000


def tag_pieces(text: str, tags: dict[str, Any] | None) -> list[dict[str, str]]:
    """A tagged string as text and tag pieces labelled from the block's tag map."""
    return chip_pieces(text, tag_labels(tags), missing=tag_label(None))


def _language(lang_code: str) -> Language:
    """The language of a review URL: 404 if unknown, 403 unless a reviewer of it or admin."""
    language = get_session().scalar(select(Language).where(Language.code == lang_code))
    if language is None:
        abort(404)
    if not current_user.can_review(language.id):
        abort(403)
    return language


def _translation(language: Language, translation_id: int) -> Translation:
    translation = get_session().get(Translation, translation_id)
    if translation is None or translation.language_id != language.id:
        abort(404)
    return translation


def _suggestion(language: Language, suggestion_id: int) -> Suggestion:
    suggestion = get_session().get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.language_id != language.id:
        abort(404)
    return suggestion


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def _back(language: Language, anchor: str = "") -> Any:
    """Redirect to the queue, keeping the document filter."""
    doc = request.form.get("document") or request.args.get("document") or None
    url = url_for("review.queue", lang_code=language.code, document=doc)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _fail(exc: workflow.WorkflowError) -> None:
    get_session().rollback()
    flash(exc.message, "error")


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
    language = _language(lang_code)
    session = get_session()
    documents = list(
        session.scalars(
            select(Document).where(Document.kind == "document").order_by(Document.title)
        )
    )
    doc_slug = request.args.get("document") or ""
    document = next((d for d in documents if d.slug == doc_slug), None)
    review_queue = workflow.review_queue(
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
        state_label=workflow.state_label,
        State=State,
        self_review=language.allow_self_review,
    )


@bp.post("/review/<lang_code>/<int:translation_id>/approve")
@login_required
def approve(lang_code: str, translation_id: int) -> Any:
    """Approve one translation (or confirm an outdated approved one)."""
    language = _language(lang_code)
    translation = _translation(language, translation_id)
    try:
        result = workflow.approve(
            get_session(), translation=translation, user=current_user.user,
            base_version=_version(),
        )
    except workflow.WorkflowError as exc:
        _fail(exc)
        return _back(language, f"t{translation_id}")
    get_session().commit()
    flash(_approved_message(result, language), "success")
    return _back(language)


@bp.post("/review/<lang_code>/<int:translation_id>/send-back")
@login_required
def send_back(lang_code: str, translation_id: int) -> Any:
    """Send a translation back to its translator with a required reason."""
    language = _language(lang_code)
    translation = _translation(language, translation_id)
    reason = request.form.get("reason", "")[:MAX_REASON]
    try:
        workflow.send_back(
            get_session(), translation=translation, user=current_user.user, reason=reason,
            base_version=_version(),
        )
    except workflow.WorkflowError as exc:
        _fail(exc)
        return _back(language, f"t{translation_id}")
    get_session().commit()
    flash(_("Sent back to the translator with your reason."), "success")
    return _back(language)


@bp.post("/review/<lang_code>/<int:translation_id>/edit")
@login_required
def edit_and_approve(lang_code: str, translation_id: int) -> Any:
    """A reviewer's correction, approved in the same step."""
    language = _language(lang_code)
    translation = _translation(language, translation_id)
    target = request.form.get("target", "")
    version = _version()
    if len(target) > MAX_TARGET or version is None:
        flash(_("The edited text is missing or too long."), "error")
        return _back(language, f"t{translation_id}")
    session = get_session()
    segment = session.get(Segment, translation.segment_id)
    try:
        result = workflow.edit_and_approve(
            session, segment=segment, language=language, user=current_user.user,  # type: ignore[arg-type]
            target=target, base_version=version,
        )
    except workflow.WorkflowError as exc:
        _fail(exc)
        return _back(language, f"t{translation_id}")
    session.commit()
    if result.status == "conflict":
        flash(
            _("Someone else changed this segment meanwhile: your text is kept in its history. "
              "Check the new text and try again."),
            "error",
        )
        return _back(language, f"t{translation_id}")
    flash(_approved_message(result, language), "success")
    return _back(language)


@bp.post("/review/<lang_code>/bulk-approve")
@login_required
def bulk_approve(lang_code: str) -> Any:
    """Approve the selected QA-clean translations; report the skipped ones."""
    language = _language(lang_code)
    # Each value is "id:version" (the version the reviewer saw) or a bare id.
    ids: list[int] = []
    versions: dict[int, int] = {}
    for raw in request.form.getlist("ids")[:500]:
        ident, _sep, version = raw.partition(":")
        if not ident.isdigit():
            continue
        ids.append(int(ident))
        if version.isdigit():
            versions[int(ident)] = int(version)
    if not ids:
        flash(_("Select at least one translation to approve."), "error")
        return _back(language)
    session = get_session()
    owned = set(
        session.scalars(
            select(Translation.id).where(
                Translation.id.in_(ids), Translation.language_id == language.id
            )
        )
    )
    result = workflow.bulk_approve(
        session, translation_ids=[i for i in ids if i in owned], user=current_user.user,
        versions=versions,
    )
    session.commit()
    if result.approved:
        flash(ngettext("%(num)d translation approved.", "%(num)d translations approved.",
                       len(result.approved)), "success")
    if result.pending:
        flash(ngettext("%(num)d approval recorded; another reviewer must approve it too.",
                       "%(num)d approvals recorded; another reviewer must approve them too.",
                       len(result.pending)), "success")
    for tid, reason in result.skipped:
        flash(_("Not approved (#%(id)s): %(reason)s", id=tid, reason=reason), "error")
    foreign = len(set(ids) - owned)
    if foreign:
        flash(ngettext("%(num)d selected item is not in this language.",
                       "%(num)d selected items are not in this language.", foreign), "error")
    return _back(language)


@bp.post("/review/<lang_code>/suggestions/<int:suggestion_id>/accept")
@login_required
def accept_suggestion(lang_code: str, suggestion_id: int) -> Any:
    """Accept a suggestion: its text becomes the approved target."""
    language = _language(lang_code)
    suggestion = _suggestion(language, suggestion_id)
    try:
        result = workflow.accept_suggestion(
            get_session(), suggestion_id=suggestion.id, user=current_user.user,
            base_version=_version(),
        )
    except workflow.WorkflowError as exc:
        _fail(exc)
        return _back(language, f"s{suggestion_id}")
    get_session().commit()
    flash(_("Suggestion accepted.") + " " + _approved_message(result, language), "success")
    return _back(language)


@bp.post("/review/<lang_code>/suggestions/<int:suggestion_id>/reject")
@login_required
def reject_suggestion(lang_code: str, suggestion_id: int) -> Any:
    """Reject a suggestion, with an optional reason."""
    language = _language(lang_code)
    suggestion = _suggestion(language, suggestion_id)
    try:
        workflow.reject_suggestion(
            get_session(), suggestion_id=suggestion.id, user=current_user.user,
            reason=request.form.get("reason", "")[:MAX_REASON],
        )
    except workflow.WorkflowError as exc:
        _fail(exc)
        return _back(language, f"s{suggestion_id}")
    get_session().commit()
    flash(_("Suggestion rejected."), "success")
    return _back(language)
