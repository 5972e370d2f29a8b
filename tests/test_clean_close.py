"""Issue 13: write commands skip the whole-file integrity check when the file is exactly as a
claims write command left it at its last clean close, and run it after any other change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlite_utils

from claims import integrity
from claims.cli import cli

from .conftest import EXAMPLE, file_hash
from .test_db_safety import _damage


def _checks_run(monkeypatch) -> list[str]:
    seen: list[str] = []
    execute = sqlite_utils.Database.execute

    def spy(self, sql, *args, **kwargs):
        if "quick_check" in sql:
            seen.append(sql)
        return execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(sqlite_utils.Database, "execute", spy)
    return seen


def test_a_write_command_records_its_clean_close_and_the_next_one_skips_the_check(runner, built_db: Path, monkeypatch):
    assert integrity.record_path(built_db).exists()
    assert integrity.recorded_clean(built_db)
    checks = _checks_run(monkeypatch)
    result = runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(built_db)])
    assert result.exit_code == 0, result.output
    assert checks == []
    # And it recorded the state it left, so the one after skips it too.
    assert integrity.recorded_clean(built_db)


def test_a_read_command_leaves_the_record_valid_and_writes_none(runner, built_db: Path, tmp_path: Path):
    assert runner.invoke(cli, ["export", "ledger", "--db", str(built_db)]).exit_code == 0
    assert integrity.recorded_clean(built_db)
    copy = tmp_path / "copy.db"
    shutil.copyfile(built_db, copy)
    assert runner.invoke(cli, ["export", "ledger", "--db", str(copy)]).exit_code == 0
    assert not integrity.record_path(copy).exists()


def test_a_copied_file_is_checked(runner, built_db: Path, tmp_path: Path, monkeypatch):
    copy = tmp_path / "copy.db"
    shutil.copyfile(built_db, copy)
    assert not integrity.recorded_clean(copy)
    checks = _checks_run(monkeypatch)
    assert runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(copy)]).exit_code == 0
    assert len(checks) == 1
    assert integrity.recorded_clean(copy)


def test_bytes_changed_outside_the_tool_bring_the_check_back_even_with_the_old_times(runner, built_db: Path):
    st = built_db.stat()
    _damage(built_db)
    # Setting the modification time back does not hide the edit: the status-change time moved.
    os.utime(built_db, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert built_db.stat().st_size == st.st_size
    assert not integrity.recorded_clean(built_db)
    before = file_hash(built_db)
    result = runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(built_db)])
    assert result.exit_code == 1 and "failed its integrity check" in result.output, result.output
    assert file_hash(built_db) == before
    # A failed file is never recorded as clean, however often it is tried.
    assert not integrity.record_path(built_db).exists()
    assert runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(built_db)]).exit_code == 1


def test_another_programs_write_brings_the_check_back(runner, built_db: Path, monkeypatch):
    other = sqlite_utils.Database(built_db)
    other.execute("update articles set title = title || '!' where id = 1")
    other.conn.commit()
    other.close()
    assert not integrity.recorded_clean(built_db)
    checks = _checks_run(monkeypatch)
    assert runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(built_db)]).exit_code == 0
    assert len(checks) == 1
