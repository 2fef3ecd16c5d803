"""Editor page benchmark: server time and bytes for a 500-segment document, 30 languages.

Generates a document of N segments (one block each) and 30 target languages with a
translation of every segment in every language (bulk inserts, states mixed), then requests
the editor page through the Flask test client (server time only: no network) and prints
p50/p95 in ms and the bytes sent (and gzip-compressed bytes, what a proxy would send).

    python benchmarks/editor_bench.py --json editor.json
    TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tms_perf \
        python benchmarks/editor_bench.py
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from tms import create_app
from tms.db import get_session
from tms.models import (
    Block,
    Document,
    DocumentVersion,
    Language,
    Membership,
    Segment,
    State,
    Translation,
    User,
)
from tms.orm import Base

PASSWORD = "benchmark password 123"  # noqa: S105 (a throw-away database)
WORDS = (
    "rights", "workers", "health", "safety", "police", "law", "housing", "migrant", "violence",
    "justice", "labour", "freedom", "privacy", "union", "protection", "access", "services",
    "support", "community", "decision", "criminal", "evidence", "respect", "dignity", "network",
    "income", "stigma",
)
STATES = [State.APPROVED, State.TRANSLATED, State.DRAFT, State.UNTRANSLATED, State.NEEDS_WORK]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def populate(session, segments: int, languages: int, rng: random.Random,  # type: ignore[no-untyped-def]
             documents: int = 1) -> None:
    """`documents` documents ("bench", "bench2", ...) of `segments` segments each, and
    `languages` languages (the first is "fr"), with translations in mixed states."""
    langs = [Language(code=f"l{i:02d}" if i else "fr", name=f"Lang {i}", native_name=f"L{i}",
                      direction="ltr") for i in range(languages)]
    session.add_all(langs)
    user = User(pseudonym="bench", password_hash=generate_password_hash(PASSWORD),
                is_admin=True, is_publisher=True)
    session.add(user)
    session.flush()
    session.add_all(Membership(user_id=user.id, language_id=lang.id, role="reviewer")
                    for lang in langs)
    for d in range(documents):
        _document(session, f"bench{d + 1}" if d else "bench", segments, langs, user, rng)
    session.commit()


def _document(session, slug: str, segments: int, langs: list, user, rng) -> None:  # type: ignore[no-untyped-def]
    doc = Document(slug=slug, title=f"Benchmark document {slug}")
    session.add(doc)
    session.flush()
    version = DocumentVersion(document_id=doc.id, number=1, filename="bench.txt", format="text",
                              data=b"", sha256="0" * 64)
    session.add(version)
    session.flush()
    sources = []
    for _ in range(segments):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 30))]
        sources.append(" ".join(words).capitalize() + ".")
    session.execute(insert(Block), [
        {"version_id": version.id, "position": i, "type": "paragraph", "locator": f"p{i}",
         "source": src, "tags": {}} for i, src in enumerate(sources)])
    block_ids = [r[0] for r in session.execute(
        text("SELECT id FROM block WHERE version_id = :v ORDER BY position"), {"v": version.id})]
    session.execute(insert(Segment), [
        {"document_id": doc.id, "block_id": block_ids[i], "position": i,
         "key": hashlib.sha256(src.encode()).hexdigest()[:16] + "-0", "source": src,
         "word_count": len(src.split())} for i, src in enumerate(sources)])
    seg_ids = [r[0] for r in session.execute(
        text("SELECT id FROM segment WHERE document_id = :d ORDER BY position"),
        {"d": doc.id})]
    rows = []
    for lang in langs:
        for i, seg_id in enumerate(seg_ids):
            state = STATES[(i + lang.id) % len(STATES)]
            if state == State.UNTRANSLATED:
                continue
            rows.append({"segment_id": seg_id, "language_id": lang.id, "state": int(state),
                         "target": f"[{lang.code}] {sources[i]}", "version": 1,
                         "translator_id": user.id})
    session.execute(insert(Translation), rows)


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, default=500)
    ap.add_argument("--languages", type=int, default=30)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    url = os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/editor.db"
    tmp = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_DIR": tmp, "EXPORTS_DIR": tmp})
    engine = app.extensions["tms_engine"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    with app.app_context():
        populate(get_session(), args.segments, args.languages, random.Random(1))
    client = app.test_client()
    client.post("/login", data={"pseudonym": "bench", "password": PASSWORD})
    page = "/translate/bench/fr"
    for _ in range(3):  # warm up: templates compiled, memory index built
        response = client.get(page)
        assert response.status_code == 200, response.status_code
    times = []
    cpu = []  # this process's CPU time: what the page costs, whatever else the machine runs
    for _ in range(args.requests):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(page)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    body = response.get_data()
    row = {
        "database": engine.dialect.name, "segments": args.segments,
        "languages": args.languages, "requests": args.requests,
        "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
        "cpu_p50_ms": round(percentile(cpu, 50), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
        "bytes": len(body), "gzip_bytes": len(gzip.compress(body)),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }
    print(f"{'database':>10} {'segments':>8} {'langs':>5} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'cpu p50':>7} {'cpu p95':>7} {'bytes':>9} {'gzip':>8} {'load':>5}")
    print(f"{row['database']:>10} {row['segments']:>8} {row['languages']:>5} "
          f"{row['p50_ms']:7.1f} {row['p95_ms']:7.1f} {row['cpu_p50_ms']:7.1f} "
          f"{row['cpu_p95_ms']:7.1f} {row['bytes']:>9} {row['gzip_bytes']:>8} "
          f"{row['load_avg_1m']:5.1f}")
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "editor", "results": [row]}, indent=2))
    engine.dispose()


if __name__ == "__main__":
    main()
