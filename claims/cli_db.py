"""Which database a command works on, and saying so.

An editor who runs ``claims ingest post.md`` in the wrong folder must not silently fill a new
database nobody serves: only ``claims build`` and ``claims ingest`` create one (with a note
naming it), every other command needs an existing database, and every command that writes ends
its summary line with the absolute path of the database it wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from .db import open_db

DEFAULT_DB = "data/claims.db"
DB_ENV = "CLAIMS_DB"

HELP = {
    "create": "SQLite database to write to; created (with a note) if it does not exist.",
    "write": "The claims database to update; it must exist (`claims build` or `claims ingest` creates it).",
    "read": "The claims database to read; it must exist.",
}


def db_option(fn: Callable[..., Any] | None = None, *, mode: str = "write") -> Any:
    """``--db FILE`` (default ``$CLAIMS_DB``, else ``data/claims.db`` in the current folder).

    ``mode`` is ``create`` (build, ingest), ``write`` (must exist) or ``read``; it only changes
    the help text: the command opens the database with :func:`open_new_db` or
    :func:`open_existing_db` accordingly.
    """

    def decorate(f: Callable[..., Any]) -> Any:
        return click.option(
            "--db",
            "db_path",
            default=lambda: os.environ.get(DB_ENV, DEFAULT_DB),
            show_default=f"${DB_ENV} or {DEFAULT_DB}",
            type=click.Path(dir_okay=False),
            help=HELP[mode],
        )(f)

    return decorate(fn) if fn is not None else decorate


def where(db_path: str | Path) -> str:
    """The database's absolute path, for the end of a summary line."""
    return str(Path(db_path).resolve())


def summary(line: str, db_path: str | Path) -> str:
    return f"{line} (database: {where(db_path)})"


def open_new_db(db_path: str | Path) -> sqlite_utils.Database:
    """Open the database, creating it (and saying so on stderr) if it does not exist yet."""
    existed = Path(db_path).exists()
    db = open_db(db_path)
    if not existed:
        click.echo(f"created new database {where(db_path)}", err=True)
    return db


def open_existing_db(db_path: str | Path, *, write: bool = True) -> sqlite_utils.Database:
    """A database that must already exist (commands that add to what `build` made).

    Read commands pass ``write=False``: they never migrate or otherwise change the file.
    """
    try:
        return open_db(db_path, create=False, migrate=write)
    except FileNotFoundError:
        raise click.ClickException(
            f"{where(db_path)}: no such database (run `claims build` or `claims ingest` first, "
            f"or pass --db FILE / set ${DB_ENV})"
        ) from None
