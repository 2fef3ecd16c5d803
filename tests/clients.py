"""Real programs that read our exports; tests skip with a reason when one is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("TMS_TOOLS_DIR", ROOT / ".tools"))


def need(program: str) -> str:
    """The path of a program, or skip the test saying what is missing."""
    path = shutil.which(program)
    if not path:
        pytest.skip(f"{program} is not installed (.ci/run installs it)")
    return path


def toolkit(program: str) -> str:
    """A translate-toolkit command (a dependency, installed beside this Python), or skip."""
    path = shutil.which(program) or shutil.which(program, path=str(Path(sys.executable).parent))
    if not path:
        pytest.skip(f"translate-toolkit's {program} is not installed (pip install -e .)")
    return path


def msgfmt_check(po_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `msgfmt -c` on a PO file."""
    msgfmt = need("msgfmt")
    return subprocess.run([msgfmt, "-c", "-o", os.devnull, str(po_path)],
                          capture_output=True, text=True, check=False)


def xliff12_schema_path() -> Path:
    """The strict XLIFF 1.2 schema installed by .ci/run (scripts/fetch_clients.sh)."""
    path = TOOLS / "xsd" / "xliff-core-1.2-strict.xsd"
    if not path.exists():
        pytest.skip(f"{path} is missing (run scripts/fetch_clients.sh)")
    return path


def xliff20_schema() -> etree.XMLSchema:
    """The OASIS XLIFF 2.0 core schema installed by .ci/run (scripts/fetch_clients.sh),
    with its import of xml.xsd pointed at the local copy (the checks run offline)."""
    path = TOOLS / "xsd" / "xliff-core-2.0.xsd"
    xml_xsd = TOOLS / "xsd" / "xml.xsd"
    if not path.exists() or not xml_xsd.exists():
        pytest.skip(f"{path} is missing (run scripts/fetch_clients.sh)")
    text = re.sub(r'schemaLocation="[^"]*xml\.xsd"', f'schemaLocation="{xml_xsd.as_uri()}"',
                  path.read_text(encoding="utf-8"))
    return etree.XMLSchema(etree.fromstring(text.encode("utf-8"), base_url=path.as_uri()))


def vnu_jar() -> Path:
    """The Nu HTML Checker jar installed by .ci/run."""
    path = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not path.exists():
        pytest.skip(f"{path} is missing (run scripts/fetch_clients.sh)")
    need("java")
    return path


def vnu_check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """Run the Nu HTML Checker (errors only) over several files in one Java start."""
    jar = vnu_jar()
    return subprocess.run(["java", "-jar", str(jar), "--errors-only", *map(str, paths)],
                          capture_output=True, text=True, check=False, timeout=300)


def docx_to_text(docx_path: Path) -> str:
    """Convert a DOCX to PDF with LibreOffice headless and return pdftotext's output.

    soffice exits 0 even when it fails, so the PDF's existence is checked explicitly.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    pdftotext = need("pdftotext")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        subprocess.run(
            [soffice, "--headless", "--norestore",
             f"-env:UserInstallation=file://{profile}",
             "--infilter=MS Word 2007 XML", "--convert-to", "pdf",
             "--outdir", str(out), str(docx_path)],
            capture_output=True, text=True, check=False, timeout=180,
        )
        pdf = out / (docx_path.stem + ".pdf")
        if not pdf.exists():
            raise AssertionError(f"LibreOffice could not convert {docx_path.name} to PDF")
        res = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"],
                             capture_output=True, text=True, check=True)
        return res.stdout
