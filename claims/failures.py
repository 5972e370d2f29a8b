"""One line for the failures no command should show as a traceback.

Commands turn bad input into a ``click.ClickException`` themselves; this is the net under them
for what the operating system or SQLite says (a full disk, a locked or read-only database, an
unwritable ``--output``) and for input that exhausts Python itself (nesting, memory).
"""

from __future__ import annotations

import sqlite3

from .db import describe_sqlite_error


def describe_failure(error: BaseException) -> str:
    if isinstance(error, sqlite3.Error):
        return describe_sqlite_error(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    if isinstance(error, RecursionError):
        return "input is nested too deeply to read (more levels than any real file has)"
    if isinstance(error, MemoryError):
        return "input is too large to hold in memory; use a smaller file or a lower --max-bytes"
    return f"{type(error).__name__}: {error}"
