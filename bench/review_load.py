"""Review load: 50 logged-in reviewers posting 40 flags each, all at once, to a real server.

Builds the example database, creates the reviewer logins, starts `claims serve` on a free
loopback port, logs every reviewer in through /-/login, then has them all post flags through the
`flag_claim` stored query concurrently (httpx.AsyncClient, one cookie jar per reviewer).

Prints flags stored, errors, p50/p95/max latency and throughput, and the ratio to a baseline
measured in the same run: the same clients, the same concurrency, reading a claim's JSON row
instead of writing. Fails (exit 1) if any flag is lost, mis-attributed, or any request gets a 5xx.

The throwaway accounts are hashed with fewer PBKDF2 iterations than real ones (see --iterations)
so that the run measures flagging, not password hashing; the login phase is timed separately.

    .venv/bin/python bench/review_load.py [--reviewers 50] [--flags 40] [--time-limit 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlite_utils
from click.testing import CliRunner
from datasette_auth_passwords.utils import hash_password

from claims.cli import cli
from claims.flags import VERDICTS
from claims.reviewers import Account, save_accounts

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = Path(sys.executable).with_name("claims")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"claims serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"server did not answer within {timeout}s")


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []

    def record(self, started: float, response: httpx.Response | None, error: str | None = None) -> None:
        self.latencies.append(time.perf_counter() - started)
        if response is not None:
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 400 and len(self.errors) < 5:
                self.errors.append(f"{response.status_code}: {response.text[:200]}")
        elif error and len(self.errors) < 5:
            self.errors.append(error)

    @property
    def failures(self) -> int:
        return len(self.latencies) - self.statuses.get(200, 0)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    def line(self, label: str, elapsed: float) -> str:
        ms = [x * 1000 for x in self.latencies]
        return (
            f"{label:<9} {len(ms):>6} {self.statuses.get(200, 0):>6} {self.failures:>6} {self.server_errors:>4} "
            f"{statistics.median(ms):>8.1f} {percentile(ms, 0.95):>8.1f} {max(ms):>8.1f} {len(ms) / elapsed:>8.0f}"
        )


async def run(base: str, names: list[str], password: str, flags_each: int, claim_ids: list[int], time_limit: float) -> None:
    limits = httpx.Limits(max_connections=2)
    clients = {name: httpx.AsyncClient(base_url=base, timeout=60, limits=limits) for name in names}
    try:
        # Log in: every reviewer through the real login form, concurrently.
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(c.post("/-/login", data={"username": n, "password": password}) for n, c in clients.items())
        )
        bad = [n for n, r in zip(names, responses, strict=True) if r.status_code != 302 or "ds_actor" not in clients[n].cookies]
        if bad:
            raise SystemExit(f"login failed for {len(bad)} reviewers, e.g. {bad[0]}")
        print(f"logged in {len(names)} reviewers in {time.perf_counter() - started:.2f}s")

        headers = {"Accept": "application/json"}
        rng = random.Random(4)

        async def reader(client: httpx.AsyncClient, stats: Stats) -> None:
            for _ in range(flags_each):
                t = time.perf_counter()
                try:
                    stats.record(t, await client.get(f"/claims/claims/{rng.choice(claim_ids)}.json"))
                except httpx.HTTPError as e:
                    stats.record(t, None, f"{type(e).__name__}: {e}")

        async def flagger(name: str, client: httpx.AsyncClient, stats: Stats) -> None:
            for i in range(flags_each):
                verdict = rng.choice(VERDICTS)
                data = {
                    "claim_id": str(rng.choice(claim_ids)),
                    "verdict": verdict,
                    "reason": "" if verdict == "supported" else f"{name} load test flag {i}",
                    "source_id": "",
                    # A forged reviewer on every request: the stored query must ignore it.
                    "_actor_id": "mallory",
                }
                t = time.perf_counter()
                try:
                    stats.record(t, await client.post("/claims/flag_claim", data=data, headers=headers))
                except httpx.HTTPError as e:
                    stats.record(t, None, f"{type(e).__name__}: {e}")

        print(f"{'phase':<9} {'reqs':>6} {'ok':>6} {'failed':>6} {'5xx':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>8}")
        results = {}
        for label, make in (
            ("read", lambda n, c, s: reader(c, s)),
            ("flag", flagger),
        ):
            stats = Stats()
            started = time.perf_counter()
            await asyncio.wait_for(
                asyncio.gather(*(make(n, c, stats) for n, c in clients.items())), timeout=time_limit
            )
            elapsed = time.perf_counter() - started
            print(stats.line(label, elapsed))
            results[label] = (stats, elapsed)
        read, flag = results["read"][0], results["flag"][0]
        ratio_p50 = statistics.median(flag.latencies) / statistics.median(read.latencies)
        ratio_p95 = percentile(flag.latencies, 0.95) / percentile(read.latencies, 0.95)
        print(f"flag/read latency ratio: p50 {ratio_p50:.2f}x, p95 {ratio_p95:.2f}x")
        for error in flag.errors + read.errors:
            print("  error:", error)
        run.flag_stats = flag  # type: ignore[attr-defined]
    finally:
        await asyncio.gather(*(c.aclose() for c in clients.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=50, help="Concurrent logged-in reviewers.")
    parser.add_argument("--flags", type=int, default=40, help="Flags each reviewer posts.")
    parser.add_argument("--time-limit", type=float, default=300, help="Give up on a phase after this many seconds.")
    parser.add_argument("--iterations", type=int, default=10_000, help="PBKDF2 iterations for the throwaway accounts.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        db_path = tmp / "claims.db"
        result = CliRunner().invoke(cli, ["build", "--db", str(db_path), "--data", str(ROOT / "data")])
        if result.exit_code:
            raise SystemExit(result.output)
        claim_ids = [r["id"] for r in sqlite_utils.Database(db_path).query("select id from claims")]
        home = tmp / "home"
        password = "load-test-password"
        names = [f"reviewer{i:02d}" for i in range(args.reviewers)]
        hashed = hash_password(password, iterations=args.iterations)
        save_accounts(home, {n: Account(name=n, role="reviewer", password_hash=hashed) for n in names})

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k != "DATASETTE_SECRET"}
        command = [str(CLAIMS)] if CLAIMS.exists() else [sys.executable, "-c", "from claims.cli import cli; cli()"]
        with open(tmp / "serve.log", "wb") as log:
            proc = subprocess.Popen(
                [*command, "serve", "--db", str(db_path), "--home", str(home), "--port", str(port),
                 "--metadata", str(ROOT / "metadata.yml"), "--config", str(ROOT / "datasette.yaml")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_until_up(base, proc)
            print(f"{args.reviewers} reviewers x {args.flags} flags against {base} (claims serve, pid {proc.pid})")
            asyncio.run(run(base, names, password, args.flags, claim_ids, args.time_limit))
        finally:
            proc.terminate()
            proc.wait(timeout=10)

        db = sqlite_utils.Database(db_path)
        expected = args.reviewers * args.flags
        stored = db["flags"].count
        per_reviewer = dict(db.execute("select reviewer, count(*) from flags group by reviewer").fetchall())
        wrong = {n: per_reviewer.get(n, 0) for n in names if per_reviewer.get(n, 0) != args.flags}
        strangers = set(per_reviewer) - set(names)
        flag_stats: Stats = run.flag_stats  # type: ignore[attr-defined]
        print(f"flags stored: {stored} of {expected}; errors: {flag_stats.failures}; 5xx: {flag_stats.server_errors}")
        problems = []
        if stored != expected or wrong:
            problems.append(f"lost or extra flags: {stored} stored, per-reviewer mismatches {dict(list(wrong.items())[:3])}")
        if strangers:
            problems.append(f"flags under ids nobody logged in as: {sorted(strangers)}")
        if flag_stats.server_errors:
            problems.append(f"{flag_stats.server_errors} requests failed with a 5xx")
        if problems:
            raise SystemExit("FAIL: " + "; ".join(problems))
        print("OK: nothing lost, every flag under its reviewer's login, no 5xx")


if __name__ == "__main__":
    main()
