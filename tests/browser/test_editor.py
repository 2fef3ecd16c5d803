"""In the browser: a translator translates with the keyboard only (memory match, tag
shortcut, a tag error shown and fixed); two people save the same segment and the second
keeps their text after seeing the conflict. Nothing is requested from another origin.
With TMS_SCREENSHOTS=1 the editor is photographed (1280 and 360 wide) into docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_document, make_language, make_user
from tms.models import Revision, Segment, State, Translation
from tms.services import memory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SOURCES = [
    "We, sex workers, declare our rights.",
    "Everyone has the right to <1>life</1>.",
    "See the note.<2/>",
    "Nobody may be forced into silence.",
]


@pytest.fixture
def segments(session: Session) -> list[Segment]:
    """Two French translators, a four-segment document and one memory unit."""
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "bea", roles={"fr": "translator"})
    make_language(session, "fr")
    doc = make_document(session, sources=SOURCES, title="Sample declaration")
    memory.remember(session, source="Everyone has the right to <1>work</1>.",
                    target="Chacun a droit au <1>travail</1>.", source_language="en",
                    target_language="fr", origin="manifesto")
    session.commit()
    return list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))


def expect() -> Any:
    """Playwright's expect (imported late: the module may be missing, the fixture skips)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def log_in(page: Any, base: str, pseudonym: str) -> None:
    """Log in by typing into the form and pressing Enter."""
    page.goto(base + "/login")
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(base + "/")


def tab_to_first_segment(page: Any) -> None:
    """Press Tab until the first segment's button has the focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('num')"):
            return
    raise AssertionError("Tab never reached a segment")


@pytest.mark.browser
def test_translate_with_the_keyboard(live_server: LiveServer, browser_page: Any,
                                     session: Session, segments: list[Segment]) -> None:
    base, page, check = live_server.url, browser_page, expect()
    log_in(page, base, "ana")
    page.goto(base + "/translate/declaration/fr")
    status, text = page.locator("#ed-status"), page.locator("#ed-text")
    tags = page.locator("#ed-tags")

    # 1: open with Enter, type, Ctrl+Enter saves as translated and moves on
    tab_to_first_segment(page)
    page.keyboard.press("Enter")
    check(text).to_be_focused()
    page.keyboard.type("Nous, travailleuses du sexe, déclarons nos droits.")
    page.keyboard.press("Control+Enter")
    check(status).to_have_text("Saved")
    check(page.locator(f"#s{segments[1].id}")).to_have_class("seg st-untranslated open")

    # 2: take the memory match with Alt+1, then retype with the tag shortcut
    check(page.locator(".mem li")).to_have_count(1)
    check(page.locator(".mem del")).to_have_text("work")  # the difference is highlighted
    check(page.locator(".mem ins")).to_have_text("life")
    page.keyboard.press("Alt+1")
    check(text).to_have_value("Chacun a droit au <1>travail</1>.")
    page.keyboard.press("Control+a")
    page.keyboard.type("Chacun a droit à la ")
    page.keyboard.press("Alt+t")  # inserts <1></1> with the caret inside
    page.keyboard.type("vie")
    page.keyboard.press("End")
    page.keyboard.press("Backspace")  # right after </1>: the whole tag goes
    check(text).to_have_value("Chacun a droit à la <1>vie")
    check(tags).to_contain_text("Missing tag </1>")
    check(text).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Alt+t")  # the next missing tag: </1>
    page.keyboard.type(".")
    check(text).to_have_value("Chacun a droit à la <1>vie</1>.")
    check(tags).to_have_text("Tags OK")
    page.keyboard.press("Control+Enter")
    check(status).to_have_text("Saved")

    # 3: a standalone tag (footnote reference) with the shortcut
    check(page.locator(f"#s{segments[2].id}.open")).to_be_visible()
    page.keyboard.type("Voir la note.")
    page.keyboard.press("Alt+t")
    check(text).to_have_value("Voir la note.<2/>")
    page.keyboard.press("Control+Enter")
    check(status).to_have_text("Saved")

    check(page.locator('[data-count="translated"]')).to_have_text("3")  # progress follows
    check(page.locator('[data-count="untranslated"]')).to_have_text("1")

    # the help overlay opens with F1 and closes with Escape
    page.keyboard.press("F1")
    check(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    check(page.locator("#help")).to_be_hidden()

    session.expire_all()
    saved = {t.segment_id: (t.target, t.state) for t in session.scalars(select(Translation))}
    assert saved == {
        segments[0].id: ("Nous, travailleuses du sexe, déclarons nos droits.", State.TRANSLATED),
        segments[1].id: ("Chacun a droit à la <1>vie</1>.", State.TRANSLATED),
        segments[2].id: ("Voir la note.<2/>", State.TRANSLATED),
    }
    # the rendered target shows the tags as chips
    check(page.locator(f"#s{segments[1].id} .tgt .chip")).to_have_count(2)
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tms:u:'))")
    assert all(url.startswith(base) for url in page.requests)
    assert page.console_errors == []  # no CSP violation, no script error, no failed load

    if os.environ.get("TMS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(f"#s{segments[1].id} .num").click()
        check(page.locator(".mem li")).to_have_count(1)
        page.screenshot(path=str(SCREENSHOTS / "editor-desktop.png"))


@pytest.mark.browser
def test_conflict_keeps_both_texts(live_server: LiveServer, browser_page: Any,
                                   new_browser_page: Callable[..., Any], session: Session,
                                   segments: list[Segment]) -> None:
    base, check = live_server.url, expect()
    seg = segments[3]
    ana, bea = browser_page, new_browser_page(width=360, height=740)
    for page, who in ((ana, "ana"), (bea, "bea")):
        log_in(page, base, who)
        page.goto(base + "/translate/declaration/fr")
        page.locator(f"#s{seg.id} .src").click()
        check(page.locator("#ed-text")).to_be_focused()

    ana.keyboard.type("Personne ne peut être réduit au silence.")
    ana.keyboard.press("Control+s")
    check(ana.locator("#ed-status")).to_have_text("Saved")

    bea.keyboard.type("Nul ne peut être contraint au silence.")
    bea.keyboard.press("Control+s")
    check(bea.locator("#ed-status")).to_have_text(
        "Conflict: someone else saved this segment meanwhile")
    check(bea.locator("#cf-theirs")).to_have_text("Personne ne peut être réduit au silence.")
    check(bea.locator("#cf-mine")).to_have_text("Nul ne peut être contraint au silence.")
    # until the server has it, bea's text is kept on her device
    assert bea.evaluate(f"localStorage.getItem('tms:u:fr:{seg.id}')") is not None
    assert bea.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("TMS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        bea.screenshot(path=str(SCREENSHOTS / "editor-phone.png"))
    bea.get_by_role("button", name="Keep mine").click()
    check(bea.locator("#ed-status")).to_have_text("Saved")
    check(bea.locator(f"#s{seg.id} .tgt")).to_have_text("Nul ne peut être contraint au silence.")
    assert bea.evaluate(f"localStorage.getItem('tms:u:fr:{seg.id}')") is None

    session.expire_all()
    tr = session.scalar(select(Translation).where(Translation.segment_id == seg.id))
    assert tr is not None and tr.target == "Nul ne peut être contraint au silence."
    texts = set(session.scalars(select(Revision.target).where(Revision.translation_id == tr.id)))
    assert texts == {"Personne ne peut être réduit au silence.",
                     "Nul ne peut être contraint au silence."}
    # bea sees both versions in the history panel
    bea.reload()
    bea.locator(f"#s{seg.id} .src").click()
    bea.locator("#ed-panel summary").click()  # folded on phones
    check(bea.locator("#pn-history li")).to_have_count(3)  # ana's, bea's conflict, bea's save
    for page in (ana, bea):
        assert all(url.startswith(base) for url in page.requests)
        assert page.console_errors == []


@pytest.mark.browser
def test_offline_text_is_kept_and_restored(live_server: LiveServer, browser_page: Any,
                                           session: Session, segments: list[Segment]) -> None:
    base, page, check = live_server.url, browser_page, expect()
    seg = segments[0]
    log_in(page, base, "ana")
    page.goto(base + "/translate/declaration/fr")
    page.locator(f"#s{seg.id} .src").click()
    page.context.set_offline(True)
    page.keyboard.type("Texte tapé hors ligne.")
    page.keyboard.press("Control+s")
    check(page.locator("#ed-status")).to_have_text("Not saved: offline — kept locally")
    page.context.set_offline(False)
    page.reload()  # back online: the kept text is sent on load
    check(page.locator(f"#s{seg.id} .tgt")).to_have_text("Texte tapé hors ligne.")
    session.expire_all()
    tr = session.scalar(select(Translation).where(Translation.segment_id == seg.id))
    assert tr is not None and tr.target == "Texte tapé hors ligne." and tr.state == State.DRAFT


@pytest.mark.browser
def test_typed_text_survives_a_reload(live_server: LiveServer, browser_page: Any,
                                      session: Session, segments: list[Segment]) -> None:
    base, page, check = live_server.url, browser_page, expect()
    seg = segments[3]
    log_in(page, base, "ana")
    page.goto(base + "/translate/declaration/fr")
    page.locator(f"#s{seg.id} .src").click()
    page.keyboard.type("Personne ne peut")  # typed, never saved: the tab is closed
    page.reload()
    check(page.locator("#unsaved-banner")).to_have_text(
        "Segments with unsaved text on this device: 1.")
    check(page.locator(f"#s{seg.id}")).to_have_class(re.compile(r"\bunsaved\b"))
    page.locator(f"#s{seg.id} .src").click()
    check(page.locator("#ed-text")).to_have_value("Personne ne peut")
    check(page.locator("#ed-status")).to_have_text("Restored unsaved text from this device")
    session.expire_all()
    assert session.scalar(select(Translation).where(Translation.segment_id == seg.id)) is None
    page.keyboard.type(" être réduit au silence.")
    page.keyboard.press("Control+Enter")
    check(page.locator("#ed-status")).to_have_text("Saved")
    check(page.locator("#unsaved-banner")).to_be_hidden()
    assert page.console_errors == []
