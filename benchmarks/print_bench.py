"""Print benchmark: the longer sample (the manifesto) pseudo-translated, printed to PDF by
LibreOffice and drawn as page previews, as the publish page's print check does it.

It imports source_docs/sample-manifesto.docx into a fresh SQLite database, pseudo-translates
it into French (about a third longer), then times each step of services/printing with a
cold cache: the translated DOCX export, the source's and the translation's PDF (one
LibreOffice process each, its own profile), the page images (pdftoppm) and the layout
checks; then the whole check again with the cache warm. Memory: this process's peak RSS
and the largest child process's peak RSS (LibreOffice or pdftoppm), from getrusage.

    python benchmarks/print_bench.py [--repeat 3] [--json print.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from tms import create_app
from tms.db import new_session
from tms.formats import pdf
from tms.models import Language, User
from tms.services import printing
from tms.services.importing import import_document
from tms.services.pretranslating import pretranslate

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """fn's result and its wall time in seconds."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run_once(tmp: Path, n: int) -> dict[str, float]:
    """One cold run in a fresh database and cache."""
    url = f"sqlite:///{tmp}/print{n}.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "INSTANCE_DIR": str(tmp / f"instance{n}")})
    from tms.orm import Base

    Base.metadata.create_all(app.extensions["tms_engine"])
    cache = tmp / f"cache{n}"
    with app.app_context(), new_session() as session:
        fr = Language(code="fr", name="French", native_name="français")
        admin = User(pseudonym="bench", password_hash="-", is_admin=True)  # noqa: S106
        session.add_all([fr, admin])
        session.flush()
        data = (ROOT / "source_docs" / "sample-manifesto.docx").read_bytes()
        document = import_document(session, filename="sample-manifesto.docx", data=data,
                                   slug="manifesto").document
        pretranslate(session, document, fr, "pseudo", user=admin)
        session.commit()
        job, export_s = timed(printing.prepare, session, document, fr, include="translated")
    (source_pdf, source_pages), source_s = timed(printing._pdf, job.source, cache)
    (target_pdf, target_pages), target_s = timed(printing._pdf, job.target, cache)
    images_s = timed(printing._pages, source_pdf, cache)[1] + timed(
        printing._pages, target_pdf, cache)[1]
    report, warm_s = timed(printing.check_now, job, cache)
    return {"export_docx_s": export_s, "source_pdf_s": source_s, "target_pdf_s": target_s,
            "page_images_s": images_s, "checks_warm_s": warm_s,
            "source_pages": source_pages, "target_pages": target_pages,
            "target_docx_kb": len(job.target.data) / 1024,
            "findings": len(report.findings)}


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    missing = pdf.missing_libreoffice() or pdf.missing_poppler()
    if missing:
        raise SystemExit(missing)
    tmp = Path(tempfile.mkdtemp())
    runs = [run_once(tmp, n) for n in range(args.repeat)]
    keys = [k for k in runs[0] if k.endswith("_s")]
    summary = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    summary.update({k: runs[0][k] for k in ("source_pages", "target_pages", "findings")})
    summary["target_docx_kb"] = round(runs[0]["target_docx_kb"], 1)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    summary["peak_child_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; median of {args.repeat} "
          "cold runs (fresh database and cache), seconds")
    for key, value in summary.items():
        print(f"  {key:>20}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
