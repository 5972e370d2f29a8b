"""Schema for newsroom scale (issue 13): review state as an indexed table, facet indexes and
the near-duplicate quote index.

``review_state`` holds one row per claim and per quote with everything ``claim_status`` /
``quote_status`` used to aggregate on every lookup. Triggers on claims, quotes, flags,
resolutions and citations keep it current, each touching only the one record a write concerns
(indexed lookups, never a scan), and the two views now read it, keeping their columns.

``quote_shingles`` lists each quotation's word 3-grams (as 64-bit hashes): cross-article
near-duplicates are found by looking a new article's shingles up in its index instead of
comparing every quotation with every other (:mod:`claims.duplicates`).
"""

from __future__ import annotations

import sqlite_utils

from .db import index_foreign_keys, migrations

KINDS = ("claim", "quote")


def members_sql(kind: str) -> str:
    """The records whose flags count for the review_state row being recomputed (correlated on
    ``review_state.record_id``): the record and its predecessors of unchanged text, the run
    that shares its ``text_origin_id`` (issue 12); a record without one is a run of one."""
    table = f"{kind}s"
    return (
        f"SELECT review_state.record_id UNION SELECT o.id FROM {table} c "
        f"JOIN {table} o ON o.text_origin_id = c.text_origin_id AND o.id < c.id WHERE c.id = review_state.record_id"
    )


def affected_sql(kind: str, target: str) -> str:
    """The records whose review state a flag or resolution on record ``target`` changes: it
    and its successors of unchanged text."""
    table = f"{kind}s"
    return (
        f"SELECT {target} UNION SELECT o.id FROM {table} t "
        f"JOIN {table} o ON o.text_origin_id = t.text_origin_id AND o.id > t.id WHERE t.id = {target}"
    )


def recompute_sql(kind: str, target: str) -> str:
    """Statements (for a trigger body) that recompute review_state for the ``kind`` records a
    write to record ``target`` (a SQL expression, e.g. ``NEW.claim_id``) affects.

    Triggers cannot use WITH, so each derived column is a correlated subquery on the flags or
    resolutions of the records concerned only (both indexed on their foreign keys).
    """
    key = f"{kind}_id"
    members = members_sql(kind)
    mine = f"SELECT id FROM flags WHERE {key} IN ({members})"
    me = f"review_state.kind = '{kind}' AND review_state.record_id IN ({affected_sql(kind, target)})"
    return f"""
        UPDATE review_state SET
            flags = (SELECT count(*) FROM flags WHERE {key} IN ({members})),
            reviewers = (SELECT count(DISTINCT reviewer) FROM flags WHERE {key} IN ({members})),
            latest_flag_id = (SELECT max(id) FROM flags WHERE {key} IN ({members})),
            resolution_id = (SELECT max(r.id) FROM resolutions r WHERE r.flag_id IN ({mine})),
            -- Each reviewer's own latest flag: a reviewer who changes their mind does not
            -- disagree with themselves.
            disagree = coalesce((
                SELECT max(f.verdict = 'supported') AND max(f.verdict <> 'supported') FROM flags f
                WHERE f.id IN (SELECT max(id) FROM flags WHERE {key} IN ({members}) GROUP BY reviewer)
            ), 0)
        WHERE {me};
        -- Resolved while the editor's latest resolution covers the latest flag; a newer flag
        -- reopens it.
        UPDATE review_state SET resolved = coalesce(
            (SELECT r.flag_id FROM resolutions r WHERE r.id = review_state.resolution_id) >= latest_flag_id, 0)
        WHERE {me};
        UPDATE review_state SET (latest_verdict, latest_reason, latest_by, latest_at) = (
            SELECT verdict, note, editor, created_at FROM resolutions WHERE id = review_state.resolution_id)
        WHERE {me} AND resolved;
        UPDATE review_state SET (latest_verdict, latest_reason, latest_by, latest_at) = (
            SELECT verdict, reason, reviewer, created_at FROM flags WHERE id = review_state.latest_flag_id)
        WHERE {me} AND NOT resolved;
        UPDATE review_state SET status = {status_sql(kind)}
        WHERE {me};
    """


def status_sql(kind: str) -> str:
    """The status of a review_state row, from its other columns; an edited record nobody has
    flagged since the edit needs re-review (its run began with an edit)."""
    table = f"{kind}s"
    return f"""CASE
            WHEN flags = 0 AND (
                SELECT o.anchor FROM {table} c JOIN {table} o ON o.id = c.text_origin_id WHERE c.id = review_state.record_id
            ) = 'edited' THEN 'needs re-review'
            WHEN flags = 0 THEN 'not reviewed'
            WHEN resolved AND latest_verdict = 'supported' THEN 'supported'
            WHEN resolved THEN 'not supported'
            WHEN disagree THEN 'disputed'
            WHEN latest_verdict = 'supported' THEN 'supported'
            ELSE 'not supported'
        END"""


def sources_sql(kind: str, target: str) -> str:
    """Recount the distinct sources linked to one record (after a citation changes)."""
    return f"""
        UPDATE review_state SET sources = (
            SELECT count(DISTINCT source_id) FROM citations WHERE {kind}_id = {target})
        WHERE kind = '{kind}' AND record_id = {target};
    """


def status_view_sql(kind: str) -> str:
    """claim_status / quote_status over review_state, with the columns m021's views had.

    LEFT JOIN on the record's primary key: a query that reads no text (a facet count, say)
    lets SQLite drop the join and stay on review_state's indexes."""
    extra = "s.checkworthiness" if kind == "claim" else "s.attribution_kind"
    return f"""
    SELECT s.record_id AS {kind}_id, s.article_id, t.text, {extra},
           s.flags, s.reviewers, s.latest_verdict, s.latest_reason, s.latest_by, s.latest_at,
           s.disagree, s.sources, s.resolved, s.status, t.anchor, t.carried_from, s.is_current
    FROM review_state s LEFT JOIN {kind}s t ON t.id = s.record_id
    WHERE s.kind = '{kind}'
    """


def create_review_triggers(db: sqlite_utils.Database) -> None:
    """The triggers that keep review_state current (dropped and recreated, so idempotent)."""
    for kind in KINDS:
        table, key = f"{kind}s", f"{kind}_id"
        extra_col = "checkworthiness" if kind == "claim" else "attribution_kind"
        statements = {
            # Created first so it fires after the insert below (SQLite fires the newest first):
            # a record carried into a new version inherits its predecessors' reviews.
            f"{table}_review_state_carried": (
                f"AFTER INSERT ON {table} WHEN NEW.anchor <> 'new'",
                recompute_sql(kind, "NEW.id"),
            ),
            f"{table}_review_state_insert": (
                f"AFTER INSERT ON {table}",
                f"INSERT INTO review_state (kind, record_id, article_id, {extra_col}, is_current) "
                f"VALUES ('{kind}', NEW.id, NEW.article_id, NEW.{extra_col}, "
                f"coalesce((SELECT is_current FROM articles WHERE id = NEW.article_id), 1));",
            ),
            f"{table}_review_state_update": (
                f"AFTER UPDATE OF article_id, {extra_col} ON {table}",
                f"UPDATE review_state SET article_id = NEW.article_id, {extra_col} = NEW.{extra_col} "
                f"WHERE kind = '{kind}' AND record_id = NEW.id;",
            ),
            f"{table}_review_state_delete": (
                f"AFTER DELETE ON {table}",
                f"DELETE FROM review_state WHERE kind = '{kind}' AND record_id = OLD.id;",
            ),
            f"flags_review_state_{kind}": (
                f"AFTER INSERT ON flags WHEN NEW.{key} IS NOT NULL",
                recompute_sql(kind, f"NEW.{key}"),
            ),
            f"resolutions_review_state_{kind}": (
                f"AFTER INSERT ON resolutions WHEN (SELECT {key} FROM flags WHERE id = NEW.flag_id) IS NOT NULL",
                recompute_sql(kind, f"(SELECT {key} FROM flags WHERE id = NEW.flag_id)"),
            ),
            f"citations_review_state_{kind}_insert": (
                f"AFTER INSERT ON citations WHEN NEW.{key} IS NOT NULL",
                sources_sql(kind, f"NEW.{key}"),
            ),
            f"citations_review_state_{kind}_delete": (
                f"AFTER DELETE ON citations WHEN OLD.{key} IS NOT NULL",
                sources_sql(kind, f"OLD.{key}"),
            ),
            f"citations_review_state_{kind}_update": (
                f"AFTER UPDATE OF {key}, source_id ON citations",
                sources_sql(kind, f"OLD.{key}") + sources_sql(kind, f"NEW.{key}"),
            ),
        }
        for name, (when, body) in statements.items():
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    db.execute("DROP TRIGGER IF EXISTS articles_review_state_current")
    db.execute(
        "CREATE TRIGGER articles_review_state_current AFTER UPDATE OF is_current ON articles BEGIN "
        "UPDATE review_state SET is_current = NEW.is_current WHERE article_id = NEW.id; END"
    )


@migrations()
def m140_review_state(db: sqlite_utils.Database) -> None:
    db["review_state"].create(
        {
            "kind": str,
            "record_id": int,
            "article_id": int,
            "checkworthiness": float,
            "attribution_kind": str,
            "flags": int,
            "reviewers": int,
            "latest_flag_id": int,
            "resolution_id": int,
            "latest_verdict": str,
            "latest_reason": str,
            "latest_by": str,
            "latest_at": str,
            "disagree": int,
            "sources": int,
            "resolved": int,
            "status": str,
            "is_current": int,
        },
        pk=("kind", "record_id"),
        not_null={"kind", "record_id", "article_id", "flags", "reviewers", "disagree", "sources", "resolved", "status",
                  "is_current"},  # fmt: skip
        defaults={"flags": 0, "reviewers": 0, "disagree": 0, "sources": 0, "resolved": 0, "status": "not reviewed",
                  "is_current": 1},  # fmt: skip
        foreign_keys=[("article_id", "articles", "id")],
    )
    # Fill it from the old aggregating views once, then point the views at the table.
    for kind in KINDS:
        extra = "checkworthiness" if kind == "claim" else "attribution_kind"
        db.execute(
            f"""
            INSERT INTO review_state (kind, record_id, article_id, {extra}, flags, reviewers, latest_verdict,
                latest_reason, latest_by, latest_at, disagree, sources, resolved, status, is_current)
            SELECT '{kind}', v.{kind}_id, v.article_id, v.{extra}, v.flags, v.reviewers, v.latest_verdict,
                v.latest_reason, v.latest_by, v.latest_at, v.disagree, v.sources, v.resolved, v.status, v.is_current
            FROM {kind}_status v
            """
        )
        db.execute(f"DROP VIEW IF EXISTS {kind}_status")
        db.create_view(f"{kind}_status", status_view_sql(kind))
    create_review_triggers(db)
    # The latest flag and resolution of each row's run of versions, as the triggers keep them.
    for kind in KINDS:
        members = members_sql(kind)
        db.execute(
            f"""UPDATE review_state SET
                latest_flag_id = (SELECT max(id) FROM flags WHERE {kind}_id IN ({members})),
                resolution_id = (SELECT max(r.id) FROM resolutions r WHERE r.flag_id IN (
                    SELECT id FROM flags WHERE {kind}_id IN ({members})))
            WHERE kind = '{kind}' AND flags > 0"""
        )
    state = db["review_state"]
    # Every review list's filter and sort, and every facet of the status views.
    state.create_index(["kind", "status"])
    state.create_index(["kind", "latest_verdict"])
    state.create_index(["kind", "resolved"])
    state.create_index(["kind", "article_id", "record_id"])
    db.execute(
        "CREATE INDEX review_state_needs_review ON review_state "
        "((status = 'needs re-review') DESC, checkworthiness DESC, record_id) "
        "WHERE kind = 'claim' AND flags = 0 AND is_current = 1"
    )
    db.execute(
        "CREATE INDEX review_state_not_supported ON review_state (article_id, kind, record_id) "
        "WHERE flags > 0 AND latest_verdict <> 'supported' AND is_current = 1"
    )
    db.execute(
        "CREATE INDEX review_state_disputed ON review_state (article_id, kind, record_id) "
        "WHERE disagree = 1 AND resolved = 0 AND is_current = 1"
    )
    # Facet columns of metadata.yml's tables (foreign keys are indexed already).
    for table, columns in {
        "quotes": [["kind"], ["attribution_kind", "id"]],
        "claims": [["category"], ["section"], ["hedged"]],
        "citations": [["relation"], ["design"], ["population"]],
        "flags": [["verdict"], ["reviewer", "id"]],
        "source_merges": [["matched_on"], ["origin"]],
        "quote_checks": [["result", "score", "quote_id"]],
    }.items():
        for cols in columns:
            db[table].create_index(cols, if_not_exists=True)
    db["findings"].create_index(["kind", "article_id"], if_not_exists=True)
    db["findings"].create_index(["kind", "related_quote_id"], if_not_exists=True)

    db["quote_shingles"].create(
        {"shingle": int, "quote_id": int, "article_id": int},
        foreign_keys=[("quote_id", "quotes", "id"), ("article_id", "articles", "id")],
    )
    db["quote_shingles"].create_index(["shingle", "quote_id"])
    index_foreign_keys(db)
    from .duplicates import reindex_all

    reindex_all(db)


@migrations()
def m141_more_facet_indexes(db: sqlite_utils.Database) -> None:
    # quote_status's attribution_kind facet reads review_state; source_keys (issue 12) facets on kind.
    db["review_state"].create_index(["kind", "attribution_kind"], if_not_exists=True)
    if db["source_keys"].exists():
        db["source_keys"].create_index(["kind"], if_not_exists=True)
