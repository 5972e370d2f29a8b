"""Needs review served from an index (issue 13, migration m142).

The Needs review list orders unflagged claims and quotations by: needs re-review first, then a
quotation the quote check found altered or missing (for a claim: the quotation it leans on),
then check-worthiness (a quotation's is the highest of the claims leaning on it), then the
number of findings, then place in the article. It computed the last three per row, for every
unflagged record, on every page: 3 s and "SQL Interrupted" at a million claims.

``review_state`` now stores those sort keys (``quote_check``, ``priority``, ``findings``,
``start``) and whether a record is on the list at all (``listed``: every claim, quotations of
kind ``source``), kept current by triggers on claims, quotes, findings and quote_checks, each
touching only the rows a write concerns. A partial index in the list's order serves a page by
reading its hundred rows.
"""

from __future__ import annotations

import sqlite_utils

from .db import migrations

BAD_CHECKS = "('altered', 'not_found')"


def _quote_check_sql(quote_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM quote_checks WHERE quote_id = {quote_id} AND result IN {BAD_CHECKS})"


def _quote_priority_sql(quote_id: str) -> str:
    return f"(SELECT max(checkworthiness) FROM claims WHERE quote_id = {quote_id})"


def _set_quote(quote_id: str) -> str:
    """Recompute the quotation's priority (its claims' highest check-worthiness)."""
    return (
        f"UPDATE review_state SET priority = {_quote_priority_sql(quote_id)} "
        f"WHERE kind = 'quote' AND record_id = {quote_id};"
    )


def _set_checks(quote_id: str) -> str:
    """Recompute the quote-check key of a quotation and of the claims leaning on it."""
    return (
        f"UPDATE review_state SET quote_check = {_quote_check_sql(quote_id)} "
        f"WHERE kind = 'quote' AND record_id = {quote_id};"
        f"UPDATE review_state SET quote_check = {_quote_check_sql(quote_id)} "
        f"WHERE kind = 'claim' AND record_id IN (SELECT id FROM claims WHERE quote_id = {quote_id});"
    )


def _count_findings(row: str, sign: str) -> str:
    """Add ``sign`` 1 to the findings count of each record the finding ``row`` names (a
    quotation named as both quote and related quote counts once, as the list counted)."""
    return (
        f"UPDATE review_state SET findings = findings {sign} 1 WHERE kind = 'claim' AND record_id = {row}.claim_id;"
        f"UPDATE review_state SET findings = findings {sign} 1 WHERE kind = 'quote' AND record_id = {row}.quote_id;"
        f"UPDATE review_state SET findings = findings {sign} 1 WHERE kind = 'quote' AND record_id = {row}.related_quote_id "
        f"AND {row}.related_quote_id IS NOT {row}.quote_id;"
    )


TRIGGERS = {
    "claims_review_order_update": (
        "AFTER UPDATE OF checkworthiness, quote_id, start ON claims",
        "UPDATE review_state SET priority = NEW.checkworthiness, start = NEW.start, "
        f"quote_check = NEW.quote_id IS NOT NULL AND {_quote_check_sql('NEW.quote_id')} "
        "WHERE kind = 'claim' AND record_id = NEW.id;"
        + _set_quote("OLD.quote_id") + _set_quote("NEW.quote_id"),
    ),
    "claims_review_order_delete": ("AFTER DELETE ON claims WHEN OLD.quote_id IS NOT NULL", _set_quote("OLD.quote_id")),
    "quotes_review_order_update": (
        "AFTER UPDATE OF kind, start ON quotes",
        "UPDATE review_state SET start = NEW.start, listed = NEW.kind = 'source' WHERE kind = 'quote' AND record_id = NEW.id;",
    ),
    "findings_review_order_insert": ("AFTER INSERT ON findings", _count_findings("NEW", "+")),
    "findings_review_order_delete": ("AFTER DELETE ON findings", _count_findings("OLD", "-")),
    "findings_review_order_update": (
        "AFTER UPDATE OF claim_id, quote_id, related_quote_id ON findings",
        _count_findings("OLD", "-") + _count_findings("NEW", "+"),
    ),
    "quote_checks_review_order_insert": ("AFTER INSERT ON quote_checks", _set_checks("NEW.quote_id")),
    "quote_checks_review_order_update": (
        "AFTER UPDATE OF quote_id, result ON quote_checks",
        _set_checks("OLD.quote_id") + _set_checks("NEW.quote_id"),
    ),
    "quote_checks_review_order_delete": ("AFTER DELETE ON quote_checks", _set_checks("OLD.quote_id")),
    # m140's insert triggers, replaced by ones that write the sort keys too. Made last, so each
    # fires before m140's carried-review trigger (SQLite fires the newest trigger first), as the
    # one it replaces did.
    "claims_review_state_insert": (
        "AFTER INSERT ON claims",
        "INSERT INTO review_state (kind, record_id, article_id, checkworthiness, is_current, priority, start, listed, "
        "quote_check) VALUES ('claim', NEW.id, NEW.article_id, NEW.checkworthiness, "
        "coalesce((SELECT is_current FROM articles WHERE id = NEW.article_id), 1), NEW.checkworthiness, NEW.start, 1, "
        f"NEW.quote_id IS NOT NULL AND {_quote_check_sql('NEW.quote_id')});"
        + _set_quote("NEW.quote_id"),
    ),
    "quotes_review_state_insert": (
        "AFTER INSERT ON quotes",
        "INSERT INTO review_state (kind, record_id, article_id, attribution_kind, is_current, priority, start, listed, "
        "quote_check) VALUES ('quote', NEW.id, NEW.article_id, NEW.attribution_kind, "
        "coalesce((SELECT is_current FROM articles WHERE id = NEW.article_id), 1), "
        f"{_quote_priority_sql('NEW.id')}, NEW.start, NEW.kind = 'source', {_quote_check_sql('NEW.id')});",
    ),
}

# The list's filter and order, exactly as the needs_review query (datasette.yaml) writes them.
ORDER_INDEX = (
    "CREATE INDEX review_state_needs_review_order ON review_state ("
    "(status = 'needs re-review') DESC, quote_check DESC, priority IS NULL, priority DESC, findings DESC, "
    "article_id, start, kind, record_id) WHERE flags = 0 AND is_current = 1 AND listed = 1"
)


@migrations()
def m142_needs_review_order(db: sqlite_utils.Database) -> None:
    state = db["review_state"]
    for column, kind in (("priority", float), ("quote_check", int), ("findings", int), ("start", int), ("listed", int)):
        state.add_column(column, kind, not_null_default=0 if kind is int else None)
    # Backfill, each from indexed lookups per row.
    db.execute(
        f"""UPDATE review_state SET
            priority = (SELECT checkworthiness FROM claims WHERE id = record_id),
            start = (SELECT start FROM claims WHERE id = record_id),
            listed = 1,
            quote_check = coalesce((SELECT {_quote_check_sql('c.quote_id')} FROM claims c WHERE c.id = record_id), 0),
            findings = (SELECT count(*) FROM findings WHERE claim_id = record_id)
        WHERE kind = 'claim'"""
    )
    db.execute(
        f"""UPDATE review_state SET
            priority = {_quote_priority_sql('record_id')},
            start = (SELECT start FROM quotes WHERE id = record_id),
            listed = coalesce((SELECT kind = 'source' FROM quotes WHERE id = record_id), 0),
            quote_check = {_quote_check_sql('record_id')},
            findings = (SELECT count(*) FROM findings WHERE quote_id = record_id)
                + (SELECT count(*) FROM findings WHERE related_quote_id = record_id AND quote_id IS NOT record_id)
        WHERE kind = 'quote'"""
    )
    for name, (when, body) in TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    # The m140 index this one replaces (claims only, fewer keys).
    db.execute("DROP INDEX IF EXISTS review_state_needs_review")
    db.execute(ORDER_INDEX)


@migrations()
def m143_vague_attributions_order(db: sqlite_utils.Database) -> None:
    """Vague attributions lists quotes of one attribution kind in (article, id) order; with this
    index a page reads its 100 rows in order instead of sorting every vague quote (120,000 of
    them at a million claims: 130 ms of SQL against 8 ms)."""
    db["quotes"].create_index(["attribution_kind", "article_id", "id"], if_not_exists=True)
