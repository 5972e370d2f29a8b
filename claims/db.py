"""Database access and the schema, created and upgraded with sqlite-utils ``Migrations``.

Every table, column and view here is documented in ``docs/schema.md``; a test keeps the two in
step. Migrations are append-only: never edit one that has shipped, add a new one after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("claims")


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and by default create and migrate) a claims database with foreign keys enforced."""
    path = Path(path)
    if not create and not path.exists():
        raise FileNotFoundError(f"{path}: no such database (run `claims build` or `claims ingest` first)")
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    if create:
        ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Apply pending migrations; running it again is a no-op."""
    if migrations.pending(db):
        migrations.apply(db)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One all-or-nothing unit of work: on any exception nothing of it is left behind."""
    with db.atomic():
        yield db


def index_foreign_keys(db: sqlite_utils.Database) -> None:
    """Every foreign key gets an index, so joins and cascades never scan a whole table."""
    for table in db.tables:
        # An index whose first column is the key serves lookups on it as well.
        leading = {index.columns[0] for index in table.indexes if index.columns}
        for fk in table.foreign_keys:
            if fk.column not in leading:
                table.create_index([fk.column], if_not_exists=True)


@migrations()
def m001_core(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "title": str,
            "url": str,
            "location": str,
            "text": str,
            "sha256": str,
            "format": str,
            "version": int,
            "previous_id": int,
            "ingested_at": str,
        },
        pk="id",
        not_null={"title", "location", "text", "sha256", "format", "version", "ingested_at"},
        foreign_keys=[("previous_id", "articles", "id")],
    )
    db["articles"].create_index(["sha256"])
    db["articles"].create_index(["location", "version"], unique=True)

    db["blocks"].create(
        {"id": int, "article_id": int, "seq": int, "kind": str, "level": int, "start": int, "end": int},
        pk="id",
        not_null={"article_id", "seq", "kind", "start", "end"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["links"].create(
        {"id": int, "article_id": int, "start": int, "end": int, "text": str, "href": str, "doi": str},
        pk="id",
        not_null={"article_id", "start", "end", "href"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["quotes"].create(
        {
            "id": int,
            "article_id": int,
            "text": str,
            "start": int,
            "end": int,
            "prefix": str,
            "suffix": str,
            "section": str,
            "kind": str,
            "attribution": str,
            "speaker": str,
            "attribution_kind": str,
        },
        pk="id",
        not_null={"article_id", "text", "start", "end", "kind", "attribution_kind"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["quote_fragments"].create(
        {"id": int, "quote_id": int, "seq": int, "text": str, "start": int, "end": int},
        pk="id",
        not_null={"quote_id", "seq", "text", "start", "end"},
        foreign_keys=[("quote_id", "quotes", "id")],
    )
    db["claims"].create(
        {
            "id": int,
            "article_id": int,
            "text": str,
            "start": int,
            "end": int,
            "prefix": str,
            "suffix": str,
            "section": str,
            "category": str,
            "checkworthiness": float,
            "reasons": str,
            "hedged": int,
            "quote_id": int,
        },
        pk="id",
        not_null={"article_id", "text", "start", "end", "category", "checkworthiness", "hedged"},
        foreign_keys=[("article_id", "articles", "id"), ("quote_id", "quotes", "id")],
    )
    db["sources"].create(
        {
            "id": int,
            "key": str,
            "type": str,
            "title": str,
            "doi": str,
            "pmid": str,
            "url": str,
            "note": str,
            "csl": str,
        },
        pk="id",
        not_null={"key", "type", "csl"},
    )
    db["sources"].create_index(["key"], unique=True)
    db["sources"].create_index(["doi"])
    db["sources"].create_index(["pmid"])
    db["findings"].create(
        {
            "id": int,
            "article_id": int,
            "kind": str,
            "message": str,
            "quote_id": int,
            "related_quote_id": int,
            "claim_id": int,
            "source_id": int,
            "created_at": str,
        },
        pk="id",
        not_null={"kind", "message"},
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("quote_id", "quotes", "id"),
            ("related_quote_id", "quotes", "id"),
            ("claim_id", "claims", "id"),
            ("source_id", "sources", "id"),
        ],
    )
    db["findings"].create_index(["kind"])
    db["citations"].create(
        {
            "id": int,
            "quote_id": int,
            "claim_id": int,
            "source_id": int,
            "relation": str,
            "note": str,
            "added_by": str,
            "added_at": str,
        },
        pk="id",
        not_null={"source_id", "relation", "added_by", "added_at"},
        foreign_keys=[
            ("quote_id", "quotes", "id"),
            ("claim_id", "claims", "id"),
            ("source_id", "sources", "id"),
        ],
    )
    # A citation links exactly one quote or claim; relation is a closed vocabulary.
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER IF NOT EXISTS citations_check_{event.lower()}
            BEFORE {event} ON citations
            BEGIN
                SELECT RAISE(ABORT, 'citations: exactly one of quote_id or claim_id is required')
                WHERE (NEW.quote_id IS NULL) = (NEW.claim_id IS NULL);
                SELECT RAISE(ABORT, 'citations: relation must be cited, attributed or candidate')
                WHERE NEW.relation NOT IN ('cited', 'attributed', 'candidate');
            END
            """
        )
    for table in ("quotes", "claims"):
        db[table].create_index(["article_id", "start"])
    db["quotes"].enable_fts(["text", "attribution", "speaker"], create_triggers=True)
    db["claims"].enable_fts(["text"], create_triggers=True)
    db["sources"].enable_fts(["title", "note"], create_triggers=True)
    index_foreign_keys(db)


# --- sources (issue 3): migrations m010-m019 go below this line, in order ---


# --- reviewers (issue 4): migrations m020-m029 go below this line, in order ---


# --- evidence (issue 5): migrations m030-m039 go below this line, in order ---
