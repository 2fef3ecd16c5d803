"""Translation-memory benchmark: tms's lookup against translate-toolkit's matcher.

Builds memories of generated sentences (realistic lengths, Zipf-distributed vocabulary) in a
real database, runs the same queries (edited copies of memory sentences, and new sentences)
through tms.services.memory.lookup and through translate-toolkit's matcher, and prints per
size: p50/p95 per query for each, the ratio, and recall against an exhaustive rapidfuzz
scan (the share of units scoring >= 75 that tms also returns).

    python benchmarks/memory_bench.py --sizes 10000 100000 1000000 --json out.json
    TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tms_bench \
        python benchmarks/memory_bench.py --sizes 100000
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import insert, text

from tms.models import MemoryUnit
from tms.orm import Base, make_engine
from tms.services import memory

SYLLABLES = [
    "ka", "ri", "mo", "te", "sa", "lu", "ne", "vi", "do", "ra", "pe", "li", "co", "ma",
    "ti", "ro", "se", "na", "gu", "fe", "bo", "da", "mi", "ze", "ho", "ja", "qu", "xe",
]


def make_vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    """Pseudo-words of 1-4 syllables; short ones first so the Zipf head is short words."""
    words = set()
    while len(words) < size:
        n = min(4, 1 + int(rng.expovariate(0.9)))
        words.add("".join(rng.choice(SYLLABLES) for _ in range(n)))
    return sorted(words, key=lambda w: (len(w), w))


def make_sentence(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    """A sentence of 4-60 words (mean ~18), as in legal and policy texts; weights are
    cumulative (Zipf)."""
    n = max(4, min(60, int(rng.gauss(18, 8))))
    # cumulative weights: with plain weights, choices() re-sums 20,000 of them per call
    words = rng.choices(vocab, cum_weights=weights, k=n)
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randrange(1, 2030)))
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", ";", "?"])


def edit_sentence(rng: random.Random, sentence: str, vocab: list[str]) -> str:
    """An edited copy: 1-3 word substitutions, insertions, deletions or typos."""
    words = sentence.split()
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        i = rng.randrange(len(words))
        if op < 0.35:
            words[i] = rng.choice(vocab)
        elif op < 0.6:
            words.insert(i, rng.choice(vocab))
        elif op < 0.8 and len(words) > 4:
            del words[i]
        else:
            w = words[i]
            j = rng.randrange(len(w))
            words[i] = w[:j] + rng.choice("aeiourst") + w[j + 1 :]
    return " ".join(words)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def current_rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build_memory(engine, sentences: list[str]) -> None:
    """Insert the sentences as memory units (en -> fr) in chunks."""
    now = memory.utcnow()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM memory_unit"))
    chunk = 20000
    for start in range(0, len(sentences), chunk):
        rows = []
        for i, s in enumerate(sentences[start : start + chunk], start):
            plain = memory.normalise(s)
            rows.append(
                {
                    "source_language": "en",
                    "target_language": "fr",
                    "source": s,
                    "target": f"FR {i}",
                    "source_plain": plain,
                    "source_hash": memory.source_hash(plain),
                    "source_length": len(plain),
                    "origin": "bench",
                    "approved": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(MemoryUnit), rows)


def run_tt(sentences: list[str], queries: list[str]) -> tuple[list[float], float]:
    """translate-toolkit's matcher over the same memory: per-query ms and build seconds."""
    from translate.search.match import matcher
    from translate.storage import base

    t0 = time.perf_counter()
    store = base.TranslationStore()
    for i, s in enumerate(sentences):
        unit = base.TranslationUnit(s)
        unit.target = f"FR {i}"
        store.units.append(unit)
    # max_length raised so real sentences can match at all (the default 70 ignores them).
    tm = matcher(store, max_candidates=5, min_similarity=75, max_length=1000)
    build = time.perf_counter() - t0
    times = []
    for q in queries:
        t = time.perf_counter()
        # its heapq compares units when two scores tie; the time still counts
        with contextlib.suppress(TypeError):
            tm.matches(q)
        times.append((time.perf_counter() - t) * 1000)
    return times, build


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--tt-queries", type=int, default=30)
    ap.add_argument("--tt-max-size", type=int, default=100000)
    ap.add_argument("--recall-queries", type=int, default=200)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    url = os.environ.get("TMS_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.mkdtemp()
        url = f"sqlite:///{tmp}/bench.sqlite3"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    from sqlalchemy.orm import Session

    rng = random.Random(args.seed)
    vocab = make_vocabulary(rng)
    weights = list(itertools.accumulate(1 / (r + 1) ** 1.05 for r in range(len(vocab))))
    results = []
    print(f"database: {engine.dialect.name}; machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; "
          "times in ms per lookup (wall; cpu = this process's CPU time); "
          "RSS = peak resident memory of the process so far; idx MB = what building the "
          "index added to it")
    header = (f"{'units':>9} {'tms p50':>8} {'tms p95':>8} {'cpu p95':>8} {'tt p50':>8} "
              f"{'tt p95':>8} {'ratio p50':>9} {'recall':>7} {'index s':>8} {'RSS MB':>7} "
              f"{'idx MB':>6} {'load':>5}")
    print(header)
    for size in args.sizes:
        unique = dict.fromkeys(make_sentence(rng, vocab, weights) for _ in range(size))
        while len(unique) < size:
            unique[make_sentence(rng, vocab, weights)] = None
        sentences = list(unique)
        qrng = random.Random(args.seed + size)
        edited = [edit_sentence(qrng, qrng.choice(sentences), vocab)
                  for _ in range(args.queries * 2 // 3)]
        new = [make_sentence(qrng, vocab, weights) for _ in range(args.queries - len(edited))]
        queries = edited + new
        qrng.shuffle(queries)
        build_memory(engine, sentences)
        memory.reset_indexes()
        with Session(engine) as session:
            rss0 = current_rss_mb()
            t0 = time.perf_counter()
            memory.lookup(session, "warm up", source_language="en", target_language="fr")
            index_s = time.perf_counter() - t0
            index_mb = current_rss_mb() - rss0
            times = []
            cpu_times = []  # CPU time of this process: what other load on the machine hides
            for q in queries:
                t, c = time.perf_counter(), time.process_time()
                memory.lookup(session, q, source_language="en", target_language="fr",
                              limit=5, threshold=60)
                times.append((time.perf_counter() - t) * 1000)
                cpu_times.append((time.process_time() - c) * 1000)
            # Recall: every unit >= 75 by an exhaustive scan, against what tms returns
            # when asked for all of them.
            found = wanted = 0
            missed: list[dict] = []
            plains = [memory.normalise(s) for s in sentences]
            for q in queries[: args.recall_queries]:
                qp = memory.normalise(q)
                exhaustive = {
                    plains[i]
                    for _, score, i in process.extract(qp, plains, scorer=fuzz.ratio,
                                                       score_cutoff=75, limit=None)
                    if score >= 75
                }
                got = {memory.normalise(m.source) for m in memory.lookup(
                    session, q, source_language="en", target_language="fr", limit=1000,
                    threshold=75)}
                wanted += len(exhaustive)
                found += len(exhaustive & got)
                missed.extend({"query": qp, "missed": sorted(exhaustive - got)}
                              for _ in [0] if exhaustive - got)
        recall = found / wanted if wanted else 1.0
        tt_times: list[float] = []
        if size <= args.tt_max_size:
            tt_times, _ = run_tt(sentences, queries[: args.tt_queries])
        row = {
            "units": size,
            "tms_p50_ms": round(statistics.median(times), 3),
            "tms_p95_ms": round(percentile(times, 95), 3),
            "tt_p50_ms": round(statistics.median(tt_times), 1) if tt_times else None,
            "tt_p95_ms": round(percentile(tt_times, 95), 1) if tt_times else None,
            "recall_at_75": round(recall, 4),
            "recall_pairs": wanted,
            "recall_misses": missed[:20],
            "tms_cpu_p50_ms": round(statistics.median(cpu_times), 3),
            "tms_cpu_p95_ms": round(percentile(cpu_times, 95), 3),
            "index_build_s": round(index_s, 2),
            "index_rss_mb": round(index_mb),
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "load_avg_1m": round(os.getloadavg()[0], 1),
            "queries": len(queries),
            "tt_queries": len(tt_times),
            "database": engine.dialect.name,
        }
        row["ratio_p50"] = (round(row["tt_p50_ms"] / row["tms_p50_ms"], 1)
                            if tt_times else None)
        results.append(row)
        tt50 = f"{row['tt_p50_ms']:8.1f}" if tt_times else f"{'-':>8}"
        tt95 = f"{row['tt_p95_ms']:8.1f}" if tt_times else f"{'-':>8}"
        ratio = f"{row['ratio_p50']:8.0f}x" if tt_times else f"{'-':>9}"
        print(f"{size:>9} {row['tms_p50_ms']:8.2f} {row['tms_p95_ms']:8.2f} "
              f"{row['tms_cpu_p95_ms']:8.2f} {tt50} {tt95} {ratio} {recall:7.4f} "
              f"{index_s:8.1f} {row['rss_mb']:>7} {row['index_rss_mb']:>6} "
              f"{row['load_avg_1m']:5.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "memory", "results": results}, indent=2))
    engine.dispose()


if __name__ == "__main__":
    main()
