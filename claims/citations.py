"""Citations: the links between quotes or claims and sources.

Two producers live here: the editor's ``candidate_for`` guesses in data/sources.yml
(:func:`link_candidates`) and the hyperlinks and DOIs that readers found inside a claim's or
quote's sentence (:func:`link_cited_sources`). Both are idempotent: a link that exists is not
written again.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import sqlite_utils

from . import identifiers as ids
from .models import CitationRow
from .sources import (
    KEY_RE,
    PLACEHOLDERS,
    Batch,
    SourceError,
    SourceIndex,
    SourceRecord,
    _add_or_merge,
    clean_item,
    generated_key,
    source_row,
)

Target = tuple[Literal["quote", "claim"], int]

_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"',
                              "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."})


def normalize_passage(text: str) -> str:
    """Compare passages whatever their quote marks, dashes, ellipses, spacing or case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    text = " ".join(text.split()).casefold()
    return text.strip(" \"'")


@dataclass
class _Text:
    kind: Literal["quote", "claim"]
    id: int
    text: str


def _texts(db: sqlite_utils.Database, table: Literal["quotes", "claims"]) -> list[_Text]:
    kind: Literal["quote", "claim"] = "quote" if table == "quotes" else "claim"
    return [_Text(kind, row[0], normalize_passage(row[1])) for row in db.execute(f"select id, text from {table} order by id")]


def find_passage(passage: str, quotes: Sequence[_Text], claims: Sequence[_Text]) -> list[_Text]:
    """Quotes that start with the passage, else quotes containing it, else the same for claims."""
    wanted = normalize_passage(passage)
    for pool in (quotes, claims):
        hits = [t for t in pool if t.text.startswith(wanted)] or [t for t in pool if wanted in t.text]
        if hits:
            return hits
    return []


def _existing(db: sqlite_utils.Database, wanted: set[tuple[str, int, int]] | None = None) -> set[tuple[str, int, int]]:
    """Citations already stored (only those of ``wanted``'s records, if given: indexed lookups)."""
    # Any relation counts: an editor may have turned a candidate into `attributed` since.
    if wanted is None:
        rows = db.execute("select quote_id, claim_id, source_id from citations").fetchall()
    else:
        rows = []
        for kind in ("quote", "claim"):
            ids = sorted({target for k, target, _ in wanted if k == kind})
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                rows += db.execute(
                    f"select quote_id, claim_id, source_id from citations where {kind}_id in ({','.join('?' * len(part))})", part
                ).fetchall()
    return {("quote", q, s) if q is not None else ("claim", c, s) for q, c, s in rows}


def _link_index(db: sqlite_utils.Database, links: list[tuple[Any, ...]], article_id: int) -> SourceIndex:
    """Just the sources these links can resolve to, found through indexes (not every source):
    those with the links' DOIs or URLs and, for a work not stored yet, every source its stub
    could merge into (same DOI, PMID, PMCID, URL, or title and year) or whose key it could
    collide with (same key stem)."""
    clauses: list[str] = []
    params: list[Any] = []

    def where(column: str, values: set[Any]) -> None:
        if values:
            clauses.append(f"{column} in ({','.join('?' * len(values))})")
            params.extend(sorted(values))

    dois, urls = set(), set()
    for _start, _end, href, doi, _text in links:
        try:
            if doi:
                dois.add(ids.normalize_doi(doi))
            else:
                urls.add(ids.normalize_url(href))
        except ids.IdentifierError:
            continue
    where("doi", dois)
    where("url", urls)
    index = SourceIndex.load(db, "where " + " or ".join(clauses), params) if clauses else SourceIndex()
    stubs = [
        stub_record(href, doi, text, f"article {article_id} link at {start}")
        for start, _end, href, doi, text in links
        if not (doi and _normal(ids.normalize_doi, doi) in index.by_doi)
        and not (not doi and _normal(ids.normalize_url, href) in index.by_url)
    ]
    stubs = [s for s in stubs if s is not None]
    if stubs:
        clauses, params = [], []
        rows = [source_row(s.csl, "?") for s in stubs]
        for column in ("doi", "pmid", "pmcid", "url"):
            where(column, {r[column] for r in rows if r[column]})
        for r in rows:
            if r["title_key"] and r["year"] is not None:
                clauses.append("(title_key = ? and year = ?)")
                params += [r["title_key"], r["year"]]
        stems = {s.key or generated_key(s.csl) for s in stubs}
        for stem in stems:
            clauses.append("(key >= ? and key < ?)")
            params += [stem, stem + "\U0010ffff"]
        near = SourceIndex.load(db, "where " + " or ".join(clauses), params, key_stems=stems)
        for row in near.rows.values():
            index.add(row)
        for key, source_id in near.by_key.items():
            index.by_key.setdefault(key, source_id)
        for source_id, kind in near.key_kind.items():
            index.key_kind.setdefault(source_id, kind)
    index.next_id = max(index.next_id, db.execute("select coalesce(max(id), 0) + 1 from sources").fetchone()[0])
    return index


def _normal(normalize: Any, value: str) -> str | None:
    try:
        return normalize(value)
    except ids.IdentifierError:
        return None


def _insert(db: sqlite_utils.Database, links: Iterable[tuple[str, int, int]], relation: str, added_by: str) -> int:
    from .ingest import now

    stamp = now()
    rows = [
        CitationRow(
            quote_id=target_id if kind == "quote" else None,
            claim_id=target_id if kind == "claim" else None,
            source_id=source_id,
            relation=relation,  # type: ignore[arg-type]
            added_by=added_by,
            added_at=stamp,
        ).model_dump()
        for kind, target_id, source_id in sorted(links)
    ]
    if rows:
        db["citations"].insert_all(rows, batch_size=500)
    return len(rows)


def link_candidates(
    db: sqlite_utils.Database, records: Sequence[SourceRecord], source_ids: dict[str, int], *, added_by: str = "claims build"
) -> int:
    """Turn each record's ``candidate_for`` passages into ``candidate`` citations.

    A passage that matches no quote or claim in any article is an error naming the entry.
    Call inside a transaction. Returns the number of citations written.
    """
    quotes, claims = _texts(db, "quotes"), _texts(db, "claims")
    wanted: set[tuple[str, int, int]] = set()
    for record in records:
        source_id = source_ids[record.key or str(record.csl["id"])]
        for passage in record.candidate_for:
            hits = find_passage(passage, quotes, claims)
            if not hits:
                raise SourceError(f"{record.where}: candidate_for {passage!r} matches no quote or claim in any article")
            wanted.update((hit.kind, hit.id, source_id) for hit in hits)
    return _insert(db, wanted - _existing(db), "candidate", added_by)


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) in ``text[start:end]``, by pysbd."""
    from .segment import segmenter

    return [(start + span.start, start + span.end) for span in segmenter().segment(text[start:end])]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


Spans = list[tuple[int, int]]


def link_sentences(text: str, blocks: Spans, link_starts: list[int]) -> dict[int, tuple[int, int]]:
    """The sentence each link starts in, by link start: within the first block (in start order)
    holding it, the pysbd sentence holding it (no entry if none does). A pure function
    of the document, so ``claims build`` computes it in its extraction workers."""
    blocks = sorted(blocks)
    # The first block whose end passes a point is found by bisecting the running maximum of
    # the ends (non-decreasing), not by scanning every block for every link.
    reach, top = [], -1
    for _b0, b1 in blocks:
        top = max(top, b1)
        reach.append(top)
    starts = [b0 for b0, _ in blocks]
    segmented: dict[tuple[int, int], Spans] = {}
    out = {}
    for start in link_starts:
        i = bisect.bisect_right(reach, start)
        block = blocks[i] if i < len(blocks) and starts[i] <= start else None
        if block is None:
            continue
        if block not in segmented:
            segmented[block] = _sentence_spans(text, *block)
        spans = segmented[block]
        j = bisect.bisect_right(spans, (start, float("inf"))) - 1
        if j >= 0 and spans[j][0] <= start < spans[j][1]:
            out[start] = spans[j]
    return out


def link_cited_sources(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    added_by: str = "claims ingest",
    sentences: dict[int, tuple[int, int]] | None = None,
) -> int:
    """Hyperlinks and DOIs inside a claim's or quote's sentence become ``cited`` citations.

    A link to a work not yet in ``sources`` creates a minimal source from its DOI or URL, titled
    by the link's text (else its host) and keyed by the DOI or the URL (see :func:`stub_record`);
    a later ``claims sources lookup`` replaces those guesses. Call inside a transaction; idempotent.
    Returns the number of citations written. ``sentences``: :func:`link_sentences` already
    computed for this article's text (else it is computed here).
    """
    links = db.execute(
        'select start, "end", href, doi, text from links where article_id = ? order by start', [article_id]
    ).fetchall()
    if not links:
        return 0
    row = db.execute("select text from articles where id = ?", [article_id]).fetchone()
    if row is None:
        raise ValueError(f"article {article_id}: no such article")
    text = row[0]
    if sentences is None:
        blocks = db.execute('select start, "end" from blocks where article_id = ?', [article_id]).fetchall()
        sentences = link_sentences(text, [tuple(b) for b in blocks], [link[0] for link in links])
    targets = sorted(
        (start, end, kind, target_id)
        for kind, table in (("quote", "quotes"), ("claim", "claims"))
        for target_id, start, end in db.execute(f'select id, start, "end" from {table} where article_id = ?', [article_id])
    )
    target_starts = [t[0] for t in targets]
    longest = max((end - start for start, end, _, _ in targets), default=0)
    index = _link_index(db, links, article_id)
    batch = Batch(index, db)
    wanted: set[tuple[str, int, int]] = set()
    from .ingest import now

    stamp = now()
    for start, end, href, doi, link_text in links:
        sentence = sentences.get(start, (start, end))
        # Only records starting within `longest` before the span can overlap it.
        low, high = min(sentence[0], start), max(sentence[1], end)
        window = targets[bisect.bisect_left(target_starts, low - longest) : bisect.bisect_left(target_starts, high)]
        hits = [(k, t) for t0, t1, k, t in window if _overlaps(t0, t1, *sentence) or _overlaps(t0, t1, start, end)]
        if not hits:
            continue
        source_id = _source_for_link(batch, href, doi, link_text, f"article {article_id} link at {start}", stamp)
        if source_id is not None:
            wanted.update((kind, target_id, source_id) for kind, target_id in hits)
    batch.write(db)
    return _insert(db, wanted - _existing(db, wanted), "cited", added_by)


# Anchor texts that say nothing about the work they link to.
_GENERIC_LINK_TEXT = {
    "here", "click here", "this", "link", "this link", "source", "sources", "study", "this study",
    "the study", "a study", "paper", "this paper", "article", "this article", "report", "review",
    "research", "trial", "website", "site", "more", "read more", "learn more", "see", "ref", "pdf",
}  # fmt: skip


def _link_title(text: str | None, href: str, doi: str | None) -> str | None:
    """The link's text when it names the work (not "here", not the URL or DOI itself)."""
    text = " ".join((text or "").split()).strip(" ()[]")
    folded = text.casefold()
    if len(re.findall(r"[^\W\d_]", text)) < 3 or folded.rstrip(".:") in _GENERIC_LINK_TEXT:
        return None
    if re.match(r"^(?:https?://|www\.|doi:|10\.\d{4,9}/)", folded) or folded in href.casefold():
        return None
    if doi and doi.casefold() in folded:
        return None
    return text


def _url_key(url: str) -> str:
    """``https://pubmed.ncbi.nlm.nih.gov/23853635/`` -> ``pubmed_23853635``;
    ``https://example.org/trial?id=5`` -> ``example_trial_id_5``: stable and readable."""
    parts = urlsplit(url)
    labels = [label for label in (parts.hostname or "").split(".") if label not in ("www", "m")]
    host = ids.ascii_fold(labels[0] if labels else "link").lower()
    words = re.findall(r"[a-z0-9]+", ids.ascii_fold(unquote(f"{parts.path} {parts.query}")).lower())
    key = "_".join([re.sub(r"[^a-z0-9]", "", host) or "link", *words])
    key = key[:48].rstrip("_")
    return key if KEY_RE.match(key) else f"link_{key}"


def stub_record(href: str, doi: str | None, text: str | None, where: str) -> SourceRecord | None:
    """A minimal source for a link to a work not yet known, or None when it names no source.

    Its title is the link's text when that names the work, else the link's host (or the DOI);
    its key comes from the DOI (``doi_10_1016_...``) or the URL (``pubmed_23853635``). The
    guessed title and type are listed in ``custom`` so a lookup or import replaces them.
    """
    try:
        if doi:
            display = ids.doi_display(doi)
            csl: dict[str, object] = {"id": "", "type": "article", "DOI": display}
            key = "doi_" + re.sub(r"[^a-z0-9]+", "_", ids.normalize_doi(doi)).strip("_")
            host = (urlsplit(href).hostname or "").removeprefix("www.")
            fallback = host if host and not host.endswith("doi.org") else f"DOI {display}"
        else:
            url = ids.normalize_url(href)
            csl = {"id": "", "type": "webpage", "URL": url}
            key = _url_key(url)
            fallback = urlsplit(url).hostname or url
            fallback = fallback.removeprefix("www.")
    except ids.IdentifierError:
        # Navigation links, mailto: and malformed DOIs in running text name no source.
        return None
    csl["title"] = _link_title(text, href, doi) or fallback
    csl["custom"] = {PLACEHOLDERS: ["title", "type"]}
    try:
        return SourceRecord(clean_item(csl, where), where, key=key)
    except SourceError:
        return None


def _source_for_link(batch: Batch, href: str, doi: str | None, text: str | None, where: str, stamp: str) -> int | None:
    index = batch.index
    try:
        if doi:
            normal = ids.normalize_doi(doi)
            if normal in index.by_doi:
                return index.by_doi[normal]
        else:
            url = ids.normalize_url(href)
            if url in index.by_url:
                return index.by_url[url]
    except ids.IdentifierError:
        return None
    record = stub_record(href, doi, text, where)
    if record is None:
        return None
    return _add_or_merge(batch, record, "article link", stamp).source_id


def citation_targets(db: sqlite_utils.Database, source_id: int) -> list[tuple[str, int, int, str]]:
    """(kind, quote or claim id, article id, relation) for everything citing a source."""
    return [
        (kind, target_id, article_id, relation)
        for kind, table in (("quote", "quotes"), ("claim", "claims"))
        for target_id, article_id, relation in db.execute(
            f"select t.id, t.article_id, c.relation from citations c join {table} t on t.id = c.{kind}_id "
            "where c.source_id = ? order by t.id",
            [source_id],
        )
    ]

