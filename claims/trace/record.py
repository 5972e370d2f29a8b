"""What a trace records, and the editor's decisions on it.

For one record, in one transaction (:func:`save_trace`): the responses it used (``lookup_cache``),
each candidate work added to or merged into ``sources`` by DOI, PMID, PMCID or title and year
(origin ``claims trace``), its abstract (``source_abstracts``) and open-access full text
(``source_texts``), a ``candidate`` citation with ``added_by = 'claims trace'`` whose study
details come from the abstract when it is unambiguous, and a ``trace_candidates`` row with the
score and the reasons. A second run with the same answers writes nothing.

Decisions (:func:`decide`): accepting sets the citation's relation to ``attributed`` and keeps
who accepted it; rejecting removes the candidate citation trace added (never a link an editor
made) and keeps the row as ``rejected``, so it is not proposed again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlite_utils

from ..clock import now
from ..lookup import store_cache
from ..sources import SourceError, SourceRecord, clean_item, import_records
from ..sourcetext import SourceText
from .queries import Target
from .score import Scored, study_details

TRACE_BY = "claims trace"
DETAIL_FIELDS = ("design", "population", "population_detail", "intervention", "sample_size")
_COMPARED = ("rank", "score", "reasons", "why", "found_by", "verification", "citation_id")


class DecisionError(ValueError):
    """A decision that cannot be made: one line naming the candidate."""


@dataclass
class TraceOutcome:
    target: Target
    ranked: list[Scored]
    source_ids: list[int] = field(default_factory=list)
    written: int = 0


def _source_for(db: sqlite_utils.Database, scored: Scored) -> int:
    work = scored.work
    if work.source_id is not None:
        return work.source_id
    where = f"{work.found_by[0] if work.found_by else 'trace'} result {work.title[:60]!r}"
    try:
        record = SourceRecord(clean_item(work.csl(), where), where)
    except SourceError:
        # A field the service got wrong (a malformed DOI, say): keep the title and year only.
        record = SourceRecord(clean_item({"id": "", "type": work.type, "title": work.title,
                                          **({"issued": {"date-parts": [[work.year]]}} if work.year else {})}, where), where)  # fmt: skip
    outcome = import_records(db, [record], TRACE_BY)[0]
    return outcome.source_id


def _save_texts(db: sqlite_utils.Database, source_id: int, scored: Scored, service: str) -> int:
    from ..sourcetext import save_source_text

    written = 0
    work = scored.work
    if work.abstract and work.found_by != ["local"]:
        current = db.execute("select text from source_abstracts where source_id = ?", [source_id]).fetchone()
        if current is None or current[0] != work.abstract:
            db["source_abstracts"].upsert(
                {"source_id": source_id, "text": work.abstract, "service": service, "fetched_at": now()}, pk="source_id"
            )
            written += 1
    if work.full_text and work.found_by != ["local"]:
        import hashlib

        has = db.execute("select 1 from source_texts where source_id = ?", [source_id]).fetchone()
        # Never replace a text an editor attached: theirs is the one they read.
        if has is None:
            st = SourceText(text=work.full_text, sha256=hashlib.sha256(work.full_text.encode("utf-8")).hexdigest(),
                            format="text", file_name=f"{work.pmcid or source_id}.fullTextXML.txt")  # fmt: skip
            written += int(save_source_text(db, source_id, st))
    return written


def _citation(db: sqlite_utils.Database, target: Target, source_id: int, details: dict[str, Any]) -> tuple[int, int]:
    """The candidate citation for (record, source): (citation id, rows written). An existing
    link of any relation is kept; only its empty study details are filled, and only on a
    candidate link."""
    column = f"{target.kind}_id"
    existing = next(
        db.query(f"select * from citations where {column} = ? and source_id = ? order by id limit 1", [target.id, source_id]),
        None,
    )
    if existing is None:
        row = {column: target.id, "source_id": source_id, "relation": "candidate", "added_by": TRACE_BY,
               "added_at": now(), "stance": "unassessed", **details}  # fmt: skip
        db["citations"].insert(row)
        return int(db.execute("select last_insert_rowid()").fetchone()[0]), 1
    if existing["relation"] != "candidate":
        return existing["id"], 0
    fill = {k: v for k, v in details.items() if existing.get(k) is None}
    # population_detail only travels with the population it describes.
    if "population" not in fill and existing.get("population") is not None:
        fill.pop("population_detail", None)
    if fill:
        db["citations"].update(existing["id"], fill)
        return existing["id"], 1
    return existing["id"], 0


def save_trace(
    db: sqlite_utils.Database, target: Target, ranked: list[Scored], cache_rows: list[dict[str, Any]], mentions: Any
) -> TraceOutcome:
    """Write one record's trace. Call inside a transaction."""
    outcome = TraceOutcome(target, ranked)
    for row in cache_rows:
        store_cache(db, row)
    outcome.written += len(cache_rows)
    if mentions is not None:
        outcome.written += mentions(db)
    stamp = now()
    for position, scored in enumerate(ranked, start=1):
        source_id = _source_for(db, scored)
        outcome.source_ids.append(source_id)
        service = next((s for s in scored.work.found_by if s != "local"), "local")
        outcome.written += _save_texts(db, source_id, scored, service)
        details = {k: v for k, v in study_details(scored.work).items() if k in DETAIL_FIELDS}
        citation_id, wrote = _citation(db, target, source_id, details)
        outcome.written += wrote
        row = {
            f"{target.kind}_id": target.id,
            "source_id": source_id,
            "citation_id": citation_id,
            "rank": position,
            "score": scored.score,
            "reasons": json.dumps(scored.reasons, ensure_ascii=False),
            "why": scored.why() or "no specific match",
            "found_by": ", ".join(scored.work.how),
            "verification": json.dumps(scored.verification, ensure_ascii=False) if scored.verification else None,
        }
        column = f"{target.kind}_id"
        existing = next(
            db.query(f"select * from trace_candidates where {column} = ? and source_id = ?", [target.id, source_id]), None
        )
        if existing is None:
            db["trace_candidates"].insert({**row, "status": "proposed", "traced_at": stamp})
            outcome.written += 1
        elif any(existing[k] != row[k] for k in _COMPARED):
            db["trace_candidates"].update(existing["id"], {**row, "traced_at": stamp})
            outcome.written += 1
    return outcome


def rejected_sources(db: sqlite_utils.Database, target: Target) -> set[int]:
    column = f"{target.kind}_id"
    return {
        r[0] for r in db.execute(
            f"select source_id from trace_candidates where {column} = ? and status = 'rejected'", [target.id]
        )
    }  # fmt: skip


def decide(
    db: sqlite_utils.Database, candidate_id: int, decision: Literal["accept", "reject"], editor: str
) -> dict[str, Any]:
    """An editor accepts or rejects a traced candidate. Call inside a transaction."""
    editor = (editor or "").strip()
    if not editor:
        raise DecisionError("a decision needs the editor who made it (log in)")
    row = next(db.query("select * from trace_candidates where id = ?", [candidate_id]), None)
    if row is None:
        raise DecisionError(f"traced candidate {candidate_id}: no such candidate")
    if row["status"] != "proposed":
        raise DecisionError(f"traced candidate {candidate_id}: already {row['status']} by {row['decided_by']}")
    kind, column = ("quote", "quote_id") if row["quote_id"] is not None else ("claim", "claim_id")
    stamp = now()
    citation = next(db.query("select * from citations where id = ?", [row["citation_id"]]), None) if row["citation_id"] else None
    if decision == "accept":
        note = f"accepted by {editor} at {stamp} (claims trace: {row['why']})"
        if citation is None:
            db["citations"].insert({column: row[column], "source_id": row["source_id"], "relation": "attributed",
                                    "added_by": editor, "added_at": stamp, "stance": "unassessed", "note": note})  # fmt: skip
            citation_id = int(db.execute("select last_insert_rowid()").fetchone()[0])
        else:
            # The link's own note, if it has one, is kept ahead of the acceptance.
            kept = f"{citation['note']} | {note}" if citation.get("note") else note
            db["citations"].update(citation["id"], {"relation": "attributed", "note": kept})
            citation_id = citation["id"]
        status = "accepted"
    elif decision == "reject":
        if citation is not None and citation["added_by"] == TRACE_BY and citation["relation"] == "candidate":
            if kind == "quote":
                db.execute("delete from quote_checks where quote_id = ? and source_id = ?", [row["quote_id"], row["source_id"]])
            db.execute("delete from citations where id = ?", [citation["id"]])
        citation_id = None
        status = "rejected"
    else:
        raise DecisionError(f"decision must be accept or reject, not {decision!r}")
    db["trace_candidates"].update(candidate_id, {"status": status, "decided_by": editor, "decided_at": stamp,
                                                 "citation_id": citation_id})  # fmt: skip
    from ..evidence import refresh_findings

    refresh_findings(db)
    return {"id": candidate_id, "status": status, kind: row[column], "source_id": row["source_id"]}
