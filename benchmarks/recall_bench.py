"""Recall benchmark: does tms's memory lookup return the best match, on real and pseudo text?

For each corpus and size it fills a real database (SQLite by default, `TMS_DATABASE_URL`
for another) with that many memory units, builds the index as a worker does
(`memory.warm`), and asks `tms.services.memory.lookup` (5 results, threshold 60, as the
editor does) for queries made by mutating memory sentences (word drops, word
substitutions, typos: realtext.mutate; the pseudo-language's own edits for `pseudo`).

* `real`: sentences collected from this machine by benchmarks/realtext.py, topped up to the
  size with deterministic edited copies (the `orig` column says how many are originals);
* `pseudo`: the generated pseudo-language of memory_bench.py.

For a sample of the queries (`--sample`) an exhaustive rapidfuzz scan of the whole memory
finds the best score any unit reaches (the brute-force exact scorer); a query counts as
found when the lookup's results include a unit with that score (`recall`). `src` is the
share of all queries whose original sentence is among the results. p50/p95 are per
lookup (wall and this process's CPU time).

    python benchmarks/recall_bench.py --corpus real pseudo --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realtext
from memory_bench import (
    build_memory,
    edit_sentence,
    make_sentence,
    make_vocabulary,
    percentile,
)

from tms.orm import Base, make_engine
from tms.services import memory

LIMIT = 5
THRESHOLD = 60


def pseudo_memory(size: int, seed: int) -> tuple[list[str], list[str]]:
    """size distinct pseudo-language sentences and the vocabulary."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    weights = list(itertools.accumulate(1 / (r + 1) ** 1.05 for r in range(len(vocab))))
    unique: dict[str, None] = {}
    while len(unique) < size:
        unique[make_sentence(rng, vocab, weights)] = None
    return list(unique), vocab


def make_queries(corpus: str, sentences: list[str], words: list[str], n: int,
                 seed: int) -> list[tuple[str, str]]:
    """(query, the sentence it was made from), deterministic."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        base = rng.choice(sentences)
        q = (realtext.mutate(rng, base, words) if corpus == "real"
             else edit_sentence(rng, base, words))
        if q and q != base:
            out.append((q, base))
    return out


def measure(engine, corpus: str, size: int, args: argparse.Namespace) -> dict:  # type: ignore[no-untyped-def]
    """Fill the memory, run the queries, return the figures."""
    if corpus == "real":
        sentences, originals = realtext.memory(size, seed=args.seed, cache=args.cache)
        words = realtext.vocabulary(sentences)
    else:
        sentences, words = pseudo_memory(size, args.seed)
        originals = size
    queries = make_queries(corpus, sentences, words, args.queries, args.seed + size)
    t0 = time.perf_counter()
    build_memory(engine, sentences)
    fill_s = time.perf_counter() - t0
    memory.reset_indexes()
    plains = [memory.normalise(s) for s in sentences]
    with Session(engine) as session:
        t0 = time.perf_counter()
        memory.warm(session)
        index_s = time.perf_counter() - t0
        wall: list[float] = []
        cpu: list[float] = []
        results: list[list[memory.Match]] = []
        for q, _ in queries:
            t, c = time.perf_counter(), time.process_time()
            results.append(memory.lookup(session, q, source_language="en",
                                         target_language="fr", limit=LIMIT,
                                         threshold=THRESHOLD))
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    src_found = sum(memory.normalise(base) in {m.source for m in got}
                    for (_, base), got in zip(queries, results, strict=True))
    found = asked = 0
    misses: list[dict] = []
    t0 = time.perf_counter()
    for (q, _base), got in list(zip(queries, results, strict=True))[: args.sample]:
        qp = memory.normalise(q)
        best = process.extractOne(qp, plains, scorer=fuzz.ratio, score_cutoff=THRESHOLD)
        if best is None:
            continue  # nothing reaches the threshold: nothing to find
        asked += 1
        best_score = best[1]
        if any(m.score >= int(best_score) for m in got):
            found += 1
        else:
            misses.append({"query": qp, "best": best[0], "best_score": round(best_score, 1),
                           "got": [(m.source, m.score) for m in got[:2]]})
    brute_s = time.perf_counter() - t0
    return {
        "corpus": corpus, "units": size, "originals": originals,
        "queries": len(queries), "sample": asked,
        "recall": round(found / asked, 4) if asked else 1.0,
        "source_in_results": round(src_found / len(queries), 4),
        "p50_ms": round(statistics.median(wall), 2), "p95_ms": round(percentile(wall, 95), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
        "fill_s": round(fill_s, 1), "index_s": round(index_s, 1),
        "brute_force_s_per_query": round(brute_s / max(1, min(args.sample, len(queries))), 3),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "misses": misses[:30],
    }


HEADER = (f"{'corpus':>6} {'units':>8} {'orig':>7} {'sample':>6} {'recall':>7} {'src':>6} "
          f"{'p50':>6} {'p95':>6} {'cpu p50':>7} {'cpu p95':>7} {'index s':>7} {'load':>5}")


def line(row: dict) -> str:
    """One printed row."""
    return (f"{row['corpus']:>6} {row['units']:>8} {row['originals']:>7} {row['sample']:>6} "
            f"{row['recall']:7.4f} {row['source_in_results']:6.3f} {row['p50_ms']:6.2f} "
            f"{row['p95_ms']:6.2f} {row['cpu_p50_ms']:7.2f} {row['cpu_p95_ms']:7.2f} "
            f"{row['index_s']:7.1f} {row['load_avg_1m']:5.1f}")


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=["real", "pseudo"],
                    choices=["real", "pseudo"])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000])
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--sample", type=int, default=200,
                    help="queries checked against the exhaustive scan")
    ap.add_argument("--cache", type=Path, help="folder of realtext's sentence cache")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    url = os.environ.get("TMS_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp()}/recall.sqlite3"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    print(f"database: {engine.dialect.name}; lookup limit {LIMIT}, threshold {THRESHOLD}; "
          "recall = share of sampled queries whose best unit (exhaustive scan) is returned; "
          "src = share whose original sentence is returned; times ms per lookup")
    print(HEADER)
    rows = []
    for size in args.sizes:
        for corpus in args.corpus:
            row = measure(engine, corpus, size, args)
            rows.append(row)
            print(line(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "recall", "results": rows}, indent=2))
    engine.dispose()


if __name__ == "__main__":
    main()
