"""Administration: users and roles, invites, languages and their policy, document imports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tms.db import get_session
from tms.models import Document, DocumentVersion, Invite, Language, User
from tms.services import accounts
from tms.web.login import require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None or user.deleted:
        abort(404)
    return user


def _language_or_404(code: str) -> Language:
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
        "users": session.scalar(select(func.count()).select_from(User)
                                .where(User.deleted.is_(False))) or 0,
        "languages": session.scalar(select(func.count()).select_from(Language)) or 0,
        "documents": session.scalar(select(func.count()).select_from(Document)) or 0,
        "open_invites": sum(1 for i in invites if accounts.invite_status(i) == "open"),
    }
    return render_template("admin/index.html", counts=counts)


# ---------------------------------------------------------------------------------------
# Users


@bp.get("/users")
@require_admin
def users() -> str:
    """Every user with global roles, team memberships and status."""
    session = get_session()
    return render_template("admin/users.html", users=accounts.list_users(session),
                           languages=accounts.list_languages(session))


@bp.post("/users/<int:user_id>/roles")
@require_admin
def user_roles(user_id: int) -> Any:
    """Set the admin and publisher flags."""
    session = get_session()
    user = _user_or_404(user_id)
    try:
        accounts.set_roles(session, user, is_admin=request.form.get("is_admin") == "1",
                           is_publisher=request.form.get("is_publisher") == "1")
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(_("Roles of %(name)s saved.", name=user.display_name), "success")
    return redirect(url_for("admin.users") + f"#user-{user_id}")


@bp.post("/users/<int:user_id>/membership")
@require_admin
def user_membership(user_id: int) -> Any:
    """Add, change or remove a team membership."""
    session = get_session()
    user = _user_or_404(user_id)
    language = _language_or_404(request.form.get("language", ""))
    role = request.form.get("role") or None
    try:
        accounts.set_membership(session, user, language, role)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(_("Team membership of %(name)s saved.", name=user.display_name), "success")
    return redirect(url_for("admin.users") + f"#user-{user_id}")


@bp.post("/users/<int:user_id>/active")
@require_admin
def user_active(user_id: int) -> Any:
    """Deactivate or reactivate an account."""
    session = get_session()
    user = _user_or_404(user_id)
    try:
        if request.form.get("active") == "1":
            accounts.reactivate_user(session, user)
            message = _("%(name)s can log in again.", name=user.display_name)
        else:
            accounts.deactivate_user(session, user)
            message = _("%(name)s is deactivated and logged out.", name=user.display_name)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(url_for("admin.users") + f"#user-{user_id}")


# ---------------------------------------------------------------------------------------
# Invites


def _render_invites(new_link: str | None = None, new_invite: Invite | None = None,
                    status: int = 200) -> tuple[str, int]:
    session = get_session()
    invites = accounts.list_invites(session)
    return render_template(
        "admin/invites.html",
        invites=[(i, accounts.invite_status(i)) for i in invites],
        languages=accounts.list_languages(session),
        roles=accounts.INVITE_ROLES,
        new_link=new_link,
        new_invite=new_invite,
        creators={u.id: u for u in session.scalars(select(User).where(User.id.in_(
            {i.created_by_id for i in invites if i.created_by_id} |
            {i.used_by_id for i in invites if i.used_by_id})))},
    ), status


@bp.get("/invites")
@require_admin
def invites() -> Any:
    """Open, used and expired invites, and the form for a new one."""
    return _render_invites()


@bp.post("/invites")
@require_admin
def create_invite() -> Any:
    """Create an invite and show its link once (only its hash is stored)."""
    session = get_session()
    role = request.form.get("role", "")
    code = request.form.get("language", "")
    language = accounts.get_language(session, code) if code else None
    try:
        days = int(request.form.get("days") or 7)
    except ValueError:
        days = 0
    try:
        if code and language is None:
            raise accounts.AccountError(_("Unknown language %(code)s.", code=code))
        invite, token = accounts.create_invite(session, role=role, language=language,
                                               created_by=current_user.user, days=days)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _render_invites(status=400)
    session.commit()
    link = url_for("auth.signup", token=token, _external=True)
    return _render_invites(new_link=link, new_invite=invite, status=201)


@bp.post("/invites/<int:invite_id>/revoke")
@require_admin
def revoke_invite(invite_id: int) -> Any:
    """Withdraw an unused invite."""
    session = get_session()
    invite = session.get(Invite, invite_id)
    if invite is None:
        abort(404)
    try:
        accounts.revoke_invite(session, invite)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(_("The invite is revoked; its link no longer works."), "success")
    return redirect(url_for("admin.invites"))


# ---------------------------------------------------------------------------------------
# Languages


@bp.get("/languages")
@require_admin
def languages() -> str:
    """Languages with their review policy, and the form to add one."""
    return render_template("admin/languages.html",
                           languages=accounts.list_languages(get_session()))


@bp.post("/languages")
@require_admin
def add_language() -> Any:
    """Add a language from its code (names and direction from Babel)."""
    session = get_session()
    try:
        language = accounts.add_language(session, request.form.get("code", ""),
                                         name=request.form.get("name") or None)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.languages"))
    session.commit()
    flash(_("%(name)s (%(code)s) added.", name=language.name, code=language.code), "success")
    return redirect(url_for("admin.languages") + f"#lang-{language.code}")


@bp.post("/languages/<code>/policy")
@require_admin
def language_policy(code: str) -> Any:
    """Save a team's policy: self-review, approvals required, team name."""
    session = get_session()
    language = _language_or_404(code)
    try:
        approvals = int(request.form.get("approvals_required") or 1)
    except ValueError:
        approvals = 0
    try:
        accounts.update_language_policy(
            session, language,
            allow_self_review=request.form.get("allow_self_review") == "1",
            approvals_required=approvals,
            team_name=request.form.get("team_name", ""),
        )
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(_("Policy of %(name)s saved.", name=language.name), "success")
    return redirect(url_for("admin.languages") + f"#lang-{language.code}")


# ---------------------------------------------------------------------------------------
# Documents


def _document_rows() -> list[tuple[Document, DocumentVersion | None]]:
    session = get_session()
    docs = list(session.scalars(select(Document).order_by(Document.title, Document.id)))
    latest = {}
    for version in session.scalars(select(DocumentVersion).order_by(DocumentVersion.number)):
        latest[version.document_id] = version
    return [(d, latest.get(d.id)) for d in docs]


@bp.get("/documents")
@require_admin
def documents() -> str:
    """Documents with their latest version, and the import form."""
    return render_template("admin/documents.html", documents=_document_rows(), report=None)


@bp.post("/documents")
@require_admin
def import_document() -> Any:
    """Import an uploaded file as a new document or a new version; show the report."""
    from tms.services import importing

    session = get_session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return render_template("admin/documents.html", documents=_document_rows(),
                               report=None), 400
    try:
        report = importing.import_document(
            session,
            filename=upload.filename,
            data=upload.read(),
            slug=(request.form.get("slug") or "").strip() or None,
            title=(request.form.get("title") or "").strip() or None,
            source_language=(request.form.get("source_language") or "").strip() or None,
            user=current_user.user,
        )
    except importing.DocumentImportError as exc:
        session.rollback()
        flash(exc.message, "error")
        return render_template("admin/documents.html", documents=_document_rows(),
                               report=None), 400
    session.commit()
    flash(_("%(file)s imported.", file=upload.filename), "success")
    return render_template("admin/documents.html", documents=_document_rows(),
                           report=report.as_dict())
