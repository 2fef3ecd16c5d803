"""Issue 16's "Done when" list in one run: workers' memory, first lookup, recall, saves.

Runs the benchmark modules one after the other as subprocesses (so each starts clean) and
prints one summary:

* workers_bench.py (SQLite, index preloaded in gunicorn's master): per size and worker
  count, seconds until /readyz, the first lookup after the restart (max over clients) and
  RSS / private MB per worker;
* recall_bench.py (SQLite): recall against the exhaustive scan on the real-text and the
  pseudo-language memories, lookup p95 wall and CPU;
* saves_bench.py (tms serve, 50 clients): saves/s against /healthz/s in the same run
  (`share`), p95, errors and lost updates, on SQLite and, with --pg-url, PostgreSQL.

    python benchmarks/done_when.py --sizes 100000 1000000 --pg-url $PG --json done.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str, env: dict[str, str] | None = None) -> object:
    """Run one benchmark script with --json and return what it wrote."""
    out = Path(tempfile.mkdtemp()) / "out.json"
    cmd = [sys.executable, str(HERE / script), *args, "--json", str(out)]
    print("$ " + " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, env={**os.environ, **(env or {})})
    return json.loads(out.read_text())


def main() -> None:
    """Run everything and print the summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--recall-queries", type=int, default=300)
    ap.add_argument("--recall-sample", type=int, default=200)
    ap.add_argument("--pg-url", default="", help="PostgreSQL for the saves benchmark")
    ap.add_argument("--pg-workers", type=int, default=5)
    ap.add_argument("--saves", type=int, default=20, help="saves per client and phase")
    ap.add_argument("--skip", nargs="*", default=[], choices=["workers", "recall", "saves"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    sizes = [str(s) for s in args.sizes]
    found: dict[str, object] = {}
    if "workers" not in args.skip:
        found["workers"] = run("workers_bench.py", "--sizes", *sizes, "--modes", "preload",
                               "--workers", *map(str, args.workers))
    if "recall" not in args.skip:
        env = {k: v for k, v in os.environ.items() if k != "TMS_DATABASE_URL"}
        found["recall"] = run("recall_bench.py", "--sizes", *sizes,
                              "--queries", str(args.recall_queries),
                              "--sample", str(args.recall_sample), env=env)
    if "saves" not in args.skip:
        servers = ["sqlite", "postgresql"] if args.pg_url else ["sqlite"]
        extra = ["--pg-url", args.pg_url] if args.pg_url else []
        found["saves"] = run("saves_bench.py", "--servers", *servers, *extra,
                             "--workers", str(args.pg_workers), "--clients", "50",
                             "--saves", str(args.saves))
    print(f"\nissue 16, done when (load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")
    for row in found.get("workers", []):  # type: ignore[attr-defined]
        print(f"  RSS per worker, {row['units']:>8} units, {row['workers']} workers: "
              f"RSS {'/'.join(map(str, row['worker_rss_mb']))} MB, private "
              f"{'/'.join(map(str, row['worker_private_mb']))} MB; ready after "
              f"{row['ready_s']} s; first lookup after restart {row['first_lookup_ms_max']} ms")
    for row in found.get("recall", {}).get("results", []):  # type: ignore[attr-defined]
        print(f"  recall, {row['corpus']:>6} memory, {row['units']:>8} units: "
              f"{row['recall']:.4f} of {row['sample']} (p95 {row['p95_ms']} ms wall, "
              f"{row['cpu_p95_ms']} ms CPU)")
    for row in found.get("saves", {}).get("results", []):  # type: ignore[attr-defined]
        print(f"  saves/healthz, {row['server']:>10} ({row['workers']} workers, 50 clients): "
              f"{row['share_of_ceiling']} ({row['saves_per_s']} saves/s, "
              f"{row['healthz_per_s']} healthz/s; p95 {row['paced_p95_ms']} ms; "
              f"{row['errors']} errors, {row['lost_updates']} lost); server CPU "
              f"{row['server_cpu_ms_per_save']} ms per save, "
              f"{row['server_cpu_ms_per_healthz']} per /healthz: {row['cpu_share']}")
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
