"""Notifications: stored as kind + params, worded at display time; the page and its actions."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Comment, DocumentVersion, Notification, Segment, State, User
from tms.services import notifications, workflow
from tms.web.login import LoginUser


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    """A French translator and reviewer, a German translator, an outsider."""
    make_language(session, "fr")
    make_language(session, "de")
    return {
        "ana": make_user(session, "ana", roles={"fr": "translator"}),
        "rita": make_user(session, "rita", roles={"fr": "reviewer", "de": "reviewer"}),
        "hans": make_user(session, "hans", roles={"de": "translator"}),
        "gone": make_user(session, "gone", roles={"de": "translator"}, deleted=True),
        "nobody": make_user(session, "nobody"),
    }


def test_notify_render_count_and_mark_read(session, people):
    ana = people["ana"]
    n1 = notifications.notify(session, ana, "sent_back", {
        "reviewer": "rita", "language": "French", "document": "Declaration",
        "reason": "Too formal."}, "/translate/declaration/fr")
    n2 = notifications.notify(session, ana.id, "document_updated", {"document": "D"})
    assert notifications.render(n1) == (
        "rita sent back your French translation in “Declaration”: Too formal.")
    assert notifications.render(n2) == (  # a missing parameter does not crash the page
        "“D” has a new version (…): please check the … translation.")
    assert notifications.unread_count(session, ana) == 2
    assert [n.id for n in notifications.list_for(session, ana)] == [n2.id, n1.id]
    assert notifications.mark_read(session, ana, [n1.id]) == 1
    assert notifications.mark_read(session, ana, [n1.id]) == 0
    assert notifications.mark_read(session, ana, []) == 0
    assert notifications.unread_count(session, ana) == 1
    assert [n.id for n in notifications.list_for(session, ana, unread_only=True)] == [n2.id]
    assert notifications.mark_read(session, people["rita"]) == 0  # not someone else's
    assert notifications.mark_read(session, ana) == 1
    assert notifications.unread_count(session, ana) == 0
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify(session, ana, "nonsense", {})


def test_params_stored_not_text(session, people):
    note = notifications.notify(session, people["ana"], "comment",
                                {"author": "rita", "language": "French", "document": "D"})
    session.flush()
    assert note.params == {"author": "rita", "language": "French", "document": "D"}


def test_on_comment_notifies_translator_and_thread(session, people):
    fr = make_language(session, "fr")
    doc = make_document(session)
    seg = session.scalar(select(Segment).where(Segment.document_id == doc.id))
    workflow.save_translation(session, segment=seg, language=fr, user=people["ana"],
                              target="Nous.", state=State.TRANSLATED, base_version=0)
    tom = make_user(session, "tom", roles={"fr": "translator"})
    first = Comment(segment_id=seg.id, language_id=fr.id, author_id=tom.id, body="Hm?")
    session.add(first)
    session.flush()
    sent = notifications.on_comment(session, first)
    assert [n.user_id for n in sent] == [people["ana"].id]
    reply = Comment(segment_id=seg.id, language_id=fr.id, author_id=people["rita"].id,
                    body="Fine.")
    session.add(reply)
    session.flush()
    sent = notifications.on_comment(session, reply)
    assert sorted(n.user_id for n in sent) == sorted([people["ana"].id, tom.id])
    assert sent[0].link == f"/translate/declaration/fr?segment={seg.id}#s{seg.id}"
    assert notifications.render(sent[0]) == (
        "rita commented on a French segment of “Sample declaration”.")
    own = Comment(segment_id=seg.id, language_id=fr.id, author_id=people["ana"].id, body="Ok")
    session.add(own)
    session.flush()
    assert people["ana"].id not in [n.user_id for n in notifications.on_comment(session, own)]


def test_on_document_updated_notifies_every_active_member(session, people):
    doc = make_document(session)
    session.add(DocumentVersion(document_id=doc.id, number=2, filename="d.txt", format="text",
                                data=b"", sha256="1" * 64))
    session.flush()
    session.refresh(doc)
    sent = notifications.on_document_updated(session, doc)
    got = sorted((n.user_id, n.link) for n in sent)
    p = people
    assert got == sorted([
        (p["ana"].id, "/translate/declaration/fr"), (p["rita"].id, "/translate/declaration/de"),
        (p["rita"].id, "/translate/declaration/fr"), (p["hans"].id, "/translate/declaration/de"),
    ])
    assert "(2)" in notifications.render(sent[0])


# ------------------------------------------------------------------ the page


@pytest.mark.parametrize(("path", "method"), [("/notifications", "get"),
                                              ("/notifications/read", "post"),
                                              ("/notifications/1/open", "post")])
def test_login_required(client: FlaskClient, path, method):
    resp = getattr(client, method)(path)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_page_lists_marks_and_opens(client, session, people):
    ana = people["ana"]
    n1 = notifications.notify(session, ana, "comment", {"author": "rita & co",
                                                        "language": "French",
                                                        "document": "<b>D</b>"},
                              "/translate/declaration/fr")
    n2 = notifications.notify(session, ana, "document_updated",
                              {"document": "D", "version": 2, "language": "French"},
                              "https://evil.example/")
    other = notifications.notify(session, people["rita"], "comment", {})
    session.commit()
    login(client, "ana")
    html = client.get("/notifications").get_data(as_text=True)
    assert "2 unread" in html
    assert "rita &amp; co commented" in html and "&lt;b&gt;D&lt;/b&gt;" in html
    assert "evil.example" not in html  # only links inside the site
    resp = client.post(f"/notifications/{n1.id}/open")
    assert resp.headers["Location"] == "/translate/declaration/fr"
    assert client.post(f"/notifications/{other.id}/open").status_code == 404
    resp = client.post(f"/notifications/{n2.id}/open")
    assert resp.headers["Location"] == "/notifications"
    session.expire_all()
    assert notifications.unread_count(session, ana) == 0
    assert notifications.unread_count(session, people["rita"]) == 1
    html = client.get("/notifications").get_data(as_text=True)
    assert "0 unread" in html


def test_mark_one_and_all(client, session, people):
    ana = people["ana"]
    ids = [notifications.notify(session, ana, "comment", {}).id for _ in range(3)]
    session.commit()
    login(client, "ana")
    client.post("/notifications/read", data={"id": str(ids[0])})
    session.expire_all()
    assert notifications.unread_count(session, ana) == 2
    resp = client.post("/notifications/read", data={}, follow_redirects=True)
    assert "All notifications marked as read." in resp.get_data(as_text=True)
    session.expire_all()
    assert notifications.unread_count(session, ana) == 0


def test_unread_count_helper_for_the_nav(app: Flask, session, people):
    notifications.notify(session, people["ana"], "comment", {})
    session.commit()
    with app.test_request_context():
        assert render_template_string("{{ unread_notifications() }}") == "0"
        login_user(LoginUser(people["ana"]))
        assert render_template_string("{{ unread_notifications() }}") == "1"


def test_send_back_reaches_the_translator_page(client, session, people):
    fr = make_language(session, "fr")
    doc = make_document(session)
    seg = session.scalar(select(Segment).where(Segment.document_id == doc.id))
    res = workflow.save_translation(session, segment=seg, language=fr, user=people["ana"],
                                    target="Nous.", state=State.TRANSLATED, base_version=0)
    workflow.send_back(session, translation=res.translation, user=people["rita"],
                       reason="Use the plural.")
    session.commit()
    login(client, "ana")
    html = client.get("/notifications").get_data(as_text=True)
    assert "rita sent back your French translation in “Sample declaration”: Use the plural." in html
    assert session.scalar(select(Notification.kind)) == "sent_back"
