"""Concurrent saves benchmark: 50 clients saving translations through the JSON API.

For each server it prepares a fresh database (a 500-segment document, one translator
account per client), starts `tms serve` on 127.0.0.1 (gunicorn: N workers on PostgreSQL,
the single-process default on SQLite), lets every client log in through the real form and
read its CSRF token from the editor page, then has all clients save translations
(POST /api/segments/<id>/<lang>/save with X-CSRFToken; each client saves mostly its own
segments and, one save in ten, one of a pool every client edits, so some saves conflict, as
when two volunteers edit the same sentence) in two phases: paced
(each client thinks --think seconds on average between saves, as 50 volunteers working at
once do: p50/p95 of these are the latency figures) and burst (every client saves again as
soon as it has an answer: the throughput, and the latency under saturation). It prints
those, saves per second, errors (non-200 answers or broken connections), conflicts, and
lost updates: every acknowledged save must be found afterwards as the current text or in
the revisions (a conflict keeps the loser's text as a revision). In the same run, the same
clients hammer /healthz for the same number of requests: the ceiling a trivial endpoint
reaches on this machine.

    python benchmarks/saves_bench.py --json saves.json
    python benchmarks/saves_bench.py --servers postgresql \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/tms_perf --workers 5

Loopback only; bounded by --saves per client and --timeout seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert, select, text
from werkzeug.security import generate_password_hash

from tms.models import (
    Block,
    Document,
    DocumentVersion,
    Language,
    Membership,
    Revision,
    Segment,
    Translation,
    User,
)
from tms.orm import Base, make_engine

PASSWORD = "benchmark password 123"  # noqa: S105 (a throw-away database)
HOST = "127.0.0.1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def prepare(url: str, clients: int, segments: int) -> list[int]:
    """A fresh schema, one document, one translator per client; returns segment ids."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    pw = generate_password_hash(PASSWORD)
    with engine.begin() as conn:
        lang_id = conn.execute(insert(Language).returning(Language.id), [
            {"code": "fr", "name": "French", "native_name": "français", "direction": "ltr"}
        ]).scalar_one()
        conn.execute(insert(User), [{"pseudonym": f"c{i}", "password_hash": pw}
                                    for i in range(clients)])
        user_ids = list(conn.scalars(select(User.id)))
        conn.execute(insert(Membership), [{"user_id": u, "language_id": lang_id,
                                           "role": "translator"} for u in user_ids])
        doc_id = conn.execute(insert(Document).returning(Document.id), [
            {"slug": "bench", "title": "Bench"}]).scalar_one()
        ver_id = conn.execute(insert(DocumentVersion).returning(DocumentVersion.id), [
            {"document_id": doc_id, "number": 1, "filename": "b.txt", "format": "text",
             "data": b"", "sha256": "0" * 64}]).scalar_one()
        conn.execute(insert(Block), [
            {"version_id": ver_id, "position": i, "type": "paragraph", "locator": f"p{i}",
             "source": f"Sentence {i} about the rights of workers.", "tags": {}}
            for i in range(segments)])
        blocks = list(conn.scalars(select(Block.id).where(Block.version_id == ver_id)
                                   .order_by(Block.position)))
        conn.execute(insert(Segment), [
            {"document_id": doc_id, "block_id": b, "position": i, "key": f"k{i}-0",
             "source": f"Sentence {i} about the rights of workers.", "word_count": 7}
            for i, b in enumerate(blocks)])
        seg_ids = list(conn.scalars(select(Segment.id).order_by(Segment.position)))
    engine.dispose()
    return seg_ids


class Client:
    """One browser: a cookie jar, a CSRF token and a keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One request; cookies sent and kept."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed a kept-alive connection: reconnect
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, data

    def login(self, pseudonym: str) -> None:
        """Log in through the form, then read the CSRF token the editor page carries."""
        status, page = self.request("GET", "/login")
        token = CSRF_INPUT.search(page.decode())
        form = {"pseudonym": pseudonym, "password": PASSWORD,
                "csrf_token": token.group(1) if token else ""}
        status, _ = self.request("POST", "/login", urlencode(form).encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login of {pseudonym} answered {status}")
        status, page = self.request("GET", "/translate/bench/fr")
        match = CSRF_META.search(page.decode())
        if status != 200 or not match:
            raise RuntimeError(f"editor page answered {status}")
        self.csrf = match.group(1)


def start_server(url: str, port: int, workers: int, instance: str,
                 wait: float = 60) -> subprocess.Popen:
    """`tms serve` in a subprocess; waits (up to `wait` seconds) until /healthz answers."""
    tms = shutil.which("tms", path=str(Path(sys.executable).parent)) or "tms"
    env = dict(os.environ, TMS_DATABASE_URL=url, TMS_SECRET_KEY="bench-secret",  # noqa: S106
               TMS_INSTANCE_DIR=instance, TMS_EXPORTS_DIR=instance)
    # stderr to a file: an unread pipe that fills up would block the server
    log = open(Path(instance) / "server.log", "wb")  # noqa: SIM115 (open while it runs)
    proc = subprocess.Popen([tms, "serve", "--host", HOST, "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("the server did not start: "
                       + (Path(instance) / "server.log").read_text(errors="replace")[-2000:])


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server: the gunicorn master, its workers and, on
    PostgreSQL, every postgres process of the machine (the database works for the saves
    too). Read from /proc, so other load on the machine is not counted."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = {pid}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids |= {int(c) for c in (task / "children").read_text().split()}
    except OSError:
        pass
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.add(int(entry.name))
            except OSError:
                continue
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run_phase(clients: list[Client], work, timeout: float) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    """Run work(i, client) in one thread per client; returns wall seconds and results."""
    results: list = [None] * len(clients)
    start = threading.Barrier(len(clients) + 1)

    def body(i: int) -> None:
        start.wait()
        results[i] = work(i, clients[i])

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(len(clients))]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(max(0.1, timeout - (time.perf_counter() - t0)))
    return time.perf_counter() - t0, results


def bench_server(name: str, url: str, workers: int, args: argparse.Namespace) -> dict:
    """Prepare, start, log in, save concurrently, check, measure the ceiling; one row."""
    seg_ids = prepare(url, args.clients, args.segments)
    pool = seg_ids[: args.pool]
    instance = tempfile.mkdtemp()
    port = free_port()
    proc = start_server(url, port, workers, instance)
    try:
        clients = [Client(port) for _ in range(args.clients)]
        for i, c in enumerate(clients):
            c.login(f"c{i}")

        seen_by_client: list[dict[int, int]] = [{} for _ in clients]

        def saves(i: int, client: Client, think: float, phase: str) -> dict:
            rng = random.Random(f"{i}-{phase}")
            seen = seen_by_client[i]
            out = {"times": [], "errors": 0, "conflicts": 0, "acked": []}
            own = seg_ids[len(pool) + i * args.own: len(pool) + (i + 1) * args.own]
            for n in range(args.saves):
                if think:
                    time.sleep(rng.expovariate(1 / think))
                # mostly the client's own segments; sometimes one every client may edit
                seg = rng.choice(pool) if rng.random() < args.shared or not own else rng.choice(own)
                target = f"client {i} {phase} save {n} segment {seg}"
                body = json.dumps({"target": target, "state": "translated",
                                   "base_version": seen.get(seg, 0)}).encode()
                t = time.perf_counter()
                try:
                    status, data = client.request(
                        "POST", f"/api/segments/{seg}/fr/save", body,
                        {"Content-Type": "application/json", "X-CSRFToken": client.csrf})
                except OSError:
                    out["errors"] += 1
                    continue
                out["times"].append((time.perf_counter() - t) * 1000)
                if status != 200:
                    out["errors"] += 1
                    continue
                answer = json.loads(data)
                seen[seg] = answer["version"]
                if answer["status"] == "conflict":
                    out["conflicts"] += 1
                out["acked"].append((seg, target))
            return out

        # Paced: each client thinks (exponential, mean --think s) between saves, as 50
        # volunteers translating at once do; its latencies are the ones the target is about.
        _, paced = run_phase(clients, lambda i, c: saves(i, c, args.think, "paced"),
                             args.timeout)
        # Closed loop: every client saves again as soon as it has an answer; the throughput.
        cpu0 = server_cpu(proc.pid)
        wall, results = run_phase(clients, lambda i, c: saves(i, c, 0.0, "burst"),
                                  args.timeout)
        save_cpu = server_cpu(proc.pid) - cpu0
        done = [r for r in results if r is not None]
        paced_done = [r for r in paced if r is not None]
        paced_times = [t for r in paced_done for t in r["times"]]
        times = [t for r in done for t in r["times"]]
        errors = (sum(r["errors"] for r in done + paced_done)
                  + (2 * len(results) - len(done) - len(paced_done)) * args.saves)
        conflicts = sum(r["conflicts"] for r in done + paced_done)
        acked = [a for r in done + paced_done for a in r["acked"]]

        def ceiling(i: int, client: Client) -> list[float]:
            times = []
            for _ in range(args.saves):
                t = time.perf_counter()
                client.request("GET", "/healthz")
                times.append((time.perf_counter() - t) * 1000)
            return times

        cpu0 = server_cpu(proc.pid)
        ceiling_wall, ceiling_results = run_phase(clients, ceiling, args.timeout)
        healthz_cpu = server_cpu(proc.pid) - cpu0
        ceiling_times = [t for r in ceiling_results if r for t in r]
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    lost = count_lost(url, acked)
    row = {
        "server": name, "workers": workers, "clients": args.clients,
        "saves": len(times) + len(paced_times), "think_s": args.think,
        "paced_p50_ms": round(percentile(paced_times, 50), 1),
        "paced_p95_ms": round(percentile(paced_times, 95), 1),
        "burst_p50_ms": round(percentile(times, 50), 1),
        "burst_p95_ms": round(percentile(times, 95), 1),
        "saves_per_s": round(len(times) / wall, 1),
        "errors": errors, "conflicts": conflicts, "lost_updates": lost,
        "healthz_per_s": round(len(ceiling_times) / ceiling_wall, 1),
        "healthz_p95_ms": round(percentile(ceiling_times, 95), 1),
    }
    row["share_of_ceiling"] = round(row["saves_per_s"] / row["healthz_per_s"], 2)
    # What each costs the server, whatever else runs on the machine: on a machine where
    # the server has its cores to itself, the share is the ratio of these two.
    row["server_cpu_ms_per_save"] = round(save_cpu * 1000 / max(1, len(times)), 2)
    row["server_cpu_ms_per_healthz"] = round(healthz_cpu * 1000 / max(1, len(ceiling_times)), 2)
    row["cpu_share"] = round(row["server_cpu_ms_per_healthz"]
                             / max(0.001, row["server_cpu_ms_per_save"]), 2)
    return row


def count_lost(url: str, acked: list[tuple[int, str]]) -> int:
    """Acknowledged saves found neither as a current text nor among the revisions."""
    engine = make_engine(url)
    with engine.connect() as conn:
        kept = {(r.segment_id, r.target) for r in conn.execute(
            select(Translation.segment_id, Translation.target))}
        kept |= {(r.segment_id, r.target) for r in conn.execute(
            select(Translation.segment_id, Revision.target)
            .join(Translation, Revision.translation_id == Translation.id))}
    engine.dispose()
    return sum(1 for a in acked if a not in kept)


def main() -> None:
    """Run the benchmark and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", nargs="+", default=["sqlite", "postgresql"],
                    choices=["sqlite", "postgresql"])
    ap.add_argument("--pg-url", default=os.environ.get(
        "TMS_PERF_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tms_perf"))
    ap.add_argument("--workers", type=int, default=5, help="gunicorn workers on PostgreSQL")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--saves", type=int, default=20,
                    help="saves per client and phase (and /healthz requests per client)")
    ap.add_argument("--think", type=float, default=2.0,
                    help="mean seconds a client thinks between saves in the paced phase")
    ap.add_argument("--segments", type=int, default=500)
    ap.add_argument("--pool", type=int, default=50, help="segments every client may edit")
    ap.add_argument("--shared", type=float, default=0.1,
                    help="share of saves on the shared segments (the rest on the client's own)")
    ap.add_argument("--own", type=int, default=8, help="segments of each client's own")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    print(f"{'server':>10} {'workers':>7} {'clients':>7} {'saves':>6} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'burst p50':>9} {'burst p95':>9} {'saves/s':>8} {'errors':>6} "
          f"{'confl':>5} {'lost':>4} {'healthz/s':>9} {'share':>5} {'cpu/save':>8} "
          f"{'cpu/hz':>6} {'cpu share':>9} {'load':>4}")
    for name in args.servers:
        if name == "sqlite":
            url, workers = f"sqlite:///{tempfile.mkdtemp()}/saves.db", 1
        else:
            url, workers = args.pg_url, args.workers
        row = bench_server(name, url, workers, args)
        rows.append(row)
        print(f"{row['server']:>10} {row['workers']:>7} {row['clients']:>7} {row['saves']:>6} "
              f"{row['paced_p50_ms']:7.1f} {row['paced_p95_ms']:7.1f} "
              f"{row['burst_p50_ms']:9.1f} {row['burst_p95_ms']:9.1f} {row['saves_per_s']:8.1f} "
              f"{row['errors']:>6} {row['conflicts']:>5} {row['lost_updates']:>4} "
              f"{row['healthz_per_s']:9.1f} {row['share_of_ceiling']:5.2f} "
              f"{row['server_cpu_ms_per_save']:8.2f} {row['server_cpu_ms_per_healthz']:6.2f} "
              f"{row['cpu_share']:9.2f} {os.getloadavg()[0]:4.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "saves", "results": rows}, indent=2))


if __name__ == "__main__":
    main()
