"""The editor page: access rules, rendering, filters, search, query count and page weight."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Comment, Document, Segment, State, User
from tms.services import workflow

URL = "/translate/declaration/fr"


@pytest.fixture
def team(session: Session) -> dict[str, User]:
    """A French team (translator, reviewer), an outsider, a German translator and an admin."""
    users = {
        "ana": make_user(session, "ana", roles={"fr": "translator"}),
        "rev": make_user(session, "rev", roles={"fr": "reviewer"}),
        "out": make_user(session, "out"),
        "hans": make_user(session, "hans", roles={"de": "translator"}),
        "boss": make_user(session, "boss", is_admin=True),
    }
    session.commit()
    return users


@pytest.fixture
def doc(session: Session, team: dict[str, User]) -> Document:
    """The factory's three-segment sample document."""
    document = make_document(session)
    session.commit()
    return document


def save(session: Session, segment: Segment, user: User, target: str,
         state: State = State.DRAFT, code: str = "fr") -> None:
    """Save a translation through the workflow service (the only writer of translations)."""
    language = make_language(session, code)
    current = workflow.get_translation(session, segment.id, language.id)
    result = workflow.save_translation(
        session, segment=segment, language=language, user=user, target=target, state=state,
        base_version=current.version if current else 0)
    assert result.status == "saved"


def segments(session: Session, document: Document) -> list[Segment]:
    """Segments of a document in order."""
    from sqlalchemy import select

    return list(session.scalars(select(Segment).where(Segment.document_id == document.id)
                                .order_by(Segment.position)))


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("ana", URL, 200),
        ("rev", URL, 200),
        ("boss", URL, 200),
        ("boss", "/translate/declaration/de", 200),
        ("out", URL, 403),
        ("hans", URL, 403),
        ("ana", "/translate/nope/fr", 404),
        ("ana", "/translate/declaration/xx", 404),
    ],
)
def test_access(client: FlaskClient, doc: Document, who: str, url: str, status: int) -> None:
    login(client, who)
    assert client.get(url).status_code == status


def test_anonymous_is_sent_to_login(client: FlaskClient, doc: Document) -> None:
    resp = client.get(URL)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_page_renders_segments_with_chips_and_context(
    client: FlaskClient, session: Session, team: dict[str, User]
) -> None:
    document = make_document(session, sources=["A <1>bold</1> claim.<2/>", "Plain <b>text</b>."])
    block = segments(session, document)[0].block
    assert block is not None
    block.type, block.context = "footnote", "Preamble > Rights"
    block.attrs = {"note": "2"}
    session.commit()
    login(client, "ana")
    html = client.get(URL).get_data(as_text=True)
    assert 'class="chip c-open" data-t="&lt;1&gt;"' in html
    assert 'aria-label="start of tag 1: bold"' in html
    assert 'aria-label="tag 2: footnote 1"' in html
    assert "footnote 2 · Preamble &gt; Rights" in html
    assert "Plain &lt;b&gt;text&lt;/b&gt;." in html  # source text is escaped
    assert 'id="editor-i18n"' in html and 'type="application/json"' in html
    assert 'src="/static/editor.js" defer' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style
    assert 'dir="ltr"' in html and 'lang="fr"' in html


def test_rtl_language_gets_dir_and_lang(client: FlaskClient, session: Session,
                                        team: dict[str, User], doc: Document) -> None:
    make_language(session, "ar")
    session.commit()
    login(client, "boss")
    html = client.get("/translate/declaration/ar").get_data(as_text=True)
    assert 'id="ed-text" lang="ar" dir="rtl"' in html


def test_target_text_is_escaped(client: FlaskClient, session: Session,
                                team: dict[str, User], doc: Document) -> None:
    save(session, segments(session, doc)[0], team["ana"], "<script>alert(1)</script> &amp;")
    session.commit()
    login(client, "ana")
    html = client.get(URL).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;" in html


@pytest.fixture
def states_doc(session: Session, team: dict[str, User]) -> Document:
    """Five segments: untranslated, draft, translated, sent back, and one with a comment."""
    document = make_document(session, sources=[
        "First sentence.", "Second sentence.", "Third sentence.", "Fourth sentence.",
        "Fifth <1>sentence</1>."])
    segs = segments(session, document)
    save(session, segs[1], team["ana"], "Deuxième phrase.", State.DRAFT)
    save(session, segs[2], team["ana"], "Troisième phrase.", State.TRANSLATED)
    save(session, segs[3], team["ana"], "Quatrième phrase.", State.TRANSLATED)
    lang = make_language(session, "fr")
    sent = workflow.get_translation(session, segs[3].id, lang.id)
    assert sent is not None
    workflow.send_back(session, translation=sent, user=team["rev"], reason="Check the verb.")
    save(session, segs[4], team["ana"], "Cinquième phrase.", State.DRAFT)  # tag error
    session.add(Comment(segment_id=segs[0].id, language_id=lang.id, author_id=team["rev"].id,
                        body="Mind the capital."))
    session.commit()
    return document


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"First", "Second", "Third", "Fourth", "Fifth"}),
        ("?filter=untranslated", {"First"}),
        ("?filter=draft", {"Second", "Fifth"}),
        ("?filter=translated", {"Third"}),
        ("?filter=needs_work", {"Fourth"}),
        ("?filter=comments", {"First", "Fourth"}),  # a send-back reason is a comment too
        ("?filter=qa", {"Fifth"}),
        ("?filter=outdated", set()),
        ("?q=troisi%C3%A8me", {"Third"}),  # the target is searched too
        ("?q=SECOND", {"Second"}),  # case-insensitive
        ("?filter=draft&q=fifth", {"Fifth"}),
        ("?filter=bogus", {"First", "Second", "Third", "Fourth", "Fifth"}),
    ],
)
def test_filters(client: FlaskClient, states_doc: Document, query: str,
                 expected: set[str]) -> None:
    login(client, "ana")
    html = client.get(URL + query).get_data(as_text=True)
    shown = {w for w in ("First", "Second", "Third", "Fourth", "Fifth")
             if f"{w} sentence" in html or f"{w} <span" in html}
    assert shown == expected


def test_send_back_reason_counts_as_comment(session: Session, states_doc: Document) -> None:
    # guards the expectation of the table above: the workflow files the reason as a comment
    assert session.query(Comment).count() == 2


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("100%", {"100% of"}),
        ("%", {"100% of"}),
        ("e_c", {"snake_case"}),
        ("_", {"snake_case"}),
        ("O'Brien", {"O&#39;Brien"}),
        ("'; DROP TABLE segment; --", set()),
        ("\\", {"back\\slash"}),
    ],
)
def test_search_treats_wildcards_and_quotes_literally(
    client: FlaskClient, session: Session, team: dict[str, User], q: str, expected: set[str]
) -> None:
    make_document(session, sources=["100% of workers.", "A snake_case word.",
                                    "O'Brien's right.", "Plain words.", "A back\\slash."])
    session.commit()
    login(client, "ana")
    html = client.get(URL, query_string={"q": q}).get_data(as_text=True)
    candidates = {"100% of", "snake_case", "O&#39;Brien", "Plain words", "back\\slash"}
    found = {c for c in candidates if c in html.split('id="segs"')[1]}
    assert found == expected


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs."""
    statements: list[str] = []
    engine = app.extensions["tms_engine"]

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def big_document(session: Session, n: int, user: User, slug: str = "declaration") -> Document:
    """A document of n tagged segments, every third translated, every fifth commented."""
    sources = [f"Sentence number {i} says that <1>sex work</1> is work, and that everyone "
               f"has the right to safety.<2/>" for i in range(n)]
    document = make_document(session, slug, sources=sources)
    lang = make_language(session, "fr")
    for i, seg in enumerate(segments(session, document)):
        if i % 3 == 0:
            save(session, seg, user, f"La phrase {i} dit que le <1>travail du sexe</1> est un "
                                     f"travail.<2/>")
        if i % 5 == 0:
            session.add(Comment(segment_id=seg.id, language_id=lang.id, author_id=user.id,
                                body="Check this."))
    session.commit()
    return document


def test_query_count_does_not_grow_with_segments(
    app: Flask, client: FlaskClient, session: Session, team: dict[str, User]
) -> None:
    big_document(session, 10, team["ana"], "small")
    big_document(session, 100, team["ana"], "large")
    login(client, "ana")
    client.get("/translate/small/fr")  # warm up: first-request work is not per page
    counts = {}
    for slug in ("small", "large"):
        with count_queries(app) as statements:
            assert client.get(f"/translate/{slug}/fr").status_code == 200
        counts[slug] = len(statements)
    assert counts["small"] == counts["large"], statements
    assert counts["large"] <= 12


def test_page_weight_of_a_250_segment_document(
    client: FlaskClient, session: Session, team: dict[str, User]
) -> None:
    big_document(session, 250, team["ana"])
    login(client, "ana")
    resp = client.get(URL)
    html = resp.get_data()
    assert len(html) < 150_000
    text = html.decode()
    assert "page 1 of 5" in text
    assert text.count('class="seg ') == 50
    last = client.get(URL + "?page=5").get_data(as_text=True)
    assert "Sentence number 249 " in last and "Sentence number 199 " not in last
    assert client.get(URL + "?page=99").status_code == 200  # clamped to the last page


@pytest.mark.parametrize(
    ("block_type", "level", "numbering", "attrs", "label"),
    [
        ("heading", 2, None, {}, "heading 2"),
        ("list_item", 0, "•", {}, "list item"),
        ("list_item", 0, "II.", {}, "list item II."),
        ("footnote", None, None, {"note": "2"}, "footnote 2"),
        ("table_cell", None, None, {"row": 1, "col": 2}, "table cell r2 c3"),  # Markdown/HTML
        ("table_cell", None, None, {"part": "word/document.xml", "row": 2, "col": 3},
         "table cell r2 c3"),  # DOCX counts from 1
        ("quote", None, None, {}, "quotation"),
    ],
)
def test_block_labels(block_type: str, level: int | None, numbering: str | None,
                      attrs: dict[str, object], label: str) -> None:
    from tms.models import Block
    from tms.services.editor_data import block_label

    block = Block(type=block_type, level=level, numbering=numbering, attrs=attrs, source="",
                  locator="")
    assert block_label(block) == label


@pytest.mark.clients
def test_editor_page_is_valid_html(client: FlaskClient, session: Session,
                                   team: dict[str, User], tmp_path: Path) -> None:
    from tests.clients import vnu_check

    document = make_document(session, sources=["A <1>bold</1> claim.<2/>", "Plain text."])
    save(session, segments(session, document)[0], team["ana"], "Une <1>affirmation</1>.<2/>")
    session.commit()
    login(client, "ana")
    page = tmp_path / "editor.html"
    page.write_bytes(client.get(URL + "?filter=draft").get_data())
    result = vnu_check([page])
    assert result.returncode == 0, result.stderr


def test_filtered_segment_shows_its_paragraph(client: FlaskClient, session: Session,
                                              team: dict[str, User]) -> None:
    document = make_document(session, sources=["Alone here."])
    segs = segments(session, document)
    block = segs[0].block
    assert block is not None
    block.source = "First part. Alone here. Last <1>part</1>."
    session.commit()
    login(client, "ana")
    html = client.get(URL + "?q=alone").get_data(as_text=True)
    assert '<p class="para" lang="en">First part. Alone here. Last part.</p>' in html
    plain = client.get(URL).get_data(as_text=True)
    assert 'class="para"' not in plain  # unfiltered, neighbours are on the page anyway


EDITOR_JS = Path(__file__).resolve().parent.parent / "tms" / "static" / "editor.js"


def test_editor_js_never_builds_html_from_strings() -> None:
    import re

    code = EDITOR_JS.read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", code)


def test_every_editor_js_string_is_translatable(app: Flask) -> None:
    import re

    from tms.web.editor import js_strings

    used = set(re.findall(r"\bT\.(\w+)", EDITOR_JS.read_text()))
    with app.test_request_context():
        provided = set(js_strings())
    assert used and used <= provided
    assert provided <= used  # nothing translated for nobody
