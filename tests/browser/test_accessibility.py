"""Accessibility in the browser: axe-core (npm, served to the browser in tests only) on
every page in English, Russian and the right-to-left pseudo-locale en-XR, failing on any
serious or critical violation.

With TMS_AXE_REPORT=FILE each page's violation counts by impact are appended to FILE as
JSON lines (benchmarks/axe_report.py runs this and prints the table of
docs/accessibility.md).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.browser.site import choose_language, log_in, make_site, pages, run_axe, serve_axe

AUDITED_LOCALES = ["en", "ru", "en-XR"]
IMPACTS = ("critical", "serious", "moderate", "minor")


def _report(locale: str, name: str, violations: list[dict[str, Any]]) -> None:
    path = os.environ.get("TMS_AXE_REPORT")
    if not path:
        return
    counts = Counter(v["impact"] for v in violations for _node in v["nodes"])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"locale": locale, "page": name,
                             **{i: counts.get(i, 0) for i in IMPACTS},
                             "rules": sorted({f"{v['id']} ({v['impact']})"
                                              for v in violations})}) + "\n")


@pytest.mark.browser
@pytest.mark.parametrize("locale", AUDITED_LOCALES)
def test_axe_finds_nothing_serious(live_server: LiveServer,
                                   new_browser_page: Callable[..., Any], session: Session,
                                   locale: str) -> None:
    """Every page, signed out and in, has no serious or critical axe-core violation."""
    site = make_site(session, locale=locale)
    base = live_server.url
    anonymous, member = new_browser_page(), new_browser_page()
    for page in (anonymous, member):
        serve_axe(page, base)
    choose_language(anonymous, base, locale)
    log_in(member, base)
    problems = []
    for name, path, signed_in in pages(site):
        page = member if signed_in else anonymous
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        assert page.locator("html").get_attribute("lang") == locale, (name, locale)
        violations = run_axe(page, base)
        _report(locale, name, violations)
        for v in violations:
            if v["impact"] in ("serious", "critical"):
                where = "; ".join(f"{n['target']}: {n['html']}" for n in v["nodes"][:3])
                problems.append(f"{name} [{v['impact']}] {v['id']}: {v['help']} — {where}")
    assert not problems, f"{locale}:\n" + "\n".join(problems)
    for page in (anonymous, member):
        assert page.console_errors == [], page.console_errors


def _open_segment(page: Any, segment_id: int) -> None:
    """Open a segment of the editor (its tag chips, memory matches and panel load)."""
    page.locator(f"#s{segment_id} button.num").focus()
    page.keyboard.press("Enter")
    page.locator("#ed-chips .chipbtn").first.wait_for()


@pytest.mark.browser
@pytest.mark.parametrize("locale", AUDITED_LOCALES)
def test_axe_on_the_editor_at_work(live_server: LiveServer,
                                   new_browser_page: Callable[..., Any], session: Session,
                                   locale: str) -> None:
    """The editor with a segment open (chips, memory match, checks) and with its
    shortcuts dialog open: no serious or critical violation either."""
    site = make_site(session, locale=locale)
    base, page = live_server.url, new_browser_page()
    serve_axe(page, base)
    log_in(page, base)
    page.goto(base + "/translate/declaration/fr")
    _open_segment(page, site.segment_ids[1])
    page.keyboard.type("Chacun a droit à la <1>vie")  # a missing tag: the error shows
    states = {"segment open": run_axe(page, base)}
    page.keyboard.press("F1")
    page.locator("#help").wait_for()
    states["shortcuts dialog"] = run_axe(page, base)
    problems = [f"{state} [{v['impact']}] {v['id']}: {v['nodes'][0]['html']}"
                for state, found in states.items() for v in found
                if v["impact"] in ("serious", "critical")]
    for state, found in states.items():
        _report(locale, f"editor, {state}", found)
    assert not problems, "\n".join(problems)
    assert page.console_errors == []


@pytest.mark.browser
def test_axe_can_fail(live_server: LiveServer, new_browser_page: Callable[..., Any],
                      session: Session) -> None:
    """The audit is real: a nameless button and an image without text are reported."""
    make_site(session)
    base, page = live_server.url, new_browser_page()
    serve_axe(page, base)
    page.goto(base + "/login")
    page.evaluate("""() => {
        document.querySelector('main').append(document.createElement('button'));
        const img = document.createElement('img'); img.src = 'data:,';
        document.querySelector('main').append(img);
    }""")
    found = {v["id"]: v["impact"] for v in run_axe(page, base)}
    assert found.get("button-name") == "critical" and found.get("image-alt") == "critical"


_NAMES = """() => Array.from(document.querySelectorAll(
    '#ed button, #ed .chip, #ed-chips .chipbtn, .seg button.num, .seg .chip, #ed textarea'))
  .filter(e => e.offsetParent !== null || e.closest('#ed-chips'))
  .map((e, i) => [e.id || e.dataset.act || e.dataset.t || (e.className + i),
                  (e.getAttribute('aria-label') || (e.labels && e.labels[0]
                    && e.labels[0].textContent) || e.textContent || '').trim()])"""


@pytest.mark.browser
def test_editor_controls_named_in_every_language(live_server: LiveServer,
                                                 new_browser_page: Callable[..., Any],
                                                 session: Session) -> None:
    """Each chip, button and the text box of the editor has an accessible name in every
    compiled language; in Russian none of them is the English name."""
    from tms.web.i18n import available_locales

    site = make_site(session)
    base, page = live_server.url, new_browser_page()
    log_in(page, base)
    names: dict[str, dict[str, str]] = {}
    for locale in available_locales():
        page.goto(base + "/translate/declaration/fr")
        page.locator("#nav-locale").select_option(locale)
        page.locator(".locale-form button[type=submit]").click()
        page.wait_for_url(base + "/translate/declaration/fr")
        assert page.locator("html").get_attribute("lang") == locale
        _open_segment(page, site.segment_ids[1])
        found = dict(page.evaluate(_NAMES))
        assert len(found) >= 8, (locale, found)
        empty = [key for key, name in found.items() if not name]
        assert not empty, f"{locale}: controls without a name: {empty}"
        names[locale] = found
    english = names["en"]
    if "ru" in names:
        same = {k: v for k, v in names["ru"].items()
                if english.get(k) == v and any(c.isalpha() for c in v)}
        assert not same, f"ru: still English: {same}"
    assert page.console_errors == []
