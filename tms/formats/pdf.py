"""PDF through LibreOffice headless, and pages as small PNGs through poppler (no Flask, no DB).

LibreOffice is started once per conversion with a profile folder of its own (two jobs
sharing a profile block each other), under a time limit, and its process group is killed
when the limit passes. soffice exits 0 even when it could not convert, so the output is
checked: a PDF must exist and start with "%PDF-".
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tms.formats.base import FormatError
from tms.i18n import _

# Seconds one conversion may take; a long DOCX takes ~2-5 s, a hung soffice forever.
DEFAULT_TIMEOUT = float(os.environ.get("TMS_PDF_TIMEOUT", "120"))

# The import filters: without one a broken DOCX is read as plain text and "converts" fine.
_FILTERS = {"docx": "MS Word 2007 XML", "html": "HTML (StarWriter)"}


def soffice_path() -> str | None:
    """The LibreOffice program on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing_libreoffice() -> str | None:
    """One sentence saying what to install when LibreOffice is missing, else None."""
    if soffice_path() is None:
        return _("PDF export needs LibreOffice: install the Debian package "
                 "libreoffice-writer-nogui (see docs/deploy.md).")
    return None


def missing_poppler() -> str | None:
    """One sentence saying what to install when poppler's tools are missing, else None."""
    if not (shutil.which("pdftoppm") and shutil.which("pdfinfo")):
        return _("Page previews need poppler: install the Debian package poppler-utils.")
    return None


def _run_killable(args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run a program in its own process group and kill the whole group on timeout (soffice
    starts a child, soffice.bin, that outlives a plain kill)."""
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


def to_pdf(data: bytes, kind: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Convert a DOCX or HTML file's bytes to PDF with LibreOffice, or raise a FormatError."""
    soffice = soffice_path()
    if soffice is None:
        raise FormatError(missing_libreoffice() or "")
    if kind not in _FILTERS:
        raise FormatError(_("tms cannot print %(kind)s files as PDF.", kind=kind))
    with tempfile.TemporaryDirectory(prefix="tms-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / f"document.{kind}"
        source.write_bytes(data)
        out = folder / "out"
        args = [soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
                "--nodefault", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                f"--infilter={_FILTERS[kind]}",
                "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(source)]
        try:
            _run_killable(args, timeout)
        except subprocess.TimeoutExpired:
            raise FormatError(_("LibreOffice did not finish the PDF within %(seconds)s "
                                "seconds.", seconds=int(timeout))) from None
        pdf = out / "document.pdf"
        result = pdf.read_bytes() if pdf.exists() else b""
    if not result.startswith(b"%PDF-"):
        raise FormatError(_("LibreOffice could not convert the file to PDF."))
    return result


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (poppler's pdfinfo)."""
    res = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False,
                         timeout=60)
    match = re.search(rb"^Pages:\s+(\d+)", res.stdout, re.MULTILINE)
    if res.returncode != 0 or match is None:
        raise FormatError(_("The PDF could not be read."))
    return int(match.group(1))


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF in reading order (poppler's pdftotext)."""
    res = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=False, timeout=60)
    if res.returncode != 0:
        raise FormatError(_("The PDF could not be read."))
    return res.stdout.decode("utf-8", "replace")


@dataclass(frozen=True)
class PageImages:
    """The pages of a PDF rendered as PNG files, in order."""

    files: list[Path]


def render_pages(pdf: bytes, folder: Path, *, width: int = 240,
                 max_pages: int = 40) -> PageImages:
    """Render the first max_pages pages as PNGs about `width` pixels wide into folder
    (page-1.png, ...), with pdftoppm."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tms-ppm-") as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        res = subprocess.run(["pdftoppm", "-png", "-l", str(max_pages), "-scale-to-x",
                              str(width), "-scale-to-y", "-1", str(source),
                              str(Path(tmp) / "page")],
                             capture_output=True, check=False, timeout=300)
        if res.returncode != 0:
            raise FormatError(_("The PDF's pages could not be drawn."))
        # pdftoppm pads the number to the page count's width (page-01.png): renumber.
        made = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        files = []
        for n, path in enumerate(made, start=1):
            target = folder / f"page-{n}.png"
            shutil.move(str(path), target)
            files.append(target)
    return PageImages(files)
