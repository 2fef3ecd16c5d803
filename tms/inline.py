"""The inline tag language of segments: ``<1>paired</1>`` spans and ``<2/>`` standalone tags.

Tags are flat numbered placeholders; a per-block tag map (tms.formats.base.Tag) says what
each id stands for. Literal text that looks like a tag never appears in a tagged string:
importers turn it into a standalone tag of kind "literal", so the grammar stays unambiguous
and translators never have to escape anything.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TAG_RE = re.compile(r"<(/?)(\d{1,4})(/?)>")


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a tagged string: kind is text, open, close or standalone."""

    kind: str
    value: str  # the text, or the tag id as a string
    start: int = 0
    end: int = 0

    @property
    def raw(self) -> str:
        """The token as it is written in a tagged string."""
        if self.kind == "text":
            return self.value
        if self.kind == "open":
            return f"<{self.value}>"
        if self.kind == "close":
            return f"</{self.value}>"
        return f"<{self.value}/>"


def tokenize(text: str) -> list[Token]:
    """Split a tagged string into text and tag tokens (malformed markup stays text)."""
    tokens: list[Token] = []
    pos = 0
    for m in TAG_RE.finditer(text):
        closing, ident, selfclosing = m.groups()
        if closing and selfclosing:
            continue  # "</1/>" is not a tag; it stays text
        if m.start() > pos:
            tokens.append(Token("text", text[pos : m.start()], pos, m.start()))
        kind = "close" if closing else "standalone" if selfclosing else "open"
        tokens.append(Token(kind, ident, m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        tokens.append(Token("text", text[pos:], pos, len(text)))
    return _merge_text(tokens)


def _merge_text(tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for tok in tokens:
        if merged and tok.kind == "text" and merged[-1].kind == "text":
            prev = merged.pop()
            tok = Token("text", prev.value + tok.value, prev.start, tok.end)
        merged.append(tok)
    return merged


def strip_tags(text: str) -> str:
    """The text with every tag removed."""
    return "".join(t.value for t in tokenize(text) if t.kind == "text")


def tag_ids(text: str) -> list[str]:
    """Tag ids in order of appearance (a paired tag counts once, at its opening)."""
    return [t.value for t in tokenize(text) if t.kind in ("open", "standalone")]


def tag_signature(text: str) -> Counter[tuple[str, str]]:
    """The multiset of (kind, id) of all tags; equal signatures mean the same tags."""
    return Counter((t.kind, t.value) for t in tokenize(text) if t.kind != "text")


def well_formed_errors(text: str) -> list[str]:
    """Nesting problems of one tagged string, as short English messages for the QA layer."""
    errors: list[str] = []
    stack: list[str] = []
    for tok in tokenize(text):
        if tok.kind == "open":
            stack.append(tok.value)
        elif tok.kind == "close":
            if not stack:
                errors.append(f"closing tag </{tok.value}> has no opening tag")
            elif stack[-1] != tok.value:
                if tok.value in stack:
                    errors.append(f"tag <{stack[-1]}> must be closed before </{tok.value}>")
                    while stack and stack[-1] != tok.value:
                        stack.pop()
                    stack.pop()
                else:
                    errors.append(f"closing tag </{tok.value}> has no opening tag")
            else:
                stack.pop()
    errors.extend(f"tag <{ident}> is never closed" for ident in stack)
    return errors


@dataclass(frozen=True, slots=True)
class TagIssue:
    """A tag problem in a target compared with its source."""

    code: str  # missing, extra, nesting, duplicate
    tag: str  # as written, e.g. "<1>" or "<2/>"; "" for nesting problems
    message: str


def compare_tags(source: str, target: str) -> list[TagIssue]:
    """Tag problems of target against source: reordering is fine; dropping, inventing,
    duplicating or mis-nesting tags is not."""
    issues: list[TagIssue] = []
    src = tag_signature(source)
    tgt = tag_signature(target)
    for (kind, ident), count in sorted(src.items()):
        raw = Token(kind, ident).raw
        have = tgt.get((kind, ident), 0)
        if have < count:
            issues.append(TagIssue("missing", raw, f"tag {raw} is missing"))
        elif have > count:
            issues.append(TagIssue("duplicate", raw, f"tag {raw} appears too often"))
    for kind, ident in sorted(set(tgt) - set(src)):
        raw = Token(kind, ident).raw
        issues.append(TagIssue("extra", raw, f"tag {raw} is not in the source"))
    issues.extend(TagIssue("nesting", "", msg) for msg in well_formed_errors(target))
    return issues


def split_at(text: str, offsets: Sequence[int]) -> list[str]:
    """Cut a tagged string at plain-text offsets (positions in strip_tags(text)).

    Paired tags that span a cut are closed before it and reopened after it, so every piece
    is well formed on its own. Tags sitting exactly at a cut go with the text they touch:
    closing tags and standalone tags stay with the piece before (a footnote reference right
    after a full stop stays with that sentence), opening tags go with the piece after.
    """
    cuts = sorted(set(o for o in offsets if o > 0))
    tokens = tokenize(text)
    pieces: list[list[str]] = [[]]
    stack: list[str] = []
    plain_pos = 0
    cut_idx = 0

    def cut() -> None:
        for ident in reversed(stack):
            pieces[-1].append(f"</{ident}>")
        pieces.append([f"<{ident}>" for ident in stack])

    for i, tok in enumerate(tokens):
        if tok.kind == "text":
            value = tok.value
            while cut_idx < len(cuts) and cuts[cut_idx] <= plain_pos + len(value):
                n = cuts[cut_idx] - plain_pos
                if n == len(value) and _tail_belongs_before(tokens, i + 1):
                    break  # decide after the trailing closing/standalone tags
                pieces[-1].append(value[:n])
                value = value[n:]
                plain_pos += n
                cut()
                cut_idx += 1
            pieces[-1].append(value)
            plain_pos += len(value)
        else:
            if tok.kind == "open":
                # an opening tag at a pending cut belongs to the next piece
                if cut_idx < len(cuts) and cuts[cut_idx] == plain_pos and pieces[-1]:
                    cut()
                    cut_idx += 1
                stack.append(tok.value)
            elif tok.kind == "close" and tok.value in stack:
                stack.remove(tok.value)
            pieces[-1].append(tok.raw)
            if (
                tok.kind != "open"
                and cut_idx < len(cuts)
                and cuts[cut_idx] == plain_pos
                and not _tail_belongs_before(tokens, i + 1)
            ):
                cut()
                cut_idx += 1
    out = ["".join(p) for p in pieces]
    return [_drop_empty_pairs(p) for p in out if strip_tags(p) or tag_signature(p)]


def _tail_belongs_before(tokens: Sequence[Token], start: int) -> bool:
    """True if the tokens after a text end begin with a closing or standalone tag."""
    return start < len(tokens) and tokens[start].kind in ("close", "standalone")


def _drop_empty_pairs(text: str) -> str:
    """Remove "<1></1>" pairs that a cut can leave behind."""
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"<(\d{1,4})></\1>", "", text)
    return text


def join_segments(parts: Iterable[tuple[str, str]]) -> str:
    """Join (tagged text, separator) pairs back into one block text.

    A paired tag closed at the end of one segment and reopened at the start of the next
    (because a cut split it) becomes one span again: "</1> <1>" -> " ".
    """
    text = "".join(t + sep for t, sep in parts)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"</(\d{1,4})>(\s*)<\1>", r"\2", text)
    return text


def render_plain(text: str, placeholder: str = "") -> str:
    """Text with tags replaced by a placeholder (default: removed)."""
    return TAG_RE.sub(placeholder, text) if placeholder else strip_tags(text)


def renumber_literal_safe(text: str) -> bool:
    """True if text contains nothing that would be read as a tag."""
    return TAG_RE.search(text) is None


# Words and punctuation apart, white space kept: a diff reads like the text it marks.
_DIFF_TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences of two tagged strings on their plain text: a list of
    (op, text) with op "equal", "insert" (only in new) or "delete" (only in old)."""
    a = _DIFF_TOKENS.findall(strip_tags(old))
    b = _DIFF_TOKENS.findall(strip_tags(new))
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(b[j1:j2])))
    return out


class ForeignIds:
    """tms tag ids for the inline codes of another tool's file, shared by the source and
    the target of one unit so that the same code gets the same id on both sides.

    keep_numeric: ids that are already tms ids ("1".."9999") stay as they are (a file tms
    wrote must come back with its own ids); other ids get numbers from 901 upward, far from
    real ones. Without keep_numeric every code is numbered 1, 2, 3... in order of first
    appearance, which is how tms numbers the tags of a block (memory import).
    """

    def __init__(self, *, keep_numeric: bool = True) -> None:
        self.keep_numeric = keep_numeric
        self.ids: dict[str, str] = {}

    def __call__(self, foreign: str) -> str:
        """The tms id of one of the file's ids."""
        if foreign not in self.ids:
            if self.keep_numeric and re.fullmatch(r"\d{1,4}", foreign):
                self.ids[foreign] = foreign
            else:
                start = 900 if self.keep_numeric else 0
                self.ids[foreign] = str(start + 1 + sum(
                    1 for v in self.ids.values() if int(v) > start))
        return self.ids[foreign]


def balance(text: str) -> str:
    """A tagged text with every closing tag that has no opening one, and every opening
    tag that is never closed, dropped (a code pair split across two segments of another
    tool's file leaves half of it in each): what is left is well formed."""
    tokens = tokenize(text)
    keep = [True] * len(tokens)
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append(i)
        elif tok.kind == "close":
            if stack and tokens[stack[-1]].value == tok.value:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    return "".join(tok.raw for tok, kept in zip(tokens, keep, strict=True) if kept)
