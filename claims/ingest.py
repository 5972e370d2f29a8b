"""Ingest: a read Document becomes an article with its quotes, claims and findings.

One transaction per article. Re-ingesting the same text is a no-op; a changed text at the same
location becomes a new version and leaves the old version's records untouched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlite_utils

from .clock import now
from .db import transaction
from .extract import extract
from .models import Article, Document, Extraction, FindingRow

Status = Literal["added", "new_version", "unchanged"]


@dataclass
class IngestResult:
    article_id: int
    status: Status
    version: int
    quotes: int = 0
    claims: int = 0
    findings: int = 0

    def describe(self, location: str) -> str:
        if self.status == "unchanged":
            return f"{location}: unchanged (article {self.article_id}, version {self.version})"
        what = "added" if self.status == "added" else f"new version {self.version}"
        return (
            f"{location}: {what} as article {self.article_id}: "
            f"{self.quotes} quotes, {self.claims} claims, {self.findings} findings"
        )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _next_id(db: sqlite_utils.Database, table: str) -> int:
    row = db.execute(f"select coalesce(max(id), 0) + 1 from [{table}]").fetchone()
    return int(row[0])


def ingest_document(
    db: sqlite_utils.Database,
    doc: Document,
    location: str,
    *,
    title: str | None = None,
    url: str | None = None,
    extraction: Extraction | None = None,
) -> IngestResult:
    """Store ``doc`` as an article (or a new version of ``location``) with what it contains.

    ``extraction`` lets a caller that already ran :func:`claims.extract.extract` skip a rerun.
    """
    digest = sha256(doc.text)
    previous = db.execute(
        "select id, version, sha256 from articles where location = ? order by version desc limit 1", [location]
    ).fetchone()
    # Unchanged: the latest version at this location has this text, or (for a location seen
    # for the first time) the same text is stored from elsewhere. Text that reverts to an
    # older version's is a new version, so the latest version always holds the current text.
    if previous is not None:
        same = previous[:2] if previous[2] == digest else None
    else:
        same = db.execute("select id, version from articles where sha256 = ? order by id limit 1", [digest]).fetchone()
    if same:
        return IngestResult(article_id=same[0], status="unchanged", version=same[1])

    # Extraction is pure and can be slow; do it before the write transaction opens.
    if extraction is None:
        extraction = extract(doc)
    article = Article(
        title=title or doc.title or Path(location).stem,
        url=url,
        location=location,
        text=doc.text,
        sha256=digest,
        format=doc.format,
        version=previous[1] + 1 if previous else 1,
        previous_id=previous[0] if previous else None,
        ingested_at=now(),
    )
    with transaction(db):
        article_id = save_article(db, article, doc, extraction)
    return IngestResult(
        article_id=article_id,
        status="new_version" if previous else "added",
        version=article.version,
        quotes=len(extraction.quotes),
        claims=len(extraction.claims),
        findings=len(extraction.findings),
    )


def _ids_in_text_order(first_id: int, records: list) -> list[int]:
    """Ids for ``records`` (in their list order) that ascend with their start offset."""
    order = sorted(range(len(records)), key=lambda i: (records[i].start, records[i].end))
    ids = [0] * len(records)
    for rank, index in enumerate(order):
        ids[index] = first_id + rank
    return ids


def save_article(db: sqlite_utils.Database, article: Article, doc: Document, extraction: Extraction) -> int:
    """Write one article and everything extracted from it. Call inside a transaction."""
    article_id = _next_id(db, "articles")
    db["articles"].insert({"id": article_id, **article.model_dump()})
    db["blocks"].insert_all(
        {"article_id": article_id, "seq": i, **block.model_dump()} for i, block in enumerate(doc.blocks)
    )
    db["links"].insert_all(
        {"article_id": article_id, "text": doc.text[link.start : link.end], **link.model_dump()}
        for link in doc.links
    )
    # Ids are assigned here, inside the transaction, so claims and findings can point at
    # quotes; ids follow position in the article, so sorting by id reads the article in order.
    quote_ids = _ids_in_text_order(_next_id(db, "quotes"), extraction.quotes)
    db["quotes"].insert_all(
        sorted(
            (
                {"id": qid, "article_id": article_id, **quote.model_dump(exclude={"fragments"})}
                for qid, quote in zip(quote_ids, extraction.quotes, strict=True)
            ),
            key=lambda row: row["id"],
        )
    )
    db["quote_fragments"].insert_all(
        {"quote_id": qid, **fragment.model_dump()}
        for qid, quote in zip(quote_ids, extraction.quotes, strict=True)
        for fragment in quote.fragments
    )
    claim_ids = _ids_in_text_order(_next_id(db, "claims"), extraction.claims)

    def quote_id(index: int | None) -> int | None:
        return None if index is None else quote_ids[index]

    db["claims"].insert_all(
        {
            "id": cid,
            "article_id": article_id,
            **claim.model_dump(exclude={"quote_index", "reasons", "hedged"}),
            "reasons": json.dumps(claim.reasons),
            "hedged": int(claim.hedged),
            "quote_id": quote_id(claim.quote_index),
        }
        for cid, claim in sorted(zip(claim_ids, extraction.claims, strict=True), key=lambda p: p[0])
    )
    created = now()
    db["findings"].insert_all(
        FindingRow(
            article_id=article_id,
            kind=finding.kind,
            message=finding.message,
            quote_id=quote_id(finding.quote_index),
            related_quote_id=quote_id(finding.related_quote_index),
            claim_id=None if finding.claim_index is None else claim_ids[finding.claim_index],
            created_at=created,
        ).model_dump()
        for finding in extraction.findings
    )
    return article_id
