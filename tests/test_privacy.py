"""Privacy for volunteers at risk: no addresses stored, no texts or addresses in logs, data
download and account deletion that really forget the person."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import re
import signal
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, login, make_document, make_language, make_user
from tests.serving import served, wait_healthy
from tms.db import new_session
from tms.models import Comment, Language, Revision, Segment, Translation, User
from tms.orm import Base

ADDRESS = "203.0.113.77"
MARKER = "Zyxwvut secret sentence"


def address_forms(address: str) -> list[str]:
    """Every way an address (or its network) could sit in a column."""
    ip = ipaddress.ip_address(address)
    net = ipaddress.ip_network(f"{address}/24", strict=False)
    forms = [address, str(net), str(net.network_address), ".".join(reversed(address.split("."))),
             str(int(ip)), ip.packed.hex(), ip.packed.hex()[:6], f"::ffff:{address}",
             str(ipaddress.IPv6Address(f"::ffff:{address}")), address.rsplit(".", 1)[0]]
    # an unkeyed hash of an IPv4 address is reversible by trying all 2^32 of them
    forms += [hashlib.sha256(f.encode()).hexdigest()[:16] for f in (address, str(net))]
    forms += [hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()[:16]]
    return forms


def every_value(app: Flask) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty value in the database."""
    out = []
    with app.app_context(), new_session() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        text = value.decode("latin-1")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    out.append((table.name, column, text))
    return out


@pytest.fixture
def team(app: Flask, session: Session) -> dict[str, int]:
    """A translator, a reviewer-admin and a document."""
    make_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "boss", roles={"fr": "reviewer"}, is_admin=True)
    doc = make_document(session)
    session.commit()
    seg = session.scalar(select(Segment.id).where(Segment.document_id == doc.id).limit(1))
    return {"segment": seg}


def _activity_from_address(app: Flask, team: dict[str, int]) -> None:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": ADDRESS})
    for _i in range(3):
        assert login(client, "ana", "wrong password!").status_code == 200
    assert login(client, "nobody", "wrong password!").status_code == 200
    assert login(client, "ana").status_code == 302
    seg = team["segment"]
    resp = client.post(f"/api/segments/{seg}/fr/save",
                       json={"target": MARKER, "state": "translated", "base_version": 0})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    resp = client.post(f"/api/segments/{seg}/fr/comments", json={"body": MARKER + " comment"})
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    client.post("/logout")


def test_no_address_is_stored_in_any_form(app: Flask, team: dict[str, int]) -> None:
    _activity_from_address(app, team)
    values = every_value(app)
    assert any(MARKER in text for _t, _c, text in values)  # the activity did reach the DB
    forms = address_forms(ADDRESS)
    for table, column, text in values:
        for form in forms:
            assert form not in text, f"{table}.{column} holds {form!r}"


def test_nothing_typed_or_any_address_reaches_the_logs(app: Flask, team: dict[str, int],
                                                       session: Session,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    from tms.services import importing

    caplog.set_level(logging.DEBUG)
    _activity_from_address(app, team)
    importing.import_document(session, filename="secret.md",
                              data=f"# {MARKER}\n\n{MARKER} twice.\n".encode())
    session.rollback()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert MARKER not in logged
    assert PASSWORD not in logged and "wrong password!" not in logged
    for form in address_forms(ADDRESS)[:4]:
        assert form not in logged


def test_database_errors_do_not_carry_the_text(session: Session) -> None:
    # error messages end up in logs: SQLAlchemy must not print the parameters
    session.add(Language(code="xx", name="one"))
    session.flush()
    session.add(Language(code="xx", name=MARKER))
    with pytest.raises(IntegrityError) as info:
        session.flush()
    session.rollback()
    assert MARKER not in str(info.value)


@pytest.mark.slow
def test_tms_serve_keeps_no_access_log(tmp_path: Path) -> None:
    # SIGTERM is gunicorn's graceful stop: a request still being answered is finished,
    # so there is no "error handling request" (with its path) in the error log.
    with served(tmp_path, stop=signal.SIGTERM) as server:
        wait_healthy(server)
        urllib.request.urlopen(server.base + "/login?next=/secret-path",  # noqa: S310
                               timeout=5).close()
        body = urllib.parse.urlencode({"pseudonym": "ana", "password": MARKER}).encode()
        # refused without a CSRF token: what matters is what got logged
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(server.base + "/login", data=body,  # noqa: S310
                                   timeout=5).close()
    text = server.output.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if not line.startswith(("Serving on", "Open "))]
    assert not [line for line in lines if "127.0.0.1" in line], text
    assert "GET /" not in text and "POST /" not in text and "secret-path" not in text
    assert MARKER not in text


def test_my_data_download_and_account_deletion(app: Flask, team: dict[str, int],
                                               session: Session) -> None:
    _activity_from_address(app, team)
    ana_id = session.scalar(select(User.id).where(User.pseudonym == "ana"))
    client = app.test_client()
    login(client, "ana")
    resp = client.get("/profile/data.json")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    data = json.loads(resp.data)
    assert data["profile"]["pseudonym"] == "ana"
    assert [r["target"] for r in data["revisions"]] == [MARKER]
    assert [c["body"] for c in data["comments"]] == [MARKER + " comment"]
    assert data["memberships"] == [{"language": "fr", "role": "translator",
                                    "since": data["memberships"][0]["since"]}]

    # a refused deletion (no confirmation) changes nothing
    client.post("/profile/delete", data={"password": PASSWORD})
    assert any(text == "ana" for _t, c, text in every_value(app) if c == "pseudonym")

    resp = client.post("/profile/delete", data={"confirm": "yes", "password": PASSWORD})
    assert resp.status_code == 302
    # the person is gone from every column of every table...
    for table, column, text in every_value(app):
        assert not re.search(r"\bana\b", text), f"{table}.{column}: {text!r}"
    # ...but the texts stay, attributed to a former volunteer
    with app.app_context(), new_session() as s:
        ana = s.get(User, ana_id)
        assert ana is not None and ana.deleted and ana.pseudonym is None
        assert ana.display_name == "former volunteer" and not ana.password_hash
        assert s.scalar(select(Translation.target)) == MARKER
        assert s.scalar(select(Revision.author_id)) == ana_id
        assert s.scalar(select(Comment.author_id)) == ana_id
    # the old session no longer works, nor does the password
    assert client.get("/").status_code == 302
    assert login(app.test_client(), "ana").status_code == 200
    # reviewers see "former volunteer" in the segment's history
    boss = app.test_client()
    login(boss, "boss")
    panel = boss.get(f"/api/segments/{team['segment']}/fr/panel").get_data(as_text=True)
    assert "former volunteer" in panel and '"ana"' not in panel


def test_deleting_an_account_removes_the_name_from_others_notifications(
        app: Flask, team: dict[str, int], session: Session) -> None:
    make_user(session, "cleo", roles={"fr": "translator"})
    session.commit()
    ana_client = app.test_client()
    login(ana_client, "ana")
    seg = team["segment"]
    assert ana_client.post(f"/api/segments/{seg}/fr/save", json={
        "target": "Texte d'ana", "state": "translated", "base_version": 0}).status_code == 200
    cleo = app.test_client()
    login(cleo, "cleo")
    assert cleo.post(f"/api/segments/{seg}/fr/comments",
                     json={"body": "A question"}).status_code in (200, 201)
    assert any(re.search(r"\bcleo\b", text) for t, _c, text in every_value(app)
               if t == "notification")  # ana was told, by name
    resp = cleo.post("/profile/delete", data={"confirm": "yes", "password": PASSWORD})
    assert resp.status_code == 302
    for table, column, text in every_value(app):
        assert not re.search(r"\bcleo\b", text), f"{table}.{column}: {text!r}"
    page = ana_client.get("/notifications").get_data(as_text=True)
    assert "former volunteer" in page


def test_data_download_lists_every_row_that_refers_to_the_person(app: Flask,
                                                                 session: Session) -> None:
    from tests.test_security_xss import build_world
    from tms.services import accounts, privacy

    build_world(session, "Une traduction.", title="Declaration")
    boss = session.scalar(select(User).where(User.pseudonym == "boss"))
    data = accounts.export_my_data(session, boss)
    listed = {(r["table"], r["as"]) for r in data["other_records"]}
    # the admin imported, approved, published, aligned, invited and added terms
    assert {("document_version", "imported_by"), ("approval", "reviewer"),
            ("edition", "published_by"), ("invite", "created_by"),
            ("alignment_run", "created_by")} <= listed
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for table, column in privacy.user_columns():
        n = session.scalar(select(func.count()).select_from(tables[table])
                           .where(tables[table].c[column] == boss.id))
        if n:
            assert (table, column) in privacy.COVERED or \
                (table, column.removesuffix("_id")) in listed, (table, column)
    json.dumps(data)  # the download is JSON
