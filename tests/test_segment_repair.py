"""Segment repair: split and merge keep text, history and keys coherent."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_language, make_user
from tms.inline import join_segments, strip_tags
from tms.models import Document, Revision, Segment, State, Translation, User
from tms.services import importing, segment_repair
from tms.services.segment_repair import RepairError, merge_segments, split_segment

SOURCE = ("# Rights\n\nWe work **in the city and the villages** every day. We rest.\n\n"
          "We speak.\n")


@pytest.fixture
def doc(session: Session) -> Document:
    make_language(session, "fr")
    make_language(session, "de")
    report = importing.import_document(session, filename="rights.md", data=SOURCE.encode())
    return report.document


@pytest.fixture
def rita(session: Session) -> User:
    return make_user(session, "rita", roles={"de": "reviewer"})


def active(session: Session, doc: Document) -> list[Segment]:
    session.expire_all()
    return list(session.scalars(select(Segment).where(
        Segment.document_id == doc.id, Segment.archived.is_(False)).order_by(Segment.position)))


def block_text(session: Session, segments: list[Segment], block_id: int) -> str:
    parts = [(s.source, s.sep) for s in segments if s.block_id == block_id]
    return join_segments(parts).rstrip()


def translate(session: Session, segment: Segment, code: str, target: str,
              state: State = State.TRANSLATED) -> Translation:
    lang = make_language(session, code)
    t = Translation(segment_id=segment.id, language_id=lang.id, target=target, state=int(state),
                    version=3)
    session.add(t)
    session.flush()
    return t


def keys_as_imported(session: Session, doc: Document) -> list[str]:
    """The keys a fresh import of the repaired text would give."""
    seen: dict[str, int] = {}
    out = []
    for s in active(session, doc):
        plain = importing.normalise_source(s.source)
        out.append(importing.segment_key(plain, seen.get(plain, 0)))
        seen[plain] = seen.get(plain, 0) + 1
    return out


def test_split_inside_a_bold_span_closes_and_reopens_the_tag(session, doc, rita):
    segs = active(session, doc)
    long = next(s for s in segs if "city" in strip_tags(s.source))
    block_source = long.block.source
    fr = translate(session, long, "fr",
                   "Nous travaillons <1>en ville et au village</1> chaque jour.")
    offset = strip_tags(long.source).index("the villages")
    new = split_segment(session, long, offset, rita)
    segs = active(session, doc)
    first = next(s for s in segs if s.id == long.id)
    assert first.source == "We work <1>in the city and</1>"
    assert first.sep == " "
    assert new.source == "<1>the villages</1> every day."
    assert [s.position for s in segs] == list(range(len(segs)))
    assert block_text(session, segs, first.block_id) == block_source
    assert first.previous_source == "We work <1>in the city and the villages</1> every day."
    session.refresh(fr)
    assert fr.outdated and fr.target.startswith("Nous travaillons")
    assert not fr.has_tag_errors  # the first part still has the <1> span
    rev = session.scalars(select(Revision).where(Revision.translation_id == fr.id)).one()
    assert rev.origin == "repair" and "split" in rev.note and rev.author_id == rita.id
    assert [s.key for s in segs] == keys_as_imported(session, doc)
    assert [s.index_in_block for s in segs if s.block_id == first.block_id] == [0, 1, 2]


def test_merge_joins_targets_flags_outdated_and_archives_the_second(session, doc, rita):
    segs = active(session, doc)
    first, second = [s for s in segs if s.block_id == segs[1].block_id]
    block_source = first.block.source
    a = translate(session, first, "fr", "Nous travaillons.", State.APPROVED)
    b = translate(session, second, "fr", "Nous nous reposons.", State.TRANSLATED)
    only_second = translate(session, second, "de", "Wir ruhen.", State.APPROVED)
    merged = merge_segments(session, first, second, rita)
    segs = active(session, doc)
    assert merged.source == block_source
    assert second.id not in [s.id for s in segs]
    session.refresh(second)
    assert second.archived
    assert [s.position for s in segs] == list(range(len(segs)))
    session.refresh(a)
    assert a.target == "Nous travaillons. Nous nous reposons."
    assert a.state == State.TRANSLATED and a.outdated and a.version == 4
    assert a.has_tag_errors  # the source's <1> span is missing from the joined text
    de = session.scalars(select(Translation).where(
        Translation.segment_id == merged.id, Translation.language_id == only_second.language_id)
    ).one()
    assert de.target == "Wir ruhen." and de.state == State.DRAFT and de.outdated
    # the second segment's own translation is kept, with a revision saying where it went
    session.refresh(b)
    assert b.target == "Nous nous reposons."
    assert session.scalars(select(Revision.origin).where(Revision.translation_id == b.id)).all() \
        == ["repair"]
    assert [s.key for s in segs] == keys_as_imported(session, doc)


def test_split_then_reimport_of_the_same_file_keeps_the_repair_rows(session, doc, rita):
    segs = active(session, doc)
    long = next(s for s in segs if "city" in strip_tags(s.source))
    split_segment(session, long, strip_tags(long.source).index("every"), rita)
    merged = merge_segments(session, *[s for s in active(session, doc) if s.id == long.id]
                            + [next_in_block(session, long)], rita)
    assert merged.id == long.id
    # merging back gives the original text and therefore the original key
    report = importing.import_document(session, filename="rights.md",
                                       data=(SOURCE + "\nWe vote.\n").encode(), slug=doc.slug)
    assert report.changed == 0 and report.removed == 0 and report.new == 1


def next_in_block(session: Session, segment: Segment) -> Segment:
    found = segment_repair.next_in_block(session, segment)
    assert found is not None
    return found


@pytest.mark.parametrize("offset", [0, -1, 10_000])
def test_split_refuses_cuts_outside_the_text(session, doc, rita, offset):
    seg = active(session, doc)[1]
    with pytest.raises(RepairError):
        split_segment(session, seg, offset, rita)


def test_merge_refuses_segments_of_different_blocks(session, doc, rita):
    segs = active(session, doc)
    with pytest.raises(RepairError, match="same paragraph"):
        merge_segments(session, segs[0], segs[1], rita)


def test_translators_cannot_repair(session, doc):
    ana = make_user(session, "ana", roles={"fr": "translator"})
    seg = active(session, doc)[1]
    assert not segment_repair.can_repair(session, ana)
    with pytest.raises(RepairError, match="reviewers"):
        split_segment(session, seg, 3, ana)


def test_cut_points_are_word_starts(session, doc):
    seg = next(s for s in active(session, doc) if strip_tags(s.source) == "We rest.")
    assert [(c.offset, c.before, c.after) for c in segment_repair.cut_points(seg)] == [
        (3, "We", "rest.")]


def test_exports_read_the_same_after_a_split_and_a_merge(session, doc, rita):
    from tms.services.exporting import export_document

    fr = make_language(session, "fr")
    before = export_document(session, doc, fr, "html").data
    long = next(s for s in active(session, doc) if "city" in strip_tags(s.source))
    split_segment(session, long, strip_tags(long.source).index("the villages"), rita)
    assert export_document(session, doc, fr, "html").data == before
    assert export_document(session, doc, fr, "po").report.units == 5
    merge_segments(session, long, next_in_block(session, long), rita)
    assert export_document(session, doc, fr, "html").data == before
