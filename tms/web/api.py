"""JSON API of the segment editor: side panel, save, comments, revert.

Writes need the X-CSRFToken header (global CSRFProtect). Every error is JSON with one
clear sentence in "error", never an HTML page: the editor shows it in its status line.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tms.db import get_session
from tms.inline import strip_tags, word_diff
from tms.models import (
    Comment,
    Document,
    Language,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
)
from tms.orm import Base
from tms.queries import lookup
from tms.services import comments as comment_service
from tms.services import editor_data, glossary, memory, qa, workflow
from tms.services.errors import ServiceError
from tms.web.common import current_account

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_TARGET = 20000


class ApiError(Exception):
    """An error answered as JSON {"error": message} with an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Any:
    return jsonify(error=exc.message), exc.status


@bp.errorhandler(ServiceError)
def _refused(exc: ServiceError) -> Any:
    """A service refused: nothing of this request is kept, the sentence says why."""
    get_session().rollback()
    return jsonify(error=exc.message), 400


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return jsonify(error=_("Your session has expired: reload the page and try again.")), 400


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    messages = {
        401: _("Please log in again."),
        403: _("You are not a member of this language team."),
        404: _("Not found."),
        405: _("This action is not allowed here."),
        413: _("The text is too long."),
        429: _("Too many requests in a short time: wait a minute and try again."),
        500: _("Something went wrong on the server; your text is kept locally."),
    }
    code = exc.code or 400
    # Werkzeug's own descriptions are English only: other codes get one of these sentences.
    if code >= 500:
        fallback = messages[500]
    else:
        fallback = _("The request could not be understood: reload the page and try again.")
    return jsonify(error=messages.get(code, fallback)), code


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Any:
    get_session().rollback()
    from flask import current_app

    current_app.logger.exception("editor API error")
    return jsonify(error=_("Something went wrong on the server; your text is kept locally.")), 500


RowT = TypeVar("RowT", bound=Base)


def _require_login() -> None:
    """A 401 in JSON for an expired session (the page then asks to log in again)."""
    if not current_user.is_authenticated:
        raise ApiError(_("Please log in again."), 401)


def _row_or_404(model: type[RowT], row_id: int) -> RowT:
    """The row with this id, or a JSON 404."""
    row = lookup.row_by_id(get_session(), model, row_id)
    if row is None:
        raise ApiError(_("Not found."), 404)
    return row


def _require_team(language_id: int) -> None:
    """Members of the language team (and admins) only."""
    if not current_user.can_translate(language_id):
        raise ApiError(_("You are not a member of this language team."), 403)


def _load(segment_id: int, lang_code: str) -> tuple[Segment, Language, Translation | None]:
    """Segment (its document loaded), language and current translation (None before the
    first save) of an API URL, in one statement, with the access rules of the editor."""
    _require_login()
    found = lookup.segment_language_translation(get_session(), segment_id, lang_code)
    if found is None:
        raise ApiError(_("Not found."), 404)
    _require_team(found[1].id)
    return found


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(_("The request must be a JSON object."))
    return data


def _issues(items: list[Any]) -> list[dict[str, str]]:
    return [
        {"code": i.code, "severity": i.severity, "message": i.message} for i in items or []
    ]


def _state_json(tr: Translation) -> dict[str, Any]:
    """Version, state and text of a translation as the editor shows them after a change."""
    return {"version": tr.version, "state": tr.state.slug,
            "state_label": tr.state.label, "target": tr.target}


def _changed(result: workflow.SaveResult) -> Translation:
    """The translation a successful transition wrote (every one of these writes one)."""
    if result.translation is None:
        raise RuntimeError(f"workflow answered {result.status!r} without a translation")
    return result.translation


def _translation_panel(translation: Translation | None) -> dict[str, Any]:
    return {
        "target": translation.target if translation else "",
        "version": translation.version if translation else 0,
        "state": (translation.state if translation else State.UNTRANSLATED).slug,
        "state_label": (translation.state if translation else State.UNTRANSLATED).label,
        "outdated": bool(translation and translation.outdated),
    }


def _memory_panel(segment: Segment, document: Document,
                  language: Language) -> list[dict[str, Any]]:
    matches = memory.lookup(get_session(), segment.source,
                            source_language=document.source_language,
                            target_language=language.code, limit=9)
    return [{"score": m.score, "diff": word_diff(m.source, segment.source),
             "source": m.source, "target": m.target, "origin": m.origin,
             "approved": m.approved} for m in matches]


def _glossary_panel(segment: Segment, document: Document,
                    language: Language) -> list[dict[str, Any]]:
    terms = glossary.terms_in(get_session(), strip_tags(segment.source),
                              source_language=document.source_language,
                              language_id=language.id)
    return [{"source": t.source_term, "target": t.target_term, "note": t.note,
             "forbidden": t.forbidden, "approved": t.approved} for t in terms]


def _comments_json(segment: Segment, language: Language) -> list[dict[str, Any]]:
    return [c.to_json() for c in comment_service.list_comments(get_session(), segment, language)]


@bp.get("/segments/<int:segment_id>/<lang_code>/panel")
def panel(segment_id: int, lang_code: str) -> Any:
    """Memory matches, glossary terms, QA issues, comments and history of one segment."""
    segment, language, translation = _load(segment_id, lang_code)
    document = segment.document
    session = get_session()
    memory_rows = _memory_panel(segment, document, language)
    glossary_rows = _glossary_panel(segment, document, language)
    issues = qa.check(segment.source, translation.target if translation else "",
                      source_language=document.source_language, target_language=language.code)
    return jsonify(
        translation=_translation_panel(translation),
        # how the source moved since the target was written (outdated translations)
        source_change=(
            word_diff(segment.previous_source, segment.source)
            if segment.previous_source and translation and translation.outdated
            else None
        ),
        memory=memory_rows,
        glossary=glossary_rows,
        qa=_issues(issues),
        comments=_comments_json(segment, language),
        history=editor_data.history(session, translation),
        suggestions=editor_data.open_suggestions(session, segment.id, language.id),
    )


def _target(target: object) -> str:
    """The "target" of a JSON body: text of at most MAX_TARGET characters."""
    if not isinstance(target, str) or len(target) > MAX_TARGET:
        raise ApiError(_("The translation must be text of at most %(n)s characters.", n=MAX_TARGET))
    return target


@bp.post("/segments/<int:segment_id>/<lang_code>/check")
def check(segment_id: int, lang_code: str) -> Any:
    """QA issues of a target that is not saved yet."""
    segment, language, _translation = _load(segment_id, lang_code)
    target = _target(_json_body().get("target", ""))
    issues = qa.check(segment.source, target, source_language=segment.document.source_language,
                      target_language=language.code)
    return jsonify(issues=_issues(issues))


@bp.post("/segments/<int:segment_id>/<lang_code>/save")
def save(segment_id: int, lang_code: str) -> Any:
    """Save a target as draft or translated, with optimistic locking on base_version."""
    segment, language, current = _load(segment_id, lang_code)
    data = _json_body()
    target = _target(data.get("target"))
    state_name, base = data.get("state"), data.get("base_version")
    states = {"draft": State.DRAFT, "translated": State.TRANSLATED}
    if state_name not in states:
        raise ApiError(_("The state must be “draft” or “translated”."))
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise ApiError(_("The base version is missing: reload the page."))
    session = get_session()
    result = workflow.save_translation(
        session, segment=segment, language=language, user=current_account(), target=target,
        state=states[state_name], base_version=base, origin="editor", current=current,
    )
    session.commit()
    tr = _changed(result)
    return jsonify(
        status=result.status,
        **_state_json(tr),
        theirs=result.theirs,
        issues=_issues(result.issues),
        has_tag_errors=tr.has_tag_errors,
        qa_warnings=tr.qa_warnings,
    )


@bp.post("/segments/<int:segment_id>/<lang_code>/comments")
def add_comment(segment_id: int, lang_code: str) -> Any:
    """Add a comment to the thread of a segment in a language."""
    segment, language, _translation = _load(segment_id, lang_code)
    body = _json_body().get("body")
    if not isinstance(body, str):
        raise ApiError(_("The comment is empty."))
    comment_service.add_comment(
        get_session(), segment=segment, language=language, user=current_account(), body=body
    )
    get_session().commit()
    return jsonify(comments=_comments_json(segment, language)), 201


@bp.post("/comments/<int:comment_id>/resolve")
def resolve_comment(comment_id: int) -> Any:
    """Resolve (or, with {"resolved": false}, reopen) a comment."""
    _require_login()
    session = get_session()
    comment = _row_or_404(Comment, comment_id)
    language = lookup.row_by_id(session, Language, comment.language_id)
    segment = lookup.row_by_id(session, Segment, comment.segment_id)
    assert language is not None and segment is not None
    _require_team(language.id)
    resolved = _json_body().get("resolved", True) is not False
    comment_service.resolve_comment(session, comment, user=current_account(), resolved=resolved)
    session.commit()
    return jsonify(comments=_comments_json(segment, language))


@bp.post("/revisions/<int:revision_id>/revert")
def revert(revision_id: int) -> Any:
    """Make an earlier revision the current text again (a new revision; nothing is lost)."""
    _require_login()
    session = get_session()
    revision = _row_or_404(Revision, revision_id)
    translation = lookup.row_by_id(session, Translation, revision.translation_id)
    assert translation is not None
    _require_team(translation.language_id)
    result = workflow.revert(session, revision_id=revision.id, user=current_account())
    session.commit()
    tr = result.translation or translation
    return jsonify(status=result.status, **_state_json(tr),
                   history=editor_data.history(session, tr))


@bp.post("/suggestions/<int:suggestion_id>/accept")
def accept_suggestion(suggestion_id: int) -> Any:
    """A reviewer makes a suggestion the approved text."""
    _require_login()
    session = get_session()
    suggestion = _row_or_404(Suggestion, suggestion_id)
    if not current_user.can_review(suggestion.language_id):
        raise ApiError(_("Only reviewers of this language can accept suggestions."), 403)
    segment_id, language_id = suggestion.segment_id, suggestion.language_id
    result = workflow.accept_suggestion(session, suggestion_id=suggestion.id,
                                        user=current_account())
    session.commit()
    tr = _changed(result)
    return jsonify(
        status=result.status,
        **_state_json(tr),
        history=editor_data.history(session, tr),
        suggestions=editor_data.open_suggestions(session, segment_id, language_id),
    )
