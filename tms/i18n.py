"""Translatable messages for code that must not import Flask (domain code, services, CLI).

Messages are marked with `_` so Babel extracts them; the web layer (and the CLI) install a
translator with `set_translator`, so the same message reaches the user in their language.
Parameters use %(name)s placeholders, which the QA check protects in translations.
"""

from __future__ import annotations

from collections.abc import Callable


def _identity(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_translate: Callable[[str], str] = _identity
_translate_plural: Callable[[str, str, int], str] = _english_plural


def set_translator(
    translate: Callable[[str], str],
    translate_plural: Callable[[str, str, int], str] | None = None,
) -> None:
    """Install the functions that translate messages (Flask-Babel's, in the web app)."""
    global _translate, _translate_plural
    _translate = translate
    if translate_plural is not None:
        _translate_plural = translate_plural


def _(message: str, **params: object) -> str:
    """Translate a message, then fill its %(name)s placeholders."""
    text = _translate(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a message with a count; %(num)s is the count."""
    text = _translate_plural(singular, plural, n)
    return text % {"num": n, **params}


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message
