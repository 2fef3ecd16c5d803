"""Queries per page stay constant as documents, segments and languages grow (no N+1).

Each page is requested on a small and on a larger database; a SQLAlchemy engine event
listener counts the statements the request sends. The larger database has more documents,
more segments per document, more languages and translations in every state, so a query per
row of any list the page shows would make the counts differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.conftest import _wipe
from tests.factories import login, make_document, make_language, make_user
from tms.models import (
    Block,
    Comment,
    Edition,
    EditionFile,
    Revision,
    State,
    Suggestion,
    Translation,
)

CODES = ["fr", "de", "es", "ru", "uk", "it", "pt", "nl"]
STATES = [State.TRANSLATED, State.APPROVED, State.DRAFT, State.NEEDS_WORK, State.TRANSLATED]


def _populate(session: Session, scale: int) -> None:
    """`scale` documents of 3*scale segments, scale+1 languages, translations in each state."""
    langs = [make_language(session, code) for code in CODES[: scale + 1]]
    user = make_user(session, "ana", is_admin=True, is_publisher=True,
                     roles={lang.code: "reviewer" for lang in langs})
    others = [make_user(session, f"vol{i}", roles={lang.code: "translator" for lang in langs})
              for i in range(scale)]
    for d in range(scale):
        doc = make_document(session, f"doc{d}", title=f"Document {d}",
                            sources=[f"Sentence number {i} of document {d} about rights."
                                     for i in range(3 * scale)])
        for lang in langs:
            for i, seg in enumerate(sorted(doc_segments(session, doc.id), key=lambda s: s.id)):
                state = STATES[i % len(STATES)]
                author = others[i % len(others)]
                tr = Translation(segment_id=seg.id, language_id=lang.id, target=f"T {i}",
                                 state=int(state), version=1, translator_id=author.id)
                session.add(tr)
                session.flush()
                session.add(Revision(translation_id=tr.id, target=f"T {i}", state=int(state),
                                     author_id=author.id, origin="editor"))
                if i == 0:  # published editions of every document in every language
                    version_id = session.scalar(select(Block.version_id).where(
                        Block.id == seg.block_id))
                    for number in range(1, scale + 1):
                        edition = Edition(document_id=doc.id, language_id=lang.id,
                                          version_id=version_id, number=number,
                                          published_by_id=others[number - 1].id, report={})
                        session.add(edition)
                        session.flush()
                        session.add(EditionFile(edition_id=edition.id, format="html",
                                                filename=f"{doc.slug}.html",
                                                content_type="text/html", data=b"<p>x</p>",
                                                sha256="0" * 64, size=8))
                if i % 2 == 0:
                    session.add(Comment(segment_id=seg.id, language_id=lang.id,
                                        author_id=author.id, body=f"note {i}"))
                    session.add(Suggestion(segment_id=seg.id, language_id=lang.id,
                                           author_id=author.id, target=f"S {i}"))
    session.flush()
    del user


def doc_segments(session: Session, document_id: int):  # type: ignore[no-untyped-def]
    """The segments of a document (factory documents have one per block)."""
    from sqlalchemy import select

    from tms.models import Segment

    return session.scalars(select(Segment).where(Segment.document_id == document_id)).all()


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect every statement the app's engine executes inside the block."""
    engine = app.extensions["tms_engine"]
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


PAGES = {
    "dashboard": "/",
    "editor": "/translate/doc0/fr",
    "review queue": "/review/fr",
    "publish page": "/publish/doc0",
}


def _count(app: Flask, session: Session, scale: int, url: str) -> int:
    _populate(session, scale)
    session.commit()
    client = app.test_client()
    assert login(client).status_code == 302
    client.get(url)  # warm per-process caches (memory index, locale) so they do not count
    with count_queries(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)


# Known N+1s, reported to their owners; strict xfail so fixing them turns these green.
KNOWN = {
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n
    for n in PAGES
])
def test_query_count_does_not_grow_with_data(app: Flask, session: Session, name: str) -> None:
    small = _count(app, session, 1, PAGES[name])
    session.rollback()
    session.expunge_all()
    _wipe(app)
    large = _count(app, session, 3, PAGES[name])
    assert large == small, f"{name}: {small} queries on the small database, {large} on the large"


def test_a_save_reads_once_and_writes_once(app: Flask, session: Session) -> None:
    """Saving over a translation: the account, then one row of segment, document, language
    and translation, then the UPDATE, the revision's INSERT and the activity's UPDATE (the
    second "translated" in a row adds to the first's entry), which PostgreSQL gets as one
    statement. A lazy load (of the segment's document, say) would be one more."""
    make_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    doc = make_document(session, "d", sources=["One sentence about rights."])
    session.commit()
    seg_id = doc_segments(session, doc.id)[0].id
    client = app.test_client()
    assert login(client).status_code == 302
    url = f"/api/segments/{seg_id}/fr/save"
    first = client.post(url, json={"target": "Une phrase.", "state": "translated",
                                   "base_version": 0})
    assert first.status_code == 200, first.json
    # As in a server's request: a session that holds nothing yet (the session keeps only
    # weak references, so an object nobody holds is gone and would be read again).
    del doc
    session.expunge_all()
    with count_queries(app) as seen:
        again = client.post(url, json={"target": "Une phrase sur les droits.",
                                       "state": "translated",
                                       "base_version": first.json["version"]})
    assert again.status_code == 200 and again.json["status"] == "saved", again.json
    kinds = [" ".join(s.split()[:3]) for s in seen]
    if app.extensions["tms_engine"].dialect.name == "postgresql":
        # the three writes are one statement there (data-modifying CTEs)
        assert [k.split()[0] for k in kinds] == ["SELECT", "SELECT", "WITH"], kinds
    else:
        assert [k.split()[0] for k in kinds] == ["SELECT", "SELECT", "UPDATE", "INSERT",
                                                 "UPDATE"], kinds
