"""tms.services.alignment on a real database: propose, edit, confirm, reject."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import ROOT, SOURCE_DOCS
from tests.factories import make_document, make_language, make_user
from tms.inline import strip_tags
from tms.models import (
    AlignmentEvent,
    AlignmentPair,
    AlignmentRun,
    Document,
    Language,
    MemoryUnit,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)
from tms.services import alignment, workflow
from tms.services.importing import import_document


def _benchmark() -> Any:
    """benchmarks/align_accuracy.py (pseudo-translation and gold edits)."""
    name = "align_accuracy"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


SOURCES = [
    "We, sex workers, declare our rights.",
    "Everyone has the right to <1>life</1> and to security of person.",
    "See the note.<2/>",
]
TARGET_MD = (
    "Nous, travailleuses du sexe, déclarons nos droits.\n\n"
    "Chacun a droit à la **vie** et à la sûreté de sa personne.\n\n"
    "Voir la note.\n"
)


@pytest.fixture
def fr(session: Session) -> Language:
    """French."""
    return make_language(session, "fr")


@pytest.fixture
def rita(session: Session, fr: Language) -> User:
    """A reviewer of French."""
    return make_user(session, "rita", roles={"fr": "reviewer"})


@pytest.fixture
def doc(session: Session) -> Document:
    """A three-segment document (one block per segment)."""
    return make_document(session, sources=SOURCES)


def _segments(session: Session, doc: Document) -> list[Segment]:
    return list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))


def _propose(session: Session, doc: Document, fr: Language, user: User,
             data: str = TARGET_MD, filename: str = "fr.md") -> AlignmentRun:
    return alignment.propose_alignment(session, document=doc, language=fr, filename=filename,
                                       data=data.encode(), user=user)


def test_proposal_pairs_each_segment_with_its_sentence(session: Session, doc: Document,
                                                       fr: Language, rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    segs = _segments(session, doc)
    assert [p.segment_ids for p in run.pairs] == [[s.id] for s in segs]
    assert [strip_tags(alignment.target_text(p)) for p in run.pairs] == [
        "Nous, travailleuses du sexe, déclarons nos droits.",
        "Chacun a droit à la vie et à la sûreté de sa personne.",
        "Voir la note.",
    ]
    # the bold span of the target is renumbered into the source's tag id
    assert alignment.target_text(run.pairs[1]) == (
        "Chacun a droit à la <1>vie</1> et à la sûreté de sa personne.")
    assert all(p.score > 0.5 and p.status == "proposed" for p in run.pairs)
    assert run.report["segments"] == 3 and run.report["sentences"] == 3
    assert session.scalar(select(AlignmentEvent.action).where(
        AlignmentEvent.run_id == run.id)) == "proposed"
    assert session.scalar(select(func.count()).select_from(Translation)) == 0  # nothing saved


@pytest.mark.parametrize(("filename", "data", "fragment"), [
    ("fr.pdf", b"%PDF-1.4", "fr.pdf"),
    ("fr.md", b"", "empty"),
    ("fr.docx", b"not a zip", "fr.docx"),
    ("fr.md", b"```\ncode only\n```\n", "no text"),
])
def test_bad_files_give_one_sentence(session: Session, doc: Document, fr: Language,
                                     rita: User, filename: str, data: bytes,
                                     fragment: str) -> None:
    with pytest.raises(alignment.AlignmentError) as err:
        alignment.propose_alignment(session, document=doc, language=fr, filename=filename,
                                    data=data, user=rita)
    assert fragment in err.value.message
    assert "\n" not in err.value.message and "Traceback" not in err.value.message


def test_only_reviewers_and_admins_may_align(session: Session, doc: Document,
                                             fr: Language) -> None:
    ana = make_user(session, "ana", roles={"fr": "translator"})
    with pytest.raises(alignment.AlignmentError, match="reviewers"):
        _propose(session, doc, fr, ana)
    boss = make_user(session, "boss", is_admin=True)
    assert _propose(session, doc, fr, boss).pairs


def test_the_source_language_cannot_be_a_target(session: Session, doc: Document) -> None:
    en = make_language(session, "en")
    admin = make_user(session, "boss", is_admin=True)
    with pytest.raises(alignment.AlignmentError, match="source language"):
        _propose(session, doc, en, admin)


def test_confirm_saves_translated_with_history_and_unapproved_memory(
        session: Session, doc: Document, fr: Language, rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    result = alignment.confirm_pairs(session, run, [run.pairs[0].id, run.pairs[1].id], rita)
    assert (result.pairs, result.saved, result.suggested) == (2, 2, 0)
    segs = _segments(session, doc)
    t0 = workflow.get_translation(session, segs[0].id, fr.id)
    assert t0 is not None and t0.state == State.TRANSLATED and t0.translator_id == rita.id
    assert t0.target == "Nous, travailleuses du sexe, déclarons nos droits."
    t1 = workflow.get_translation(session, segs[1].id, fr.id)
    assert t1 is not None and not t1.has_tag_errors
    assert session.scalar(select(Revision.origin).where(Revision.translation_id == t0.id)) \
        == "alignment"
    unit = session.scalar(select(MemoryUnit).where(MemoryUnit.segment_id == segs[0].id))
    assert unit is not None and unit.approved is False and unit.target == t0.target
    assert workflow.get_translation(session, segs[2].id, fr.id) is None
    assert [p.status for p in run.pairs] == ["confirmed", "confirmed", "proposed"]
    assert run.status == "open"
    alignment.reject_pairs(session, run, [run.pairs[2].id], rita)
    assert run.status == "done"
    # a confirmed pair is not confirmed twice
    again = alignment.confirm_pairs(session, run, [run.pairs[0].id], rita)
    assert again.saved == 0 and len(again.skipped) == 1


def test_existing_translations_are_kept_and_get_a_suggestion(
        session: Session, doc: Document, fr: Language, rita: User) -> None:
    segs = _segments(session, doc)
    ana = make_user(session, "ana", roles={"fr": "translator"})
    workflow.save_translation(session, segment=segs[0], language=fr, user=ana,
                              target="Nous déclarons nos droits.", state=State.DRAFT,
                              base_version=0)
    run = _propose(session, doc, fr, rita)
    result = alignment.confirm_above(session, run, 0.0, rita)
    assert (result.saved, result.suggested) == (2, 1)
    t0 = workflow.get_translation(session, segs[0].id, fr.id)
    assert t0 is not None and t0.target == "Nous déclarons nos droits."
    assert t0.state == State.DRAFT
    suggestion = session.scalar(select(Suggestion).where(Suggestion.segment_id == segs[0].id))
    assert suggestion is not None and suggestion.origin == "alignment"
    assert suggestion.target == "Nous, travailleuses du sexe, déclarons nos droits."


def test_confirm_above_takes_only_high_scores(session: Session, doc: Document, fr: Language,
                                             rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    run.pairs[0].score = 0.95
    run.pairs[1].score = 0.4
    run.pairs[2].score = 0.79
    result = alignment.confirm_above(session, run, 0.8, rita)
    assert result.pairs == 1
    assert [p.status for p in run.pairs] == ["confirmed", "proposed", "proposed"]
    with pytest.raises(alignment.AlignmentError):
        alignment.confirm_above(session, run, 1.5, rita)


def test_move_sentence_down_and_up(session: Session, doc: Document, fr: Language,
                                   rita: User) -> None:
    run = _propose(session, doc, fr, rita, data=(
        "Nous déclarons nos droits. Chacun a droit à la vie.\n\nVoir la note.\n"))
    texts = [[t for t, _ in p.target] for p in run.pairs]
    flat = [t for ts in texts for t in ts]
    assert len(flat) == 3 and len(run.pairs) == 3
    # force a known starting point: the first pair holds two sentences, the second none
    first, second = run.pairs[0], run.pairs[1]
    first.target = [["Nous déclarons nos droits.", " "], ["Chacun a droit à la vie.", ""]]
    second.target = []
    alignment.edit_pair(session, run, first.id, "down", rita)
    assert [t for t, _ in first.target] == ["Nous déclarons nos droits."]
    assert [t for t, _ in second.target] == ["Chacun a droit à la vie."]
    assert second.score > 0
    alignment.edit_pair(session, run, second.id, "up", rita)
    assert len(first.target) == 2 and second.target == []
    with pytest.raises(alignment.AlignmentError):
        alignment.edit_pair(session, run, second.id, "up", rita)  # nothing to move
    with pytest.raises(alignment.AlignmentError):
        alignment.edit_pair(session, run, first.id, "up", rita)  # no pair above
    actions = list(session.scalars(select(AlignmentEvent.action).where(
        AlignmentEvent.run_id == run.id).order_by(AlignmentEvent.id)))
    assert actions == ["proposed", "down", "up"]


def test_merge_then_confirm_divides_the_sentence(session: Session, doc: Document,
                                                 fr: Language, rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    first, second = run.pairs[0], run.pairs[1]
    second.target = []
    first.target = [["Nous, travailleuses du sexe, déclarons nos droits, et chacun a droit "
                     "à la <1>vie</1> et à la sûreté de sa personne.", ""]]
    alignment.edit_pair(session, run, first.id, "merge", rita)
    assert len(run.pairs) == 2 and [p.position for p in run.pairs] == [0, 1]
    segs = _segments(session, doc)
    assert run.pairs[0].segment_ids == [segs[0].id, segs[1].id]
    result = alignment.confirm_pairs(session, run, [run.pairs[0].id], rita)
    assert result.saved == 2
    t0 = workflow.get_translation(session, segs[0].id, fr.id)
    t1 = workflow.get_translation(session, segs[1].id, fr.id)
    assert t0 is not None and t1 is not None
    assert t0.target == "Nous, travailleuses du sexe, déclarons nos droits,"
    assert t1.target == "et chacun a droit à la <1>vie</1> et à la sûreté de sa personne."
    assert t0.state == t1.state == State.TRANSLATED


def test_split_at_an_offset(session: Session, doc: Document, fr: Language,
                            rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    pair = run.pairs[1]
    plain = alignment.target_plain(pair)
    offset = plain.index(" et à la sûreté")
    changed = alignment.edit_pair(session, run, pair.id, "split", rita, offset=offset)
    assert len(run.pairs) == 4 and [p.position for p in run.pairs] == [0, 1, 2, 3]
    head, tail = changed
    assert alignment.target_text(head) == "Chacun a droit à la <1>vie</1>"
    assert alignment.target_text(tail) == "et à la sûreté de sa personne."
    assert tail.segment_ids == [] and head.segment_ids == [_segments(session, doc)[1].id]
    for bad in (None, 0, len(plain), 10_000):
        with pytest.raises(alignment.AlignmentError, match="split"):
            alignment.edit_pair(session, run, pair.id, "split", rita, offset=bad)
    # a target-only pair cannot be confirmed on its own: merge it back first
    result = alignment.confirm_pairs(session, run, [tail.id], rita)
    assert result.pairs == 0 and result.skipped
    alignment.edit_pair(session, run, head.id, "merge", rita)
    assert alignment.target_text(run.pairs[1]) == alignment.target_text(run.pairs[1])
    assert len(run.pairs) == 3


def test_decided_pairs_cannot_be_edited(session: Session, doc: Document, fr: Language,
                                        rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    alignment.reject_pairs(session, run, [run.pairs[1].id], rita)
    with pytest.raises(alignment.AlignmentError):
        alignment.edit_pair(session, run, run.pairs[1].id, "merge", rita)
    with pytest.raises(alignment.AlignmentError, match="neighbouring"):
        alignment.edit_pair(session, run, run.pairs[0].id, "merge", rita)
    with pytest.raises(alignment.AlignmentError):
        alignment.edit_pair(session, run, run.pairs[0].id, "explode", rita)
    assert session.scalar(select(func.count()).select_from(Translation)) == 0


def test_sample_declaration_round_trip(session: Session, fr: Language, rita: User) -> None:
    """The real sample, a pseudo-translated Markdown file with merged sentences: most pairs
    right, the whole document covered once, in a second or two."""
    bench = _benchmark()
    path = SOURCE_DOCS / "sample-declaration.md"
    document = import_document(session, filename=path.name, data=path.read_bytes()).document
    case = bench.make_case(bench.source_blocks(path), "merged", 3)
    data = bench.to_markdown(case.target)
    run = _propose(session, document, fr, rita, data=data, filename="declaration-fr.md")
    segs = _segments(session, document)
    covered = [sid for p in run.pairs for sid in p.segment_ids]
    assert sorted(covered) == sorted(s.id for s in segs)
    good = [p for p in run.pairs if p.segment_ids and p.target and p.score >= 0.5]
    assert len(good) >= 0.85 * len(run.pairs)
    result = alignment.confirm_above(session, run, 0.8, rita)
    assert result.saved >= 0.6 * len(segs)
    stored = session.scalar(select(func.count()).select_from(AlignmentPair)
                            .where(AlignmentPair.run_id == run.id))
    assert stored == len(run.pairs)


def test_runs_for_lists_newest_first(session: Session, doc: Document, fr: Language,
                                     rita: User) -> None:
    a = _propose(session, doc, fr, rita)
    b = _propose(session, doc, fr, rita, filename="again.md")
    assert [r.id for r in alignment.runs_for(session, doc, fr)] == [b.id, a.id]
    assert alignment.counts(a) == {"proposed": 3, "confirmed": 0, "rejected": 0}


def test_score_classes() -> None:
    assert [alignment.score_class(s) for s in (0, 0.2, 0.6, 0.95)] == [
        "score-none", "score-low", "score-mid", "score-high"]


def test_benchmark_module_is_importable() -> None:
    assert Path(_benchmark().__file__).name == "align_accuracy.py"


# ---------------------------------------------------------------- web (tms.web.align)


def _login(client: Any, user: User) -> None:
    from tests.test_access_matrix import log_in_without_password

    log_in_without_password(client, user)


def _upload(client: Any, doc: Document, data: str = TARGET_MD, name: str = "fr.md") -> Any:
    import io

    return client.post(f"/align/{doc.slug}/fr",
                       data={"file": (io.BytesIO(data.encode()), name)},
                       content_type="multipart/form-data")


def test_web_upload_proposal_edit_and_confirm(app: Any, session: Session, doc: Document,
                                              fr: Language, rita: User) -> None:
    session.commit()
    client = app.test_client()
    _login(client, rita)
    page = client.get(f"/align/{doc.slug}/fr")
    assert page.status_code == 200 and b'name="file"' in page.data
    resp = _upload(client, doc)
    assert resp.status_code == 302
    run = session.scalar(select(AlignmentRun))
    assert run is not None and resp.headers["Location"].endswith(f"/align/{doc.slug}/fr/{run.id}")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Chacun a droit à la vie et à la sûreté de sa personne." in html
    assert "score-high" in html and 'style="' not in html
    assert html.count('name="action" value="confirm"') >= 3
    pair_ids = [p.id for p in run.pairs]
    # split the second pair with the form, then merge it back
    base = f"/align/{doc.slug}/fr/{run.id}"
    resp = client.post(base + "/pair", data={"pair": pair_ids[1], "action": "split",
                                             "offset": "19"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#p{pair_ids[1]}")
    session.expire_all()
    assert len(session.get(AlignmentRun, run.id).pairs) == 4
    client.post(base + "/pair", data={"pair": pair_ids[1], "action": "merge"})
    session.expire_all()
    assert len(session.get(AlignmentRun, run.id).pairs) == 3
    # an offset outside the text: one sentence, no 500
    resp = client.post(base + "/pair", data={"pair": pair_ids[1], "action": "split",
                                             "offset": "999"}, follow_redirects=True)
    assert resp.status_code == 200 and "Choose where to split" in resp.get_data(as_text=True)
    # confirm ticked pairs, then everything left above 0.5
    resp = client.post(base + "/bulk", data={"action": "confirm", "pair": [pair_ids[0]]},
                       follow_redirects=True)
    assert "1 segment is now awaiting review." in resp.get_data(as_text=True)
    resp = client.post(base + "/bulk", data={"action": "confirm_above", "threshold": "0,5"},
                       follow_redirects=True)
    assert "2 segments are now awaiting review." in resp.get_data(as_text=True)
    session.expire_all()
    states = session.scalars(select(Translation.state).where(Translation.language_id == fr.id))
    assert sorted(states) == [State.TRANSLATED] * 3
    assert session.get(AlignmentRun, run.id).status == "done"
    listing = client.get(f"/align/{doc.slug}/fr").get_data(as_text=True)
    assert "fr.md" in listing and "3 confirmed" in listing


@pytest.mark.parametrize(("data", "name", "message"), [
    ("", "fr.md", "empty"),
    ("x", "fr.pdf", "fr.pdf"),
])
def test_web_bad_upload_is_one_sentence(app: Any, session: Session, doc: Document,
                                        fr: Language, rita: User, data: str, name: str,
                                        message: str) -> None:
    session.commit()
    client = app.test_client()
    _login(client, rita)
    resp = _upload(client, doc, data, name)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/align/{doc.slug}/fr")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in html and message in html
    assert session.scalar(select(func.count()).select_from(AlignmentRun)) == 0


def test_web_runs_of_another_document_are_404(app: Any, session: Session, doc: Document,
                                             fr: Language, rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    other = make_document(session, slug="other")
    session.commit()
    client = app.test_client()
    _login(client, rita)
    assert client.get(f"/align/other/fr/{run.id}").status_code == 404
    assert client.get(f"/align/{doc.slug}/fr/{run.id + 1000}").status_code == 404
    assert client.get(f"/align/{doc.slug}/xx").status_code == 404
    assert client.post(f"/align/{other.slug}/fr/{run.id}/pair",
                       data={"pair": run.pairs[0].id, "action": "reject"}).status_code == 404
    # a pair of this run only
    resp = client.post(f"/align/{doc.slug}/fr/{run.id}/bulk",
                       data={"action": "reject", "pair": ["999999"]}, follow_redirects=True)
    assert "not part of this alignment" in resp.get_data(as_text=True)


def test_web_posts_need_the_csrf_token(csrf_app: Any, session: Session, doc: Document,
                                       fr: Language, rita: User) -> None:
    run = _propose(session, doc, fr, rita)
    session.commit()
    client = csrf_app.test_client()
    _login(client, rita)
    resp = client.post(f"/align/{doc.slug}/fr/{run.id}/bulk",
                       data={"action": "confirm_above", "threshold": "0"})
    assert resp.status_code == 400
    assert session.scalar(select(func.count()).select_from(Translation)) == 0
    page = client.get(f"/align/{doc.slug}/fr/{run.id}").get_data(as_text=True)
    # every form posts the token: the bulk form, one per pair, and the page's own
    assert page.count('name="csrf_token"') == page.count('method="post"') >= 1 + len(run.pairs)


def test_a_translated_docx_of_the_sample_manifesto(session: Session, fr: Language,
                                                   rita: User) -> None:
    """The DOCX path end to end: a French DOCX made by tms's own writer from a
    pseudo-translation of the sample manifesto (same layout, tags, table, notes)."""
    from tms.formats import docx, read_document
    from tms.formats.base import TargetBlock

    bench = _benchmark()
    path = SOURCE_DOCS / "sample-manifesto.docx"
    original = path.read_bytes()
    document = import_document(session, filename=path.name, data=original).document
    parsed = read_document(path.name, original, "en")
    targets = [TargetBlock(b, bench.pseudo_sentence(b.text, k)) for k, b in
               enumerate(parsed.blocks) if b.translatable and strip_tags(b.text).strip()]
    data = docx.write(original, targets, language="fr")
    run = alignment.propose_alignment(session, document=document, language=fr,
                                      filename="manifeste.docx", data=data, user=rita)
    segs = _segments(session, document)
    assert sorted(sid for p in run.pairs for sid in p.segment_ids) == sorted(s.id for s in segs)
    one_to_one = [p for p in run.pairs if len(p.segment_ids) == 1 and len(p.target) == 1]
    assert len(one_to_one) >= 0.95 * len(segs)
    confident = [p for p in run.pairs if p.score >= 0.8]
    assert len(confident) >= 0.9 * len(run.pairs)
    # bold and links of the DOCX are carried into the source's tag ids
    tagged = [p for p in run.pairs if "<" in alignment.target_text(p)]
    assert tagged
    by_id = {s.id: s for s in segs}
    from tms.inline import compare_tags

    clean = sum(1 for p in tagged if len(p.segment_ids) == 1
                and not compare_tags(by_id[p.segment_ids[0]].source, alignment.target_text(p)))
    assert clean >= 0.9 * len(tagged)
