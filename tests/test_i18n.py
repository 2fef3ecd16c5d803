"""The interface in the volunteers' languages: no English left, placeholders filled,
the choice sticks, right-to-left for en-XR, and every catalogue compiles.

"No English left" is measured against the catalogue: every visible text (text nodes, the
title/placeholder/aria-label/alt attributes, and the strings of JSON data blocks read by
the JavaScript) of the English page that is one of our msgids must not appear verbatim in
the translated page, unless its translation is the same word (French "Segments").
"""

from __future__ import annotations

import gettext
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from flask.testing import FlaskClient
from flask_babel import refresh
from sqlalchemy.orm import Session

from tests.clients import msgfmt_check
from tests.factories import login, make_document, make_language, make_user
from tms.models import Segment, State, User
from tms.services import interface, workflow
from tms.web.i18n import available_locales

# Every compiled catalogue in tms/translations except the English source: a language
# added there (its messages.mo) is checked by every test below without editing this file.
SHIPPED = [code for code in available_locales() if code != "en"]
PAGES = [
    "/",
    "/translate/declaration/fr",
    "/review/fr",
    "/publish/declaration",
    "/admin/",
    "/admin/users",
    "/admin/invites",
    "/admin/languages",
    "/admin/documents",
    "/profile",
    "/notifications",
    "/memory",
    "/glossary/fr",
    "/offline/declaration/fr",
]
SOURCES = ["Zebras graze near the quiet river.", "Kestrels hover above <1>dry</1> fields.",
           "Otters sleep in burrows.<2/>"]
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
_LETTERS = re.compile(r"[A-Za-z]")
# Tag labels the factory stores with the block (data, like a document's text).
STORED = {"footnote 1", "bold"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Texts(HTMLParser):
    """Visible strings of a page, whitespace-normalised."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.json_texts: list[str] = []  # for the JavaScript, which fills placeholders
        self._skip: list[str] = []
        self._json = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ATTRIBUTES:
            if a.get(name):
                self.texts.append(" ".join(str(a[name]).split()))
        if tag in ("script", "style"):
            self._skip.append(tag)
            self._json = tag == "script" and a.get("type") == "application/json"
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
            if self._json:
                self.json_texts.extend(_json_strings(json.loads("".join(self._buffer) or "null")))
            self._json = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._json:
                self._buffer.append(data)
            return
        text = " ".join(data.split())
        if text:
            self.texts.append(text)


def _json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [" ".join(value.split())] if value.strip() else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def visible_texts(html: str, *, scripts: bool = True) -> set[str]:
    """The set of visible strings of an HTML page (with the JSON blocks' strings)."""
    parser = _Texts()
    parser.feed(html)
    return set(parser.texts) | (set(parser.json_texts) if scripts else set())


@dataclass
class Pattern:
    """A msgid as a regular expression (placeholders match anything)."""

    msgid: str
    context: str | None
    regex: re.Pattern[str]
    ids: tuple[str, ...] = field(default_factory=tuple)


def _as_regex(text: str) -> re.Pattern[str]:
    """A message as a regular expression matching it with any placeholder values."""
    parts = _PLACEHOLDER.split(" ".join(text.split()).replace("%%", "%"))
    return re.compile(".+?".join(re.escape(p) for p in parts) + r"\Z")


def _patterns(template: Catalog) -> list[Pattern]:
    out = []
    for m in template:
        if not m.id:
            continue
        ids = tuple(m.id) if isinstance(m.id, tuple | list) else (m.id,)
        for text in ids:
            literal = _PLACEHOLDER.sub("", text)
            if len(_LETTERS.findall(literal)) < 3:
                continue  # "%(file)s: %(reason)s." would match user text as well
            out.append(Pattern(ids[0], m.context, _as_regex(text), ids))
    return out


@pytest.fixture(scope="module")
def patterns() -> list[Pattern]:
    """Every msgid of the template as a pattern."""
    return _patterns(interface.read_catalog(interface.POT_PATH))


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    """The shipped catalogues by locale code."""
    return {code: interface.read_catalog(
        interface.TRANSLATIONS_DIR / interface.locale_dir(code) / "LC_MESSAGES" / "messages.po")
        for code in SHIPPED}


@pytest.fixture
def boss(session: Session) -> User:
    """An admin and publisher who reviews French, with a document in every state."""
    user = make_user(session, "boss", is_admin=True, is_publisher=True,
                     roles={"fr": "reviewer"})
    translator = make_user(session, "ana", roles={"fr": "translator"})
    doc = make_document(session, sources=SOURCES)
    fr = make_language(session, "fr")
    segs = sorted(doc_segments(session, doc.id), key=lambda s: s.position)
    done = workflow.save_translation(session, segment=segs[0], language=fr, user=translator,
                                     target="Les zèbres broutent près de la rivière.",
                                     state=State.TRANSLATED, base_version=0)
    workflow.approve(session, translation=done.translation, user=user)
    workflow.save_translation(session, segment=segs[1], language=fr, user=translator,
                              target="Les crécerelles planent au-dessus des champs "
                                     "<1>secs</1>.", state=State.TRANSLATED, base_version=0)
    session.commit()
    return user


def doc_segments(session: Session, document_id: int) -> list[Segment]:
    """The document's segments."""
    from sqlalchemy import select

    return list(session.scalars(select(Segment).where(Segment.document_id == document_id)))


def render(client: FlaskClient, session: Session, user: User, locale: str, url: str) -> str:
    """The page as the user sees it with their profile set to `locale`."""
    user.locale = locale
    session.commit()
    # The session fixture's app context is shared by the test client's requests, and
    # Flask-Babel caches the locale on it: forget it, as a new app context would.
    refresh()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _translation(catalog: Catalog, p: Pattern) -> tuple[str, ...]:
    message = catalog.get(p.ids[0] if len(p.ids) == 1 else p.ids, context=p.context)
    if message is None or not message.string:
        return ()
    return tuple(message.string) if isinstance(message.string, tuple | list) \
        else (message.string,)


@pytest.mark.parametrize("locale", SHIPPED)
@pytest.mark.parametrize("url", PAGES)
def test_no_english_left(client: FlaskClient, session: Session, boss: User,
                         patterns: list[Pattern], catalogs: dict[str, Catalog],
                         locale: str, url: str) -> None:
    """Interface strings of the English page are all translated on the localised page."""
    login(client, "boss")
    english = visible_texts(render(client, session, boss, "en", url))
    ui = [(text, p) for text in english for p in patterns if p.regex.match(text)]
    assert len(ui) >= 5, f"{url}: too few interface strings recognised to test anything"
    page = render(client, session, boss, locale, url)
    translated = visible_texts(page)
    left = sorted({text for text, p in ui if text in translated and text not in STORED
                   and not any(_as_regex(t).match(text)
                               for t in _translation(catalogs[locale], p))})
    assert not left, f"{url} in {locale}: still in English: {left}"
    unfilled = [t for t in visible_texts(page, scripts=False) if "%(" in t]
    assert not unfilled, f"{url}: unfilled placeholders {unfilled}"


def test_login_page_translated(client: FlaskClient) -> None:
    """The anonymous login page follows Accept-Language (every shipped locale)."""
    for locale, word in [("fr", "Pseudonyme"), ("de", "Passwort"), ("ru", "Пароль")]:
        html = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert word in html and f'lang="{locale}"' in html


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr", "Profil de boss"), ("de", "Profil von boss"), ("ru", "Профиль boss"),
])
def test_placeholder_filled(client: FlaskClient, session: Session, boss: User, locale: str,
                            expected: str) -> None:
    """A %(name)s message renders with the value in every language."""
    login(client, "boss")
    assert expected in render(client, session, boss, locale, "/profile")


def test_switcher_choice_sticks_across_pages(client: FlaskClient, session: Session,
                                             boss: User) -> None:
    """Chosen from the nav before logging in: the session keeps it through log-in."""
    response = client.post("/locale", data={"locale": "ru", "next": "/login"})
    assert response.status_code == 302
    assert "Войти" in client.get("/login").get_data(as_text=True)
    login(client, "boss")
    for url in ("/", "/review/fr", "/translate/declaration/fr"):
        html = client.get(url).get_data(as_text=True)
        assert 'lang="ru"' in html and "Главная" in html, url


def test_profile_choice_sticks_on_a_new_device(app, session: Session, boss: User) -> None:  # type: ignore[no-untyped-def]
    """Chosen while logged in: saved in the profile, so a fresh session uses it too."""
    first = app.test_client()
    login(first, "boss")
    first.post("/locale", data={"locale": "de"})
    session.refresh(boss)
    assert boss.locale == "de"
    second = app.test_client()
    login(second, "boss")
    html = second.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="de"' in html and "Übersicht" in html


@pytest.mark.parametrize(("header", "lang"), [
    ("de-DE,de;q=0.9,en;q=0.5", "de"), ("ru", "ru"), ("es, pt;q=0.8", "es"),
    ("ja, ko;q=0.8", "en"),
    ("fr-CH, fr;q=0.9", "fr"),
])
def test_accept_language_fallback(client: FlaskClient, header: str, lang: str) -> None:
    """Without a choice, the browser's languages decide; English when none is shipped."""
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in html


def test_unknown_locale_refused(client: FlaskClient) -> None:
    """The switcher accepts only shipped locales."""
    assert client.post("/locale", data={"locale": "xx"}).status_code == 400


@pytest.mark.parametrize(("locale", "direction"), [
    ("en-XR", "rtl"), ("en-XA", "ltr"), ("ru", "ltr"), ("en", "ltr"),
])
def test_direction(client: FlaskClient, session: Session, boss: User, locale: str,
                   direction: str) -> None:
    """en-XR is served right to left; html lang matches the locale code."""
    login(client, "boss")
    html = render(client, session, boss, locale, "/translate/declaration/fr")
    assert f'<html lang="{locale}" dir="{direction}">' in html


def test_pseudo_locales_look_pseudo(client: FlaskClient, session: Session, boss: User) -> None:
    """en-XA is bracketed and accented; en-XR wrapped in right-to-left override marks."""
    login(client, "boss")
    xa = render(client, session, boss, "en-XA", "/")
    assert "[Đåšĥƀöåŕđ ·ōñé]" in xa
    xr = render(client, session, boss, "en-XR", "/")
    assert "\u202eDashboard\u202c" in xr


def test_available_locales_match_catalogues() -> None:
    """Every shipped locale is offered, under the code the html lang attribute uses."""
    assert {"fr", "de", "ru", "en-XA", "en-XR"} <= set(SHIPPED) <= set(available_locales())
    assert available_locales()[0] == "en"


def test_dates_follow_the_locale(app) -> None:  # type: ignore[no-untyped-def]
    """The date filters the templates use format for the chosen locale."""
    from datetime import datetime

    template = app.jinja_env.from_string('{{ d|datetimeformat("short") }}')
    when = datetime(2026, 3, 5, 14, 7)
    results = {}
    for locale in ("en", "de", "ru"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            results[locale] = template.render(d=when)
    assert results == {"en": "3/5/26, 2:07\u202fPM", "de": "05.03.26, 14:07",
                       "ru": "05.03.2026, 14:07"}


@pytest.mark.parametrize("locale", SHIPPED)
def test_catalogue_complete_and_compiled(catalogs: dict[str, Catalog], locale: str) -> None:
    """Every template message is translated, and the .mo says what the .po says."""
    template = interface.read_catalog(interface.POT_PATH)
    catalog = catalogs[locale]
    missing = [m.id for m in template if m.id and not _translated(catalog, m.id, m.context)]
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not interface.check_catalog(catalog)
    mo = interface.TRANSLATIONS_DIR / interface.locale_dir(locale) / "LC_MESSAGES" / "messages.mo"
    with open(mo, "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for m in catalog:
        if m.id and isinstance(m.id, str) and m.string and not m.context:
            assert compiled.gettext(m.id) == m.string, f"{locale}: run tms i18n compile"


def _translated(catalog: Catalog, msgid: object, context: str | None) -> bool:
    message = catalog.get(msgid, context=context)
    if message is None or not message.string:
        return False
    return all(message.string) if isinstance(message.string, tuple | list) else True


@pytest.mark.clients
@pytest.mark.parametrize("folder", [interface.locale_dir(code) for code in SHIPPED])
def test_msgfmt_accepts_catalogue(folder: str) -> None:
    """GNU msgfmt -c accepts every shipped PO (headers, plural forms, format strings)."""
    result = msgfmt_check(Path(interface.TRANSLATIONS_DIR / folder / "LC_MESSAGES"
                               / "messages.po"))
    assert result.returncode == 0, result.stderr


def test_russian_has_three_plural_forms(catalogs: dict[str, Catalog]) -> None:
    """Russian plurals: 1 сегмент, 3 сегмента, 5 сегментов."""
    ru = catalogs["ru"]
    assert ru.num_plurals == 3
    with open(interface.TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        t = gettext.GNUTranslations(fh)
    forms = [t.ngettext("%(num)d segment", "%(num)d segments", n) % {"num": n}
             for n in (1, 3, 5, 21)]
    assert forms == ["1 сегмент", "3 сегмента", "5 сегментов", "21 сегмент"]


# --- The language menu, with more catalogues than the shipped ones --------------------

# A few messages per language, made here: the menu must find any compiled catalogue.
EXTRA_CATALOGUES = {
    "sr": {"Log in": "Пријава", "Pseudonym": "Псеудоним"},
    "sr_Latn": {"Log in": "Prijava", "Pseudonym": "Pseudonim"},
    "uk": {"Log in": "Увійти", "Pseudonym": "Псевдонім"},
    "el": {"Log in": "Σύνδεση", "Pseudonym": "Ψευδώνυμο"},
    "ky": {"Log in": "Кирүү", "Pseudonym": "Лакап ат"},
}


def compile_small_catalogues(directory: Path, entries: dict[str, dict[str, str]]) -> None:
    """Write and compile one messages.po/.mo per folder (Babel's writer, as `tms i18n`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    for folder, messages in entries.items():
        catalog = Catalog(locale=folder, fuzzy=False)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        out = directory / folder / "LC_MESSAGES"
        out.mkdir(parents=True)
        with open(out / "messages.po", "wb") as fh:
            write_po(fh, catalog)
        with open(out / "messages.mo", "wb") as fh:
            write_mo(fh, catalog)


@pytest.fixture
def extra_app(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An app whose catalogue folder holds small sr, sr_Latn, uk, el and ky catalogues."""
    from tests.conftest import _wipe
    from tms import create_app

    translations = tmp_path / "translations"
    compile_small_catalogues(translations, EXTRA_CATALOGUES)
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": str(tmp_path / "instance"),
                      "EXPORTS_DIR": str(tmp_path / "exports"),
                      "BABEL_TRANSLATION_DIRECTORIES": str(translations)})
    try:
        yield app
    finally:
        _wipe(app)
        app.extensions["tms_engine"].dispose()


def _menu(html: str) -> list[tuple[str, str, str]]:
    """(value, lang, text) of each option of the nav's language menu."""
    menu = html.split('id="nav-locale"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</option>', menu)


def test_menu_names_each_language_in_itself(extra_app) -> None:  # type: ignore[no-untyped-def]
    """Every compiled catalogue is offered, named in its own language, with its lang
    attribute, English first and the rest by code; Serbian in both scripts."""
    html = extra_app.test_client().get("/login").get_data(as_text=True)
    assert _menu(html) == [
        ("en", "en", "English"),
        ("el", "el", "Ελληνικά"),
        ("ky", "ky", "Кыргызча"),
        ("sr", "sr", "Српски"),
        ("sr-Latn", "sr-Latn", "Srpski (latinica)"),
        ("uk", "uk", "Українська"),
    ]
    with extra_app.app_context():
        assert available_locales() == ["en", "el", "ky", "sr", "sr-Latn", "uk"]


@pytest.mark.parametrize(("code", "login_word"), [
    ("sr", "Пријава"), ("sr-Latn", "Prijava"), ("uk", "Увійти"), ("el", "Σύνδεση"),
    ("ky", "Кирүү"),
])
def test_menu_choice_loads_the_catalogue(extra_app, code: str, login_word: str) -> None:  # type: ignore[no-untyped-def]
    """Chosen from the menu: the page speaks the catalogue (sr-Latn, not the Cyrillic sr)
    and <html lang> says the BCP 47 code."""
    client = extra_app.test_client()
    assert client.post("/locale", data={"locale": code, "next": "/login"}).status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert f'<html lang="{code}" dir="ltr">' in html
    assert f">{login_word}<" in html
    others = {w for c, w in [("sr", "Пријава"), ("sr-Latn", "Prijava")] if c != code}
    assert not any(f">{w}<" in html for w in others)


def test_choice_remembered_by_the_session_cookie_alone(extra_app) -> None:  # type: ignore[no-untyped-def]
    """No cookie banner needed: the choice lives in the session cookie the log-in form
    needs anyway (HttpOnly, SameSite, gone when the browser closes), and no other cookie."""
    client = extra_app.test_client()
    response = client.post("/locale", data={"locale": "sr-Latn", "next": "/login"})
    cookies = response.headers.getlist("Set-Cookie")
    name = extra_app.config.get("SESSION_COOKIE_NAME", "session")
    assert len(cookies) == 1 and cookies[0].startswith(f"{name}="), cookies
    flags = cookies[0].lower()
    assert "httponly" in flags and "samesite=lax" in flags
    assert "expires=" not in flags and "max-age=" not in flags  # not kept past the visit
    page = client.get("/login")
    stored = [c for c in page.headers.getlist("Set-Cookie") if "max-age=0" not in c.lower()]
    assert all(c.startswith(f"{name}=") for c in stored), stored  # (deletions aside)
    assert 'lang="sr-Latn"' in page.get_data(as_text=True)


def test_choice_remembered_in_the_profile(extra_app) -> None:  # type: ignore[no-untyped-def]
    """Signed in, the choice is saved in the profile and follows the user to a new
    browser (a fresh session), whatever that browser's Accept-Language says."""
    from tms.db import get_session

    with extra_app.app_context():
        db = get_session()
        make_user(db, "vesna")
        db.commit()
    first = extra_app.test_client()
    login(first, "vesna")
    first.post("/locale", data={"locale": "sr-Latn"})
    second = extra_app.test_client()
    login(second, "vesna")
    html = second.get("/profile", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert 'lang="sr-Latn"' in html
    assert '<option value="sr-Latn" lang="sr-Latn" selected>' in html


def test_warm_app_loads_every_catalogue_and_template(app) -> None:  # type: ignore[no-untyped-def]
    """What `tms serve` loads before forking its workers (so they share it): the catalogue
    of every interface language, pseudo-locales included, and every page template."""
    from tms import warm_app

    with app.app_context():
        domain = app.extensions["babel"].instance.domain_instance
        codes = available_locales()
    domain.cache.clear()
    app.jinja_env.cache.clear()
    warm_app(app)
    loaded = {code for code, _domain in domain.cache}
    assert {code.replace("-", "_") for code in codes} <= loaded
    assert "en_XA" in loaded and "sr_Latn" in loaded
    templates = {name for _loader, name in app.jinja_env.cache}
    assert {"base.html", "editor/edit.html"} <= templates
    assert len(templates) == len(app.jinja_env.list_templates(extensions=["html"]))
