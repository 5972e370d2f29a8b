"""Connections and transactions for every database the project opens.

WAL and a busy timeout on each connection, write transactions that take the write lock first
(``BEGIN IMMEDIATE``) with bounded retries, one-line descriptions of SQLite's failures, and the
checks :func:`claims.db.open_db` makes before it writes to a file. ``claims.db`` re-exports
these names, so ``from claims.db import transaction`` keeps working.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils


class DatabaseOpenError(ValueError):
    """The database file cannot be opened or created; the message names the file and why."""


class DatabaseBusyError(DatabaseOpenError):
    """Another process held the write lock for longer than the bounded retries waited."""


# How long one attempt waits for another writer (SQLite's busy handler), and how many attempts
# a write transaction makes before giving up with a one-line error. Module-level so a test can
# shorten them; CLAIMS_BUSY_TIMEOUT_MS overrides the wait for a whole process.
BUSY_TIMEOUT_MS = int(os.environ.get("CLAIMS_BUSY_TIMEOUT_MS", "10000"))
BEGIN_ATTEMPTS = 4
BACKOFF_S = 0.05


def configure_connection(conn: sqlite3.Connection) -> None:
    """What every connection the project opens gets: a busy timeout and foreign keys.

    The server's connections get this too (the plugin's ``prepare_connection``), so a reader or
    a writer waits for another process's short write instead of failing at once.
    """
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    conn.execute("PRAGMA foreign_keys = ON")


# Databases opened inside closing_opened() blocks, innermost block last.
_tracked: list[list[sqlite_utils.Database]] = []
# The files of those opened for writing, checked sound (or created) by this process: their
# state is recorded when they are closed (claims.integrity).
_writers: dict[int, Path] = {}


@contextmanager
def closing_opened() -> Iterator[None]:
    """Close every database :func:`open_db` opens inside the block when it ends.

    In WAL mode the last connection to close folds the log back into the database file, so a
    command that closes what it opened leaves one complete file behind (and a command that
    wrote nothing leaves it byte-for-byte as it was).
    """
    opened: list[sqlite_utils.Database] = []
    _tracked.append(opened)
    try:
        yield
    finally:
        _tracked.remove(opened)
        closed: set[Path] = set()
        for db in opened:
            writer = _writers.pop(id(db), None)
            try:
                db.close()
            except sqlite3.Error:
                continue
            if writer is not None:
                closed.add(writer)
        # Once every connection of the block is closed (the last one folds the log back).
        from .integrity import record_clean

        for path in closed:
            record_clean(path)


def check_writable(path: Path) -> None:
    # Refused up front: SQLite would otherwise open the file read-only and fail mid-command. The
    # folder must be writable too, for the WAL and its shared-memory index.
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseOpenError(f"{path}: database is read-only (no permission to write it)")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseOpenError(f"{path}: its folder {folder} is read-only (SQLite needs to write its journal there)")


def check_integrity(db: sqlite_utils.Database, path: str | Path) -> None:
    """Refuse a damaged database before writing to it (``PRAGMA quick_check``, skipped when the
    file is exactly as a claims write command left it: see :mod:`claims.integrity`)."""
    from .integrity import IntegrityError, quick_check

    try:
        quick_check(db, path)
    except IntegrityError as e:
        raise DatabaseOpenError(str(e)) from None


def describe_sqlite_error(e: sqlite3.Error) -> str:
    """One line for a SQLite error, saying what to do about the usual ones."""
    text = str(e)
    if "locked" in text or "busy" in text:
        return "the database is locked by another writer; try again when it has finished"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only (no permission to write it or its folder)"
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return f"not a SQLite database, or it is damaged ({text})"
    if "unable to open" in text:
        return "cannot open the database file (check it and its folder are readable and writable)"
    return f"database error ({text})"


def begin_immediate(db: sqlite_utils.Database) -> None:
    """Start a write transaction now (``BEGIN IMMEDIATE``), retrying with backoff.

    A transaction that begins as a read and upgrades to a write can fail with "database is
    locked" however long it waits; taking the write lock first means it only ever waits. Each
    attempt waits up to the busy timeout; after ``BEGIN_ATTEMPTS`` it gives up in one line.
    """
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if attempt == BEGIN_ATTEMPTS - 1:
                break
            time.sleep(BACKOFF_S * (2**attempt) * (1 + random.random()))
    raise DatabaseBusyError(
        "the database is locked by another writer; gave up after "
        f"{BEGIN_ATTEMPTS} tries of {BUSY_TIMEOUT_MS / 1000:g}s: try again when it has finished"
    )


def _fault_point() -> None:
    """Fault injection for the crash tests: with ``CLAIMS_FAULT_BEFORE_COMMIT`` set to a file
    name, every write transaction writes that file once its work is done, then waits (uncommitted)
    to be killed. Unset, as it always is outside the tests, this does nothing."""
    marker = os.environ.get("CLAIMS_FAULT_BEFORE_COMMIT")
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(120)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One all-or-nothing unit of work: on any exception nothing of it is left behind.

    The outermost one begins ``IMMEDIATE`` (see :func:`begin_immediate`); nested ones are
    savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    begin_immediate(db)
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        _fault_point()
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise


def track(db: sqlite_utils.Database) -> None:
    """Register a database just opened with the innermost :func:`closing_opened` block."""
    if _tracked:
        _tracked[-1].append(db)


def track_writer(db: sqlite_utils.Database, path: Path) -> None:
    """``db`` (opened for writing, checked or created) records its file's state at its close."""
    if _tracked:
        _writers[id(db)] = path
