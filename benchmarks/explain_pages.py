"""Query plans of the pages' queries: which of them scan a whole table.

Populates the editor benchmark's database (a 500-segment document, 30 languages, every
segment translated, states mixed), requests the dashboard, editor, review queue and publish
page through the Flask test client, captures every SELECT they send, runs EXPLAIN on each
(PostgreSQL; EXPLAIN QUERY PLAN on SQLite) and prints the plans that read a whole table
of the big ones (translation, segment, block, revision, memory_unit). ANALYZE runs first so
PostgreSQL's planner knows the table sizes.

    TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tms_perf \
        python benchmarks/explain_pages.py --json plans.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tempfile
from pathlib import Path

from sqlalchemy import event, text

from tms import create_app
from tms.db import get_session
from tms.orm import Base

try:
    from editor_bench import PASSWORD, populate
except ImportError:  # run as a module from the repository root
    from benchmarks.editor_bench import PASSWORD, populate

BIG = ("translation", "segment", "block", "revision", "memory_unit", "suggestion", "comment")
PAGES = {"dashboard": "/", "editor": "/translate/bench/fr", "review queue": "/review/fr",
         "publish page": "/publish/bench"}


def full_scans(plan: str, dialect: str) -> list[str]:
    """Names of big tables the plan reads in full."""
    if dialect == "postgresql":
        found = re.findall(r"Seq Scan on (\w+)", plan)
    else:
        found = [m for m in re.findall(r"SCAN (\w+)(?! USING)", plan)]
        found = [t for t in found if f"SCAN {t} USING" not in plan]
    return sorted({t for t in found if t in BIG})


def main() -> None:
    """Populate, request each page, EXPLAIN its statements, print the full scans."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, default=500)
    ap.add_argument("--languages", type=int, default=30)
    ap.add_argument("--documents", type=int, default=10,
                    help="documents (more make the filters selective, as in real use)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    url = os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/plans.db"
    tmp = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_DIR": tmp, "EXPORTS_DIR": tmp})
    engine = app.extensions["tms_engine"]
    dialect = engine.dialect.name
    with engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    with app.app_context():
        populate(get_session(), args.segments, args.languages, random.Random(1),
                 documents=args.documents)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    client = app.test_client()
    client.post("/login", data={"pseudonym": "bench", "password": PASSWORD})
    report = []
    captured: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    for name, url_ in PAGES.items():
        client.get(url_)
        captured.clear()
        event.listen(engine, "before_cursor_execute", before)
        status = client.get(url_).status_code
        event.remove(engine, "before_cursor_execute", before)
        scans = 0
        with engine.connect() as conn:
            for statement, parameters in captured:
                prefix = "EXPLAIN " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
                rows = conn.exec_driver_sql(prefix + statement, parameters).all()  # type: ignore[arg-type]
                plan = "\n".join(" ".join(str(c) for c in r) for r in rows)
                tables = full_scans(plan, dialect)
                if tables:
                    scans += 1
                    report.append({"page": name, "tables": tables,
                                   "statement": " ".join(statement.split())[:400], "plan": plan})
                    print(f"--- {name}: full scan of {', '.join(tables)}")
                    print("   ", " ".join(statement.split())[:300])
                    print("   ", plan.replace("\n", "\n    "))
        print(f"{name}: HTTP {status}, {len(captured)} SELECTs, {scans} with a full scan "
              "of a big table", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "plans", "database": dialect,
                                         "full_scans": report}, indent=2))
    engine.dispose()


if __name__ == "__main__":
    main()
