"""``claims trace``: find candidate sources for quotes and claims that have none.

For each record (:mod:`.queries`): search (:mod:`.search`) Europe PMC, Crossref and OpenAlex, and
the local database; merge the answers by identifier; rank them (:mod:`.score`); fetch the
open-access full text of the best and re-rank with the quote checked against it; then write the
record's candidates in one transaction (:mod:`.record`). Network work for a record happens
before its transaction opens, so a record whose search failed leaves the database as it was.
Finally the quote checks and derived findings of the articles touched are brought up to date
(population and intervention mismatches included).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlite_utils

from .. import identifiers as ids
from ..db import transaction
from ..extract.study_mentions import StudyMention, find_study_mentions, link_mentions
from ..lookup import LookupFailed, mailto_from_env, user_agent
from ..sources import SourceIndex, source_row
from ..wording import plural
from .queries import Target, load_targets
from .record import TraceOutcome, rejected_sources, save_trace
from .score import rank
from .search import (
    ONLINE,
    SERVICES,
    TIMEOUT,
    Session,
    Work,
    europepmc_full_text,
    local_search,
    sync_source_terms,
)

DEFAULT_LIMIT = 5
# Works ranked before full texts are fetched: the full text of this many is asked for.
FULL_TEXT_POOL = 3
TITLE_ONLY_WORDS = 6


class TraceError(ValueError):
    """Bad input or a run that cannot go on; the message is one line."""


@dataclass
class TraceReport:
    outcomes: list[TraceOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: int = 0
    offline: bool = False

    @property
    def failed(self) -> int:
        return len(self.warnings)


def _check_ids(db: sqlite_utils.Database, table: str, kind: str, wanted: Iterable[int]) -> list[int]:
    out = []
    for rid in wanted:
        if db.execute(f"select 1 from {table} where id = ?", [rid]).fetchone() is None:
            raise TraceError(f"{kind} {rid}: no such {kind}")
        out.append(int(rid))
    return out


def _mentions_for(db: sqlite_utils.Database, article_id: int) -> tuple[list[StudyMention], list[tuple[int | None, int | None]]]:
    text = db.execute("select text from articles where id = ?", [article_id]).fetchone()[0]
    quotes = [tuple(r) for r in db.execute(
        'select id, start, "end" from quotes where article_id = ? and kind = \'source\' order by start', [article_id])]  # fmt: skip
    # Quotations are the source's words, headings ("What the research says") name no work.
    every_quote = [tuple(r) for r in db.execute(
        'select start, "end" from quotes where article_id = ? union all '
        'select start, "end" from blocks where article_id = ? and kind in (\'heading\', \'title\')',
        [article_id, article_id])]  # fmt: skip
    claims = [tuple(r) for r in db.execute('select id, start, "end" from claims where article_id = ? order by start', [article_id])]
    mentions = find_study_mentions(text, every_quote)  # type: ignore[arg-type]
    return mentions, link_mentions(mentions, quotes, claims)  # type: ignore[arg-type]


def save_study_mentions(db: sqlite_utils.Database, article_id: int) -> int:
    """Replace an article's study mentions when they changed. Call inside a transaction."""
    mentions, links = _mentions_for(db, article_id)
    wanted = [
        {"article_id": article_id, "start": m.start, "end": m.end, "text": m.text, "noun": m.noun, "year": m.year,
         "design": m.design, "venue": m.venue, "institution": m.institution, "sample_size": m.sample_size,
         "quote_id": q, "claim_id": c}  # fmt: skip
        for m, (q, c) in zip(mentions, links, strict=True)
    ]
    columns = list(wanted[0]) if wanted else ["article_id"]
    existing = [
        dict(zip(columns, r, strict=True))
        for r in db.execute(
            f"select {', '.join(f'[{c}]' for c in columns)} from study_mentions where article_id = ? order by start", [article_id]
        )
    ]
    if existing == wanted:
        return 0
    db.execute("delete from study_mentions where article_id = ?", [article_id])
    if wanted:
        db["study_mentions"].insert_all(wanted)
    return len(wanted) + len(existing)


def _attach_mentions(db: sqlite_utils.Database, targets: list[Target]) -> None:
    for article_id in {t.article_id for t in targets}:
        mentions, links = _mentions_for(db, article_id)
        for target in targets:
            if target.article_id != article_id:
                continue
            target.mentions = [
                m for m, (q, c) in zip(mentions, links, strict=True)
                if (target.kind == "quote" and q == target.id) or (target.kind == "claim" and c == target.id)
            ]  # fmt: skip


def titles_of(index: SourceIndex) -> dict[str, int]:
    """Long normalised titles -> source id. A work without a year (a preprint, a page) is
    matched on its title alone when the title is long enough to name one work: the sources'
    own rule needs a year on both sides."""
    by_title: dict[str, int] = {}
    for sid, row in index.rows.items():
        if row.get("title_key") and len(row["title_key"].split()) >= TITLE_ONLY_WORDS:
            by_title.setdefault(row["title_key"], sid)
    return by_title


def merge_works(works: list[Work], index: SourceIndex, by_title: dict[str, int]) -> list[Work]:
    """One work per DOI, PMID, PMCID, or title and year; a work already in ``sources`` gets its
    id (without writing anything), so local and online answers meet."""
    out: list[Work] = []
    by_key: dict[tuple[str, str], Work] = {}
    for work in works:
        if work.source_id is None:
            title_key = ids.normalize_title(work.title)
            if title_key and len(title_key.split()) >= TITLE_ONLY_WORDS and title_key in by_title:
                work.source_id = by_title[title_key]
        if work.source_id is None:
            try:
                from ..sources import clean_item

                csl = clean_item(work.csl(), "trace")
                found = index.match(source_row(csl, "?"), csl)
                if found:
                    work.source_id = found[0]
            except Exception:  # noqa: BLE001 - a work that cannot be matched is simply new
                pass
        keys = [("id", str(work.source_id))] if work.source_id is not None else []
        keys += [(name, getattr(work, name).lower()) for name in ("doi", "pmid", "pmcid") if getattr(work, name)]
        keys.append(work.identity())
        keys.append(("title", ids.normalize_title(work.title)))
        current = next((by_key[k] for k in keys if k in by_key), None)
        if current is None:
            current = work
            out.append(work)
        else:
            current.merge(work)
        for k in keys:
            by_key.setdefault(k, current)
    return out


def _gather(session: Session | None, db: sqlite_utils.Database, target: Target, limit: int,
            rows: list[dict[str, Any]], services: Iterable[str]) -> list[Work]:  # fmt: skip
    # Online the three services answer (the same cached answers on a rerun, so a second run
    # ranks the same works); offline the local database does.
    if session is None:
        return list(local_search(db, target))
    works: list[Work] = []
    for service in services:
        works += ONLINE[service](session, target, limit, rows)
    return works


def trace(
    db: sqlite_utils.Database,
    *,
    article_id: int | None = None,
    quote_ids: Iterable[int] = (),
    claim_ids: Iterable[int] = (),
    limit: int = DEFAULT_LIMIT,
    offline: bool = False,
    client: httpx.Client | None = None,
    mailto: str | None = None,
    timeout: float = TIMEOUT,
    services: Iterable[str] = SERVICES,
) -> TraceReport:
    """Trace every selected record; see the module docstring. Raises :class:`TraceError` for
    bad input (nothing written) and when a service cannot be reached at all (records traced
    before that are kept; the rest are untouched)."""
    if limit < 1:
        raise TraceError(f"--limit: {limit} is not a positive number")
    quote_ids, claim_ids = list(quote_ids), list(claim_ids)
    if article_id is None and not quote_ids and not claim_ids:
        raise TraceError("give --article, --quote or --claim: what to trace")
    if article_id is not None and db.execute("select 1 from articles where id = ?", [article_id]).fetchone() is None:
        raise TraceError(f"article {article_id}: no such article")
    quote_ids = _check_ids(db, "quotes", "quote", quote_ids)
    claim_ids = _check_ids(db, "claims", "claim", claim_ids)
    services = list(services)
    unknown = [s for s in services if s not in ONLINE]
    if unknown:
        raise TraceError(f"unknown service {unknown[0]!r}; expected {', '.join(SERVICES)}")
    targets = load_targets(db, article_id=article_id, quote_ids=quote_ids, claim_ids=claim_ids)
    _attach_mentions(db, targets)
    report = TraceReport(offline=offline)
    contact = mailto_from_env(mailto)
    saved_mentions: set[int] = set()
    touched: set[int] = set()
    opened = (
        contextlib.nullcontext(client) if client is not None or offline
        else httpx.Client(timeout=timeout, headers={"User-Agent": user_agent(contact)}, follow_redirects=True)
    )  # fmt: skip
    if offline:
        with transaction(db):
            report.written += sync_source_terms(db)
    with opened as http:
        session = None if offline else Session(db, http, contact)  # type: ignore[arg-type]
        index = SourceIndex.load(db)
        by_title = titles_of(index)
        for target in targets:
            rows: list[dict[str, Any]] = []
            try:
                works = merge_works(_gather(session, db, target, limit, rows, services), index, by_title)
                for work in works:
                    if work.full_text is None and work.source_id is not None:
                        # A text an editor attached is the one to check the quote against.
                        attached = db.execute("select text from source_texts where source_id = ?", [work.source_id]).fetchone()
                        work.full_text = attached[0] if attached else None
                exclude = rejected_sources(db, target)
                ranked = rank(target, works, max(limit, FULL_TEXT_POOL), exclude=exclude)
                if session is not None:
                    fetched = False
                    for scored in ranked[:FULL_TEXT_POOL]:
                        if scored.work.full_text is None and scored.work.open_access:
                            scored.work.full_text = europepmc_full_text(session, scored.work, rows)
                            fetched = fetched or scored.work.full_text is not None
                    if fetched:
                        ranked = rank(target, [s.work for s in ranked], limit, exclude=exclude)
                ranked = ranked[:limit]
            except LookupFailed as e:
                if e.fatal:
                    done = f"; {len(report.outcomes)} records traced before it are saved" if report.outcomes else ""
                    raise TraceError(f"{e}{done}") from None
                report.warnings.append(f"warning: {target.label}: {e}; nothing saved for it")
                continue
            with transaction(db):
                first = target.article_id not in saved_mentions
                outcome = save_trace(db, target, ranked, rows, (lambda d, a=target.article_id: save_study_mentions(d, a)) if first else None)
                saved_mentions.add(target.article_id)
            if any(sid not in index.rows for sid in outcome.source_ids):
                index = SourceIndex.load(db)  # only when this record added sources
                by_title = titles_of(index)
            report.outcomes.append(outcome)
            report.written += outcome.written
            if outcome.written:
                touched.add(target.article_id)
    if touched:
        from ..evidence import refresh_findings
        from ..verify import compute_checks, save_checks

        with transaction(db):
            for a in sorted(touched):
                report.written += save_checks(db, compute_checks(db, a), a)
            report.written += refresh_findings(db)
    return report


def describe(db: sqlite_utils.Database, report: TraceReport, show: int = 3) -> str:
    """Per record: its best candidates and why; then a summary line."""
    keys = dict(db.execute("select id, key from sources").fetchall())
    lines: list[str] = []
    for outcome in report.outcomes:
        target = outcome.target
        credit = f" ({target.attribution})" if target.attribution else ""
        lines.append(f"{target.label}{credit}")
        if not outcome.ranked:
            lines.append("  no candidate scored high enough")
        for i, (scored, source_id) in enumerate(zip(outcome.ranked[:show], outcome.source_ids, strict=False), start=1):
            lines.append(f"  {i}. {keys.get(source_id, source_id)}  score {scored.score:.2f}  [{', '.join(scored.work.found_by)}]")
            lines.append(f"     {scored.why() or 'no specific match'}")
    verified = [s.verification["result"] for o in report.outcomes for s in o.ranked if s.verification]
    verbatim = sum(r in ("verbatim", "normalised") for r in verified)
    lines.extend(report.warnings)
    where = "the local database" if report.offline else "Europe PMC, Crossref and OpenAlex"
    lines.append(
        f"traced {plural(len(report.outcomes), 'record')} in {where}: "
        f"{plural(sum(len(o.ranked) for o in report.outcomes), 'candidate')}, "
        f"{plural(len(verified), 'quote check')} against full text ({verbatim} verbatim or normalised), "
        f"{report.failed} failed; {plural(report.written, 'row')} written"
    )
    return "\n".join(lines)
