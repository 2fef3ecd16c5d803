"""The translation state machine: every legal and illegal transition, policies, concurrency."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.models import (
    Activity,
    Approval,
    Comment,
    Language,
    MemoryUnit,
    Notification,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)
from tms.queries import review as review_queries
from tms.services import workflow
from tms.services.workflow import WorkflowError

FR_CLEAN = "Nous, travailleuses du sexe, déclarons nos droits."
FR_CLEAN_2 = "Nous, travailleuses et travailleurs du sexe, déclarons nos droits."
FR_WARN = "nous declarons  nos droits"  # end punctuation, double space, capitals
FR_TAGGED = "Chacun a droit à la <1>vie</1>."
FR_TAG_ERROR = "Chacun a droit à la vie."


@pytest.fixture
def fr(session: Session) -> Language:
    """The French team."""
    return make_language(session, "fr")


@pytest.fixture
def ana(session: Session, fr: Language) -> User:
    """A translator of French."""
    return make_user(session, "ana", roles={"fr": "translator"})


@pytest.fixture
def rita(session: Session, fr: Language) -> User:
    """A reviewer of French."""
    return make_user(session, "rita", roles={"fr": "reviewer"})


@pytest.fixture
def bo(session: Session, fr: Language) -> User:
    """A second reviewer of French."""
    return make_user(session, "bo", roles={"fr": "reviewer"})


@pytest.fixture
def segs(session: Session) -> list[Segment]:
    """Three segments: plain, with a paired tag, with a standalone tag."""
    doc = make_document(session)
    stmt = select(Segment).where(Segment.document_id == doc.id).order_by(Segment.position)
    return list(session.scalars(stmt))


@pytest.fixture
def seg(segs: list[Segment]) -> Segment:
    """The plain segment."""
    return segs[0]


def save(session: Session, seg: Segment, lang: Language, user: User, text: str,
         state: State = State.TRANSLATED, base: int | None = None) -> workflow.SaveResult:
    """Save with the current version as base unless told otherwise."""
    if base is None:
        t = workflow.get_translation(session, seg.id, lang.id)
        base = t.version if t else 0
    return workflow.save_translation(session, segment=seg, language=lang, user=user,
                                     target=text, state=state, base_version=base)


def revisions(session: Session, t: Translation) -> list[Revision]:
    """History of a translation, oldest first."""
    return list(session.scalars(select(Revision).where(Revision.translation_id == t.id)
                                .order_by(Revision.id)))


# ------------------------------------------------------------------ saving


@pytest.mark.parametrize(("state", "expected", "verb"), [
    (State.DRAFT, State.DRAFT, "drafted"),
    (State.TRANSLATED, State.TRANSLATED, "translated"),
    (State.UNTRANSLATED, State.DRAFT, "drafted"),  # text without a state is a draft
])
def test_save_creates_translation_revision_and_activity(session, fr, ana, seg, state, expected,
                                                        verb):
    assert workflow.get_translation(session, seg.id, fr.id) is None
    res = save(session, seg, fr, ana, FR_CLEAN, state)
    assert res.status == "saved"
    t = res.translation
    assert (t.target, t.state, t.version, t.translator_id) == (FR_CLEAN, expected, 1, ana.id)
    assert workflow.get_translation(session, seg.id, fr.id).id == t.id
    [rev] = revisions(session, t)
    assert (rev.target, rev.state, rev.author_id, rev.origin) == (FR_CLEAN, expected, ana.id,
                                                                  "editor")
    act = session.scalar(select(Activity))
    assert (act.verb, act.user_id, act.document_id, act.language_id) == (
        verb, ana.id, seg.document_id, fr.id)


def test_save_bumps_version_each_time_and_merges_activity(session, fr, ana, seg):
    for i in range(3):
        res = save(session, seg, fr, ana, f"{FR_CLEAN} {i}")
        assert res.translation.version == i + 1
    assert len(revisions(session, res.translation)) == 3
    [act] = session.scalars(select(Activity)).all()
    session.refresh(act)
    assert act.count == 3


def test_a_save_that_loses_the_race_writes_only_its_conflict_revision(session, fr, ana, seg):
    """Another worker moves the row on between this save's read and its write: the UPDATE
    finds nothing, and neither the revision of the text nor the activity is written with it
    (on PostgreSQL the three are one statement, so this checks its guards)."""
    first = save(session, seg, fr, ana, FR_CLEAN)
    t = first.translation
    session.execute(update(Translation.__table__).where(Translation.id == t.id)
                    .values(version=Translation.version + 1, target="theirs"))
    assert t.version == 1  # this session has not seen the change
    res = workflow.save_translation(session, segment=seg, language=fr, user=ana,
                                    target="mine", state=State.TRANSLATED, base_version=1,
                                    current=t)
    assert (res.status, res.theirs) == ("conflict", "theirs")
    assert [(r.target, r.origin) for r in revisions(session, t)] == [
        (FR_CLEAN, "editor"), ("mine", "conflict")]
    [act] = session.scalars(select(Activity)).all()
    session.refresh(act)
    assert act.count == 1


def test_empty_text_cannot_be_submitted_but_a_draft_clears(session, fr, ana, seg):
    save(session, seg, fr, ana, FR_CLEAN)
    with pytest.raises(WorkflowError, match="empty"):
        save(session, seg, fr, ana, "  ", State.TRANSLATED)
    res = save(session, seg, fr, ana, "  ", State.DRAFT)
    assert (res.translation.target, res.translation.state) == ("", State.UNTRANSLATED)


@pytest.mark.parametrize("state", [State.NEEDS_WORK])
def test_translators_cannot_send_back_by_saving(session, fr, ana, seg, state):
    with pytest.raises(WorkflowError, match="reviewer"):
        save(session, seg, fr, ana, FR_CLEAN, state)


def test_non_members_cannot_save(session, fr, seg):
    make_language(session, "de")
    outsider = make_user(session, "otto", roles={"de": "reviewer"})
    with pytest.raises(WorkflowError, match="not a member"):
        save(session, seg, fr, outsider, FR_CLEAN)
    assert workflow.get_translation(session, seg.id, fr.id) is None


@pytest.mark.parametrize("flag", [{"active": False}, {"deleted": True}])
def test_inactive_or_deleted_accounts_can_do_nothing(session, fr, seg, flag):
    ghost = make_user(session, "ghost", roles={"fr": "reviewer"}, **flag)
    with pytest.raises(WorkflowError, match="not a member"):
        save(session, seg, fr, ghost, FR_CLEAN)
    assert not workflow.can_review(session, ghost, fr)


def test_admin_may_save_without_membership(session, fr, seg):
    admin = make_user(session, "root", is_admin=True)
    assert save(session, seg, fr, admin, FR_CLEAN).status == "saved"


def test_saving_clears_outdated_and_recomputes_qa(session, fr, ana, segs):
    seg = segs[1]
    res = save(session, seg, fr, ana, FR_TAG_ERROR)
    assert res.translation.has_tag_errors
    assert [i.severity for i in res.issues] == ["error"]
    assert workflow.mark_outdated(session, seg) == 1
    session.refresh(res.translation)
    assert res.translation.outdated
    res = save(session, seg, fr, ana, FR_TAGGED)
    t = res.translation
    assert (t.outdated, t.has_tag_errors, t.qa_warnings, res.issues) == (False, False, 0, [])
    res = save(session, segs[0], fr, ana, FR_WARN)
    assert res.translation.qa_warnings == 3 and not res.translation.has_tag_errors


def test_conflict_keeps_both_texts(session, fr, ana, rita, seg):
    first = save(session, seg, fr, ana, FR_CLEAN, base=0)
    res = save(session, seg, fr, rita, FR_CLEAN_2, base=0)
    assert res.status == "conflict"
    assert res.theirs == FR_CLEAN
    t = res.translation
    assert (t.target, t.version) == (FR_CLEAN, 1)
    revs = revisions(session, first.translation)
    assert [(r.target, r.origin, r.author_id) for r in revs] == [
        (FR_CLEAN, "editor", ana.id), (FR_CLEAN_2, "conflict", rita.id)]


# ------------------------------------------------------------------ approving


def test_approve_feeds_memory_and_later_changes_update_it(session, fr, ana, rita, seg):
    fr.allow_self_review = True
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    res = workflow.approve(session, translation=t, user=rita)
    assert res.status == "approved"
    assert (t.state, t.reviewer_id, t.approvals) == (State.APPROVED, rita.id, 1)
    assert [(r.origin, r.state) for r in revisions(session, t)][-1] == ("review", State.APPROVED)
    [unit] = session.scalars(select(MemoryUnit)).all()
    assert (unit.source, unit.target, unit.segment_id, unit.approved) == (
        seg.source, FR_CLEAN, seg.id, True)
    workflow.edit_and_approve(session, segment=seg, language=fr, user=rita, target=FR_CLEAN_2,
                              base_version=t.version)
    [unit] = session.scalars(select(MemoryUnit)).all()
    session.refresh(unit)
    assert unit.target == FR_CLEAN_2
    assert session.scalar(select(func.count(Approval.id))) == 2


@pytest.mark.parametrize(("state", "message"), [
    (State.DRAFT, "awaiting review"),
    (State.UNTRANSLATED, "awaiting review"),
    (State.NEEDS_WORK, "awaiting review"),
    (State.APPROVED, "already approved"),
])
def test_approve_refused_from_other_states(session, fr, ana, rita, seg, state, message):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    if state == State.DRAFT:
        t = save(session, seg, fr, ana, FR_CLEAN, State.DRAFT).translation
    elif state == State.UNTRANSLATED:
        t = save(session, seg, fr, ana, "", State.DRAFT).translation
    elif state == State.NEEDS_WORK:
        workflow.send_back(session, translation=t, user=rita, reason="Wrong register.")
    else:
        workflow.approve(session, translation=t, user=rita)
    version = t.version
    with pytest.raises(WorkflowError, match=message):
        workflow.approve(session, translation=t, user=rita)
    session.refresh(t)
    assert t.version == version


def test_translators_cannot_approve(session, fr, ana, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    other = make_user(session, "tom", roles={"fr": "translator"})
    with pytest.raises(WorkflowError, match="Only reviewers"):
        workflow.approve(session, translation=t, user=other)


def test_tag_errors_block_approval(session, fr, ana, rita, segs):
    t = save(session, segs[1], fr, ana, FR_TAG_ERROR).translation
    with pytest.raises(WorkflowError, match="tag errors"):
        workflow.approve(session, translation=t, user=rita)
    assert t.state == State.TRANSLATED


@pytest.mark.parametrize("allow", [False, True])
def test_self_review_policy(session, fr, rita, seg, allow):
    fr.allow_self_review = allow
    t = save(session, seg, fr, rita, FR_CLEAN).translation
    if allow:
        assert workflow.approve(session, translation=t, user=rita).status == "approved"
    else:
        with pytest.raises(WorkflowError, match="own translation"):
            workflow.approve(session, translation=t, user=rita)
        assert t.state == State.TRANSLATED


def test_admin_may_approve_without_membership(session, fr, ana, seg):
    admin = make_user(session, "root", is_admin=True)
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    assert workflow.approve(session, translation=t, user=admin).status == "approved"


def test_two_approvals_from_distinct_reviewers(session, fr, ana, rita, bo, seg):
    fr.approvals_required = 2
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    res = workflow.approve(session, translation=t, user=rita)
    assert res.status == "pending"
    assert (t.state, t.approvals) == (State.TRANSLATED, 1)
    assert session.scalar(select(func.count(MemoryUnit.id))) == 0
    with pytest.raises(WorkflowError, match="already approved"):
        workflow.approve(session, translation=t, user=rita)
    res = workflow.approve(session, translation=t, user=bo)
    assert (res.status, t.state, t.approvals) == ("approved", State.APPROVED, 2)
    approvals = session.scalars(select(Approval)).all()
    assert len({a.revision_id for a in approvals}) == 1
    assert {a.reviewer_id for a in approvals} == {rita.id, bo.id}
    assert session.scalar(select(func.count(MemoryUnit.id))) == 1


def test_a_new_text_resets_earlier_approvals(session, fr, ana, rita, bo, seg):
    fr.approvals_required = 2
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    workflow.approve(session, translation=t, user=rita)
    save(session, seg, fr, ana, FR_CLEAN_2)
    assert t.approvals == 0
    assert workflow.approve(session, translation=t, user=bo).status == "pending"
    assert workflow.approve(session, translation=t, user=rita).status == "approved"


# ------------------------------------------------------------------ sending back


@pytest.mark.parametrize("start", [State.TRANSLATED, State.APPROVED])
def test_send_back_with_reason(session, fr, ana, rita, seg, start):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    if start == State.APPROVED:
        workflow.approve(session, translation=t, user=rita)
    res = workflow.send_back(session, translation=t, user=rita, reason="  Too formal.  ")
    assert (res.status, t.state, t.target, t.approvals) == ("sent_back", State.NEEDS_WORK,
                                                           FR_CLEAN, 0)
    assert revisions(session, t)[-1].note == "Too formal."
    comment = session.scalar(select(Comment))
    assert (comment.kind, comment.body, comment.author_id) == ("rejection", "Too formal.", rita.id)
    note = session.scalar(select(Notification))
    assert (note.user_id, note.kind, note.params["reason"]) == (ana.id, "sent_back", "Too formal.")
    assert session.scalar(select(Activity).where(Activity.verb == "sent_back")) is not None
    # the translator fixes it and submits again
    res = save(session, seg, fr, ana, FR_CLEAN_2)
    assert t.state == State.TRANSLATED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_send_back_requires_a_reason(session, fr, ana, rita, seg, reason):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    with pytest.raises(WorkflowError, match="reason is required"):
        workflow.send_back(session, translation=t, user=rita, reason=reason)
    assert t.state == State.TRANSLATED
    assert session.scalar(select(Comment)) is None


@pytest.mark.parametrize("state", [State.DRAFT, State.NEEDS_WORK, State.UNTRANSLATED])
def test_send_back_refused_from_other_states(session, fr, ana, rita, seg, state):
    t = save(session, seg, fr, ana, FR_CLEAN, State.DRAFT).translation
    if state == State.UNTRANSLATED:
        save(session, seg, fr, ana, "", State.DRAFT)
    elif state == State.NEEDS_WORK:
        save(session, seg, fr, ana, FR_CLEAN)
        workflow.send_back(session, translation=t, user=rita, reason="No.")
    with pytest.raises(WorkflowError, match="Only translated or approved"):
        workflow.send_back(session, translation=t, user=rita, reason="Again.")


def test_translators_cannot_send_back(session, fr, ana, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    with pytest.raises(WorkflowError, match="Only reviewers"):
        workflow.send_back(session, translation=t, user=ana, reason="Mine.")


def test_no_notification_when_reviewer_sends_back_own_text(session, fr, rita, seg):
    t = save(session, seg, fr, rita, FR_CLEAN).translation
    workflow.send_back(session, translation=t, user=rita, reason="Second thoughts.")
    assert session.scalar(select(Notification)) is None


# ------------------------------------------------------------------ suggestions


def test_changes_to_approved_text_become_suggestions(session, fr, ana, rita, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    workflow.approve(session, translation=t, user=rita)
    version = t.version
    other = make_user(session, "tom", roles={"fr": "translator"})
    res = save(session, seg, fr, ana, FR_CLEAN_2)
    res2 = save(session, seg, fr, other, FR_CLEAN_2 + " !", State.DRAFT, base=0)
    assert (res.status, res2.status) == ("suggested", "suggested")
    session.refresh(t)
    assert (t.target, t.state, t.version) == (FR_CLEAN, State.APPROVED, version)
    suggestions = session.scalars(select(Suggestion).order_by(Suggestion.id)).all()
    assert [(s.author_id, s.status) for s in suggestions] == [(ana.id, "open"), (other.id, "open")]
    assert review_queries.open_suggestions_count(session, t) == 2
    with pytest.raises(WorkflowError, match="cleared by a reviewer"):
        save(session, seg, fr, ana, "", State.DRAFT)
    again = save(session, seg, fr, ana, FR_CLEAN_2 + " (bis)")  # ana's suggestion updated
    assert again.suggestion.id == suggestions[0].id
    assert session.scalar(select(func.count(Suggestion.id))) == 2
    assert suggestions[0].target == FR_CLEAN_2 + " (bis)"
    same = save(session, seg, fr, other, FR_CLEAN)  # the approved text itself: nothing to do
    assert (same.status, same.suggestion) == ("saved", None)
    assert session.scalar(select(func.count(Suggestion.id))) == 2


def test_approving_a_text_without_history(session, fr, rita, seg):
    t = Translation(segment_id=seg.id, language_id=fr.id, target=FR_CLEAN,
                    state=int(State.TRANSLATED), version=3)
    session.add(t)
    session.flush()
    assert workflow.approve(session, translation=t, user=rita).status == "approved"
    assert [r.origin for r in revisions(session, t)] == ["import", "review"]


@pytest.mark.parametrize("allow", [False, True])
def test_reviewer_edit_of_approved_text_follows_self_review(session, fr, ana, rita, seg, allow):
    fr.allow_self_review = allow
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    workflow.approve(session, translation=t, user=rita)
    res = save(session, seg, fr, rita, FR_CLEAN_2)
    assert res.status == ("saved" if allow else "suggested")
    assert t.state == (State.TRANSLATED if allow else State.APPROVED)


def test_accept_suggestion(session, fr, ana, rita, seg):
    t = save(session, seg, fr, rita, FR_CLEAN).translation
    workflow.approve(session, translation=t, user=make_user(session, "bo",
                                                               roles={"fr": "reviewer"}))
    sug = workflow.suggest(session, segment=seg, language=fr, user=ana, target=FR_CLEAN_2)
    res = workflow.accept_suggestion(session, suggestion_id=sug.id, user=rita)
    assert res.status == "approved"
    assert (t.target, t.state, t.translator_id, t.reviewer_id) == (FR_CLEAN_2, State.APPROVED,
                                                                   ana.id, rita.id)
    assert (sug.status, sug.decided_by_id) == ("accepted", rita.id)
    origins = [(r.origin, r.author_id) for r in revisions(session, t)]
    assert ("suggestion", ana.id) in origins
    with pytest.raises(WorkflowError, match="already decided"):
        workflow.accept_suggestion(session, suggestion_id=sug.id, user=rita)
    unit = session.scalar(select(MemoryUnit))
    assert unit.target == FR_CLEAN_2


def test_accepting_own_suggestion_needs_self_review(session, fr, ana, rita, seg):
    sug = workflow.suggest(session, segment=seg, language=fr, user=rita, target=FR_CLEAN)
    with pytest.raises(WorkflowError, match="own translation"):
        workflow.accept_suggestion(session, suggestion_id=sug.id, user=rita)
    assert sug.status == "open"


def test_suggestion_with_tag_errors_cannot_be_accepted(session, fr, ana, rita, segs):
    sug = workflow.suggest(session, segment=segs[1], language=fr, user=ana, target=FR_TAG_ERROR)
    with pytest.raises(WorkflowError, match="tag errors"):
        workflow.accept_suggestion(session, suggestion_id=sug.id, user=rita)


@pytest.mark.parametrize("reason", ["", "Not our term."])
def test_reject_suggestion(session, fr, ana, rita, seg, reason):
    sug = workflow.suggest(session, segment=seg, language=fr, user=ana, target=FR_CLEAN)
    workflow.reject_suggestion(session, suggestion_id=sug.id, user=rita, reason=reason)
    assert sug.status == "rejected"
    comments = session.scalars(select(Comment)).all()
    assert [c.body for c in comments] == ([reason] if reason else [])
    with pytest.raises(WorkflowError, match="already decided"):
        workflow.reject_suggestion(session, suggestion_id=sug.id, user=rita)


def test_translators_cannot_decide_suggestions(session, fr, ana, seg):
    sug = workflow.suggest(session, segment=seg, language=fr, user=ana, target=FR_CLEAN)
    with pytest.raises(WorkflowError, match="Only reviewers"):
        workflow.accept_suggestion(session, suggestion_id=sug.id, user=ana)
    with pytest.raises(WorkflowError, match="Only reviewers"):
        workflow.reject_suggestion(session, suggestion_id=sug.id, user=ana)
    with pytest.raises(WorkflowError, match="empty"):
        workflow.suggest(session, segment=seg, language=fr, user=ana, target=" ")


# ------------------------------------------------------------------ edit and approve


def test_edit_and_approve_needs_self_review(session, fr, ana, rita, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    with pytest.raises(WorkflowError, match="own translation"):
        workflow.edit_and_approve(session, segment=seg, language=fr, user=rita,
                                  target=FR_CLEAN_2, base_version=t.version)
    assert (t.target, t.state) == (FR_CLEAN, State.TRANSLATED)


def test_edit_and_approve_unchanged_text_is_a_plain_approval(session, fr, ana, rita, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    res = workflow.edit_and_approve(session, segment=seg, language=fr, user=rita,
                                    target=FR_CLEAN, base_version=t.version)
    assert (res.status, t.state, t.translator_id) == ("approved", State.APPROVED, ana.id)


@pytest.mark.parametrize(("required", "status", "state"), [
    (1, "approved", State.APPROVED),
    (2, "pending", State.TRANSLATED),
])
def test_edit_and_approve_with_self_review(session, fr, ana, rita, seg, required, status, state):
    fr.allow_self_review = True
    fr.approvals_required = required
    t = save(session, seg, fr, ana, FR_CLEAN, State.DRAFT).translation
    res = workflow.save_translation(session, segment=seg, language=fr, user=rita,
                                    target=FR_CLEAN_2, state=State.APPROVED,
                                    base_version=t.version)
    assert (res.status, t.state, t.target, t.translator_id) == (status, state, FR_CLEAN_2,
                                                                rita.id)


def test_edit_and_approve_refuses_tag_errors_and_translators(session, fr, ana, rita, segs):
    fr.allow_self_review = True
    with pytest.raises(WorkflowError, match="tag errors"):
        workflow.edit_and_approve(session, segment=segs[1], language=fr, user=rita,
                                  target=FR_TAG_ERROR, base_version=0)
    with pytest.raises(WorkflowError, match="Only reviewers"):
        workflow.edit_and_approve(session, segment=segs[1], language=fr, user=ana,
                                  target=FR_TAGGED, base_version=0)


def test_edit_and_approve_conflict(session, fr, ana, rita, seg):
    fr.allow_self_review = True
    save(session, seg, fr, ana, FR_CLEAN)
    res = workflow.edit_and_approve(session, segment=seg, language=fr, user=rita,
                                    target=FR_CLEAN_2, base_version=0)
    assert (res.status, res.theirs) == ("conflict", FR_CLEAN)


# ------------------------------------------------------------------ bulk, revert, outdated


def test_bulk_approve_takes_only_clean_ones(session, fr, ana, rita, segs):
    clean = save(session, segs[0], fr, ana, FR_CLEAN).translation
    tag_error = save(session, segs[1], fr, ana, FR_TAG_ERROR).translation
    draft = save(session, segs[2], fr, ana, "Voir la note.<2/>", State.DRAFT).translation
    doc2 = make_document(session, "manifesto", sources=["We, sex workers, declare our rights."])
    seg4 = session.scalar(select(Segment).where(Segment.document_id == doc2.id))
    warned = save(session, seg4, fr, ana, FR_WARN).translation
    res = workflow.bulk_approve(session, user=rita, translation_ids=[
        clean.id, tag_error.id, draft.id, warned.id, 999_999, clean.id])
    assert res.approved == [clean.id]
    skipped = dict(res.skipped)
    assert set(skipped) == {tag_error.id, draft.id, warned.id, 999_999}
    assert "tag errors" in skipped[tag_error.id]
    assert "warnings" in skipped[warned.id]
    assert clean.state == State.APPROVED and draft.state == State.DRAFT


def test_bulk_approve_pending_with_two_approvals(session, fr, ana, rita, seg):
    fr.approvals_required = 2
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    res = workflow.bulk_approve(session, user=rita, translation_ids=[t.id])
    assert (res.approved, res.pending) == ([], [t.id])


def test_revert_restores_text_as_new_revision(session, fr, ana, seg):
    first = save(session, seg, fr, ana, FR_CLEAN, State.DRAFT)
    save(session, seg, fr, ana, FR_CLEAN_2, State.DRAFT)
    res = workflow.revert(session, revision_id=first.revision.id, user=ana)
    t = res.translation
    assert (res.status, t.target, t.state, t.version) == ("saved", FR_CLEAN, State.TRANSLATED, 3)
    last = revisions(session, t)[-1]
    assert (last.origin, last.target) == ("revert", FR_CLEAN)
    assert session.scalar(select(Activity.verb).order_by(Activity.id.desc())) == "reverted"
    with pytest.raises(WorkflowError, match="not found"):
        workflow.revert(session, revision_id=999_999, user=ana)


def test_revert_of_approved_text_by_translator_is_a_suggestion(session, fr, ana, rita, seg):
    first = save(session, seg, fr, ana, FR_CLEAN)
    save(session, seg, fr, ana, FR_CLEAN_2)
    workflow.approve(session, translation=first.translation, user=rita)
    res = workflow.revert(session, revision_id=first.revision.id, user=ana)
    assert res.status == "suggested"
    assert res.suggestion.origin == "revert"


def test_confirming_an_outdated_approved_text(session, fr, ana, rita, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    workflow.approve(session, translation=t, user=rita)
    seg.previous_source, seg.source = seg.source, "We, sex workers, declare all our rights."
    workflow.mark_outdated(session, seg)
    assert t.outdated and t.state == State.APPROVED
    res = workflow.approve(session, translation=t, user=rita)
    assert (res.status, t.outdated, t.state) == ("approved", False, State.APPROVED)
    assert revisions(session, t)[-1].note == "confirmed after a source change"
    unit = session.scalar(select(MemoryUnit).order_by(MemoryUnit.id.desc()))
    assert unit.source == "We, sex workers, declare all our rights."


def test_mark_outdated_skips_empty_translations(session, fr, ana, segs):
    save(session, segs[0], fr, ana, "", State.DRAFT)
    assert workflow.mark_outdated(session, segs[0]) == 0


def test_stale_base_version_refused_for_review_actions(session, fr, ana, rita, seg):
    t = save(session, seg, fr, ana, FR_CLEAN).translation
    with pytest.raises(WorkflowError, match="changed this segment"):
        workflow.approve(session, translation=t, user=rita, base_version=t.version - 1)
    with pytest.raises(WorkflowError, match="changed this segment"):
        workflow.send_back(session, translation=t, user=rita, reason="x", base_version=0)


# ------------------------------------------------------------------ concurrency


def _setup_committed(session: Session) -> tuple[int, int, int, int]:
    """Commit a language, two translators and a document; return their ids."""
    fr = make_language(session, "fr")
    a = make_user(session, "ana", roles={"fr": "translator"})
    b = make_user(session, "ben", roles={"fr": "translator"})
    doc = make_document(session)
    seg = session.scalar(select(Segment).where(Segment.document_id == doc.id))
    session.commit()
    return fr.id, a.id, b.id, seg.id


def test_two_sessions_same_base_version(app: Flask, session: Session):
    """Real separate sessions: the second saver gets a conflict, both texts are kept."""
    lang_id, a_id, b_id, seg_id = _setup_committed(session)
    maker = app.extensions["tms_sessionmaker"]
    s1, s2 = maker(), maker()
    try:
        for s, uid, text in ((s1, a_id, FR_CLEAN), (s2, b_id, FR_CLEAN_2)):
            res = workflow.save_translation(
                s, segment=s.get(Segment, seg_id), language=s.get(Language, lang_id),
                user=s.get(User, uid), target=text, state=State.TRANSLATED, base_version=0)
            s.commit()
            assert res.status == ("saved" if s is s1 else "conflict")
        s2.close()
        s1.close()
        session.expire_all()
        t = workflow.get_translation(session, seg_id, lang_id)
        assert (t.target, t.version) == (FR_CLEAN, 1)
        revs = revisions(session, t)
        assert sorted((r.target, r.origin) for r in revs) == [
            (FR_CLEAN, "editor"), (FR_CLEAN_2, "conflict")]
    finally:
        s1.close()
        s2.close()


def test_concurrent_savers_never_both_win(app: Flask, session: Session):
    """Threads racing on the same base version: PostgreSQL's row locks, SQLite's writer lock
    (pysqlite opens the transaction only at the first write, so no stale snapshot)."""
    lang_id, a_id, b_id, seg_id = _setup_committed(session)
    maker = app.extensions["tms_sessionmaker"]
    rounds = 10
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(uid: int, tag: str) -> None:
        for i in range(rounds):
            with maker() as s:
                try:
                    t = workflow.get_translation(s, seg_id, lang_id)
                    base = t.version if t else 0
                    barrier.wait(timeout=10)
                    res = workflow.save_translation(
                        s, segment=s.get(Segment, seg_id), language=s.get(Language, lang_id),
                        user=s.get(User, uid), target=f"{tag} {i}", state=State.TRANSLATED,
                        base_version=base)
                    s.commit()
                    outcomes.append(res.status)
                    barrier.wait(timeout=10)
                except BaseException as exc:
                    errors.append(exc)
                    barrier.abort()
                    raise

    threads = [threading.Thread(target=worker, args=(a_id, "A")),
               threading.Thread(target=worker, args=(b_id, "B"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert outcomes.count("saved") == rounds and outcomes.count("conflict") == rounds
    session.expire_all()
    t = workflow.get_translation(session, seg_id, lang_id)
    assert t.version == rounds
    assert session.scalar(select(func.count(Revision.id))) == 2 * rounds
    assert session.scalar(select(func.count(Translation.id))) == 1
