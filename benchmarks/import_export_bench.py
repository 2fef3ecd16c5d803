"""Import and export benchmark: big DOCX import, DOCX export, every format, `tms export --all`.

1. Generates DOCX files with python-docx (paragraphs of own sentences, headings, bold and
   italic runs, a table) of 5,000 and 50,000 words and imports them with
   tms.services.importing.import_document (timed, commit included).
2. Fills every segment with an approved translation in 30 languages (bulk inserts).
3. Exports the 5,000-word document to DOCX (p50 of several runs), and the longer project
   sample (source_docs/sample-manifesto.docx) to every format.
4. Drops the 50,000-word document and runs `tms export --all` (a subprocess, start-up
   included) for the 2 remaining documents x 30 languages x every format.

    python benchmarks/import_export_bench.py --json io.json
    TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tms_perf \
        python benchmarks/import_export_bench.py
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
from sqlalchemy import delete, insert, select, text

from tms import create_app
from tms.db import get_session
from tms.models import Document, Language, Segment, State, Translation
from tms.orm import Base
from tms.services import importing
from tms.services.exporting import FORMATS, export_document

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source_docs" / "sample-manifesto.docx"
WORDS = (
    "rights", "workers", "health", "safety", "police", "law", "housing", "migrant", "violence",
    "justice", "labour", "freedom", "privacy", "union", "protection", "access", "services",
    "support", "community", "decision", "criminal", "evidence", "respect", "dignity", "network",
    "income", "stigma", "the", "of", "and", "to", "in", "a", "for", "with",
)


def sentence(rng: random.Random) -> str:
    """One sentence of 8-30 of our own words."""
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."


def make_docx(words: int, seed: int) -> bytes:
    """A DOCX of about `words` words: headings, paragraphs with bold/italic runs, a table."""
    rng = random.Random(seed)
    document = docx.Document()
    count = 0
    section = 0
    while count < words:
        if count // 1000 >= section:
            section += 1
            document.add_heading(f"Section {section}: {sentence(rng)[:40]}", level=2)
        para = document.add_paragraph()
        for _ in range(rng.randint(2, 6)):
            text_ = sentence(rng) + " "
            run = para.add_run(text_)
            run.bold = rng.random() < 0.1
            run.italic = rng.random() < 0.05
            count += len(text_.split())
    table = document.add_table(rows=3, cols=3)
    for row in table.rows:
        for cell in row.cells:
            cell.text = sentence(rng)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def fill(session, document_id: int, languages: list[Language]) -> None:  # type: ignore[no-untyped-def]
    """An approved translation of every segment in every language."""
    segments = session.execute(select(Segment.id, Segment.source)
                               .where(Segment.document_id == document_id)).all()
    session.execute(insert(Translation), [
        {"segment_id": s.id, "language_id": lang.id, "target": s.source,
         "state": int(State.APPROVED), "version": 1}
        for lang in languages for s in segments])


def timed(fn):  # type: ignore[no-untyped-def]
    """(seconds, result) of one call."""
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--languages", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{tmp}/io.db"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_DIR": tmp,
                      "EXPORTS_DIR": tmp})
    engine = app.extensions["tms_engine"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    rows: list[dict] = []

    def record(what: str, seconds: float, target: float | None = None, **extra) -> None:  # type: ignore[no-untyped-def]
        row = {"measure": what, "seconds": round(seconds, 3), "target_s": target, **extra}
        rows.append(row)
        ok = "" if target is None else ("met" if seconds <= target else "MISSED")
        detail = " ".join(f"{k}={v}" for k, v in extra.items())
        print(f"{what:<42} {seconds:9.3f} {'' if target is None else target:>7} {ok:>6}  "
              f"{detail}", flush=True)

    print(f"database: {engine.dialect.name}")
    print(f"{'measure':<42} {'seconds':>9} {'target':>7} {'':>6}  detail")
    with app.app_context():
        session = get_session()
        languages = [Language(code=f"x{i:02d}" if i else "fr", name=f"L{i}", native_name=f"L{i}",
                              direction="ltr") for i in range(args.languages)]
        session.add_all(languages)
        session.commit()
        big = make_docx(50_000, 1)
        small = make_docx(5_000, 2)

        def do_import(data: bytes, slug: str, filename: str):  # type: ignore[no-untyped-def]
            report = importing.import_document(session, filename=filename, data=data, slug=slug)
            session.commit()
            return report

        seconds, _ = timed(lambda: do_import(big, "big", "big.docx"))
        big_id = session.scalar(select(Document.id).where(Document.slug == "big"))
        nseg = session.scalar(select(text("count(*)")).select_from(Segment)
                              .where(Segment.document_id == big_id))
        record("import 50,000-word DOCX", seconds, 5.0, segments=nseg, bytes=len(big))
        seconds, _ = timed(lambda: do_import(small, "small", "small.docx"))
        record("import 5,000-word DOCX", seconds)
        seconds, _ = timed(lambda: do_import(SAMPLE.read_bytes(), "manifesto",
                                             SAMPLE.name))
        record(f"import {SAMPLE.name}", seconds)
        docs = {d.slug: d for d in session.scalars(select(Document))}
        for slug in ("small", "manifesto"):
            fill(session, docs[slug].id, languages)
        session.commit()
        fr = languages[0]
        times = []
        for _ in range(args.repeat):
            seconds, result = timed(lambda: export_document(session, docs["small"], fr, "docx"))
            session.rollback()
            times.append(seconds)
        record("export 5,000-word DOCX (p50)", statistics.median(times), 0.3,
               bytes=len(result.data))
        for fmt in FORMATS:
            times = []
            for _ in range(args.repeat):
                seconds, result = timed(
                    lambda fmt=fmt: export_document(session, docs["manifesto"], fr, fmt))
                session.rollback()
                times.append(seconds)
            record(f"export manifesto {fmt} (p50)", statistics.median(times),
                   bytes=len(result.data))
        session.execute(delete(Document).where(Document.id == big_id))
        session.commit()
    engine.dispose()
    out = Path(tmp) / "all"
    tms = shutil.which("tms", path=str(Path(sys.executable).parent)) or "tms"
    env = dict(os.environ, TMS_DATABASE_URL=url, TMS_INSTANCE_DIR=tmp, TMS_EXPORTS_DIR=tmp)
    seconds, proc = timed(lambda: subprocess.run([tms, "export", "--all", "--out", str(out)],
                                                 env=env, capture_output=True, text=True))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    record(f"tms export --all (2 docs x {args.languages} langs)", seconds, files=files,
           exit=proc.returncode)
    if proc.returncode:
        print(proc.stderr[-2000:])
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "import_export",
                                         "database": engine.dialect.name, "results": rows},
                                        indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
