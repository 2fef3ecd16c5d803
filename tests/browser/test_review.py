"""The review loop in a real browser: submit, send back with a reason, fix, approve."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, ROOT
from tests.factories import make_document, make_language, make_user
from tms.models import Segment, State
from tms.services import workflow

FIRST = "Nous, travailleuses du sexe, affirmons nos droits"  # no final stop: a QA warning
FIXED = "Nous, travailleuses du sexe, déclarons nos droits."
REASON = "Please say “déclarons”, as in the title, and end with a full stop."


def log_in(page: Any, base: str, pseudonym: str) -> None:
    """Log in through the real form."""
    page.goto(base + "/login")
    page.fill("input[name=pseudonym]", pseudonym)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit], form:has(input[name=pseudonym]) "
               "button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def counts(page: Any, base: str, doc_id: int, lang_id: int) -> dict[str, int]:
    """Segments per state for one document and language, read from the dashboard."""
    page.goto(base + "/")
    cell = page.locator(f"#p-{doc_id}-{lang_id}")
    out = {}
    for name in ("draft", "needs_work", "translated", "approved"):
        text = cell.locator(f"tr.state-{name} td").first.text_content() or "0"
        out[name] = int(text.strip())
    return out


def editor_save(page: Any, base: str, segment_id: int, text: str) -> None:
    """Open a segment in the editor, type the text, save it as translated."""
    page.goto(base + "/translate/declaration/fr")
    page.click(f"#s{segment_id} button.num")
    page.fill("#ed-text", text)
    page.click("#ed button[data-act=translated]")
    # (a selector, not a JS predicate: the CSP forbids eval, Playwright's predicates use it)
    page.locator(f"#s{segment_id}[data-st=translated]").wait_for()


@pytest.mark.browser
def test_send_back_fix_and_approve(live_server: Any, new_browser_page: Any,
                                   session: Session) -> None:
    fr = make_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "rita", roles={"fr": "reviewer"})
    doc = make_document(session)
    seg = session.scalar(select(Segment).where(Segment.document_id == doc.id,
                                               Segment.position == 0))
    session.commit()
    base = live_server.url
    ana, rita = new_browser_page(), new_browser_page()
    log_in(ana, base, "ana")
    log_in(rita, base, "rita")
    assert counts(ana, base, doc.id, fr.id)["translated"] == 0

    # 1. the translator submits a segment
    editor_save(ana, base, seg.id, FIRST)
    assert counts(ana, base, doc.id, fr.id)["translated"] == 1

    # 2. the reviewer finds it in the queue and sends it back with a reason
    rita.goto(base + "/review/fr")
    item = rita.locator(".review-item").first
    assert FIRST in (item.locator(".tgt").first.text_content() or "")
    assert "Translator: ana" in (item.text_content() or "")
    # the reason is required: an empty form is not sent
    rita.keyboard.press("j")  # select the first item, "s" opens its send-back form
    rita.keyboard.press("s")
    assert item.locator("details.send-back textarea:focus").count() == 1
    assert item.locator("details.send-back textarea").input_value() == ""  # no stray "s"
    item.locator("details.send-back button[type=submit]").click()
    assert rita.url.endswith("/review/fr")
    assert item.locator("details.send-back textarea:invalid").count() == 1
    item.locator("details.send-back textarea").fill(REASON)
    item.locator("details.send-back button[type=submit]").click()
    rita.wait_for_load_state()
    assert "Sent back to the translator" in (rita.locator(".flashes").text_content() or "")
    assert "Nothing is waiting for review." in rita.content()
    c = counts(ana, base, doc.id, fr.id)
    assert (c["translated"], c["needs_work"]) == (0, 1)

    # 3. the translator sees the reason (notification and dashboard) and fixes the text
    ana.goto(base + "/notifications")
    assert REASON in (ana.locator(".notifications").text_content() or "")
    ana.goto(base + "/")
    assert "1 segment sent back to me" in (ana.locator(".attention").text_content() or "")
    editor_save(ana, base, seg.id, FIXED)
    c = counts(ana, base, doc.id, fr.id)
    assert (c["translated"], c["needs_work"]) == (1, 0)

    # 4. the reviewer approves it with the keyboard shortcut (j to select, a to approve)
    rita.goto(base + "/review/fr")
    assert FIXED in (rita.locator(".review-item .tgt").first.text_content() or "")
    rita.keyboard.press("j")
    with rita.expect_navigation():
        rita.keyboard.press("a")
    assert "Approved." in (rita.locator(".flashes").text_content() or "")
    c = counts(rita, base, doc.id, fr.id)
    assert (c["translated"], c["needs_work"], c["approved"]) == (0, 0, 1)
    assert not ana.console_errors and not rita.console_errors


@pytest.mark.browser
def test_queue_sections_render(live_server: Any, browser_page: Any, session: Session) -> None:
    """Every section with real content: tag chips, the diff since approval, suggestions side
    by side, an outdated approved text with its source diff (the documentation screenshot)."""
    fr = make_language(session, "fr")
    ana = make_user(session, "ana", roles={"fr": "translator"})
    tom = make_user(session, "tom", roles={"fr": "translator"})
    rita = make_user(session, "rita", roles={"fr": "reviewer"})
    fr.allow_self_review = True
    doc = make_document(session)
    s1, s2, s3 = session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                 .order_by(Segment.position)).all()

    def save(seg: Segment, user: Any, text: str) -> Any:
        t = workflow.get_translation(session, seg.id, fr.id)
        return workflow.save_translation(session, segment=seg, language=fr, user=user,
                                         target=text, state=State.TRANSLATED,
                                         base_version=t.version if t else 0).translation

    t1 = save(s1, ana, "Nous, travailleuses du sexe, déclarons nos droits.")
    workflow.approve(session, translation=t1, user=rita)
    save(s1, rita, "Nous, travailleuses et travailleurs du sexe, déclarons nos droits.")
    save(s2, ana, "Chacun a droit à la <1>vie</1>.")
    t3 = save(s3, ana, "Voir la note.<2/>")
    workflow.approve(session, translation=t3, user=rita)
    save(s3, tom, "Voyez la note.<2/>")  # approved: becomes a suggestion
    s3.previous_source, s3.source = s3.source, "See the footnote.<2/>"
    workflow.mark_outdated(session, s3)
    session.commit()
    page = browser_page
    log_in(page, live_server.url, "rita")
    page.goto(live_server.url + "/review/fr")
    assert page.locator("#count-awaiting").text_content().startswith("2 ")
    assert page.locator(".review-item .tag-open").count() >= 2
    changes = page.locator(".changes").first
    assert changes.locator("ins").first.text_content().strip() == "et travailleurs"
    assert page.locator(".suggestion").count() == 1
    assert "Suggestion by tom" in (page.locator(".suggestion h4").text_content() or "")
    assert page.locator(f"#o{t3.id} .changes del").text_content() == "note"
    assert page.locator(f"#o{t3.id} .changes ins").text_content() == "footnote"
    if os.environ.get("TMS_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots / "review-queue.png")), full_page=True)
    assert not page.console_errors
