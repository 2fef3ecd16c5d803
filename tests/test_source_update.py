"""A source update that changes, inserts, deletes and moves paragraphs, seen per language."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_language, make_user
from tms.inline import strip_tags
from tms.models import Document, Notification, Segment, State, Translation, User
from tms.services import importing, memory, updates, workflow

V1 = ("We work in the city.\n\nWe rest on Sundays.\n\nOur collective meets monthly.\n\n"
      "We speak for ourselves.\n")
# moved: the last paragraph first; changed: Sundays; deleted: the collective; inserted: vote
V2 = ("We speak for ourselves.\n\nWe work in the city.\n\nWe rest on Sundays and holidays.\n\n"
      "Nothing about us without us!\n")
FR = {"We work in the city.": ("Nous travaillons en ville.", State.APPROVED),
      "We rest on Sundays.": ("Nous nous reposons le dimanche.", State.TRANSLATED),
      "Our collective meets monthly.": ("Notre collectif se réunit chaque mois.", State.TRANSLATED),
      "We speak for ourselves.": ("Nous parlons pour nous-mêmes.", State.DRAFT)}


@dataclass
class Updated:
    doc: Document
    report: importing.ImportReport
    by_text: dict[str, Segment]
    fr_id: int
    de_id: int


def _save(session: Session, seg: Segment, lang, user: User, target: str, state: State) -> None:
    if state == State.APPROVED:
        workflow.save_translation(session, segment=seg, language=lang, user=user, target=target,
                                  state=State.TRANSLATED, base_version=0)
        t = workflow.get_translation(session, seg.id, lang.id)
        reviewer = session.scalar(select(User).where(User.pseudonym == "rita"))
        workflow.approve(session, translation=t, user=reviewer, base_version=t.version)
        return
    workflow.save_translation(session, segment=seg, language=lang, user=user, target=target,
                              state=state, base_version=0)


@pytest.fixture
def updated(session: Session) -> Updated:
    fr, de = make_language(session, "fr"), make_language(session, "de")
    boss = make_user(session, "boss", is_admin=True)
    ana = make_user(session, "ana", roles={"fr": "translator", "de": "translator"})
    make_user(session, "rita", roles={"fr": "reviewer"})
    doc = importing.import_document(session, filename="rights.md", data=V1.encode(),
                                    user=boss).document
    segs = {strip_tags(s.source): s for s in session.scalars(
        select(Segment).where(Segment.document_id == doc.id))}
    for text, (target, state) in FR.items():
        _save(session, segs[text], fr, ana, target, state)
    _save(session, segs["We work in the city."], de, ana, "Wir arbeiten in der Stadt.",
          State.TRANSLATED)
    memory.remember(session, source="Nothing about us without us!",
                    target="Rien sur nous sans nous !", source_language="en",
                    target_language="fr", origin="tmx: network.tmx")
    session.commit()
    report = importing.import_document(session, filename="rights.md", data=V2.encode(),
                                       slug=doc.slug, user=boss)
    session.commit()
    by_text = {strip_tags(s.source): s for s in session.scalars(
        select(Segment).where(Segment.document_id == doc.id))}
    return Updated(doc, report, by_text, fr.id, de.id)


def _fr(session: Session, u: Updated, text: str) -> Translation | None:
    return workflow.get_translation(session, u.by_text[text].id, u.fr_id)


def test_unchanged_and_moved_segments_keep_their_translations(session, updated):
    work = _fr(session, updated, "We work in the city.")
    assert work.target == "Nous travaillons en ville." and work.state == State.APPROVED
    assert not work.outdated
    speak = _fr(session, updated, "We speak for ourselves.")
    assert speak.target == "Nous parlons pour nous-mêmes." and not speak.outdated
    assert updated.by_text["We speak for ourselves."].position == 0


def test_changed_segments_are_outdated_with_old_and_new_source(session, updated):
    seg = updated.by_text["We rest on Sundays and holidays."]
    assert seg.previous_source == "We rest on Sundays."
    rest = _fr(session, updated, "We rest on Sundays and holidays.")
    assert rest.outdated and rest.target == "Nous nous reposons le dimanche."
    assert rest.state == State.TRANSLATED


def test_new_segments_are_prefilled_from_exact_memory_matches(session, updated):
    new = _fr(session, updated, "Nothing about us without us!")
    assert new.target == "Rien sur nous sans nous !" and new.state == State.DRAFT
    assert workflow.get_translation(session, updated.by_text["Nothing about us without us!"].id,
                                    updated.de_id) is None


def test_removed_segments_are_archived_with_their_translations(session, updated):
    seg = updated.by_text["Our collective meets monthly."]
    assert seg.archived and seg.block_id is None
    kept = _fr(session, updated, "Our collective meets monthly.")
    assert kept.target == "Notre collectif se réunit chaque mois."


def test_document_wide_and_per_language_counts(session, updated):
    r = updated.report
    assert (r.unchanged, r.changed, r.new, r.removed, r.prefilled) == (2, 1, 1, 1, 1)
    report = updates.update_report(session, updated.doc, r.version)
    assert report.latest
    rows = {row.language.code: row.as_dict() for row in report.languages}
    assert rows["fr"] == {"language": "fr", "kept": 2, "outdated": 1, "new": 1,
                          "new_untranslated": 0, "prefilled": 1, "archived": 1}
    assert rows["de"] == {"language": "de", "kept": 1, "outdated": 0, "new": 1,
                          "new_untranslated": 1, "prefilled": 0, "archived": 0}
    first = updates.update_report(session, updated.doc, updated.doc.versions[0])
    assert not first.latest


def test_members_are_told_of_an_update_but_not_of_a_new_or_unchanged_document(
        session, updated):
    assert updates.announce_update(session, updated.report) == 3  # ana (fr, de), rita (fr)
    rows = session.execute(select(Notification.kind, Notification.link)).all()
    assert {kind for kind, _link in rows} == {"document_updated"}
    assert "/translate/rights/fr" in {link for _kind, link in rows}
    same = importing.import_document(session, filename="rights.md", data=V2.encode(),
                                     slug=updated.doc.slug)
    assert same.status == "unchanged" and updates.announce_update(session, same) == 0
    fresh = importing.import_document(session, filename="other.md", data=b"Hello.\n")
    assert updates.announce_update(session, fresh) == 0


def test_importing_a_changed_version_notifies_the_language_teams(session):
    """Whoever imports (web or CLI), team members hear about a changed source once."""
    from tests.factories import make_user
    from tms.services import importing, notifications

    member = make_user(session, "nadia", roles={"fr": "translator"})
    importing.import_document(session, filename="doc.md", data=b"# Title\n\nFirst text.\n",
                              slug="doc")
    assert notifications.unread_count(session, member) == 0
    importing.import_document(session, filename="doc.md", data=b"# Title\n\nNew text.\n",
                              slug="doc")
    assert notifications.unread_count(session, member) == 1
    importing.import_document(session, filename="doc.md", data=b"# Title\n\nNew text.\n",
                              slug="doc")  # unchanged: no second notice
    assert notifications.unread_count(session, member) == 1
