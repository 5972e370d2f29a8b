"""open_db and transaction: WAL, busy timeout, BEGIN IMMEDIATE with bounded retries, and the
files a claims command must leave alone (another application's database, a damaged one, and
any database a read command opens)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from claims import connections
from claims.cli import cli
from claims.db import DatabaseBusyError, DatabaseOpenError, migrations, open_db, transaction

from .conftest import EXAMPLE, file_hash


def test_every_database_opened_is_wal_with_a_busy_timeout(db_path: Path):
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == connections.BUSY_TIMEOUT_MS
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # Read-only opens get the timeout too (they never change the file's journal mode).
    reader = open_db(db_path, create=False)
    assert reader.execute("PRAGMA busy_timeout").fetchone()[0] == connections.BUSY_TIMEOUT_MS


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("insert into sources (key, type, csl) values ('held', 'book', '{}')")
    return other


def test_transaction_takes_the_write_lock_first_and_gives_up_in_one_line(db_path, monkeypatch):
    monkeypatch.setattr(connections, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(connections, "BEGIN_ATTEMPTS", 3)
    db = open_db(db_path)
    other = _hold_write_lock(db_path)
    started = time.monotonic()
    with pytest.raises(DatabaseBusyError, match="locked by another writer; gave up after 3 tries"):
        with transaction(db):
            pytest.fail("the body must not run without the write lock")
    # Bounded: three waits of 50 ms plus backoff, not forever.
    assert time.monotonic() - started < 5
    other.execute("ROLLBACK")
    assert not db.conn.in_transaction


def test_transaction_waits_for_a_short_write_by_another_process(db_path):
    db = open_db(db_path)
    other = _hold_write_lock(db_path)
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    with transaction(db):
        db["sources"].insert({"key": "mine", "type": "book", "csl": "{}"})
    releaser.join()
    assert {r["key"] for r in db["sources"].rows} == {"held", "mine"}


def test_a_rolled_back_transaction_leaves_nothing(db_path):
    db = open_db(db_path)
    with pytest.raises(ZeroDivisionError):
        with transaction(db):
            db["sources"].insert({"key": "x", "type": "book", "csl": "{}"})
            with transaction(db):
                db["sources"].insert({"key": "y", "type": "book", "csl": "{}"})
            1 / 0  # noqa: B018
    assert db["sources"].count == 0


@pytest.fixture
def foreign_db(tmp_path: Path) -> Path:
    """Another application's SQLite database (rollback journal, its own tables)."""
    path = tmp_path / "other-app.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('keep me')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", str(EXAMPLE)],
        ["build", "--data", "data"],
        ["export", "ledger"],
        ["export", "citations"],
        ["verify"],
        ["sources", "import", "tests/fixtures/sources/zotero.bib"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_another_applications_database_is_refused_unchanged(runner, foreign_db, args):
    before = file_hash(foreign_db)
    result = runner.invoke(cli, [*args, "--db", str(foreign_db)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "not a claims database" in result.output, result.output
    assert file_hash(foreign_db) == before
    tables = sqlite_utils.Database(foreign_db).table_names()
    assert tables == ["notes"]


def test_open_db_refuses_a_foreign_database_before_writing(foreign_db):
    before = file_hash(foreign_db)
    with pytest.raises(DatabaseOpenError, match="not a claims database"):
        open_db(foreign_db)
    assert file_hash(foreign_db) == before


def _old_claims_db(path: Path) -> Path:
    """A claims database from before the sources migrations (as an older version made it)."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m010_source_fields")
    db.close()
    return path


def test_read_commands_never_migrate(runner, tmp_path, built_db):
    old = _old_claims_db(tmp_path / "old.db")
    before = file_hash(old)
    result = runner.invoke(cli, ["export", "ledger", "--db", str(old)])
    assert result.exit_code == 1 and "older version of claims" in result.output, result.output
    assert file_hash(old) == before
    # A current database exported twice: the file is byte-for-byte what it was.
    before = file_hash(built_db)
    for args in (["export", "ledger"], ["export", "citations", "--format", "ris"]):
        assert runner.invoke(cli, [*args, "--db", str(built_db)]).exit_code == 0
    assert file_hash(built_db) == before
    # A write command upgrades the old one.
    result = runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(old)])
    assert result.exit_code == 0, result.output
    assert migrations.pending(sqlite_utils.Database(old)) == []


def _damage(path: Path) -> None:
    """Overwrite the claims table's root page: the header, the schema (which spans several pages
    once there are many tables) and the migrations ledger stay readable, so only an integrity
    check finds the damage. (A page picked by position can hold the schema, or be one that
    quick_check cannot even walk.)"""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("select rootpage from sqlite_master where type = 'table' and name = 'claims'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek(page_size * (root - 1))
        f.write(b"\xff" * page_size)


def test_a_database_that_fails_its_integrity_check_is_refused(runner, built_db):
    _damage(built_db)
    before = file_hash(built_db)
    result = runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(built_db)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "failed its integrity check" in result.output, result.output
    assert file_hash(built_db) == before
