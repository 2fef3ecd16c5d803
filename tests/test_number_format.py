"""Counts are written for the interface language: 1,545 / 1 545 / 1.545 / 1 545."""

from __future__ import annotations

import pytest
from flask import render_template_string

from tms import i18n

PLURAL = '{{ ngettext("%(num)d word", "%(num)d words", n) }}'


@pytest.mark.parametrize(
    ("locale", "n", "expected"),
    [
        ("en", 1, "1 word"),
        ("en", 1545, "1,545 words"),
        ("de", 1545, "1.545 Wörter"),
        ("fr", 1545, "1\u202f545 mots"),
        ("ru", 1545, "1\u00a0545 слов"),
        ("ru", 21, "21 слово"),
    ],
)
def test_template_plurals_write_the_count_for_the_locale(app, locale, n, expected):
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert render_template_string(PLURAL, n=n) == expected


def test_template_plural_still_escapes_its_values(app):
    template = '{{ ngettext("%(num)d word", "%(num)d words", n, name=name) }}'
    with app.test_request_context():
        out = render_template_string(template.replace("word", "word %(name)s"), n=2,
                                     name="<b>x</b>")
    assert "<b>" not in out and "&lt;b&gt;" in out


def test_flask_free_plurals_use_the_same_formatting(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert i18n.ngettext("%(num)d segment", "%(num)d segments", 2000) == "2.000 Segmente"
    # outside a request (CLI before a locale is known): plain digits
    assert i18n.ngettext("%(num)d segment", "%(num)d segments", 2000) == "2000 segments"


def test_table_counts_use_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template_string("{{ n|decimalformat }}", n=12345) == "12.345"
