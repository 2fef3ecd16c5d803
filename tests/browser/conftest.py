"""Browser fixtures: the app on a real HTTP port, and a Chromium page that may not leave it.

Use them in any browser test (mark it `@pytest.mark.browser`):

    @pytest.mark.browser
    def test_something(live_server, browser_page, session):
        make_user(session, "ana"); session.commit()      # same database as the server
        browser_page.goto(live_server.url + "/login")
        ...

- `live_server`: the test `app` (CSRF ON, as in production) served by werkzeug's
  make_server in a thread on 127.0.0.1 and a free port. `.url` is "http://127.0.0.1:PORT";
  `.app` is the Flask app. It uses the test database, so rows made through the `session`
  fixture (commit them!) are what the browser sees, and the database is emptied afterwards.
- `browser_page`: a Playwright (sync API) page in Debian's Chromium (/usr/bin/chromium,
  headless, the flags from shared/CLIENTS.md), 1280x800. Every request is recorded in
  `browser_page.requests`; a request to any other origin is aborted and makes the test fail
  at teardown (the site must never load anything from elsewhere). Console errors are kept
  in `browser_page.console_errors` (CSP violations show up there).
  `new_browser_page()` (a fixture returning a factory) opens more isolated pages, e.g. a
  second user in the same test, with the same checks; pass `width=360` for a phone.
Both skip with a reason when Playwright or Chromium is missing.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class LiveServer:
    """A running HTTP server of the test app."""

    app: Flask
    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://{self.host}:{self.port}"


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test app served over HTTP on 127.0.0.1 (a free port), CSRF protection on."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["TESTING"] = False  # errors become error pages, as in production
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, "127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    """One headless Chromium for the whole run (pages get their own contexts)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install playwright)")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_browser_page(_chromium: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """A factory of isolated pages (own cookies) that may only talk to the live server."""
    contexts: list[Any] = []
    pages: list[Any] = []
    origin = urlsplit(live_server.url)

    def open_page(width: int = 1280, height: int = 800) -> Any:
        context = _chromium.new_context(viewport={"width": width, "height": height},
                                        locale="en-GB", service_workers="block")
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.foreign_requests = []  # type: ignore[attr-defined]
        page.console_errors = []  # type: ignore[attr-defined]

        def guard(route: Any) -> None:
            url = route.request.url
            page.requests.append(url)  # type: ignore[attr-defined]
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES or (parts.scheme, parts.netloc) == (
                    origin.scheme, origin.netloc):
                route.continue_()
            else:
                page.foreign_requests.append(url)  # type: ignore[attr-defined]
                route.abort()

        context.route("**/*", guard)
        page.on("console", lambda msg: msg.type == "error"
                and page.console_errors.append(msg.text))  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield open_page
    foreign = [url for page in pages for url in page.foreign_requests]
    for context in contexts:
        context.close()
    if foreign:
        pytest.fail(f"requests left the site's origin: {foreign}")


@pytest.fixture
def browser_page(new_browser_page: Callable[..., Any]) -> Any:
    """A 1280x800 Chromium page whose every request must go to the live server."""
    return new_browser_page()
