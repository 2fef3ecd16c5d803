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
