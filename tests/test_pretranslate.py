"""Pretranslation (copy, pseudo, memory) through the workflow, and its CLI command."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.inline import strip_tags, tag_signature
from tms.models import Document, Language, Revision, Segment, State, Translation, User
from tms.pseudo_locale import pseudo_translate
from tms.services import memory, workflow
from tms.services.pretranslating import PretranslateError, pretranslate

# ------------------------------------------------------------------ the pseudo-translation


@pytest.mark.parametrize("source", [
    "We, sex workers, declare our rights.",
    "Everyone has the right to <1>life</1>.",
    "See the note.<2/>",
    "<1>Bold <2>and nested</2></1> text with a <3/> break.",
    "Hello %(name)s, you have %d messages and {count} tasks.",
    "Read https://example.org/rights and write to info@example.org.",
    "12345",
])
def test_pseudo_keeps_tags_and_placeholders_and_grows(source):
    pseudo = pseudo_translate(source)
    assert tag_signature(pseudo) == tag_signature(source)
    for placeholder in re.findall(r"%\(\w+\)s|%d|\{\w+\}|https://\S+[a-z]|\S+@\S+\.org",
                                  source):
        assert placeholder in pseudo
    plain, pseudo_plain = strip_tags(source), strip_tags(pseudo)
    letters = sum(c.isalpha() for c in plain)
    if letters:
        assert pseudo_plain.startswith("[") and pseudo_plain.endswith("]")
        assert len(pseudo_plain) >= len(plain) * 1.25
    else:
        assert pseudo == source


def test_pseudo_accents_letters_readably():
    pseudo = pseudo_translate("We, sex workers")
    assert pseudo.startswith("[Ŵé")
    assert "šéẋ" in pseudo.replace("éé", "é")
    assert not re.search(r"[A-Za-z]", pseudo)  # every letter outside placeholders changed


# ------------------------------------------------------------------ through the workflow


@pytest.fixture
def fr(session: Session) -> Language:
    """French."""
    return make_language(session, "fr")


@pytest.fixture
def admin(session: Session) -> User:
    """An admin (may translate every language)."""
    return make_user(session, "root", is_admin=True)


@pytest.fixture
def doc(session: Session, fr: Language) -> Document:
    """Three segments, the second already translated by a person."""
    document = make_document(session)
    person = make_user(session, "ana", roles={"fr": "translator"})
    second = session.scalars(select(Segment).order_by(Segment.position)).all()[1]
    result = workflow.save_translation(session, segment=second, language=fr, user=person,
                                       target="Le droit à la <1>vie</1>.", state=State.DRAFT,
                                       base_version=0)
    assert result.status == "saved"
    return document


def _translations(session: Session, fr: Language) -> list[Translation]:
    return list(session.scalars(
        select(Translation).join(Segment).where(Translation.language_id == fr.id)
        .order_by(Segment.position)))


@pytest.mark.parametrize("mode", ["copy", "pseudo"])
def test_copy_and_pseudo_fill_only_empty_segments_awaiting_review(session, doc, fr, admin, mode):
    assert pretranslate(session, doc, fr, mode, user=admin) == 2
    rows = _translations(session, fr)
    assert [r.state for r in rows] == [State.TRANSLATED, State.DRAFT, State.TRANSLATED]
    assert rows[1].target == "Le droit à la <1>vie</1>."  # a person's text is never touched
    first_source = session.scalars(select(Segment).order_by(Segment.position)).first().source
    if mode == "copy":
        assert rows[0].target == first_source
    else:
        assert rows[0].target == pseudo_translate(first_source)
    origins = set(session.scalars(select(Revision.origin).where(
        Revision.translation_id.in_([rows[0].id, rows[2].id]))))
    assert origins == {"pretranslate"}
    assert pretranslate(session, doc, fr, mode, user=admin) == 0  # nothing left to fill


def test_memory_fills_exact_matches_as_drafts(session, doc, fr, admin):
    first, _second, third = session.scalars(select(Segment).order_by(Segment.position)).all()
    memory.remember(session, source=first.source, target="Nous déclarons nos droits.",
                    source_language="en", target_language="fr", origin="tmx: old.tmx")
    memory.remember(session, source=third.source.replace("note", "notes"),
                    target="Voir les notes.<2/>", source_language="en", target_language="fr",
                    origin="tmx: old.tmx")  # a fuzzy match only: never filled
    assert pretranslate(session, doc, fr, "memory", user=admin) == 1
    rows = {r.segment_id: r for r in _translations(session, fr)}
    assert rows[first.id].target == "Nous déclarons nos droits."
    assert rows[first.id].state == State.DRAFT
    assert third.id not in rows or rows[third.id].state == State.UNTRANSLATED


def test_memory_match_with_foreign_tags_is_not_used(session, fr, admin):
    document = make_document(session, slug="tags", sources=["A <1>bold</1> claim."])
    memory.remember(session, source="A <1>bold</1> claim.", target="Une affirmation <4/>.",
                    source_language="en", target_language="fr", origin="tmx: old.tmx")
    assert pretranslate(session, document, fr, "memory", user=admin) == 0


def test_unknown_mode_is_one_sentence(session, doc, fr, admin):
    with pytest.raises(PretranslateError) as err:
        pretranslate(session, doc, fr, "machine", user=admin)
    assert "machine" in err.value.message


def test_outsiders_cannot_pretranslate(session, doc, fr):
    outsider = make_user(session, "bo", roles={"de": "translator"})
    with pytest.raises(workflow.WorkflowError):
        pretranslate(session, doc, fr, "copy", user=outsider)


# ------------------------------------------------------------------ CLI


def test_cli_pretranslate(runner, session, doc, fr, admin):
    session.commit()
    result = runner.invoke(args=["pretranslate", "--doc", "declaration", "--lang", "fr",
                                 "--mode", "pseudo"])
    assert result.exit_code == 0, result.output
    assert "2 segments pretranslated (pseudo)." in result.output
    session.expire_all()
    assert [r.state for r in _translations(session, fr)].count(State.TRANSLATED) == 2


def test_cli_pretranslate_json(runner, session, doc, fr, admin):
    import json

    session.commit()
    result = runner.invoke(args=["pretranslate", "--doc", "declaration", "--lang", "fr",
                                 "--mode", "copy", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"document": "declaration", "language": "fr",
                                         "mode": "copy", "pretranslated": 2}


@pytest.mark.parametrize(("args", "message"), [
    (["--doc", "nope", "--lang", "fr", "--mode", "copy"], "No document with the slug “nope”"),
    (["--doc", "declaration", "--lang", "xx", "--mode", "copy"], "No language with the code"),
    (["--doc", "declaration", "--lang", "fr", "--mode", "copy", "--user", "ghost"],
     "No user called “ghost”"),
    (["--doc", "declaration", "--lang", "fr", "--mode", "guess"], "guess"),
])
def test_cli_pretranslate_bad_input(runner, session, doc, fr, admin, args, message):
    session.commit()
    result = runner.invoke(args=["pretranslate", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_pretranslate_as_a_team_member(runner, session, doc, fr):
    session.commit()
    result = runner.invoke(args=["pretranslate", "--doc", "declaration", "--lang", "fr",
                                 "--mode", "copy", "--user", "ana"])
    assert result.exit_code == 0, result.output
    assert "2 segments pretranslated (copy)." in result.output
