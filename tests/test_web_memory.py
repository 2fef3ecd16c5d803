"""The memory page: concordance search, TMX upload and download."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login, make_language, make_user
from tms.formats import tmx
from tms.formats.base import MemoryPair
from tms.models import MemoryUnit
from tms.services import memory


@pytest.fixture
def people(session: Session) -> None:
    make_language(session, "fr")
    make_language(session, "de")
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "rita", roles={"fr": "reviewer"})
    memory.remember(session, source="We defend <1>our</1> rights.",
                    target="Nous défendons <1>nos</1> droits.", source_language="en",
                    target_language="fr", origin="declaration #k")
    memory.remember(session, source="We defend our rights.", target="Wir verteidigen.",
                    source_language="en", target_language="de", origin="x")
    session.commit()


def test_concordance_finds_phrases_in_the_translators_language(client, people):
    login(client, "ana")
    page = client.get("/memory?source=en&target=fr&q=DEFEND").get_data(as_text=True)
    assert "1 result" in page
    assert "Nous défendons nos droits." in page  # tags stripped, text escaped
    assert "Wir verteidigen" not in page


def test_translators_cannot_search_other_languages_or_exchange(client, people):
    login(client, "ana")
    assert client.get("/memory?target=de&q=defend").status_code == 403
    assert client.get("/memory?target=xx").status_code == 404
    page = client.get("/memory").get_data(as_text=True)
    assert "Exchange with other tools" not in page
    assert client.get("/memory/export?source=en&target=fr").status_code == 403


def test_reviewer_uploads_and_downloads_tmx(client, session, people):
    login(client, "rita")
    data = tmx.write([MemoryPair("We rest.", "Nous nous reposons.", "en-US", "fr-FR"),
                      MemoryPair("We rest.", "Wir ruhen.", "en-US", "de-DE")],
                     source_language="en-US", target_language="fr-FR")
    resp = client.post("/memory/import", data={"file": (io.BytesIO(data), "team.tmx"),
                                               "source": "en", "target": "fr"},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "1 pair added to the memory" in page and "1 of other languages" in page
    unit = session.scalars(select(MemoryUnit).where(MemoryUnit.target == "Nous nous reposons."))
    assert unit.one().origin == "tmx: team.tmx"
    resp = client.get("/memory/export?source=en&target=fr")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    pairs = tmx.read(resp.data, filename="x.tmx")
    assert {p.target for p in pairs} == {"Nous défendons <1>nos</1> droits.",
                                         "Nous nous reposons."}


def test_a_broken_tmx_is_one_sentence_and_writes_nothing(client, session, people):
    login(client, "rita")
    before = session.scalar(select(func.count(MemoryUnit.id)))
    resp = client.post("/memory/import", data={"file": (io.BytesIO(b"<tmx><body>"), "x.tmx"),
                                               "source": "en", "target": "fr"},
                       follow_redirects=True)
    assert "x.tmx cannot be read" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count(MemoryUnit.id))) == before


def test_an_upload_over_the_size_limit_is_refused(app, client, people):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    login(client, "rita")
    resp = client.post("/memory/import", data={"file": (io.BytesIO(b"x" * 5000), "big.tmx"),
                                               "source": "en", "target": "fr"})
    assert resp.status_code == 413
