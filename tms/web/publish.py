"""Publishing: what is finished per language, exports as downloads, immutable editions."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import flask
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.formats import EXPORTERS
from tms.models import Document, Edition, EditionFile, Language, State, User
from tms.services.exporting import (
    INCLUDE_CHOICES,
    UNTRANSLATED_CHOICES,
    Completeness,
    ExportError,
    completeness_by_language,
    edition_file,
    export_document,
    formats_for,
    publish_edition,
    safe_name,
)
from tms.web.login import require_publisher

bp = Blueprint("publish", __name__, url_prefix="/publish")


def _document_or_404(slug: str) -> Document:
    document = get_session().scalar(select(Document).where(Document.slug == slug))
    if document is None:
        abort(404)
    return document


def _language_or_404(code: str) -> Language:
    language = get_session().scalar(select(Language).where(Language.code == code))
    if language is None:
        abort(404)
    return language


def _target_languages(document: Document) -> list[Language]:
    return [
        lang for lang in get_session().scalars(select(Language).order_by(Language.name))
        if lang.code != document.source_language
    ]


def _stats_module() -> Any:
    """tms.services.stats, or None while it is not there."""
    try:
        return import_module("tms.services.stats")
    except ModuleNotFoundError as exc:
        if exc.name != "tms.services.stats":
            raise
        return None


def _counts(document: Document, language: Language, c: Completeness) -> dict[str, Any]:
    """Segments and words per state: the stats service's, or the export's own counts."""
    stats = _stats_module()
    if stats is not None:
        return stats.document_stats(get_session(), document.id, language.id)
    return {"segments": c.segments_by_state, "words": c.words_by_state, "outdated": c.outdated}


def _attachment(data: bytes, filename: str, content_type: str) -> Response:
    """A download response with a safe file name."""
    resp = Response(data, content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{safe_name(filename)}"'
    resp.headers["Content-Length"] = str(len(data))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/")
@require_publisher
def index() -> str:
    """Every document with its completeness per language."""
    session = get_session()
    documents = list(
        session.scalars(select(Document).where(Document.kind == "document")
                        .order_by(Document.title, Document.id))
    )
    rows = []
    for document in documents:
        languages = _target_languages(document)
        try:
            counts = completeness_by_language(session, document, languages)
        except ExportError:
            counts = {}  # nothing imported yet
        rows.append((document, [(lang, counts[lang.id]) for lang in languages
                                if lang.id in counts]))
    return render_template("publish/index.html", rows=rows)


@bp.get("/<doc_slug>")
@require_publisher
def document(doc_slug: str) -> str:
    """One document: per language what is finished, export choices, editions."""
    session = get_session()
    doc = _document_or_404(doc_slug)
    try:
        formats = formats_for(session, doc)
    except ExportError as exc:
        return render_template("publish/document.html", document=doc, error=exc.message,
                               languages=[], formats=[], exporters=EXPORTERS)
    languages = []
    # Everything per language is read for all languages at once: a query per language
    # made the page cost ~9 queries x languages (270 with 30 languages).
    targets = _target_languages(doc)
    complete = completeness_by_language(session, doc, targets)
    stats = _stats_module()
    stats_by_language = {row["language_id"]: row for row in
                         stats.document_stats(session, doc.id)["languages"]} if stats else {}
    editions_by_language: dict[int, list[Edition]] = {}
    for edition in session.scalars(select(Edition).where(Edition.document_id == doc.id)
                                   .order_by(Edition.number.desc())
                                   .options(selectinload(Edition.files)
                                            .defer(EditionFile.data))):
        editions_by_language.setdefault(edition.language_id, []).append(edition)
    publisher_ids = {e.published_by_id for group in editions_by_language.values()
                     for e in group if e.published_by_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(publisher_ids)))
             } if publisher_ids else {}
    for language in targets:
        editions = editions_by_language.get(language.id, [])
        publishers = {
            e.published_by_id: users.get(e.published_by_id)
            for e in editions if e.published_by_id is not None
        }
        c = complete[language.id]
        languages.append({
            "language": language,
            "completeness": c,
            "counts": stats_by_language.get(language.id) or _counts(doc, language, c),
            "editions": editions,
            "publishers": publishers,
        })
    return render_template("publish/document.html", document=doc, languages=languages,
                           formats=formats, exporters=EXPORTERS, error=None,
                           state_slugs=[st.slug for st in sorted(State, reverse=True)],
                           include_choices=INCLUDE_CHOICES,
                           untranslated_choices=UNTRANSLATED_CHOICES)


@bp.get("/<doc_slug>/<lang_code>/export")
@require_publisher
def export(doc_slug: str, lang_code: str) -> BaseResponse:
    """One export as a download (no side effects: a GET form)."""
    session = get_session()
    doc = _document_or_404(doc_slug)
    language = _language_or_404(lang_code)
    fmt = request.args.get("format", "")
    include = request.args.get("include", "approved")
    untranslated = request.args.get("untranslated", "source")
    if fmt not in EXPORTERS:
        flash(_("Choose one of the export formats."), "error")
        return redirect(url_for("publish.document", doc_slug=doc.slug))
    try:
        result = export_document(session, doc, language, fmt, include=include,
                                 untranslated=untranslated,
                                 team_name=flask.current_app.config.get("TEAM_NAME"))
    except ExportError as exc:
        flash(exc.message, "error")
        return redirect(url_for("publish.document", doc_slug=doc.slug))
    return _attachment(result.data, result.filename, result.content_type)


@bp.post("/<doc_slug>/<lang_code>/editions")
@require_publisher
def publish(doc_slug: str, lang_code: str) -> BaseResponse:
    """Publish a numbered edition of everything approved now."""
    session = get_session()
    doc = _document_or_404(doc_slug)
    language = _language_or_404(lang_code)
    try:
        edition = publish_edition(session, doc, language, current_user.user,
                                  team_name=flask.current_app.config.get("TEAM_NAME"))
    except ExportError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("publish.document", doc_slug=doc.slug))
    try:
        session.commit()
    except IntegrityError:
        # Two publishers pressed the button at once and got the same number.
        session.rollback()
        flash(_("Someone published an edition at the same moment; please try again."),
              "error")
        return redirect(url_for("publish.document", doc_slug=doc.slug))
    flash(_("Edition %(number)s of %(language)s published.", number=edition.number,
            language=language.name), "success")
    return redirect(url_for("publish.document", doc_slug=doc.slug, _anchor=f"lang-{language.code}"))


@bp.get("/editions/<int:edition_id>/<fmt>")
@require_publisher
def edition_download(edition_id: int, fmt: str) -> Response:
    """A file of an edition, byte for byte as it was published."""
    session = get_session()
    if session.get(Edition, edition_id) is None:
        abort(404)
    stored = edition_file(session, edition_id, fmt)
    if stored is None:
        abort(404)
    resp = _attachment(stored.data, stored.filename, stored.content_type)
    resp.headers["X-Checksum-SHA256"] = stored.sha256
    return resp
