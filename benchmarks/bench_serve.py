"""Load benchmark for ``grader serve``: simulated students on loopback against a real uvicorn server.

    python benchmarks/bench_serve.py                       # 200 students, 20 s per run
    python benchmarks/bench_serve.py --students 50 --seconds 10
    python benchmarks/bench_serve.py --db postgresql+psycopg://user@host/db   # one PostgreSQL for every run

Each student signs in with their personal link, then for a bounded time works through the questions: loads a
question page, submits up to three answers (each followed by the page the browser is sent to) (about 45% right, 25% a declared mistake or another wrong value, 15% malformed, 15% hostile:
code, huge powers, markup and over-long text) and thinks for a while, like a class doing homework at
once. Three runs, each on a fresh database:

1. **one process**: ``grader serve --workers 1`` (the baseline);
2. **several workers**: ``grader serve --workers W`` sharing the one database;
3. **SIGKILL halfway**: one process, killed with SIGKILL (with its grading pool) halfway through and
   started again on the same database and port; students keep going.

It prints requests per second and the p50/p95/p99 latency of page loads and of submissions once every
student has arrived (the first seconds, when every student's first page is drawn at once, are reported
apart), the server's CPU time per request and the machine's load, and checks
that every submission the server confirmed (a 303 naming its id) is in the database afterwards.
Target: p95 under 100 ms for a submission at 200 students, and zero lost submissions. The students run
in this process on the same machine, so their own CPU time is part of every latency measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import load_bank, make_variant  # noqa: E402
from grader.check.registry import REGISTRY  # noqa: E402
from grader.course.config import DEMO_SECRET  # noqa: E402
from grader.web import db  # noqa: E402
from grader.web.links import student_link  # noqa: E402

BANK = ROOT / "questions" / "cnn.yaml"
QUESTIONS = [("conv-output-size", "a"), ("fc-weights", "a"), ("same-padding", "a"), ("linear-weights", "a"),
             ("conv-vs-xcorr", "a"), ("cnn-advantages", "a"), ("conv1d-toeplitz", "a"), ("output-vs-kernel", "a"),
             ("stacked-3x3", "b")]
HOSTILE = ["__import__('os').system('touch HACKED')", "9^9^9^9^9^9", "((H+1)^100)^100", "<script>alert(1)</script>",
           "x" * 5000, "().__class__.__bases__[0]", "[[" + "1, " * 300 + "1]]"]
TARGET_P95_MS = 100.0
ARRIVAL_SECONDS = 5.0  # students arrive (sign in, first page) in the first seconds: reported apart


@dataclass
class Tally:
    page_ms: list[tuple[float, float]] = field(default_factory=list)  # (started at, latency in ms)
    submit_ms: list[tuple[float, float]] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    refused: int = 0  # unreadable or over-long answers: refused by design, no attempt used
    limited: int = 0
    errors: int = 0  # connection failures (the SIGKILL run) and server errors
    requests: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_for(bank, student: str, rng: random.Random) -> dict[tuple[str, str], list[str]]:
    """Per part, a weighted list of what this student might type."""
    choices = {}
    for question_id, part_id in QUESTIONS:
        spec = make_variant(bank, bank.by_id[question_id], DEMO_SECRET, student).parts[part_id]
        checker = REGISTRY.get(spec["type"])
        right = checker.format(spec["answer"], spec)
        wrong = [checker.format(m["answer"], spec) for m in spec.get("mistakes") or []]
        if spec["type"] in ("integer", "number"):
            wrong.append(str(rng.randint(1, 999)))
        if spec["type"] in ("choice", "checkbox"):
            wrong += [label for label in "ABCD"[:len(spec["options"])] if label not in spec["answer"]]
        wrong = wrong or ["0"]
        choices[(question_id, part_id)] = ([right] * 9 + [rng.choice(wrong) for _ in range(5)]
                                           + ["((3", "1 2 3", "[[1, 2], [3"] + rng.sample(HOSTILE, 3))
    return choices


def write_roster(folder: Path, count: int) -> list[str]:
    students = [f"b{index:04d}" for index in range(1, count + 1)]
    lines = ["Name,SID,Email"] + [f"Student {s},{s},{s}@example.edu" for s in students]
    (folder / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return students


class Server:
    def __init__(self, folder: Path, database: str, port: int, workers: int, jobs: int) -> None:
        self.command = [sys.executable, "-m", "grader.cli", "serve", str(BANK), "--roster", str(folder / "roster.csv"),
                        "--db", database, "--port", str(port), "--workers", str(workers), "--jobs", str(jobs),
                        "--allow-demo-secret"]  # a generated roster of simulated students, on the demo secret
        self.base = f"http://127.0.0.1:{port}"
        self.log = folder / f"serve-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        started = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=log, stderr=log,
                                            start_new_session=True)
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=1).read()
                return time.perf_counter() - started
            except OSError:
                if self.process.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit(f"grader serve did not start; see {self.log}") from None
                time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its grading processes (everything in its process group)."""
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid:  # pgrp: the session leader's pid (start_new_session)
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def kill(self) -> None:
        """SIGKILL the server and its grading processes at once, as a crash or an OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


async def student_loop(student: str, base: str, choices, deadline: float, think: float, tally: Tally,
                       rng: random.Random, transport) -> None:
    import httpx

    # Each student has their own cookies; the connection pool (and its one TLS context) is shared, as
    # creating 200 clients with their own would cost the load generator seconds of CPU.
    client = httpx.AsyncClient(base_url=base, timeout=30, transport=transport)
    while time.perf_counter() < deadline:
        try:
            await client.get(student_link("", DEMO_SECRET, student, ""))
            break
        except httpx.HTTPError:
            await asyncio.sleep(0.5)
    await asyncio.sleep(rng.random() * think)
    order = list(choices)
    rng.shuffle(order)
    while time.perf_counter() < deadline:
        # Like a student working through the homework: one question at a time, up to three tries each,
        # the page reloaded after every submission (the browser follows the 303 to it).
        question, part = order[0]
        order.append(order.pop(0))
        try:
            page = await timed_get(client, f"/q/{question}", tally)
            for _ in range(3):
                token = re.search(r'name="csrf" value="([^"]+)"', page.text)
                if page.status_code not in (200, 422) or token is None:
                    tally.errors += 1
                    if page.status_code == 401:  # a session made before the salt changed: sign in again
                        await client.get(student_link("", DEMO_SECRET, student, ""))
                    break
                await asyncio.sleep(rng.random() * think)
                if time.perf_counter() >= deadline:
                    break
                answer = rng.choice(choices[(question, part)])
                started = time.perf_counter()
                response = await client.post(f"/q/{question}", data={"csrf": token.group(1), "action": "submit",
                                                                      f"answer.{part}": answer})
                tally.submit_ms.append((started, 1000 * (time.perf_counter() - started)))
                tally.requests += 1
                if response.status_code == 303:
                    tally.confirmed.append(re.search(r"submitted=([0-9a-f]+)", response.headers["location"]).group(1))
                    page = await timed_get(client, response.headers["location"], tally)
                    if answer == choices[(question, part)][0]:
                        break
                elif response.status_code in (413, 422):
                    tally.refused += 1
                    if "Type an answer" in response.text:
                        break  # solved earlier: the part is locked
                    page = response  # the same page, with the caret message: try again
                elif response.status_code == 429:
                    tally.limited += 1
                    break
                else:
                    tally.errors += 1
                    break
        except httpx.HTTPError:
            tally.errors += 1
            await asyncio.sleep(0.2)
        await asyncio.sleep(rng.random() * think)


async def timed_get(client, path: str, tally: Tally):
    started = time.perf_counter()
    page = await client.get(path)
    tally.page_ms.append((started, 1000 * (time.perf_counter() - started)))
    tally.requests += 1
    return page


async def load(students: list[str], choices, base: str, seconds: float, think: float, tally: Tally,
               halfway=None) -> float:
    import httpx

    deadline = time.perf_counter() + seconds
    rng = random.Random(15)
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=len(students) + 10,
                                                             max_keepalive_connections=len(students) + 10))
    tasks = [asyncio.create_task(student_loop(s, base, choices[s], deadline, think, tally, random.Random(rng.random()),
                                              transport))
             for s in students]
    started = time.perf_counter()
    if halfway is not None:
        await asyncio.sleep(seconds / 2)
        await asyncio.to_thread(halfway)
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    await transport.aclose()
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(name: str, folder: Path, database: str, students, choices, workers: int, jobs: int, seconds: float,
        think: float, kill: bool) -> dict:
    port = free_port()
    server = Server(folder, database, port, workers, jobs)
    server.start()
    tally = Tally()
    restart = {}
    cpu = [-server.cpu_seconds()]  # count serving only, not loading the bank at start

    def kill_and_restart() -> None:
        cpu[0] += server.cpu_seconds()
        server.kill()
        restart["seconds"] = server.start()
        cpu[0] -= server.cpu_seconds()

    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    try:
        elapsed = asyncio.run(load(students, choices, server.base, seconds, think, tally,
                                   kill_and_restart if kill else None))
        cpu[0] += server.cpu_seconds()
    finally:
        server.stop()
    stored = db.submissions_stored(db.make_engine(database), tally.confirmed)
    arrived = began + ARRIVAL_SECONDS  # every student has signed in and opened a first page by then

    def working(samples):
        return [ms for at, ms in samples if at >= arrived]

    return {"run": name, "rps": tally.requests / elapsed, "page": working(tally.page_ms),
            "submit": working(tally.submit_ms), "all_page": [ms for _, ms in tally.page_ms],
            "all_submit": [ms for _, ms in tally.submit_ms],
            "confirmed": len(tally.confirmed), "lost": len(set(tally.confirmed) - stored), "refused": tally.refused,
            "limited": tally.limited, "errors": tally.errors, "restart": restart.get("seconds"),
            "cpu_ms": 1000 * cpu[0] / max(1, tally.requests), "load": (load_before + os.getloadavg()[0]) / 2}


def fresh_database(folder: Path, given: str | None, name: str) -> str:
    if not given:
        return f"sqlite:///{folder / (name + '.sqlite3')}"
    import sqlalchemy as sa

    engine = sa.create_engine(given.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:  # a fresh database per run on the given server
        database = f"bench_serve_{name}_{os.getpid()}"
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    return given.rsplit("/", 1)[0] + "/" + database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of each run.")
    parser.add_argument("--think", type=float, default=4.0, help="Longest pause between a student's requests.")
    parser.add_argument("--workers", type=int, default=2, help="Server processes in the several-workers run.")
    parser.add_argument("--db", help="A PostgreSQL URL (each run gets a fresh database there); default SQLite.")
    args = parser.parse_args()

    bank = load_bank(BANK)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as name:
        folder = Path(name)
        students = write_roster(folder, args.students)
        rng = random.Random(1)
        choices = {student: answers_for(bank, student, rng) for student in students}
        results = []
        for label, workers, jobs, kill in (("1 process (baseline)", 1, 1, False),
                                           (f"{args.workers} workers", args.workers, 1, False),
                                           ("1 process, SIGKILL halfway", 1, 1, True)):
            database = fresh_database(folder, args.db, label.split()[0] + ("k" if kill else "") + str(workers))
            db.migrate(db.make_engine(database))
            print(f"running: {label} ({args.students} students, {args.seconds:g} s) ...", file=sys.stderr)
            results.append(run(label, folder, database, students, choices, workers, jobs, args.seconds,
                               args.think, kill))
    print(f"\n{args.students} students, {args.seconds:g} s per run, think time up to {args.think:g} s, "
          f"database {'PostgreSQL' if args.db else 'SQLite'}\n")
    header = ("run", "req/s", "page p50", "p95", "p99", "submit p50", "p95", "p99", "confirmed", "lost",
              "refused", "429", "errors", "server CPU/req", "load avg")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    ok = True
    for r in results:
        cells = [r["run"], f"{r['rps']:.0f}"]
        cells += [f"{percentile(r['page'], q):.0f} ms" for q in (0.5, 0.95, 0.99)]
        cells += [f"{percentile(r['submit'], q):.0f} ms" for q in (0.5, 0.95, 0.99)]
        cells += [str(r["confirmed"]), str(r["lost"]), str(r["refused"]), str(r["limited"]), str(r["errors"]),
                  f"{r['cpu_ms']:.1f} ms", f"{r['load']:.1f}"]
        print("| " + " | ".join(cells) + " |")
        ok &= r["lost"] == 0
        if "SIGKILL" not in r["run"]:
            ok &= percentile(r["submit"], 0.95) < TARGET_P95_MS
    print(f"\nLatencies above are for requests after the first {ARRIVAL_SECONDS:g} s, when all students have "
          "arrived; with the arrival burst (every first page drawn at once) included:")
    for r in results:
        print(f"  {r['run']}: page p95 {percentile(r['all_page'], 0.95):.0f} ms, "
              f"submit p95 {percentile(r['all_submit'], 0.95):.0f} ms")
    baseline = results[0]
    for r in results[1:]:
        print(f"{r['run']}: submissions p95 {percentile(r['submit'], 0.95):.0f} ms against the baseline's "
              f"{percentile(baseline['submit'], 0.95):.0f} ms"
              + (f"; restarted in {r['restart']:.1f} s" if r["restart"] else ""))
    print(f"machine: {os.cpu_count()} cores; 'load avg' is the 1-minute load during each run (other work included)")
    print(f"\ntarget: submission p95 < {TARGET_P95_MS:g} ms (runs without the kill) and 0 lost: "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
