"""Alignment of an existing translation with its source: blocks first, then sentences.

No Flask and no database: the service (tms.services.alignment) feeds blocks and sentences
in and stores what comes out.

1. Blocks (paragraph-level) are paired structure first: headings, numbered list items
   ("I.", "a)"), footnotes and table cells (by position) are matched as anchors in order;
   the stretches between anchors are aligned by length with a dynamic programme that allows
   1-1, 1-0, 0-1, 1-2 and 2-1 beads, with a penalty for pairing blocks of another kind.
   Blocks left unpaired (a paragraph moved elsewhere) get one more chance against the
   unpaired blocks of the other side when their lengths and anchors agree.
2. Sentences inside paired blocks are aligned by a Gale-Church length model (Gale & Church
   1993): character lengths, the usual bead priors, and a cost of -log P(delta) from a
   normal model of the length ratio whose mean c and variance s2 are estimated from the
   document itself. Cheap cross-language anchors (numbers, URLs, link targets, tag kinds,
   names and acronyms written identically on both sides) lower the cost of beads that
   share them and raise it where one side has them and the other does not.

The dynamic programme runs on numpy row by row inside a band around the diagonal, so a
3,000-sentence document takes well under a second.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from tms.formats.base import ParsedBlock, Tag
from tms.inline import strip_tags, tokenize

# Bead priors of Gale & Church (1993): 1-1 .89, 1-0 + 0-1 .0099, 2-1 + 1-2 .089.
PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
}
MOVES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))
DEFAULT_VARIANCE = 6.8  # Gale & Church's s2 for European languages
MIN_VARIANCE, MAX_VARIANCE = 2.0, 40.0
ANCHOR_WEIGHT = 3.0  # cost units: a full anchor match is worth about one sd of length
TYPE_MISMATCH = 6.0  # pairing a heading with a paragraph is very unlikely
NUMBERING_MATCH = 2.0
NUMBERING_MISMATCH = 3.0
MIN_BAND = 30
RESCUE_LIMIT = 40_000  # lone source x lone target blocks compared for moved paragraphs
SKIP_PENALTY = 1.5  # leaving out a sentence with numbers or names is less likely

_NUMBER_RE = re.compile(r"\d+(?:[.,:/]\d+)*")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
_BULLETS = frozenset("•◦▪▫‣⁃-–—*+·○●■□")


@dataclass(frozen=True)
class AlignedPair:
    """Source units (indices) aligned with target units; score 0..1 (1 = very likely)."""

    source_indices: tuple[int, ...]
    target_indices: tuple[int, ...]
    score: float

    @property
    def kind(self) -> str:
        """The bead shape, e.g. "1-1", "2-1", "1-0"."""
        return f"{len(self.source_indices)}-{len(self.target_indices)}"


@dataclass(frozen=True)
class Unit:
    """What the aligner needs of a sentence or block: its length and its anchors."""

    length: int
    anchors: frozenset[str] = frozenset()


@dataclass
class LengthModel:
    """Target characters per source character (c) and the variance per character (s2)."""

    c: float = 1.0
    s2: float = DEFAULT_VARIANCE


@dataclass
class AlignBlock:
    """A block to align: its structure (type, level, numbering, attrs), tags and sentences."""

    type: str
    sentences: list[str]  # tagged
    level: int | None = None
    numbering: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)

    @classmethod
    def from_parsed(cls, block: ParsedBlock, sentences: list[str]) -> AlignBlock:
        """Wrap a ParsedBlock and its sentences."""
        return cls(block.type, sentences, block.level, block.numbering, dict(block.attrs),
                   dict(block.tags))

    @property
    def text(self) -> str:
        """The block's tagged text (sentences joined by a space)."""
        return " ".join(self.sentences)


@dataclass
class DocumentAlignment:
    """Sentence pairs with indices into the flat sentence lists of both sides, the block
    pairs they came from, and the length model that was used."""

    pairs: list[AlignedPair]
    block_pairs: list[AlignedPair]
    model: LengthModel


# ---------------------------------------------------------------- anchors


def anchors(text: str, tags: dict[str, Tag] | None = None) -> frozenset[str]:
    """Tokens likely to appear unchanged in a translation: numbers, URLs, link targets,
    tag kinds, and names or acronyms (a capital letter not at the start of the sentence)."""
    plain = strip_tags(text)
    found: set[str] = set()
    for url in _URL_RE.findall(plain):
        found.add("u:" + url.lower().rstrip("/"))
    rest = _URL_RE.sub(" ", plain)
    for num in _NUMBER_RE.findall(rest):
        found.add("n:" + re.sub(r"[.,]", "", num))
    words = _WORD_RE.findall(rest)
    for i, word in enumerate(words):
        if len(word) < 2:
            continue
        if word.isupper() or (i > 0 and word[0].isupper() and len(word) >= 3):
            found.add("w:" + word)
    for tok in tokenize(text):
        if tok.kind in ("open", "standalone") and tags and tok.value in tags:
            tag = tags[tok.value]
            found.add("t:" + tag.kind)
            href = str(tag.data.get("href", "") or "")
            if href:
                found.add("u:" + href.lower().rstrip("/"))
    return frozenset(found)


def unit(text: str, tags: dict[str, Tag] | None = None) -> Unit:
    """A Unit from tagged text: plain length (white space collapsed) and anchors."""
    plain = " ".join(strip_tags(text).split())
    return Unit(len(plain), anchors(text, tags))


def shared_vocabulary(source: Iterable[Unit], target: Iterable[Unit]) -> frozenset[str]:
    """Anchor tokens that occur on both sides (others can never match, so they only add
    noise: German capitalises every noun)."""
    src: set[str] = set()
    tgt: set[str] = set()
    for u in source:
        src |= u.anchors
    for u in target:
        tgt |= u.anchors
    return frozenset(src & tgt)


def _restrict(units: Sequence[Unit], vocabulary: frozenset[str]) -> list[Unit]:
    """Keep numbers and URLs; keep words and tag kinds only if the other side has them
    too (German capitalises every noun; a text file has no footnote marks)."""
    return [Unit(u.length, frozenset(a for a in u.anchors
                                     if a.startswith(("n:", "u:")) or a in vocabulary))
            for u in units]


# ---------------------------------------------------------------- length model


def estimate_model(pairs: Iterable[tuple[int, int]], *, c: float | None = None) -> LengthModel:
    """Estimate c and s2 from (source length, target length) pairs believed to match."""
    items = [(s, t) for s, t in pairs if s > 0 and t > 0]
    if c is None:
        total_s = sum(s for s, _ in items)
        total_t = sum(t for _, t in items)
        c = total_t / total_s if total_s and total_t else 1.0
    if len(items) < 5:
        return LengthModel(c, DEFAULT_VARIANCE)
    residuals = sorted((t - c * s) ** 2 / s for s, t in items)
    # The median of a chi-square with one degree of freedom is 0.455: a robust estimate
    # that a few wrong pairs cannot blow up.
    s2 = residuals[len(residuals) // 2] / 0.455
    return LengthModel(c, min(MAX_VARIANCE, max(MIN_VARIANCE, s2)))


_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_P = 0.3275911


def _neg_log_erfc(x: np.ndarray) -> np.ndarray:
    """-log(erfc(x)) for x >= 0 (Abramowitz & Stegun 7.1.26, written in log form so
    that large deltas give large finite costs instead of log(0))."""
    t = 1.0 / (1.0 + _P * x)
    poly = t * (_A[0] + t * (_A[1] + t * (_A[2] + t * (_A[3] + t * _A[4]))))
    return x * x - np.log(poly)


def _delta(ls: np.ndarray | float, lt: np.ndarray, model: LengthModel) -> np.ndarray:
    mean = (ls + lt / model.c) / 2.0
    return (lt - ls * model.c) / np.sqrt(model.s2 * np.maximum(mean, 1.0))


def _length_cost(ls: np.ndarray | float, lt: np.ndarray, model: LengthModel) -> np.ndarray:
    """-log P(|delta| >= observed): 0 for a perfect length ratio, growing with delta."""
    d = np.abs(_delta(ls, lt, model))
    return _neg_log_erfc(d / math.sqrt(2.0))


def _length_score(ls: float, lt: float, model: LengthModel) -> float:
    d = float(_delta(ls, np.array([lt], dtype=float), model)[0])
    return math.exp(-d * d / 8.0)


# ---------------------------------------------------------------- the banded DP


def _shifted(row: np.ndarray, s: int) -> np.ndarray:
    """row moved left by s places (right for negative s), padded with inf."""
    w = len(row)
    out = np.full(w, np.inf)
    if 0 <= s < w:
        out[: w - s] = row[s:]
    elif -w < s < 0:
        out[-s:] = row[: w + s]
    return out


def _anchor_matrix(src: Sequence[Unit], tgt: Sequence[Unit], lo: np.ndarray, width: int,
                   a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shared, source side, target side) anchor counts of every bead of shape a-b ending
    at (i, lo[i] + c)."""
    n, m = len(src), len(tgt)
    na = np.concatenate([[0.0], [float(len(u.anchors)) for u in src]])
    nb = np.concatenate([[0.0], [float(len(u.anchors)) for u in tgt]])
    ca, cb = np.cumsum(na), np.cumsum(nb)
    rows = np.arange(n + 1)
    cols = lo[:, None] + np.arange(width)[None, :]
    cc = np.clip(cols, 0, m)
    ra = np.clip(rows - a, 0, n)
    side_s = np.broadcast_to((ca[rows] - ca[ra])[:, None], (n + 1, width))
    side_t = cb[cc] - cb[np.clip(cc - b, 0, m)]
    shared = np.zeros((n + 1, width))
    if a and b:
        index: dict[str, list[int]] = defaultdict(list)
        for j, u in enumerate(tgt):
            for x in u.anchors:
                index[x].append(j)
        ii: list[int] = []
        jj: list[int] = []
        for r, u in enumerate(src):
            hits: dict[int, int] = defaultdict(int)
            for x in u.anchors:
                for j in index.get(x, ()):
                    hits[j] += 1
            for j, k in hits.items():
                # every bead end (i, J) whose sources include r and targets include j
                for da in range(a):
                    for db in range(b):
                        ii.extend([r + 1 + da] * k)
                        jj.extend([j + 1 + db] * k)
        if ii:
            i_arr = np.array(ii)
            c_arr = np.array(jj) - lo[np.minimum(i_arr, n)]
            ok = (i_arr <= n) & (c_arr >= 0) & (c_arr < width)
            np.add.at(shared, (i_arr[ok], c_arr[ok]), 1.0)
    return shared, side_s, side_t


def align_units(
    source: Sequence[Unit],
    target: Sequence[Unit],
    model: LengthModel | None = None,
    *,
    extra_cost: Any = None,
    band: int | None = None,
) -> list[AlignedPair]:
    """Align two sequences of units by length and anchors (Gale-Church beads).

    extra_cost(i, a, b, cols) -> array adds a cost to the beads of shape a-b that end at
    source i and target columns cols (used for block types). Scores: see _bead_score.
    """
    n, m = len(source), len(target)
    if model is None:
        model = estimate_model([(sum(u.length for u in source), sum(u.length for u in target))])
    if n == 0 or m == 0:
        return ([AlignedPair((i,), (), 0.0) for i in range(n)]
                + [AlignedPair((), (j,), 0.0) for j in range(m)])
    vocabulary = shared_vocabulary(source, target)
    src = _restrict(source, vocabulary)
    tgt = _restrict(target, vocabulary)
    has_anchors = any(u.anchors for u in src) and any(u.anchors for u in tgt)
    ls = np.concatenate([[0.0], np.cumsum([u.length for u in src], dtype=float)])
    lt = np.concatenate([[0.0], np.cumsum([u.length for u in tgt], dtype=float)])
    if band is None:
        band = max(MIN_BAND, 2 * abs(n - m) + 20)
    half = min(band, max(n, m))
    width = 2 * half + 1
    rows = np.arange(n + 1)
    lo = np.rint(rows * m / n).astype(int) - half
    cols = lo[:, None] + np.arange(width)[None, :]  # target position of each cell
    inside = (cols >= 0) & (cols <= m)
    cc = np.clip(cols, 0, m)

    # Cost of every bead shape ending at every cell, computed at once.
    costs: dict[tuple[int, int], np.ndarray] = {}
    for a, b in MOVES:
        prior = -math.log(PRIORS[(a, b)])
        ok = inside & (cols - b >= 0) & (rows >= a)[:, None]
        if b == 0 or a == 0:
            cost = np.full((n + 1, width), prior)
            if has_anchors and SKIP_PENALTY:
                _sh, side_s, side_t = _anchor_matrix(src, tgt, lo, width, a, b)
                cost = cost + np.where(side_s + side_t > 0, SKIP_PENALTY, 0.0)
        else:
            seg_s = (ls - ls[np.clip(rows - a, 0, n)])[:, None]
            seg_t = lt[cc] - lt[np.clip(cc - b, 0, m)]
            cost = prior + _length_cost(seg_s, seg_t, model)
        if has_anchors and a and b:
            shared, side_s, side_t = _anchor_matrix(src, tgt, lo, width, a, b)
            most = np.maximum(side_s, side_t)
            sim = np.minimum(shared, most) / np.maximum(most, 1)
            cost = cost + np.where(most > 0, ANCHOR_WEIGHT * (0.5 - sim), 0.0)
        if extra_cost is not None:
            for i in range(a, n + 1):
                cost[i] = cost[i] + extra_cost(i, a, b, cc[i])
        costs[(a, b)] = np.where(ok, cost, np.inf)

    best_all = np.full((n + 1, width), np.inf)
    choice_all = np.full((n + 1, width), -1, dtype=np.int8)
    k01 = MOVES.index((0, 1))
    others = [(k, mv) for k, mv in enumerate(MOVES) if mv[0] > 0]
    c01_all = costs[(0, 1)]
    for i in range(n + 1):
        cands = np.full((len(MOVES), width), np.inf)
        if i == 0:
            cands[0] = np.where(cols[0] == 0, 0.0, np.inf)  # the start; never backtracked
        for k, (a, b) in others:
            if i >= a:
                cands[k] = _shifted(best_all[i - a], int(lo[i] - lo[i - a] - b)) + costs[(a, b)][i]
        choice = np.argmin(cands, axis=0).astype(np.int8)
        best = cands[choice, np.arange(width)]
        # 0-1 beads stay in the row: D[c] = min(X[c], D[c-1] + c01[c]) is a prefix minimum
        # of X[t] - csum[t], plus csum[c].
        # Only cells from target 0 (or the band's start) to target m take part: inside
        # that stretch every 0-1 bead has a finite cost, so no sentinel spoils the sums.
        first, last = max(0, int(-lo[i])), min(width - 1, int(m - lo[i]))
        if first < last:
            c01 = c01_all[i][first : last + 1].copy()
            c01[0] = 0.0
            csum = np.cumsum(c01)
            part = best[first : last + 1]
            scan = np.minimum.accumulate(part - csum) + csum
            scan[0] = part[0]
            via01 = np.zeros(width, dtype=bool)
            via01[first : last + 1] = scan < part - 1e-9
            best = best.copy()
            best[first : last + 1] = np.minimum(scan, part)
            choice = np.where(via01, k01, choice).astype(np.int8)
        best_all[i] = best
        choice_all[i] = choice
        if i == 0:
            choice_all[i][cols[0] == 0] = -1

    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        pos = j - lo[i]
        k = int(choice_all[i][pos]) if 0 <= pos < width else -1
        if k < 0 or not np.isfinite(best_all[i][pos]):
            if half < max(n, m):  # the band missed every path: widen it once
                return align_units(source, target, model, extra_cost=extra_cost,
                                   band=max(n, m))
            raise RuntimeError("alignment failed")  # pragma: no cover
        a, b = MOVES[k]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return [
        AlignedPair(tuple(range(i0, i1)), tuple(range(j0, j1)),
                    _bead_score(src[i0:i1], tgt[j0:j1], model))
        for i0, i1, j0, j1 in beads
    ]


def _bead_score(src: Sequence[Unit], tgt: Sequence[Unit], model: LengthModel) -> float:
    """0 for 1-0 and 0-1; else a length agreement (1 for the expected ratio, about .6 at
    two standard deviations) times an anchor agreement, slightly lower for merges."""
    if not src or not tgt:
        return 0.0
    s = sum(u.length for u in src)
    t = sum(u.length for u in tgt)
    score = _length_score(s, t, model)
    a_src: set[str] = set().union(*(u.anchors for u in src))
    a_tgt: set[str] = set().union(*(u.anchors for u in tgt))
    if a_src or a_tgt:
        score *= 0.5 + 0.5 * len(a_src & a_tgt) / max(len(a_src), len(a_tgt))
    if len(src) > 1 or len(tgt) > 1:
        score *= 0.9
    return round(score, 3)


def align_sentences(
    source: Sequence[str | Unit],
    target: Sequence[str | Unit],
    model: LengthModel | None = None,
) -> list[AlignedPair]:
    """Gale-Church alignment of two sentence lists (tagged strings or Units)."""
    src = [u if isinstance(u, Unit) else unit(u) for u in source]
    tgt = [u if isinstance(u, Unit) else unit(u) for u in target]
    return align_units(src, tgt, model)


# ---------------------------------------------------------------- blocks


def block_class(block_type: str) -> str:
    """Block types that may be paired with each other share a class."""
    if block_type in ("heading", "title"):
        return "heading"
    if block_type == "list_item":
        return "list"
    if block_type == "table_cell":
        return "cell"
    if block_type in ("footnote", "endnote"):
        return "note"
    if block_type in ("header", "footer"):
        return block_type
    return "text"  # paragraph, quote, caption, text box, message


def normal_numbering(numbering: str | None) -> str | None:
    """"I." / "(a)" / "1)" as a comparable label; None for bullets and nothing."""
    if not numbering:
        return None
    label = numbering.strip()
    if not label or all(ch in _BULLETS for ch in label):
        return None
    label = label.strip("().[]: ").lower()
    return label or None


def _signature(block: AlignBlock) -> tuple[Any, ...] | None:
    """A structural key that a translated block keeps; None for plain paragraphs."""
    cls = block_class(block.type)
    if cls == "heading":
        return ("h", block.type, block.level)
    if cls == "list" and normal_numbering(block.numbering):
        return ("n", block.level, normal_numbering(block.numbering))
    if cls == "note":
        return ("f", normal_numbering(block.numbering) or block.attrs.get("note"))
    if cls == "cell" and "row" in block.attrs:
        return ("t", block.attrs.get("table"), block.attrs.get("row"), block.attrs.get("col"))
    return None


def _block_units(blocks: Sequence[AlignBlock]) -> list[Unit]:
    out = []
    for b in blocks:
        u = [unit(s, b.tags) for s in b.sentences]
        out.append(Unit(sum(x.length for x in u) + max(0, len(u) - 1),
                        frozenset().union(*(x.anchors for x in u)) if u else frozenset()))
    return out


def _plausible(s: Unit, t: Unit, model: LengthModel, limit: float = 6.0) -> bool:
    if s.length < 40 and t.length < 40:
        return True
    return abs(float(_delta(s.length, np.array([float(t.length)]), model)[0])) < limit


def structural_anchors(source: Sequence[AlignBlock], target: Sequence[AlignBlock],
                       su: Sequence[Unit], tu: Sequence[Unit], model: LengthModel
                       ) -> list[tuple[int, int]]:
    """Block index pairs matched by structure (in order), checked for plausible lengths."""
    s_idx = [i for i, b in enumerate(source) if _signature(b) is not None]
    t_idx = [j for j, b in enumerate(target) if _signature(b) is not None]
    s_sig = [_signature(source[i]) for i in s_idx]
    t_sig = [_signature(target[j]) for j in t_idx]
    matcher = SequenceMatcher(None, s_sig, t_sig, autojunk=False)
    candidates = [(s_idx[blk.a + k], t_idx[blk.b + k])
                  for blk in matcher.get_matching_blocks() for k in range(blk.size)]
    # A dropped heading makes the matcher pair every later heading with the next one; the
    # text between two anchors must then be of plausible length too, or the anchor goes.
    s_cum = np.concatenate([[0], np.cumsum([u.length for u in su])])
    t_cum = np.concatenate([[0], np.cumsum([u.length for u in tu])])
    candidates = [(i, j) for i, j in candidates if _plausible(su[i], tu[j], model)]

    def fits(a: tuple[int, int], b: tuple[int, int]) -> bool:
        """Is the text between anchors a and b of plausible length on both sides?"""
        stretch = Unit(int(s_cum[b[0]] - s_cum[a[0] + 1]))
        t_stretch = Unit(int(t_cum[b[1]] - t_cum[a[1] + 1]))
        return _plausible(stretch, t_stretch, model, limit=4.0)

    out: list[tuple[int, int]] = []
    prev = (-1, -1)
    for k, cand in enumerate(candidates):
        if fits(prev, cand):
            out.append(cand)
            prev = cand
            continue
        # After a long passage left out (or added), anchors agree with each other again:
        # re-synchronise when this one fits both its neighbours.
        before = candidates[k - 1] if k else None
        after = candidates[k + 1] if k + 1 < len(candidates) else None
        if before and after and fits(before, cand) and fits(cand, after):
            out.append(cand)
            prev = cand
    return out


def _type_cost(source: Sequence[AlignBlock], target: Sequence[AlignBlock], i0: int, j0: int):  # type: ignore[no-untyped-def]
    """An extra_cost function for align_units over a stretch starting at (i0, j0): a
    penalty for beads that mix block kinds, a bonus or penalty for list numbering."""
    classes: dict[str, int] = {}
    labels: dict[str, int] = {}
    s_cls = np.array([classes.setdefault(block_class(b.type), len(classes)) for b in source])
    t_cls = np.array([classes.setdefault(block_class(b.type), len(classes)) for b in target])

    def label(b: AlignBlock) -> int:
        num = normal_numbering(b.numbering)
        return -1 if num is None else labels.setdefault(num, len(labels))

    s_num = np.array([label(b) for b in source])
    t_num = np.array([label(b) for b in target])

    def cost(i: int, a: int, b: int, cols: np.ndarray) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(len(cols))
        ref = s_cls[i0 + i - 1]
        tj = np.clip(j0 + cols - 1, 0, len(target) - 1)
        mixed = t_cls[tj] != ref
        if a == 2:
            mixed |= s_cls[i0 + i - 2] != ref
        if b == 2:
            mixed |= t_cls[np.clip(tj - 1, 0, len(target) - 1)] != ref
        out = np.where(mixed, TYPE_MISMATCH, 0.0)
        if a == 1 and b == 1:
            sn, tn = s_num[i0 + i - 1], t_num[tj]
            both = (sn >= 0) & (tn >= 0)
            out = out + np.where(both, np.where(sn == tn, -NUMBERING_MATCH,
                                                NUMBERING_MISMATCH), 0.0)
        return out

    return cost


def pair_blocks(source: Sequence[AlignBlock], target: Sequence[AlignBlock],
                model: LengthModel | None = None) -> list[AlignedPair]:
    """Pair blocks: structural anchors first, then length within the stretches between
    them, then a rescue pass for blocks that moved. Indices are block indices."""
    su, tu = _block_units(source), _block_units(target)
    if model is None:
        model = estimate_model([(sum(u.length for u in su), sum(u.length for u in tu))])
    fixed = structural_anchors(source, target, su, tu, model)
    pairs: list[AlignedPair] = []
    prev_i, prev_j = 0, 0
    for i, j in [*fixed, (len(source), len(target))]:
        if i < prev_i or j < prev_j:
            continue
        s_part, t_part = source[prev_i:i], target[prev_j:j]
        if s_part or t_part:
            beads = align_units(su[prev_i:i], tu[prev_j:j], model,
                                extra_cost=_type_cost(source, target, prev_i, prev_j)
                                if s_part and t_part else None)
            for p in beads:
                pairs.append(AlignedPair(tuple(prev_i + x for x in p.source_indices),
                                         tuple(prev_j + y for y in p.target_indices), p.score))
        if i < len(source) and j < len(target):
            pairs.append(AlignedPair((i,), (j,), _bead_score([su[i]], [tu[j]], model)))
        prev_i, prev_j = i + 1, j + 1
    return _rescue(_adjacent(pairs, source, target, su, tu, model), source, target, su, tu,
                   model)


def _adjacent(pairs: list[AlignedPair], source: Sequence[AlignBlock],
              target: Sequence[AlignBlock], su: Sequence[Unit], tu: Sequence[Unit],
              model: LengthModel) -> list[AlignedPair]:
    """A lone heading, list item, cell or note next to a lone block of the same kind on
    the other side is one pair whose lengths disagree (a sentence added or left out)."""
    out: list[AlignedPair] = []
    k = 0
    while k < len(pairs):
        p = pairs[k]
        q = pairs[k + 1] if k + 1 < len(pairs) else None
        if q is not None and p.kind in ("1-0", "0-1") and q.kind in ("1-0", "0-1") \
                and p.kind != q.kind:
            i = (p.source_indices or q.source_indices)[0]
            j = (p.target_indices or q.target_indices)[0]
            cls = block_class(source[i].type)
            if cls != "text" and cls == block_class(target[j].type):
                out.append(AlignedPair((i,), (j,), _bead_score([su[i]], [tu[j]], model)))
                k += 2
                continue
        out.append(p)
        k += 1
    return out


def _rescue(pairs: list[AlignedPair], source: Sequence[AlignBlock],
            target: Sequence[AlignBlock], su: Sequence[Unit], tu: Sequence[Unit],
            model: LengthModel) -> list[AlignedPair]:
    """Pair a lone source block with a lone target block elsewhere (a moved paragraph)
    when kind, length and anchors agree well; the pair takes the source block's place."""
    lone_s = [p.source_indices[0] for p in pairs if not p.target_indices]
    lone_t = [p.target_indices[0] for p in pairs if not p.source_indices]
    if not lone_s or not lone_t or len(lone_s) * len(lone_t) > RESCUE_LIMIT:
        return pairs  # (an unrelated file would make this quadratic search slow)
    candidates = []
    for i in lone_s:
        for j in lone_t:
            if block_class(source[i].type) != block_class(target[j].type):
                continue
            if len(source[i].sentences) != len(target[j].sentences):
                continue
            score = _bead_score([su[i]], [tu[j]], model)
            if su[i].length >= 60 and score >= 0.75:
                candidates.append((score, i, j))
    candidates.sort(reverse=True)
    used_s: dict[int, tuple[int, float]] = {}
    used_t: set[int] = set()
    for score, i, j in candidates:
        if i in used_s or j in used_t:
            continue
        used_s[i] = (j, score)
        used_t.add(j)
    out = []
    for p in pairs:
        if not p.target_indices and p.source_indices[0] in used_s:
            j, score = used_s[p.source_indices[0]]
            out.append(AlignedPair(p.source_indices, (j,), round(score * 0.9, 3)))
        elif not p.source_indices and p.target_indices[0] in used_t:
            continue
        else:
            out.append(p)
    return out


def align_document(source: Sequence[AlignBlock], target: Sequence[AlignBlock]
                   ) -> DocumentAlignment:
    """Pair blocks, then align sentences inside each block pair. Sentence indices count
    through all sentences of each side in block order."""
    su_blocks, tu_blocks = _block_units(source), _block_units(target)
    c_model = estimate_model([(sum(u.length for u in su_blocks),
                               sum(u.length for u in tu_blocks))])
    block_pairs = pair_blocks(source, target, c_model)
    model = estimate_model(
        [(su_blocks[p.source_indices[0]].length, tu_blocks[p.target_indices[0]].length)
         for p in block_pairs if p.kind == "1-1"],
        c=c_model.c,
    )
    if model.s2 != c_model.s2:
        block_pairs = pair_blocks(source, target, model)
    s_start = _starts(source)
    t_start = _starts(target)
    pairs: list[AlignedPair] = []
    for bp in block_pairs:
        s_units = [(s_start[b] + k, unit(text, source[b].tags))
                   for b in bp.source_indices for k, text in enumerate(source[b].sentences)]
        t_units = [(t_start[b] + k, unit(text, target[b].tags))
                   for b in bp.target_indices for k, text in enumerate(target[b].sentences)]
        for p in align_units([u for _, u in s_units], [u for _, u in t_units], model):
            pairs.append(AlignedPair(tuple(s_units[x][0] for x in p.source_indices),
                                     tuple(t_units[y][0] for y in p.target_indices), p.score))
    pairs.sort(key=lambda p: (p.source_indices[0] if p.source_indices else _after(p, pairs)))
    return DocumentAlignment(pairs, block_pairs, model)


def _starts(blocks: Sequence[AlignBlock]) -> list[int]:
    out, n = [], 0
    for b in blocks:
        out.append(n)
        n += len(b.sentences)
    return out


def _after(pair: AlignedPair, pairs: Sequence[AlignedPair]) -> float:
    """Sort key of a target-only pair: just after the source sentence whose pair holds the
    previous target sentence (keeps inserted sentences where the translation has them)."""
    j = pair.target_indices[0]
    best = -1.0
    for p in pairs:
        if p.source_indices and p.target_indices and p.target_indices[-1] < j:
            best = max(best, p.source_indices[-1] + 0.5)
    return best


# ---------------------------------------------------------------- tags


def map_tags(target: str, target_tags: dict[str, Tag], source_texts: Sequence[str],
             source_tags: dict[str, Tag]) -> str:
    """Renumber the target's tags into the source's ids, matching tags of the same kind in
    order of appearance; target tags with no counterpart are dropped (their text stays)."""
    pool: dict[str, list[str]] = defaultdict(list)
    for text in source_texts:
        for tok in tokenize(text):
            if tok.kind in ("open", "standalone"):
                tag = source_tags.get(tok.value)
                kind = (tag.kind if tag else "?") + ("/" if tok.kind == "standalone" else "")
                if tok.value not in pool[kind]:
                    pool[kind].append(tok.value)
    mapping: dict[str, str | None] = {}
    out: list[str] = []
    for tok in tokenize(target):
        if tok.kind == "text":
            out.append(tok.value)
            continue
        if tok.kind in ("open", "standalone"):
            tag = target_tags.get(tok.value)
            kind = (tag.kind if tag else "?") + ("/" if tok.kind == "standalone" else "")
            if tok.value not in mapping:
                mapping[tok.value] = pool[kind].pop(0) if pool.get(kind) else None
            new = mapping[tok.value]
            if new is not None:
                out.append(f"<{new}/>" if tok.kind == "standalone" else f"<{new}>")
        else:  # close
            new = mapping.get(tok.value)
            if new is not None:
                out.append(f"</{new}>")
    return "".join(out)


def split_proportionally(text: str, weights: Sequence[int]) -> list[str]:
    """Cut a plain or tagged text into len(weights) pieces near the proportional points,
    preferring a cut after punctuation, then at a space; pieces are stripped."""
    from tms.inline import split_at

    if len(weights) <= 1:
        return [text.strip()]
    plain = strip_tags(text)
    total = sum(max(1, w) for w in weights)
    cuts: list[int] = []
    acc = 0
    for w in weights[:-1]:
        acc += max(1, w)
        target = round(len(plain) * acc / total)
        cuts.append(_best_cut(plain, target, cuts[-1] if cuts else 0))
    pieces = split_at(text, cuts) if plain else [text]
    while len(pieces) < len(weights):
        pieces.append("")
    if len(pieces) > len(weights):
        pieces = [*pieces[: len(weights) - 1], " ".join(pieces[len(weights) - 1:])]
    return [_tidy(p) for p in pieces]


_LEAD_RE = re.compile(r"^\s*((?:<\d{1,4}>)*)\s+")
_TRAIL_RE = re.compile(r"\s+((?:</\d{1,4}>)*)\s*$")


def _tidy(piece: str) -> str:
    """Strip white space at both ends, also just inside leading and trailing tags."""
    return _TRAIL_RE.sub(r"\1", _LEAD_RE.sub(r"\1", piece)).strip()


def _best_cut(plain: str, target: int, floor: int) -> int:
    window = max(10, len(plain) // 6)
    best, best_cost = None, math.inf
    for pos in range(max(floor + 1, target - window), min(len(plain), target + window)):
        if plain[pos - 1 : pos] == " " or (pos < len(plain) and plain[pos] == " "):
            before = plain[:pos].rstrip()
            cost = abs(pos - target) - (window if before.endswith((",", ";", ":", "—")) else 0)
            if cost < best_cost:
                best, best_cost = pos, cost
    if best is None:
        return max(floor + 1, min(len(plain) - 1, target))
    return best


def pair_score(source: Sequence[str], target: Sequence[str], model: LengthModel) -> float:
    """The score (0..1) of source sentences paired with target sentences (tagged texts)."""
    src = [unit(s) for s in source]
    tgt = [unit(t) for t in target]
    vocabulary = shared_vocabulary(src, tgt)
    return _bead_score(_restrict(src, vocabulary), _restrict(tgt, vocabulary), model)
