"""Schema for ``claims trace`` (issue 16): study mentions, traced candidates, abstracts.

Migrations m170-m179. Documented in docs/schema.md and metadata.yml under "Tracing sources".
"""

from __future__ import annotations

import sqlite_utils

from .db import index_foreign_keys, migrations


@migrations()
def m170_trace(db: sqlite_utils.Database) -> None:
    # "a 2024 study tested...", "a review published in JAMA": what the article says about the
    # work behind a quote or claim, which the tracer matches against candidates.
    db["study_mentions"].create(
        {
            "id": int,
            "article_id": int,
            "start": int,
            "end": int,
            "text": str,
            "noun": str,
            "year": int,
            "design": str,
            "venue": str,
            "institution": str,
            "sample_size": int,
            "quote_id": int,
            "claim_id": int,
        },
        pk="id",
        not_null={"article_id", "start", "end", "text", "noun"},
        foreign_keys=[("article_id", "articles", "id"), ("quote_id", "quotes", "id"), ("claim_id", "claims", "id")],
    )
    db["study_mentions"].create_index(["article_id", "start"], unique=True)
    # Abstracts returned by the scholarly indexes, searchable offline like titles and notes.
    db["source_abstracts"].create(
        {"source_id": int, "text": str, "service": str, "fetched_at": str},
        pk="source_id",
        not_null={"text", "service", "fetched_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["source_abstracts"].enable_fts(["text"], create_triggers=True)
    db["source_texts"].enable_fts(["text"], create_triggers=True)
    db["trace_candidates"].create(
        {
            "id": int,
            "quote_id": int,
            "claim_id": int,
            "source_id": int,
            "citation_id": int,
            "rank": int,
            "score": float,
            "reasons": str,
            "why": str,
            "found_by": str,
            "verification": str,
            "status": str,
            "decided_by": str,
            "decided_at": str,
            "traced_at": str,
        },
        pk="id",
        not_null={"source_id", "rank", "score", "reasons", "why", "found_by", "status", "traced_at"},
        foreign_keys=[
            ("quote_id", "quotes", "id"),
            ("claim_id", "claims", "id"),
            ("source_id", "sources", "id"),
        ],
    )
    db["trace_candidates"].create_index(["quote_id", "source_id"], unique=True)
    db["trace_candidates"].create_index(["claim_id", "source_id"], unique=True)
    db["trace_candidates"].create_index(["status"])
    # citation_id is no foreign key on purpose: curation and `claims link` may delete or replace
    # links, and a trace must never stop them; the decision code looks the link up afresh.
    db["trace_candidates"].create_index(["citation_id"])
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER IF NOT EXISTS trace_candidates_check_{event.lower()}
            BEFORE {event} ON trace_candidates
            BEGIN
                SELECT RAISE(ABORT, 'trace_candidates: exactly one of quote_id or claim_id is required')
                WHERE (NEW.quote_id IS NULL) = (NEW.claim_id IS NULL);
                SELECT RAISE(ABORT, 'trace_candidates: status must be proposed, accepted or rejected')
                WHERE NEW.status NOT IN ('proposed', 'accepted', 'rejected');
                SELECT RAISE(ABORT, 'trace_candidates: a decision needs the editor who made it')
                WHERE NEW.status <> 'proposed' AND trim(coalesce(NEW.decided_by, '')) = '';
            END
            """
        )
    index_foreign_keys(db)


@migrations()
def m171_source_terms(db: sqlite_utils.Database) -> None:
    # The matching keys (stemmed, hyphens joined: "Micro-Current" -> microcurr, micro, current) of
    # each source's title, notes and abstract, so an offline trace finds "microcurrent" in
    # "Micro-Current" through FTS5, whose own tokenizer splits at the hyphen.
    db["source_terms"].create(
        {"source_id": int, "signature": str, "keys": str},
        pk="source_id",
        not_null={"signature", "keys"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["source_terms"].enable_fts(["keys"], create_triggers=True)
    index_foreign_keys(db)
