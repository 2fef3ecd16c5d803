"""Stored XSS: hostile text in every place a volunteer can type, then every page and export
that shows it. HTML must carry it escaped; data formats must carry it intact."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import SOURCE_DOCS
from tests.factories import login, make_language, make_user
from tms.formats import po, tmx, xliff
from tms.models import Invite, Language, Notification, Segment, State, Translation, User
from tms.services import (
    accounts,
    alignment,
    comments,
    exporting,
    glossary,
    importing,
    workflow,
)

# One text carrying every payload: script tag, attribute break-out, javascript: link,
# template injection, textarea break-out.
PAYLOAD = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> '
           '<a href="javascript:alert(1)">go</a> {{7*7}}zz </textarea><b>t</b>')
# What would appear if any of them got through unescaped (or evaluated).
FORBIDDEN = ("<script>alert(1)", "<img src=x onerror", 'href="javascript:', "49zz",
             "</textarea><b>", "onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Pseudonyms are restricted to letters, digits and ._- ; a hostile one stored directly
# (an older database, a bug elsewhere) must still be escaped.
EVIL_PSEUDONYM = '<script>x</script>"><img src=x onerror=1>'


@dataclass
class World:
    """Rows the pages are built from."""

    slug: str
    lang: str
    segment_ids: list[int]
    edition_id: int
    run_id: int
    admin: str
    translator: str


def build_world(session: Session, text: str = PAYLOAD, *, title: str | None = None,
                translator_name: str = "ana") -> World:
    """A DOCX document (title `text`), translations, a sent-back one with `text` as reason,
    a suggestion, a comment, a glossary term, an edition, an alignment run, an invite."""
    fr = make_language(session, "fr")
    boss = make_user(session, "boss", roles={"fr": "reviewer"}, is_admin=True,
                     is_publisher=True)
    ana = make_user(session, translator_name, roles={"fr": "translator"})
    data = (SOURCE_DOCS / "sample-declaration.docx").read_bytes()
    report = importing.import_document(session, filename="sample-declaration.docx", data=data,
                                       slug="decl", title=title or text, user=boss)
    segs = list(session.scalars(select(Segment).where(
        Segment.document_id == report.document.id).order_by(Segment.position)))
    plain = [s for s in segs if "<" not in s.source][:4]
    s0, s1, s2, s3 = plain
    # s0: approved payload; then a suggestion over it
    r = workflow.save_translation(session, segment=s0, language=fr, user=ana, target=text,
                                  state=State.TRANSLATED, base_version=0)
    workflow.approve(session, translation=r.translation, user=boss)
    workflow.suggest(session, segment=s0, language=fr, user=ana, target=text + " (better)")
    # s1: waiting in the review queue
    workflow.save_translation(session, segment=s1, language=fr, user=ana, target=text,
                              state=State.TRANSLATED, base_version=0)
    # s2: sent back with the payload as the reason (a notification for ana)
    r = workflow.save_translation(session, segment=s2, language=fr, user=ana,
                                  target="Une phrase.", state=State.TRANSLATED, base_version=0)
    workflow.send_back(session, translation=r.translation, user=boss, reason=text)
    # s3: a suggestion that gets rejected with the payload as the reason
    r = workflow.save_translation(session, segment=s3, language=fr, user=boss,
                                  target="Approuvé.", state=State.TRANSLATED, base_version=0)
    s = workflow.suggest(session, segment=s3, language=fr, user=ana, target=text)
    workflow.reject_suggestion(session, suggestion_id=s.id, user=boss, reason=text)
    comments.add_comment(session, segment=s0, language=fr, user=ana, body=text)
    glossary.add_term(session, language=fr, source_term="sex workers " + text[:200],
                      target_term=text[:250], note=text, approved=True)
    glossary.add_term(session, language=fr, source_term=s0.source.split()[0],
                      target_term=text[:250], note=text, approved=True)
    edition = exporting.publish_edition(session, report.document, fr, boss)
    run = alignment.propose_alignment(
        session, document=report.document, language=fr, filename="fr.txt",
        data=("\n\n".join([text, "Deuxième paragraphe.", text]) + "\n").encode(), user=boss)
    accounts.create_invite(session, role="translator", language=fr, created_by=boss)
    session.commit()
    return World("decl", "fr", [s.id for s in (s0, s1, s2, s3)], edition.id, run.id,
                 "boss", translator_name)


def assert_escaped(body: str, where: str) -> None:
    """None of the payload's pieces appears unescaped."""
    for bad in FORBIDDEN:
        assert bad not in body, f"{where}: unescaped {bad!r}"


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    """The hostile world, with a hostile pseudonym among the volunteers."""
    w = build_world(session)
    make_user(session, EVIL_PSEUDONYM, roles={"fr": "translator"})
    session.commit()
    return w


def _pages(w: World) -> list[tuple[str, str, bool]]:
    """(user, url, shows the payload)."""
    seg = w.segment_ids[0]
    return [
        (w.admin, "/", True),
        (w.translator, "/", False),
        (w.admin, f"/translate/{w.slug}/{w.lang}", True),
        (w.admin, f"/translate/{w.slug}/{w.lang}?q=script", True),
        (w.translator, f"/translate/{w.slug}/{w.lang}", True),
        (w.admin, f"/review/{w.lang}", True),
        (w.admin, "/publish/", True),
        (w.admin, f"/publish/{w.slug}", True),
        (w.admin, "/admin/", False),
        (w.admin, "/admin/users", False),
        (w.admin, "/admin/invites", False),
        (w.admin, "/admin/languages", False),
        (w.admin, "/admin/documents", True),
        (w.translator, "/notifications", False),
        (w.admin, f"/align/{w.slug}/{w.lang}", False),
        (w.admin, f"/align/{w.slug}/{w.lang}/{w.run_id}", True),
        (w.admin, "/profile", False),
        (w.admin, f"/glossary/{w.lang}", True),
        (w.admin, f"/glossary/{w.lang}?q=script", False),
        (w.admin, "/memory", False),
        (w.admin, f"/memory?target={w.lang}&q=alert", False),
        (w.translator, f"/offline/{w.slug}/{w.lang}", False),
        (w.admin, f"/repair/{w.slug}/{seg}", False),
        (w.admin, f"/api/segments/{seg}/{w.lang}/panel", True),
    ]


def test_pages_escape_stored_payloads(app: Flask, world: World) -> None:
    shown = 0
    for user, url, shows in _pages(world):
        client = app.test_client()
        login(client, user)
        resp = client.get(url)
        assert resp.status_code == 200, (user, url, resp.status_code)
        body = resp.get_data(as_text=True)
        if resp.mimetype == "application/json":
            # JSON is data: the editor renders it with textContent (tested in test_editor)
            assert PAYLOAD in resp.get_json().__repr__() or "alert(1)" in body
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            continue
        assert resp.mimetype == "text/html"
        assert_escaped(body, f"{user} {url}")
        if shows:
            assert "alert(1)" in body, f"{url} should show the text (escaped)"
            shown += 1
    assert shown >= 8


def test_hostile_pseudonym_is_escaped_on_admin_pages(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, world.admin)
    body = client.get("/admin/users").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in body
    assert "<script>x</script>" not in body and "<img src=x onerror=1>" not in body


@pytest.mark.parametrize("name", [EVIL_PSEUDONYM, "javascript:alert(1)", "{{7*7}}"])
def test_hostile_pseudonyms_are_refused_at_sign_up(session: Session, name: str) -> None:
    with pytest.raises(accounts.AccountError):
        accounts.create_user(session, name, "a long enough pass phrase")


def _export(app: Flask, w: World, fmt: str) -> Any:
    client = app.test_client()
    login(client, w.admin)
    resp = client.get(f"/publish/{w.slug}/{w.lang}/export?format={fmt}")
    assert resp.status_code == 200, (fmt, resp.status_code)
    return resp


def test_html_export_and_edition_escape(app: Flask, world: World) -> None:
    body = _export(app, world, "html").get_data(as_text=True)
    assert_escaped(body, "HTML export")
    assert ESCAPED in body
    # readers open the page offline or from anywhere: it loads nothing from elsewhere
    # (links in the text are fine: they are followed only when clicked)
    assert not re.search(r"""\ssrc\s*=\s*["']?(?:https?:)?//""", body)
    assert not re.search(r"""<link[^>]+href\s*=\s*["']?(?:https?:)?//""", body)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//|@import""", body)
    assert "<script" not in body
    client = app.test_client()
    login(client, world.admin)
    resp = client.get(f"/publish/editions/{world.edition_id}/html")
    assert resp.status_code == 200
    edition = resp.get_data(as_text=True)
    assert_escaped(edition, "HTML edition")
    assert ESCAPED in edition


def test_data_exports_keep_the_text_intact(app: Flask, world: World) -> None:
    units = po.read_units(_export(app, world, "po").data, filename="x.po")
    assert PAYLOAD in [u.target for u in units]
    units = xliff.read_units(_export(app, world, "xliff").data, filename="x.xlf")
    assert PAYLOAD in [u.target for u in units]
    pairs = tmx.read(_export(app, world, "tmx").data, filename="x.tmx")
    assert PAYLOAD in [p.target for p in pairs]
    docx = _export(app, world, "docx").data
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        xml = zf.read("word/document.xml").decode()
    # XML-escaped inside w:t, never markup of its own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "<script>" not in xml


def test_payload_never_changes_state_or_runs(app: Flask, world: World, session: Session) -> None:
    # the texts were stored as typed, not "cleaned": nothing a volunteer wrote is lost
    fr = session.scalar(select(Language).where(Language.code == "fr"))
    t = session.scalar(select(Translation).where(Translation.segment_id == world.segment_ids[0],
                                                 Translation.language_id == fr.id))
    assert t.target == PAYLOAD and t.state == State.APPROVED
    ana = session.scalar(select(User).where(User.pseudonym == "ana"))
    note = session.scalar(select(Notification).where(Notification.user_id == ana.id))
    assert note is not None
    assert session.scalar(select(Invite.id)) is not None
