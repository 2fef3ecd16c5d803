"""DOCX fidelity table: the identity round trip under the strict judge, and what of the
source still prints after a pseudo-translation.

For every file of the shared corpus, the sample documents and our own fixtures
(tests/docx_fixtures.py) it imports the file into a throw-away SQLite database,
pretranslates it with --mode copy, exports the DOCX and counts what tests/docx_judge.py
finds different. For a sample of them (--printed) it then pretranslates with --mode pseudo,
prints source and translation with LibreOffice, reads both PDFs with pdftotext and lists the
source words (three letters or more) that the translation still prints, each with the reason
the import report gives (a field Word updates on opening, a comment) or "unexplained".
It prints Markdown tables (the ones in docs/fidelity.md).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/fidelity_table.py [--printed all|none]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS  # noqa: E402
from tests.docx_fixtures import FIXTURES  # noqa: E402
from tests.docx_judge import differences  # noqa: E402
from tms import create_app  # noqa: E402
from tms.db import new_session  # noqa: E402
from tms.formats import docx as docx_format  # noqa: E402
from tms.formats import pdf  # noqa: E402
from tms.inline import tokenize  # noqa: E402
from tms.models import Language, User  # noqa: E402
from tms.services.exporting import export_document  # noqa: E402
from tms.services.importing import DocumentImportError, import_document  # noqa: E402
from tms.services.pretranslating import pretranslate  # noqa: E402

PRINTED = ["footnotes.docx", "endnotes.docx", "tables.docx", "text-box.docx",
           "comments.docx", "par-hyperlinks.docx", "hdr-header-footer.docx",
           "simple-list.docx", "sample-manifesto.docx", "sample-declaration.docx",
           "everything.docx"]
WORD = re.compile(r"[^\W\d_]{3,}")


def files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every file measured."""
    out = [(f"{p.parent.name}/{p.name}", p.read_bytes()) for p in sorted(CORPUS.rglob("*.docx"))]
    out += [(f"samples/{p.name}", p.read_bytes())
            for p in sorted((ROOT / "source_docs").glob("*.docx"))]
    out += [(f"fixtures/{name}", make()) for name, make in FIXTURES.items()]
    return out


def explained(word: str, data: bytes, name: str) -> str:
    """Why a source word still prints, as the import report says it, or "unexplained"."""
    doc = docx_format.read(data, filename=name)
    for block in doc.blocks:
        for tok in tokenize(block.text):
            if tok.kind == "text" and any(word in piece for piece in tok.value.split()
                                          if "@" in piece or "://" in piece):
                return "URL or e-mail address (the pseudo-translation keeps them)"
    for block in doc.blocks:
        for tag in block.tags.values():
            if tag.kind == "field" and not tag.paired and \
                    word in str(tag.data.get("result", "")):
                return "field result Word updates on opening (report: fields)"
            if tag.kind == "link" and word in str(tag.data.get("href", "")):
                return "link address"
        if word in (block.numbering or "").split("."):
            return "list number Word computes (not text)"
    if any("comment" in w for w in doc.warnings):
        return "comment text (report: comments not imported)"
    return "unexplained"


def main() -> None:
    """Measure and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--printed", choices=["sample", "none"], default="sample")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/fidelity.sqlite3", "SECRET_KEY": "x",
                      "TESTING": True, "INSTANCE_DIR": str(tmp / "instance")})
    from tms.orm import Base

    Base.metadata.create_all(app.extensions["tms_engine"])
    printing = args.printed == "sample" and not (pdf.missing_libreoffice()
                                                 or pdf.missing_poppler())
    rows, printed_rows = [], []
    with app.app_context(), new_session() as session:
        fr = Language(code="fr", name="French", native_name="français")
        qps = Language(code="qps", name="Pseudo", native_name="pseudo")
        admin = User(pseudonym="bench", password_hash="-", is_admin=True)  # noqa: S106
        session.add_all([fr, qps, admin])
        session.flush()
        for n, (name, data) in enumerate(files()):
            base = name.rpartition("/")[2]
            try:
                result = import_document(session, filename=base, data=data, slug=f"d{n}")
            except DocumentImportError as exc:
                rows.append((name, "refused", exc.message))
                continue
            document = result.document
            pretranslate(session, document, fr, "copy", user=admin)
            out = export_document(session, document, fr, "docx", include="translated",
                                  untranslated="refuse").data
            found = differences(data, out)
            rows.append((name, "identical" if not found else f"{len(found)} differences",
                         found[0] if found else ""))
            if printing and base in PRINTED:
                pretranslate(session, document, qps, "pseudo", user=admin)
                pseudo = export_document(session, document, qps, "docx", include="translated",
                                         untranslated="refuse").data
                before = set(WORD.findall(pdf.pdf_text(pdf.to_pdf(data, "docx"))))
                after = set(WORD.findall(pdf.pdf_text(pdf.to_pdf(pseudo, "docx"))))
                left = sorted(before & after)
                reasons = [f"{w}: {explained(w, data, base)}" for w in left]
                printed_rows.append((name, len(before), len(left), "; ".join(reasons) or "–"))
        session.rollback()
    print("| file | identity round trip (strict judge) | first difference |")
    print("| --- | --- | --- |")
    for name, verdict, first in rows:
        print(f"| {name} | {verdict} | {first.replace('|', '/')[:120]} |")
    identical = sum(1 for r in rows if r[1] == "identical")
    refused = sum(1 for r in rows if r[1] == "refused")
    print(f"\n{identical} of {len(rows)} files come back identical; {refused} are refused "
          f"(no text to translate); {len(rows) - identical - refused} differ.\n")
    if printed_rows:
        print("| file | source words printed | still printed after pseudo-translation | "
              "why (import report) |")
        print("| --- | --- | --- | --- |")
        for name, total, left, why in printed_rows:
            print(f"| {name} | {total} | {left} | {why} |")


if __name__ == "__main__":
    main()
