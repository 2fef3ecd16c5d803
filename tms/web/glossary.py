"""The glossary of one language: everyone in the team reads it; reviewers and admins add,
edit, delete, import (TBX/CSV) and export terms. Thin views over tms.services.glossary and
tms.services.exchange."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tms.db import get_session
from tms.models import GlossaryTerm, Language
from tms.services import exchange, glossary
from tms.services.exporting import safe_name

bp = Blueprint("glossary", __name__, url_prefix="/glossary")

CONTENT_TYPES = {"tbx": "application/x-tbx+xml", "csv": "text/csv; charset=utf-8"}


def _language(lang_code: str, *, edit: bool) -> Language:
    """404 for an unknown language; 403 unless a member (reviewer, to edit) or admin."""
    language = get_session().scalar(select(Language).where(Language.code == lang_code))
    if language is None:
        abort(404)
    allowed = (current_user.can_review(language.id) if edit
               else current_user.can_translate(language.id))
    if not allowed:
        abort(403)
    return language


def _term(language: Language, term_id: int) -> GlossaryTerm:
    term = get_session().get(GlossaryTerm, term_id)
    if term is None or term.language_id != language.id:
        abort(404)
    return term


def _back(language: Language) -> Any:
    return redirect(url_for("glossary.index", lang_code=language.code))


def _form_flags() -> dict[str, Any]:
    return {"source_term": request.form.get("source_term", ""),
            "target_term": request.form.get("target_term", ""),
            "note": request.form.get("note", ""),
            "forbidden": request.form.get("forbidden") == "1"}


@bp.get("/<lang_code>")
@login_required
def index(lang_code: str) -> Any:
    """Every term of the language, with the editing forms for reviewers."""
    language = _language(lang_code, edit=False)
    terms = list(get_session().scalars(
        select(GlossaryTerm).where(GlossaryTerm.language_id == language.id)
        .order_by(GlossaryTerm.source_language, GlossaryTerm.source_term)))
    return render_template("glossary/index.html", language=language, terms=terms,
                           may_edit=current_user.can_review(language.id),
                           formats=exchange.GLOSSARY_FORMATS)


@bp.post("/<lang_code>/add")
@login_required
def add(lang_code: str) -> Any:
    """Add a term (or update the one with the same source text)."""
    language = _language(lang_code, edit=True)
    session = get_session()
    source_language = (request.form.get("source_language") or "en").strip()[:35]
    try:
        term = glossary.add_term(session, language=language, source_language=source_language,
                                 approved=True, user_id=current_user.user.id, **_form_flags())
    except glossary.GlossaryError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _back(language)
    session.commit()
    flash(_("“%(term)s” is in the glossary.", term=term.source_term), "success")
    return _back(language)


@bp.post("/<lang_code>/<int:term_id>")
@login_required
def edit(lang_code: str, term_id: int) -> Any:
    """Change a term."""
    language = _language(lang_code, edit=True)
    term = _term(language, term_id)
    session = get_session()
    try:
        exchange.edit_term(session, term, **_form_flags())
    except exchange.ExchangeError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _back(language)
    session.commit()
    flash(_("“%(term)s” was saved.", term=term.source_term), "success")
    return _back(language)


@bp.post("/<lang_code>/<int:term_id>/delete")
@login_required
def delete(lang_code: str, term_id: int) -> Any:
    """Remove a term."""
    language = _language(lang_code, edit=True)
    term = _term(language, term_id)
    name = term.source_term
    exchange.delete_term(get_session(), term)
    get_session().commit()
    flash(_("“%(term)s” was removed from the glossary.", term=name), "success")
    return _back(language)


@bp.post("/<lang_code>/import")
@login_required
def import_file(lang_code: str) -> Any:
    """Add the terms of an uploaded TBX or CSV file."""
    language = _language(lang_code, edit=True)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the TBX or CSV file to import."), "error")
        return _back(language)
    session = get_session()
    try:
        report = exchange.import_glossary(
            session, language=language, filename=file.filename, data=file.read(),
            source_language=(request.form.get("source_language") or "en").strip()[:35],
            user_id=current_user.user.id)
    except exchange.ExchangeError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _back(language)
    session.commit()
    flash(report.summary(), "success")
    return _back(language)


@bp.get("/<lang_code>/export/<fmt>")
@login_required
def export(lang_code: str, fmt: str) -> Any:
    """The glossary as a TBX or CSV download."""
    language = _language(lang_code, edit=True)
    if fmt not in CONTENT_TYPES:
        abort(404)
    data = exchange.export_glossary(get_session(), language=language, fmt=fmt)
    name = f"glossary.{safe_name(language.code)}.{fmt}"
    return Response(data, content_type=CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
