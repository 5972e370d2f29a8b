"""The ``claims`` command line: a thin Click layer over the library functions.

Every command reads and validates all of its input before it opens a write transaction, so bad
input leaves the database byte-for-byte as it was.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from . import readers
from .db import open_db, transaction
from .ingest import ingest_document
from .sources import load_csl_yaml, save_sources

DEFAULT_DB = "data/claims.db"


def db_option(fn):
    return click.option(
        "--db",
        "db_path",
        default=lambda: os.environ.get("CLAIMS_DB", DEFAULT_DB),
        show_default=f"$CLAIMS_DB or {DEFAULT_DB}",
        type=click.Path(dir_okay=False),
        help="SQLite database to write to (created if missing).",
    )(fn)


def fail(message: str) -> click.ClickException:
    # One line, always: the message names the file, entry or field at fault.
    return click.ClickException(" ".join(str(message).split()))


def validation_message(error: ValidationError, where: str) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "record"
    return f"{where}: {field}: {first['msg']}"


@click.group()
@click.version_option(package_name="claims-tracker")
def cli() -> None:
    """Track the quotes and claims in articles and the sources they rely on."""


@cli.command()
@db_option
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder holding articles/ and sources.yml.",
)
@click.option(
    "--max-bytes",
    default=readers.DEFAULT_MAX_BYTES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse article files larger than this.",
)
def build(db_path: str, data_dir: str, max_bytes: int) -> None:
    """Build the database from every article in DATA/articles and the sources in DATA.

    Idempotent: running it again on unchanged files changes nothing.
    """
    data = Path(data_dir)
    articles_dir = data / "articles"
    if not articles_dir.is_dir():
        raise fail(f"{articles_dir}: no such folder")
    paths = sorted(p for p in articles_dir.iterdir() if p.suffix.lower() in readers.EXTENSIONS)
    try:
        docs = [(p, readers.read_path(p, max_bytes=max_bytes)) for p in paths]
        sources_file = data / "sources.yml"
        items = load_csl_yaml(sources_file) if sources_file.exists() else []
    except readers.ReadError as e:
        raise fail(str(e)) from None
    db = open_db(db_path)
    try:
        with transaction(db):
            for path, doc in docs:
                result = ingest_document(db, doc, path.as_posix())
                click.echo(result.describe(path.as_posix()))
            written = save_sources(db, items)
    except ValidationError as e:
        raise fail(validation_message(e, str(data))) from None
    click.echo(f"sources: {len(items)} in {data / 'sources.yml'}, {written} written")


@cli.command()
@click.argument("location")
@db_option
@click.option("--title", help="Article title (default: the document's own title or file name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    help="Reader to use (default: from the file extension or the Content-Type).",
)
@click.option(
    "--max-bytes",
    default=readers.DEFAULT_MAX_BYTES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse files or responses larger than this.",
)
def ingest(location: str, db_path: str, title: str | None, fmt: str | None, max_bytes: int) -> None:
    """Ingest one article from a file path or an http(s) URL.

    Re-ingesting the same content is a no-op; changed content at the same location is stored
    as a new version.
    """
    try:
        doc = readers.read(location, fmt=fmt, max_bytes=max_bytes)  # type: ignore[arg-type]
    except readers.ReadError as e:
        raise fail(str(e)) from None
    db = open_db(db_path)
    try:
        result = ingest_document(
            db, doc, location, title=title, url=location if readers.is_url(location) else None
        )
    except ValidationError as e:
        raise fail(validation_message(e, location)) from None
    click.echo(result.describe(location))


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--metadata",
    default="metadata.yml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Datasette metadata file (titles, descriptions, column docs).",
)
@click.option(
    "--config",
    "config_path",
    default="datasette.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Datasette config file (queries, permissions, plugins).",
)
def serve(db_path: str, host: str, port: int, metadata: str, config_path: str) -> None:
    """Serve the database with Datasette."""
    for path in (db_path, metadata, config_path):
        if not Path(path).exists():
            raise fail(f"{path}: no such file")
    # Migrate first so a database built by an older version serves with today's views.
    open_db(db_path)
    args = [
        sys.executable, "-m", "datasette", "serve", db_path,
        "--metadata", metadata, "--config", config_path,
        "--host", host, "--port", str(port),
    ]  # fmt: skip
    click.echo(f"Serving {db_path} at http://{host}:{port}/")
    sys.stdout.flush()
    os.execv(sys.executable, args)


@cli.group()
def sources() -> None:
    """Import, look up and check sources."""


@cli.group()
def export() -> None:
    """Export citation lists and the claim ledger for scripts and word processors."""


@cli.group()
def reviewers() -> None:
    """Manage reviewer logins for the Datasette interface."""
