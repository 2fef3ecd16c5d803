"""Exports: which text reaches each format, refusals, credits, atomic writes and editions."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import polib
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.models import Document, Edition, EditionFile, Language, MemoryUnit, Segment, State
from tms.models import Translation as TranslationRow
from tms.services.exporting import (
    DEFAULT_TEAM_NAME,
    ExportError,
    completeness,
    edition_file,
    export_document,
    list_editions,
    publish_edition,
    write_export,
)

SOURCES = [
    "We, sex workers, declare our rights.",
    "Everyone has the right to <1>life</1>.",
    "See the note.<2/>",
    "Nobody may be forced to work.",
]
APPROVED = "Nous, travailleuses du sexe, déclarons nos droits."
AWAITING = "Chacun a droit à la <1>vie</1>."
DRAFT = "Voir la note brouillon.<2/>"
VOLUNTEER = "zorro-volunteer-7"


def segments(session: Session, document: Document) -> list[Segment]:
    """The document's segments in order."""
    return list(session.scalars(select(Segment).where(Segment.document_id == document.id)
                                .order_by(Segment.position)))


def put(session: Session, segment: Segment, language: Language, target: str, state: State,
        *, translator_id: int | None = None, outdated: bool = False) -> TranslationRow:
    """A translation row in a given state (the export reads rows; workflow is tested apart)."""
    row = TranslationRow(segment_id=segment.id, language_id=language.id, target=target,
                         state=int(state), translator_id=translator_id, outdated=outdated)
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def fr(session: Session) -> Language:
    """French."""
    return make_language(session, "fr")


@pytest.fixture
def doc(session: Session, fr: Language) -> Document:
    """Four segments: one approved, one awaiting review, one draft, one untranslated."""
    document = make_document(session, sources=SOURCES)
    volunteer = make_user(session, VOLUNTEER, roles={"fr": "translator"})
    segs = segments(session, document)
    put(session, segs[0], fr, APPROVED, State.APPROVED, translator_id=volunteer.id)
    put(session, segs[1], fr, AWAITING, State.TRANSLATED, translator_id=volunteer.id)
    put(session, segs[2], fr, DRAFT, State.DRAFT, translator_id=volunteer.id)
    return document


def html_text(data: bytes) -> str:
    """The HTML export as text."""
    return data.decode("utf-8")


# ------------------------------------------------------------------ reader formats


def test_html_has_only_approved_text_by_default(session, doc, fr):
    result = export_document(session, doc, fr, "html")
    text = html_text(result.data)
    assert "Nous, travailleuses du sexe" in text
    assert "Chacun a droit" not in text  # awaiting review
    assert "brouillon" not in text  # draft
    assert "right to" in text and "Nobody may be forced" in text  # kept in the source
    assert result.report.left_in_source == [2, 3, 4]
    assert result.report.included_segments == 1
    assert result.report.left_in_source_words == sum(
        s.word_count for s in segments(session, doc)[1:])
    assert result.filename == "declaration.fr.html"
    assert result.content_type.startswith("text/html")


def test_include_translated_admits_awaiting_review_but_never_drafts(session, doc, fr):
    text = html_text(export_document(session, doc, fr, "html", include="translated").data)
    assert "Nous, travailleuses du sexe" in text
    assert "Chacun a droit" in text
    assert "brouillon" not in text


def test_refuse_names_how_many_segments_are_missing(session, doc, fr):
    with pytest.raises(ExportError) as err:
        export_document(session, doc, fr, "html", untranslated="refuse")
    assert "3 segments" in err.value.message
    assert "approved" in err.value.message
    with pytest.raises(ExportError) as err:
        export_document(session, doc, fr, "html", include="translated", untranslated="refuse")
    assert "2 segments" in err.value.message


def test_refuse_passes_when_everything_is_approved(session, fr):
    document = make_document(session, slug="short", sources=["One line.", "Two lines."])
    for seg in segments(session, document):
        put(session, seg, fr, "Une ligne " + str(seg.position), State.APPROVED)
    result = export_document(session, document, fr, "html", untranslated="refuse")
    assert result.report.left_in_source == []
    assert "Une ligne 1" in html_text(result.data)


def test_outdated_and_mistagged_text_stays_out_of_reader_formats(session, fr):
    document = make_document(session, slug="risky", sources=["Old source.", "A <1>bold</1> word."])
    first, second = segments(session, document)
    put(session, first, fr, "Ancienne traduction.", State.APPROVED, outdated=True)
    put(session, second, fr, "Un mot <3>gras</3>.", State.APPROVED)  # tag 3 is not in the source
    result = export_document(session, document, fr, "html")
    text = html_text(result.data)
    assert "Ancienne" not in text and "gras" not in text
    assert result.report.outdated_skipped == 1
    assert result.report.tag_errors_skipped == 1
    assert result.report.left_in_source == [1, 2]


def test_docx_is_refused_for_documents_not_imported_from_docx(session, doc, fr):
    with pytest.raises(ExportError) as err:
        export_document(session, doc, fr, "docx")
    assert "DOCX" in err.value.message and "HTML" in err.value.message


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"fmt": "odt"}, "odt"),
    ({"fmt": "html", "include": "drafts"}, "include"),
    ({"fmt": "html", "untranslated": "blank"}, "untranslated"),
])
def test_bad_options_get_one_clear_sentence(session, doc, fr, kwargs, word):
    fmt = kwargs.pop("fmt")
    with pytest.raises(ExportError) as err:
        export_document(session, doc, fr, fmt, **kwargs)
    assert word in err.value.message


def test_translated_title_block_becomes_the_page_title(session, fr):
    document = make_document(session, slug="titled", sources=["Our rights", "Body text."],
                             block_type="paragraph", title="Our rights (English)")
    segs = segments(session, document)
    segs[0].block.type = "title"
    put(session, segs[0], fr, "Nos droits", State.APPROVED)
    text = html_text(export_document(session, document, fr, "html").data)
    assert "<title>Nos droits" in text


# ------------------------------------------------------------------ exchange formats


def test_po_carries_every_segment_with_current_targets(session, doc, fr, tmp_path):
    result = export_document(session, doc, fr, "po")
    assert result.filename == "declaration.fr.po"
    path = tmp_path / result.filename
    path.write_bytes(result.data)
    entries = [e for e in polib.pofile(str(path)) if not e.obsolete]
    assert len(entries) == 4
    by_source = {e.msgid: e for e in entries}
    assert by_source[SOURCES[0]].msgstr == APPROVED
    assert by_source[SOURCES[1]].msgstr == AWAITING
    assert by_source[SOURCES[3]].msgstr == ""
    assert result.report.units == 4


def test_team_name_is_an_argument_and_a_language_team_name_wins(session, doc, fr):
    def team(**kwargs: str) -> str:
        data = export_document(session, doc, fr, "po", **kwargs).data.decode()
        return polib.pofile(data).metadata["Language-Team"]

    assert team() == DEFAULT_TEAM_NAME
    assert team(team_name="Collectif Strass") == "Collectif Strass"
    fr.team_name = "Équipe FR"
    session.flush()
    assert team(team_name="Collectif Strass") == "Équipe FR"


def test_xliff_reads_back_every_unit(session, doc, fr):
    from tms.formats import xliff

    result = export_document(session, doc, fr, "xliff")
    assert result.filename.endswith(".xlf")
    units = {u.key: u for u in xliff.read_units(result.data, filename=result.filename)}
    segs = segments(session, doc)
    assert set(units) == {s.key for s in segs}
    assert units[segs[0].key].target == APPROVED
    assert units[segs[1].key].target == AWAITING
    assert units[segs[3].key].target == ""


def test_a_documents_tmx_holds_that_document_only(session, doc, fr):
    from tms.formats import tmx

    # The rest of the pair's memory is not this document's: `tms tm export` gives that.
    session.add(MemoryUnit(source_language="en", target_language="fr", source="Hello.",
                           target="Bonjour.", source_plain="Hello.", source_hash="h",
                           source_length=6, origin="tmx: old.tmx"))
    session.flush()
    result = export_document(session, doc, fr, "tmx")
    pairs = {(p.source, p.target) for p in tmx.read(result.data, filename=result.filename)}
    assert pairs == {(SOURCES[0], APPROVED)}
    assert result.report.units == 1


def test_tmx_include_translated_adds_text_awaiting_review(session, doc, fr):
    from tms.formats import tmx

    result = export_document(session, doc, fr, "tmx", include="translated")
    pairs = {(p.source, p.target) for p in tmx.read(result.data, filename=result.filename)}
    assert pairs == {(SOURCES[0], APPROVED), (SOURCES[1], AWAITING)}  # never the draft


def test_tmx_tags_as_text_on_request(session, fr):
    document = make_document(session, sources=["Read <1>this</1>."], slug="tagged")
    (seg,) = segments(session, document)
    put(session, seg, fr, "Lisez <1>ceci</1>.", State.APPROVED)
    data = export_document(session, document, fr, "tmx", tmx_inline="text").data
    assert b"<seg>Lisez &lt;1&gt;ceci&lt;/1&gt;.</seg>" in data
    assert b"<bpt" in export_document(session, document, fr, "tmx").data


def test_an_empty_tmx_is_refused_in_one_sentence(session, fr):
    document = make_document(session, sources=["Nothing yet."], slug="empty")
    with pytest.raises(ExportError, match="TMX file would be empty"):
        export_document(session, document, fr, "tmx")


# ------------------------------------------------------------------ credits


@pytest.mark.parametrize("fmt", ["html", "po", "xliff", "tmx"])
def test_no_volunteer_name_in_any_export_without_credits(session, doc, fr, fmt):
    for include in ("approved", "translated"):
        data = export_document(session, doc, fr, fmt, include=include).data
        assert VOLUNTEER.encode() not in data


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_credits_name_the_translators_of_approved_text(session, doc, fr, fmt):
    data = export_document(session, doc, fr, fmt, credits=True).data
    assert VOLUNTEER.encode() in data


def test_credits_never_name_deleted_accounts(session, doc, fr):
    volunteer = session.scalar(select(TranslationRow).where(
        TranslationRow.state == int(State.APPROVED))).translator
    volunteer.deleted = True
    session.flush()
    assert VOLUNTEER.encode() not in export_document(session, doc, fr, "po", credits=True).data


# ------------------------------------------------------------------ files on disk


def test_write_export_is_atomic_and_in_its_folder(session, doc, fr, tmp_path):
    result = export_document(session, doc, fr, "po")
    path = write_export(result, tmp_path / "exports", doc.slug, fr.code)
    assert path == tmp_path / "exports" / "declaration" / "fr" / "declaration.fr.po"
    assert path.read_bytes() == result.data
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    write_export(result, tmp_path / "exports", doc.slug, fr.code)  # replaces in place
    assert path.read_bytes() == result.data


def test_write_export_keeps_names_inside_the_exports_folder(session, doc, fr, tmp_path):
    result = export_document(session, doc, fr, "po")
    path = write_export(result, tmp_path / "exports", "../../etc", "../fr")
    assert Path(tmp_path / "exports") in path.parents


# ------------------------------------------------------------------ completeness


def test_completeness_sentence(session, doc, fr):
    c = completeness(session, doc, fr)
    assert (c.segments, c.approved) == (4, 1)
    assert c.segments_by_state["translated"] == 1
    assert c.summary() == "1 of 4 segments approved; 3 would stay in English."


def test_completeness_sentence_when_all_approved(session, fr):
    document = make_document(session, slug="done", sources=["One.", "Two."])
    for seg in segments(session, document):
        put(session, seg, fr, "Un.", State.APPROVED)
    assert completeness(session, document, fr).summary() == \
        "Ready to print: all 2 segments approved."


# ------------------------------------------------------------------ editions


def test_edition_stores_every_file_with_its_checksum(session, doc, fr):
    user = make_user(session, "publisher", is_publisher=True)
    edition = publish_edition(session, doc, fr, user)
    assert edition.number == 1
    formats = sorted(f.format for f in edition.files)
    assert formats == ["html", "po", "xliff"]  # no DOCX for a text import
    for f in edition.files:
        assert f.sha256 == hashlib.sha256(f.data).hexdigest()
        assert f.size == len(f.data)
    assert edition.report["left_in_source"] == [2, 3, 4]
    assert edition.report["approved"] == 1
    assert publish_edition(session, doc, fr, user).number == 2
    assert [e.number for e in list_editions(session, doc, fr)] == [2, 1]


def test_edition_download_is_byte_for_byte_after_the_text_changes(session, doc, fr):
    edition = publish_edition(session, doc, fr, None)
    before = {f.format: f.data for f in edition.files}
    row = session.scalar(select(TranslationRow).where(TranslationRow.state == int(State.DRAFT)))
    row.state = int(State.APPROVED)
    session.flush()
    session.expire_all()
    for fmt, data in before.items():
        stored = edition_file(session, edition.id, fmt)
        assert stored is not None and stored.data == data
    assert b"brouillon" not in edition_file(session, edition.id, "html").data
    assert b"brouillon" in export_document(session, doc, fr, "html").data
    assert edition_file(session, edition.id, "docx") is None


def test_edition_cannot_be_changed(session, doc, fr):
    edition = publish_edition(session, doc, fr, None)
    session.commit()
    stored = session.scalar(select(EditionFile).where(EditionFile.edition_id == edition.id))
    stored.data = b"tampered"
    with pytest.raises(ExportError):
        session.flush()
    session.rollback()
    edition = session.scalar(select(Edition))
    edition.number = 7
    with pytest.raises(ExportError):
        session.flush()


def test_edition_refused_when_nothing_is_approved(session, fr):
    document = make_document(session, slug="empty-fr")
    with pytest.raises(ExportError) as err:
        publish_edition(session, document, fr, None)
    assert "Nothing is approved" in err.value.message
    assert session.scalar(select(Edition)) is None


# ------------------------------------------------------------------ real imports

def _docx_bytes() -> bytes:
    """A small DOCX made with python-docx: a heading, formatted runs, a list and a table."""
    import docx

    d = docx.Document()
    d.core_properties.title = "Our sample rights"
    d.add_heading("Our sample rights", level=1)
    p = d.add_paragraph("Everyone has the right to ")
    p.add_run("safety").bold = True
    p.add_run(" and to ")
    p.add_run("respect").italic = True
    p.add_run(". Nobody may be forced to work.")
    d.add_paragraph("First demand of the network.", style="List Bullet")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Left cell text."
    table.cell(0, 1).text = "Right cell text."
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture
def admin(session: Session):
    """An admin, who may pretranslate any language."""
    return make_user(session, "root", is_admin=True)


@pytest.mark.parametrize(("filename", "data"), [
    ("rights.md", b"# Our rights\n\nEveryone has the right to **safety**. Nobody may be "
                  b"forced to work.\n\n- First demand.\n- Second demand.\n"),
    ("rights.txt", b"Our rights\n\nEveryone has the right to safety. Nobody may be forced "
                   b"to work.\n"),
])
def test_imported_text_documents_export_every_format_but_docx(session, fr, admin, filename,
                                                              data):
    from tms.pseudo_locale import pseudo_translate
    from tms.services.importing import import_document
    from tms.services.pretranslating import pretranslate

    document = import_document(session, filename=filename, data=data).document
    assert pretranslate(session, document, fr, "pseudo", user=admin) > 0
    html = export_document(session, document, fr, "html", include="translated").data.decode()
    assert pseudo_translate("Nobody may be forced to work.") in html
    assert "Nobody may be forced" not in html
    approved_only = export_document(session, document, fr, "html").data.decode()
    assert "Nobody may be forced to work." in approved_only
    for fmt in ("po", "xliff", "tmx"):
        assert export_document(session, document, fr, fmt, include="translated").data
    with pytest.raises(ExportError):
        export_document(session, document, fr, "docx")


def test_docx_export_clones_the_original_with_translated_text(session, fr, admin):
    import docx

    from tms.pseudo_locale import pseudo_translate
    from tms.services.importing import import_document
    from tms.services.pretranslating import pretranslate

    document = import_document(session, filename="rights.docx", data=_docx_bytes()).document
    pretranslate(session, document, fr, "pseudo", user=admin)
    result = export_document(session, document, fr, "docx", include="translated")
    assert result.filename == "rights.fr.docx"
    out = docx.Document(io.BytesIO(result.data))
    texts = [p.text for p in out.paragraphs]
    assert pseudo_translate("Nobody may be forced to work.") in " ".join(texts)
    body = out.paragraphs[1]  # after the heading, as in the source
    assert body.text.endswith(" " + pseudo_translate("Nobody may be forced to work."))
    bold = [r.text for r in body.runs if r.bold]
    italic = [r.text for r in body.runs if r.italic]
    assert bold and all("š" in t for t in bold)  # "safety", pseudo-translated, still bold
    assert italic and all("ŕ" in t for t in italic)
    cells = [c.text for c in out.tables[0].rows[0].cells]
    assert cells == [pseudo_translate("Left cell text."), pseudo_translate("Right cell text.")]
    # nothing approved: the approved-only print is the source, untouched
    source_only = docx.Document(io.BytesIO(export_document(session, document, fr, "docx").data))
    assert "Nobody may be forced to work." in " ".join(p.text for p in source_only.paragraphs)


def test_docx_keeps_markup_like_text_intact_and_html_escapes_it(session, fr):
    import docx

    from tms.services.importing import import_document

    document = import_document(session, filename="rights.docx", data=_docx_bytes()).document
    seg = session.scalar(select(Segment).where(Segment.document_id == document.id,
                                               Segment.source.like("Nobody%")))
    nasty = 'Personne <script>alert(1)</script> "forcé" & contraint.'
    volunteer = make_user(session, VOLUNTEER, roles={"fr": "translator"})
    put(session, seg, fr, nasty, State.APPROVED, translator_id=volunteer.id)
    data = export_document(session, document, fr, "docx").data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(VOLUNTEER.encode() in z.read(name) for name in z.namelist())
    out = docx.Document(io.BytesIO(data))
    assert nasty in " ".join(p.text for p in out.paragraphs)
    html = export_document(session, document, fr, "html").data.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; contraint" in html


# ------------------------------------------------------------------ CLI


def test_cli_export_writes_into_the_exports_folder(app, runner, session, doc, fr):
    session.commit()
    result = runner.invoke(args=["export", "--doc", "declaration", "--lang", "fr",
                                 "--format", "html"])
    assert result.exit_code == 0, result.output
    path = Path(app.config["EXPORTS_DIR"]) / "declaration" / "fr" / "declaration.fr.html"
    assert path.exists()
    assert "Nous, travailleuses du sexe" in path.read_text()
    assert "3 segments left in the source language" in result.output


def test_cli_export_out_folder_and_options(runner, session, doc, fr, tmp_path):
    session.commit()
    result = runner.invoke(args=["export", "--doc", "declaration", "--lang", "fr",
                                 "--format", "po", "--out", str(tmp_path / "here"),
                                 "--credits"])
    assert result.exit_code == 0, result.output
    assert VOLUNTEER in (tmp_path / "here" / "declaration.fr.po").read_text()
    result = runner.invoke(args=["export", "--doc", "declaration", "--lang", "fr",
                                 "--format", "html", "--include", "translated",
                                 "--untranslated", "refuse"])
    assert result.exit_code == 1
    assert "Export refused: 2 segments have no approved or awaiting review" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "Give --doc, --lang and --format"),
    (["--doc", "nope", "--lang", "fr", "--format", "po"], "No document with the slug"),
    (["--doc", "declaration", "--lang", "xx", "--format", "po"], "No language with the code"),
    (["--doc", "declaration", "--lang", "fr", "--format", "odt"], "odt"),
    (["--all", "--doc", "declaration"], "--all exports everything"),
    (["--doc", "declaration", "--lang", "fr", "--format", "docx"], "DOCX export is only"),
])
def test_cli_export_bad_input(runner, session, doc, fr, args, message):
    session.commit()
    result = runner.invoke(args=["export", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_export_all(app, runner, session, doc, fr):
    make_language(session, "de")
    make_language(session, "en", name="English")  # the source language: not exported
    session.commit()
    result = runner.invoke(args=["export", "--all"])
    assert result.exit_code == 0, result.output
    root = Path(app.config["EXPORTS_DIR"]) / "declaration"
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    # German has nothing approved: its TMX would be empty and is left out, said so.
    assert written == sorted([*(f"{lang}/declaration.{lang}.{ext}" for lang in ("de", "fr")
                                for ext in ("html", "po", "xlf")), "fr/declaration.fr.tmx"])
    assert "7 files written" in result.output
    assert "1 TMX file left out" in result.output


def test_cli_export_json_and_tmx_options(app, runner, session, doc, fr, tmp_path):
    import json

    result = runner.invoke(args=["export", "--doc", "declaration", "--lang", "fr", "--format",
                                 "tmx", "--include", "translated", "--tmx-tags", "text",
                                 "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["units"] == 2 and report["include"] == "translated"
    assert b"&lt;1&gt;vie&lt;/1&gt;" in Path(report["path"]).read_bytes()


def test_cli_export_outside_the_project_creates_nothing(tmp_path, monkeypatch):
    from tms import create_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TMS_DATABASE_URL", raising=False)
    monkeypatch.delenv("TMS_INSTANCE_DIR", raising=False)
    monkeypatch.delenv("TMS_SECRET_KEY", raising=False)
    result = create_app().test_cli_runner().invoke(
        args=["export", "--doc", "x", "--lang", "fr", "--format", "po"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: The database is not ready: there is no tms")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_export_all_counts_failures(app, runner, session, doc, fr):
    session.add(Document(slug="no-file-yet", title="Never imported"))
    session.commit()
    result = runner.invoke(args=["export", "--all", "--untranslated", "refuse"])
    assert result.exit_code == 1
    assert "no-file-yet" in result.output
    assert "declaration/fr/html: Export refused" in result.output
    assert "2 exports failed." in result.output
    assert "3 files written" in result.output


def test_export_follows_the_latest_version(session, fr, admin):
    from tms.services.importing import import_document

    first = b"# Rights\n\nWe declare our rights.\n\nThis paragraph will go away.\n"
    document = import_document(session, filename="v.md", data=first).document
    for seg in segments(session, document):
        put(session, seg, fr, "FR " + seg.source, State.APPROVED)
    second = b"# Rights\n\nWe declare our rights.\n\nA brand new paragraph.\n"
    import_document(session, filename="v.md", data=second, slug=document.slug)
    html = export_document(session, document, fr, "html").data.decode()
    assert "FR We declare our rights." in html
    assert "will go away" not in html
    assert "A brand new paragraph." in html
    po = export_document(session, document, fr, "po").data.decode()
    assert "will go away" not in po and "A brand new paragraph." in po


def test_a_damaged_stored_original_gives_a_sentence(session, fr):
    from tms.services.importing import import_document

    report = import_document(session, filename="rights.docx", data=_docx_bytes())
    report.version.data = b"PK\x03\x04 not really a zip"
    session.flush()
    with pytest.raises(ExportError) as err:
        export_document(session, report.document, fr, "docx")
    assert err.value.message.startswith("The DOCX file could not be written")
    assert "\n" not in err.value.message


def test_outdated_approved_text_is_not_counted_as_ready(session, fr):
    document = make_document(session, slug="moved", sources=["One.", "Two."])
    one, two = segments(session, document)
    put(session, one, fr, "Un.", State.APPROVED)
    put(session, two, fr, "Deux.", State.APPROVED, outdated=True)
    c = completeness(session, document, fr)
    assert (c.approved, c.printable, c.outdated) == (2, 1, 1)
    assert c.summary() == "1 of 2 segments approved; 1 would stay in English."
    from tms.services.exporting import completeness_by_language

    de = make_language(session, "de")
    both = completeness_by_language(session, document, [fr, de])
    assert both[fr.id] == c
    assert both[de.id].summary() == "Nothing approved yet: all 2 segments would stay in English."
