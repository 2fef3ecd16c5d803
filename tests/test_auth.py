"""Log-in, log-out, sign-up, profile, language switcher, error pages (through the views)."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, login, make_language, make_user
from tms.models import User
from tms.services import accounts

NEW = "violet tram under snow"


@pytest.fixture
def ana(session: Session) -> User:
    """A French translator."""
    user = make_user(session, "ana", roles={"fr": "translator"})
    session.commit()
    return user


def test_login_page_has_labelled_fields(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="pseudonym">' in page and '<label for="password">' in page
    assert 'autocomplete="current-password"' in page


def test_login_and_logout(client: FlaskClient, ana: User) -> None:
    resp = login(client, "ana")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/profile").status_code == 200
    assert client.get("/logout").status_code == 405  # only POST logs out
    resp = client.post("/logout")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/profile").status_code == 302


def test_wrong_password_says_so_without_telling_which_part(client: FlaskClient,
                                                           ana: User) -> None:
    for pseudonym in ("ana", "nobody"):
        resp = client.post("/login", data={"pseudonym": pseudonym, "password": "not it at all"})
        assert resp.status_code == 200
        assert "Wrong pseudonym or password." in resp.get_data(as_text=True)


def test_login_renews_the_session(app: Flask, client: FlaskClient, ana: User) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["locale"] = "en"
    login(client, "ana")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["locale"] == "en"  # the interface language survives
        assert sess["_user_id"].startswith(f"{ana.id}:")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil",
                                    "javascript:alert(1)"])
def test_login_never_redirects_off_site(client: FlaskClient, ana: User, target: str) -> None:
    resp = client.post(f"/login?next={target}", data={"pseudonym": "ana", "password": PASSWORD})
    assert resp.headers["Location"] == "/"


def test_login_goes_back_to_next(client: FlaskClient, ana: User) -> None:
    resp = client.get("/profile")
    assert resp.status_code == 302 and "next=" in resp.headers["Location"]
    resp = client.post("/login?next=/profile", data={"pseudonym": "ana", "password": PASSWORD})
    assert resp.headers["Location"] == "/profile"


def test_throttled_login_answers_429_even_with_the_right_password(client: FlaskClient,
                                                                  ana: User) -> None:
    for _i in range(5):
        client.post("/login", data={"pseudonym": "ana", "password": "wrong guess!"})
    resp = client.post("/login", data={"pseudonym": "ana", "password": PASSWORD})
    assert resp.status_code == 429
    assert "wait 15 minutes" in resp.get_data(as_text=True)


def test_log_out_everywhere_invalidates_other_session_cookies(app: Flask, ana: User) -> None:
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "ana")
    login(laptop, "ana")
    assert phone.get("/profile").status_code == 200
    resp = laptop.post("/profile/logout-everywhere")
    assert resp.status_code == 302
    # The phone still sends its old cookie; it no longer logs anyone in.
    resp = phone.get("/profile")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert laptop.get("/profile").status_code == 302


def test_password_change_keeps_this_session_and_ends_others(app: Flask, ana: User) -> None:
    here, there = app.test_client(), app.test_client()
    login(here, "ana")
    login(there, "ana")
    resp = here.post("/profile/password", data={"current_password": PASSWORD,
                                                "new_password": NEW, "new_password2": NEW})
    assert resp.status_code == 302
    assert here.get("/profile").status_code == 200
    assert there.get("/profile").status_code == 302
    here.post("/logout")
    assert login(here, "ana", NEW).status_code == 302


@pytest.mark.parametrize(("form", "message"), [
    ({"current_password": "wrong!wrong!", "new_password": NEW, "new_password2": NEW},
     "current password is not correct"),
    ({"current_password": PASSWORD, "new_password": "short", "new_password2": "short"},
     "at least 10 characters"),
    ({"current_password": PASSWORD, "new_password": NEW, "new_password2": NEW + "x"},
     "not the same"),
])
def test_password_change_errors(client: FlaskClient, ana: User, form: dict[str, str],
                                message: str) -> None:
    login(client, "ana")
    resp = client.post("/profile/password", data=form)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)


def test_one_time_password_forces_a_change(client: FlaskClient, session: Session) -> None:
    make_user(session, "newbie", must_change_password=True)
    session.commit()
    resp = login(client, "newbie")
    assert "/profile/password" in resp.headers["Location"]
    resp = client.get("/")
    assert resp.status_code == 302 and "/profile/password" in resp.headers["Location"]
    client.post("/profile/password", data={"current_password": PASSWORD,
                                           "new_password": NEW, "new_password2": NEW})
    assert client.get("/").status_code == 200


# --- sign-up -----------------------------------------------------------------------------

@pytest.fixture
def invite_token(session: Session) -> str:
    """An open invite for a Ukrainian reviewer."""
    uk = make_language(session, "uk")
    _invite, token = accounts.create_invite(session, role="reviewer", language=uk,
                                            created_by=None)
    session.commit()
    return token


def test_signup_page_says_which_team_and_role(client: FlaskClient, invite_token: str) -> None:
    page = client.get(f"/signup/{invite_token}").get_data(as_text=True)
    assert "reviewer" in page and "Ukrainian" in page
    assert 'for="email"' in page and "optional" in page


def test_signup_creates_the_account_and_logs_in(client: FlaskClient, session: Session,
                                                invite_token: str) -> None:
    resp = client.post(f"/signup/{invite_token}", data={
        "pseudonym": "Оксана", "password": NEW, "password2": NEW, "email": ""})
    assert resp.status_code == 302
    assert client.get("/profile").status_code == 200
    user = session.scalar(select(User).where(User.pseudonym == "Оксана"))
    assert user is not None and user.email is None
    assert [(m.language.code, m.role) for m in user.memberships] == [("uk", "reviewer")]
    # The link is used up.
    assert client.get(f"/signup/{invite_token}").status_code == 404


@pytest.mark.parametrize(("form", "message"), [
    ({"pseudonym": "x", "password": NEW, "password2": NEW}, "2 to 40 characters"),
    ({"pseudonym": "oksana", "password": "password123", "password2": "password123"},
     "common passwords"),
    ({"pseudonym": "oksana", "password": NEW, "password2": "other words here"}, "not the same"),
])
def test_signup_errors_keep_the_invite(client: FlaskClient, invite_token: str,
                                       form: dict[str, str], message: str) -> None:
    resp = client.post(f"/signup/{invite_token}", data=form)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert client.get(f"/signup/{invite_token}").status_code == 200


def test_unknown_invite_is_a_friendly_404(client: FlaskClient) -> None:
    resp = client.get("/signup/not-a-real-token")
    assert resp.status_code == 404
    assert "not valid" in resp.get_data(as_text=True)


# --- profile -----------------------------------------------------------------------------

def test_profile_page_offers_every_action(client: FlaskClient, ana: User) -> None:
    login(client, "ana")
    page = client.get("/profile").get_data(as_text=True)
    for action in ("/locale", "/profile/password", "/profile/logout-everywhere",
                   "/profile/data.json", "/profile/delete"):
        assert action in page


def test_my_data_download(client: FlaskClient, ana: User) -> None:
    login(client, "ana")
    resp = client.get("/profile/data.json")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["profile"]["pseudonym"] == "ana"
    assert data["memberships"] == [{"language": "fr", "role": "translator",
                                    "since": data["memberships"][0]["since"]}]


def test_delete_account_needs_confirmation_then_erases(client: FlaskClient, session: Session,
                                                       ana: User) -> None:
    login(client, "ana")
    client.post("/profile/delete", data={"password": PASSWORD})  # box not ticked
    assert client.get("/profile").status_code == 200
    client.post("/profile/delete", data={"password": "wrong!wrong!", "confirm": "yes"})
    assert client.get("/profile").status_code == 200
    resp = client.post("/profile/delete", data={"password": PASSWORD, "confirm": "yes"})
    assert resp.status_code == 302
    assert client.get("/profile").status_code == 302
    session.expire_all()
    user = session.get(User, ana.id)
    assert user is not None and user.deleted and user.pseudonym is None
    assert login(client, "ana").status_code == 200  # the form again: no such user


def test_locale_switch(client: FlaskClient, session: Session, ana: User) -> None:
    resp = client.post("/locale", data={"locale": "en", "next": "/login"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    with client.session_transaction() as sess:
        assert sess["locale"] == "en"
    assert client.post("/locale", data={"locale": "xx-not"}).status_code == 400
    login(client, "ana")
    client.post("/locale", data={"locale": "en"})
    session.expire_all()
    assert session.get(User, ana.id).locale == "en"  # type: ignore[union-attr]


def test_language_switcher_is_on_every_page(client: FlaskClient, ana: User) -> None:
    assert 'action="/locale"' in client.get("/login").get_data(as_text=True)
    login(client, "ana")
    for url in ("/", "/profile", "/no/such/page"):
        assert 'action="/locale"' in client.get(url).get_data(as_text=True)


# --- CSRF and error pages ----------------------------------------------------------------

def test_csrf_is_enforced_on_login(csrf_app: Flask, ana: User) -> None:
    client = csrf_app.test_client()
    resp = client.post("/login", data={"pseudonym": "ana", "password": PASSWORD})
    assert resp.status_code == 400
    assert "reload the page" in resp.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    resp = client.post("/login", data={"pseudonym": "ana", "password": PASSWORD,
                                       "csrf_token": token.group(1)})
    assert resp.status_code == 302


def test_404_page_is_html_and_json_for_the_api(client: FlaskClient) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "text/html" in resp.content_type
    assert "Not found" in resp.get_data(as_text=True)
    resp = client.get("/api/no/such/thing")
    assert resp.status_code == 404 and resp.is_json


def test_403_page(client: FlaskClient, ana: User) -> None:
    login(client, "ana")
    resp = client.get("/admin/")
    assert resp.status_code == 403
    assert "Not allowed" in resp.get_data(as_text=True)


def test_too_large_upload_gets_a_friendly_page(app: Flask, session: Session) -> None:
    make_user(session, "boss", is_admin=True)
    session.commit()
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    client = app.test_client()
    login(client, "boss")
    resp = client.post("/admin/documents", data={"file": (__import__("io").BytesIO(
        b"x" * (2 * 1024 * 1024)), "big.txt")}, content_type="multipart/form-data")
    assert resp.status_code == 413
    page = resp.get_data(as_text=True)
    assert "File too large" in page and "at most 1 MB" in page


def test_500_page_in_production_mode(app: Flask, client: FlaskClient) -> None:
    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = client.get("/boom-for-test")
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    assert "Something went wrong" in page and "kaboom" not in page


# --- navigation --------------------------------------------------------------------------

@pytest.mark.parametrize(("pseudonym", "kw", "present", "absent"), [
    ("tom", {"roles": {"fr": "translator"}}, [], ["/review/", "/admin/", "/publish/"]),
    ("rev", {"roles": {"fr": "reviewer"}}, ["/review/fr"], ["/admin/", "/publish/"]),
    ("pub", {"is_publisher": True}, ["/publish/"], ["/review/", "/admin/"]),
    ("adm", {"is_admin": True}, ["/admin/", "/publish/", "/review/fr"], []),
])
def test_nav_links_follow_roles(client: FlaskClient, session: Session, pseudonym: str,
                                kw: dict, present: list[str], absent: list[str]) -> None:
    make_language(session, "fr")
    make_user(session, pseudonym, **kw)
    session.commit()
    login(client, pseudonym)
    page = client.get("/profile").get_data(as_text=True)
    nav = page[page.index('<ul class="nav-links">'):page.index("</ul>")]
    for href in present:
        assert f'href="{href}' in nav, href
    for href in absent:
        assert f'href="{href}' not in nav, href
    assert 'action="/logout"' in nav


def test_nav_counts_unread_notifications(client: FlaskClient, session: Session,
                                         ana: User) -> None:
    from tms.models import Notification

    session.add_all([Notification(user_id=ana.id, kind="comment", params={}) for _i in range(2)])
    session.commit()
    login(client, "ana")
    assert "2 unread notifications" in client.get("/profile").get_data(as_text=True)


def test_failed_logins_through_the_form_store_no_address(app: Flask, session: Session,
                                                         ana: User) -> None:
    from tms.models import LoginThrottle

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    client.post("/login", data={"pseudonym": "ana", "password": "wrong guess!"})
    buckets = session.scalars(select(LoginThrottle.bucket)).all()
    assert sorted(b.split(":")[0] for b in buckets) == ["addr", "user"]
    assert not any("203.0.113" in b for b in buckets)
    assert accounts.address_bucket("203.0.113.200", "test-secret") in buckets  # same /24
