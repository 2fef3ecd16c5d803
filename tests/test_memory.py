"""Translation memory: lookup scores, collapsing, updates in place, concordance."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from tms.services import memory


def _remember(session, source, target, **kw):
    return memory.remember(
        session,
        source=source,
        target=target,
        source_language="en",
        target_language=kw.pop("lang", "fr"),
        origin=kw.pop("origin", "t"),
        **kw,
    )


def test_exact_match_scores_100_and_ignores_tags(session):
    _remember(session, "Everyone has the right to <1>life</1>.", "Toute personne a droit à la vie.")
    matches = memory.lookup(
        session, "Everyone has the right to life.", source_language="en", target_language="fr"
    )
    assert [m.score for m in matches] == [100]
    assert matches[0].target == "Toute personne a droit à la vie."


def test_fuzzy_match_score_is_levenshtein_ratio(session):
    _remember(session, "Sex workers have the right to health care.", "A")
    query = "Sex workers have the right to good health care."
    matches = memory.lookup(session, query, source_language="en", target_language="fr")
    assert len(matches) == 1
    expected = int(fuzz.ratio(query, "Sex workers have the right to health care."))
    assert matches[0].score == expected
    assert 75 <= matches[0].score < 100


def test_threshold_language_pair_and_limit(session):
    _remember(session, "The right to privacy.", "Le droit à la vie privée.")
    _remember(session, "The right to privacy.", "Das Recht auf Privatsphäre.", lang="de")
    _remember(session, "Completely unrelated words here today.", "X")
    fr = memory.lookup(session, "The right to privacy!", source_language="en", target_language="fr")
    assert [m.target for m in fr] == ["Le droit à la vie privée."]
    assert (
        memory.lookup(session, "The right to privacy.", source_language="en", target_language="es")
        == []
    )


def test_identical_sources_collapse_to_best_newest(session):
    _remember(session, "We demand respect.", "Old text", approved=False)
    _remember(session, "We demand respect.", "Approved text", approved=True)
    matches = memory.lookup(
        session, "We demand respect.", source_language="en", target_language="fr"
    )
    assert [m.target for m in matches] == ["Approved text"]


def test_remember_updates_unit_of_same_segment(session):
    from sqlalchemy import select

    from tests.factories import make_document
    from tms.models import Segment

    doc = make_document(session)
    seg_id = session.scalars(select(Segment.id).where(Segment.document_id == doc.id)).first()
    first = _remember(session, "We demand respect.", "v1", segment_id=seg_id)
    second = _remember(session, "We demand respect.", "v2", segment_id=seg_id)
    assert first.id == second.id
    matches = memory.lookup(
        session, "We demand respect.", source_language="en", target_language="fr"
    )
    assert [m.target for m in matches] == ["v2"]


@pytest.mark.parametrize("query", ["100%", "a_b", "it's", "\\"])
def test_concordance_escapes_wildcards(session, query):
    _remember(session, "Nothing special here.", "Rien.")
    _remember(session, f"Literal {query} inside.", "Littéral.")
    found = memory.concordance(session, query, source_language="en", target_language="fr")
    assert [u.source for u in found] == [f"Literal {query} inside."]


def test_empty_source_has_no_matches(session):
    _remember(session, "Something.", "Quelque chose.")
    assert memory.lookup(session, "<1/>", source_language="en", target_language="fr") == []
