"""In the browser: switching the interface to Russian from the nav, and the accented,
40 %-longer en-XA pseudo-locale on a 360 px phone without horizontal overflow.
With TMS_SCREENSHOTS=1 the en-XA dashboard and editor are photographed into docs/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_document, make_language, make_user

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EDITOR = "/translate/declaration/fr"


@pytest.fixture
def team(session: Session) -> None:
    """A French translator (English interface), a French document."""
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "xa", roles={"fr": "translator"}, locale="en-XA")
    make_language(session, "fr")
    make_document(session, title="Sample declaration")
    session.commit()


def log_in(page: Any, base: str, pseudonym: str) -> None:
    """Log in through the form (by field id: the labels depend on the language)."""
    page.goto(base + "/login")
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_load_state()


@pytest.mark.browser
def test_switch_to_russian_from_the_nav(live_server: LiveServer, browser_page: Any,
                                        team: None) -> None:
    """The nav's language menu turns the editor Russian, and the next page stays Russian."""
    page = browser_page
    log_in(page, live_server.url, "ana")
    page.goto(live_server.url + EDITOR)
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#nav-locale").select_option("ru")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(live_server.url + EDITOR)
    assert page.locator("html").get_attribute("lang") == "ru"
    body = page.locator("body").inner_text()
    for label in ("Применить", "Главная", "Выйти"):
        assert label in body, label
    for english in ("Apply", "Dashboard", "Log out"):
        assert english not in body, english
    page.get_by_role("link", name="Главная").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert not page.console_errors


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.browser
@pytest.mark.parametrize(("name", "url"), [("dashboard", "/"), ("editor", EDITOR)])
def test_en_xa_fits_a_phone(live_server: LiveServer, new_browser_page: Callable[..., Any],
                            team: None, name: str, url: str) -> None:
    """40 % longer, accented strings at 360 px: nothing overflows horizontally."""
    page = new_browser_page(width=360, height=740)
    log_in(page, live_server.url, "xa")
    page.goto(live_server.url + url)
    assert page.locator("html").get_attribute("lang") == "en-XA"
    assert "[Đåšĥƀöåŕđ" in page.locator("body").inner_text()  # the nav, accented
    if os.environ.get("TMS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"i18n-en-XA-{name}-phone.png"), full_page=True)
    assert _overflow(page) <= 0, f"{url} is {_overflow(page)} px wider than a 360 px phone"
    assert not page.console_errors


# Elements wider than the window, or poking out of it, except inside an area that is
# meant to scroll sideways (overflow-x auto/scroll, e.g. a wide table's wrapper) and the
# visually hidden ones (the skip link, labels for screen readers).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p !== document.documentElement
          && p !== document.body) return true; } return false; };
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || e.closest('.visually-hidden, .skip') || scrolls(e)) continue;
    if (r.right > width + 1 || r.left < -1) {
      out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className}: `
               + `${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, client: width, out: out.slice(0, 8)};
}"""


@pytest.mark.browser
def test_every_language_fits_a_phone(live_server: LiveServer,
                                     new_browser_page: Callable[..., Any],
                                     session: Session) -> None:
    """At 360 px, every compiled catalogue (whatever tms/translations holds) on the main
    pages: the page is no wider than the window and no element sticks out of it."""
    from tests.browser.site import log_in as log_in_boss
    from tests.browser.site import make_site
    from tms.web.i18n import available_locales

    make_site(session)
    base = live_server.url
    page = new_browser_page(width=360, height=740)
    log_in_boss(page, base)
    main_pages = ["/", "/translate/declaration/fr", "/review/fr", "/publish/declaration",
                  "/admin/documents", "/admin/users", "/glossary/fr", "/memory", "/profile"]
    problems = []
    for locale in available_locales():
        page.goto(base + "/profile")
        page.locator("#nav-locale").select_option(locale)
        page.locator(".locale-form button[type=submit]").click()
        page.wait_for_url(base + "/profile")
        assert page.locator("html").get_attribute("lang") == locale
        for url in main_pages:
            page.goto(base + url)
            if url.startswith("/translate"):
                page.locator(".seg button.num").nth(1).focus()
                page.keyboard.press("Enter")  # the open segment: chips, buttons, panel
                page.locator("#ed-chips .chipbtn").first.wait_for()
            found = page.evaluate(_OVERFLOWING)
            if found["scroll"] > found["client"] or found["out"]:
                problems.append(f"{locale} {url}: page {found['scroll']} px for "
                                f"{found['client']}; {found['out']}")
    assert not problems, "\n".join(problems)
    assert not page.console_errors


@pytest.mark.browser
def test_no_english_left_in_the_browser(live_server: LiveServer,
                                        new_browser_page: Callable[..., Any],
                                        session: Session) -> None:
    """The rendered pages (after their scripts ran: the editor with a segment open) in
    every compiled catalogue but English show no interface string of the English page,
    measured as tests/test_i18n.py::test_no_english_left does."""
    from tests.browser.site import log_in as log_in_boss
    from tests.browser.site import make_site
    from tests.test_i18n import STORED, _as_regex, _patterns, _translation, visible_texts
    from tms.services import interface
    from tms.web.i18n import available_locales

    patterns = _patterns(interface.read_catalog(interface.POT_PATH))
    make_site(session)
    base = live_server.url
    page = new_browser_page()
    log_in_boss(page, base)
    urls = ["/", "/translate/declaration/fr", "/review/fr", "/publish/declaration"]

    def rendered(locale: str) -> dict[str, set[str]]:
        page.goto(base + "/profile")
        page.locator("#nav-locale").select_option(locale)
        page.locator(".locale-form button[type=submit]").click()
        page.wait_for_url(base + "/profile")
        out = {}
        for url in urls:
            page.goto(base + url)
            if url.startswith("/translate"):
                page.locator(".seg button.num").nth(1).focus()
                page.keyboard.press("Enter")
                page.locator("#ed-chips .chipbtn").first.wait_for()
            out[url] = visible_texts(page.content(), scripts=False)
        return out

    english = rendered("en")
    problems = []
    for locale in [c for c in available_locales() if c != "en"]:
        catalog = interface.read_catalog(interface.TRANSLATIONS_DIR / interface.locale_dir(
            locale) / "LC_MESSAGES" / "messages.po")
        for url, texts in rendered(locale).items():
            ui = [(t, p) for t in english[url] for p in patterns if p.regex.match(t)]
            assert len(ui) >= 5, (url, "too few interface strings recognised")
            left = sorted({t for t, p in ui if t in texts and t not in STORED
                           and not any(_as_regex(x).match(t) for x in _translation(catalog, p))})
            if left:
                problems.append(f"{url} in {locale}: still in English: {left}")
    assert not problems, "\n".join(problems)
