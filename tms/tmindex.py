"""An in-memory inverted index that finds translation-memory candidates fast.

Plain Python and numpy, no database: tms.services.memory keeps one index per language
pair in each worker process and feeds it the rows that changed since its last look.

How a lookup works: the query is cut into tokens (the first five letters of each word,
case-folded, so "rights"/"right" and "organisation"/"organization" meet); each token's
posting list (the units containing it) is read as a numpy view of one sorted array; the
lists are concatenated and counted with bincount; candidates are ranked by the Dice
coefficient of shared tokens, limited to the length window that a match above the threshold
allows, and the best few hundred are scored exactly with rapidfuzz's Levenshtein ratio.
The final score is exact; only which units get scored is heuristic, and the benchmark
measures its recall against an exhaustive scan.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

_WORD = re.compile(r"\w+", re.UNICODE)
PREFIX = 5
SHORT = 40  # characters: below this a query gets short_candidates
SHORT_UNIT = 70  # characters: units shorter than this also go into the trigram index
# A query shorter than this whose best hit scores under SURE gets a second, wider trigram
# pass (WIDEN times the postings budget and candidates): a short query's best unit may
# share few trigrams with it, and a weak first hit says a better one may exist. Queries
# with no hit at all (new sentences) and long ones do not pay for it.
SECOND_PASS = 60
SURE = 75
WIDEN = 4


def tokens(plain: str) -> set[str]:
    """Distinct index tokens of a plain text."""
    return {w[:PREFIX] for w in _WORD.findall(plain.casefold())}


def trigrams(plain: str) -> set[str]:
    """Distinct character trigrams of a case-folded, space-padded text."""
    padded = f" {plain.casefold()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def length_window(length: int, threshold: int) -> tuple[int, int]:
    """Lengths a string may have to reach `threshold` ratio against one of `length`.

    ratio = 100 * (1 - indel / (a + b)) and indel >= |a - b|, so b/a is bounded.
    """
    r = max(threshold, 1) / 100
    return int(length * r / (2 - r)), int(length * (2 - r) / r) + 1


class TextStore:
    """Texts by slot in two flat buffers (UTF-8 bytes and offsets), not one Python string
    each: reading a text writes nothing to the shared pages, so workers forked after the
    index is built keep sharing it (a list of strings is copied page by page as reference
    counts change)."""

    def __init__(self) -> None:
        self._bytes = bytearray()
        self._start = array("q")
        self._size = array("l")

    def __len__(self) -> int:
        return len(self._start)

    def append(self, text: str) -> None:
        """Store the text of the next slot."""
        data = text.encode("utf-8")
        self._start.append(len(self._bytes))
        self._size.append(len(data))
        self._bytes += data

    def replace(self, slot: int, text: str) -> None:
        """Give a slot a new text (the old bytes stay, unreferenced: changes are rare)."""
        data = text.encode("utf-8")
        self._start[slot] = len(self._bytes)
        self._size[slot] = len(data)
        self._bytes += data

    def __getitem__(self, slot: int) -> str:
        start = self._start[slot]
        return self._bytes[start : start + self._size[slot]].decode("utf-8")


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored candidate: the unit id and its exact ratio."""

    unit_id: int
    score: float


class MemoryIndex:
    """Token postings for one language pair, with cheap appends and periodic compaction."""

    def __init__(
        self,
        candidates: int = 200,
        posting_budget: int = 20_000,
        min_tokens: int = 3,
        budget_share: float = 0.05,
        short_candidates: int = 3000,
        short_scan: int = 10_000,
    ) -> None:
        self.candidates = candidates
        self.short_candidates = short_candidates
        # a short query is compared with every unit of a possible length, up to this many:
        # its fuzzy matches may share no word with it, which a word index cannot see
        self.short_scan = short_scan
        self._tokens = tokens
        # Short units also go into a character-trigram index: a short query's fuzzy matches
        # may share no word with it ("Co co jasebo naboda." / "Co coja bo roda.").
        self._short: MemoryIndex | None = None
        self.posting_budget = posting_budget
        # the budget grows with the index: a share of its units (see search())
        self.budget_share = budget_share
        self.min_tokens = min_tokens
        self._lock = threading.Lock()
        self._vocab: dict[str, int] = {}
        self._unit_ids = array("q")  # slot -> unit id
        self._plains = TextStore()  # slot -> current plain text
        self._slot_of: dict[int, int] = {}  # unit id -> slot
        self._lengths = np.zeros(0, dtype=np.int32)
        self._ntok = np.zeros(0, dtype=np.int32)
        # Compacted postings (CSR): slots of token t are _post[_off[t]:_off[t + 1]].
        self._off = np.zeros(1, dtype=np.int64)
        self._post = np.zeros(0, dtype=np.int32)
        # Recent additions, not yet compacted: token id -> list of slots.
        self._delta: dict[int, list[int]] = {}
        self._delta_size = 0
        self._by_len = np.zeros(0, dtype=np.int32)
        self._by_len_lengths = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self._slot_of)

    @classmethod
    def _trigram_index(cls) -> MemoryIndex:
        index = cls(candidates=3000, short_scan=0)
        index._tokens = trigrams
        return index

    def add_many(self, rows: Iterable[tuple[int, str]]) -> None:
        """Add or replace units given as (unit id, plain source)."""
        if self._tokens is tokens:
            rows = list(rows)
            short = [(uid, plain) for uid, plain in rows if len(plain) < SHORT_UNIT]
            if short:
                if self._short is None:
                    self._short = self._trigram_index()
                self._short.add_many(short)
        with self._lock:
            lengths: list[int] = []
            ntok: list[int] = []
            pairs_tok: list[int] = []
            pairs_slot: list[int] = []
            vocab = self._vocab
            for unit_id, plain in rows:
                slot = self._slot_of.get(unit_id)
                toks = self._tokens(plain)
                if slot is not None:
                    if self._plains[slot] == plain:
                        continue
                    # Source changed in place: old postings still point here, but scoring
                    # reads the current text, so they only cost a wasted candidate.
                    self._plains.replace(slot, plain)
                    self._set_slot_stats(slot, len(plain), len(toks))
                else:
                    slot = len(self._unit_ids)
                    self._unit_ids.append(unit_id)
                    self._plains.append(plain)
                    self._slot_of[unit_id] = slot
                    lengths.append(len(plain))
                    ntok.append(len(toks))
                # len(vocab) is read before each setdefault, so a new token gets the next id
                tids = [vocab.setdefault(tok, len(vocab)) for tok in toks]
                pairs_tok.extend(tids)
                pairs_slot.extend([slot] * len(tids))
            if lengths:
                self._lengths = np.concatenate([self._lengths, np.array(lengths, np.int32)])
                self._ntok = np.concatenate([self._ntok, np.array(ntok, np.int32)])
            if len(pairs_tok) > max(50_000, len(self._post) // 10):
                self._compact(np.array(pairs_tok, np.int64), np.array(pairs_slot, np.int32))
            else:
                for tid, slot in zip(pairs_tok, pairs_slot, strict=True):
                    self._delta.setdefault(tid, []).append(slot)
                self._delta_size += len(pairs_tok)
                if self._delta_size > max(50_000, len(self._post) // 10):
                    self._compact(np.zeros(0, np.int64), np.zeros(0, np.int32))

    def _compact_now(self) -> None:
        """Fold the delta into the CSR arrays now (tests and benchmarks)."""
        with self._lock:
            self._compact(np.zeros(0, np.int64), np.zeros(0, np.int32))

    def _set_slot_stats(self, slot: int, length: int, ntok: int) -> None:
        self._lengths[slot] = length
        self._ntok[slot] = ntok

    def _compact(self, new_tok: np.ndarray, new_slot: np.ndarray) -> None:
        """Merge the delta and a batch of new pairs into the CSR arrays."""
        old_counts = np.diff(self._off)
        old_tok = np.repeat(np.arange(len(old_counts), dtype=np.int64), old_counts)
        d_tok = np.fromiter(
            (t for t, slots in self._delta.items() for _ in slots), np.int64, self._delta_size
        )
        d_slot = np.fromiter(
            (s for slots in self._delta.values() for s in slots), np.int32, self._delta_size
        )
        all_tok = np.concatenate([old_tok, d_tok, new_tok])
        all_slot = np.concatenate([self._post, d_slot, new_slot])
        order = np.argsort(all_tok, kind="stable")
        self._post = all_slot[order]
        counts = np.bincount(all_tok, minlength=len(self._vocab))
        self._off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._delta = {}
        self._delta_size = 0
        # Slots by length, for the exhaustive pass of short queries (see search()).
        self._by_len = np.argsort(self._lengths, kind="stable").astype(np.int32)
        self._by_len_lengths = self._lengths[self._by_len]

    def _short_window(self, low: int, high: int) -> np.ndarray | None:
        """Every slot whose length is in [low, high], or None if there are too many."""
        start, stop = np.searchsorted(self._by_len_lengths, [low, high + 1])
        recent = np.arange(len(self._by_len), len(self._unit_ids), dtype=np.int32)
        if stop - start + len(recent) > self.short_scan:
            return None
        return np.concatenate([self._by_len[start:stop], recent])

    def _postings(self, tid: int) -> list[np.ndarray]:
        parts = []
        if tid < len(self._off) - 1:
            parts.append(self._post[self._off[tid] : self._off[tid + 1]])
        extra = self._delta.get(tid)
        if extra:
            parts.append(np.array(extra, np.int32))
        return parts

    def _df(self, tid: int) -> int:
        compact = int(self._off[tid + 1] - self._off[tid]) if tid < len(self._off) - 1 else 0
        return compact + len(self._delta.get(tid, ()))

    def search(self, plain: str, *, threshold: int, limit: int, widen: int = 1) -> list[Hit]:
        """Units whose plain text has ratio >= threshold with `plain`, best first (`widen`
        multiplies the postings budget and the candidates scored)."""
        if not plain or not self._unit_ids:
            return []
        with self._lock:
            query_tokens = sorted(
                (self._vocab[t] for t in self._tokens(plain) if t in self._vocab), key=self._df
            )
            low, high = length_window(len(plain), threshold)
            if len(plain) < SHORT:
                window = self._short_window(low, high) if self.short_scan else None
                if window is not None:
                    return self._score(plain, window, threshold, limit)
                if self._short is not None:
                    by_trigram = self._short.search(plain, threshold=threshold, limit=limit)
                    by_word = self._search_words(plain, query_tokens, low, high, threshold, limit)
                    return self._second_pass(plain, _merge(by_word, by_trigram, limit),
                                             threshold, limit)
            hits = self._search_words(plain, query_tokens, low, high, threshold, limit, widen)
            return self._second_pass(plain, hits, threshold, limit)

    def _second_pass(self, plain: str, hits: list[Hit], threshold: int,
                     limit: int) -> list[Hit]:
        """Hits, with those of a wider trigram search for a short query whose best hit is
        weak (see SECOND_PASS); measured: recall at 1M pseudo-language units 0.99 -> 0.996,
        short queries with a weak hit about 1.4x the time (docs/performance.md)."""
        if (self._short is None or len(plain) >= SECOND_PASS or not hits
                or hits[0].score >= SURE):
            return hits
        wider = self._short.search(plain, threshold=threshold, limit=limit, widen=WIDEN)
        return _merge(hits, wider, limit)

    def _search_words(self, plain: str, query_tokens: list[int], low: int, high: int,
                      threshold: int, limit: int, widen: int = 1) -> list[Hit]:
        """The token-postings search (lock held by the caller)."""
        if not query_tokens:
            return []
        # Rarest tokens first, until a budget of postings: the very common words ("the",
        # "de") would cost most of the time and barely change which units rank first.
        budget = widen * max(self.posting_budget, int(len(self._unit_ids) * self.budget_share))
        lists: list[np.ndarray] = []
        used = 0
        for n, tid in enumerate(query_tokens):
            df = self._df(tid)
            if n >= self.min_tokens and used + df > budget:
                break
            lists.extend(self._postings(tid))
            used += df
        postings = np.concatenate(lists)
        if len(postings) * 8 > len(self._unit_ids):
            # Dense: counting into an array of all slots is linear, sorting is not.
            all_counts = np.bincount(postings)
            slots = np.flatnonzero(all_counts)
            counts = all_counts[slots]
        else:
            slots, counts = np.unique(postings, return_counts=True)
        lens = self._lengths[slots]
        keep = (lens >= low) & (lens <= high)
        slots, counts = slots[keep], counts[keep]
        if not len(slots):
            return []
        lens = lens[keep]
        # Dice of shared tokens; among equals, lengths closer to the query's rank first.
        dice = counts / (len(query_tokens) + self._ntok[slots]) - np.abs(
            lens - len(plain)
        ) / (1000.0 * (len(plain) + 1))
        # A short query matches short units that may share only one common word with it
        # ("Co co jasebo naboda." / "Co co bo da."): score many more of them, cheaply.
        wanted = self.candidates * widen if len(plain) >= SHORT else self.short_candidates
        if len(slots) > wanted:
            top = np.argpartition(-dice, wanted)[:wanted]
            slots = slots[top]
        return self._score(plain, slots, threshold, limit)

    def _score(self, plain: str, slots: np.ndarray, threshold: int, limit: int) -> list[Hit]:
        """Exact ratios of the candidate slots, best first (lock held by the caller)."""
        chosen = slots.tolist()
        plains = self._plains
        # one call scores every candidate in C (a Python loop cost more than the scoring)
        scored = process.extract(plain, [plains[slot] for slot in chosen],
                                 scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
        hits = [Hit(self._unit_ids[chosen[i]], score) for _, score, i in scored]
        hits.sort(key=lambda h: -h.score)
        return hits[: max(limit * 4, limit)]


def _merge(first: list[Hit], second: list[Hit], limit: int) -> list[Hit]:
    """Both lists' hits, each unit once, best first, as many as search() returns."""
    best = {h.unit_id: h for h in first}
    best.update({h.unit_id: h for h in second})
    return sorted(best.values(), key=lambda h: -h.score)[: max(limit * 4, limit)]
