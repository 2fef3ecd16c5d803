"""Workers benchmark: what each gunicorn worker costs with the memory index shared or not.

For each memory size and worker count it fills a fresh SQLite database with that many
memory units (the generated pseudo-language of memory_bench.py) and a 40-segment document
whose sources are edited memory sentences, starts `tms serve --workers N` with the index
built once in the master (preload, the default) or in every worker (TMS_PRELOAD=0), and
prints: seconds from start until /readyz answers 200 on every probe (the build the first
volunteer no longer waits for), the first memory lookup's latency (the editor's panel
request of each logged-in client, two per worker), then, after each client has made
--lookups more panel requests, per process from
/proc/PID/smaps_rollup: the master's RSS and, per worker, RSS, PSS (shared pages split
between the processes that map them) and private memory (what that worker alone holds:
what one more worker costs).

    python benchmarks/workers_bench.py --sizes 100000 1000000 --workers 1 4 --json w.json
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

from sqlalchemy import text, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory_bench import build_memory, edit_sentence, make_sentence, make_vocabulary
from saves_bench import Client, free_port, prepare, start_server

from tms.models import Segment
from tms.orm import make_engine

SEGMENTS = 40


def smaps(pid: int) -> dict[str, float]:
    """RSS, PSS and private memory of one process, in MB."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {"rss": values.get("Rss", 0.0), "pss": values.get("Pss", 0.0),
            "private": values.get("Private_Clean", 0.0) + values.get("Private_Dirty", 0.0)}


def children(pid: int) -> list[int]:
    """The child processes of pid (gunicorn's workers)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def fill(url: str, size: int, seed: int) -> None:
    """A fresh database: one document, translators, `size` memory units (en -> fr)."""
    prepare(url, clients=8, segments=SEGMENTS)
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    weights = list(itertools.accumulate(1 / (r + 1) ** 1.05 for r in range(len(vocab))))
    sentences = list(dict.fromkeys(make_sentence(rng, vocab, weights) for _ in range(size)))
    engine = make_engine(url)
    build_memory(engine, sentences)
    with engine.begin() as conn:
        ids = list(conn.scalars(text("SELECT id FROM segment ORDER BY position")))
        for seg_id in ids:
            conn.execute(update(Segment).where(Segment.id == seg_id).values(
                source=edit_sentence(rng, rng.choice(sentences), vocab)))
    engine.dispose()


def run(url: str, instance: str, workers: int, preload: bool,
        lookups: int) -> dict[str, object]:
    """One server start: readiness time, first lookups, memory per process."""
    port = free_port()
    os.environ["TMS_PRELOAD"] = "1" if preload else "0"
    started = time.monotonic()
    proc = start_server(url, port, workers, instance, wait=900)
    try:
        probe = Client(port)
        ready_s = None
        while time.monotonic() - started < 600:
            # a fresh connection each time, so the probes reach different workers
            probe.conn.close()
            if all(probe.request("GET", "/readyz")[0] == 200 for _ in range(workers * 2)):
                ready_s = time.monotonic() - started
                break
            time.sleep(0.2)
        first_ms: list[float] = []
        for i in range(max(workers * 2, 2)):
            client = Client(port)
            client.login(f"c{i}")
            t0 = time.perf_counter()
            status, _ = client.request("GET", f"/api/segments/{i + 1}/fr/panel")
            first_ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"panel answered {status}")
            for n in range(lookups):  # then the use a volunteer makes of it
                client.request("GET", f"/api/segments/{(i + n) % SEGMENTS + 1}/fr/panel")
        master = smaps(proc.pid)
        per_worker = [smaps(pid) for pid in children(proc.pid)]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {
        "workers": workers, "preload": preload,
        "ready_s": round(ready_s, 1) if ready_s is not None else None,
        "first_lookup_ms_max": round(max(first_ms), 1),
        "first_lookup_ms_median": round(statistics.median(first_ms), 1),
        "master_rss_mb": round(master["rss"]),
        "worker_rss_mb": [round(w["rss"]) for w in per_worker],
        "worker_pss_mb": [round(w["pss"]) for w in per_worker],
        "worker_private_mb": [round(w["private"]) for w in per_worker],
    }


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--modes", nargs="+", default=["preload", "per-worker"],
                    choices=["preload", "per-worker"])
    ap.add_argument("--lookups", type=int, default=40,
                    help="panel requests per client after its first, before memory is read")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/workers.sqlite3"
    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; SQLite at {url}")
    print(f"{'units':>8} {'mode':>10} {'workers':>7} {'ready s':>7} {'1st ms':>7} "
          f"{'master':>6}  per worker: RSS / PSS / private MB")
    rows = []
    for size in args.sizes:
        fill(url, size, args.seed)
        for mode, workers in itertools.product(args.modes, args.workers):
            row = {"units": size, **run(url, tmp, workers, mode == "preload", args.lookups)}
            rows.append(row)
            cells = ", ".join(f"{r}/{p}/{v}" for r, p, v in zip(
                row["worker_rss_mb"], row["worker_pss_mb"], row["worker_private_mb"],
                strict=True))
            print(f"{size:>8} {mode:>10} {workers:>7} {row['ready_s']!s:>7} "
                  f"{row['first_lookup_ms_max']:>7} {row['master_rss_mb']:>6}  {cells}",
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
