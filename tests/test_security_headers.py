"""Response hardening on every page (strict CSP, nosniff, no framing, no referrer), cookie
flags, HSTS only over HTTPS, and templates/static files that need no CSP exception."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import ROOT
from tests.factories import login
from tests.test_security_xss import World, build_world
from tms import create_app
from tms.models import Language
from tms.services import accounts

TEMPLATES = ROOT / "tms" / "templates"
STATIC = ROOT / "tms" / "static"


def parse_csp(value: str) -> dict[str, list[str]]:
    """Directive name -> its sources."""
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def check_headers(resp, *, https: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The hardening every response must carry."""
    csp = parse_csp(resp.headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == ["'self'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("base-uri") == ["'none'"]
    assert csp.get("form-action") == ["'self'"]
    for directive, sources in csp.items():
        for source in sources:
            assert source not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), \
                (directive, source)
            # only our own origin (plus nonces and data: images): no other host anywhere
            assert source in ("'self'", "'none'", "data:") or source.startswith("'nonce-"), \
                (directive, source)
    assert "style-src" in csp and "script-src" in csp
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    assert resp.headers.get("Referrer-Policy") == "no-referrer"
    assert resp.headers.get("X-Frame-Options") == "DENY"
    if https:
        assert resp.headers.get("Strict-Transport-Security", "").startswith("max-age=")
    else:
        assert "Strict-Transport-Security" not in resp.headers


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    """Plain content: one of everything, so every page has something to show."""
    return build_world(session, "Une traduction ordinaire.", title="Declaration")


def _get_urls(app: Flask, w: World, token: str) -> Iterator[tuple[str, str]]:
    values = {"doc_slug": w.slug, "lang_code": w.lang, "segment_id": w.segment_ids[0],
              "run_id": w.run_id, "edition_id": w.edition_id, "fmt": "html", "token": token,
              "key": "0" * 64, "digest": "0" * 64, "page": 1,
              "filename": "app.css", "code": w.lang, "version_number": 1}
    fmt_for = {"offline.download": "po", "glossary.export": "tbx"}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"{rule.rule}: give this test a value for {unknown}"
        args = {name: values[name] for name in rule.arguments}
        if rule.endpoint in fmt_for:
            args["fmt"] = fmt_for[rule.endpoint]
        url = rule.build(args)[1]  # type: ignore[index]
        url += {"publish.export": "?format=html",
                "memory.export_tmx": f"?target={w.lang}&source=en"}.get(rule.endpoint, "")
        yield rule.endpoint, url


@pytest.mark.parametrize("https", [False, True])
def test_every_get_route_carries_the_headers(app: Flask, session: Session, world: World,
                                             https: bool) -> None:
    fr = session.scalars(select(Language).where(Language.code == "fr")).one()
    _invite, token = accounts.create_invite(session, role="translator", language=fr,
                                            created_by=None)
    session.commit()
    base = "https://localhost" if https else "http://localhost"
    admin = app.test_client()
    login(admin, world.admin)
    seen = set()
    for endpoint, url in _get_urls(app, world, token):
        client = app.test_client() if endpoint in ("auth.login", "auth.signup") else admin
        resp = client.get(url, base_url=base)
        # a print-check job or page image exists only once a check ran: 404, headers still set
        expected = 404 if endpoint.startswith("publish.preview") else 200
        assert resp.status_code == expected, (endpoint, url, resp.status_code)
        check_headers(resp, https=https)
        seen.add(endpoint)
    # error pages too
    for url in ("/no-such-page", f"/translate/nope/{world.lang}"):
        resp = admin.get(url, base_url=base)
        assert resp.status_code == 404
        check_headers(resp, https=https)
    assert {"dashboard.index", "editor.edit", "review.queue", "publish.document",
            "admin.users", "api.panel", "static", "auth.login"} <= seen


def _cookie(resp, name: str) -> str:  # type: ignore[no-untyped-def]
    found = [v for v in resp.headers.getlist("Set-Cookie") if v.startswith(name + "=")]
    assert found, resp.headers
    return found[-1]


def test_session_cookie_flags_without_https(app: Flask, world: World) -> None:
    resp = login(app.test_client(), world.admin)
    cookie = _cookie(resp, "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.fixture
def https_app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app as `tms serve` builds it behind HTTPS (TMS_HTTPS=1)."""
    monkeypatch.setenv("TMS_HTTPS", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "t",
                      "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": str(tmp_path / "i"),
                      "EXPORTS_DIR": str(tmp_path / "e")})
    yield app
    app.extensions["tms_engine"].dispose()


def test_session_cookie_is_secure_with_tms_https(app: Flask, world: World,
                                                 https_app: Flask) -> None:
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    client = https_app.test_client()
    resp = client.post("/login", data={"pseudonym": world.admin,
                                       "password": "correct horse battery staple"},
                       base_url="https://localhost")
    cookie = _cookie(resp, "session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --------------------------------------------------------------- templates and static files

def _files(folder: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes)


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//)""",
                          re.I)


@pytest.mark.parametrize("path", _files(TEMPLATES, ".html"), ids=lambda p: p.name)
def test_template_needs_no_csp_exception(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for match in SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        assert "src=" in attrs or 'type="application/json"' in attrs, \
            f"{path.name}: inline script {match.group(0)}"
    assert not re.search(r"\sstyle\s*=", text), f"{path.name}: inline style attribute"
    assert not re.search(r"<style\b", text, re.I), f"{path.name}: inline <style> block"
    assert not INLINE_HANDLER.search(text), f"{path.name}: inline event handler"
    assert not EXTERNAL.search(text), f"{path.name}: resource from another origin"
    assert "javascript:" not in text.lower()


@pytest.mark.parametrize("path", _files(STATIC, ".js", ".css"), ids=lambda p: p.name)
def test_static_file_loads_nothing_from_elsewhere(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not CSS_EXTERNAL.search(text), path.name
    assert not re.search(r"""(?:fetch|import|open)\s*\(\s*["'`](?:https?:)?//""", text), path.name
    assert "eval(" not in text and "new Function" not in text, path.name


def test_the_checks_catch_offences() -> None:
    # the patterns above must fire on what they are meant to forbid
    assert SCRIPT_TAG.search("<script>alert(1)</script>")
    assert INLINE_HANDLER.search('<button onclick="x()">')
    assert EXTERNAL.search('<link href="https://cdn.example.org/x.css">')
    assert EXTERNAL.search('<img src="//cdn.example.org/x.png">')
    assert CSS_EXTERNAL.search("@font-face{src:url(https://fonts.example/f.woff)}")
    assert not EXTERNAL.search('<a href="{{ url_for(\'x\') }}">')
