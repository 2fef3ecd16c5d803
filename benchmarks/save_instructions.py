"""Instructions per save and per /healthz request, counted by valgrind's callgrind.

CPU time on a shared virtual machine varies by 20-30 % between runs; the number of
instructions executed does not (the same total twice, whatever else the machine does). The
script runs `save_profile.py --only save|healthz` under `valgrind --tool=callgrind` with N
and 2N requests; the difference of the two totals, divided by N, is what one request costs,
start-up, imports and set-up cancelling out.

    python benchmarks/save_instructions.py --n 150
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOTAL = re.compile(r"Collected : (\d+)")


def instructions(kind: str, n: int) -> int:
    """Instructions of one run of save_profile.py --only KIND with N requests."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "callgrind.out")
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             sys.executable, str(HERE / "save_profile.py"), "--only", kind, "--saves", str(n)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            check=False,
        )
        found = TOTAL.search(proc.stderr)
        if proc.returncode != 0 or not found:
            raise SystemExit(f"valgrind run failed ({kind}, {n}): {proc.stderr[-2000:]}")
        return int(found.group(1))


def main() -> None:
    """Count and print instructions per request."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=150)
    args = ap.parse_args()
    per: dict[str, float] = {}
    for kind in ("save", "healthz"):
        one, two = instructions(kind, args.n), instructions(kind, 2 * args.n)
        per[kind] = (two - one) / args.n
        print(f"{kind:>8}: {per[kind] / 1e6:8.2f} M instructions per request "
              f"({one:,} for {args.n}, {two:,} for {2 * args.n})", flush=True)
    print(f"healthz/save instructions: {per['healthz'] / per['save']:.2f}")


if __name__ == "__main__":
    main()
