"""pg_trgm against the in-process index: candidate retrieval for memory lookups on PostgreSQL.

For each corpus (see recall_bench.py) and size it fills the PostgreSQL database of
`TMS_DATABASE_URL` (required; a benchmark database, the schema is dropped), creates the
pg_trgm extension and a GIN index on memory_unit.source_plain (gin_trgm_ops), and runs the
same queries two ways:

* `tms`: `tms.services.memory.lookup` (the in-process index, then the database read of the
  matched units and exact rescoring);
* `trgm@S`: `SET pg_trgm.similarity_threshold = S`, then `WHERE source_plain % :q ORDER BY
  similarity(source_plain, :q) DESC LIMIT --trgm-candidates` through the GIN index, the
  candidates rescored exactly with rapidfuzz's ratio as tms does, the best 5 >= 60 kept.

Printed per method: p50/p95 wall ms per lookup (the database does the trigram work in its
own process, so wall time is the measure; the load column says how busy the machine was),
recall against the exhaustive scan as in recall_bench.py, the GIN build time and size.

    TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tms_scale \
        python benchmarks/trgm_bench.py --corpus real pseudo --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realtext
from memory_bench import build_memory, percentile
from recall_bench import LIMIT, THRESHOLD, make_queries, pseudo_memory

from tms.orm import Base, make_engine
from tms.services import memory


def trgm_lookup(conn, q: str, candidates: int) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """The best LIMIT (plain, score) for q from pg_trgm's candidates, rescored exactly."""
    rows = conn.execute(
        text("SELECT source_plain FROM memory_unit WHERE source_plain % :q "
             "ORDER BY similarity(source_plain, :q) DESC LIMIT :n"),
        {"q": q, "n": candidates},
    ).all()
    scored = process.extract(q, [r[0] for r in rows], scorer=fuzz.ratio,
                             score_cutoff=THRESHOLD, limit=LIMIT)
    return [(s, score) for s, score, _ in scored]


def recall(best: list[float | None], results: list[list[float]]) -> float:
    """Share of sampled queries whose best exhaustive score is among the results."""
    pairs = [(b, got) for b, got in zip(best, results, strict=False) if b is not None]
    ok = sum(any(s >= int(b) for s in got) for b, got in pairs)
    return ok / len(pairs) if pairs else 1.0


def main() -> None:
    """Run the comparison and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=["real", "pseudo"],
                    choices=["real", "pseudo"])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--trgm-thresholds", type=float, nargs="+", default=[0.3, 0.5])
    ap.add_argument("--trgm-candidates", type=int, default=200)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    url = os.environ.get("TMS_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("Set TMS_DATABASE_URL to a PostgreSQL benchmark database.")
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    print("database: postgresql; times ms per lookup (wall); recall as in recall_bench.py "
          f"(best unit of an exhaustive scan among the {LIMIT} results, threshold {THRESHOLD})")
    print(f"{'corpus':>6} {'units':>8} {'method':>9} {'p50':>7} {'p95':>7} {'recall':>7} "
          f"{'build s':>7} {'MB':>5} {'load':>5}")
    rows = []
    for size in args.sizes:
        for corpus in args.corpus:
            if corpus == "real":
                sentences, _ = realtext.memory(size, seed=args.seed, cache=args.cache)
                words = realtext.vocabulary(sentences)
            else:
                sentences, words = pseudo_memory(size, args.seed)
            queries = [memory.normalise(q) for q, _ in
                       make_queries(corpus, sentences, words, args.queries, args.seed + size)]
            with engine.begin() as conn:
                conn.execute(text("DROP INDEX IF EXISTS ix_bench_trgm"))
            build_memory(engine, sentences)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE memory_unit"))
            plains = [memory.normalise(s) for s in sentences]
            best = []
            for q in queries[: args.sample]:
                hit = process.extractOne(q, plains, scorer=fuzz.ratio, score_cutoff=THRESHOLD)
                best.append(hit[1] if hit else None)

            # the in-process index
            memory.reset_indexes()
            with Session(engine) as session:
                t0 = time.perf_counter()
                memory.warm(session)
                build = time.perf_counter() - t0
                wall, got = [], []
                for q in queries:
                    t = time.perf_counter()
                    found = memory.lookup(session, q, source_language="en",
                                          target_language="fr", limit=LIMIT,
                                          threshold=THRESHOLD)
                    wall.append((time.perf_counter() - t) * 1000)
                    got.append([float(m.score) for m in found])
            memory.reset_indexes()
            rows.append({"corpus": corpus, "units": size, "method": "tms",
                         "p50_ms": statistics.median(wall), "p95_ms": percentile(wall, 95),
                         "recall": recall(best, got), "build_s": build, "mb": None,
                         "load": os.getloadavg()[0]})
            print_row(rows[-1])
            # pg_trgm's GIN index
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("CREATE INDEX ix_bench_trgm ON memory_unit "
                                  "USING gin (source_plain gin_trgm_ops)"))
                conn.execute(text("ANALYZE memory_unit"))
            build = time.perf_counter() - t0
            with engine.connect() as conn:
                mb = conn.execute(text(
                    "SELECT pg_relation_size('ix_bench_trgm')")).scalar_one() / 2**20
                for limit in args.trgm_thresholds:
                    conn.execute(text(f"SET pg_trgm.similarity_threshold = {float(limit)}"))
                    trgm_lookup(conn, queries[0], args.trgm_candidates)  # warm the cache
                    wall, got = [], []
                    for q in queries:
                        t = time.perf_counter()
                        found_t = trgm_lookup(conn, q, args.trgm_candidates)
                        wall.append((time.perf_counter() - t) * 1000)
                        got.append([s for _, s in found_t])
                    rows.append({"corpus": corpus, "units": size, "method": f"trgm@{limit}",
                                 "p50_ms": statistics.median(wall),
                                 "p95_ms": percentile(wall, 95), "recall": recall(best, got),
                                 "build_s": build, "mb": mb, "load": os.getloadavg()[0]})
                    print_row(rows[-1])
                conn.rollback()
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "trgm", "results": rows}, indent=2))
    engine.dispose()


def print_row(row: dict) -> None:
    """One printed row."""
    mb = f"{row['mb']:5.0f}" if row["mb"] is not None else f"{'-':>5}"
    print(f"{row['corpus']:>6} {row['units']:>8} {row['method']:>9} {row['p50_ms']:7.2f} "
          f"{row['p95_ms']:7.2f} {row['recall']:7.4f} {row['build_s']:7.1f} {mb} "
          f"{row['load']:5.1f}", flush=True)


if __name__ == "__main__":
    main()
