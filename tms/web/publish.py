"""Publishing: what is finished per language, exports as downloads, immutable editions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tms.db import commit_or_refuse, get_session
from tms.formats import EXPORTERS
from tms.models import Document, Edition, State
from tms.queries import lookup
from tms.queries import publish as queries
from tms.services import printing, stats
from tms.services.exporting import (
    INCLUDE_CHOICES,
    UNTRANSLATED_CHOICES,
    ExportError,
    completeness_by_language,
    edition_file,
    export_document,
    formats_for,
    publish_edition,
    safe_name,
    unavailable_reason,
)
from tms.web.common import (
    current_account,
    document_or_404,
    flash_refusals,
    language_or_404,
    row_or_404,
)
from tms.web.login import require_publisher

bp = Blueprint("publish", __name__, url_prefix="/publish")


def _attachment(data: bytes, filename: str, content_type: str) -> Response:
    """A download response with a safe file name."""
    resp = Response(data, content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{safe_name(filename)}"'
    resp.headers["Content-Length"] = str(len(data))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _back_to_document(doc_slug: str, **_values: Any) -> BaseResponse:
    return redirect(url_for("publish.document", doc_slug=doc_slug))


@bp.get("/")
@require_publisher
def index() -> str:
    """Every document with its completeness per language."""
    session = get_session()
    rows = []
    for document in queries.publishable_documents(session):
        languages = queries.target_languages(session, document)
        try:
            counts = completeness_by_language(session, document, languages)
        except ExportError:
            counts = {}  # nothing imported yet
        rows.append((document, [(lang, counts[lang.id]) for lang in languages
                                if lang.id in counts]))
    return render_template("publish/index.html", rows=rows)


def _cache() -> Path:
    """Where PDFs, page images and job statuses are kept (instance/previews)."""
    return Path(current_app.config["INSTANCE_DIR"]) / "previews"


def _locale() -> str:
    return str(get_locale() or "en")


def _language_rows(doc: Document) -> list[dict[str, Any]]:
    """Per target language: completeness, counts per state, editions and their publishers."""
    session = get_session()
    # Everything per language is read for all languages at once: a query per language
    # made the page cost ~9 queries x languages (270 with 30 languages).
    targets = queries.target_languages(session, doc)
    complete = completeness_by_language(session, doc, targets)
    stats_by_language = {row["language_id"]: row for row in
                         stats.document_stats(session, doc.id)["languages"]}
    editions_by_language = queries.editions_by_language(session, doc)
    publisher_ids = {e.published_by_id for group in editions_by_language.values()
                     for e in group if e.published_by_id is not None}
    users = lookup.users_by_id(session, publisher_ids) if publisher_ids else {}
    rows = []
    for language in targets:
        editions = editions_by_language.get(language.id, [])
        rows.append({
            "language": language,
            "completeness": complete[language.id],
            "counts": (stats_by_language.get(language.id)
                       or stats.document_stats(session, doc.id, language.id)),
            "editions": editions,
            "publishers": {e.published_by_id: users.get(e.published_by_id)
                           for e in editions if e.published_by_id is not None},
            "print": printing.latest(_cache(), doc.slug, language.code, _locale()),
        })
    return rows


@bp.get("/<doc_slug>")
@require_publisher
def document(doc_slug: str) -> str:
    """One document: per language what is finished, export choices, editions."""
    doc = document_or_404(doc_slug)
    try:
        formats = formats_for(get_session(), doc)
    except ExportError as exc:
        return render_template("publish/document.html", document=doc, error=exc.message,
                               languages=[], formats=[], exporters=EXPORTERS)
    # A format whose program is missing (PDF without LibreOffice) stays listed, switched
    # off, with the sentence saying what to install.
    unavailable = {fmt: reason for fmt in formats
                   if (reason := unavailable_reason(EXPORTERS[fmt])) is not None}
    return render_template("publish/document.html", document=doc, languages=_language_rows(doc),
                           formats=formats, exporters=EXPORTERS, error=None,
                           states=sorted(State, reverse=True),
                           unavailable=unavailable,
                           include_choices=INCLUDE_CHOICES,
                           untranslated_choices=UNTRANSLATED_CHOICES)


@bp.get("/<doc_slug>/<lang_code>/export")
@require_publisher
@flash_refusals(_back_to_document)
def export(doc_slug: str, lang_code: str) -> BaseResponse:
    """One export as a download (no side effects: a GET form)."""
    doc = document_or_404(doc_slug)
    language = language_or_404(lang_code)
    fmt = request.args.get("format", "")
    if fmt not in EXPORTERS:
        flash(_("Choose one of the export formats."), "error")
        return _back_to_document(doc.slug)
    result = export_document(get_session(), doc, language, fmt,
                             include=request.args.get("include", "approved"),
                             untranslated=request.args.get("untranslated", "source"),
                             tmx_inline=request.args.get("tmx_tags", "codes"),
                             team_name=current_app.config.get("TEAM_NAME"))
    return _attachment(result.data, result.filename, result.content_type)


@bp.post("/<doc_slug>/<lang_code>/editions")
@require_publisher
@flash_refusals(_back_to_document)
def publish(doc_slug: str, lang_code: str) -> BaseResponse:
    """Publish a numbered edition of everything approved now."""
    session = get_session()
    doc = document_or_404(doc_slug)
    language = language_or_404(lang_code)
    edition = publish_edition(session, doc, language, current_account(),
                              team_name=current_app.config.get("TEAM_NAME"))
    # Two publishers pressed the button at once and got the same number.
    commit_or_refuse(session, _("Someone published an edition at the same moment; please "
                                "try again."))
    flash(_("Edition %(number)s of %(language)s published.", number=edition.number,
            language=language.name), "success")
    return redirect(url_for("publish.document", doc_slug=doc.slug,
                            _anchor=f"lang-{language.code}"))


@bp.get("/editions/<int:edition_id>/<fmt>")
@require_publisher
def edition_download(edition_id: int, fmt: str) -> Response:
    """A file of an edition, byte for byte as it was published."""
    row_or_404(Edition, edition_id)
    stored = edition_file(get_session(), edition_id, fmt)
    if stored is None:
        abort(404)
    resp = _attachment(stored.data, stored.filename, stored.content_type)
    resp.headers["X-Checksum-SHA256"] = stored.sha256
    return resp


def _in_request_context(locale: str) -> Callable[[Callable[[], None]], None]:
    """A runner for the background job: the findings are written in the reader's language,
    which Flask-Babel can only look up inside a request context."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run(work: Callable[[], None]) -> None:
        with app.test_request_context(), force_locale(locale):
            work()
    return run


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/<doc_slug>/<lang_code>/previews")
@require_publisher
@flash_refusals(_back_to_document)
def start_previews(doc_slug: str, lang_code: str) -> BaseResponse:
    """Start printing, checking and drawing the pages of a language in the background."""
    doc = document_or_404(doc_slug)
    language = language_or_404(lang_code)
    include = request.form.get("include", "approved")
    if include not in INCLUDE_CHOICES:
        include = "approved"
    job = printing.prepare(get_session(), doc, language, include=include)
    locale = _locale()
    key = printing.start(job, _cache(), locale=locale, runner=_in_request_context(locale))
    if _wants_json():
        return jsonify({"key": key, "status_url": url_for("publish.preview_status", key=key)})
    flash(_("The pages are being printed and checked; this page shows them when they are "
            "ready."), "success")
    return redirect(url_for("publish.document", doc_slug=doc.slug,
                            _anchor=f"print-{language.code}"))


@bp.get("/previews/<key>.json")
@require_publisher
def preview_status(key: str) -> Response:
    """How far a preview job is: step of steps, and done or failed (polled by the page)."""
    found = printing.status(_cache(), key)
    if found is None:
        abort(404)
    resp = jsonify({"state": found["state"], "step": found.get("step", 0),
                    "steps": found.get("steps", printing.STEPS),
                    "message": found.get("message") or "",
                    "label": _("Printing and checking: step %(step)s of %(steps)s",
                               step=found.get("step", 0),
                               steps=found.get("steps", printing.STEPS))})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/previews/<digest>/<int:page>.png")
@require_publisher
def preview_image(digest: str, page: int) -> Response:
    """One page of a printed PDF as a small PNG, from the cache."""
    path = printing.page_image(_cache(), digest, page)
    if path is None:
        abort(404)
    resp = send_file(path, mimetype="image/png", max_age=3600)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp
