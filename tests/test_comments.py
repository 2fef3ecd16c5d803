"""Comment threads: per segment and language, plain text, resolvable, pseudonymous."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Segment, User
from tms.services.comments import CommentError, add_comment, list_comments, resolve_comment


@pytest.fixture
def seg(session: Session) -> Segment:
    """The first segment of the sample document."""
    doc = make_document(session)
    found = session.scalar(select(Segment).where(Segment.document_id == doc.id,
                                                 Segment.position == 0))
    assert found is not None
    return found


@pytest.fixture
def ana(session: Session) -> User:
    """A French translator."""
    return make_user(session, "ana", roles={"fr": "translator"})


def test_thread_is_per_language_and_in_order(session: Session, seg: Segment, ana: User) -> None:
    fr, de = make_language(session, "fr"), make_language(session, "de")
    add_comment(session, segment=seg, language=fr, user=ana, body="  First?  ")
    add_comment(session, segment=seg, language=de, user=ana, body="Erste?")
    add_comment(session, segment=seg, language=fr, user=ana, body="Second.")
    thread = list_comments(session, seg, fr)
    assert [c.body for c in thread] == ["First?", "Second."]
    assert [c.body for c in list_comments(session, seg, de)] == ["Erste?"]
    assert thread[0].author == "ana" and not thread[0].resolved


def test_resolve_and_reopen(session: Session, seg: Segment, ana: User) -> None:
    fr = make_language(session, "fr")
    comment = add_comment(session, segment=seg, language=fr, user=ana, body="Typo?")
    resolve_comment(session, comment, user=ana)
    assert list_comments(session, seg, fr)[0].resolved
    assert comment.resolved_by_id == ana.id
    resolve_comment(session, comment, user=ana, resolved=False)
    assert not list_comments(session, seg, fr)[0].resolved


def test_deleted_author_is_a_former_volunteer(session: Session, seg: Segment,
                                              ana: User) -> None:
    fr = make_language(session, "fr")
    add_comment(session, segment=seg, language=fr, user=ana, body="Hello")
    ana.pseudonym, ana.deleted = None, True
    session.flush()
    assert list_comments(session, seg, fr)[0].author == "former volunteer"


@pytest.mark.parametrize(("body", "message"), [("", "empty"), ("   \n ", "empty"),
                                               ("x" * 5001, "too long")])
def test_bad_bodies(session: Session, seg: Segment, ana: User, body: str, message: str) -> None:
    with pytest.raises(CommentError, match=message):
        add_comment(session, segment=seg, language=make_language(session, "fr"), user=ana,
                    body=body)


def test_api_add_and_resolve(client: FlaskClient, session: Session, seg: Segment,
                             ana: User) -> None:
    make_user(session, "out", roles={"de": "translator"})
    session.commit()
    login(client, "ana")
    resp = client.post(f"/api/segments/{seg.id}/fr/comments",
                       json={"body": "<img src=x onerror=alert(1)> ok?"})
    assert resp.status_code == 201
    comment = resp.json["comments"][0]
    assert comment["body"] == "<img src=x onerror=alert(1)> ok?"  # stored as typed
    empty = client.post(f"/api/segments/{seg.id}/fr/comments", json={"body": " "})
    assert empty.status_code == 400 and empty.json["error"] == "The comment is empty."
    resolved = client.post(f"/api/comments/{comment['id']}/resolve", json={})
    assert resolved.json["comments"][0]["resolved"] is True
    reopened = client.post(f"/api/comments/{comment['id']}/resolve", json={"resolved": False})
    assert reopened.json["comments"][0]["resolved"] is False
    client.post("/logout")
    login(client, "out")
    assert client.post(f"/api/comments/{comment['id']}/resolve", json={}).status_code == 403
    assert client.post(f"/api/segments/{seg.id}/fr/comments",
                       json={"body": "hi"}).status_code == 403
    assert client.post("/api/comments/999999/resolve", json={}).status_code == 404


def test_open_comment_count_on_the_page(client: FlaskClient, session: Session, seg: Segment,
                                        ana: User) -> None:
    fr = make_language(session, "fr")
    add_comment(session, segment=seg, language=fr, user=ana, body="One")
    done = add_comment(session, segment=seg, language=fr, user=ana, body="Two")
    resolve_comment(session, done, user=ana)
    session.commit()
    login(client, "ana")
    html = client.get("/translate/declaration/fr").get_data(as_text=True)
    assert ">1 open comment<" in html


def test_new_comment_notifies_the_translator(session):
    """A comment on a segment reaches its translator as an in-app notification."""
    from sqlalchemy import select

    from tests.factories import make_document, make_language, make_user
    from tms.models import Notification, Segment, State
    from tms.services import comments, notifications, workflow

    fr = make_language(session, "fr")
    translator = make_user(session, "tina", roles={"fr": "translator"})
    reviewer = make_user(session, "rey", roles={"fr": "reviewer"})
    doc = make_document(session)
    segment = session.scalars(select(Segment).where(Segment.document_id == doc.id)).first()
    workflow.save_translation(session, segment=segment, language=fr, user=translator,
                              target="Nous déclarons nos droits.", state=State.TRANSLATED,
                              base_version=0)
    comments.add_comment(session, segment=segment, language=fr, user=reviewer,
                         body="Is 'declare' right here?")
    assert notifications.unread_count(session, translator) == 1
    assert session.scalar(select(Notification.kind).where(
        Notification.user_id == translator.id)) == "comment"
