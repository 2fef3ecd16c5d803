"""The glossary page: read by the team, edited and exchanged by reviewers."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_language, make_user
from tms.formats import glossary_files
from tms.models import GlossaryTerm


@pytest.fixture
def term(session: Session) -> GlossaryTerm:
    fr = make_language(session, "fr")
    make_language(session, "de")
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "rita", roles={"fr": "reviewer"})
    make_user(session, "dora", roles={"de": "reviewer"})
    t = GlossaryTerm(language_id=fr.id, source_term="sex work", target_term="travail du sexe",
                     note="<b>not bold</b>")
    session.add(t)
    session.commit()
    return t


def terms(session: Session) -> dict[str, GlossaryTerm]:
    session.expire_all()
    return {t.source_term: t for t in session.scalars(select(GlossaryTerm))}


def test_translators_read_without_editing_forms(client, term):
    login(client, "ana")
    page = client.get("/glossary/fr").get_data(as_text=True)
    assert "travail du sexe" in page and "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert "/glossary/fr/add" not in page and "Download as TBX" not in page
    assert client.post("/glossary/fr/add", data={"source_term": "x"}).status_code == 403
    assert client.post(f"/glossary/fr/{term.id}/delete").status_code == 403


def test_reviewer_adds_edits_and_deletes(client, session, term):
    login(client, "rita")
    page = client.get("/glossary/fr").get_data(as_text=True)
    assert "/glossary/fr/add" in page
    client.post("/glossary/fr/add", data={"source_term": "  rights ", "target_term": "droits",
                                          "forbidden": ""})
    assert terms(session)["rights"].target_term == "droits"
    client.post(f"/glossary/fr/{term.id}", data={"source_term": "sex work",
                                                "target_term": "travail sexuel",
                                                "forbidden": "1"})
    edited = terms(session)["sex work"]
    assert edited.target_term == "travail sexuel" and edited.forbidden
    resp = client.post(f"/glossary/fr/{term.id}", data={"source_term": "rights",
                                                       "target_term": "x"},
                       follow_redirects=True)
    assert "already has the term" in resp.get_data(as_text=True)
    client.post(f"/glossary/fr/{term.id}/delete")
    assert set(terms(session)) == {"rights"}


def test_a_term_of_another_language_is_404(client, session, term):
    login(client, "dora")
    assert client.post(f"/glossary/de/{term.id}/delete").status_code == 404
    assert "sex work" in terms(session)


def test_empty_source_term_is_refused_in_one_sentence(client, session, term):
    login(client, "rita")
    resp = client.post("/glossary/fr/add", data={"source_term": "   "}, follow_redirects=True)
    assert "needs its source text" in resp.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["tbx", "csv"])
def test_export_then_import_round_trips(client, session, term, fmt):
    login(client, "rita")
    resp = client.get(f"/glossary/fr/export/{fmt}")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    entries = glossary_files.read(resp.data, filename=f"g.{fmt}")
    assert [(e.source_term, e.target_term) for e in entries] == [("sex work",
                                                                  "travail du sexe")]
    data = resp.data.replace(b"travail du sexe", b"travail sexuel")
    page = client.post("/glossary/fr/import", data={"file": (io.BytesIO(data), f"g.{fmt}")},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 term added or updated" in page
    assert terms(session)["sex work"].target_term == "travail sexuel"


def test_a_bad_glossary_file_is_one_sentence(client, session, term):
    login(client, "rita")
    page = client.post("/glossary/fr/import", data={"file": (io.BytesIO(b"a;b\n1;2\n"),
                                                             "g.csv")},
                       follow_redirects=True).get_data(as_text=True)
    assert "g.csv cannot be read" in page
    assert client.get("/glossary/fr/export/xlsx").status_code == 404
