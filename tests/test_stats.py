"""Progress numbers per state, per document and language, from a few aggregate queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language
from tms.models import Segment, State, Translation
from tms.services.stats import STATE_NAMES, document_stats, overview

SOURCES = [
    "One two three.",  # 3 words
    "Four five six seven.",  # 4
    "Eight nine.",  # 2
    "Ten eleven twelve thirteen fourteen.",  # 5
    "Fifteen.",  # 1
]


@pytest.fixture
def doc(session: Session):  # type: ignore[no-untyped-def]
    """A five-segment document with word counts 3, 4, 2, 5, 1."""
    document = make_document(session, "stats", sources=SOURCES)
    for seg in session.scalars(select(Segment).where(Segment.document_id == document.id)):
        seg.word_count = len(seg.source.split())
    session.flush()
    return document


def _segs(session: Session, doc) -> list[Segment]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))


def _translate(session: Session, seg: Segment, lang, state: State,  # type: ignore[no-untyped-def]
               outdated: bool = False) -> None:
    session.add(Translation(segment_id=seg.id, language_id=lang.id, target="x",
                            state=int(state), outdated=outdated))
    session.flush()


def test_counts_per_state_for_one_language(session: Session, doc) -> None:  # type: ignore[no-untyped-def]
    fr = make_language(session, "fr")
    s = _segs(session, doc)
    _translate(session, s[0], fr, State.APPROVED)
    _translate(session, s[1], fr, State.TRANSLATED, outdated=True)
    _translate(session, s[2], fr, State.DRAFT)
    _translate(session, s[3], fr, State.UNTRANSLATED)  # a row with state 0 = no row
    result = document_stats(session, doc.id, fr.id)
    assert result["language"] == "fr"
    assert result["segments"] == {"total": 5, "untranslated": 2, "needs_work": 0, "draft": 1,
                                  "translated": 1, "approved": 1}
    assert result["words"] == {"total": 15, "untranslated": 6, "needs_work": 0, "draft": 2,
                               "translated": 4, "approved": 3}
    assert (result["outdated"], result["outdated_words"]) == (1, 4)
    assert result["percent_translated"] == 7 * 100 // 15
    assert result["percent_approved"] == 3 * 100 // 15


def test_without_language_every_target_language_is_listed(session: Session, doc) -> None:  # type: ignore[no-untyped-def]
    fr, de = make_language(session, "fr"), make_language(session, "de")
    make_language(session, "en")  # the source language is not a target
    s = _segs(session, doc)
    _translate(session, s[0], fr, State.NEEDS_WORK)
    _translate(session, s[4], de, State.APPROVED)
    result = document_stats(session, doc.id)
    assert (result["total_segments"], result["total_words"]) == (5, 15)
    assert [lang["language"] for lang in result["languages"]] == ["de", "fr"]
    by_code = {lang["language"]: lang for lang in result["languages"]}
    assert by_code["fr"]["segments"]["needs_work"] == 1
    assert by_code["de"]["segments"]["approved"] == 1
    assert by_code["de"]["percent_approved"] == 6  # 1 word of 15
    for lang in result["languages"]:
        for unit in ("segments", "words"):
            assert sum(lang[unit][name] for name in STATE_NAMES) == lang[unit]["total"]


def test_archived_segments_are_not_counted(session: Session, doc) -> None:  # type: ignore[no-untyped-def]
    fr = make_language(session, "fr")
    s = _segs(session, doc)
    _translate(session, s[3], fr, State.APPROVED)
    s[3].archived = True
    session.flush()
    result = document_stats(session, doc.id, fr.id)
    assert result["segments"]["total"] == 4 and result["words"]["total"] == 10
    assert result["segments"]["approved"] == 0 and result["segments"]["untranslated"] == 4


def test_unknown_document_or_language(session: Session, doc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LookupError):
        document_stats(session, doc.id + 1000)
    with pytest.raises(LookupError):
        document_stats(session, doc.id, 424242)


@contextmanager
def _count_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_overview_is_documents_by_languages_in_constant_queries(session: Session) -> None:
    fr = make_language(session, "fr")
    first = make_document(session, "aaa", title="A first", sources=["One.", "Two."])
    with _count_queries(session) as small:
        overview(session)
    de, ru = make_language(session, "de"), make_language(session, "ru")
    second = make_document(session, "bbb", title="B second", sources=["Three.", "Four."])
    make_document(session, "ui", title="C interface", sources=["Save"], kind="interface")
    seg = _segs(session, second)[0]
    _translate(session, seg, ru, State.TRANSLATED)
    with _count_queries(session) as big:
        rows = overview(session)
    assert len(big) == len(small) <= 5
    assert [(r["document"], r["language"]) for r in rows] == [
        ("aaa", "de"), ("aaa", "fr"), ("aaa", "ru"), ("bbb", "de"), ("bbb", "fr"),
        ("bbb", "ru")]
    ru_row = rows[-1]
    assert ru_row["segments"]["translated"] == 1 and ru_row["segments"]["untranslated"] == 1
    assert rows[0]["document_id"] == first.id and rows[1]["language_id"] == fr.id
    assert {r["document"] for r in overview(session, kind=None)} == {"aaa", "bbb", "ui"}
    only_de = overview(session, language_id=de.id)
    assert [(r["document"], r["language"]) for r in only_de] == [("aaa", "de"), ("bbb", "de")]
