"""The editor's JSON API: save (draft, translated, conflict, suggestion), panel, revert,
access rules and JSON errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, login, make_document, make_language, make_user
from tms.models import Document, Revision, Segment, State, Translation, User
from tms.services import glossary, memory, workflow


@pytest.fixture
def team(session: Session) -> dict[str, User]:
    """A French translator and reviewer, and an outsider."""
    users = {
        "ana": make_user(session, "ana", roles={"fr": "translator"}),
        "bea": make_user(session, "bea", roles={"fr": "translator"}),
        "rev": make_user(session, "rev", roles={"fr": "reviewer"}),
        "out": make_user(session, "out", roles={"de": "translator"}),
    }
    session.commit()
    return users


@pytest.fixture
def segs(session: Session, team: dict[str, User]) -> list[Segment]:
    """The factory's sample document: plain, one paired tag, one standalone tag."""
    doc = make_document(session)
    session.commit()
    return list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))


def url(seg: Segment, what: str, lang: str = "fr") -> str:
    """An API URL of a segment."""
    return f"/api/segments/{seg.id}/{lang}/{what}"


def post_save(client: FlaskClient, seg: Segment, target: str, state: str = "draft",
              base: Any = 0) -> Any:
    """POST a save and return the response."""
    return client.post(url(seg, "save"), json={"target": target, "state": state,
                                              "base_version": base})


def test_save_draft_then_translated(client: FlaskClient, segs: list[Segment],
                                    session: Session) -> None:
    login(client, "ana")
    first = post_save(client, segs[1], "Chacun a droit à la <1>vie</1>.")
    assert first.status_code == 200
    assert first.json["status"] == "saved"
    assert first.json["state"] == "draft" and first.json["state_label"] == "Draft"
    second = post_save(client, segs[1], "Toute personne a droit à la <1>vie</1>.",
                       "translated", first.json["version"])
    assert second.json["status"] == "saved"
    assert second.json["state"] == "translated"
    assert second.json["version"] > first.json["version"]
    tr = session.scalar(select(Translation).where(Translation.segment_id == segs[1].id))
    assert tr is not None and tr.state == State.TRANSLATED
    assert tr.target == "Toute personne a droit à la <1>vie</1>."


def test_save_reports_tag_errors(client: FlaskClient, segs: list[Segment]) -> None:
    login(client, "ana")
    resp = post_save(client, segs[1], "Chacun a droit à la vie.")
    assert resp.json["status"] == "saved"  # a draft may be imperfect
    assert [i["code"] for i in resp.json["issues"]] == ["tag-missing"]
    assert resp.json["issues"][0]["severity"] == "error"
    assert resp.json["has_tag_errors"] is True


def test_version_conflict_keeps_both_texts(client: FlaskClient, segs: list[Segment],
                                           app: Flask) -> None:
    other = app.test_client()
    login(client, "ana")
    login(other, "bea")
    theirs = post_save(other, segs[0], "Nous, travailleuses du sexe, déclarons nos droits.")
    assert theirs.json["status"] == "saved"
    mine = post_save(client, segs[0], "Nous, travailleur·ses du sexe, déclarons nos droits.")
    assert mine.json["status"] == "conflict"
    assert mine.json["theirs"] == "Nous, travailleuses du sexe, déclarons nos droits."
    assert mine.json["version"] == theirs.json["version"]
    # keep mine: save again on the new base version
    again = post_save(client, segs[0], "Nous, travailleur·ses du sexe, déclarons nos droits.",
                      base=mine.json["version"])
    assert again.json["status"] == "saved"
    history = client.get(url(segs[0], "panel")).json["history"]
    texts = [h["target"] for h in history]
    assert "Nous, travailleuses du sexe, déclarons nos droits." in texts
    assert "Nous, travailleur·ses du sexe, déclarons nos droits." in texts
    assert any(h["origin"] == "conflict" for h in history)
    assert {h["author"] for h in history} == {"ana", "bea"}


def test_saving_over_approved_text_becomes_a_suggestion(
    client: FlaskClient, segs: list[Segment], session: Session, team: dict[str, User]
) -> None:
    login(client, "ana")
    saved = post_save(client, segs[0], "Nous déclarons nos droits.", "translated")
    tr = workflow.get_translation(session, segs[0].id, make_language(session, "fr").id)
    assert tr is not None
    assert workflow.approve(session, translation=tr, user=team["rev"]).status == "approved"
    session.commit()
    resp = post_save(client, segs[0], "Nous proclamons nos droits.", "translated",
                     saved.json["version"] + 1)
    assert resp.json["status"] == "suggested"
    assert resp.json["target"] == "Nous déclarons nos droits."  # the approved text stays


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"target": "x", "state": "approved", "base_version": 0}, "draft"),
        ({"target": "x", "state": "draft"}, "base version"),
        ({"target": "x", "state": "draft", "base_version": "1"}, "base version"),
        ({"target": 5, "state": "draft", "base_version": 0}, "text"),
        ({"target": "x" * 20001, "state": "draft", "base_version": 0}, "text"),
        ([1, 2], "JSON object"),
        ({"target": "", "state": "translated", "base_version": 0}, "empty"),
    ],
)
def test_bad_save_requests_get_a_json_error(client: FlaskClient, segs: list[Segment],
                                            body: Any, message: str) -> None:
    login(client, "ana")
    resp = client.post(url(segs[0], "save"), json=body)
    assert resp.status_code == 400
    assert resp.is_json and message in resp.json["error"]


def test_non_json_body(client: FlaskClient, segs: list[Segment]) -> None:
    login(client, "ana")
    resp = client.post(url(segs[0], "save"), data="target=x")
    assert resp.status_code == 400 and resp.is_json


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "panel", 401),
        ("out", "panel", 403),
        ("ana", "panel-in-xx", 404),
        ("ana", "missing-segment", 404),
        ("ana", "wrong-method", 405),
    ],
)
def test_access_errors_are_json(client: FlaskClient, segs: list[Segment], who: str | None,
                                path: str, status: int) -> None:
    if who:
        login(client, who)
    target = {
        "panel": url(segs[0], "panel"),
        "panel-in-xx": url(segs[0], "panel", "xx"),
        "missing-segment": "/api/segments/999999/fr/panel",
        "wrong-method": url(segs[0], "save"),
    }[path]
    resp = client.get(target)
    assert resp.status_code == status
    assert resp.is_json and resp.json["error"]


def test_outsider_cannot_save(client: FlaskClient, segs: list[Segment]) -> None:
    login(client, "out")
    resp = post_save(client, segs[0], "Texte.")
    assert resp.status_code == 403 and resp.is_json


def test_panel_contents(client: FlaskClient, segs: list[Segment], session: Session,
                        team: dict[str, User]) -> None:
    fr = make_language(session, "fr")
    memory.remember(session, source="Everyone has the right to <1>work</1>.",
                    target="Chacun a droit au <1>travail</1>.", source_language="en",
                    target_language="fr", origin="manifesto #12")
    glossary.add_term(session, language=fr, source_term="right", target_term="droit",
                      note="legal sense", approved=True)
    session.commit()
    login(client, "ana")
    post_save(client, segs[1], "Chacun a droit à la vie.")
    client.post(url(segs[1], "comments"), json={"body": "Is <b>vie</b> right?"})
    data = client.get(url(segs[1], "panel")).json
    assert data["translation"]["target"] == "Chacun a droit à la vie."
    assert data["translation"]["state"] == "draft" and data["translation"]["version"] == 1
    match = data["memory"][0]
    assert match["target"] == "Chacun a droit au <1>travail</1>."
    assert 60 <= match["score"] < 100 and match["origin"] == "manifesto #12"
    assert ["delete", "work"] in match["diff"] and ["insert", "life"] in match["diff"]
    assert "".join(t for op, t in match["diff"] if op != "delete") == \
        "Everyone has the right to life."
    assert data["glossary"] == [{"source": "right", "target": "droit", "note": "legal sense",
                                 "forbidden": False, "approved": True}]
    assert [i["code"] for i in data["qa"]] == ["tag-missing"]
    assert data["comments"][0]["body"] == "Is <b>vie</b> right?"  # plain text, raw in JSON
    assert data["comments"][0]["author"] == "ana"
    assert [h["target"] for h in data["history"]] == ["Chacun a droit à la vie."]
    assert data["history"][0]["state"] == "draft"


def test_check_endpoint(client: FlaskClient, segs: list[Segment]) -> None:
    login(client, "ana")
    resp = client.post(url(segs[2], "check"), json={"target": "Voir la note."})
    assert [i["code"] for i in resp.json["issues"]] == ["tag-missing"]


def test_revert(client: FlaskClient, segs: list[Segment], session: Session) -> None:
    login(client, "ana")
    first = post_save(client, segs[0], "Première version.")
    post_save(client, segs[0], "Deuxième version.", base=first.json["version"])
    history = client.get(url(segs[0], "panel")).json["history"]
    oldest = history[-1]
    assert oldest["target"] == "Première version."
    resp = client.post(f"/api/revisions/{oldest['id']}/revert", json={})
    assert resp.status_code == 200
    assert resp.json["target"] == "Première version."
    assert [h["target"] for h in resp.json["history"]] == [
        "Première version.", "Deuxième version.", "Première version."]
    assert resp.json["history"][0]["origin"] == "revert"
    assert session.query(Revision).count() == 3


def test_revert_needs_membership(client: FlaskClient, segs: list[Segment]) -> None:
    login(client, "ana")
    post_save(client, segs[0], "Première version.")
    rev_id = client.get(url(segs[0], "panel")).json["history"][0]["id"]
    client.post("/logout")
    login(client, "out")
    assert client.post(f"/api/revisions/{rev_id}/revert", json={}).status_code == 403
    assert client.post("/api/revisions/999999/revert", json={}).status_code == 404


def test_writes_need_the_csrf_header(csrf_app: Flask) -> None:
    # No `session` fixture here: its app context would share flask.g (and so a stale CSRF
    # token) between the client's requests.
    from tms.db import get_session

    with csrf_app.app_context():
        db = get_session()
        make_user(db, "ana", roles={"fr": "translator"})
        seg_id = db.scalars(select(Segment.id).where(
            Segment.document_id == make_document(db).id)).first()
        db.commit()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post("/login", data={"pseudonym": "ana", "password": PASSWORD,
                                "csrf_token": token.group(1)})
    html = client.get("/translate/declaration/fr").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert meta is not None
    body = {"target": "Texte.", "state": "draft", "base_version": 0}
    save_url = f"/api/segments/{seg_id}/fr/save"
    refused = client.post(save_url, json=body)
    assert refused.status_code == 400 and "reload the page" in refused.json["error"]
    ok = client.post(save_url, json=body, headers={"X-CSRFToken": meta.group(1)})
    assert ok.status_code == 200 and ok.json["status"] == "saved", ok.json


def test_no_document_in_json(client: FlaskClient, session: Session,
                             team: dict[str, User]) -> None:
    doc: Document = make_document(session, "long", sources=[f"Sentence {i}." for i in range(200)])
    session.commit()
    first = session.scalar(select(Segment).where(Segment.document_id == doc.id,
                                                 Segment.position == 0))
    assert first is not None
    login(client, "ana")
    assert len(client.get(url(first, "panel")).get_data()) < 2000


def test_panel_shows_how_an_outdated_source_changed(
    client: FlaskClient, segs: list[Segment], session: Session, team: dict[str, User]
) -> None:
    login(client, "ana")
    post_save(client, segs[0], "Nous déclarons nos droits.")
    assert client.get(url(segs[0], "panel")).json["source_change"] is None
    # what an import of a new version does to a changed segment
    segs[0].previous_source = "We declare our rights."
    tr = workflow.get_translation(session, segs[0].id, make_language(session, "fr").id)
    assert tr is not None
    tr.outdated = True
    session.commit()
    change = client.get(url(segs[0], "panel")).json["source_change"]
    assert ["insert", ", sex workers,"] in change or any(
        op == "insert" and "sex" in text for op, text in change)


def test_suggestion_listed_and_accepted_by_a_reviewer(
    client: FlaskClient, app: Flask, segs: list[Segment], session: Session,
    team: dict[str, User]
) -> None:
    login(client, "ana")
    saved = post_save(client, segs[0], "Nous déclarons nos droits.", "translated")
    tr = workflow.get_translation(session, segs[0].id, make_language(session, "fr").id)
    assert tr is not None
    workflow.approve(session, translation=tr, user=team["rev"])
    session.commit()
    assert post_save(client, segs[0], "Nous proclamons nos droits.", "translated",
                     saved.json["version"] + 1).json["status"] == "suggested"
    suggestions = client.get(url(segs[0], "panel")).json["suggestions"]
    assert [(s["author"], s["target"]) for s in suggestions] == [
        ("ana", "Nous proclamons nos droits.")]
    sid = suggestions[0]["id"]
    assert client.post(f"/api/suggestions/{sid}/accept", json={}).status_code == 403
    reviewer = app.test_client()
    login(reviewer, "rev")
    resp = reviewer.post(f"/api/suggestions/{sid}/accept", json={})
    assert resp.status_code == 200, resp.json
    assert resp.json["target"] == "Nous proclamons nos droits."
    assert resp.json["state"] == "approved" and resp.json["suggestions"] == []
    assert reviewer.post("/api/suggestions/999999/accept", json={}).status_code == 404
