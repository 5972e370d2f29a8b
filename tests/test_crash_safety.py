"""Fault injection (issue 11): `claims ingest` and `claims sources import` killed with SIGKILL in
the middle of their write transaction leave an intact database with nothing of the killed run
visible, and running the command again succeeds."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLAIMS = Path(sys.executable).with_name("claims")
COMMAND = [str(CLAIMS)] if CLAIMS.exists() else [sys.executable, "-c", "from claims.cli import cli; cli()"]
TABLES = ("articles", "quotes", "claims", "sources", "citations", "source_merges", "findings")

NEW_ARTICLE = """Cold plunges and the claims made for them

A new wellness post says that "cold water immersion doubles your metabolism", citing one study.
Researchers at a university found that regular cold exposure raised energy use by 15 percent in
a small trial of 12 adults, according to the paper's abstract.
"We saw a modest effect," said Dr. Jane Smith, who led the study.
"""


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("command", ["ingest", "sources import"])
def test_sigkill_mid_transaction_leaves_nothing_partial_and_a_rerun_succeeds(command, built_db, tmp_path):
    db = tmp_path / "crash.db"
    shutil.copyfile(built_db, db)
    if command == "ingest":
        article = tmp_path / "cold-plunge.txt"
        article.write_text(NEW_ARTICLE, encoding="utf-8")
        args = ["ingest", str(article)]
    else:
        args = ["sources", "import", str(ROOT / "tests" / "fixtures" / "sources" / "zotero.bib")]
    before = counts(db)
    marker = tmp_path / "in-transaction"
    env = {**os.environ, "CLAIMS_FAULT_BEFORE_COMMIT": str(marker)}
    proc = subprocess.Popen([*COMMAND, *args, "--db", str(db)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never reached its transaction"
            time.sleep(0.05)
        # Everything is written but not committed: the worst moment to die.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # The killed run wrote into the WAL; none of it may be visible, and the file is intact.
    assert integrity(db) == "ok"
    assert counts(db) == before
    rerun = subprocess.run([*COMMAND, *args, "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert integrity(db) == "ok"
    after = counts(db)
    grew = "articles" if command == "ingest" else "sources"
    assert after[grew] > before[grew], (before, after)
