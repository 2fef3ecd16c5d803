"""A small site with something on every page, and the pages the accessibility, keyboard
and text-expansion tests visit (tests/browser/test_accessibility.py).

`make_site` builds, through the services, a French team (an admin who publishes and
reviews, a translator), a document with segments in several states, a memory unit, a
glossary term, an alignment proposal and an open invite, so that no page is tested empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_document, make_language, make_user
from tms.models import Segment, State
from tms.services import accounts, alignment, glossary, memory, workflow

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("TMS_TOOLS_DIR", ROOT / ".tools"))
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
# Where the page asks for axe-core: answered by Playwright from the local file (a route),
# never by the app, so axe is served to the browser in tests only and the page's strict
# CSP (script-src 'self') stays on.
AXE_URL_PATH = "/__tests__/axe.min.js"

SOURCES = [
    "We, sex workers, declare our rights.",
    "Everyone has the right to <1>life</1>.",
    "See the note.<2/>",
    "Nobody may be forced into silence.",
]
TRANSLATION = ("Nous, travailleuses du sexe, déclarons nos droits.\n\n"
               "Chacun a droit à la vie.\n\nVoir la note.\n\n"
               "Personne ne peut être réduit au silence.\n")


@dataclass
class Site:
    """What the pages need in their URLs."""

    invite_token: str
    run_id: int
    segment_ids: list[int]


def make_site(session: Session, locale: str | None = None) -> Site:
    """The French team, one document in every state, memory, glossary, alignment, invite.

    `locale` is the interface language saved in both users' profiles.
    """
    fr = make_language(session, "fr")
    boss = make_user(session, "boss", is_admin=True, is_publisher=True,
                     roles={"fr": "reviewer"}, locale=locale)
    ana = make_user(session, "ana", roles={"fr": "translator"}, locale=locale)
    doc = make_document(session, sources=SOURCES, title="Sample declaration")
    segs = list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))
    done = workflow.save_translation(session, segment=segs[0], language=fr, user=ana,
                                     target="Nous, travailleuses du sexe, déclarons nos "
                                            "droits.", state=State.TRANSLATED, base_version=0)
    workflow.approve(session, translation=done.translation, user=boss)
    workflow.save_translation(session, segment=segs[1], language=fr, user=ana,
                              target="Chacun a droit à la <1>vie</1>.",
                              state=State.TRANSLATED, base_version=0)
    workflow.save_translation(session, segment=segs[2], language=fr, user=ana,
                              target="Voir la note", state=State.DRAFT, base_version=0)
    memory.remember(session, source="Everyone has the right to <1>work</1>.",
                    target="Chacun a droit au <1>travail</1>.", source_language="en",
                    target_language="fr", origin="manifesto")
    glossary.add_term(session, language=fr, source_term="sex workers",
                      target_term="travailleuses du sexe", approved=True)
    run = alignment.propose_alignment(session, document=doc, language=fr,
                                      filename="declaration-fr.md",
                                      data=TRANSLATION.encode(), user=boss)
    _invite, token = accounts.create_invite(session, role="translator", language=fr,
                                            created_by=boss)
    session.commit()
    return Site(invite_token=token, run_id=run.id, segment_ids=[s.id for s in segs])


def pages(site: Site) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of every page the audits visit."""
    return [
        ("login", "/login", False),
        ("sign-up", f"/signup/{site.invite_token}", False),
        ("dashboard", "/", True),
        ("editor", "/translate/declaration/fr", True),
        ("review queue", "/review/fr", True),
        ("publish", "/publish/", True),
        ("publish document", "/publish/declaration", True),
        ("admin", "/admin/", True),
        ("admin users", "/admin/users", True),
        ("admin invites", "/admin/invites", True),
        ("admin languages", "/admin/languages", True),
        ("admin documents", "/admin/documents", True),
        ("alignment upload", "/align/declaration/fr", True),
        ("alignment proposal", f"/align/declaration/fr/{site.run_id}", True),
        ("glossary", "/glossary/fr", True),
        ("memory", "/memory", True),
        ("profile", "/profile", True),
    ]


def log_in(page: Any, base: str, pseudonym: str = "boss") -> None:
    """Log in through the form by field id (the labels depend on the language)."""
    page.goto(base + "/login")
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(base + "/")


def choose_language(page: Any, base: str, locale: str) -> None:
    """Pick the interface language from the nav's menu while signed out (the session)."""
    page.goto(base + "/login")
    page.locator("#nav-locale").select_option(locale)
    page.locator(".locale-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == locale


def axe_js() -> Path:
    """axe-core's script, installed by scripts/fetch_clients.sh (npm), or skip."""
    if not AXE_JS.exists():
        pytest.skip(f"{AXE_JS} is missing (run scripts/fetch_clients.sh)")
    return AXE_JS


def serve_axe(page: Any, base: str) -> None:
    """Answer AXE_URL_PATH on the site's origin with the local axe-core file."""
    path = axe_js()
    page.route(base + AXE_URL_PATH, lambda route: route.fulfill(
        path=str(path), content_type="text/javascript"))


def run_axe(page: Any, base: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded (every rule axe runs by default)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base + AXE_URL_PATH)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                       summary: n.failureSummary}))}));
    }""")
    return list(result)


def axe_summary(page: Any) -> dict[str, Any]:
    """How many rules passed and which could not decide (for the canary and the report)."""
    return dict(page.evaluate("""async () => {
        const r = await axe.run(document);
        return {passes: r.passes.length, violations: r.violations.map(v => v.id),
                incomplete: r.incomplete.map(v => v.id + ':' + v.nodes.length)};
    }"""))
