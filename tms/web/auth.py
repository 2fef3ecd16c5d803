"""Log-in, sign-up by invite, the profile page, the language switcher and error pages."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response as BaseResponse

from tms.db import get_session
from tms.models import User
from tms.queries.auth import review_languages
from tms.services import accounts, notifications
from tms.web.common import current_account, flash_refusals
from tms.web.i18n import available_locales, language_menu
from tms.web.login import LoginUser

bp = Blueprint("auth", __name__)

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.password", "auth.logout", "auth.set_locale", "static",
                            "health.healthz"}


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site relative path to go back to, or the default (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


def _begin_session(user: User) -> None:
    """Renew the session (against fixation), keeping only the interface language."""
    locale = flask_session.get("locale")
    flask_session.clear()
    if locale:
        flask_session["locale"] = locale
    login_user(LoginUser(user))


def _end_session() -> None:
    locale = flask_session.get("locale")
    logout_user()
    flask_session.clear()
    if locale:
        flask_session["locale"] = locale


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with pseudonym and password (throttled per account and per network)."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    error = None
    status = 200
    if request.method == "POST":
        db = get_session()
        try:
            user = accounts.authenticate(
                db,
                request.form.get("pseudonym", ""),
                request.form.get("password", ""),
                address=request.remote_addr or "",
                secret=current_app.secret_key or "",
            )
        except accounts.LoginThrottled as exc:
            db.commit()
            error, status, user = exc.message, 429, None
        else:
            db.commit()
            if user is None:
                error, status = _("Wrong pseudonym or password."), 200
        if user is not None:
            _begin_session(user)
            if user.must_change_password:
                flash(_("Please choose a new password before you continue."), "info")
                return redirect(url_for("auth.password", next=next_url))
            return redirect(next_url)
    return render_template("auth/login.html", error=error, next_url=next_url,
                           pseudonym=request.form.get("pseudonym", "")), status


@bp.post("/logout")
def logout() -> Any:
    """Log out and forget the session (the interface language stays)."""
    _end_session()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


def _role_label(role: str) -> str:
    labels = {"translator": _("translator"), "reviewer": _("reviewer"),
              "publisher": _("publisher"), "admin": _("admin")}
    return labels.get(role, role)


@bp.route("/signup/<token>", methods=["GET", "POST"])
def signup(token: str) -> Any:
    """Create an account from an invite link."""
    db = get_session()
    invite = accounts.find_invite(db, token)
    if invite is None:
        return render_template("auth/signup_invalid.html"), 404
    error = None
    if request.method == "POST":
        try:
            if request.form.get("password", "") != request.form.get("password2", ""):
                raise accounts.AccountError(_("The two passwords are not the same."))
            user = accounts.accept_invite(
                db, token,
                pseudonym=request.form.get("pseudonym", ""),
                password=request.form.get("password", ""),
                email=request.form.get("email") or None,
            )
        except accounts.AccountError as exc:
            db.rollback()
            error = exc.message
            invite = accounts.find_invite(db, token)
            if invite is None:
                return render_template("auth/signup_invalid.html"), 404
        else:
            db.commit()
            _begin_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.pseudonym), "success")
            return redirect(url_for("dashboard.index") if "dashboard" in current_app.blueprints
                            else "/")
    return render_template("auth/signup.html", invite=invite, role_label=_role_label(invite.role),
                           error=error, form=request.form), 200 if error is None else 400


@bp.post("/locale")
def set_locale() -> Any:
    """Remember the chosen interface language (session, and profile when logged in)."""
    choice = request.form.get("locale", "")
    if choice not in available_locales():
        abort(400)
    flask_session["locale"] = choice
    if current_user.is_authenticated:
        db = get_session()
        accounts.set_locale(db, current_account(), choice)
        db.commit()
    return redirect(safe_next(request.form.get("next"), url_for("auth.profile")
                              if current_user.is_authenticated else url_for("auth.login")))


@bp.get("/profile")
@login_required
def profile() -> Any:
    """The user's own page: language, password, sessions, data, deletion."""
    return render_template("auth/profile.html", user=current_account(),
                           memberships=current_account().memberships)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change the password (forced after a one-time password)."""
    next_url = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        db = get_session()
        user = current_account()
        try:
            if request.form.get("new_password", "") != request.form.get("new_password2", ""):
                raise accounts.AccountError(_("The two new passwords are not the same."))
            accounts.change_password(db, user, request.form.get("current_password", ""),
                                     request.form.get("new_password", ""))
        except accounts.AccountError as exc:
            db.rollback()
            error = exc.message
        else:
            db.commit()
            # The generation moved on: renew this session so only this browser stays in.
            _begin_session(user)
            flash(_("Your password is changed. Other sessions are logged out."), "success")
            return redirect(next_url)
    return render_template("auth/password.html", error=error, next_url=next_url,
                           forced=current_user.must_change_password), 200 if not error else 400


@bp.post("/profile/logout-everywhere")
@login_required
def logout_everywhere() -> Any:
    """End every session of this user, this one included."""
    db = get_session()
    accounts.log_out_everywhere(db, current_account())
    db.commit()
    _end_session()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/profile/data.json")
@login_required
def my_data() -> Response:
    """Download everything tms holds about me, as JSON."""
    data = accounts.export_my_data(get_session(), current_account())
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="tms-my-data.json"',
                             "Cache-Control": "no-store"})


def _back_to_deletion() -> BaseResponse:
    return redirect(url_for("auth.profile") + "#delete")


@bp.post("/profile/delete")
@login_required
@flash_refusals(_back_to_deletion)
def delete_account() -> Any:
    """Delete my account after confirming with the password; my texts stay, unnamed."""
    db = get_session()
    user = current_account()
    if request.form.get("confirm") != "yes" or not check_password_hash(
            user.password_hash or "", request.form.get("password", "")):
        flash(_("To delete your account, tick the box and give your current password."),
              "error")
        return _back_to_deletion()
    accounts.delete_account(db, user)
    db.commit()
    _end_session()
    flash(_("Your account is deleted. Your translations stay, credited to a former "
            "volunteer."), "success")
    return redirect(url_for("auth.login"))


@bp.before_app_request
def _load_user_per_request() -> None:
    # Flask-Login caches the user in `g`; when an app context outlives one request (tests
    # that hold one open around several clients), that cache would carry one client's
    # user into another's request. Each request loads its user from its own cookie.
    g.pop("_login_user", None)


@bp.before_app_request
def _force_password_change() -> Any:
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _PASSWORD_CHANGE_ALLOWED):
        if request.path.startswith("/api/"):
            return jsonify(error=_("Please change your password first.")), 403
        return redirect(url_for("auth.password", next=safe_next(request.full_path)))
    return None


# ---------------------------------------------------------------------------------------
# Template helpers used by _nav.html and every page


def _url_or_none(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _nav_context() -> dict[str, Any]:
    info: dict[str, Any] = {"review_languages": [], "unread": 0}
    if not current_user.is_authenticated:
        return info
    db = get_session()
    user = current_account()
    info["review_languages"] = review_languages(db, user)
    info["unread"] = notifications.unread_count(db, user)
    return info


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"url_or_none": _url_or_none, "nav_context": _nav_context,
            "locale_choices": language_menu}


# ---------------------------------------------------------------------------------------
# Error pages, in the user's language


def _error_messages(code: int) -> tuple[str, str]:
    # Spelled out so the extractor finds every message.
    titles = {400: _("Bad request"), 403: _("Not allowed"), 404: _("Not found"),
              405: _("Not allowed"), 413: _("File too large"), 429: _("Too many requests"),
              500: _("Something went wrong")}
    texts = {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have access to this page. If you think you should, ask an admin "
               "of your team."),
        404: _("There is nothing at this address. It may have been moved or removed."),
        405: _("This address cannot be used that way."),
        413: _("The file you sent is larger than this site accepts (at most %(mb)s MB). "
               "Please send a smaller file, or split it.",
               mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)),
        429: _("Please wait a little and try again."),
        500: _("Nothing was saved from this request. Please try again; if it keeps "
               "happening, tell an admin."),
    }
    return titles.get(code, str(code)), texts.get(code, "")


def _render_error(code: int, description: str | None = None) -> BaseResponse:
    """The error page in the user's language (JSON for the API and JSON clients)."""
    title, text = _error_messages(code)
    text = description or text
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        resp = jsonify(error=title, message=text)
        resp.status_code = code
        return resp
    return current_app.response_class(
        render_template("errors/error.html", code=code, title=title, text=text), status=code)


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(413)
@bp.app_errorhandler(429)
def _http_error(exc: HTTPException) -> BaseResponse:
    description = None
    if isinstance(exc, CSRFError):
        description = _("The form was too old or was sent from another page. Please reload "
                        "the page and try again.")
    return _render_error(exc.code or 500, description)


@bp.app_errorhandler(500)
def _server_error(exc: Exception) -> BaseResponse:
    # The database may be the thing that failed: a failing rollback must not hide the page.
    with contextlib.suppress(Exception):
        get_session().rollback()
    return _render_error(500)
