"""Pseudo-translation: of the interface (pseudo-locales) and of document text.

One accent table and one way of keeping placeholders apart serve both:

- "en-XA" (accented): every string accented, lengthened by about 40 % and bracketed, so
  untranslated strings, cut-off labels and layouts that cannot grow stand out.
- "en-XR" (right-to-left): every string wrapped in RIGHT-TO-LEFT OVERRIDE ... POP
  DIRECTIONAL FORMATTING, so it reads mirrored; the app serves dir="rtl" for en-XR.

Placeholders (%(name)s, %s, {count}), HTML tags and entities are kept exactly as they are,
so a pseudo catalogue passes `msgfmt -c` and renders like a real one.

- pseudo_translate: a document segment in the tag language, accented, ~30 % longer and
  bracketed, its tags, placeholders and URLs left exactly as they are (tms pretranslate).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.messages.catalog import Catalog

from tms.inline import tokenize

PSEUDO_LOCALES = ("en-XA", "en-XR")
RLO, PDF = "\u202e", "\u202c"

# What must survive untouched: python %-format, str.format fields, HTML tags, entities.
_PROTECTED = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{[^{}\s]*\}"
    r"|<[^<>]+>"
    r"|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);"
)
# In document text (tags are already apart): printf and Python format placeholders, brace
# placeholders, URLs, e-mail addresses, character entities.
_TEXT_PROTECTED = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[#0+-]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|%[#0+-]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{[A-Za-z0-9_.:!\[\]-]*\}"
    r"|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|&[A-Za-z]+;|&#\d+;"
)
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķľɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĽṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_PADDING = "·ōñé·ţŵö·ţĥŕéé·ƒöûŕ·ƒîṽé·šîẋ·šéṽéñ·éîĝĥţ·ñîñé·ţéñ"


def _pieces(text: str, protected: re.Pattern[str] = _PROTECTED) -> list[tuple[bool, str]]:
    """(protected?, text) pieces: placeholders/tags apart from the words around them."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in protected.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def accented(text: str) -> str:
    """The en-XA form: accented letters, ~40 % longer, in brackets; placeholders kept."""
    if not text.strip():
        return text
    body = "".join(p if protected else p.translate(_ACCENTS) for protected, p in _pieces(text))
    visible = sum(len(p) for protected, p in _pieces(text) if not protected)
    extra = max(1, round(visible * 0.4))
    padding = (_PADDING * (extra // len(_PADDING) + 1))[:extra]
    # Keep a leading/trailing newline where it was: gettext requires it.
    lead = "\n" if body.startswith("\n") else ""
    trail = "\n" if body.endswith("\n") else ""
    return f"{lead}[{body.strip(chr(10))} {padding}]{trail}"


def mirrored(text: str) -> str:
    """The en-XR form: the text inside RLO … PDF, so it displays right to left."""
    if not text.strip():
        return text
    lead = "\n" if text.startswith("\n") else ""
    trail = "\n" if text.endswith("\n") else ""
    return f"{lead}{RLO}{text.strip(chr(10))}{PDF}{trail}"


TRANSFORMS: dict[str, Callable[[str], str]] = {"en-XA": accented, "en-XR": mirrored}


def pseudo_catalog(template: Catalog, code: str) -> Catalog:
    """A catalogue for a pseudo-locale with every message of the template translated."""
    transform = TRANSFORMS[code]
    # Babel has no locale data for pseudo-locales: the catalogue is English (its plural
    # rule is right), and the caller writes the pseudo-locale's code in the header.
    catalog = Catalog(locale="en", project="tms", version="1", charset="utf-8", fuzzy=False,
                      copyright_holder="tms contributors",
                      revision_date=template.creation_date,
                      last_translator="tms pseudo_locale.py",
                      language_team=f"{code} (pseudo-locale)")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            string: str | tuple[str, ...] = tuple(transform(m) for m in message.id)
        else:
            string = transform(message.id)
        catalog.add(message.id, string, locations=message.locations, flags=message.flags,
                    auto_comments=message.auto_comments, context=message.context)
    return catalog


_VOWELS = set("aeiouyAEIOUY")
EXPANSION = 0.3  # translations run ~30% longer than English; layouts must cope


def _segment_pieces(text: str) -> list[tuple[bool, str]]:
    """(protected?, text) pieces of a segment: its tags and placeholders apart."""
    pieces: list[tuple[bool, str]] = []
    for tok in tokenize(text):
        if tok.kind != "text":
            pieces.append((True, tok.raw))
        else:
            pieces.extend(_pieces(tok.value, _TEXT_PROTECTED))
    return pieces


def _accent_doubling(pieces: list[tuple[bool, str]], vowels: int, doubled: int) -> str:
    """The pieces with free letters accented and `doubled` vowels spread evenly doubled."""
    out: list[str] = []
    seen = 0
    for protected, piece in pieces:
        if protected:
            out.append(piece)
            continue
        for ch in piece:
            accented_ch = ch.translate(_ACCENTS)
            out.append(accented_ch)
            if ch in _VOWELS:
                if (seen + 1) * doubled // vowels > seen * doubled // vowels:
                    out.append(accented_ch)
                seen += 1
    return "".join(out)


def pseudo_translate(text: str) -> str:
    """A readable fake translation: accented letters, ~30% longer, bracketed, tags kept.

    "We, sex workers" -> "[Ŵé, šééẋ ŵöŕķééŕš]". Tags (<1>..</1>, <2/>) and placeholders
    (%(name)s, {0}, URLs) are left exactly as they are, so exports stay valid.
    """
    pieces = _segment_pieces(text)
    free = "".join(piece for protected, piece in pieces if not protected)
    if not any(ch.isalpha() for ch in free):
        return text
    vowels = sum(ch in _VOWELS for ch in free)
    tags_length = sum(len(tok.raw) for tok in tokenize(text) if tok.kind != "text")
    # the brackets count towards the ~30%; placeholders count in the length they add to
    budget = max(1, round((len(text) - tags_length) * EXPANSION) - 2)
    doubled = min(budget, vowels)
    return "[" + _accent_doubling(pieces, vowels, doubled) + "·" * (budget - doubled) + "]"
