"""The translation memory page: concordance search for translators, TMX exchange for
reviewers and admins. Thin views over tms.services.memory and tms.services.exchange."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.inline import strip_tags
from tms.models import Language
from tms.queries.lookup import languages_by_name
from tms.queries.memory import source_languages
from tms.services import exchange, memory
from tms.services.exchange import BILINGUAL_EXTENSIONS
from tms.services.exporting import safe_name
from tms.web.common import flash_refusals, saved, team_language_or_403

bp = Blueprint("memory", __name__, url_prefix="/memory")

MAX_QUERY = 200
MAX_SKIPPED_SHOWN = 20  # lines of "skipped" flashed after an import; the CLI prints all


def _languages() -> list[Language]:
    """The target languages this user works in (every language for admins)."""
    return [lang for lang in languages_by_name(get_session())
            if current_user.can_translate(lang.id)]


def _back_to_pair() -> BaseResponse:
    """The memory page of the language pair the form was about."""
    return redirect(url_for("memory.index", source=request.form.get("source") or "en",
                            target=request.form.get("target", "")))


@bp.get("")
@login_required
def index() -> Any:
    """Concordance search over the memory of one language pair."""
    languages = _languages()
    sources = source_languages(get_session())
    source = request.args.get("source") or (sources[0] if sources else "en")
    if source not in sources:
        abort(404)
    target_code = request.args.get("target") or (languages[0].code if languages else "")
    target = team_language_or_403(target_code) if target_code else None
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
                           searched=bool(query and target), reviewable=reviewable, pairs=pairs,
                           accept=",".join(BILINGUAL_EXTENSIONS))


@bp.post("/import")
@login_required
@flash_refusals(_back_to_pair)
def import_tmx() -> Any:
    """Add the pairs of an uploaded bilingual file (TMX, XLIFF, PO, CSV) to the memory of
    one language pair."""
    target = team_language_or_403(request.form.get("target", ""), review=True)
    source = request.form.get("source") or "en"
    if source not in source_languages(get_session()):
        flash(_("Choose the source language of the memory."), "error")
        return redirect(url_for("memory.index"))
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the TMX file to import."), "error")
        return _back_to_pair()
    report = exchange.import_memory(get_session(), filename=file.filename, data=file.read(),
                                    source_language=source, target_language=target.code)
    for line in report.skipped_lines()[:MAX_SKIPPED_SHOWN]:
        flash(line, "info")
    return saved(report.summary(), _back_to_pair())


@bp.get("/export")
@login_required
def export_tmx() -> Any:
    """The approved memory of one language pair as a TMX download."""
    target = team_language_or_403(request.args.get("target", ""), review=True)
    source = request.args.get("source") or "en"
    if source not in source_languages(get_session()):
        abort(404)
    data = exchange.export_tmx(get_session(), source_language=source,
                               target_language=target.code)
    name = f"memory.{safe_name(source)}-{safe_name(target.code)}.tmx"
    return Response(data, content_type="application/x-tmx+xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
