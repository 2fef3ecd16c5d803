"""Flask-Login wiring and the access decorators every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user

from tms.db import get_session
from tms.models import Role, User
from tms.queries.lookup import user_with_teams

login_manager = LoginManager()


class LoginUser(UserMixin):
    """The logged-in user as Flask-Login sees it; the id carries the session generation,
    so bumping User.session_generation logs out every other session."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = f"{user.id}:{user.session_generation}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)

    @property
    def is_active(self) -> bool:
        return self.user.active and not self.user.deleted

    def role_in(self, language_id: int) -> str | None:
        """This user's role in a language team, or None."""
        for m in self.user.memberships:
            if m.language_id == language_id:
                return m.role
        return None

    def can_translate(self, language_id: int) -> bool:
        """Translators and reviewers of the language, and admins, may translate."""
        return self.user.is_admin or self.role_in(language_id) is not None

    def can_review(self, language_id: int) -> bool:
        """Reviewers of the language, and admins, may review."""
        return self.user.is_admin or self.role_in(language_id) == Role.REVIEWER


def init_app(app: Flask) -> None:
    """Attach the login manager."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    try:
        uid, generation = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = user_with_teams(get_session(), uid)
    if user is None or user.session_generation != generation or not user.active or user.deleted:
        return None
    return LoginUser(user)


def require_admin(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only admins (403 for others, login for anonymous)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require_publisher(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only publishers and admins."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not (current_user.is_admin or current_user.is_publisher):
            abort(403)
        return view(*args, **kwargs)

    return wrapped

