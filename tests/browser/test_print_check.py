"""The print check in a real browser: a pseudo-translated DOCX sample's pages side by side
(source and translation, drawn from LibreOffice's PDFs), the checks, and the PDF download.
With TMS_SCREENSHOTS=1 the print check is photographed into docs/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.test_review import log_in
from tests.conftest import SOURCE_DOCS
from tests.factories import make_language, make_user
from tms.inline import strip_tags
from tms.models import Segment, Translation
from tms.services.importing import import_document
from tms.services.pretranslating import pretranslate

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="LibreOffice and poppler-utils are needed (apt-get install "
           "libreoffice-writer-nogui poppler-utils)")


@pytest.mark.browser
@pytest.mark.slow
def test_previews_side_by_side_and_the_pdf_download(live_server: Any, new_browser_page: Any,
                                                    session: Session, tmp_path: Path) -> None:
    fr = make_language(session, "fr")
    make_language(session, "en", name="English")
    admin = make_user(session, "boss", is_admin=True)
    make_user(session, "pub", is_publisher=True)
    document = import_document(session, filename="sample-declaration.docx",
                               data=(SOURCE_DOCS / "sample-declaration.docx").read_bytes(),
                               slug="declaration").document
    pretranslate(session, document, fr, "pseudo", user=admin)
    session.commit()
    # a long word of the pseudo-translation, to find in the PDF
    targets = session.scalars(select(Translation.target).join(Segment)
                              .where(Segment.document_id == document.id)).all()
    word = max((w for t in targets for w in re.findall(r"\w+", strip_tags(t or ""))), key=len)

    page = new_browser_page()
    base = live_server.url
    log_in(page, base, "pub")
    page.goto(base + "/publish/declaration")
    check = page.locator("#print-fr")
    check.locator("input[name=include][value=translated]").check()
    check.locator("button[type=submit]").click()
    # the progress shows while LibreOffice prints, then the section reloads with the pages
    source_img = page.locator("#print-fr .preview-source img").first
    target_img = page.locator("#print-fr .preview-target img").first
    source_img.wait_for(timeout=180_000)
    target_img.wait_for(timeout=10_000)
    assert "Source, page 1 of" in (source_img.get_attribute("alt") or "")
    assert "Translation, page 1 of" in (target_img.get_attribute("alt") or "")
    for img in (source_img, target_img):
        resp = page.request.get(base + (img.get_attribute("src") or ""))
        assert resp.status == 200 and resp.body().startswith(b"\x89PNG")
    assert page.locator("#print-fr").get_by_text(re.compile(r"Pages: \d+ \(source: \d+\)"))\
        .count() == 1
    # the checks are listed: the sample asks for fonts this machine substitutes
    assert page.locator("#print-fr .layout-findings li, #print-fr .layout-clean").count() >= 1
    if os.environ.get("TMS_SCREENSHOTS") == "1":  # the publisher's guide in the README
        shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        check.screenshot(path=str(shots / "print-check.png"))

    # the PDF, with the text awaiting review
    form = page.locator("#lang-fr form.export-form")
    form.locator("input[name=include][value=translated]").check()
    with page.expect_download(timeout=120_000) as info:
        form.locator("button[value=pdf]").click()
    pdf = tmp_path / "declaration.fr.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert word in text, word
    assert not page.console_errors
