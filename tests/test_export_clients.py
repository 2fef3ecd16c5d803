"""Every export format checked by the program its users open it with.

The sample documents are imported through the real import service, pseudo-translated
(accented, longer text: easy to find, hard to fake), exported, and handed to msgfmt, the
strict XLIFF 1.2 schema, the Nu HTML Checker and LibreOffice. Offline edits made with polib
and lxml must read back through our own readers.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import clients
from tests.conftest import SOURCE_DOCS, _wipe
from tests.factories import make_language, make_user
from tms import create_app
from tms.db import get_session
from tms.formats import po as po_format
from tms.formats import xliff as xliff_format
from tms.inline import strip_tags
from tms.models import Document, Language, Segment, State
from tms.pseudo_locale import pseudo_translate
from tms.services import workflow
from tms.services.exporting import export_document, formats_for, write_export
from tms.services.importing import import_document
from tms.services.pretranslating import pretranslate

pytestmark = pytest.mark.clients

SAMPLES = ("sample-declaration.docx", "sample-declaration.md", "sample-manifesto.docx")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
NASTY = 'Personne <script>alert(1)</script> n\'est "forcé" & contraint.'


@dataclass
class Exported:
    """One exported file on disk, with what the checks need to know about it."""

    slug: str
    language: str
    fmt: str
    path: Path
    first_source: str  # the first segment of four words or more, as imported


def _samples() -> list[Path]:
    paths = [SOURCE_DOCS / name for name in SAMPLES]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"sample documents missing from source_docs/: {', '.join(missing)}")
    return paths


@pytest.fixture
def languages(session: Session) -> list[Language]:
    """French (left to right) and Arabic (right to left)."""
    return [make_language(session, "fr"), make_language(session, "ar")]


def _first_long_source(session: Session, document: Document) -> str:
    return session.scalar(
        select(Segment.source).where(Segment.document_id == document.id,
                                     Segment.archived.is_(False), Segment.word_count >= 4)
        .order_by(Segment.position)) or ""


@pytest.fixture(scope="module")
def exported(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> list[Exported]:
    """Every sample pseudo-translated in French (the Markdown one in Arabic too), exported
    in every format. Built once for the module (saving ~90 segments through the workflow
    takes seconds per document); the database is emptied before the checks run."""
    samples = _samples()
    out_dir = tmp_path_factory.mktemp("exports")
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False, "EXPORTS_DIR": str(out_dir),
                      "INSTANCE_DIR": str(out_dir / "instance")})
    out: list[Exported] = []
    try:
        with app.app_context():
            session = get_session()
            fr, ar = make_language(session, "fr"), make_language(session, "ar")
            admin = make_user(session, "root", is_admin=True)
            for path in samples:
                slug = "clients-" + path.stem + ("-md" if path.suffix == ".md" else "")
                document = import_document(session, filename=path.name,
                                           data=path.read_bytes(), slug=slug).document
                first = _first_long_source(session, document)
                for language in [fr, ar] if path.suffix == ".md" else [fr]:
                    assert pretranslate(session, document, language, "pseudo", user=admin) > 0
                    for fmt in formats_for(session, document):
                        result = export_document(session, document, language, fmt,
                                                 include="translated")
                        written = write_export(result, out_dir, slug, language.code)
                        out.append(Exported(slug, language.code, fmt, written, first))
            session.rollback()
    finally:
        _wipe(app)
        app.extensions["tms_engine"].dispose()
    return out


def _of(exported: list[Exported], fmt: str) -> list[Exported]:
    found = [e for e in exported if e.fmt == fmt]
    assert found, f"no {fmt} export"
    return found


def test_po_exports_pass_msgfmt(exported):
    for e in _of(exported, "po"):
        res = clients.msgfmt_check(e.path)
        assert res.returncode == 0, f"{e.path.name}: {res.stderr}"
        assert len(polib.pofile(str(e.path))) > 10


def test_xliff_exports_pass_the_strict_schema(exported):
    schema = etree.XMLSchema(etree.parse(str(clients.xliff12_schema_path())))
    for e in _of(exported, "xliff"):
        doc = etree.parse(str(e.path))
        assert schema.validate(doc), f"{e.path.name}: {schema.error_log}"


def test_xliff2_exports_pass_the_oasis_core_schema(exported):
    schema = clients.xliff20_schema()
    for e in _of(exported, "xliff2"):
        doc = etree.parse(str(e.path))
        assert schema.validate(doc), f"{e.path.name}: {schema.error_log}"
        assert doc.getroot().get("version") == "2.0"


def test_html_exports_pass_the_nu_checker(exported):
    paths = [e.path for e in _of(exported, "html")]
    res = clients.vnu_check(paths)
    assert res.returncode == 0, res.stderr + res.stdout
    for e in _of(exported, "html"):
        html = e.path.read_text()
        assert strip_tags(pseudo_translate(e.first_source))[:12] in html
        direction = "rtl" if e.language == "ar" else "ltr"
        assert re.search(rf'<html[^>]+dir="{direction}"', html), e.path.name


def test_docx_exports_open_in_libreoffice_with_the_pseudo_text(exported):
    for e in _of(exported, "docx"):
        text = clients.docx_to_text(e.path)
        words = strip_tags(pseudo_translate(e.first_source)).strip("[]·").split()
        squashed = re.sub(r"\s+", " ", text)
        assert " ".join(words[:3]) in squashed, f"{e.path.name}: pseudo text not in the PDF"


def test_tmx_exports_are_well_formed_tmx14(exported):
    for e in _of(exported, "tmx"):
        root = etree.parse(str(e.path)).getroot()
        assert root.tag == "tmx" and root.get("version") == "1.4"


def test_po_edited_with_polib_reads_back(exported, tmp_path):
    e = next(x for x in _of(exported, "po") if x.language == "fr")
    catalogue = polib.pofile(str(e.path))
    entry = next(x for x in catalogue if x.msgstr and not x.obsolete)
    entry.msgstr = "Traduit hors ligne."
    edited = tmp_path / "edited.po"
    catalogue.save(str(edited))
    units = {u.key: u for u in po_format.read_units(edited.read_bytes(), filename="edited.po")}
    assert len(units) == len([x for x in catalogue if not x.obsolete])
    assert "Traduit hors ligne." in {u.target for u in units.values()}


def test_xliff_edited_with_lxml_reads_back(exported):
    e = next(x for x in _of(exported, "xliff") if x.language == "fr")
    tree = etree.parse(str(e.path))
    unit = tree.find(f".//{{{XLIFF_NS}}}trans-unit")
    target = unit.find(f"{{{XLIFF_NS}}}target")
    for child in list(target):
        target.remove(child)
    target.text = "Traduit hors ligne."
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    units = {u.key: u for u in xliff_format.read_units(data, filename="edited.xlf")}
    assert units[unit.get("id")].target == "Traduit hors ligne."


def test_markup_like_text_is_escaped_in_html_and_intact_elsewhere(session, languages, tmp_path):
    import docx

    fr = languages[0]
    path = _samples()[0]
    document = import_document(session, filename=path.name, data=path.read_bytes()).document
    translator = make_user(session, "ana", roles={"fr": "translator"})
    reviewer = make_user(session, "bo", roles={"fr": "reviewer"})
    segment = session.scalar(
        select(Segment).where(Segment.document_id == document.id, Segment.archived.is_(False),
                              ~Segment.source.contains("<"), Segment.word_count >= 4)
        .order_by(Segment.position))
    saved = workflow.save_translation(session, segment=segment, language=fr, user=translator,
                                      target=NASTY, state=State.TRANSLATED, base_version=0)
    assert saved.status == "saved"
    approved = workflow.approve(session, translation=saved.translation, user=reviewer)
    assert approved.translation.state == State.APPROVED

    html = export_document(session, document, fr, "html").data.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; contraint" in html
    html_path = tmp_path / "nasty.html"
    html_path.write_text(html)
    res = clients.vnu_check([html_path])
    assert res.returncode == 0, res.stderr

    data = export_document(session, document, fr, "docx").data
    out = docx.Document(io.BytesIO(data))
    texts = [p.text for p in out.paragraphs] + [c.text for t in out.tables for r in t.rows
                                                for c in r.cells]
    assert any(NASTY in t for t in texts)
    docx_path = tmp_path / "nasty.docx"
    docx_path.write_bytes(data)
    assert "alert(1)" in clients.docx_to_text(docx_path)

    po_data = export_document(session, document, fr, "po").data
    po_path = tmp_path / "nasty.po"
    po_path.write_bytes(po_data)
    assert clients.msgfmt_check(po_path).returncode == 0
    assert NASTY in {e.msgstr for e in polib.pofile(str(po_path))}
    assert NASTY in {u.target for u in po_format.read_units(po_data, filename="nasty.po")}

    xlf = export_document(session, document, fr, "xliff").data
    schema = etree.XMLSchema(etree.parse(str(clients.xliff12_schema_path())))
    assert schema.validate(etree.parse(io.BytesIO(xlf)))
    assert NASTY in {u.target for u in xliff_format.read_units(xlf, filename="nasty.xlf")}


def _unpacked(data: bytes) -> bytes:
    """The bytes to search: every part of a DOCX (a compressed ZIP), else the file itself."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(name) for name in z.namelist())


def test_no_volunteer_names_in_any_client_export(session, languages, tmp_path):
    fr = languages[0]
    path = _samples()[0]
    document = import_document(session, filename=path.name, data=path.read_bytes()).document
    translator = make_user(session, "secret-name-ana", roles={"fr": "translator"})
    reviewer = make_user(session, "secret-name-bo", roles={"fr": "reviewer"})
    segment = session.scalar(select(Segment).where(Segment.document_id == document.id)
                             .order_by(Segment.position))
    saved = workflow.save_translation(session, segment=segment, language=fr, user=translator,
                                      target=pseudo_translate(segment.source),
                                      state=State.TRANSLATED, base_version=0)
    workflow.approve(session, translation=saved.translation, user=reviewer)
    for fmt in formats_for(session, document):
        data = export_document(session, document, fr, fmt).data
        assert b"secret-name" not in _unpacked(data), fmt
    credited = export_document(session, document, fr, "po", credits=True).data
    assert b"secret-name-ana" in credited
    assert b"secret-name-bo" not in credited  # reviewers did not write the text
