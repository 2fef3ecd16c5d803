"""The interface translated with tms itself: POT -> document -> editor/review -> PO -> .mo.

Everything runs through the real commands and services (import_document, workflow, QA,
po.write_catalog, Babel's compiler), and the result is read back with Python's gettext and
checked with GNU msgfmt -c.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.clients import msgfmt_check
from tests.factories import make_user
from tms.formats.po import PLURAL_SEPARATOR
from tms.models import Block, Document, Segment, State, User
from tms.services import accounts, interface, qa, workflow

HELLO = "Hello, %(name)s! Your work is saved. Nothing is lost."
FILES = "{count} files are waiting."
PLURAL = ("%(num)s segment to review", "%(num)s segments to review")


def small_pot() -> bytes:
    """A template like the real one: plain, msgctxt, plural, %(name)s, {count}."""
    catalog = Catalog(project="tms", version="1", fuzzy=False)
    catalog.add("Save", locations=[("tms/templates/editor/edit.html", 3)])
    catalog.add("Open", context="verb", locations=[("tms/web/editor.py", 10)])
    catalog.add("Open", context="adjective", locations=[("tms/web/review.py", 11)])
    catalog.add(PLURAL, locations=[("tms/web/review.py", 20)])
    catalog.add(HELLO, locations=[("tms/web/auth.py", 30)], auto_comments=["Shown after log-in."])
    catalog.add(FILES, locations=[("tms/static/editor.js", 40)], flags=["python-brace-format"])
    buf = io.BytesIO()
    write_po(buf, catalog)
    return buf.getvalue()


FRENCH = {
    "Save": "Enregistrer",
    ("verb", "Open"): "Ouvrir",
    ("adjective", "Open"): "Ouvert",
    PLURAL[0]: "%(num)s segment à relire" + PLURAL_SEPARATOR + "%(num)s segments à relire",
    HELLO: "Bonjour, %(name)s ! Votre travail est enregistré. Rien n’est perdu.",
    FILES: "{count} fichiers en attente.",
}
RUSSIAN_PLURAL = PLURAL_SEPARATOR.join([
    "%(num)s сегмент на проверку", "%(num)s сегмента на проверку",
    "%(num)s сегментов на проверку"])


@pytest.fixture
def pot(tmp_path: Path) -> Path:
    """The small template on disk."""
    path = tmp_path / "messages.pot"
    path.write_bytes(small_pot())
    return path


@pytest.fixture
def imported(runner, session: Session, pot: Path) -> Document:  # type: ignore[no-untyped-def]
    """The template imported through `tms i18n import-pot`."""
    result = runner.invoke(args=["i18n", "import-pot", "--file", str(pot)])
    assert result.exit_code == 0, result.output
    return session.scalar(select(Document).where(Document.slug == "interface"))


def _segments(session: Session, doc: Document) -> dict[tuple[str | None, str], Segment]:
    """Segments by (msgctxt, msgid) of their message block."""
    out = {}
    for seg, block in session.execute(
        select(Segment, Block).join(Block, Segment.block_id == Block.id)
        .where(Segment.document_id == doc.id)
    ).all():
        msgid = block.source.split(PLURAL_SEPARATOR)[0]
        out[(block.attrs.get("msgctxt"), msgid)] = seg
    return out


def _translate(session: Session, doc: Document, code: str, texts: dict, *,
               approve: bool = True) -> tuple[User, User]:
    """Translate (and approve) messages as two volunteers, through the workflow service."""
    language = accounts.add_language(session, code)
    translator = make_user(session, f"tr-{code}", roles={code: "translator"})
    reviewer = make_user(session, f"rv-{code}", roles={code: "reviewer"})
    segments = _segments(session, doc)
    for key, text in texts.items():
        seg = segments[key if isinstance(key, tuple) else (None, key)]
        result = workflow.save_translation(session, segment=seg, language=language,
                                           user=translator, target=text,
                                           state=State.TRANSLATED, base_version=0)
        assert result.status == "saved", result
        if approve:
            done = workflow.approve(session, translation=result.translation, user=reviewer)
            assert done.status == "approved"
    session.commit()
    return translator, reviewer


def test_import_makes_one_segment_per_message(session: Session, imported: Document) -> None:
    """Each entry is one block and one segment, even with several sentences or a plural."""
    assert imported.kind == "interface"
    blocks = list(session.scalars(select(Block).where(Block.type == "message")))
    segments = list(session.scalars(select(Segment).where(Segment.document_id == imported.id)))
    assert len(blocks) == len(segments) == 6
    by_key = _segments(session, imported)
    assert by_key[(None, HELLO)].source == HELLO  # three sentences, one segment
    assert by_key[(None, PLURAL[0])].source == PLURAL[0] + PLURAL_SEPARATOR + PLURAL[1]
    assert {("verb", "Open"), ("adjective", "Open")} <= set(by_key)


def test_reimport_is_unchanged(runner, imported: Document, pot: Path) -> None:  # type: ignore[no-untyped-def]
    """Importing the same template again changes nothing."""
    result = runner.invoke(args=["i18n", "import-pot", "--file", str(pot)])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output


@pytest.mark.parametrize(("source", "target", "code"), [
    (HELLO, "Bonjour ! Votre travail est enregistré. Rien n’est perdu.", "printf"),
    (HELLO, "Bonjour, %(nom)s ! Votre travail est enregistré. Rien n’est perdu.", "printf"),
    (FILES, "{nombre} fichiers en attente.", "pythonbraceformat"),
    (FILES, "Des fichiers en attente.", "pythonbraceformat"),
])
def test_qa_flags_changed_placeholders(source: str, target: str, code: str) -> None:
    """A dropped or renamed %(name)s / {count} is a QA issue in the editor."""
    issues = qa.check(source, target, source_language="en", target_language="fr")
    assert code in {i.code for i in issues}


@pytest.mark.parametrize(("source", "target"), [(HELLO, FRENCH[HELLO]), (FILES, FRENCH[FILES])])
def test_qa_accepts_kept_placeholders(source: str, target: str) -> None:
    """Placeholders kept as they are raise no placeholder issue."""
    issues = qa.check(source, target, source_language="en", target_language="fr")
    assert not {"printf", "pythonbraceformat"} & {i.code for i in issues}


@pytest.mark.clients
def test_round_trip_to_compiled_catalogue(runner, session: Session, imported: Document,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    """Approved French becomes a PO that msgfmt -c accepts and a .mo gettext reads."""
    _translate(session, imported, "fr", FRENCH)
    out = tmp_path / "translations"
    result = runner.invoke(args=["i18n", "export-po", "--lang", "fr", "--translations", str(out)])
    assert result.exit_code == 0, result.output
    po_path = out / "fr" / "LC_MESSAGES" / "messages.po"
    check = msgfmt_check(po_path)
    assert check.returncode == 0, check.stderr
    text = po_path.read_text(encoding="utf-8")
    assert 'msgctxt "verb"' in text and "Plural-Forms: nplurals=2; plural=" in text
    with open(po_path.with_suffix(".mo"), "rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext("Save") == "Enregistrer"
    assert t.pgettext("verb", "Open") == "Ouvrir"
    assert t.pgettext("adjective", "Open") == "Ouvert"
    assert t.ngettext(*PLURAL, 1) % {"num": 1} == "1 segment à relire"
    assert t.ngettext(*PLURAL, 5) % {"num": 5} == "5 segments à relire"
    assert t.gettext(HELLO) % {"name": "Ana"} == (
        "Bonjour, Ana ! Votre travail est enregistré. Rien n’est perdu.")
    assert t.gettext(FILES).format(count=3) == "3 fichiers en attente."


@pytest.mark.clients
def test_russian_three_plural_forms(runner, session: Session, imported: Document,  # type: ignore[no-untyped-def]
                                    tmp_path: Path) -> None:
    """Russian plurals keep their three forms through the editor's separator."""
    _translate(session, imported, "ru", {PLURAL[0]: RUSSIAN_PLURAL, "Save": "Сохранить"})
    out = tmp_path / "translations"
    result = runner.invoke(args=["i18n", "export-po", "--lang", "ru", "--translations", str(out)])
    assert result.exit_code == 0, result.output
    po_path = out / "ru" / "LC_MESSAGES" / "messages.po"
    assert msgfmt_check(po_path).returncode == 0
    with open(po_path.with_suffix(".mo"), "rb") as fh:
        t = gettext.GNUTranslations(fh)
    got = {n: t.ngettext(*PLURAL, n) % {"num": n} for n in (1, 3, 5, 21)}
    assert got == {1: "1 сегмент на проверку", 3: "3 сегмента на проверку",
                   5: "5 сегментов на проверку", 21: "21 сегмент на проверку"}


def test_include_translated_takes_awaiting_review(runner, session: Session,  # type: ignore[no-untyped-def]
                                                  imported: Document, tmp_path: Path) -> None:
    """Without approval nothing is exported, unless --include translated is given."""
    _translate(session, imported, "de", {"Save": "Speichern"}, approve=False)
    out = tmp_path / "translations"
    args = ["i18n", "export-po", "--lang", "de", "--translations", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    with open(out / "de" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        assert gettext.GNUTranslations(fh).gettext("Save") == "Save"
    result = runner.invoke(args=[*args, "--include", "translated"])
    assert result.exit_code == 0, result.output
    assert "1 of 6" in result.output
    with open(out / "de" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        assert gettext.GNUTranslations(fh).gettext("Save") == "Speichern"


def test_broken_placeholder_is_left_out(runner, session: Session, imported: Document,  # type: ignore[no-untyped-def]
                                        tmp_path: Path) -> None:
    """A translation that lost its placeholder is not exported (gettext falls back)."""
    _translate(session, imported, "fr", {HELLO: "Bonjour ! Votre travail est enregistré.",
                                         "Save": "Enregistrer"})
    out = tmp_path / "translations"
    result = runner.invoke(args=["i18n", "export-po", "--lang", "fr", "--translations", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 of 6" in result.output
    with open(out / "fr" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext(HELLO) == HELLO


def test_compile_refuses_broken_placeholders(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited PO with a renamed placeholder fails `tms i18n compile`, no .mo written."""
    catalog = Catalog(locale="fr", fuzzy=False)
    catalog.add(HELLO, "Bonjour, %(nom)s !", flags=["python-format"])
    catalog.add(FILES, "{nombre} fichiers.", flags=["python-brace-format"])
    path = tmp_path / "tr" / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog)
    result = runner.invoke(args=["i18n", "compile", "--translations", str(tmp_path / "tr")])
    assert result.exit_code != 0
    assert "nom" in result.output and "nombre" in result.output
    assert not path.with_suffix(".mo").exists()


def test_export_without_interface_document_says_so(runner, session: Session) -> None:  # type: ignore[no-untyped-def]
    """export-po before import-pot is one clear sentence."""
    accounts.add_language(session, "fr")
    session.commit()
    result = runner.invoke(args=["i18n", "export-po", "--lang", "fr"])
    assert result.exit_code != 0
    assert "import-pot" in result.output


def test_pseudo_and_update(runner, tmp_path: Path, pot: Path) -> None:  # type: ignore[no-untyped-def]
    """update merges a new template into a PO and regenerates the pseudo-locales."""
    tr = tmp_path / "tr"
    po = tr / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    old = Catalog(locale="fr", fuzzy=False)
    old.add("Save", "Enregistrer")
    old.add("Gone", "Disparu")
    with open(po, "wb") as fh:
        write_po(fh, old)
    (tr / "messages.pot").write_bytes(pot.read_bytes())
    assert runner.invoke(args=["i18n", "update", "--translations", str(tr)]).exit_code == 0
    merged = interface.read_catalog(po)
    assert merged.get("Save").string == "Enregistrer"
    assert merged.get("Open", context="verb") is not None
    assert merged.get("Gone") is None
    result = runner.invoke(args=["i18n", "compile", "--translations", str(tr)])
    assert result.exit_code == 0, result.output
    xa = interface.read_catalog(tr / "en_XA" / "LC_MESSAGES" / "messages.po")
    assert "%(name)s" in xa.get(HELLO).string and xa.get(HELLO).string.startswith("[")
    assert "{count}" in xa.get(FILES).string


def test_interface_document_opens_in_the_editor(client, session: Session,  # type: ignore[no-untyped-def]
                                                imported: Document) -> None:
    """Volunteers translate "interface" in the editor like any document."""
    from tests.factories import login

    accounts.add_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    session.commit()
    login(client, "ana")
    response = client.get("/translate/interface/fr")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hello, %(name)s! Your work is saved. Nothing is lost." in html
    assert "{count} files are waiting." in html


SEED_PO = r"""msgid ""
msgstr ""
"Language: fr\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "Save"
msgstr "Enregistrer"

msgctxt "verb"
msgid "Open"
msgstr "Ouvrir"

#, python-format
msgid "%(num)s segment to review"
msgid_plural "%(num)s segments to review"
msgstr[0] "%(num)s segment à relire"
msgstr[1] "%(num)s segments à relire"

#, python-format
msgid "Hello, %(name)s! Your work is saved. Nothing is lost."
msgstr ""
"""


def test_seed_loads_an_existing_catalogue(runner, session: Session, imported: Document,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    """`seed` puts a PO made earlier into the workflow (awaiting review), then it exports."""
    tr = tmp_path / "tr"
    path = tr / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_text(SEED_PO, encoding="utf-8")
    accounts.add_language(session, "fr")
    make_user(session, "ana", roles={"fr": "translator"})
    session.commit()
    args = ["i18n", "seed", "--lang", "fr", "--user", "ana", "--translations", str(tr)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "3 translations saved for review, 0 already online, 3 skipped" in result.output
    again = runner.invoke(args=args)
    assert "0 translations saved for review, 3 already online" in again.output
    out = tmp_path / "out"
    result = runner.invoke(args=["i18n", "export-po", "--lang", "fr", "--include",
                                 "translated", "--translations", str(out)])
    assert result.exit_code == 0, result.output
    with open(out / "fr" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.pgettext("verb", "Open") == "Ouvrir"
    assert t.ngettext(*PLURAL, 2) % {"num": 2} == "2 segments à relire"


def test_seed_refuses_an_outsider(runner, session: Session, imported: Document) -> None:  # type: ignore[no-untyped-def]
    """Only a member of the language team can be the author of the seeded texts."""
    accounts.add_language(session, "fr")
    make_user(session, "out")
    session.commit()
    result = runner.invoke(args=["i18n", "seed", "--lang", "fr", "--user", "out"])
    assert result.exit_code != 0
    assert "not a member" in result.output


def test_export_does_not_drop_translations(runner, session: Session, imported: Document,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    """A catalogue with more translations than tms is not overwritten without --force."""
    tr = tmp_path / "tr"
    path = tr / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_text(SEED_PO, encoding="utf-8")
    accounts.add_language(session, "fr")
    session.commit()
    args = ["i18n", "export-po", "--lang", "fr", "--translations", str(tr)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "3 translated messages and tms only 0" in result.output
    assert path.read_text(encoding="utf-8") == SEED_PO
    assert runner.invoke(args=[*args, "--force"]).exit_code == 0
    assert "Enregistrer" not in path.read_text(encoding="utf-8")


def test_seed_all_seeds_every_catalogue_without_online_translations(  # type: ignore[no-untyped-def]
        runner, session: Session, imported: Document, tmp_path: Path) -> None:
    """`seed --all`: fr and sr_Latn (a language tms lacks: added from Babel's data) are
    seeded awaiting review; de already has a translation online and is left alone; the
    pseudo-locales are not languages. A second run changes nothing."""
    from tms.models import Language, Translation

    tr = tmp_path / "tr"
    serbian = (SEED_PO.replace("Language: fr", "Language: sr_Latn")
               .replace("Enregistrer", "Sačuvaj").replace("Ouvrir", "Otvori"))
    for folder, text in [("fr", SEED_PO), ("sr_Latn", serbian), ("de", SEED_PO),
                         ("en_XA", SEED_PO)]:
        path = tr / folder / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    accounts.add_language(session, "fr")
    make_user(session, "boss", is_admin=True)
    session.commit()
    _translate(session, imported, "de", {(None, "Save"): "Speichern"})  # adds de
    session.commit()
    args = ["i18n", "seed", "--all", "--user", "boss", "--translations", str(tr)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "de: already has translations online, left alone." in lines
    assert "fr: 3 translations saved for review, 0 already online, 3 skipped." in lines
    assert "sr-Latn: language added." in lines
    assert "sr-Latn: 3 translations saved for review, 0 already online, 3 skipped." in lines
    assert not any(line.startswith("en-XA") for line in lines)
    session.expire_all()
    sr = session.scalar(select(Language).where(Language.code == "sr-Latn"))
    assert sr is not None and sr.native_name == "srpski (latinica)"
    texts = {t.target: t.state for t in session.scalars(
        select(Translation).where(Translation.language_id == sr.id))}
    assert texts["Sačuvaj"] == State.TRANSLATED and "Otvori" in texts
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    assert "sr-Latn: already has translations online, left alone." in again.output
    assert "saved for review" not in again.output


def test_seed_needs_a_language_or_all(runner, imported: Document) -> None:  # type: ignore[no-untyped-def]
    """Neither or both of --lang and --all: one sentence, nothing done."""
    result = runner.invoke(args=["i18n", "seed", "--user", "boss"])
    assert result.exit_code != 0 and "Give either --lang L or --all." in result.output
