"""The in-memory token index: add/replace/search, recall against an exhaustive scan,
delta postings and compaction."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz

from tms.tmindex import MemoryIndex, TextStore, length_window, tokens

WORDS = [
    "rights", "workers", "health", "safety", "police", "law", "housing", "migrant", "violence",
    "justice", "labour", "freedom", "privacy", "union", "protection", "access", "services",
    "support", "community", "decision", "criminal", "evidence", "respect", "dignity", "network",
    "income", "stigma",
]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 18))) + "."


def _edit(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(words))
        if rng.random() < 0.5:
            words[i] = rng.choice(WORDS)
        else:
            words.insert(i, rng.choice(WORDS))
    return " ".join(words)


def _exhaustive(plains: dict[int, str], query: str, threshold: int) -> dict[int, float]:
    scores = {uid: fuzz.ratio(query, p) for uid, p in plains.items()}
    return {uid: s for uid, s in scores.items() if s >= threshold}


def test_tokens_fold_case_and_cut_prefixes():
    assert tokens("Organisation ORGANIZATIONS rights Right") == {"organ", "right"}
    assert tokens("") == set()


@pytest.mark.parametrize("length,threshold", [(10, 60), (80, 75), (200, 90), (1, 1)])
def test_length_window_contains_every_reachable_length(length, threshold):
    low, high = length_window(length, threshold)
    a = "a" * length
    for b in range(0, 3 * length + 3):
        if fuzz.ratio(a, "a" * b) >= threshold:
            assert low <= b <= high


def test_add_search_and_replace():
    index = MemoryIndex()
    index.add_many([(1, "Sex workers have the right to health care."), (2, "Nothing alike here.")])
    hits = index.search("Sex workers have the right to good health care.", threshold=60, limit=5)
    assert [h.unit_id for h in hits] == [1]
    assert hits[0].score == pytest.approx(
        fuzz.ratio("Sex workers have the right to good health care.",
                   "Sex workers have the right to health care.")
    )
    # replacing unit 1's text: the old text no longer matches, the new one does
    index.add_many([(1, "Completely different words now.")])
    assert len(index) == 2
    assert index.search("Sex workers have the right to health care.", threshold=60, limit=5) == []
    assert [h.unit_id for h in index.search("Completely different words now.", threshold=60,
                                            limit=5)] == [1]


def test_empty_index_and_query():
    index = MemoryIndex()
    assert index.search("anything", threshold=60, limit=5) == []
    index.add_many([(1, "some text here")])
    assert index.search("", threshold=60, limit=5) == []
    assert index.search("zzzz qqqq", threshold=60, limit=5) == []


def test_recall_against_exhaustive_scan():
    rng = random.Random(3)
    plains = {i: _sentence(rng) for i in range(1, 3001)}
    index = MemoryIndex()
    index.add_many(plains.items())
    wanted = found = 0
    for _ in range(60):
        query = _edit(rng, plains[rng.randrange(1, 3001)])
        expected = _exhaustive(plains, query, 75)
        got = {h.unit_id for h in index.search(query, threshold=75, limit=1000)}
        wanted += len(expected)
        found += len(set(expected) & got)
        # every hit is a true hit with its exact score
        for h in index.search(query, threshold=75, limit=1000):
            assert h.score == pytest.approx(fuzz.ratio(query, plains[h.unit_id]))
    assert wanted > 60
    assert found / wanted >= 0.99


def test_delta_and_compaction_give_the_same_results():
    rng = random.Random(5)
    plains = {i: _sentence(rng) for i in range(1, 1201)}
    bulk = MemoryIndex()
    bulk.add_many(plains.items())  # one batch
    trickle = MemoryIndex()
    for uid, text in plains.items():  # one unit at a time: postings go to the delta
        trickle.add_many([(uid, text)])
    assert trickle._delta_size > 0 or len(trickle._post) > 0
    queries = [_edit(rng, plains[rng.randrange(1, 1201)]) for _ in range(30)]

    def results(index: MemoryIndex) -> list[list[tuple[int, float]]]:
        return [sorted((h.unit_id, h.score) for h in index.search(q, threshold=70, limit=1000))
                for q in queries]

    before = results(trickle)
    assert before == results(bulk)
    trickle._compact_now()
    assert trickle._delta_size == 0
    assert results(trickle) == before
    # more additions after compaction land in a new delta and are found too
    trickle.add_many([(5000, "A brand new sentence about housing rights.")])
    assert [h.unit_id for h in trickle.search("A brand new sentence about housing rights.",
                                              threshold=90, limit=5)] == [5000]


def test_large_batch_compacts_directly():
    rng = random.Random(9)
    index = MemoryIndex()
    index.add_many((i, _sentence(rng)) for i in range(1, 8001))
    assert index._delta_size == 0
    assert int(index._off[-1]) == len(index._post) > 0


def test_memory_index_follows_rows_written_by_another_process(session, monkeypatch):
    """Units inserted or changed behind this process's back are found after FRESH_SECONDS."""
    from datetime import timedelta

    from sqlalchemy import insert, update

    from tms.models import MemoryUnit, utcnow
    from tms.services import memory

    monkeypatch.setattr(memory, "FRESH_SECONDS", 0.0)

    def lookup(text: str) -> list[str]:
        return [m.target for m in memory.lookup(session, text, source_language="en",
                                                target_language="fr", threshold=90)]

    memory.remember(session, source="The first sentence here.", target="un",
                    source_language="en", target_language="fr", origin="t")
    assert lookup("The first sentence here.") == ["un"]

    def row(source: str, target: str) -> dict:
        plain = memory.normalise(source)
        return {"source_language": "en", "target_language": "fr", "source": source,
                "target": target, "source_plain": plain, "source_hash": memory.source_hash(plain),
                "source_length": len(plain), "origin": "other", "approved": True,
                "created_at": utcnow(), "updated_at": utcnow()}

    # another worker adds a unit: found by id
    session.execute(insert(MemoryUnit), [row("A second sentence arrives.", "deux")])
    assert lookup("A second sentence arrives.") == ["deux"]
    # another worker changes a unit's source in place: found by updated_at, old text gone
    later = utcnow() + timedelta(seconds=5)
    session.execute(update(MemoryUnit).where(MemoryUnit.target == "un").values(
        source="Entirely new words now.", source_plain="Entirely new words now.",
        updated_at=later))
    assert lookup("Entirely new words now.") == ["un"]
    assert lookup("The first sentence here.") == []


def test_short_query_finds_matches_sharing_no_word_through_trigrams():
    # short_scan=0 turns the exhaustive pass off, as on a large index
    index = MemoryIndex(short_scan=0)
    index.add_many([(1, "Co coja bo roda."), (2, "Coco ja boguna boka."),
                    (3, "Something long and entirely different from the query.")])
    index.add_many([(i, f"Filler sentence number {i}.") for i in range(10, 200)])
    query = "Co co jasebo naboda."
    expected = {uid for uid, text in [(1, "Co coja bo roda."), (2, "Coco ja boguna boka.")]
                if fuzz.ratio(query, text) >= 75}
    assert expected == {1, 2}
    assert {h.unit_id for h in index.search(query, threshold=75, limit=10)} == expected


def test_text_store_keeps_each_slot_text_through_replacements() -> None:
    store = TextStore()
    texts = ["Право на здоровье.", "", "Δικαιώματα", "plain ascii", "نص"]
    for text in texts:
        store.append(text)
    store.replace(2, "Δικαιώματα των εργαζομένων")
    assert len(store) == 5
    assert [store[i] for i in range(5)] == [
        "Право на здоровье.", "", "Δικαιώματα των εργαζομένων", "plain ascii", "نص"]


def _weak_first_hit_index() -> tuple[MemoryIndex, list[int]]:
    """An index whose first pass for "pyx hello world" can only see a weak unit: the word
    pass reads one token (posting budget 2), the trigram pass only the query's rare
    trigrams (budget 30, against 51 units holding each common one). The better unit shares
    only common words and trigrams with the query."""
    index = MemoryIndex(short_scan=0, posting_budget=2, min_tokens=1, budget_share=0)
    rows = [(1, "pyx hel"), (2, "hello world")]
    # 60-69 characters: in the trigram index, but too long to match the query
    rows += [(100 + i, f"hello world {'n' * (i % 7)} " + "q" * 50) for i in range(49)]
    index.add_many(rows)
    assert index._short is not None
    index._short.posting_budget = 30
    index._short.budget_share = 0
    index._compact_now()
    index._short._compact_now()
    wide_calls: list[int] = []
    narrow = index._short.search

    def spy(plain: str, *, threshold: int, limit: int, widen: int = 1) -> list:
        wide_calls.append(widen)
        return narrow(plain, threshold=threshold, limit=limit, widen=widen)

    index._short.search = spy  # type: ignore[method-assign]
    return index, wide_calls


def test_weak_first_hit_gets_a_wider_second_pass() -> None:
    """A short query whose first pass finds only a weak hit (63.6, under 75) is searched
    again with a wider trigram budget, which finds the better unit (84.6)."""
    index, calls = _weak_first_hit_index()
    hits = index.search("pyx hello world", threshold=60, limit=5)
    assert [h.unit_id for h in hits[:2]] == [2, 1]
    assert hits[0].score == pytest.approx(fuzz.ratio("pyx hello world", "hello world"))
    assert calls == [1, 4]
    # the first pass alone (the trigram index at its own budget) misses unit 2
    assert 2 not in {h.unit_id for h in index._short.search("pyx hello world", threshold=60,
                                                              limit=5)}


def test_no_second_pass_without_a_weak_hit() -> None:
    """A query with no hit at all (a new sentence) or a strong one pays for no second pass."""
    index, calls = _weak_first_hit_index()
    assert index.search("jjjj kkkk", threshold=60, limit=5) == []
    assert index.search("pyx hel", threshold=60, limit=5)[0].score == 100
    assert 4 not in calls
