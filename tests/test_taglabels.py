"""Chip labels of inline tags follow the interface language (tms.taglabels)."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tms import i18n
from tms.taglabels import tag_label, tag_labels

TRANSLATIONS = Path(__file__).resolve().parent.parent / "tms" / "translations"


@pytest.fixture
def german() -> Iterator[None]:
    """The German catalogue installed as tms.i18n's translator for one test."""
    saved = (i18n._translate, i18n._translate_plural)
    catalogue = gettext.translation("messages", str(TRANSLATIONS), languages=["de"])
    i18n.set_translator(catalogue.gettext, catalogue.ngettext)
    yield
    i18n._translate, i18n._translate_plural = saved


CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "bold", "label": "bold"}, "bold", "fett"),
    ({"kind": "span", "label": "italic+bold"}, "italic+bold", "kursiv+fett"),
    ({"kind": "span", "label": "style Quote+not bold"}, "style Quote+not bold",
     "Formatvorlage Quote+nicht fett"),
    ({"kind": "link", "data": {"href": "https://www.example.org/"}, "label": "link: example.org"},
     "link: example.org", "Link: example.org"),
    ({"kind": "link", "data": {"href": "https://example.org/a"}}, "link: example.org/a",
     "Link: example.org/a"),
    ({"kind": "footnote_ref", "data": {"note": "1"}, "label": "footnote 1"}, "footnote 1",
     "Fußnote 1"),
    ({"kind": "break", "data": {"type": "page"}, "label": "page break"}, "page break",
     "Seitenumbruch"),
    ({"kind": "image", "data": {"alt": "a map"}, "label": "image: a map"}, "image: a map",
     "Bild: a map"),
    ({"kind": "field", "data": {"instr": "PAGE"}, "label": "field: PAGE"}, "field: PAGE",
     "Feld: PAGE"),
    ({"kind": "math", "label": "formula"}, "formula", "Formel"),
    ({"kind": "anchor", "data": {"mark": "bookmarkStart", "name": "_Toc1"},
      "label": "bookmark: _Toc1"}, "bookmark: _Toc1", "Textmarke: _Toc1"),
    ({"kind": "control", "data": {"name": "City"}, "label": "control: City"},
     "content control: City", "Inhaltssteuerelement: City"),
    ({"kind": "anchor", "data": {"mark": "commentRangeEnd"}, "label": "end of comment"},
     "end of comment", "Kommentarende"),
    # Literal text and unknown element names are shown as stored.
    ({"kind": "literal", "data": {"text": "<1>"}, "label": "<1>"}, "<1>", "<1>"),
    ({"kind": "object", "label": "ruby"}, "ruby", "ruby"),
]


@pytest.mark.parametrize(("raw", "english", "_german"), CASES)
def test_english_labels_are_unchanged(raw: dict[str, Any], english: str, _german: str) -> None:
    assert tag_label(raw) == english


@pytest.mark.parametrize(("raw", "_english", "expected"), CASES)
def test_labels_follow_the_interface_language(german: None, raw: dict[str, Any], _english: str,
                                              expected: str) -> None:
    assert tag_label(raw) == expected


def test_tag_labels_maps_every_id(german: None) -> None:
    tags = {"1": {"kind": "italic", "label": "italic"}, "2": {"kind": "tab", "label": "tab"}}
    assert tag_labels(tags) == {"1": "kursiv", "2": "Tabulator"}
    assert tag_labels(None) == {}
