"""The translate, review and publish paths with the keyboard only (Tab, Enter, the
shortcuts; no mouse click anywhere), in Russian, and a visible focus on every control the
Tab key reaches (a computed outline or box-shadow, not just the browser's default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.browser.site import Site, log_in, make_site
from tms.models import Edition, Revision, State, Translation

# The focused element, and whether its focus can be seen: an outline at least 2 px wide
# that is not transparent, or a box-shadow.
_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
                  && s.outlineColor !== 'rgba(0, 0, 0, 0)' && s.outlineColor !== 'transparent';
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className),
          text: (e.getAttribute('aria-label') || e.textContent || e.value || '')
                .trim().slice(0, 40),
          visible: outline || (s.boxShadow && s.boxShadow !== 'none')};
}"""


def tab_until(page: Any, wanted: str, unseen: list[str], limit: int = 120) -> None:
    """Press Tab until the focused element matches the CSS selector `wanted`; every
    element focused on the way whose focus cannot be seen is added to `unseen`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS)
        if focused and not focused["visible"]:
            unseen.append(f"{page.url} {focused['tag']}#{focused['id']}.{focused['cls']} "
                          f"“{focused['text']}”")
        if page.evaluate("s => document.activeElement.matches(s)", wanted):
            return
    raise AssertionError(f"Tab never reached {wanted} on {page.url}")


@pytest.fixture
def site(session: Session) -> Site:
    """The shared test site, both users' interface in Russian."""
    return make_site(session, locale="ru")


def _first_queue_item(session: Session, site: Site) -> Translation | None:
    """The translation of the review queue's first item, as the database has it now."""
    session.expire_all()
    return session.scalar(select(Translation).where(
        Translation.segment_id == site.segment_ids[1]))


@pytest.mark.browser
def test_translate_with_the_keyboard_only(live_server: LiveServer, browser_page: Any,
                                          session: Session, site: Site) -> None:
    """Tab to a segment, Enter opens it, type, Ctrl+Enter saves as translated."""
    base, page, unseen = live_server.url, browser_page, []
    log_in(page, base, "ana")
    page.goto(base + "/translate/declaration/fr")
    last = site.segment_ids[3]
    tab_until(page, f"#s{last} button.num", unseen)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "ed-text"
    page.keyboard.type("Personne ne peut être réduit au silence.")
    page.keyboard.press("Control+Enter")
    page.locator(f"#s{last}[data-st=translated]").wait_for()
    # the editor's own controls are reachable and show their focus too
    tab_until(page, "#ed button[data-act=translated]", unseen)
    session.expire_all()
    saved = session.scalar(select(Translation).where(Translation.segment_id == last))
    assert saved is not None and saved.state == State.TRANSLATED
    assert saved.target == "Personne ne peut être réduit au silence."
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
    assert page.console_errors == []


@pytest.mark.browser
def test_review_with_the_keyboard_only(live_server: LiveServer, browser_page: Any,
                                       session: Session, site: Site) -> None:
    """In the queue: j goes to the first item (its focus shows), a approves it; Tab
    reaches every control with a visible focus."""
    base, page, unseen = live_server.url, browser_page, []
    log_in(page, base, "boss")
    page.goto(base + "/review/fr")
    tab_until(page, ".review-item button[data-key=a]", unseen)
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")  # back to the page, as after loading
    page.keyboard.press("j")
    focused = page.evaluate(_FOCUS)
    assert focused["tag"] == "article" and focused["visible"], focused
    with page.expect_navigation():
        page.keyboard.press("a")
    reviewed = _first_queue_item(session, site)
    assert reviewed is not None and reviewed.state == State.APPROVED
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
    assert page.console_errors == []


@pytest.mark.browser
def test_send_back_with_the_keyboard_only(live_server: LiveServer, browser_page: Any,
                                          session: Session, site: Site) -> None:
    """In the queue: j goes to the first item, s opens its send-back form with the focus
    in the reason box (no "s" typed into it), the reason is typed, Tab reaches the Send
    back button with a visible focus and Enter sends the translation back with it."""
    base, page, unseen = live_server.url, browser_page, []
    log_in(page, base, "boss")
    page.goto(base + "/review/fr")
    page.keyboard.press("j")
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.name") == "reason"
    assert page.evaluate("document.activeElement.value") == ""
    page.keyboard.type("Le terme « travail du sexe » est celui du glossaire.")
    tab_until(page, "details.send-back[open] button[type=submit]", unseen, limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    sent = _first_queue_item(session, site)
    assert sent is not None and sent.state == State.NEEDS_WORK
    note = session.scalar(select(Revision.note).where(Revision.translation_id == sent.id)
                          .order_by(Revision.id.desc()).limit(1))
    assert note == "Le terme « travail du sexe » est celui du glossaire."
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
    assert page.console_errors == []


@pytest.mark.browser
def test_publish_with_the_keyboard_only(live_server: LiveServer,
                                        new_browser_page: Callable[..., Any],
                                        session: Session, site: Site) -> None:
    """Tab to a download button and press Enter (a file arrives), then Tab to "publish
    an edition" and press Enter (edition 1 exists)."""
    base, unseen = live_server.url, []
    page = new_browser_page()
    log_in(page, base, "boss")
    page.goto(base + "/publish/declaration")
    tab_until(page, ".export-form button[name=format]:not([disabled])", unseen)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename
    tab_until(page, "form[action$='/editions'] button[type=submit]", unseen)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Edition)) == 1
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
    assert page.console_errors == []
