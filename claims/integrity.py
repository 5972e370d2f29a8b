"""Refusing a damaged database before a write, without reading the whole file every time.

Issue 11 promised that a database whose integrity check fails refuses every write command.
``PRAGMA quick_check`` reads every page, so at newsroom scale (2.4 GB) it made each
``claims ingest`` cost seconds more than the ingest itself, growing with the database.

So the check runs only when the file may have changed outside this tool's own writes. When a
write command closes a database it checked (or created) cleanly, it records the state of the
file beside it, in ``<database>-clean``: size, inode, modification and status-change times, and
the same for the write-ahead log if one is left (another process still has the file open). The
next write command compares that record with the file: the same, and nothing but a claims write
command that ran to its end (and committed or rolled back through SQLite) has touched the file
since it was last found sound, so the check is skipped; anything else (no record, a copied or
restored file, bytes edited, a crash, another program's writes, the server's flags) and the full
``quick_check`` runs, once, before anything is written.

The status-change time (``ctime``) cannot be set back by a program that edits the file, so
keeping the modification time (``touch -r``) does not hide an edit. What the record cannot see
is damage the storage itself does to bytes no one wrote (bit rot): run
``sqlite3 FILE 'PRAGMA integrity_check'`` after a disk error, or delete the ``-clean`` file to
make the next write command check.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import sqlite_utils

# Set CLAIMS_ALWAYS_CHECK=1 to run the full check before every write, as before issue 13.
ALWAYS_CHECK = os.environ.get("CLAIMS_ALWAYS_CHECK", "") not in ("", "0")


class IntegrityError(ValueError):
    """The database failed its integrity check (a ``DatabaseOpenError`` subclass re-raises it)."""


def record_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + "-clean")


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns]


def file_state(path: str | Path) -> dict[str, Any]:
    """What the record compares: the database file and its write-ahead log (not the
    shared-memory index, which readers rewrite and SQLite rebuilds from the other two)."""
    path = Path(path)
    wal = _stat(path.with_name(path.name + "-wal"))
    # Opening a WAL database creates an empty log: nothing in it to compare.
    return {"db": _stat(path), "wal": wal if wal and wal[0] else None}


def recorded_clean(path: str | Path) -> bool:
    """True when the file is exactly as a claims write command left it at its clean close."""
    if ALWAYS_CHECK:
        return False
    try:
        recorded = json.loads(record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    state = file_state(path)
    return state["db"] is not None and recorded == state


# File times come from the kernel's coarse clock (a tick of 1-10 ms): a write in the same tick as
# the command's last one could leave the same times. Recording only once the clock has moved
# past the file's last write means any later write changes its times.
TICK_NS = 25_000_000


def record_clean(path: str | Path) -> None:
    """Called once the command's connection is closed. Best effort: a record that cannot be
    written only means the next write command runs the check."""
    target = record_path(path)
    state = file_state(path)
    if state["db"] is None:
        return
    last_write = max(s[3] for s in state.values() if s is not None)
    wait = last_write + TICK_NS - time.time_ns()
    if wait > 0:
        time.sleep(min(wait, TICK_NS) / 1e9)
    try:
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass


def forget_clean(path: str | Path) -> None:
    """Drop the record (before a check that might fail, so a failed file is never recorded)."""
    try:
        record_path(path).unlink()
    except OSError:
        pass


def quick_check(db: sqlite_utils.Database, path: str | Path) -> None:
    """``PRAGMA quick_check``, unless :func:`recorded_clean` says the file is as the tool left it."""
    if recorded_clean(path):
        return
    forget_clean(path)
    rows = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
    if rows != ["ok"]:
        raise IntegrityError(
            f"{path}: failed its integrity check ({'; '.join(map(str, rows))[:200]}); "
            "restore it from a backup or rebuild it with `claims build`"
        )
