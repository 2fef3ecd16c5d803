"""Every registered route x every role: allowed, refused (403) or sent to log in.

The table lives in tests/access_rules.py (see its docstring for how to add rows).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.access_rules import (
    ALLOW,
    DENY,
    EXPECTED,
    LOGIN,
    NOT_FOUND,
    ROLES,
    RULES,
    SECTIONS,
    Rule,
    build_world,
    resolve,
)
from tms.models import User
from tms.services import memory


def log_in_without_password(client: FlaskClient, user: User) -> None:
    """Put a logged-in session into the client's cookie, skipping the (slow) scrypt check;
    the real log-in form is tested in test_auth.py."""
    # Flask-Login's "strong" protection compares this hash of address and user agent.
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_generation}"
        sess["_fresh"] = True
        sess["_id"] = identifier


def test_every_registered_endpoint_has_an_access_rule(app: Flask) -> None:
    missing = sorted(set(app.view_functions) - set(RULES))
    assert not missing, (
        "These endpoints have no row in tests/access_rules.py; decide who may use them and "
        f"add a Rule: {missing}"
    )


def test_sections_do_not_define_an_endpoint_twice() -> None:
    names = [name for section in SECTIONS for name in section]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_rules_are_well_formed() -> None:
    for name, rule in RULES.items():
        assert rule.access in EXPECTED, name
        assert rule.method in ("GET", "POST", "PUT", "PATCH", "DELETE"), name
        assert set(rule.expect) <= set(ROLES), name


def _outcome(resp: TestResponse, rule: Rule) -> str:
    status = resp.status_code
    if status in rule.allow_status:
        return ALLOW
    if status == 401:
        return LOGIN
    if 300 <= status < 400:
        target = urlsplit(resp.headers.get("Location", ""))
        # login_required sends to /login?next=...; a log-out sends to a bare /login.
        if target.path == "/login" and ("next=" in target.query or not rule.redirects_to_login):
            return LOGIN
        return ALLOW
    if 200 <= status < 300:
        return ALLOW
    if status == 403:
        return DENY
    if status == 404:
        return NOT_FOUND
    return f"HTTP {status}"


CASES = [(name, role) for name in sorted(RULES) for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=[f"{e}-{r}" for e, r in CASES])
def test_access(app: Flask, session: Session, endpoint: str, role: str) -> None:
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} is not registered in this build")
    rule = RULES[endpoint]
    world = build_world(session)
    session.commit()
    # as `tms serve` does before its first request: /readyz is then 200, not "warming"
    memory.warm(session)
    client = app.test_client()
    if role != "anonymous":
        log_in_without_password(client, world["users"][role])
    with app.test_request_context():
        url = url_for(endpoint, **resolve(rule.values, world, role),
                      **resolve(rule.query, world, role))
    data = rule.data(world, role) if callable(rule.data) else resolve(rule.data, world, role)
    kwargs: dict = {"method": rule.method}
    if rule.json is not None:
        kwargs["json"] = resolve(rule.json, world, role)
    elif data is not None:
        kwargs["data"] = data
    resp = client.open(url, **kwargs)
    got = _outcome(resp, rule)
    expected = rule.expected(role)
    detail = resp.get_data(as_text=True)[:500] if got != expected else ""
    assert got == expected, f"{rule.method} {url} as {role}: {resp.status_code} {detail}"
