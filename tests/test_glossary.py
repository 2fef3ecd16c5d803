"""Glossary terms found in sources, with inflection endings and longest-first order."""

from __future__ import annotations

import pytest

from tests.factories import make_language
from tms.services import glossary


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Sex workers demand rights.", ["sex worker", "right"]),
        ("SEX WORK is work.", ["sex work"]),
        ("Frightening news.", []),  # "right" inside a word is not the term
        ("Rights of migrants", ["migrant", "right"]),
    ],
)
def test_terms_in(session, source, expected):
    fr = make_language(session, "fr")
    for term in ("sex worker", "sex work", "right", "migrant"):
        glossary.add_term(session, language=fr, source_term=term, target_term=term.upper())
    found = glossary.terms_in(session, source, source_language="en", language_id=fr.id)
    assert sorted(t.source_term for t in found) == sorted(expected)


def test_longer_terms_first_and_update_in_place(session):
    fr = make_language(session, "fr")
    glossary.add_term(session, language=fr, source_term="work", target_term="travail")
    glossary.add_term(session, language=fr, source_term="sex  work", target_term="TDS")
    glossary.add_term(session, language=fr, source_term="sex work", target_term="travail du sexe")
    found = glossary.terms_in(session, "Sex work is work.", source_language="en", language_id=fr.id)
    assert [(t.source_term, t.target_term) for t in found] == [
        ("sex work", "travail du sexe"),
        ("work", "travail"),
    ]


def test_empty_term_refused(session):
    fr = make_language(session, "fr")
    with pytest.raises(glossary.GlossaryError):
        glossary.add_term(session, language=fr, source_term="  ", target_term="x")


def test_tbx_basic_import_keeps_every_target_with_status_and_finds_en_us_in_en(session):
    from sqlalchemy import select

    from tests.test_format_glossary import TBX_BASIC
    from tms.models import GlossaryTerm
    from tms.services import exchange

    fr = make_language(session, "fr")
    for _ in range(2):  # a second import updates in place, it adds nothing
        report = exchange.import_glossary(session, language=fr, filename="basic.tbx",
                                          data=TBX_BASIC, source_language="en")
        assert report.imported == 3
    rows = session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.id)).all()
    assert [(t.source_language, t.source_term, t.target_term, t.status, t.forbidden)
            for t in rows] == [
        ("en", "sex worker", "travailleuse du sexe", "preferred", False),
        ("en", "sex worker", "travailleur du sexe", "admitted", False),
        ("en", "sex worker", "prostituée", "deprecated", True)]
    found = glossary.terms_in(session, "Every sex worker has rights.", source_language="en",
                              language_id=fr.id)
    assert {t.target_term for t in found} == {"travailleuse du sexe", "travailleur du sexe",
                                              "prostituée"}


def test_editing_the_forbidden_flag_keeps_the_status_consistent(session):
    from tms.services import exchange

    fr = make_language(session, "fr")
    term = glossary.add_term(session, language=fr, source_term="sex work",
                             target_term="prostitution")
    exchange.edit_term(session, term, source_term="sex work", target_term="prostitution",
                       forbidden=True)
    assert term.status == "deprecated"
    exchange.edit_term(session, term, source_term="sex work", target_term="travail du sexe")
    assert term.status == "" and not term.forbidden
