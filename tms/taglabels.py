"""Chip labels for inline tags, in the reader's language.

Readers store an English label in Block.tags at import ("bold", "footnote 1", "link:
example.org", "italic+bold"); the label is rebuilt here at display time from the tag's kind,
data and stored label, so the chips follow the interface language. Anything not recognised
falls back to the stored label (literal text, unknown elements, character style names).
"""

from __future__ import annotations

import re
from typing import Any

from tms.i18n import N_, _
from tms.inline import tokenize

# Words readers put in labels, alone or joined with "+" (DOCX run formatting).
_WORDS: dict[str, str] = {
    "bold": N_("bold"),
    "italic": N_("italic"),
    "underline": N_("underline"),
    "strike": N_("strikethrough"),
    "superscript": N_("superscript"),
    "subscript": N_("subscript"),
    "code": N_("code"),
    "not bold": N_("not bold"),
    "not italic": N_("not italic"),
    "not underlined": N_("not underlined"),
    "not struck": N_("not struck through"),
    "normal position": N_("normal position"),
    "no character style": N_("no character style"),
    "formatting": N_("formatting"),
    "tab": N_("tab"),
    "symbol": N_("symbol"),
    "formula": N_("formula"),
    "text box": N_("text box"),
    "image": N_("image"),
    "link": N_("link"),
    "field": N_("field"),
    "line break": N_("line break"),
    "page break": N_("page break"),
    "column break": N_("column break"),
    "span": N_("formatting"),
    "strong": N_("bold"),
    "emphasis": N_("italic"),
}

# Bookmark and comment marks (DOCX "anchor" tags), by the element they stand for.
_MARKS = {
    "bookmarkEnd": N_("end of bookmark"),
    "commentRangeStart": N_("comment"),
    "commentRangeEnd": N_("end of comment"),
    "commentReference": N_("comment mark"),
    "permStart": N_("editing permission"),
    "permEnd": N_("end of editing permission"),
}

_BREAKS = {"page": N_("page break"), "column": N_("column break")}


def _after(label: str, prefix: str) -> str:
    """The part of a stored label after "prefix: ", or "" if it does not start so."""
    return label[len(prefix) + 2 :].strip() if label.startswith(prefix + ": ") else ""


def _word(word: str) -> str | None:
    """One label word translated, or None if it is not one tms writes."""
    if word in _WORDS:
        return _(_WORDS[word])
    if word.startswith("style "):
        return _("style %(name)s", name=word[6:])
    return None


def tag_label(raw: dict[str, Any] | None) -> str:
    """The chip label of one tag (a Block.tags entry) in the current interface language."""
    raw = raw or {}
    kind = str(raw.get("kind") or "")
    data = raw.get("data") or {}
    stored = str(raw.get("label") or "")
    if kind == "literal":
        return stored or str(data.get("text") or "")
    if kind == "link":
        target = _after(stored, "link")
        if not target:
            href = str(data.get("href") or "") or (
                "#" + str(data["anchor"]) if data.get("anchor") else "")
            target = re.sub(r"^[a-z]+://(www\.)?", "", href).rstrip("/")[:40]
        return _("link: %(target)s", target=target) if target else _("link")
    if kind in ("footnote_ref", "endnote_ref"):
        note = str(data.get("note") or "") or stored.rpartition(" ")[2]
        if kind == "footnote_ref":
            return _("footnote %(n)s", n=note) if note else _("footnote")
        return _("endnote %(n)s", n=note) if note else _("endnote")
    if kind == "image":
        if stored == "text box":
            return _("text box")
        alt = str(data.get("alt") or "") or _after(stored, "image")
        return _("image: %(alt)s", alt=alt[:40]) if alt else _("image")
    if kind == "field":
        name = _after(stored, "field")
        return _("field: %(name)s", name=name) if name and name != "field" else _("field")
    if kind == "break":
        brk = _BREAKS.get(str(data.get("type") or ""))
        return _(brk) if brk else _("line break")
    if kind == "anchor":
        mark = str(data.get("mark") or "")
        if mark in _MARKS:
            return _(_MARKS[mark])
        name = str(data.get("name") or "") or _after(stored, "bookmark")
        return _("bookmark: %(name)s", name=name) if name else _("bookmark")
    if kind == "control":
        name = str(data.get("name") or "") or _after(stored, "control")
        return _("content control: %(name)s", name=name) if name else _("content control")
    if kind == "math":
        return _("formula")
    if kind in ("tab", "symbol"):
        return _(_WORDS[kind])
    if stored:
        words = [_word(w) for w in stored.split("+")]
        if all(w is not None for w in words):
            return "+".join(w for w in words if w is not None)
        return stored
    translated = _word(kind)
    return translated if translated is not None else kind


def tag_labels(tags: dict[str, Any] | None) -> dict[str, str]:
    """Tag id -> chip label, for every tag in a block's tag map."""
    return {str(ident): tag_label(raw) for ident, raw in (tags or {}).items()}


def chip_pieces(text: str, labels: dict[str, str], missing: str = "") -> list[dict[str, str]]:
    """A tagged string as {"text": ...} pieces and {"tag": raw, "id", "kind", "label"} pieces,
    so pages render tags as labelled chips without ever building HTML from user text;
    a tag id without a label gets `missing`."""
    out: list[dict[str, str]] = []
    for tok in tokenize(text):
        if tok.kind == "text":
            out.append({"text": tok.value})
        else:
            label = labels.get(tok.value, missing)
            out.append({"tag": tok.raw, "id": tok.value, "kind": tok.kind, "label": label})
    return out
