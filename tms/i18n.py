"""Translatable messages for code that must not import Flask (domain code, services, CLI).

Messages are marked with `_` so Babel extracts them; the web layer (and the CLI) install a
translator with `set_translator`, so the same message reaches the user in their language.
Parameters use %(name)s placeholders, which the QA check protects in translations.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def _identity(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_translate: Callable[[str], str] = _identity
_translate_plural: Callable[[str, str, int], str] = _english_plural
_format_number: Callable[[int], str] = str


def set_translator(
    translate: Callable[[str], str],
    translate_plural: Callable[[str, str, int], str] | None = None,
    format_number: Callable[[int], str] | None = None,
) -> None:
    """Install the functions that translate messages and write numbers for the locale
    (Flask-Babel's, in the web app)."""
    global _translate, _translate_plural, _format_number
    _translate = translate
    if translate_plural is not None:
        _translate_plural = translate_plural
    if format_number is not None:
        _format_number = format_number


def _(message: str, **params: object) -> str:
    """Translate a message, then fill its %(name)s placeholders."""
    text = _translate(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a message with a count; %(num)s (or %(num)d) is the count, written for the
    locale (1,545 / 1 545 / 1.545)."""
    text = _translate_plural(singular, plural, n).replace("%(num)d", "%(num)s")
    return text % {"num": _format_number(n), **params}


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


@lru_cache(maxsize=64)
def catalogue_translator(code: str) -> Callable[[str], str]:
    """The catalogue lookup of one language, whatever the interface language is: for text
    written into a document in that language (an exported page's "Contents"). A language
    without a catalogue gets the English message."""
    folder = code.replace("-", "_")
    found = gettext.translation("messages", localedir=str(TRANSLATIONS_DIR),
                                languages=[folder], fallback=True)
    return found.gettext
