"""Interface language: the user's choice, then the browser's Accept-Language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_app_context, request, session
from flask_babel import Babel, format_decimal
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def translation_dirs() -> list[Path]:
    """The catalogue folders Flask-Babel reads (the app's setting; tms/translations)."""
    return [Path(d) for d in _configured_dirs()]


def _configured_dirs() -> tuple[str, ...]:
    if has_app_context():
        configured = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES")
        if configured:
            return _dirs_of(current_app.root_path, str(configured))
    return (str(TRANSLATIONS_DIR),)


@lru_cache(maxsize=16)
def _dirs_of(root: str, configured: str) -> tuple[str, ...]:
    # Every request asks (the locale selector): paths are joined once per setting.
    return tuple(str(Path(root, d)) for d in configured.split(";"))


def available_locales() -> list[str]:
    """Locales with a compiled catalogue (BCP 47 codes: pt-BR, sr-Latn, en-XA), plus
    English first; the rest in the order of their codes, so the menu never reshuffles."""
    return list(_locales_in(_configured_dirs()))


@lru_cache(maxsize=16)
def _locales_in(directories: tuple[str, ...]) -> tuple[str, ...]:
    # Read once per process and folder set: every request asks (the locale selector), and
    # globbing 20 folders cost more than the rest of a save. Flask-Babel keeps the
    # catalogues it has loaded for the life of the process too, so a catalogue compiled
    # while the server runs is seen after a restart, as before.
    found = {
        p.parent.parent.name.replace("_", "-")
        for directory in directories
        for p in Path(directory).glob("*/LC_MESSAGES/messages.mo")
    }
    return ("en", *sorted(found - {"en"}, key=str.casefold))


def native_name(code: str) -> str:
    """The language's name in itself, as a menu entry starts: Українська, Ελληνικά,
    Кыргызча, Српски, Srpski (latinica). Pseudo-locales keep their code (en-XA)."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        return code  # Babel has no data for the pseudo-locales
    name = locale.get_display_name(locale) or code
    # CLDR writes most language names in lower case (as inside a sentence); a menu entry
    # stands alone and starts with a capital, as CLDR's "uiListOrMenu" context asks.
    return name[:1].upper() + name[1:]


def language_menu() -> list[tuple[str, str]]:
    """(code, name in that language) for every interface language, in a stable order."""
    return list(_menu_of(tuple(available_locales())))


@lru_cache(maxsize=16)
def _menu_of(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Babel parses a locale's CLDR data to name it: done once, not on every page.
    return tuple((code, native_name(code)) for code in codes)


def preload(app: Flask) -> None:
    """Read every catalogue and the menu's language names now, so that a server's workers
    find them loaded (tms.web.warm): one request context per language, which the locale
    selector answers from Accept-Language as it would for a visitor."""
    from flask_babel import get_translations

    with app.test_request_context():
        language_menu()
    for code in available_locales():
        with app.test_request_context(headers={"Accept-Language": code}):
            get_translations()
            format_decimal(1)  # the locale's number symbols, used on every page


@lru_cache(maxsize=64)
def babel_locale(code: str) -> Locale:
    """The Babel locale of a code; pseudo-locales (en-XA, en-XR) get English data.

    Babel has no data for pseudo-locales and refuses to parse them, but its str() is what
    finds the catalogue folder (en_XA), so the English locale is renamed after loading.
    """
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        language, _sep, territory = code.partition("-")
        locale = Locale.parse(language)
        locale._data  # noqa: B018 - load the language's data before the name changes
        locale.territory = territory or None
        return locale


def select_locale() -> Locale:
    """Profile choice, then the session's, then Accept-Language, then English."""
    locales = available_locales()
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return babel_locale(current_user.locale)
    chosen = session.get("locale")
    if chosen in locales:
        return babel_locale(chosen)
    return babel_locale(request.accept_languages.best_match(locales) or "en")


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

    def format_number(n: int) -> str:
        return format_decimal(n) if has_request_context() else str(n)

    # The raw catalogue lookups: tms.i18n fills the placeholders itself.
    i18n.set_translator(translate, translate_plural, format_number)
    app.jinja_env.globals["ngettext"] = _locale_ngettext


@pass_context
def _locale_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: object
) -> str:
    """Jinja's ngettext, with the count written for the locale (1,545 / 1 545 / 1.545).

    Catalogues say %(num)d; the count arrives here already formatted as text, so the
    placeholder is read as %(num)s. Like Jinja's own, values are escaped when autoescaping.
    """
    from flask_babel import format_decimal, get_translations

    text = get_translations().ungettext(singular, plural, num).replace("%(num)d", "%(num)s")
    variables.setdefault("num", format_decimal(num))
    if context.eval_ctx.autoescape:
        # Catalogue text is ours (as in Jinja's own ngettext); the values get escaped.
        return Markup(text) % variables  # noqa: S704
    return text % variables
