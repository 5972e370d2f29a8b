"""Ingest: a read Document becomes an article with its quotes, claims and findings.

One transaction per article. Re-ingesting the same text is a no-op; a changed text at the same
location becomes a new version: the old version's records stay untouched, and what was gathered
on them (links, quote checks, suggested excerpts) is carried to their counterparts
(:mod:`claims.versions`). The same text from a new location is recorded as another location of
the article that has it (``article_locations``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import sqlite_utils

from . import versions
from .clock import now
from .db import transaction
from .duplicates import index_article_quotes
from .extract import extract
from .models import Article, Document, Extraction, FindingRow
from .wording import plural

Status = Literal["added", "new_version", "unchanged", "same_text"]


@dataclass
class IngestResult:
    article_id: int
    status: Status
    version: int
    quotes: int = 0
    claims: int = 0
    findings: int = 0
    # same_text: where the article's text was first ingested from.
    same_as: str | None = None
    carried: versions.Carried | None = field(default=None, repr=False)

    def describe(self, location: str) -> str:
        if self.status == "unchanged":
            return f"{location}: unchanged (article {self.article_id}, version {self.version})"
        if self.status == "same_text":
            return f"{location}: same text as article {self.article_id} (from {self.same_as}); recorded this location too"
        what = "added" if self.status == "added" else f"new version {self.version}"
        line = (
            f"{location}: {what} as article {self.article_id}: "
            f"{plural(self.quotes, 'quote')}, {plural(self.claims, 'claim')}, {plural(self.findings, 'finding')}"
        )
        return line + (f"\n{location}: {self.carried.describe()}" if self.carried else "")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _next_id(db: sqlite_utils.Database, table: str) -> int:
    row = db.execute(f"select coalesce(max(id), 0) + 1 from [{table}]").fetchone()
    return int(row[0])


def current_version(db: sqlite_utils.Database, location: str) -> tuple[int, int, str] | None:
    """(id, version, sha256) of the current version of the article ingested from ``location``
    (its own location, or one recorded in ``article_locations``)."""
    row = db.execute(
        """
        select id from articles where location = ?1
        union all select article_id from article_locations where location = ?1
        order by 1 desc limit 1
        """,
        [location],
    ).fetchone()
    if row is None:
        return None
    article_id = row[0]
    # Versions are few: follow superseded_by to the newest.
    while True:
        found = db.execute("select id, version, sha256, superseded_by from articles where id = ?", [article_id]).fetchone()
        if found[3] is None:
            return found[0], found[1], found[2]
        article_id = found[3]


def needs_extraction(db: sqlite_utils.Database, digest: str, location: str) -> bool:
    """Whether :func:`ingest_document` would extract this text (not unchanged, not the same
    text from another location), so ``claims build`` sends only those to its workers."""
    previous = current_version(db, location)
    if previous is not None:
        return previous[2] != digest
    return db.execute("select 1 from articles where sha256 = ? limit 1", [digest]).fetchone() is None


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
    from .readers import is_url

    # `./post.md` and `post.md` are one location.
    location = location if is_url(location) else os.path.normpath(location)
    digest = sha256(doc.text)
    previous = current_version(db, location)
    # Unchanged: the current version from this location has this text. Text that reverts to an
    # older version's is a new version, so the current version always holds the current text.
    if previous is not None and previous[2] == digest:
        return IngestResult(article_id=previous[0], status="unchanged", version=previous[1])
    if previous is None:
        # A location seen for the first time whose text is stored already (a URL serving the
        # file an editor ingested): one article, with this location recorded too.
        same = db.execute(
            "select id, version, location from articles where sha256 = ? order by is_current desc, id limit 1", [digest]
        ).fetchone()
        if same:
            with transaction(db):
                db["article_locations"].insert({"location": location, "article_id": same[0], "recorded_at": now()})
            return IngestResult(article_id=same[0], status="same_text", version=same[1], same_as=same[2])

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
    carried = None
    with transaction(db):
        matches = versions.plan(db, previous[0], extraction.quotes, extraction.claims) if previous else None
        article_id = save_article(db, article, doc, extraction, matches)
        if previous:
            carried = versions.carry_forward(db, previous[0], article_id)
    return IngestResult(
        article_id=article_id,
        status="new_version" if previous else "added",
        version=article.version,
        quotes=len(extraction.quotes),
        claims=len(extraction.claims),
        findings=len(extraction.findings),
        carried=carried,
    )


def _ids_in_text_order(first_id: int, records: list) -> list[int]:
    """Ids for ``records`` (in their list order) that ascend with their start offset."""
    order = sorted(range(len(records)), key=lambda i: (records[i].start, records[i].end))
    ids = [0] * len(records)
    for rank, index in enumerate(order):
        ids[index] = first_id + rank
    return ids


def save_article(
    db: sqlite_utils.Database,
    article: Article,
    doc: Document,
    extraction: Extraction,
    matches: dict[str, dict[int, versions.Counterpart]] | None = None,
) -> int:
    """Write one article and everything extracted from it. Call inside a transaction.

    ``matches`` (from :func:`claims.versions.plan`): each record's counterpart in the previous
    version, by extraction index, stored as ``carried_from`` / ``anchor`` / ``text_origin_id``.
    """
    carried = matches or {"quotes": {}, "claims": {}}
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
    first_speaker = _next_id(db, "speakers")
    db["speakers"].insert_all(
        {"id": first_speaker + i, "article_id": article_id, **speaker.model_dump()}
        for i, speaker in enumerate(extraction.speakers)
    )
    quote_ids = _ids_in_text_order(_next_id(db, "quotes"), extraction.quotes)
    db["quotes"].insert_all(
        sorted(
            (
                {"id": qid, "article_id": article_id,
                 **quote.model_dump(exclude={"fragments", "speaker_index", "partial"}),
                 "speaker_id": None if quote.speaker_index is None else first_speaker + quote.speaker_index,
                 "partial": int(quote.partial),
                 **versions.anchor_columns(carried["quotes"].get(i), qid)}  # fmt: skip
                for i, (qid, quote) in enumerate(zip(quote_ids, extraction.quotes, strict=True))
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
            **versions.anchor_columns(carried["claims"].get(i), cid),
        }
        for cid, i, claim in sorted(zip(claim_ids, range(len(claim_ids)), extraction.claims, strict=True))
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
    # Latest versions' quotations, by word 3-gram, for the cross-article near-duplicate lookup.
    index_article_quotes(db, article_id, superseded=article.previous_id)
    return article_id
