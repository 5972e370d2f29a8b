"""Metadata lookups: Crossref by DOI, NCBI E-utilities (PubMed esummary) by PMID.

Responses are cached in ``lookup_cache``, so a second lookup of the same identifier makes no
request. Network work happens before any write transaction opens: a failed request leaves the
database as it was. Retraction and correction notices come from Crossref's ``updated-by`` /
``update-to`` relations (and PubMed's "Retracted Publication" type) and are stored on the source.

Requests answered 429 or 5xx, or cut off mid-way, are retried a few times with exponential
backoff, honouring ``Retry-After``. A contact address (``mailto``, or ``$CLAIMS_MAILTO``) goes in
the User-Agent, which puts Crossref requests in its "polite" pool.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
import sqlite_utils

from . import http_limits
from . import identifiers as ids
from .citations import citation_targets
from .clock import now
from .db import transaction
from .models import FindingRow
from .sources import Outcome, SourceError, SourceRecord, clean_item, import_records
from .wording import plural

CROSSREF_URL = "https://api.crossref.org/works/{doi}"
NCBI_ESUMMARY_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
USER_AGENT = "claims-tracker/0.1 (https://github.com/claims-tracker/claims{contact})"
MAILTO_ENV = "CLAIMS_MAILTO"
TIMEOUT = 20.0
# Each request, headers and body, must be complete within this (a server that trickles bytes
# cannot hold a lookup), and its body at most this large (a work's record is tens of kilobytes).
REQUEST_DEADLINE_S = 30.0
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# Retries: attempts per request in all, the first backoff (doubled each time) and the longest
# wait we accept; a Retry-After beyond it gives up rather than stalling the command.
ATTEMPTS = 4
BACKOFF = 1.0
MAX_WAIT = 60.0
RETRY_STATUSES = {429, 500, 502, 503, 504}
# Crossref's documented limit for the public and polite pools is a few concurrent requests.
DEFAULT_WORKERS = 1
POLITE_WORKERS = 3
# Waits go through this, so tests can replace it.
sleep: Callable[[float], None] = time.sleep
# Crossref update types that take a work out of the record, as opposed to correcting it.
RETRACTION_TYPES = {"retraction", "withdrawal", "removal"}
RETRACTED_FINDING = "retracted_source"

CROSSREF_TYPES = {
    "journal-article": "article-journal", "book-chapter": "chapter", "book-section": "chapter",
    "book-part": "chapter", "proceedings-article": "paper-conference", "book": "book",
    "monograph": "book", "edited-book": "book", "reference-book": "book", "report": "report",
    "report-series": "report", "dataset": "dataset", "dissertation": "thesis",
    "posted-content": "article", "reference-entry": "entry", "standard": "standard",
    "peer-review": "review", "journal": "periodical", "component": "document", "other": "document",
}  # fmt: skip


class LookupFailed(SourceError):
    """A lookup that could not be completed; the message is one line naming the identifier.

    ``fatal`` means asking again now is pointless: the host cannot be reached, or it asked us to
    wait longer than :data:`MAX_WAIT`.
    """

    def __init__(self, message: str, *, status: int | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.fatal = fatal


def crossref_url(doi: str) -> str:
    """The Crossref works URL, the DOI percent-encoded: ``#``, ``?`` and ``<>`` are DOI characters."""
    return CROSSREF_URL.format(doi=quote(doi, safe="/:;()-._"))


def mailto_from_env(mailto: str | None = None) -> str | None:
    return (mailto or os.environ.get(MAILTO_ENV) or "").strip() or None


@dataclass
class LookupResult:
    outcome: Outcome
    service: str
    cached: bool
    notices: list[dict[str, Any]] = field(default_factory=list)
    retracted: bool = False

    def describe(self) -> str:
        via = "cache" if self.cached else self.service
        text = f"{self.outcome.status} {self.outcome.key} (from {via}): {self.outcome.reason}"
        if self.retracted:
            text += "; RETRACTED"
        elif self.notices:
            text += "; notices: " + ", ".join(n["type"] for n in self.notices)
        return text


def user_agent(mailto: str | None = None) -> str:
    return USER_AGENT.format(contact=f"; mailto:{mailto}" if mailto else "")


def _use(client: httpx.Client | None, mailto: str | None = None) -> contextlib.AbstractContextManager[httpx.Client]:
    """The caller's client (left open for them), or a new one closed after use."""
    if client is not None:
        return contextlib.nullcontext(client)
    return http_limits.client(timeout=TIMEOUT, headers={"User-Agent": user_agent(mailto)}, follow_redirects=True)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), if any."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _get(client: httpx.Client, service: str, url: str, params: dict[str, str] | None, what: str) -> httpx.Response:
    """GET with bounded retries: 429/5xx and mid-request failures, exponential backoff, Retry-After."""
    host = httpx.URL(url).host
    for attempt in range(1, ATTEMPTS + 1):
        wait = BACKOFF * 2 ** (attempt - 1)
        try:
            response = http_limits.get(
                client, url, params=params, deadline_s=REQUEST_DEADLINE_S, max_bytes=MAX_RESPONSE_BYTES
            )
        except (http_limits.TooSlow, http_limits.TooLarge) as e:
            # Asking again would take as long, or be as large.
            raise LookupFailed(f"{service}: {host} for {what}: {e}") from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as e:
            # Offline or a wrong host: asking again in a second will not help.
            raise LookupFailed(
                f"{service}: could not reach {host} to look up {what} ({type(e).__name__}); check the network connection",
                fatal=True,
            ) from None
        except httpx.HTTPError as e:
            if attempt == ATTEMPTS:
                raise LookupFailed(
                    f"{service}: no answer from {host} for {what} after {ATTEMPTS} tries ({type(e).__name__})"
                ) from None
            sleep(wait)
            continue
        if response.status_code not in RETRY_STATUSES:
            return response
        asked = _retry_after(response)
        if asked is not None and asked > MAX_WAIT:
            raise LookupFailed(
                f"{service}: HTTP {response.status_code} for {what}; {host} asks to wait {asked:.0f} s, try again later",
                status=response.status_code,
                fatal=True,
            )
        if attempt == ATTEMPTS:
            raise LookupFailed(
                f"{service}: HTTP {response.status_code} {response.reason_phrase} for {what} after {ATTEMPTS} tries",
                status=response.status_code,
                fatal=response.status_code == 429,
            )
        sleep(min(MAX_WAIT, max(wait, asked or 0.0)))
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Fetched:
    data: dict[str, Any]
    cached: bool
    cache_row: dict[str, Any] | None = None


def fetch(
    db: sqlite_utils.Database | None,
    client: httpx.Client,
    service: str,
    identifier: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    what: str,
    refresh: bool = False,
) -> Fetched:
    """GET JSON, from the cache unless ``refresh`` (or no ``db``). Writes nothing: the caller
    stores ``cache_row``. Never touches ``db`` when ``refresh``, so it can run in a worker thread."""
    if not refresh and db is not None:
        row = db.execute(
            "select body from lookup_cache where service = ? and identifier = ?", [service, identifier]
        ).fetchone()
        if row:
            return Fetched(json.loads(row[0]), cached=True)
    response = _get(client, service, url, params, what)
    if response.status_code == 404:
        raise LookupFailed(f"{service}: {what} not found (HTTP 404)", status=404)
    if response.status_code >= 400:
        raise LookupFailed(
            f"{service}: HTTP {response.status_code} {response.reason_phrase} for {what}", status=response.status_code
        )
    try:
        data = response.json()
    except ValueError:
        raise LookupFailed(f"{service}: the response for {what} is not JSON") from None
    cache_row = {
        "service": service,
        "identifier": identifier,
        "url": str(response.url),
        "status": response.status_code,
        "body": response.text,
        "fetched_at": now(),
    }
    return Fetched(data, cached=False, cache_row=cache_row)


def store_cache(db: sqlite_utils.Database, row: dict[str, Any] | None) -> None:
    if row is None:
        return
    db.execute("delete from lookup_cache where service = ? and identifier = ?", [row["service"], row["identifier"]])
    db["lookup_cache"].insert(row)


# --- Crossref -------------------------------------------------------------------------------


def _date_parts(value: dict[str, Any] | None) -> list[int] | None:
    parts = ((value or {}).get("date-parts") or [[None]])[0]
    parts = [int(p) for p in parts if p is not None]
    return parts or None


def crossref_to_csl(message: dict[str, Any]) -> dict[str, Any]:
    """A Crossref ``/works/{doi}`` message as a CSL-JSON item (before validation)."""
    csl: dict[str, Any] = {"id": "", "type": CROSSREF_TYPES.get(message.get("type", ""), "document")}
    for role in ("author", "editor"):
        names = []
        for person in message.get(role) or []:
            if person.get("family"):
                name = {"family": person["family"]}
                if person.get("given"):
                    name["given"] = person["given"]
                names.append(name)
            elif person.get("name"):
                names.append({"literal": person["name"]})
        if names:
            csl[role] = names
    for source, target in (("title", "title"), ("container-title", "container-title"), ("ISSN", "ISSN"), ("ISBN", "ISBN")):
        values = message.get(source) or []
        if isinstance(values, list) and values:
            csl[target] = " ".join(str(values[0]).split())
        elif isinstance(values, str) and values:
            csl[target] = values
    for name in ("volume", "issue", "page", "publisher", "DOI", "URL"):
        if message.get(name):
            csl[name] = str(message[name])
    for name in ("issued", "published-print", "published-online", "published"):
        parts = _date_parts(message.get(name))
        if parts:
            csl["issued"] = {"date-parts": [parts]}
            break
    return csl


def crossref_notices(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Retractions, corrections and other updates, from both directions of the relation."""
    notices = []
    for relation in ("updated-by", "update-to"):
        for update in message.get(relation) or []:
            parts = _date_parts(update.get("updated"))
            notices.append(
                {
                    "relation": relation,
                    "type": str(update.get("type", "unknown")).lower(),
                    "doi": update.get("DOI"),
                    "label": update.get("label"),
                    "date": "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) if parts else None,
                    "source": update.get("source", "crossref"),
                }
            )
    return notices


# --- NCBI E-utilities --------------------------------------------------------------------------


def _pubmed_name(name: str) -> dict[str, str]:
    # PubMed summaries give "Family Initials": "Toledano-Macías E", "Ghafarian Shirazi HR".
    match = re.match(r"^(.*\S)\s+([A-Z]{1,4})$", name.strip())
    if match:
        return {"family": match.group(1), "given": match.group(2)}
    return {"literal": name.strip()}


def ncbi_to_csl(summary: dict[str, Any], pmid: str) -> dict[str, Any]:
    """A PubMed esummary document as a CSL-JSON item (before validation)."""
    csl: dict[str, Any] = {"id": "", "type": "article-journal", "PMID": pmid}
    title = (summary.get("title") or "").strip()
    if title:
        csl["title"] = title[:-1] if title.endswith(".") and not title.endswith("..") else title
    authors = [
        _pubmed_name(a["name"]) if a.get("authtype", "Author") == "Author" else {"literal": a["name"]}
        for a in summary.get("authors") or []
        if a.get("name")
    ]
    if authors:
        csl["author"] = authors
    if summary.get("fulljournalname"):
        csl["container-title"] = summary["fulljournalname"]
    if summary.get("source"):
        csl["container-title-short"] = summary["source"]
    for source, target in (("volume", "volume"), ("issue", "issue"), ("pages", "page"), ("issn", "ISSN")):
        if summary.get(source):
            csl[target] = str(summary[source])
    match = re.match(r"^(\d{4})/(\d{2})/(\d{2})", summary.get("sortpubdate") or "")
    if match:
        csl["issued"] = {"date-parts": [[int(p) for p in match.groups()]]}
    else:
        year = re.match(r"^(\d{4})", summary.get("pubdate") or "")
        if year:
            csl["issued"] = {"date-parts": [[int(year.group(1))]]}
    for article_id in summary.get("articleids") or []:
        kind, value = article_id.get("idtype"), article_id.get("value")
        if kind == "doi" and value:
            csl["DOI"] = value
        elif kind == "pmc" and value:
            csl["PMCID"] = value.split(";")[0].strip()
    return csl


def ncbi_notices(summary: dict[str, Any]) -> list[dict[str, Any]]:
    types = summary.get("pubtype") or []
    return [
        {"relation": "pubtype", "type": "retraction", "doi": None, "label": "Retracted Publication",
         "date": None, "source": "pubmed"}  # fmt: skip
        for t in types
        if t == "Retracted Publication"
    ]


# --- the operations ---------------------------------------------------------------------------


def _apply_notices(db: sqlite_utils.Database, source_id: int, notices: list[dict[str, Any]]) -> bool:
    """Store notices on the source (merging with those already there); return retracted or not."""
    row = db.execute("select notices from sources where id = ?", [source_id]).fetchone()
    known = json.loads(row[0]) if row and row[0] else []
    for notice in notices:
        if notice not in known:
            known.append(notice)
    retraction = next(
        (n for n in known if n["type"] in RETRACTION_TYPES and n["relation"] in ("updated-by", "pubtype")), None
    )
    db["sources"].update(
        source_id,
        {
            "notices": json.dumps(known, ensure_ascii=False) if known else None,
            "retracted": int(retraction is not None),
            "retraction_doi": retraction["doi"] if retraction else None,
            "checked_at": now(),
        },
    )
    return retraction is not None


@dataclass
class Prepared:
    """A looked-up work, validated and ready to store: what :func:`store_lookup` writes."""

    service: str
    record: SourceRecord
    fetched: Fetched
    notices: list[dict[str, Any]]


def _record(csl: dict[str, Any], where: str) -> SourceRecord:
    try:
        return SourceRecord(clean_item(csl, where), where)
    except SourceError as e:
        raise LookupFailed(str(e)) from None


def prepare_doi(
    db: sqlite_utils.Database | None, doi: str, *, client: httpx.Client | None = None, mailto: str | None = None
) -> Prepared:
    """Fetch (or read from ``db``'s cache) and validate a DOI's record; writes nothing."""
    try:
        normal = ids.normalize_doi(doi)
    except ids.IdentifierError as e:
        raise LookupFailed(f"--doi: {e}") from None
    with _use(client, mailto_from_env(mailto)) as http:
        fetched = fetch(db, http, "crossref", normal, crossref_url(normal), what=f"DOI {normal}")
    message = fetched.data.get("message") if isinstance(fetched.data, dict) else None
    if not isinstance(message, dict):
        raise LookupFailed(f"crossref: unexpected response for DOI {normal} (no message)")
    csl = crossref_to_csl(message)
    csl.setdefault("DOI", normal)
    return Prepared("crossref", _record(csl, f"crossref DOI {normal}"), fetched, crossref_notices(message))


def prepare_pmid(
    db: sqlite_utils.Database | None, pmid: str, *, client: httpx.Client | None = None, mailto: str | None = None
) -> Prepared:
    """Fetch (or read from ``db``'s cache) and validate a PMID's esummary; writes nothing."""
    try:
        normal = ids.normalize_pmid(pmid)
    except ids.IdentifierError as e:
        raise LookupFailed(f"--pmid: {e}") from None
    params = {"db": "pubmed", "id": normal, "retmode": "json"}
    contact = mailto_from_env(mailto)
    if contact:
        # NCBI asks scripts to name themselves and a contact (E-utilities usage guidelines).
        params.update(tool="claims-tracker", email=contact)
    with _use(client, contact) as http:
        fetched = fetch(db, http, "pubmed", normal, NCBI_ESUMMARY_URL, params=params, what=f"PMID {normal}")
    result = fetched.data.get("result") if isinstance(fetched.data, dict) else None
    summary = (result or {}).get(normal)
    if not isinstance(summary, dict) or summary.get("error"):
        detail = (summary or {}).get("error") or (fetched.data or {}).get("error") or "no summary returned"
        raise LookupFailed(f"pubmed: PMID {normal} not found ({detail})")
    return Prepared("pubmed", _record(ncbi_to_csl(summary, normal), f"pubmed PMID {normal}"), fetched, ncbi_notices(summary))


def store_lookup(db: sqlite_utils.Database, prepared: Prepared) -> LookupResult:
    """Cache the response, add or merge the work and store its notices, in one transaction."""
    with transaction(db):
        store_cache(db, prepared.fetched.cache_row)
        outcome = import_records(db, [prepared.record], prepared.service)[0]
        retracted = _apply_notices(db, outcome.source_id, prepared.notices)
    return LookupResult(outcome, prepared.service, prepared.fetched.cached, prepared.notices, retracted)


def lookup_doi(
    db: sqlite_utils.Database, doi: str, *, client: httpx.Client | None = None, mailto: str | None = None
) -> LookupResult:
    """Look a DOI up at Crossref and add or merge the work into ``sources``."""
    return store_lookup(db, prepare_doi(db, doi, client=client, mailto=mailto))


def lookup_pmid(
    db: sqlite_utils.Database, pmid: str, *, client: httpx.Client | None = None, mailto: str | None = None
) -> LookupResult:
    """Look a PMID up with NCBI E-utilities esummary and add or merge the work into ``sources``."""
    return store_lookup(db, prepare_pmid(db, pmid, client=client, mailto=mailto))


@dataclass
class RetractionReport:
    checked: int = 0
    retracted: list[str] = field(default_factory=list)
    findings: int = 0
    skipped: list[str] = field(default_factory=list)
    # One line per DOI that could not be checked: network errors, repeated 429/5xx.
    failed: list[str] = field(default_factory=list)
    total: int = 0

    def describe(self) -> str:
        lines = [f"skipped {s}" for s in self.skipped]
        lines += [f"failed {s}" for s in self.failed]
        lines += [f"retracted: {key}" for key in self.retracted]
        lines.append(
            f"checked {plural(self.checked, 'source')} with a DOI: {len(self.retracted)} retracted, {plural(self.findings, 'finding')} written"
        )
        return "\n".join(lines)


def check_retractions(
    db: sqlite_utils.Database,
    *,
    client: httpx.Client | None = None,
    mailto: str | None = None,
    workers: int | None = None,
) -> RetractionReport:
    """Re-fetch every source with a DOI from Crossref and record retractions.

    Every quote and claim that cites a retracted source (any relation) gets a
    ``retracted_source`` finding, once. Each answer is stored (cache, notices, findings) in its
    own transaction as it arrives, so a failure later on loses nothing already fetched. A DOI
    Crossref does not know is skipped; one that still fails after the retries is listed in
    ``failed``. When Crossref cannot be reached at all, or rate-limits us for longer than
    :data:`MAX_WAIT`, the remaining DOIs are not asked and are listed as failed too.

    Requests run ``workers`` at a time (default 1, or 3 with a ``mailto`` for the polite pool);
    results are written in source order from this thread.
    """
    report = RetractionReport()
    sources = db.execute("select id, key, doi, title from sources where doi is not null order by id").fetchall()
    report.total = len(sources)
    contact = mailto_from_env(mailto)
    workers = max(1, workers or (POLITE_WORKERS if contact else DEFAULT_WORKERS))
    existing = {
        (row[0], row[1], row[2])
        for row in db.execute("select source_id, quote_id, claim_id from findings where kind = ?", [RETRACTED_FINDING])
    }
    stop = threading.Event()

    def get(source: tuple[int, str, str, str | None]) -> Fetched | LookupFailed | None:
        if stop.is_set():
            return None
        _, key, doi, _ = source
        try:
            return fetch(None, http, "crossref", doi, crossref_url(doi), what=f"DOI {doi} ({key})", refresh=True)
        except LookupFailed as e:
            if e.fatal:
                stop.set()
            return e

    with _use(client, contact) as http, ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            results: Iterator[Fetched | LookupFailed | None] = pool.map(get, sources)
            for (source_id, key, doi, title), result in zip(sources, results, strict=True):
                if result is None:
                    report.failed.append(f"{key}: DOI {doi} not checked (stopped after the error above)")
                    continue
                if isinstance(result, LookupFailed):
                    if result.status == 404:
                        report.skipped.append(f"{key}: DOI {doi} not found at Crossref")
                        continue
                    report.failed.append(f"{key}: {result}")
                    continue
                with transaction(db):
                    report.checked += 1
                    _record_check(db, report, existing, source_id, key, title, result)
        finally:
            # Queued requests become no-ops, so leaving early does not wait for them all.
            stop.set()
    return report


def _record_check(
    db: sqlite_utils.Database,
    report: RetractionReport,
    existing: set[tuple[int, int | None, int | None]],
    source_id: int,
    key: str,
    title: str | None,
    result: Fetched,
) -> None:
    store_cache(db, result.cache_row)
    message = result.data.get("message") if isinstance(result.data, dict) else None
    if not _apply_notices(db, source_id, crossref_notices(message or {})):
        return
    report.retracted.append(key)
    rows = []
    for kind, target_id, article_id, relation in citation_targets(db, source_id):
        ident = (source_id, target_id if kind == "quote" else None, target_id if kind == "claim" else None)
        if ident in existing:
            continue
        existing.add(ident)
        rows.append(
            FindingRow(
                article_id=article_id,
                kind=RETRACTED_FINDING,
                message=f"This {kind} relies on {key} ({relation}), which has been retracted: {title or 'untitled'}.",
                quote_id=ident[1],
                claim_id=ident[2],
                source_id=source_id,
                created_at=now(),
            ).model_dump()
        )
    if rows:
        db["findings"].insert_all(rows)
    report.findings += len(rows)
