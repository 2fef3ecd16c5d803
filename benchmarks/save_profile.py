"""Where a save's time goes: CPU and statements per save, in process, with a cProfile.

A Flask app on a fresh database (a SQLite file by default, `TMS_DATABASE_URL` for
another), a 50-segment document, one logged-in translator re-saving the segments in turn
through POST /api/segments/<id>/fr/save with CSRF on (as the editor does), each save with
the version the last answer gave. Prints the CPU time of this process per save (so other
load on the machine does not count), wall time, statements per save (an engine
`before_cursor_execute` listener, as tests/test_query_counts.py counts them) and, with
--profile, the top functions of a cProfile by cumulative and by own time. /healthz is
measured the same way for the ratio of their costs.

    python benchmarks/save_profile.py --saves 800 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.factories import PASSWORD, make_document, make_language, make_user
from tms import create_app
from tms.db import get_session
from tms.models import Segment
from tms.orm import Base

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def main() -> None:
    """Run the saves and print their cost."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saves", type=int, default=800)
    ap.add_argument("--segments", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternate saves and /healthz in this many rounds; the figures are "
                         "those of the least disturbed round (lowest CPU per save)")
    ap.add_argument("--profile", type=int, default=0, help="functions of the profile to print")
    ap.add_argument("--show", action="store_true", help="print the statements of one save")
    ap.add_argument("--only", choices=("save", "healthz"),
                    help="run just this many saves or /healthz requests and print nothing "
                         "(for save_instructions.py, which counts instructions under valgrind)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp()
    url = os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{tmp}/saves.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": True,
                      "EXPORTS_DIR": f"{tmp}/exports", "INSTANCE_DIR": f"{tmp}/instance"})
    engine = app.extensions["tms_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with app.app_context():
        session = get_session()
        make_language(session, "fr")
        make_user(session, "ana", roles={"fr": "translator"})
        make_document(session, "bench", sources=[f"Sentence {i} about the rights of workers."
                                                 for i in range(args.segments)])
        session.commit()
        seg_ids = [s.id for s in session.query(Segment).order_by(Segment.position)]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_INPUT.search(page)
    client.post("/login", data={"pseudonym": "ana", "password": PASSWORD,
                                "csrf_token": token.group(1) if token else ""})
    meta = CSRF_META.search(client.get("/translate/bench/fr").get_data(as_text=True))
    assert meta is not None, "the editor page carries no CSRF token"
    headers = {"X-CSRFToken": meta.group(1)}

    statements = [0]
    shown: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements[0] += 1
        if args.show and len(shown) < 40:
            shown.append(" ".join(statement.split())[:160])

    versions = dict.fromkeys(seg_ids, 0)

    def save(n: int) -> None:
        seg = seg_ids[n % len(seg_ids)]
        resp = client.post(f"/api/segments/{seg}/fr/save", headers=headers,
                           json={"target": f"Phrase {n} sur les droits des travailleuses.",
                                 "state": "translated", "base_version": versions[seg]})
        body = resp.get_json()
        if resp.status_code != 200 or body["status"] != "saved":
            raise SystemExit(f"save {n} answered {resp.status_code}: {body}")
        versions[seg] = body["version"]

    for n in range(len(seg_ids)):  # first saves create the rows; not measured
        save(n)

    def measure(work, n: int) -> dict:  # type: ignore[no-untyped-def]
        cpu, wall = [], []
        statements[0] = 0
        for i in range(n):
            c, t = time.process_time(), time.perf_counter()
            work(i)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
        return {"cpu_ms": round(sum(cpu) / n, 3), "cpu_p50_ms": round(statistics.median(cpu), 3),
                "wall_p50_ms": round(statistics.median(wall), 3),
                "statements": round(statements[0] / n, 2)}

    # As `tms serve` does after its warm-up: the collector then leaves the set-up's objects
    # alone, and a full collection's pass over them (tens of millions of instructions, at
    # moments that differ from run to run) does not land in the figures.
    gc.collect()
    gc.freeze()
    if args.only:
        for i in range(args.saves):
            if args.only == "save":
                save(len(seg_ids) + i)
            else:
                client.get("/healthz")
        return
    if args.show:
        save(len(seg_ids))
        shown.clear()
        statements[0] = 0
        save(len(seg_ids) + 1)
        print("statements of one save:", *shown, sep="\n  ")
    # A virtual machine's CPU time per call varies by 20-30 % from minute to minute (other
    # tenants, frequency): alternating short rounds of both and keeping the quietest round
    # compares a save and /healthz under the same conditions.
    per_round = max(1, args.saves // args.rounds)
    rounds = []
    done = len(seg_ids)
    for _ in range(args.rounds):
        saves_r = measure(lambda i, base=done: save(base + i), per_round)
        done += per_round
        rounds.append((saves_r, measure(lambda i: client.get("/healthz"), per_round)))
    saves, health = min(rounds, key=lambda r: r[0]["cpu_ms"])
    print("CPU ms per save in each round:", *(r[0]["cpu_ms"] for r in rounds))
    print(f"database: {engine.dialect.name}; {args.rounds} rounds of {per_round} saves; load "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'':>8} {'CPU ms':>7} {'cpu p50':>7} {'wall p50':>8} {'statements':>10}")
    for name, row in (("save", saves), ("healthz", health)):
        print(f"{name:>8} {row['cpu_ms']:7.3f} {row['cpu_p50_ms']:7.3f} "
              f"{row['wall_p50_ms']:8.3f} {row['statements']:10.2f}")
    print(f"healthz/save CPU ratio: {health['cpu_ms'] / saves['cpu_ms']:.2f}")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(200):
            save(done + i)
        prof.disable()
        if os.environ.get("SAVE_PROFILE_DUMP"):
            prof.dump_stats(os.environ["SAVE_PROFILE_DUMP"])
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.profile)
            print(out.getvalue())
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "save_profile", "save": saves,
                                         "healthz": health}, indent=2))


if __name__ == "__main__":
    main()
