"""Schema for article versions (issue 12): current versions, carried records, key aliases.

- ``articles.is_current`` / ``superseded_by``: one current version per article.
- ``article_locations``: other locations (a URL, another path) that served an article's text.
- ``quotes`` / ``claims``: ``carried_from`` (the counterpart in the previous version), ``anchor``
  (exact, moved, edited or new) and ``text_origin_id`` (the first record of the run of versions
  whose text is unchanged; the status views count the flags of that whole run).
- ``source_keys``: every citation key a source was ever known by, letter case ignored.
- ``claim_status`` / ``quote_status``: rebuilt to follow reviews through versions.

Migrations m130-m139 belong to this module; they never change a shipped migration.
"""

from __future__ import annotations

import sqlite_utils

from .db import index_foreign_keys, migrations

ANCHORS = ("exact", "moved", "edited", "new")
_ANCHORS_SQL = ", ".join(f"'{a}'" for a in ANCHORS)


def _add_reference(db: sqlite_utils.Database, table: str, column: str, other: str) -> None:
    # ALTER TABLE, not sqlite-utils' add_column(fk=...): that rebuilds the table, which drops
    # its triggers (the FTS ones included).
    db.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] INTEGER REFERENCES [{other}](id)")


@migrations()
def m130_article_versions(db: sqlite_utils.Database) -> None:
    articles = db["articles"]
    articles.add_column("is_current", int, not_null_default=1)
    _add_reference(db, "articles", "superseded_by", "articles")
    # Before this migration a version's successor was only known through previous_id.
    db.execute(
        """
        update articles set
          superseded_by = (select max(n.id) from articles n where n.previous_id = articles.id),
          is_current = not exists (select 1 from articles n where n.previous_id = articles.id)
        """
    )
    articles.create_index(["is_current"], if_not_exists=True)
    articles.create_index(["previous_id"], if_not_exists=True)
    db["article_locations"].create(
        {"id": int, "location": str, "article_id": int, "recorded_at": str},
        pk="id",
        not_null={"location", "article_id", "recorded_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_locations"].create_index(["location"], unique=True)
    index_foreign_keys(db)


@migrations()
def m131_carried_records(db: sqlite_utils.Database) -> None:
    for table in ("quotes", "claims"):
        t = db[table]
        _add_reference(db, table, "carried_from", table)
        t.add_column("anchor", str, not_null_default="new")
        t.add_column("text_origin_id", int)
        db.execute(f"update [{table}] set text_origin_id = id")
        t.create_index(["text_origin_id"], if_not_exists=True)
        t.create_index(["anchor"], if_not_exists=True)
        for event in ("INSERT", "UPDATE"):
            db.execute(
                f"""
                CREATE TRIGGER {table}_anchor_check_{event.lower()} BEFORE {event} ON [{table}]
                BEGIN
                    SELECT RAISE(ABORT, '{table}: anchor must be exact, moved, edited or new')
                    WHERE NEW.anchor NOT IN ({_ANCHORS_SQL});
                    SELECT RAISE(ABORT, '{table}: a new record is carried from nothing; exact, moved and edited ones name carried_from')
                    WHERE (NEW.anchor = 'new') <> (NEW.carried_from IS NULL);
                END
                """
            )
    index_foreign_keys(db)


@migrations()
def m132_source_keys(db: sqlite_utils.Database) -> None:
    db["source_keys"].create(
        {"id": int, "key": str, "source_id": int, "kind": str, "origin": str, "added_at": str},
        pk="id",
        not_null={"key", "source_id", "kind", "origin", "added_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    # Keys differing only in letter case are one key (citeproc lower-cases ids).
    db.execute("CREATE UNIQUE INDEX source_keys_key_nocase ON source_keys(key COLLATE NOCASE)")
    index_foreign_keys(db)
    from .source_keys import backfill

    backfill(db)


def _status_view_sql(kind: str) -> str:
    """claim_status / quote_status with versions: a record's flags are its own plus those of
    its predecessors of unchanged text (same ``text_origin_id``, lower id); an edited record
    nobody has flagged since the edit ``needs re-review``. Columns as in m021, plus three."""
    table, key = f"{kind}s", f"{kind}_id"
    extra = "c.checkworthiness," if kind == "claim" else "c.attribution_kind,"
    return f"""
    WITH lineage AS (
        -- The record itself, and its predecessors of unchanged text. A record written without
        -- text_origin_id (by a writer that knows nothing of versions) is a run of one.
        SELECT c.id AS {key}, c.id AS member FROM {table} c
        UNION ALL
        SELECT c.id, o.id FROM {table} c
        JOIN {table} o ON o.text_origin_id = c.text_origin_id AND o.id < c.id
    ),
    lineage_flags AS (
        SELECT l.{key}, f.id, f.reviewer, f.verdict
        FROM lineage l JOIN flags f ON f.{key} = l.member
    ),
    counts AS (
        SELECT {key}, count(*) AS flags, count(DISTINCT reviewer) AS reviewers, max(id) AS latest_flag_id
        FROM lineage_flags GROUP BY {key}
    ),
    -- Each reviewer's own latest flag: a reviewer who changes their mind does not disagree
    -- with themselves.
    current AS (
        SELECT {key}, max(id) AS flag_id FROM lineage_flags GROUP BY {key}, reviewer
    ),
    split AS (
        SELECT current.{key},
               max(f.verdict = 'supported') AND max(f.verdict <> 'supported') AS disagree
        FROM current JOIN flags f ON f.id = current.flag_id
        GROUP BY current.{key}
    ),
    latest_resolution AS (
        SELECT lf.{key}, max(r.id) AS resolution_id
        FROM resolutions r JOIN lineage_flags lf ON lf.id = r.flag_id
        GROUP BY lf.{key}
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
               r.editor AS resolution_editor, r.created_at AS resolution_at,
               c.anchor, c.carried_from, a.is_current,
               origin.anchor AS origin_anchor
        FROM {table} c
        JOIN articles a ON a.id = c.article_id
        LEFT JOIN {table} origin ON origin.id = c.text_origin_id
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
               WHEN flags = 0 AND origin_anchor = 'edited' THEN 'needs re-review'
               WHEN flags = 0 THEN 'not reviewed'
               WHEN resolved AND resolution_verdict = 'supported' THEN 'supported'
               WHEN resolved THEN 'not supported'
               WHEN disagree THEN 'disputed'
               WHEN flag_verdict = 'supported' THEN 'supported'
               ELSE 'not supported'
           END AS status,
           anchor, carried_from, is_current
    FROM joined
    """


@migrations()
def m133_status_views_follow_versions(db: sqlite_utils.Database) -> None:
    for kind in ("claim", "quote"):
        db.execute(f"DROP VIEW IF EXISTS {kind}_status")
        db.create_view(f"{kind}_status", _status_view_sql(kind))
