"""Database access and the schema, created and upgraded with sqlite-utils ``Migrations``.

Every table, column and view here is documented in ``docs/schema.md``; a test keeps the two in
step. Migrations are append-only: never edit one that has shipped, add a new one after it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

# Re-exported: callers import these from claims.db.
from . import connections
from .connections import (  # noqa: F401
    DatabaseBusyError,
    DatabaseOpenError,
    begin_immediate,
    check_integrity,
    closing_opened,
    configure_connection,
    describe_sqlite_error,
    transaction,
)

migrations = Migrations("claims")


def _claims_status(db: sqlite_utils.Database) -> str:
    """``new`` (no tables yet), ``claims`` (has claims migrations) or ``foreign``."""
    names = {row[0] for row in db.execute("select name from sqlite_master where type in ('table', 'view')")}
    names = {n for n in names if not n.startswith("sqlite_")}
    if not names:
        return "new"
    if migrations.migrations_table in names:
        found = db.execute(
            f"select 1 from [{migrations.migrations_table}] where migration_set = ? limit 1", [migrations.name]
        ).fetchone()
        if found:
            return "claims"
    return "foreign"


def open_db(path: str | Path, *, create: bool = True, migrate: bool | None = None) -> sqlite_utils.Database:
    """Open a claims database with foreign keys enforced and a busy timeout.

    ``create=True`` (the default) creates the file if it is missing; ``migrate`` (default: the
    same as ``create``) applies pending migrations, switches the file to WAL and first runs
    ``PRAGMA quick_check`` (unless the file is as a claims write command left it at its clean
    close: :mod:`claims.integrity`). Read commands pass ``create=False`` and leave the file
    exactly as it was. Either way a file that is not a claims database (it has tables but no claims
    migrations) is refused before anything is written to it.
    """
    path = Path(path)
    if migrate is None:
        migrate = create
    if not create and not path.exists():
        raise FileNotFoundError(f"{path}: no such database (run `claims build` or `claims ingest` first)")
    if path.is_dir():
        raise DatabaseOpenError(f"{path}: is a directory, not a database file")
    if path.exists() and not path.is_file():
        raise DatabaseOpenError(f"{path}: not a regular file (a FIFO, device or socket), not a database")
    if migrate:
        connections.check_writable(path)
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        connections.track(db)
        configure_connection(db.conn)
        # SQLite opens lazily: read the schema now, so a file that is not a database fails
        # here with its name, not later in the middle of a command.
        status = _claims_status(db)
        if status == "foreign":
            raise DatabaseOpenError(
                f"{path}: not a claims database (it has tables but no claims migrations); "
                "left unchanged: give --db a claims database or a new file name"
            )
        if migrate:
            if status == "claims":
                check_integrity(db, path)
            connections.track_writer(db, path)
            if db.journal_mode != "wal":
                db.enable_wal()
            ensure_schema(db)
        elif status == "new":
            raise DatabaseOpenError(f"{path}: empty, not a claims database yet (run `claims build` or `claims ingest` first)")
        elif migrations.pending(db):
            # Read commands never migrate: say so rather than fail on a missing column later.
            raise DatabaseOpenError(
                f"{path}: made by an older version of claims; run `claims build` or `claims ingest` "
                "to upgrade it first (read commands leave it unchanged)"
            )
    except OSError as e:
        raise DatabaseOpenError(f"{path}: cannot create the database's folder ({e.strerror or e})") from None
    except sqlite3.DatabaseError as e:
        raise DatabaseOpenError(f"{path}: {describe_sqlite_error(e)}") from None
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Apply pending migrations; running it again is a no-op.

    Under the write lock, so two processes opening a database at once migrate it once.
    """
    if migrations.pending(db):
        with transaction(db):
            if migrations.pending(db):
                migrations.apply(db)


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


@migrations()
def m010_source_fields(db: sqlite_utils.Database) -> None:
    # Flattened from sources.csl so reviewers can filter and facet without parsing JSON.
    sources = db["sources"]
    for column, kind in (
        ("authors", str),
        ("year", int),
        ("container_title", str),
        ("pmcid", str),
        ("isbn", str),
        ("title_key", str),
        ("notices", str),
        ("retraction_doi", str),
        ("checked_at", str),
    ):
        sources.add_column(column, kind)
    sources.add_column("retracted", int, not_null_default=0)
    for column in ("type", "year", "container_title", "pmcid", "isbn", "url", "retracted"):
        sources.create_index([column], if_not_exists=True)
    # Same normalised title in the same year is one work: the merge lookup needs both.
    sources.create_index(["title_key", "year"], if_not_exists=True)

    db["source_merges"].create(
        {
            "id": int,
            "source_id": int,
            "matched_on": str,
            "origin": str,
            "incoming_key": str,
            "fields": str,
            "incoming": str,
            "merged_at": str,
        },
        pk="id",
        not_null={"source_id", "matched_on", "origin", "fields", "incoming", "merged_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["lookup_cache"].create(
        {
            "id": int,
            "service": str,
            "identifier": str,
            "url": str,
            "status": int,
            "body": str,
            "fetched_at": str,
        },
        pk="id",
        not_null={"service", "identifier", "url", "status", "body", "fetched_at"},
    )
    db["lookup_cache"].create_index(["service", "identifier"], unique=True)
    index_foreign_keys(db)


# --- reviewers (issue 4): migrations m020-m029 go below this line, in order ---

# The verdict vocabulary, shared by flags and resolutions (claims.flags.VERDICTS mirrors it).
_VERDICTS_SQL = "'supported', 'unsupported', 'misquoted', 'misattributed', 'overstated', 'needs_source'"


@migrations()
def m020_flags(db: sqlite_utils.Database) -> None:
    db["flags"].create(
        {
            "id": int,
            "claim_id": int,
            "quote_id": int,
            "verdict": str,
            "reason": str,
            "source_id": int,
            "reviewer": str,
            "created_at": str,
        },
        pk="id",
        not_null={"verdict", "reviewer", "created_at"},
        foreign_keys=[
            ("claim_id", "claims", "id"),
            ("quote_id", "quotes", "id"),
            ("source_id", "sources", "id"),
        ],
    )
    db["resolutions"].create(
        {"id": int, "flag_id": int, "verdict": str, "note": str, "editor": str, "created_at": str},
        pk="id",
        not_null={"flag_id", "verdict", "editor", "created_at"},
        foreign_keys=[("flag_id", "flags", "id")],
    )
    # Datasette's connections do not enforce foreign keys, and its writable queries pass form
    # values straight through, so these triggers are the real guard: each names the problem.
    db.execute(
        f"""
        CREATE TRIGGER flags_check_insert BEFORE INSERT ON flags
        BEGIN
            SELECT RAISE(ABORT, 'flags: exactly one of claim_id or quote_id is required')
            WHERE (NEW.claim_id IS NULL) = (NEW.quote_id IS NULL);
            SELECT RAISE(ABORT, 'flags: claim_id does not match any claim')
            WHERE NEW.claim_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id);
            SELECT RAISE(ABORT, 'flags: quote_id does not match any quote')
            WHERE NEW.quote_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM quotes WHERE id = NEW.quote_id);
            SELECT RAISE(ABORT, 'flags: source_id does not match any source')
            WHERE NEW.source_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM sources WHERE id = NEW.source_id);
            SELECT RAISE(ABORT, 'flags: verdict must be one of supported, unsupported, misquoted, misattributed, overstated, needs_source')
            WHERE NEW.verdict IS NULL OR NEW.verdict NOT IN ({_VERDICTS_SQL});
            SELECT RAISE(ABORT, 'flags: a reason is required unless the verdict is supported')
            WHERE NEW.verdict <> 'supported' AND trim(coalesce(NEW.reason, '')) = '';
            SELECT RAISE(ABORT, 'flags: reviewer is required (log in to flag)')
            WHERE trim(coalesce(NEW.reviewer, '')) = '';
        END
        """
    )
    db.execute(
        f"""
        CREATE TRIGGER resolutions_check_insert BEFORE INSERT ON resolutions
        BEGIN
            SELECT RAISE(ABORT, 'resolutions: nothing to resolve: the claim or quote has no flags')
            WHERE NEW.flag_id IS NULL;
            SELECT RAISE(ABORT, 'resolutions: flag_id does not match any flag')
            WHERE NOT EXISTS (SELECT 1 FROM flags WHERE id = NEW.flag_id);
            SELECT RAISE(ABORT, 'resolutions: verdict must be one of supported, unsupported, misquoted, misattributed, overstated, needs_source')
            WHERE NEW.verdict IS NULL OR NEW.verdict NOT IN ({_VERDICTS_SQL});
            SELECT RAISE(ABORT, 'resolutions: a note is required unless the verdict is supported')
            WHERE NEW.verdict <> 'supported' AND trim(coalesce(NEW.note, '')) = '';
            SELECT RAISE(ABORT, 'resolutions: editor is required (log in to resolve)')
            WHERE trim(coalesce(NEW.editor, '')) = '';
        END
        """
    )
    # Append-only: a reviewer changes their mind with a new flag, an editor with a new resolution.
    for table in ("flags", "resolutions"):
        for event in ("UPDATE", "DELETE"):
            db.execute(
                f"""
                CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                BEGIN
                    SELECT RAISE(ABORT, '{table} are append-only: add a new row instead of changing or deleting one');
                END
                """
            )
    index_foreign_keys(db)


def _status_view_sql(kind: str) -> str:
    """The body of claim_status / quote_status: one row per claim or quote, flagged or not.

    Used by m021 only: to change a view, add a migration that drops and recreates it with new SQL.
    """
    table, key = f"{kind}s", f"{kind}_id"
    extra = "c.checkworthiness," if kind == "claim" else "c.attribution_kind,"
    return f"""
    WITH counts AS (
        SELECT {key}, count(*) AS flags, count(DISTINCT reviewer) AS reviewers, max(id) AS latest_flag_id
        FROM flags WHERE {key} IS NOT NULL GROUP BY {key}
    ),
    -- Each reviewer's own latest flag: a reviewer who changes their mind does not disagree
    -- with themselves.
    current AS (
        SELECT {key}, max(id) AS flag_id FROM flags WHERE {key} IS NOT NULL GROUP BY {key}, reviewer
    ),
    split AS (
        SELECT current.{key},
               max(f.verdict = 'supported') AND max(f.verdict <> 'supported') AS disagree
        FROM current JOIN flags f ON f.id = current.flag_id
        GROUP BY current.{key}
    ),
    latest_resolution AS (
        SELECT f.{key}, max(r.id) AS resolution_id
        FROM resolutions r JOIN flags f ON f.id = r.flag_id
        WHERE f.{key} IS NOT NULL GROUP BY f.{key}
    ),
    linked AS (
        SELECT {key}, count(DISTINCT source_id) AS sources
        FROM citations WHERE {key} IS NOT NULL GROUP BY {key}
    ),
    joined AS (
        SELECT c.id AS {key}, c.article_id, c.text, {extra}
               coalesce(counts.flags, 0) AS flags,
               coalesce(counts.reviewers, 0) AS reviewers,
               lf.verdict AS flag_verdict, lf.reason AS flag_reason,
               lf.reviewer AS flag_reviewer, lf.created_at AS flag_at,
               coalesce(split.disagree, 0) AS disagree,
               coalesce(linked.sources, 0) AS sources,
               -- Resolved while the editor's latest resolution covers the latest flag; a newer
               -- flag reopens it.
               coalesce(r.flag_id >= counts.latest_flag_id, 0) AS resolved,
               r.verdict AS resolution_verdict, r.note AS resolution_note,
               r.editor AS resolution_editor, r.created_at AS resolution_at
        FROM {table} c
        LEFT JOIN counts ON counts.{key} = c.id
        LEFT JOIN flags lf ON lf.id = counts.latest_flag_id
        LEFT JOIN split ON split.{key} = c.id
        LEFT JOIN latest_resolution lr ON lr.{key} = c.id
        LEFT JOIN resolutions r ON r.id = lr.resolution_id
        LEFT JOIN linked ON linked.{key} = c.id
    )
    SELECT {key}, article_id, text, {extra.replace("c.", "")}
           flags, reviewers,
           CASE WHEN resolved THEN resolution_verdict ELSE flag_verdict END AS latest_verdict,
           CASE WHEN resolved THEN resolution_note ELSE flag_reason END AS latest_reason,
           CASE WHEN resolved THEN resolution_editor ELSE flag_reviewer END AS latest_by,
           CASE WHEN resolved THEN resolution_at ELSE flag_at END AS latest_at,
           disagree, sources, resolved,
           CASE
               WHEN flags = 0 THEN 'not reviewed'
               WHEN resolved AND resolution_verdict = 'supported' THEN 'supported'
               WHEN resolved THEN 'not supported'
               WHEN disagree THEN 'disputed'
               WHEN flag_verdict = 'supported' THEN 'supported'
               ELSE 'not supported'
           END AS status
    FROM joined
    """


@migrations()
def m021_review_status_views(db: sqlite_utils.Database) -> None:
    db.create_view("claim_status", _status_view_sql("claim"))
    db.create_view("quote_status", _status_view_sql("quote"))
    index_foreign_keys(db)


# --- evidence (issue 5): migrations m030-m039 go below this line, in order ---


@migrations()
def m030_evidence(db: sqlite_utils.Database) -> None:
    # What the source says on each link, and how strong that evidence is.
    citations = db["citations"]
    citations.add_column("stance", str, not_null_default="unassessed")
    for column in ("excerpt", "locator", "design", "population", "population_detail", "intervention"):
        citations.add_column(column, str)
    citations.add_column("sample_size", int)
    citations.add_column("editor_note", str)
    # Closed vocabularies are enforced in the database too: the web UI and scripts write here.
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER IF NOT EXISTS citations_evidence_check_{event.lower()}
            BEFORE {event} ON citations
            BEGIN
                SELECT RAISE(ABORT, 'citations: stance must be supports, refutes, mixed, not_enough_info or unassessed')
                WHERE NEW.stance NOT IN ('supports', 'refutes', 'mixed', 'not_enough_info', 'unassessed');
                SELECT RAISE(ABORT, 'citations: unknown design')
                WHERE NEW.design IS NOT NULL AND NEW.design NOT IN ('meta_analysis', 'systematic_review',
                    'rct', 'cohort', 'case_series', 'animal', 'in_vitro', 'narrative_review',
                    'expert_opinion', 'other');
                SELECT RAISE(ABORT, 'citations: population must be humans, animals, cells or none')
                WHERE NEW.population IS NOT NULL AND NEW.population NOT IN ('humans', 'animals', 'cells', 'none');
                SELECT RAISE(ABORT, 'citations: sample_size must be a positive integer')
                WHERE NEW.sample_size IS NOT NULL AND (typeof(NEW.sample_size) != 'integer' OR NEW.sample_size < 1);
            END
            """
        )
    db["citations"].create_index(["stance"], if_not_exists=True)

    db["source_texts"].create(
        {
            "source_id": int,
            "text": str,
            "sha256": str,
            "format": str,
            "file_name": str,
            "chars": int,
            "page_count": int,
            "extracted_at": str,
        },
        pk="source_id",
        not_null={"text", "sha256", "format", "chars", "extracted_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["source_pages"].create(
        {"id": int, "source_id": int, "page": int, "start": int, "end": int},
        pk="id",
        not_null={"source_id", "page", "start", "end"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["source_pages"].create_index(["source_id", "page"], unique=True)
    db["quote_checks"].create(
        {
            "id": int,
            "quote_id": int,
            "source_id": int,
            "result": str,
            "score": float,
            "start": int,
            "end": int,
            "page": int,
            "matched_text": str,
            "diff": str,
            "diff_ops": str,
            "text_sha256": str,
            "checked_at": str,
        },
        pk="id",
        not_null={"quote_id", "source_id", "result", "checked_at"},
        foreign_keys=[("quote_id", "quotes", "id"), ("source_id", "sources", "id")],
    )
    db["quote_checks"].create_index(["quote_id", "source_id"], unique=True)
    db["quote_checks"].create_index(["result"])
    db["evidence_suggestions"].create(
        {
            "id": int,
            "claim_id": int,
            "source_id": int,
            "rank": int,
            "sentence": str,
            "start": int,
            "end": int,
            "page": int,
            "score": float,
            "text_sha256": str,
        },
        pk="id",
        not_null={"claim_id", "source_id", "rank", "sentence", "start", "end", "score"},
        foreign_keys=[("claim_id", "claims", "id"), ("source_id", "sources", "id")],
    )
    db["evidence_suggestions"].create_index(["claim_id", "source_id", "rank"], unique=True)
    index_foreign_keys(db)


# --- reviewers (issue 4), follow-up: added at the end so it runs after every earlier migration ---


@migrations()
def m040_flags_no_replace(db: sqlite_utils.Database) -> None:
    """Close the gaps in m020's guards: REPLACE, loose ids and stale resolutions.

    ``INSERT OR REPLACE`` with an existing id deletes the old row without firing DELETE triggers
    (unless ``recursive_triggers`` is on), so append-only needs a BEFORE INSERT check too.
    SQLite fires the newest trigger first, so these run before m020's checks.
    """
    # The flag_* stored queries pass a non-integer id on as text rather than casting it (a cast
    # would turn 2.7 into 2 and 1e0 into 1): refuse anything but a whole number.
    db.execute(
        """
        CREATE TRIGGER flags_check_ids BEFORE INSERT ON flags
        BEGIN
            SELECT RAISE(ABORT, 'flags: claim_id must be a whole number (the id of a claim)')
            WHERE typeof(NEW.claim_id) NOT IN ('integer', 'null');
            SELECT RAISE(ABORT, 'flags: quote_id must be a whole number (the id of a quote)')
            WHERE typeof(NEW.quote_id) NOT IN ('integer', 'null');
            SELECT RAISE(ABORT, 'flags: source_id must be a whole number (the id of a source) or empty')
            WHERE typeof(NEW.source_id) NOT IN ('integer', 'null');
        END
        """
    )
    # A resolution covers the latest flag the editor reviewed: refuse it if a newer flag on the
    # same claim or quote exists. The resolve_* stored queries put these words in flag_id when
    # the request is wrong, so each gets its own message.
    db.execute(
        """
        CREATE TRIGGER resolutions_check_flag BEFORE INSERT ON resolutions
        BEGIN
            SELECT RAISE(ABORT, 'resolutions: the claim or quote id must be a whole number')
            WHERE NEW.flag_id = 'bad target id';
            SELECT RAISE(ABORT, 'resolutions: flag_id must be a whole number: the id of the latest flag you reviewed')
            WHERE NEW.flag_id = 'bad flag id';
            SELECT RAISE(ABORT, 'resolutions: flag_id is not a flag on this claim or quote')
            WHERE NEW.flag_id = 'not this target';
            SELECT RAISE(ABORT, 'resolutions: flag_id must be a whole number')
            WHERE typeof(NEW.flag_id) NOT IN ('integer', 'null');
            SELECT RAISE(ABORT, 'resolutions: a newer flag was added to this claim or quote after the one you reviewed: reload the page and review it first')
            WHERE EXISTS (
                SELECT 1 FROM flags seen JOIN flags newer
                  ON newer.id > seen.id
                 AND (newer.claim_id = seen.claim_id OR newer.quote_id = seen.quote_id)
                WHERE seen.id = NEW.flag_id
            );
        END
        """
    )
    # Created last so it fires first: an existing id is refused before anything else is checked.
    for table in ("flags", "resolutions"):
        db.execute(
            f"""
            CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
            WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
            BEGIN
                SELECT RAISE(ABORT, '{table} are append-only: that id already exists (INSERT OR REPLACE and upserts cannot overwrite a row)');
            END
            """
        )


from . import schema_speakers, schema_versions  # noqa: E402,F401

# isort: split
# Registered after the versions migrations: m140 replaces the status views m133 made.
from . import schema_scale  # noqa: E402,F401
from .schema_trace import m170_trace  # noqa: E402,F401  (issue 16's migrations register on import)

# isort: split
# Issue 13's m142 replaces m140's insert triggers, so it registers after schema_scale.
from . import schema_review_order  # noqa: E402,F401
