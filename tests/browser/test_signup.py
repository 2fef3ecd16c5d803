"""In the browser: an admin makes an invite; a new volunteer signs up and lands on the
dashboard; nothing is requested from another origin. With TMS_SCREENSHOTS=1 the dashboard
is photographed (1280 and 360 wide) into docs/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_document, make_language, make_user
from tms.models import Activity, Segment, State, Translation, User

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NEW_PASSWORD = "lantern orchard seventy"


@pytest.fixture
def team(session: Session) -> None:
    """An admin, French and Ukrainian, and a document with some work done in French."""
    boss = make_user(session, "boss", is_admin=True)
    fr = make_language(session, "fr")
    make_language(session, "uk")
    doc = make_document(session, title="Sample declaration of rights")
    segments = session.scalars(select(Segment).order_by(Segment.position)).all()
    for segment, state in zip(segments, (State.APPROVED, State.TRANSLATED), strict=False):
        session.add(Translation(segment_id=segment.id, language_id=fr.id, target="…",
                                state=int(state), translator_id=boss.id))
    session.add(Activity(user_id=boss.id, verb="translated", document_id=doc.id,
                         language_id=fr.id, count=2))
    session.commit()


def _log_in(page: Any, base: str, pseudonym: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_admin_invites_and_volunteer_signs_up(live_server: LiveServer, browser_page: Any,
                                              new_browser_page: Callable[..., Any],
                                              session: Session, team: None) -> None:
    base = live_server.url
    admin = browser_page
    _log_in(admin, base, "boss", PASSWORD)
    admin.wait_for_url(base + "/")
    admin.get_by_role("link", name="Admin").click()
    admin.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Invites").click()
    admin.get_by_label("Role").select_option("translator")
    admin.get_by_label("Language (for translators and reviewers)").select_option("fr")
    admin.get_by_role("button", name="Create invite").click()
    link = admin.get_by_label("Invite link").input_value()
    assert link.startswith(base + "/signup/")
    # forms.js adds the button after load: wait for it rather than look once.
    expect(admin.get_by_role("button", name="Copy link")).to_be_visible()

    volunteer = new_browser_page(width=360, height=740)
    volunteer.goto(link)
    assert "translator" in volunteer.content() and "French" in volunteer.content()
    volunteer.get_by_label("Pseudonym").fill("Mariposa")
    volunteer.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    volunteer.get_by_label("Password again").fill(NEW_PASSWORD)
    volunteer.get_by_role("button", name="Create my account").click()
    volunteer.wait_for_url(base + "/")
    assert volunteer.get_by_role("heading", name="Dashboard").is_visible()
    assert "Welcome, Mariposa!" in volunteer.content()
    # The phone layout does not scroll sideways.
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= 360

    session.expire_all()
    user = session.scalar(select(User).where(User.pseudonym == "Mariposa"))
    assert user is not None and [m.language.code for m in user.memberships] == ["fr"]

    requests = admin.requests + volunteer.requests
    assert requests and all(url.startswith(base) for url in requests)
    assert not admin.console_errors and not volunteer.console_errors

    if os.environ.get("TMS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        volunteer.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)
        desktop = new_browser_page(width=1280, height=800)
        _log_in(desktop, base, "Mariposa", NEW_PASSWORD)
        desktop.wait_for_url(base + "/")
        desktop.screenshot(path=str(SCREENSHOTS / "dashboard-desktop.png"), full_page=True)
