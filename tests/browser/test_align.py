"""Alignment in a real browser: upload a translation, check and fix the proposal, confirm,
and find the segments awaiting review in the editor."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.test_review import log_in
from tests.conftest import ROOT
from tests.factories import make_document, make_language, make_user
from tms.models import AlignmentRun, Segment, State, Translation

TRANSLATION = (
    "Nous, travailleuses du sexe, déclarons nos droits.\n\n"
    "Chacun a droit à la **vie** et à la sûreté de sa personne.\n\n"
    "Voir la note.\n"
)


def _upload(page: Any, base: str) -> None:
    page.goto(base + "/align/declaration/fr")
    page.set_input_files("#align-file", files=[{
        "name": "declaration-fr.md", "mimeType": "text/markdown",
        "buffer": TRANSLATION.encode()}])
    page.click("form.align-upload button[type=submit]")
    page.wait_for_load_state()


def _pair_text(page: Any, n: int) -> str:
    text = page.locator(".align-pairs > li").nth(n).locator(".tgt-text")
    return (text.text_content() or "").strip() if text.count() else ""


@pytest.mark.browser
def test_reviewer_aligns_fixes_and_confirms(live_server: Any, new_browser_page: Any,
                                            session: Session) -> None:
    fr = make_language(session, "fr")
    make_user(session, "rita", roles={"fr": "reviewer"})
    doc = make_document(session)
    segments = list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                    .order_by(Segment.position)))
    session.commit()
    base = live_server.url
    page = new_browser_page()
    log_in(page, base, "rita")

    # 1. upload the existing French translation: the proposal shows both columns
    _upload(page, base)
    assert "/align/declaration/fr/" in page.url, page.content()[:800]
    assert page.locator(".flash-success").count() == 1
    pairs = page.locator(".align-pairs > li")
    assert pairs.count() == 3
    assert "We, sex workers, declare our rights." in (pairs.nth(0).locator(".src p")
                                                      .text_content() or "")
    assert _pair_text(page, 1) == "Chacun a droit à la vie et à la sûreté de sa personne."
    assert pairs.nth(0).get_attribute("class").split()[1].startswith("score-")
    if os.environ.get("TMS_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots / "align-desktop.png")), full_page=True)

    # 2. move the first pair's sentence down to the second pair, then back up
    pairs.nth(0).locator("button[value=down]").click()
    page.wait_for_load_state()
    assert _pair_text(page, 1).startswith("Nous, travailleuses du sexe")
    assert "Chacun a droit" in _pair_text(page, 1)
    page.locator(".align-pairs > li").nth(1).locator("button[value=up]").click()
    page.wait_for_load_state()
    assert _pair_text(page, 0) == "Nous, travailleuses du sexe, déclarons nos droits."

    # 3. clicking inside a translation puts the split point in the pair's form (align.js)
    sentence = page.locator(".align-pairs > li").nth(1).locator(".tgt-text .sent").first
    box = sentence.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    offset = page.locator(".align-pairs > li").nth(1).locator("input.offset").input_value()
    assert offset.isdigit() and 0 < int(offset) < len(_pair_text(page, 1))

    # 4. confirm every pair scoring at least 0.5
    page.fill("#threshold", "0.5")
    page.click("button[value=confirm_above]")
    page.wait_for_load_state()
    assert "3 segments are now awaiting review." in (page.locator(".flash-success")
                                                     .text_content() or "")
    assert page.locator(".align-pairs > li.status-confirmed").count() == 3

    # 5. the editor shows them awaiting review (state "translated")
    page.goto(base + "/translate/declaration/fr")
    for seg in segments:
        page.locator(f"#s{seg.id}[data-st=translated]").wait_for()
    session.expire_all()
    states = list(session.scalars(select(Translation.state)
                                  .where(Translation.language_id == fr.id)))
    assert states == [State.TRANSLATED] * 3
    assert not page.console_errors


@pytest.mark.browser
def test_proposal_fits_a_phone(live_server: Any, new_browser_page: Any,
                               session: Session) -> None:
    make_language(session, "fr")
    make_user(session, "rita", roles={"fr": "reviewer"})
    make_document(session)
    session.commit()
    base = live_server.url
    page = new_browser_page(width=360, height=740)
    log_in(page, base, "rita")
    _upload(page, base)
    assert session.scalar(select(AlignmentRun.id)) is not None
    for selector in ("main", ".align-pairs", ".align-pairs > li >> nth=1", "#bulk"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
    # the buttons wrap instead of running off the screen
    last = page.locator(".align-pairs > li").nth(1).locator(".pair-actions button").last
    box = last.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    if os.environ.get("TMS_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots / "align-phone.png")), full_page=True)
    assert not page.console_errors
