"""PDF export with the real LibreOffice, editions with the PDF beside the DOCX, `tms check`,
and what happens on a machine without LibreOffice."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_language, make_user
from tests.test_layout_checks import make_docx
from tms.formats import pdf
from tms.models import Document, Language, Segment, State, Translation
from tms.services.exporting import ExportError, export_document, publish_edition
from tms.services.importing import import_document
from tms.services.pretranslating import pretranslate

needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and poppler-utils are needed (apt-get install "
           "libreoffice-writer-nogui poppler-utils)")


@pytest.fixture
def fr(session: Session) -> Language:
    """French."""
    return make_language(session, "fr")


@pytest.fixture
def small_docx(session: Session, fr: Language) -> Document:
    """A small DOCX import, pseudo-translated (awaiting review) and one segment approved."""
    admin = make_user(session, "boss", is_admin=True)
    document = import_document(session, filename="small.docx", data=make_docx(row_height=60),
                               slug="small").document
    pretranslate(session, document, fr, "pseudo", user=admin)
    session.commit()
    return document


@needs_libreoffice
def test_pdf_export_of_a_docx_has_the_translation(session, small_docx, fr):
    result = export_document(session, small_docx, fr, "pdf", include="translated")
    assert result.filename == "small.fr.pdf" and result.content_type == "application/pdf"
    text = pdf.pdf_text(result.data)
    assert "Ŵé" in text and "We, sex workers" not in text
    # approved text only: the source stays, as in the DOCX
    assert "We, sex workers" in pdf.pdf_text(export_document(session, small_docx, fr,
                                                             "pdf").data)


@needs_libreoffice
def test_a_broken_file_is_not_a_pdf():
    with pytest.raises(pdf.FormatError, match="could not convert"):
        pdf.to_pdf(b"PK\x03\x04 not really a docx", "docx")


def test_without_libreoffice_pdf_says_what_to_install_and_the_rest_works(
        session, client, small_docx, fr, monkeypatch):
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(ExportError) as err:
        export_document(session, small_docx, fr, "pdf")
    assert err.value.message == ("PDF export needs LibreOffice: install the Debian package "
                                 "libreoffice-writer-nogui (see docs/deploy.md).")
    assert export_document(session, small_docx, fr, "docx").data.startswith(b"PK")
    make_user(session, "pub", is_publisher=True)
    session.commit()
    login(client, "pub")
    page = client.get("/publish/small")
    assert page.status_code == 200
    assert 'value="pdf" disabled' in page.text
    assert "install the Debian package libreoffice-writer-nogui" in page.text


@needs_libreoffice
def test_an_edition_of_a_docx_stores_the_pdf_beside_it(session, small_docx, fr):
    # approved directly: the workflow's approval rules are not what is tested here
    for t in session.scalars(select(Translation).join(Segment)
                             .where(Segment.document_id == small_docx.id)):
        t.state = State.APPROVED
    session.flush()
    edition = publish_edition(session, small_docx, fr, None)
    stored = {f.format: f for f in edition.files}
    assert sorted(stored) == ["docx", "html", "pdf", "po", "xliff"]
    assert stored["pdf"].data.startswith(b"%PDF-")
    assert "Ŵé" in pdf.pdf_text(stored["pdf"].data)


@needs_libreoffice
def test_cli_check_prints_the_checks_as_json(runner, session, small_docx, fr):
    result = runner.invoke(args=["check", "--doc", "small", "--lang", "fr",
                                 "--include", "translated", "--json"])
    report = json.loads(result.output)
    assert report["language"] == "fr"
    assert report["source_pages"] == 1 and report["target_pages"] == 1
    assert report["findings"] == [], report
    assert result.exit_code == 0


def test_cli_check_of_an_unknown_document_is_one_sentence(runner, session, fr):
    session.commit()
    result = runner.invoke(args=["check", "--doc", "nope", "--lang", "fr"])
    assert result.exit_code != 0 and "No document with the slug" in result.output
    assert "Traceback" not in result.output
