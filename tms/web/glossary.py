"""The glossary of one language: everyone in the team reads it; reviewers and admins add,
edit, delete, import (TBX/CSV) and export terms. Thin views over tms.services.glossary and
tms.services.exchange."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.models import GlossaryTerm
from tms.queries.glossary import terms_of
from tms.services import exchange, glossary
from tms.services.exporting import safe_name
from tms.web.common import current_account, flash_refusals, row_or_404, saved
from tms.web.common import team_language_or_403 as _language

bp = Blueprint("glossary", __name__, url_prefix="/glossary")

CONTENT_TYPES = {"tbx": "application/x-tbx+xml", "csv": "text/csv; charset=utf-8"}


def _back(lang_code: str, **_values: Any) -> BaseResponse:
    return redirect(url_for("glossary.index", lang_code=lang_code))


def _form_flags() -> dict[str, Any]:
    return {"source_term": request.form.get("source_term", ""),
            "target_term": request.form.get("target_term", ""),
            "note": request.form.get("note", ""),
            "forbidden": request.form.get("forbidden") == "1"}


def _source_language() -> str:
    return (request.form.get("source_language") or "en").strip()[:35]


@bp.get("/<lang_code>")
@login_required
def index(lang_code: str) -> Any:
    """Every term of the language, with the editing forms for reviewers."""
    language = _language(lang_code)
    return render_template("glossary/index.html", language=language,
                           terms=terms_of(get_session(), language),
                           may_edit=current_user.can_review(language.id),
                           formats=exchange.GLOSSARY_FORMATS)


@bp.post("/<lang_code>/add")
@login_required
@flash_refusals(_back)
def add(lang_code: str) -> Any:
    """Add a term (or update the one with the same source text)."""
    language = _language(lang_code, review=True)
    term = glossary.add_term(get_session(), language=language,
                             source_language=_source_language(), approved=True,
                             user_id=current_account().id, **_form_flags())
    return saved(_("“%(term)s” is in the glossary.", term=term.source_term), _back(lang_code))


@bp.post("/<lang_code>/<int:term_id>")
@login_required
@flash_refusals(_back)
def edit(lang_code: str, term_id: int) -> Any:
    """Change a term."""
    language = _language(lang_code, review=True)
    term = row_or_404(GlossaryTerm, term_id, language_id=language.id)
    exchange.edit_term(get_session(), term, **_form_flags())
    return saved(_("“%(term)s” was saved.", term=term.source_term), _back(lang_code))


@bp.post("/<lang_code>/<int:term_id>/delete")
@login_required
def delete(lang_code: str, term_id: int) -> Any:
    """Remove a term."""
    language = _language(lang_code, review=True)
    term = row_or_404(GlossaryTerm, term_id, language_id=language.id)
    name = term.source_term
    exchange.delete_term(get_session(), term)
    return saved(_("“%(term)s” was removed from the glossary.", term=name), _back(lang_code))


@bp.post("/<lang_code>/import")
@login_required
@flash_refusals(_back)
def import_file(lang_code: str) -> Any:
    """Add the terms of an uploaded TBX or CSV file."""
    language = _language(lang_code, review=True)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the TBX or CSV file to import."), "error")
        return _back(lang_code)
    report = exchange.import_glossary(
        get_session(), language=language, filename=file.filename, data=file.read(),
        source_language=_source_language(), user_id=current_account().id)
    return saved(report.summary(), _back(lang_code))


@bp.get("/<lang_code>/export/<fmt>")
@login_required
def export(lang_code: str, fmt: str) -> Any:
    """The glossary as a TBX or CSV download."""
    language = _language(lang_code, review=True)
    if fmt not in CONTENT_TYPES:
        abort(404)
    data = exchange.export_glossary(get_session(), language=language, fmt=fmt)
    name = f"glossary.{safe_name(language.code)}.{fmt}"
    return Response(data, content_type=CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
