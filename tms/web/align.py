"""Alignment of existing translations: upload a translated file, check the proposal, confirm.

Thin views over tms.services.alignment. Reviewers of the language and admins only. Every
action is a plain form POST that redirects back to the proposal (align.js only adds the
text cursor for splitting and select-all), so the page works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.inline import strip_tags
from tms.models import AlignmentRun, Document, Language
from tms.services import alignment
from tms.web.common import (
    current_account,
    document_or_404,
    flash_refusals,
    row_or_404,
    saved,
    team_language_or_403,
)

bp = Blueprint("align", __name__, url_prefix="/align")


def _load(doc_slug: str, lang_code: str) -> tuple[Document, Language]:
    """404 for an unknown document or language, 403 unless a reviewer of it or admin."""
    return document_or_404(doc_slug), team_language_or_403(lang_code, review=True)


def _load_run(doc_slug: str, lang_code: str,
              run_id: int) -> tuple[Document, Language, AlignmentRun]:
    """As _load, and the alignment run of that document and language (404 otherwise)."""
    document, language = _load(doc_slug, lang_code)
    run = row_or_404(AlignmentRun, run_id, document_id=document.id, language_id=language.id)
    return document, language, run


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@bp.get("/<doc_slug>/<lang_code>")
@login_required
def index(doc_slug: str, lang_code: str) -> Any:
    """The upload form and earlier alignments of this document and language."""
    document, language = _load(doc_slug, lang_code)
    runs = alignment.runs_for(get_session(), document, language)
    return render_template("align/index.html", document=document, language=language,
                           runs=[(r, alignment.counts(r)) for r in runs])


def _back_to_index(doc_slug: str, lang_code: str) -> BaseResponse:
    return redirect(url_for("align.index", doc_slug=doc_slug, lang_code=lang_code))


@bp.post("/<doc_slug>/<lang_code>")
@login_required
@flash_refusals(_back_to_index)
def upload(doc_slug: str, lang_code: str) -> Any:
    """Read the translated file, propose an alignment, show it."""
    document, language = _load(doc_slug, lang_code)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the translated file to align."), "error")
        return _back_to_index(doc_slug, lang_code)
    run = alignment.propose_alignment(get_session(), document=document, language=language,
                                      filename=upload.filename, data=upload.read(),
                                      user=current_account())
    message = _("Proposed %(pairs)s pairs for %(segments)s segments. Check them, then confirm.",
                pairs=run.report.get("pairs", 0), segments=run.report.get("segments", 0))
    return saved(message, redirect(url_for("align.run", doc_slug=doc_slug, lang_code=lang_code,
                                           run_id=run.id)))


@bp.get("/<doc_slug>/<lang_code>/<int:run_id>")
@login_required
def run(doc_slug: str, lang_code: str, run_id: int) -> Any:
    """The proposal: source segments beside the proposed target sentences."""
    document, language, current = _load_run(doc_slug, lang_code, run_id)
    session = get_session()
    segments = alignment.segments_of(session, current)
    existing = alignment.translated_ids(session, current)
    rows = []
    for pair in current.pairs:
        sources = [segments[i] for i in pair.segment_ids or [] if i in segments]
        rows.append({
            "pair": pair,
            "sources": [strip_tags(s.source) for s in sources],
            "target": alignment.target_plain(pair),
            "sentences": _sentences(pair),
            "score_class": alignment.score_class(pair.score),
            "has_translation": any(s.id in existing for s in sources),
        })
    return render_template("align/run.html", document=document, language=language,
                           run=current, rows=rows, counts=alignment.counts(current),
                           threshold=request.args.get("threshold", "0.8"))


def _sentences(pair: Any) -> list[tuple[str, str]]:
    """(plain sentence, the gap after it) exactly as alignment.target_plain joins them, so
    a character offset counted in the page is the one the split uses."""
    items = list(pair.target or [])
    return [(strip_tags(text), (sep or " ") if k < len(items) - 1 else "")
            for k, (text, sep) in enumerate(items)]


def _back(doc_slug: str, lang_code: str, run_id: int, anchor: str = "") -> BaseResponse:
    url = url_for("align.run", doc_slug=doc_slug, lang_code=lang_code, run_id=run_id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _back_to_pair(doc_slug: str, lang_code: str, run_id: int) -> BaseResponse:
    """Back to the proposal, at the pair the form was about."""
    pair_ids = _ids([request.form.get("pair", "")])
    return _back(doc_slug, lang_code, run_id, f"p{pair_ids[0]}" if pair_ids else "")


def _pair_action(current: AlignmentRun, action: str, pair_id: int) -> str | None:
    """Do one action on one pair; the success message, or None for an unknown action."""
    session, user = get_session(), current_account()
    if action == "confirm":
        return _confirmed_message(alignment.confirm_pairs(session, current, [pair_id], user))
    if action == "reject":
        alignment.reject_pairs(session, current, [pair_id], user)
        return _("Pair rejected.")
    if action in alignment.EDIT_ACTIONS:
        raw = request.form.get("offset", "").strip()
        offset = int(raw) if raw.isdigit() else None
        alignment.edit_pair(session, current, pair_id, action, user, offset=offset)
        return _("Pairs updated.")
    return None


@bp.post("/<doc_slug>/<lang_code>/<int:run_id>/pair")
@login_required
@flash_refusals(_back_to_pair)
def act(doc_slug: str, lang_code: str, run_id: int) -> Any:
    """One pair: confirm, reject, move a sentence up or down, merge with next, split."""
    _document, _language, current = _load_run(doc_slug, lang_code, run_id)
    pair_ids = _ids([request.form.get("pair", "")])
    if not pair_ids:
        flash(_("Choose a pair."), "error")
        return _back(doc_slug, lang_code, run_id)
    message = _pair_action(current, request.form.get("action", ""), pair_ids[0])
    if message is None:
        flash(_("Unknown action."), "error")
        return _back_to_pair(doc_slug, lang_code, run_id)
    return saved(message, _back_to_pair(doc_slug, lang_code, run_id))


def _confirmed_message(result: alignment.ConfirmResult) -> str:
    parts = [ngettext("%(num)s segment is now awaiting review.",
                      "%(num)s segments are now awaiting review.", result.saved)]
    if result.suggested:
        parts.append(ngettext(
            "%(num)s segment already had a translation: the aligned text is a suggestion.",
            "%(num)s segments already had a translation: the aligned texts are suggestions.",
            result.suggested))
    if result.conflicts:
        parts.append(ngettext("%(num)s segment changed meanwhile and was not saved.",
                              "%(num)s segments changed meanwhile and were not saved.",
                              result.conflicts))
    if result.skipped:
        parts.append(ngettext("%(num)s pair was skipped.", "%(num)s pairs were skipped.",
                              len(result.skipped)))
    return " ".join(parts)


def _bulk_action(current: AlignmentRun, action: str) -> str | None:
    """Do a bulk action; the success message, or None (with a flashed reason) if not done."""
    session, user = get_session(), current_account()
    if action == "confirm_above":
        try:
            threshold = float(request.form.get("threshold", "").replace(",", "."))
        except ValueError:
            threshold = -1.0
        return _confirmed_message(alignment.confirm_above(session, current, threshold, user))
    if action not in ("confirm", "reject"):
        flash(_("Unknown action."), "error")
        return None
    ids = _ids(request.form.getlist("pair"))
    if not ids:
        flash(_("Tick the pairs first."), "error")
        return None
    if action == "confirm":
        return _confirmed_message(alignment.confirm_pairs(session, current, ids, user))
    n = alignment.reject_pairs(session, current, ids, user)
    return ngettext("%(num)s pair rejected.", "%(num)s pairs rejected.", n)


@bp.post("/<doc_slug>/<lang_code>/<int:run_id>/bulk")
@login_required
@flash_refusals(_back)
def bulk(doc_slug: str, lang_code: str, run_id: int) -> Any:
    """Confirm or reject the ticked pairs, or confirm every pair scoring at least X."""
    _document, _language, current = _load_run(doc_slug, lang_code, run_id)
    message = _bulk_action(current, request.form.get("action", ""))
    if message is None:
        return _back(doc_slug, lang_code, run_id)
    return saved(message, _back(doc_slug, lang_code, run_id))
