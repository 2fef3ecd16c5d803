"""Administration: users and roles, invites, languages and their policy, document imports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tms.db import get_session
from tms.models import Invite, Language
from tms.queries import admin as queries
from tms.queries import lookup
from tms.services import accounts, importing
from tms.web.common import current_account, flash_refusals, row_or_404, saved, user_or_404
from tms.web.login import require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _language_or_404(code: str) -> Language:
    """The language with this code (any case, as accounts stores it), or a 404."""
    language = accounts.get_language(get_session(), code)
    if language is None:
        abort(404)
    return language


@bp.get("/")
@require_admin
def index() -> str:
    """Overview: how many users, languages, documents, open invites."""
    session = get_session()
    invites = accounts.list_invites(session)
    counts = {
        **queries.overview_counts(session),
        "open_invites": sum(1 for i in invites if accounts.invite_status(i) == "open"),
    }
    return render_template("admin/index.html", counts=counts)


# ---------------------------------------------------------------------------------------
# Users


def _back_to_user(user_id: int) -> Response:
    return redirect(url_for("admin.users") + f"#user-{user_id}")


@bp.get("/users")
@require_admin
def users() -> str:
    """Every user with global roles, team memberships and status."""
    session = get_session()
    return render_template("admin/users.html", users=accounts.list_users(session),
                           languages=accounts.list_languages(session))


@bp.post("/users/<int:user_id>/roles")
@require_admin
@flash_refusals(_back_to_user)
def user_roles(user_id: int) -> Response:
    """Set the admin and publisher flags."""
    user = user_or_404(user_id)
    accounts.set_roles(get_session(), user, is_admin=request.form.get("is_admin") == "1",
                       is_publisher=request.form.get("is_publisher") == "1")
    return saved(_("Roles of %(name)s saved.", name=user.display_name), _back_to_user(user_id))


@bp.post("/users/<int:user_id>/membership")
@require_admin
@flash_refusals(_back_to_user)
def user_membership(user_id: int) -> Response:
    """Add, change or remove a team membership."""
    user = user_or_404(user_id)
    language = _language_or_404(request.form.get("language", ""))
    accounts.set_membership(get_session(), user, language, request.form.get("role") or None)
    return saved(_("Team membership of %(name)s saved.", name=user.display_name),
                 _back_to_user(user_id))


@bp.post("/users/<int:user_id>/active")
@require_admin
@flash_refusals(_back_to_user)
def user_active(user_id: int) -> Response:
    """Deactivate or reactivate an account."""
    session = get_session()
    user = user_or_404(user_id)
    if request.form.get("active") == "1":
        accounts.reactivate_user(session, user)
        message = _("%(name)s can log in again.", name=user.display_name)
    else:
        accounts.deactivate_user(session, user)
        message = _("%(name)s is deactivated and logged out.", name=user.display_name)
    return saved(message, _back_to_user(user_id))


# ---------------------------------------------------------------------------------------
# Invites


def _render_invites(new_link: str | None = None, new_invite: Invite | None = None,
                    status: int = 200) -> tuple[str, int]:
    session = get_session()
    invites = accounts.list_invites(session)
    people = ({i.created_by_id for i in invites if i.created_by_id}
              | {i.used_by_id for i in invites if i.used_by_id})
    return render_template(
        "admin/invites.html",
        invites=[(i, accounts.invite_status(i)) for i in invites],
        languages=accounts.list_languages(session),
        roles=accounts.INVITE_ROLES,
        new_link=new_link,
        new_invite=new_invite,
        creators=lookup.users_by_id(session, people),
    ), status


@bp.get("/invites")
@require_admin
def invites() -> Any:
    """Open, used and expired invites, and the form for a new one."""
    return _render_invites()


@bp.post("/invites")
@require_admin
@flash_refusals(lambda: _render_invites(status=400))
def create_invite() -> Any:
    """Create an invite and show its link once (only its hash is stored)."""
    session = get_session()
    code = request.form.get("language", "")
    language = accounts.get_language(session, code) if code else None
    try:
        days = int(request.form.get("days") or 7)
    except ValueError:
        days = 0
    if code and language is None:
        raise accounts.AccountError(_("Unknown language %(code)s.", code=code))
    invite, token = accounts.create_invite(session, role=request.form.get("role", ""),
                                           language=language, created_by=current_account(),
                                           days=days)
    session.commit()
    link = url_for("auth.signup", token=token, _external=True)
    return _render_invites(new_link=link, new_invite=invite, status=201)


@bp.post("/invites/<int:invite_id>/revoke")
@require_admin
@flash_refusals(lambda invite_id: redirect(url_for("admin.invites")))
def revoke_invite(invite_id: int) -> Response:
    """Withdraw an unused invite."""
    accounts.revoke_invite(get_session(), row_or_404(Invite, invite_id))
    return saved(_("The invite is revoked; its link no longer works."),
                 redirect(url_for("admin.invites")))


# ---------------------------------------------------------------------------------------
# Languages


@bp.get("/languages")
@require_admin
def languages() -> str:
    """Languages with their review policy, and the form to add one."""
    return render_template("admin/languages.html",
                           languages=accounts.list_languages(get_session()))


def _back_to_language(code: str) -> Response:
    return redirect(url_for("admin.languages") + f"#lang-{code}")


@bp.post("/languages")
@require_admin
@flash_refusals(lambda: redirect(url_for("admin.languages")))
def add_language() -> Response:
    """Add a language from its code (names and direction from Babel)."""
    language = accounts.add_language(get_session(), request.form.get("code", ""),
                                     name=request.form.get("name") or None)
    return saved(_("%(name)s (%(code)s) added.", name=language.name, code=language.code),
                 _back_to_language(language.code))


@bp.post("/languages/<code>/policy")
@require_admin
@flash_refusals(lambda code: _back_to_language(_language_or_404(code).code))
def language_policy(code: str) -> Response:
    """Save a team's policy: self-review, approvals required, team name."""
    language = _language_or_404(code)
    try:
        approvals = int(request.form.get("approvals_required") or 1)
    except ValueError:
        approvals = 0
    accounts.update_language_policy(
        get_session(), language,
        allow_self_review=request.form.get("allow_self_review") == "1",
        approvals_required=approvals,
        team_name=request.form.get("team_name", ""),
    )
    return saved(_("Policy of %(name)s saved.", name=language.name),
                 _back_to_language(language.code))


# ---------------------------------------------------------------------------------------
# Documents


def _render_documents(report: dict[str, Any] | None = None, status: int = 200) -> Any:
    documents = queries.documents_with_latest_version(get_session())
    return render_template("admin/documents.html", documents=documents, report=report), status


@bp.get("/documents")
@require_admin
def documents() -> Any:
    """Documents with their latest version, and the import form."""
    return _render_documents()


@bp.post("/documents")
@require_admin
@flash_refusals(lambda: _render_documents(status=400))
def import_document() -> Any:
    """Import an uploaded file as a new document or a new version; show the report."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return _render_documents(status=400)
    report = importing.import_document(
        get_session(),
        filename=upload.filename,
        data=upload.read(),
        slug=(request.form.get("slug") or "").strip() or None,
        title=(request.form.get("title") or "").strip() or None,
        source_language=(request.form.get("source_language") or "").strip() or None,
        user=current_account(),
    )
    get_session().commit()
    # flashed before rendering: this page shows the message itself (no redirect)
    flash(_("%(file)s imported.", file=upload.filename), "success")
    return _render_documents(report=report.as_dict())
