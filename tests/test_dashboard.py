"""The dashboard: progress counts per document and language, my attention list, activity."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Activity, Comment, Segment, State, Translation, User
from tms.queries.dashboard import needs_attention
from tms.web.dashboard import activity_sentence


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    """A document of three segments (6 + 6 + 3 words) partly translated into French."""
    ana = make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "dmytro", roles={"uk": "translator"})
    fr = make_language(session, "fr")
    make_language(session, "uk")
    doc = make_document(session)
    s1, s2, s3 = session.scalars(select(Segment).order_by(Segment.position)).all()
    session.add_all([
        Translation(segment_id=s1.id, language_id=fr.id, target="Nous déclarons nos droits.",
                    state=int(State.APPROVED), translator_id=ana.id),
        Translation(segment_id=s2.id, language_id=fr.id, target="Chacun a droit à la vie.",
                    state=int(State.NEEDS_WORK), translator_id=ana.id),
        Translation(segment_id=s3.id, language_id=fr.id, target="Voir la note.<2/>",
                    state=int(State.TRANSLATED), translator_id=ana.id, outdated=True),
        Comment(segment_id=s1.id, language_id=fr.id, author_id=ana.id, body="secret body"),
        Activity(user_id=ana.id, verb="translated", document_id=doc.id, language_id=fr.id,
                 count=3),
    ])
    session.commit()
    words = [s.word_count for s in (s1, s2, s3)]
    return {"ana": ana, "doc": doc, "fr": fr, "words": words}


def _cell(page: str, doc_id: int, lang_id: int) -> str:
    match = re.search(rf'<li class="[^"]*" id="p-{doc_id}-{lang_id}">(.*?)</li>', page, re.S)
    assert match is not None, page
    return match.group(1)


def test_progress_bars_count_words_and_segments(app: Flask, client: FlaskClient,
                                                world: dict) -> None:
    login(client, "ana")
    page = client.get("/").get_data(as_text=True)
    doc, fr, words = world["doc"], world["fr"], world["words"]
    cell = _cell(page, doc.id, fr.id)
    total = sum(words)
    done = words[0] + words[2]  # approved + translated
    assert f'max="{total}" value="{done}"' in cell
    assert f'max="{total}" value="{words[0]}"' in cell  # approved only
    assert f"Translated: {done * 100 // total}% of words" in cell
    rows = dict(re.findall(r'<tr class="state-(\w+)">.*?<td>(\d+)</td>', cell, re.S))
    assert rows == {"untranslated": "0", "needs_work": "1", "draft": "0", "translated": "1",
                    "approved": "1", "outdated": "1"}
    # Editor links for my team's cell; the dashboard itself carries no inline style.
    assert "/translate/declaration/fr" in cell
    assert "style=" not in page


def test_my_languages_come_first_and_others_have_no_edit_link(client: FlaskClient,
                                                             world: dict,
                                                             session: Session) -> None:
    uk_id = session.scalar(select(User).where(User.pseudonym == "dmytro")).memberships[0] \
        .language_id  # type: ignore[union-attr]
    login(client, "dmytro")
    page = client.get("/").get_data(as_text=True)
    doc, fr = world["doc"], world["fr"]
    assert page.index(f'id="p-{doc.id}-{uk_id}"') < page.index(f'id="p-{doc.id}-{fr.id}"')
    assert "/translate/declaration/fr" not in _cell(page, doc.id, fr.id)


def test_needs_my_attention(client: FlaskClient, world: dict, session: Session) -> None:
    items = needs_attention(session, world["ana"])
    assert [(i.open_comments, i.sent_back, i.outdated) for i in items] == [(1, 1, 1)]
    login(client, "ana")
    page = client.get("/").get_data(as_text=True)
    assert "1 segment sent back to me" in page
    assert "1 segment with open comments" in page
    assert "1 outdated segment" in page
    assert "/translate/declaration/fr?filter=needs_work" in page


def test_other_teams_see_nothing_to_attend(client: FlaskClient, world: dict,
                                           session: Session) -> None:
    dmytro = session.scalar(select(User).where(User.pseudonym == "dmytro"))
    assert dmytro is not None and needs_attention(session, dmytro) == []
    login(client, "dmytro")
    assert "Needs my attention" not in client.get("/").get_data(as_text=True)


def test_recent_activity_shows_pseudonyms_not_texts(client: FlaskClient, world: dict) -> None:
    login(client, "dmytro")
    page = client.get("/").get_data(as_text=True)
    activity = page[page.index('id="h-activity"'):]
    assert "ana" in activity and "translated" in activity and "3 segments" in activity
    for secret in ("secret body", "Nous déclarons", "Chacun a droit"):
        assert secret not in page


def test_empty_dashboard(client: FlaskClient, session: Session) -> None:
    make_user(session, "solo")
    session.commit()
    login(client, "solo")
    page = client.get("/").get_data(as_text=True)
    assert "There are no documents yet." in page


def test_dashboard_needs_login(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize(("verb", "count", "sentence"), [
    ("translated", 1, "ana translated 1 segment of “Sample declaration” (fr)."),
    ("approved", 4, "ana approved 4 segments of “Sample declaration” (fr)."),
    ("imported", 9, "ana imported a new version of “Sample declaration”."),
    ("something_new", 1, "ana: something new, “Sample declaration” (fr)."),
])
def test_activity_sentences(app: Flask, world: dict, session: Session, verb: str, count: int,
                            sentence: str) -> None:
    activity = Activity(user_id=world["ana"].id, verb=verb, document_id=world["doc"].id,
                        language_id=world["fr"].id, count=count)
    session.add(activity)
    session.flush()
    session.refresh(activity)
    with app.test_request_context():
        assert activity_sentence(activity) == sentence


def test_activity_of_a_deleted_account_names_no_one(app: Flask, world: dict,
                                                    session: Session) -> None:
    from tms.services import accounts

    accounts.delete_account(session, world["ana"])
    activity = session.scalars(select(Activity)).one()
    with app.test_request_context():
        assert activity_sentence(activity).startswith("former volunteer translated 3 segments")
