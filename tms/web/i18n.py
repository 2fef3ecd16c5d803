"""Interface language: the user's choice, then the browser's Accept-Language."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def available_locales() -> list[str]:
    """Locales with a compiled catalogue, plus English (the source)."""
    found = sorted(
        p.parent.parent.name for p in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.mo")
    )
    return ["en", *[c for c in found if c != "en"]]


def select_locale() -> str:
    """Profile choice, then the session's, then Accept-Language, then English."""
    locales = available_locales()
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in locales:
        return chosen
    return request.accept_languages.best_match(locales) or "en"


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our locale selector."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_locale)
    from flask import has_request_context
    from flask_babel import get_translations

    from tms import i18n

    def translate(message: str) -> str:
        return get_translations().ugettext(message) if has_request_context() else message

    def translate_plural(singular: str, plural: str, n: int) -> str:
        if has_request_context():
            return get_translations().ungettext(singular, plural, n)
        return singular if n == 1 else plural

    # The raw catalogue lookups: tms.i18n fills the placeholders itself.
    i18n.set_translator(translate, translate_plural)
