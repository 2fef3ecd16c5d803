"""tms.align: block pairing, Gale-Church sentence alignment, anchors, tags; accuracy floors."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from tests.test_alignment_service import _benchmark
from tms.align import (
    AlignBlock,
    AlignedPair,
    LengthModel,
    Unit,
    align_document,
    align_sentences,
    align_units,
    anchors,
    estimate_model,
    map_tags,
    normal_numbering,
    pair_blocks,
    split_proportionally,
)
from tms.formats.base import Tag

EN = [
    "Sex workers are workers.",
    "They are entitled to the full protection of human rights law, whatever the legal "
    "status of their work.",
    "Across Europe, people who sell sexual services face violence.",
    "Many are shut out of health care, housing, banking and justice.",
    "This sample sets out rights that any person can claim.",
]
FR = [
    "Les travailleuses du sexe sont des travailleuses.",
    "Elles ont droit à la pleine protection du droit des droits humains, quel que soit le "
    "statut juridique de leur travail.",
    "Partout en Europe, les personnes qui vendent des services sexuels subissent la violence.",
    "Beaucoup sont exclues des soins, du logement, des banques et de la justice.",
    "Cet exemple énonce des droits que toute personne peut revendiquer.",
]


def _shape(pairs: list[AlignedPair]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(p.source_indices, p.target_indices) for p in pairs]


def test_one_to_one() -> None:
    pairs = align_sentences(EN, FR)
    assert _shape(pairs) == [((i,), (i,)) for i in range(5)]
    assert all(0.5 < p.score <= 1 for p in pairs)


def test_merged_target_sentence_is_a_two_one_bead() -> None:
    merged = [FR[0], FR[1], FR[2][:-1] + " ; " + FR[3][0].lower() + FR[3][1:], FR[4]]
    assert _shape(align_sentences(EN, merged)) == [
        ((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,))]


def test_split_target_sentence_is_a_one_two_bead() -> None:
    split = [FR[0], "Elles ont droit à la pleine protection du droit des droits humains.",
             "Quel que soit le statut juridique de leur travail.", FR[2], FR[3], FR[4]]
    assert _shape(align_sentences(EN, split)) == [
        ((0,), (0,)), ((1,), (1, 2)), ((2,), (3,)), ((3,), (4,)), ((4,), (5,))]


# In a document the length ratio comes from the whole text; five sentences with one
# missing would bias it, so these tests pass the ratio of the full translation.
FR_MODEL = LengthModel(1.2, 6.8)


def test_dropped_and_inserted_sentences() -> None:
    dropped = [FR[0], FR[1], FR[3], FR[4]]
    shape = _shape(align_sentences(EN, dropped, FR_MODEL))
    assert ((2,), ()) in shape and ((3,), (2,)) in shape and ((4,), (3,)) in shape
    inserted = [FR[0], FR[1], "Note des traductrices : nous gardons le féminin générique "
                "dans tout ce texte, comme le font nos associations.", FR[2], FR[3], FR[4]]
    shape = _shape(align_sentences(EN, inserted, FR_MODEL))
    assert ((), (2,)) in shape and ((2,), (3,)) in shape


def test_empty_sides() -> None:
    assert _shape(align_sentences([], FR[:2])) == [((), (0,)), ((), (1,))]
    assert _shape(align_sentences(EN[:1], [])) == [((0,), ())]
    assert align_sentences([], []) == []


@pytest.mark.parametrize(("target", "expected"), [
    (["L'article 12 vaut ici ; l'article 13 aussi.", "L'article 14 vaut ici."],
     [((0, 1), (0,)), ((2,), (1,))]),
    (["L'article 12 vaut ici.", "L'article 13 vaut ici ; l'article 14 aussi."],
     [((0,), (0,)), ((1, 2), (1,))]),
])
def test_anchors_break_a_length_tie(target: list[str], expected: list[Any]) -> None:
    # all sentences have the same length: only the numbers say where the merge is
    src = ["Article 12 applies here.", "Article 13 applies here.", "Article 14 applies here."]
    assert _shape(align_sentences(src, target, LengthModel(0.95, 6.8))) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("See https://example.org/a/ and page 12.", {"u:https://example.org/a", "n:12"}),
    ("The UN and HIV services", {"w:UN", "w:HIV"}),
    ("Adopted in Brussels on 1.000 days", {"w:Brussels", "n:1000"}),
    ("Lower case words only", set()),
])
def test_anchor_tokens(text: str, expected: set[str]) -> None:
    assert set(anchors(text)) == expected


def test_tag_anchors_use_kind_and_link_target() -> None:
    tags = {"1": Tag("link", True, {"href": "https://example.org/"}), "2": Tag("footnote_ref",
                                                                             False)}
    assert set(anchors("A <1>link</1> here.<2/>", tags)) == {
        "t:link", "u:https://example.org", "t:footnote_ref"}


def test_estimate_model_from_pairs() -> None:
    rng = random.Random(4)
    pairs = [(s, round(s * 1.2 + rng.gauss(0, (s * 4) ** 0.5))) for s in
             (rng.randint(20, 300) for _ in range(400))]
    model = estimate_model(pairs)
    assert 1.15 < model.c < 1.25
    assert 2.5 < model.s2 < 6.5
    assert estimate_model([(10, 12)]).s2 == 6.8  # too few pairs: the textbook variance


def _blocks(specs: list[tuple[str, str | None, int]]) -> list[AlignBlock]:
    return [AlignBlock(t, ["x" * n], numbering=num, level=0 if t == "list_item" else None)
            for t, num, n in specs]


def test_blocks_pair_by_type_and_numbering() -> None:
    src = _blocks([("heading", None, 20), ("paragraph", None, 200), ("list_item", "I.", 80),
                   ("list_item", "II.", 80), ("list_item", "III.", 80), ("footnote", "1", 60)])
    # the translation dropped item II and its heading is much longer
    tgt = _blocks([("heading", None, 45), ("paragraph", None, 230), ("list_item", "I.", 90),
                   ("list_item", "III.", 92), ("footnote", "1", 70)])
    shape = _shape(pair_blocks(src, tgt))
    assert shape == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), ()), ((4,), (3,)),
                     ((5,), (4,))]


def test_table_cells_pair_by_position() -> None:
    def cells(lengths: list[int]) -> list[AlignBlock]:
        return [AlignBlock("table_cell", ["y" * n], attrs={"table": 0, "row": k // 2,
                                                           "col": k % 2})
                for k, n in enumerate(lengths)]

    shape = _shape(pair_blocks(cells([5, 30, 8, 12]), cells([30, 6, 14, 9])))
    assert shape == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]


@pytest.mark.parametrize(("raw", "expected"), [
    ("I.", "i"), ("(a)", "a"), ("a)", "a"), ("1.", "1"), ("•", None), ("◦", None), (None, None),
])
def test_normal_numbering(raw: str | None, expected: str | None) -> None:
    assert normal_numbering(raw) == expected


def test_moved_paragraph_is_found_again() -> None:
    """A paragraph moved from the start to the end of a section: the monotonic DP leaves
    it unpaired on both sides, the rescue pass pairs it again."""
    texts = [f"Paragraph {k} speaks about " + "rights and duties of everyone " * (k + 2)
             for k in range(6)]
    src = [AlignBlock("paragraph", [t]) for t in texts]
    moved = [*texts[1:], texts[0]]
    tgt = [AlignBlock("paragraph", [t.replace("rights", "droits")]) for t in moved]
    shape = _shape(align_document(src, tgt).block_pairs)
    assert ((0,), (5,)) in shape
    assert all(((k,), (k - 1,)) in shape for k in range(1, 6))


@pytest.mark.parametrize(("target", "target_tags", "expected"), [
    # bold and footnote renumbered by kind, in order
    ("Le <7>droit</7> ici.<9/>", {"7": Tag("bold"), "9": Tag("footnote_ref", False)},
     "Le <1>droit</1> ici.<2/>"),
    # a target tag with no counterpart in the source is dropped, its text kept
    ("Un <3>lien</3> en plus.", {"3": Tag("link")}, "Un lien en plus."),
    # no tags at all
    ("Rien.", {}, "Rien."),
])
def test_map_tags(target: str, target_tags: dict[str, Tag], expected: str) -> None:
    source_tags = {"1": Tag("bold"), "2": Tag("footnote_ref", False)}
    assert map_tags(target, target_tags, ["The <1>right</1> here.<2/>"], source_tags) == expected


@pytest.mark.parametrize(("text", "weights", "expected"), [
    ("Nous déclarons nos droits, et chacun a droit à la vie.", [24, 30],
     ["Nous déclarons nos droits,", "et chacun a droit à la vie."]),
    ("Un deux trois quatre cinq six", [1, 1], ["Un deux trois", "quatre cinq six"]),
    ("Seul.", [5], ["Seul."]),
    ("Le <1>droit à la vie et</1> à la sûreté.", [10, 10],
     ["Le <1>droit à la vie</1>", "<1>et</1> à la sûreté."]),
])
def test_split_proportionally(text: str, weights: list[int], expected: list[str]) -> None:
    assert split_proportionally(text, weights) == expected


def test_three_thousand_sentences_in_well_under_a_few_seconds() -> None:
    rng = random.Random(7)
    src = [Unit(rng.randint(15, 250), frozenset({f"n:{rng.randint(1, 900)}"})
                if rng.random() < 0.2 else frozenset()) for _ in range(3000)]
    tgt = [Unit(max(1, round(u.length * 1.15 + rng.gauss(0, 6))), u.anchors) for u in src]
    del tgt[1500]
    tgt.insert(2500, Unit(80))
    start = time.process_time()
    pairs = align_units(src, tgt, LengthModel(1.15, 6.8))
    elapsed = time.process_time() - start
    assert elapsed < 2.0, elapsed
    shape = _shape(pairs)
    assert ((1500,), ()) in shape and ((), (2500,)) in shape
    assert sum(1 for p in pairs if p.kind == "1-1") >= 2990


# ---------------------------------------------------------------- accuracy floors

FLOOR_EDITS = ("merged", "split", "dropped")


@pytest.fixture(scope="module")
def accuracy() -> dict[str, Any]:
    """Benchmark rows for every sample document and edit (seed 1, as in docs/alignment.md)."""
    bench = _benchmark()
    rows = bench.run(seed=1)
    return {"rows": rows, "bench": bench}


def _totals(rows: list[Any]) -> tuple[float, float, float]:
    proposed = sum(r.proposed for r in rows)
    correct = sum(r.correct for r in rows)
    gold = sum(r.gold_links for r in rows)
    nm = sum(r.gold_nm for r in rows)
    found = sum(r.found_nm for r in rows)
    return correct / proposed, correct / gold, (found / nm if nm else 1.0)


def test_precision_and_recall_on_merged_split_dropped(accuracy: dict[str, Any]) -> None:
    rows = [r for r in accuracy["rows"] if r.edit in FLOOR_EDITS]
    precision, recall, nm_recall = _totals(rows)
    assert precision >= 0.95, accuracy["bench"].table(rows)
    assert recall >= 0.93, accuracy["bench"].table(rows)
    assert nm_recall >= 0.9, accuracy["bench"].table(rows)


def test_every_edit_type_keeps_a_floor(accuracy: dict[str, Any]) -> None:
    for row in accuracy["rows"]:
        assert row.precision >= 0.9, accuracy["bench"].table([row])
        assert row.recall >= 0.85, accuracy["bench"].table([row])
        if row.edit == "clean":
            assert row.precision == row.recall == 1.0


def test_the_floor_rejects_a_naive_aligner(accuracy: dict[str, Any]) -> None:
    """Pairing sentence i with sentence i (what a careless import would do) falls far
    below the floor on the same data, so the floor measures something."""
    bench = accuracy["bench"]
    rows = []
    for name in bench.DOCS:
        source = bench.source_blocks(bench.ROOT / "source_docs" / name)
        n = sum(len(b.sentences) for b in source)
        for edit in FLOOR_EDITS:
            case = bench.make_case(source, edit, 1)
            m = sum(len(b.sentences) for b in case.target)
            naive = [AlignedPair((i,), (i,), 1.0) for i in range(min(n, m))]
            rows.append(bench.score(name, edit, naive, case.gold))
    precision, _recall, _nm = _totals(rows)
    assert precision < 0.5
