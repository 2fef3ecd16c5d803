"""Print checks and page previews of a document in one language, before it is published.

`prepare` reads the database (in the request or command): the source file to print (the
imported DOCX, or the HTML of the source's blocks) and the translation (the DOCX or HTML
export). Everything after that needs no database and can run in a background thread:
PDFs through LibreOffice, pages drawn by pdftoppm, the layout checks of tms.layout_checks.

The cache lives under a folder the caller names (instance/previews): PDFs by the hash of the
file they were printed from, page images by the hash of the PDF, and one small JSON status
file per job, so any worker process can answer the page's polling.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.formats import html as html_format
from tms.formats import pdf
from tms.formats.base import FormatError, TargetBlock
from tms.i18n import _
from tms.layout_checks import Finding, LayoutReport, check_docx, check_pages, check_text_fonts
from tms.models import Block, Document, Language
from tms.services.errors import ServiceError
from tms.services.exporting import export_document, latest_version, write_file
from tms.services.importing import parsed_block

# The body font of the HTML export's print stylesheet (tms/formats/html.py).
HTML_FONTS = "Georgia, Times New Roman, serif"
_HASH = re.compile(r"^[0-9a-f]{64}$")


class PrintError(ServiceError):
    """A print check or preview that cannot be made, in one sentence."""


@dataclass(frozen=True)
class PrintFile:
    """A file to print: its bytes and kind ("docx" or "html")."""

    data: bytes
    kind: str

    @property
    def sha256(self) -> str:
        """The hash the cache keys the file's PDF by."""
        return hashlib.sha256(self.kind.encode() + b"\0" + self.data).hexdigest()


@dataclass(frozen=True)
class PrintJob:
    """Everything the checks and previews need, read from the database once."""

    document: str  # slug
    language: str  # code
    rtl: bool
    source: PrintFile
    target: PrintFile

    def key(self, locale: str = "en") -> str:
        """The job's name: the same files checked for the same reader's language."""
        return hashlib.sha256(f"{self.source.sha256}:{self.target.sha256}:{self.language}:"
                              f"{locale}".encode()).hexdigest()


def prepare(session: Session, document: Document, language: Language, *,
            include: str = "approved") -> PrintJob:
    """The source and translation files to print, as the exports make them."""
    version = latest_version(session, document)
    kind = "docx" if version.format == "docx" else "html"
    if kind == "docx":
        source = PrintFile(version.data, "docx")
    else:
        blocks = session.scalars(select(Block).where(Block.version_id == version.id)
                                 .order_by(Block.position))
        targets = [TargetBlock(parsed, parsed.text) for parsed in map(parsed_block, blocks)]
        source = PrintFile(html_format.write(targets, language=document.source_language,
                                             title=document.title), "html")
    target = export_document(session, document, language, kind, include=include).data
    return PrintJob(document.slug, language.code, (language.direction or "ltr") == "rtl",
                    source, PrintFile(target, kind))


# --------------------------------------------------------------------------- the work


def _pdf(file: PrintFile, cache: Path) -> tuple[str, int]:
    """The file printed as PDF (cached by the file's hash): the PDF's hash and page count."""
    folder = cache / "pdf"
    meta = folder / f"{file.sha256}.json"
    if meta.exists():
        known = json.loads(meta.read_text())
        return str(known["sha256"]), int(known["pages"])
    data = pdf.to_pdf(file.data, file.kind)
    digest = hashlib.sha256(data).hexdigest()
    write_file(data, folder / f"{digest}.pdf")
    pages = pdf.page_count(data)
    write_file(json.dumps({"sha256": digest, "pages": pages}).encode(), meta)
    return digest, pages


def pdf_path(cache: Path, digest: str) -> Path | None:
    """A cached PDF by its hash, or None."""
    path = cache / "pdf" / f"{digest}.pdf"
    return path if _HASH.match(digest) and path.exists() else None


def page_image(cache: Path, digest: str, page: int) -> Path | None:
    """A cached page image of a PDF, or None."""
    path = cache / "pages" / digest / f"page-{page}.png"
    return path if _HASH.match(digest) and page > 0 and path.exists() else None


def _pages(digest: str, cache: Path) -> int:
    """Draw a cached PDF's pages (once); the number of images."""
    folder = cache / "pages" / digest
    done = folder / "done"
    if not done.exists():
        source = pdf_path(cache, digest)
        if source is None:
            raise FormatError(_("The PDF could not be read."))
        pdf.render_pages(source.read_bytes(), folder)
        done.write_text("1")
    return len(list(folder.glob("page-*.png")))


def check(job: PrintJob, cache: Path) -> tuple[LayoutReport, dict[str, str]]:
    """Every layout check of the job, and the hashes of the two PDFs ({} without
    LibreOffice, when the page count is left out and said to be)."""
    report = LayoutReport(job.language)
    hashes: dict[str, str] = {}
    missing = pdf.missing_libreoffice()
    if missing is None:
        hashes["source"], report.source_pages = _pdf(job.source, cache)
        hashes["target"], report.target_pages = _pdf(job.target, cache)
        report.findings += check_pages(report.source_pages, report.target_pages)
    if job.target.kind == "docx":
        report.findings += check_docx(job.source.data, job.target.data, job.language,
                                      rtl=job.rtl)
    else:
        body = lxml.html.document_fromstring(job.target.data).find("body")
        report.findings += check_text_fonts(body.text_content() if body is not None else "",
                                            HTML_FONTS)
    if missing is not None:
        report.findings.append(Finding("tools", missing, "note"))
    return report, hashes


def check_now(job: PrintJob, cache: Path) -> LayoutReport:
    """The layout checks, for the command line; a failure is one sentence."""
    try:
        return check(job, cache)[0]
    except FormatError as exc:
        raise PrintError(str(exc)) from exc


# --------------------------------------------------------------------------- background jobs


def _status_path(cache: Path, key: str) -> Path:
    return cache / "jobs" / f"{key}.json"


def _latest_path(cache: Path, document: str, language: str, locale: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"latest-{document}-{language}-{locale}")
    return cache / "jobs" / f"{name}.txt"


def _save_status(cache: Path, key: str, status: dict[str, Any]) -> None:
    write_file(json.dumps(status).encode(), _status_path(cache, key))


def status(cache: Path, key: str) -> dict[str, Any] | None:
    """A job's status: state (running, done, failed), step and steps, and when done the
    reports and page counts; None for an unknown job."""
    if not _HASH.match(key):
        return None
    path = _status_path(cache, key)
    if not path.exists():
        return None
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def latest(cache: Path, document: str, language: str, locale: str) -> dict[str, Any] | None:
    """The status of the newest job started for a document, language and locale."""
    path = _latest_path(cache, document, language, locale)
    return status(cache, path.read_text().strip()) if path.exists() else None


STEPS = 3  # print both files, draw the source's pages, draw the translation's pages


def _work(job: PrintJob, cache: Path, key: str) -> None:
    """Print, check and draw, saving the status after each step."""
    base: dict[str, Any] = {"key": key, "document": job.document, "language": job.language,
                            "steps": STEPS}
    try:
        report, hashes = check(job, cache)
        base["report"] = report.to_json()
        _save_status(cache, key, {**base, "state": "running", "step": 1})
        if not hashes or pdf.missing_poppler():
            why = pdf.missing_libreoffice() or pdf.missing_poppler()
            _save_status(cache, key, {**base, "state": "done", "step": STEPS,
                                      "previews": None, "message": why})
            return
        previews = {}
        for n, which in enumerate(("source", "target"), start=2):
            previews[which] = {"pdf": hashes[which], "pages": _pages(hashes[which], cache)}
            _save_status(cache, key, {**base, "state": "running", "step": n})
        _save_status(cache, key, {**base, "state": "done", "step": STEPS,
                                  "previews": previews})
    except FormatError as exc:
        _save_status(cache, key, {**base, "state": "failed", "message": str(exc)})
    except Exception as exc:
        # The page must say something rather than poll forever; the name is for the log.
        _save_status(cache, key, {**base, "state": "failed", "message": _(
            "The previews could not be made because of an error in tms (%(error)s); "
            "please report it.", error=type(exc).__name__)})
        raise


_running: set[str] = set()
_lock = threading.Lock()


def start(job: PrintJob, cache: Path, *, locale: str = "en",
          runner: Callable[[Callable[[], None]], None] | None = None,
          background: bool = True) -> str:
    """Start (or reuse) the job in a background thread; its key for status().

    runner wraps the work (the web layer passes one that sets the reader's locale, so
    the findings are written in their language)."""
    key = job.key(locale)
    write_file(key.encode(), _latest_path(cache, job.document, job.language, locale))
    known = status(cache, key)
    with _lock:
        if key in _running or (known is not None and known["state"] == "done"):
            return key
        _running.add(key)
    _save_status(cache, key, {"key": key, "document": job.document, "language": job.language,
                              "state": "running", "step": 0, "steps": STEPS})

    def work() -> None:
        try:
            (runner or (lambda f: f()))(lambda: _work(job, cache, key))
        finally:
            with _lock:
                _running.discard(key)

    if background:
        threading.Thread(target=work, name=f"previews-{key[:8]}", daemon=True).start()
    else:
        work()
    return key
