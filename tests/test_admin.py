"""Administration views: users and roles, invites, languages, document import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Document, Invite, Language, Membership, User


@pytest.fixture
def admin_client(app: Flask, session: Session) -> FlaskClient:
    """A client logged in as the admin "boss"; French exists."""
    make_user(session, "boss", is_admin=True)
    make_language(session, "fr")
    session.commit()
    client = app.test_client()
    login(client, "boss")
    return client


@pytest.mark.parametrize("url", ["/admin/", "/admin/users", "/admin/invites",
                                 "/admin/languages", "/admin/documents"])
def test_admin_pages_render_with_labelled_inputs(admin_client: FlaskClient, url: str) -> None:
    resp = admin_client.get(url)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
    visible_inputs = {
        m.group(1) for m in re.finditer(r'<(?:input|select|textarea)(?![^>]*type="hidden")'
                                        r'[^>]*\bid="([^"]+)"', page)}
    assert visible_inputs <= labelled, visible_inputs - labelled
    assert ids  # every admin page has at least the language switcher
    assert "style=" not in page  # CSP: no inline styles


def test_invite_link_is_shown_once_and_works(app: Flask, admin_client: FlaskClient,
                                             session: Session) -> None:
    resp = admin_client.post("/admin/invites", data={"role": "translator", "language": "fr",
                                                     "days": "3"})
    assert resp.status_code == 201
    page = resp.get_data(as_text=True)
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page)
    assert link is not None and link.group(1).startswith("http://localhost/signup/")
    token = link.group(1).rsplit("/", 1)[1]
    assert 'data-copy="invite-link"' in page
    # Shown once: the list page no longer contains the token.
    assert token not in admin_client.get("/admin/invites").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Invite)) == 1
    newcomer = app.test_client()
    assert "translator" in newcomer.get(f"/signup/{token}").get_data(as_text=True)


@pytest.mark.parametrize(("form", "message"), [
    ({"role": "translator", "language": ""}, "need a language"),
    ({"role": "reviewer", "language": "zz"}, "Unknown language"),
    ({"role": "translator", "language": "fr", "days": "0"}, "1 to 90 days"),
    ({"role": "emperor"}, "Unknown role"),
])
def test_invite_errors(admin_client: FlaskClient, form: dict[str, str], message: str) -> None:
    resp = admin_client.post("/admin/invites", data=form)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)


def test_revoke_invite(admin_client: FlaskClient, session: Session) -> None:
    admin_client.post("/admin/invites", data={"role": "publisher"})
    invite_id = session.scalar(select(Invite.id))
    resp = admin_client.post(f"/admin/invites/{invite_id}/revoke")
    assert resp.status_code == 302
    assert session.scalar(select(func.count()).select_from(Invite)) == 0
    assert admin_client.post("/admin/invites/9999/revoke").status_code == 404


def test_invite_list_shows_status(admin_client: FlaskClient, session: Session) -> None:
    admin_client.post("/admin/invites", data={"role": "publisher"})
    page = admin_client.get("/admin/invites").get_data(as_text=True)
    assert 'class="invite-open"' in page


def test_roles_membership_and_deactivation(admin_client: FlaskClient, session: Session) -> None:
    ana = make_user(session, "ana")
    session.commit()
    admin_client.post(f"/admin/users/{ana.id}/roles", data={"is_publisher": "1"})
    admin_client.post(f"/admin/users/{ana.id}/membership", data={"language": "fr",
                                                                  "role": "reviewer"})
    session.expire_all()
    user = session.get(User, ana.id)
    assert user is not None and user.is_publisher and not user.is_admin
    assert [(m.language.code, m.role) for m in user.memberships] == [("fr", "reviewer")]
    admin_client.post(f"/admin/users/{ana.id}/membership", data={"language": "fr", "role": ""})
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    admin_client.post(f"/admin/users/{ana.id}/active", data={"active": "0"})
    session.expire_all()
    assert not session.get(User, ana.id).active  # type: ignore[union-attr]
    admin_client.post(f"/admin/users/{ana.id}/active", data={"active": "1"})
    session.expire_all()
    assert session.get(User, ana.id).active  # type: ignore[union-attr]


def test_admin_cannot_remove_the_last_admin(admin_client: FlaskClient, session: Session) -> None:
    boss = session.scalar(select(User).where(User.pseudonym == "boss"))
    assert boss is not None
    resp = admin_client.post(f"/admin/users/{boss.id}/roles", data={}, follow_redirects=True)
    assert "last admin" in resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, boss.id).is_admin  # type: ignore[union-attr]


def test_unknown_user_or_language_is_404(admin_client: FlaskClient) -> None:
    assert admin_client.post("/admin/users/999/roles", data={}).status_code == 404
    assert admin_client.post("/admin/languages/zz/policy", data={}).status_code == 404


def test_add_language_and_policy(admin_client: FlaskClient, session: Session) -> None:
    resp = admin_client.post("/admin/languages", data={"code": "uk"}, follow_redirects=True)
    assert "Ukrainian (uk) added" in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/languages", data={"code": "uk"}, follow_redirects=True)
    assert "already exists" in resp.get_data(as_text=True)
    admin_client.post("/admin/languages/uk/policy", data={
        "allow_self_review": "1", "approvals_required": "2", "team_name": "Kyiv team"})
    session.expire_all()
    uk = session.scalar(select(Language).where(Language.code == "uk"))
    assert uk is not None
    assert (uk.allow_self_review, uk.approvals_required, uk.team_name) == (True, 2, "Kyiv team")


def test_import_document_shows_the_report(admin_client: FlaskClient, session: Session) -> None:
    text = b"# Our rights\n\nWe declare our rights. Everyone is equal.\n\nWork is work.\n"
    resp = admin_client.post("/admin/documents", data={
        "file": (__import__("io").BytesIO(text), "rights.md"), "title": "Our rights"},
        content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    page = resp.get_data(as_text=True)
    assert "Import report" in page and "new document" in page
    doc = session.scalar(select(Document).where(Document.slug == "rights"))
    assert doc is not None and doc.title == "Our rights"


def test_import_errors_are_one_sentence(admin_client: FlaskClient) -> None:
    resp = admin_client.post("/admin/documents", data={
        "file": (__import__("io").BytesIO(b""), "empty.txt")},
        content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "empty" in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/documents", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "Choose a file" in resp.get_data(as_text=True)


@pytest.mark.clients
def test_web_core_pages_are_valid_html(app: Flask, admin_client: FlaskClient, session: Session,
                                       tmp_path: Path) -> None:
    from tests.clients import vnu_check
    from tms.services import accounts

    make_document(session)
    make_user(session, "ana", roles={"fr": "translator"})
    session.commit()
    pages = {}
    created = admin_client.post("/admin/invites", data={"role": "translator", "language": "fr"})
    pages["invite-created"] = created.get_data(as_text=True)
    for url in ["/", "/profile", "/profile/password", "/admin/", "/admin/users",
                "/admin/invites", "/admin/languages", "/admin/documents", "/no/such/page"]:
        pages[url.strip("/").replace("/", "-") or "dashboard"] = admin_client.get(url) \
            .get_data(as_text=True)
    _invite, token = accounts.create_invite(session, role="reviewer",
                                            language=make_language(session, "fr"),
                                            created_by=None)
    session.commit()
    anonymous = app.test_client()
    pages["login"] = anonymous.get("/login").get_data(as_text=True)
    pages["signup"] = anonymous.get(f"/signup/{token}").get_data(as_text=True)
    pages["signup-invalid"] = anonymous.get("/signup/nope").get_data(as_text=True)
    paths = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout
