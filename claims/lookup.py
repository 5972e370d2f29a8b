"""Metadata lookups: Crossref by DOI, NCBI E-utilities (PubMed esummary) by PMID.

Responses are cached in ``lookup_cache``, so a second lookup of the same identifier makes no
request. Network work happens before any write transaction opens: a failed request leaves the
database as it was. Retraction and correction notices come from Crossref's ``updated-by`` /
``update-to`` relations (and PubMed's "Retracted Publication" type) and are stored on the source.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlite_utils

from . import identifiers as ids
from .citations import citation_targets
from .clock import now
from .db import transaction
from .sources import Outcome, SourceError, SourceRecord, clean_item, import_records

CROSSREF_URL = "https://api.crossref.org/works/{doi}"
NCBI_ESUMMARY_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
USER_AGENT = "claims-tracker/0.1 (https://github.com/claims-tracker/claims)"
TIMEOUT = 20.0
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
    """A lookup that could not be completed; the message is one line naming the identifier."""


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


def _use(client: httpx.Client | None) -> contextlib.AbstractContextManager[httpx.Client]:
    """The caller's client (left open for them), or a new one closed after use."""
    if client is not None:
        return contextlib.nullcontext(client)
    return httpx.Client(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=True)


@dataclass
class Fetched:
    data: dict[str, Any]
    cached: bool
    cache_row: dict[str, Any] | None = None


def fetch(
    db: sqlite_utils.Database,
    client: httpx.Client,
    service: str,
    identifier: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    what: str,
    refresh: bool = False,
) -> Fetched:
    """GET JSON, from the cache unless ``refresh``. Writes nothing: the caller stores ``cache_row``."""
    if not refresh:
        row = db.execute(
            "select body from lookup_cache where service = ? and identifier = ?", [service, identifier]
        ).fetchone()
        if row:
            return Fetched(json.loads(row[0]), cached=True)
    host = httpx.URL(url).host
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as e:
        raise LookupFailed(
            f"{service}: could not reach {host} to look up {what} ({type(e).__name__}); check the network connection"
        ) from None
    if response.status_code == 404:
        raise LookupFailed(f"{service}: {what} not found (HTTP 404)")
    if response.status_code >= 400:
        raise LookupFailed(f"{service}: HTTP {response.status_code} {response.reason_phrase} for {what}")
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


def _import_one(db: sqlite_utils.Database, csl: dict[str, Any], origin: str, where: str) -> Outcome:
    try:
        record = SourceRecord(clean_item(csl, where), where)
    except SourceError as e:
        raise LookupFailed(str(e)) from None
    return import_records(db, [record], origin)[0]


def lookup_doi(db: sqlite_utils.Database, doi: str, *, client: httpx.Client | None = None) -> LookupResult:
    """Look a DOI up at Crossref and add or merge the work into ``sources``."""
    try:
        normal = ids.normalize_doi(doi)
    except ids.IdentifierError as e:
        raise LookupFailed(f"--doi: {e}") from None
    with _use(client) as http:
        fetched = fetch(db, http, "crossref", normal, CROSSREF_URL.format(doi=normal), what=f"DOI {normal}")
    message = fetched.data.get("message") if isinstance(fetched.data, dict) else None
    if not isinstance(message, dict):
        raise LookupFailed(f"crossref: unexpected response for DOI {normal} (no message)")
    csl = crossref_to_csl(message)
    csl.setdefault("DOI", normal)
    notices = crossref_notices(message)
    with transaction(db):
        store_cache(db, fetched.cache_row)
        outcome = _import_one(db, csl, "crossref", f"crossref DOI {normal}")
        retracted = _apply_notices(db, outcome.source_id, notices)
    return LookupResult(outcome, "crossref", fetched.cached, notices, retracted)


def lookup_pmid(db: sqlite_utils.Database, pmid: str, *, client: httpx.Client | None = None) -> LookupResult:
    """Look a PMID up with NCBI E-utilities esummary and add or merge the work into ``sources``."""
    try:
        normal = ids.normalize_pmid(pmid)
    except ids.IdentifierError as e:
        raise LookupFailed(f"--pmid: {e}") from None
    params = {"db": "pubmed", "id": normal, "retmode": "json"}
    with _use(client) as http:
        fetched = fetch(db, http, "pubmed", normal, NCBI_ESUMMARY_URL, params=params, what=f"PMID {normal}")
    result = fetched.data.get("result") if isinstance(fetched.data, dict) else None
    summary = (result or {}).get(normal)
    if not isinstance(summary, dict) or summary.get("error"):
        detail = (summary or {}).get("error") or (fetched.data or {}).get("error") or "no summary returned"
        raise LookupFailed(f"pubmed: PMID {normal} not found ({detail})")
    csl = ncbi_to_csl(summary, normal)
    notices = ncbi_notices(summary)
    with transaction(db):
        store_cache(db, fetched.cache_row)
        outcome = _import_one(db, csl, "pubmed", f"pubmed PMID {normal}")
        retracted = _apply_notices(db, outcome.source_id, notices)
    return LookupResult(outcome, "pubmed", fetched.cached, notices, retracted)


@dataclass
class RetractionReport:
    checked: int = 0
    retracted: list[str] = field(default_factory=list)
    findings: int = 0
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"skipped {s}" for s in self.skipped]
        lines += [f"retracted: {key}" for key in self.retracted]
        lines.append(
            f"checked {self.checked} sources with a DOI: {len(self.retracted)} retracted, {self.findings} findings written"
        )
        return "\n".join(lines)


def check_retractions(db: sqlite_utils.Database, *, client: httpx.Client | None = None) -> RetractionReport:
    """Re-fetch every source with a DOI from Crossref and record retractions.

    Every quote and claim that cites a retracted source (any relation) gets a
    ``retracted_source`` finding, once. A DOI Crossref does not know is skipped and reported;
    a network error stops the check before anything is written.
    """
    report = RetractionReport()
    sources = db.execute("select id, key, doi, title from sources where doi is not null order by id").fetchall()
    fetched: list[tuple[int, str, str | None, Fetched]] = []
    with _use(client) as http:
        for source_id, key, doi, title in sources:
            try:
                result = fetch(db, http, "crossref", doi, CROSSREF_URL.format(doi=doi), what=f"DOI {doi} ({key})", refresh=True)
            except LookupFailed as e:
                if "HTTP 404" in str(e):
                    report.skipped.append(f"{key}: DOI {doi} not found at Crossref")
                    continue
                raise
            fetched.append((source_id, key, title, result))
    existing = {
        (row[0], row[1], row[2])
        for row in db.execute("select source_id, quote_id, claim_id from findings where kind = ?", [RETRACTED_FINDING])
    }
    created = now()
    with transaction(db):
        for source_id, key, title, result in fetched:
            report.checked += 1
            store_cache(db, result.cache_row)
            message = result.data.get("message") or {}
            if not _apply_notices(db, source_id, crossref_notices(message)):
                continue
            report.retracted.append(key)
            rows = []
            for kind, target_id, article_id, relation in citation_targets(db, source_id):
                ident = (source_id, target_id if kind == "quote" else None, target_id if kind == "claim" else None)
                if ident in existing:
                    continue
                existing.add(ident)
                rows.append(
                    {
                        "article_id": article_id,
                        "kind": RETRACTED_FINDING,
                        "message": f"This {kind} relies on {key} ({relation}), which has been retracted: {title or 'untitled'}.",
                        "quote_id": ident[1],
                        "related_quote_id": None,
                        "claim_id": ident[2],
                        "source_id": source_id,
                        "created_at": created,
                    }
                )
            db["findings"].insert_all(rows)
            report.findings += len(rows)
    return report
