"""The translation memory page: concordance search for translators, TMX exchange for
reviewers and admins. Thin views over tms.services.memory and tms.services.exchange."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tms.db import get_session
from tms.inline import strip_tags
from tms.models import Document, Language
from tms.services import exchange, memory
from tms.services.exporting import safe_name

bp = Blueprint("memory", __name__, url_prefix="/memory")

MAX_QUERY = 200


def _languages() -> list[Language]:
    """The target languages this user works in (every language for admins)."""
    languages = get_session().scalars(select(Language).order_by(Language.name))
    return [lang for lang in languages if current_user.can_translate(lang.id)]


def _source_languages() -> list[str]:
    codes = set(get_session().scalars(select(Document.source_language).distinct()))
    return sorted(codes | {"en"})


def _target_or_abort(code: str, *, review: bool) -> Language:
    """404 for an unknown language, 403 unless its team member (reviewer) or admin."""
    language = get_session().scalar(select(Language).where(Language.code == code))
    if language is None:
        abort(404)
    allowed = (current_user.can_review(language.id) if review
               else current_user.can_translate(language.id))
    if not allowed:
        abort(403)
    return language


@bp.get("")
@login_required
def index() -> Any:
    """Concordance search over the memory of one language pair."""
    languages = _languages()
    sources = _source_languages()
    source = request.args.get("source") or (sources[0] if sources else "en")
    if source not in sources:
        abort(404)
    target_code = request.args.get("target") or (languages[0].code if languages else "")
    target = _target_or_abort(target_code, review=False) if target_code else None
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    results = []
    if target is not None and query:
        results = [
            {"source": strip_tags(u.source), "target": strip_tags(u.target), "origin": u.origin,
             "approved": u.approved}
            for u in memory.concordance(get_session(), query, source_language=source,
                                        target_language=target.code, limit=50)
        ]
    reviewable = [lang for lang in languages if current_user.can_review(lang.id)]
    pairs = [(s, t, n) for s, t, n in exchange.memory_pairs(get_session())
             if any(lang.code == t for lang in reviewable)]
    return render_template("memory/index.html", languages=languages, sources=sources,
                           source=source, target=target, query=query, results=results,
                           searched=bool(query and target), reviewable=reviewable, pairs=pairs)


@bp.post("/import")
@login_required
def import_tmx() -> Any:
    """Add the pairs of an uploaded TMX file to the memory of one language pair."""
    target = _target_or_abort(request.form.get("target", ""), review=True)
    source = request.form.get("source") or "en"
    if source not in _source_languages():
        flash(_("Choose the source language of the memory."), "error")
        return redirect(url_for("memory.index"))
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the TMX file to import."), "error")
        return redirect(url_for("memory.index", source=source, target=target.code))
    session = get_session()
    try:
        report = exchange.import_tmx(session, filename=file.filename, data=file.read(),
                                     source_language=source, target_language=target.code)
    except exchange.ExchangeError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("memory.index", source=source, target=target.code))
    session.commit()
    flash(report.summary(), "success")
    return redirect(url_for("memory.index", source=source, target=target.code))


@bp.get("/export")
@login_required
def export_tmx() -> Any:
    """The approved memory of one language pair as a TMX download."""
    target = _target_or_abort(request.args.get("target", ""), review=True)
    source = request.args.get("source") or "en"
    if source not in _source_languages():
        abort(404)
    data = exchange.export_tmx(get_session(), source_language=source,
                               target_language=target.code)
    name = f"memory.{safe_name(source)}-{safe_name(target.code)}.tmx"
    return Response(data, content_type="application/x-tmx+xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
