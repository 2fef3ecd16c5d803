"""Offline round trip (download PO/XLIFF, upload it back), segment repair, update reports.

Thin views over tms.services.offline, exporting, segment_repair and updates. Every action
is a plain form POST, so the pages work without JavaScript on a slow phone.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.inline import strip_tags
from tms.models import Document, Language, Segment, State, User
from tms.queries import lookup
from tms.queries.offline import report_texts, version_by_number
from tms.services import offline, segment_repair, updates
from tms.services.exporting import export_document
from tms.web.common import (
    current_account,
    document_or_404,
    flash_refusals,
    language_or_404,
    row_or_404,
)

bp = Blueprint("offline", __name__)

FORMATS = {"po": "PO", "xliff": "XLIFF 1.2", "xliff2": "XLIFF 2.0"}
UPLOAD_STATES = {"translated": State.TRANSLATED, "draft": State.DRAFT}
ACCEPT = ".po,.xlf,.xliff,.xml"


def _load(doc_slug: str, lang_code: str) -> tuple[Document, Language]:
    """404 for an unknown document or language (or its source language), 403 unless a
    member of its team or admin."""
    document = document_or_404(doc_slug)
    language = language_or_404(lang_code)
    if language.code == document.source_language:
        abort(404)
    if not current_user.can_translate(language.id):
        abort(403)
    return document, language


def _render_form(document: Document, language: Language, status: int = 200) -> Any:
    return render_template("offline/index.html", document=document, language=language,
                           formats=FORMATS, accept=ACCEPT), status


@bp.get("/offline/<doc_slug>/<lang_code>")
@login_required
def index(doc_slug: str, lang_code: str) -> Any:
    """Download links and the upload form for one document and language."""
    document, language = _load(doc_slug, lang_code)
    return _render_form(document, language)


def _back_to_form(doc_slug: str, lang_code: str, **_values: Any) -> BaseResponse:
    return redirect(url_for("offline.index", doc_slug=doc_slug, lang_code=lang_code))


@bp.get("/offline/<doc_slug>/<lang_code>/download/<fmt>")
@login_required
@flash_refusals(_back_to_form)
def download(doc_slug: str, lang_code: str, fmt: str) -> Any:
    """The PO or XLIFF file of the document in this language, to translate offline."""
    document, language = _load(doc_slug, lang_code)
    if fmt not in FORMATS:
        abort(404)
    result = export_document(get_session(), document, language, fmt,
                             team_name=current_app.config.get("TEAM_NAME"))
    return Response(result.data, content_type=result.content_type, headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.post("/offline/<doc_slug>/<lang_code>")
@login_required
@flash_refusals(lambda doc_slug, lang_code: _render_form(*_load(doc_slug, lang_code), 400))
def upload(doc_slug: str, lang_code: str) -> Any:
    """Apply an uploaded PO/XLIFF file and show what happened to each unit."""
    document, language = _load(doc_slug, lang_code)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the PO or XLIFF file to upload."), "error")
        return _render_form(document, language, 400)
    state = UPLOAD_STATES.get(request.form.get("state", "translated"))
    if state is None:
        flash(_("Save the upload as translated or as draft."), "error")
        return _render_form(document, language, 400)
    session = get_session()
    user = current_account()
    report = offline.apply_upload(session, document=document, language=language, user=user,
                                  filename=file.filename, data=file.read(), state=state)
    session.commit()
    # flashed before rendering: the report page shows the message itself (no redirect)
    flash(report.summary(), "error" if report.all_skipped else "success")
    return render_template("offline/report.html", document=document, language=language,
                           report=report, rows=_report_rows(report, language, user))


def _report_rows(report: offline.UploadReport, language: Language,
                 user: User) -> dict[str, list[dict[str, Any]]]:
    """The report's items with segment numbers and, for conflicts, both texts."""
    ids = [i.segment_id for items in (report.updated, report.unchanged, report.suggested,
                                      report.skipped) for i in items if i.segment_id]
    texts = report_texts(get_session(), ids, language_id=language.id, author_id=user.id,
                         origin=offline.ORIGIN)

    def rows(items: list[offline.UploadItem]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            seg = texts.segments.get(item.segment_id or -1)
            out.append({
                "item": item,
                "number": seg.position + 1 if seg else None,
                "source": strip_tags(seg.source) if seg else "",
                "online": strip_tags(texts.online.get(seg.id, "")) if seg else "",
                "uploaded": strip_tags(texts.uploaded.get(seg.id, "")) if seg else "",
            })
        return out

    return {"updated": rows(report.updated), "unchanged": rows(report.unchanged),
            "suggested": rows(report.suggested), "skipped": rows(report.skipped)}


# ------------------------------------------------------------------------ segment repair


def _segment_for_repair(doc_slug: str, segment_id: int) -> tuple[Document, Segment]:
    document = document_or_404(doc_slug)
    segment = row_or_404(Segment, segment_id, document_id=document.id)
    if segment.archived:
        abort(404)
    if not segment_repair.can_repair(get_session(), current_account()):
        abort(403)
    return document, segment


def _back_language() -> str | None:
    """A language the user works in, for the link back to the editor."""
    code = request.args.get("lang") or request.form.get("lang")
    if code:
        language = lookup.language_by_code(get_session(), code)
        if language is not None and current_user.can_translate(language.id):
            return language.code
    return None


def _back_to_repair(doc_slug: str, segment_id: int) -> BaseResponse:
    return redirect(url_for("offline.repair", doc_slug=doc_slug, segment_id=segment_id,
                            lang=_back_language()))


@bp.get("/repair/<doc_slug>/<int:segment_id>")
@login_required
def repair(doc_slug: str, segment_id: int) -> Any:
    """Split a segment at a chosen word, or merge it with the next one of its paragraph."""
    document, segment = _segment_for_repair(doc_slug, segment_id)
    following = segment_repair.next_in_block(get_session(), segment)
    return render_template("offline/repair.html", document=document, segment=segment,
                           source=strip_tags(segment.source),
                           points=segment_repair.cut_points(segment),
                           following=strip_tags(following.source) if following else None,
                           lang=_back_language())


def _repair(segment: Segment, action: str) -> str | None:
    """Split or merge; the success message, or None (with a flashed reason) if not done."""
    session = get_session()
    if action == "split":
        raw = request.form.get("offset", "")
        if not raw.isdigit():
            flash(_("Choose where to split the segment."), "error")
            return None
        segment_repair.split_segment(session, segment, int(raw), current_account())
        return _("The segment was split in two; its translations are marked outdated.")
    if action == "merge":
        following = segment_repair.next_in_block(session, segment)
        if following is None:
            flash(_("This is the last segment of its paragraph: there is nothing to merge "
                    "it with."), "error")
            return None
        segment_repair.merge_segments(session, segment, following, current_account())
        return _("The two segments were merged; their translations are joined and "
                 "marked outdated.")
    abort(400)


@bp.post("/repair/<doc_slug>/<int:segment_id>")
@login_required
@flash_refusals(_back_to_repair)
def repair_action(doc_slug: str, segment_id: int) -> Any:
    """Do the chosen split or merge, then go back to the repair page of the segment."""
    _document, segment = _segment_for_repair(doc_slug, segment_id)
    lang = _back_language()
    message = _repair(segment, request.form.get("action", ""))
    if message is None:
        return _back_to_repair(doc_slug, segment_id)
    get_session().commit()
    flash(message, "success")
    if lang:
        return redirect(url_for("editor.edit", doc_slug=doc_slug, lang_code=lang,
                                segment=segment_id) + f"#s{segment_id}")
    return redirect(url_for("offline.repair", doc_slug=doc_slug, segment_id=segment_id))


# ------------------------------------------------------------------------ update reports


@bp.get("/updates/<doc_slug>/<int:version_number>")
@login_required
def update_report(doc_slug: str, version_number: int) -> Any:
    """What one source version changed, per language team."""
    document = document_or_404(doc_slug)
    session = get_session()
    version = version_by_number(session, document, version_number)
    if version is None:
        abort(404)
    report = updates.update_report(session, document, version)
    if not current_user.is_admin:
        # each volunteer sees the rows of their own teams
        report.languages = [row for row in report.languages
                            if current_user.can_translate(row.language.id)]
    return render_template("offline/updates.html", report=report, document=document)
