"""Sentence segmentation of tagged block text.

The tag-free text (tms.inline.strip_tags) is cut into sentences by pysbd, one paragraph at
a time (pysbd is slow on long strings), then corrected by a few post-rules for pysbd's
known misses (abbreviations it does not know, lone list markers, URLs, sentences ending
inside a closing quote). The tagged string is then cut at the same plain-text offsets with
tms.inline.split_at, so tags spanning a cut are closed and reopened.

White space: each segment comes with the white space that follows it (its separator).
Leading white space of the block, if any, stays at the start of the first segment (readers
strip block text, so this is rare); a block without visible text comes back as one piece,
unchanged. When no paired tag spans a cut, ``"".join(s + sep for s, sep in result) == text``;
when one does, tms.inline.join_segments(result) == text (the cut closed the tag before the
separator and reopened it after).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from tms.inline import split_at, strip_tags, tokenize

# pysbd 0.3.4 has rules for these languages; others fall back to English rules.
PYSBD_LANGUAGES = frozenset({
    "am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy",
    "it", "ja", "kk", "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh",
})

# Abbreviations pysbd misses for some languages; lowercase, without the final dot.
# "Always": titles and the like never end a sentence ("Dr.", "approx.", "e.g.").
# "Before a number": only an abbreviation when a number follows ("no. 5", "p. 3", "art. 12");
# otherwise they are ordinary words that can end a sentence ("They said no.").
_ALWAYS: dict[str, set[str]] = {
    "": {"dr", "mr", "mrs", "ms", "prof", "approx", "cf", "e.g", "i.e", "viz", "vs", "ca",
         "incl", "resp", "ibid", "esp"},
    "fr": {"m", "mme", "mmes", "mlle", "mm", "env", "p.ex", "cf", "dr", "pr"},
    "de": {"z.b", "u.a", "bzw", "ca", "vgl", "d.h", "sog", "inkl", "ggf", "hr", "fr"},
    "es": {"sr", "sra", "srta", "sres", "dra", "p.ej", "ud", "uds", "aprox"},
    "it": {"sig", "sigg", "dott", "avv", "prof", "cfr"},
    "ru": {"т.е", "т.к", "т.н", "см", "напр", "им", "проф"},
    "bg": {"т.е", "вж", "проф", "д-р"},
    "el": {"π.χ", "κ", "δρ"},
}
_BEFORE_NUMBER: dict[str, set[str]] = {
    "": {"no", "nos", "nr", "p", "pp", "art", "arts", "vol", "ch", "chap", "para", "paras",
         "fig", "sec", "op", "n°", "nº"},
    "fr": {"art", "al", "chap", "p", "n°", "nº"},
    "de": {"abs", "art", "nr", "s"},
    "es": {"art", "núm", "pág", "págs", "cap"},
    "it": {"art", "pag", "n"},
    "ru": {"ст", "стр", "п", "пп", "ч", "рис", "гл"},
    "bg": {"чл", "ал", "стр"},
    "el": {"άρθ", "σελ"},
}

_ENUMERATOR_RE = re.compile(
    r"^[(\[]?(?:\d{1,3}|[IVXLCDM]{1,7}|[ivxlcdm]{1,7}|[A-Za-z])[.)\]]$"
)
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# A sentence end inside a closing quote followed by a new sentence: `là. » Puis`, `go.” Then`.
_QUOTE_END_RE = re.compile(r"[.!?…]+\s?[»”\"’)]+(\s+)(?=[«“\"‘(]?\w)")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
_MAX_CHUNK = 20_000  # pysbd slows down badly on longer strings; cut at line ends before that


_local = threading.local()


def _segmenter(language: str):  # type: ignore[no-untyped-def]
    """One pysbd Segmenter per language and thread (building one compiles many regexes;
    a Segmenter keeps the text it works on in attributes, so threads must not share one)."""
    import pysbd

    code = _base_language(language)
    code = code if code in PYSBD_LANGUAGES else "en"
    cache: dict[str, pysbd.Segmenter] = _local.__dict__.setdefault("segmenters", {})
    if code not in cache:
        cache[code] = pysbd.Segmenter(language=code, clean=False)
    return cache[code]


def _base_language(language: str) -> str:
    return (language or "en").replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=32)
def _abbreviations(language: str) -> tuple[frozenset[str], frozenset[str]]:
    base = _base_language(language)
    always = _ALWAYS[""] | _ALWAYS.get(base, set())
    numeric = _BEFORE_NUMBER[""] | _BEFORE_NUMBER.get(base, set())
    return frozenset(always), frozenset(numeric)


def segment(text: str, language: str) -> list[tuple[str, str]]:
    """Cut a tagged block text into (tagged sentence, white space after it) pairs."""
    if not text:
        return []
    plain = strip_tags(text)
    if not plain.strip():
        return [(text, "")]
    starts = _sentence_starts(plain, language)
    pieces = split_at(text, starts)
    return _separate(pieces)


def sentence_spans(plain: str, language: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a tag-free text, white space excluded."""
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _chunks(plain):
        spans.extend(_pysbd_spans(plain, chunk_start, chunk_end, language))
    spans = _fix_spans(plain, spans, language)
    return spans


def _sentence_starts(plain: str, language: str) -> list[int]:
    return [start for start, _end in sentence_spans(plain, language)[1:]]


def _chunks(plain: str) -> list[tuple[int, int]]:
    """Paragraph-sized pieces of the text: blank lines are hard sentence boundaries."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH_BREAK_RE.finditer(plain):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(plain)))
    out: list[tuple[int, int]] = []
    for start, end in bounds:
        while end - start > _MAX_CHUNK:
            cut = plain.rfind("\n", start, start + _MAX_CHUNK)
            if cut <= start:
                cut = plain.rfind(" ", start, start + _MAX_CHUNK)
            if cut <= start:
                cut = start + _MAX_CHUNK
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return [(s, e) for s, e in out if plain[s:e].strip()]


def _pysbd_spans(plain: str, start: int, end: int, language: str) -> list[tuple[int, int]]:
    """Sentence spans of plain[start:end] found by pysbd, as offsets into plain."""
    chunk = plain[start:end]
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in _segmenter(language).segment(chunk):
        core = sentence.strip()
        if not core:
            continue
        found = chunk.find(core, pos)
        if found < 0:
            # pysbd changed the text (it rarely does with clean=False): keep it with the last
            continue
        spans.append((start + found, start + found + len(core)))
        pos = found + len(core)
    if not spans:
        core_start = len(chunk) - len(chunk.lstrip())
        return [(start + core_start, start + len(chunk.rstrip()))]
    # text pysbd skipped at the end belongs to the last sentence
    tail = chunk.rstrip()
    if start + len(tail) > spans[-1][1]:
        spans[-1] = (spans[-1][0], start + len(tail))
    return spans


def _fix_spans(plain: str, spans: list[tuple[int, int]], language: str) -> list[tuple[int, int]]:
    """Our post-rules over pysbd's sentences: merge wrong cuts, add missed ones."""
    spans = _split_after_quotes(plain, spans)
    protected = [(m.start(), m.end()) for m in _URL_RE.finditer(plain)]
    abbreviations = _abbreviations(language)
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and _should_merge(plain, merged[-1], span, protected, abbreviations):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _split_after_quotes(plain: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        for m in _QUOTE_END_RE.finditer(plain, start, end):
            nxt = m.end()
            if nxt < end and _starts_sentence(plain[nxt:end]):
                out.append((start, m.start(1)))
                start = nxt
        out.append((start, end))
    return out


def _starts_sentence(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return True
    return False


def _should_merge(
    plain: str,
    prev: tuple[int, int],
    cur: tuple[int, int],
    protected: list[tuple[int, int]],
    abbreviations: tuple[frozenset[str], frozenset[str]],
) -> bool:
    """True if the cut between prev and cur is one of pysbd's known misses."""
    before = plain[prev[0] : prev[1]]
    after = plain[cur[0] : cur[1]]
    cut = cur[0]
    if _PARAGRAPH_BREAK_RE.search(plain, prev[1], cut):
        return False  # a blank line always ends a sentence
    # a cut inside a URL or an e-mail address
    if any(s < prev[1] and cut < e for s, e in protected):
        return True
    # a lone list marker: "II." then "Right to health."
    if _ENUMERATOR_RE.match(before.strip()):
        return True
    # an abbreviation that does not end sentences: "Approx." "40% of ...", "l’art." "12"
    last_word = before.rsplit(None, 1)[-1] if before.split() else ""
    if last_word.endswith("."):
        word = re.split(r"[’']", last_word[:-1].lstrip("([«“\"'").lower())[-1]
        always, numeric = abbreviations
        if word in always:
            return True
        if word in numeric and re.match(r"[\dIVXLC]", after.lstrip("([")):
            return True
    # the next piece starts in lower case: "т.е." "все люди" (but not an item "b) ...")
    first = after.lstrip("«“\"'‘([")
    if first and first[0].isalpha() and first[0].islower():
        head = after.split(None, 1)[0]
        if not _ENUMERATOR_RE.match(head):
            return True
    return False


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD_RE = re.compile(r"\w+(?:[-'’·@.,]\w+)*")


def count_words(plain: str, language: str) -> int:
    """Words in a tag-free text; each CJK character counts as one word."""
    text = unicodedata.normalize("NFC", plain)
    cjk = len(_CJK_RE.findall(text))
    if cjk:
        text = _CJK_RE.sub(" ", text)
    return cjk + len(_WORD_RE.findall(text))


def _separate(pieces: list[str]) -> list[tuple[str, str]]:
    """Turn split_at pieces into (segment, trailing white space) pairs.

    White space at the very end of a piece is its separator. White space just before
    closing tags that the cut itself added (the next piece reopens them) moves out too,
    so join_segments merges "</1> <1>" back into one span.
    """
    out: list[tuple[str, str]] = []
    for i, piece in enumerate(pieces):
        body = piece.rstrip()
        sep = piece[len(body) :]
        if not sep and i + 1 < len(pieces):
            body, sep = _move_space_out(body, pieces[i + 1])
        if not strip_tags(body).strip() and not out and not _has_tags(body):
            # never return an empty first segment: leading space stays with the text
            body, sep = piece, ""
        out.append((body, sep))
    return out


def _has_tags(text: str) -> bool:
    return any(t.kind != "text" for t in tokenize(text))


_TRAILING_CLOSES_RE = re.compile(r"(\s+)((?:</\d{1,4}>)+)$")


def _move_space_out(body: str, following: str) -> tuple[str, str]:
    m = _TRAILING_CLOSES_RE.search(body)
    if not m:
        return body, ""
    closes = re.findall(r"</(\d{1,4})>", m.group(2))
    reopen = "".join(f"<{ident}>" for ident in reversed(closes))
    if not following.startswith(reopen):
        return body, ""
    return body[: m.start()] + m.group(2), m.group(1)
