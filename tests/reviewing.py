"""Helpers shared by the reviewer tests: an in-process Datasette configured like `claims serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from datasette.app import Datasette

from claims.reviewers import Account, serve_config
from tests.conftest import ROOT, load_yaml

ALICE = {"id": "alice", "role": "reviewer"}
BOB = {"id": "bob", "role": "reviewer"}
EDITOR = {"id": "erin", "role": "editor"}
JSON = {"Accept": "application/json"}
# The accounts the in-process servers are configured with: the plugin only believes an actor
# (even a signed cookie) whose id is one of these, and takes the role from here.
ACCOUNTS = {
    actor["id"]: Account(name=actor["id"], role=actor["role"], password_hash="unused-in-process")
    for actor in (ALICE, BOB, EDITOR)
}


def make_ds(
    db_path: Path,
    *,
    private: bool = False,
    accounts: dict[str, Account] | None = None,
    database_file: Path | None = None,
) -> Datasette:
    """An in-process Datasette configured as `claims serve` would be, with ALICE, BOB and EDITOR
    as its accounts (tests pass those actors directly instead of logging in)."""
    config = serve_config(
        load_yaml("datasette.yaml"),
        ACCOUNTS if accounts is None else accounts,
        private=private,
        database_file=database_file,
    )
    return Datasette([str(db_path)], metadata=load_yaml("metadata.yml"), config=config)


def flag_rows(db_path: Path) -> list[dict]:
    import sqlite_utils

    return list(sqlite_utils.Database(db_path)["flags"].rows)


# --- a real `claims serve` on loopback, for the end-to-end and browser tests ----------------------


# The installed console script, as a user runs it; `python -c` if the venv has none.
_SCRIPT = Path(sys.executable).with_name("claims")
CLAIMS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from claims.cli import cli; cli()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def claims_server(
    db_path: Path, home: Path, *extra: str, timeout: float = 90.0, cwd: Path = ROOT, project_files: bool = True
) -> Iterator[str]:
    """Run `claims serve` as a subprocess; yield its base URL; stop it afterwards.

    With project_files=False it passes no --metadata/--config, so serve finds them itself.
    ``timeout`` is generous: importing Datasette and the plugin took 18-25 s at load average 14
    on the shared 2-core machine.
    """
    port = free_port()
    log = home.parent / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if k != "DATASETTE_SECRET" and not k.startswith("CLAIMS_PASSWORD_HASH_")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                *CLAIMS, "serve", "--db", str(db_path), "--home", str(home),
                *(["--metadata", str(ROOT / "metadata.yml"), "--config", str(ROOT / "datasette.yaml")]
                  if project_files else []),
                "--host", "127.0.0.1", "--port", str(port), *extra,
            ],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"claims serve exited with {proc.returncode}: {log.read_text()}")
            try:
                # A private deployment answers 403 to anonymous requests: that is up too.
                if httpx.get(base + "/-/versions.json", timeout=1).status_code in (200, 403):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"claims serve did not answer within {timeout}s: {log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
