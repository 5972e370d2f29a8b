"""Near-identical quotations across articles, found through an index of word 3-grams.

Each quotation of an article's latest version with at least :data:`MIN_DUPLICATE_WORDS` words
stores the 64-bit hashes of its distinct word 3-grams in ``quote_shingles`` (indexed by hash).
Two quotations in different articles are a candidate pair when they share at least two
3-grams that fewer than :data:`MAX_SHINGLE_QUOTES` quotations contain (a phrase in more is a
stock phrase, not evidence of copying); a candidate is a near-duplicate when rapidfuzz's
partial ratio of the two is at least :data:`DUPLICATE_SCORE`.

Finding the pairs of one article costs one indexed lookup per 3-gram of its quotations, so
ingesting an article costs the same in a database of a hundred articles as of ten thousand.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlite_utils
from rapidfuzz import fuzz

from .verify import fold

if TYPE_CHECKING:
    from .evidence import DerivedFinding

# A quotation this short is too common a phrase to call a duplicate.
MIN_DUPLICATE_WORDS = 6
DUPLICATE_SCORE = 75.0
SHINGLE = 3
MAX_SHINGLE_QUOTES = 50
_KIND = "near_duplicate_quote_across_articles"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def shingles(tokens: list[str]) -> set[int]:
    """Signed 64-bit hashes of the distinct word 3-grams (stable across processes, unlike hash())."""
    out = set()
    for i in range(len(tokens) - SHINGLE + 1):
        digest = hashlib.blake2b(" ".join(tokens[i : i + SHINGLE]).encode(), digest_size=8).digest()
        out.add(int.from_bytes(digest, "big", signed=True))
    return out


def index_article_quotes(db: sqlite_utils.Database, article_id: int, superseded: int | None = None) -> int:
    """Index one article's quotations; a new version's index replaces its predecessor's (only
    latest versions are compared). Call inside a transaction. Returns rows written."""
    if superseded is not None:
        db.execute("delete from quote_shingles where article_id = ?", [superseded])
    db.execute("delete from quote_shingles where article_id = ?", [article_id])
    rows = []
    for quote_id, text in db.execute("select id, text from quotes where article_id = ? order by id", [article_id]):
        tokens = words(text)
        if len(tokens) >= MIN_DUPLICATE_WORDS:
            rows.extend((h, quote_id, article_id) for h in sorted(shingles(tokens)))
    db.conn.executemany("insert into quote_shingles (shingle, quote_id, article_id) values (?, ?, ?)", rows)
    return len(rows)


def reindex_all(db: sqlite_utils.Database) -> int:
    """Rebuild the whole index from every article's latest version (``claims build --refresh``)."""
    db.execute("delete from quote_shingles")
    latest = [row[0] for row in db.execute("select id from articles where is_current order by id")]
    return sum(index_article_quotes(db, article_id) for article_id in latest)


# Beyond this many articles in scope (a large build), one grouped pass over the whole index
# is cheaper than a lookup per 3-gram.
LOOKUP_ARTICLES = 200


def _pairs(db: sqlite_utils.Database, article_ids: Iterable[int] | None) -> dict[tuple[int, int], int]:
    """Shared-3-gram counts of candidate pairs (lower id first) with a quotation in ``article_ids``
    (every article when None), between different articles."""
    ids = None if article_ids is None else sorted(set(article_ids))
    lists: Iterable[list[int]]
    if ids is None or len(ids) > LOOKUP_ARTICLES:
        mine = None
        if ids is not None:
            mine = {q for chunk in range(0, len(ids), 500) for (q,) in db.execute(
                f"select distinct quote_id from quote_shingles where article_id in ({','.join('?' * len(ids[chunk : chunk + 500]))})",
                ids[chunk : chunk + 500])}  # fmt: skip
        article = dict(db.execute("select distinct quote_id, article_id from quote_shingles"))
        # SQLite groups along the (shingle, quote_id) index: one streaming pass, no postings in memory.
        lists = (
            sorted(int(q) for q in group.split(","))
            for (group,) in db.execute(
                "select group_concat(quote_id) from quote_shingles group by shingle having count(*) between 2 and ?",
                [MAX_SHINGLE_QUOTES],
            )
        )
    else:
        marks = ",".join("?" * len(ids))
        own = db.execute(f"select shingle, quote_id from quote_shingles where article_id in ({marks})", ids).fetchall()
        mine = {quote_id for _, quote_id in own}
        article = {}
        found_lists = []
        for shingle in sorted({s for s, _ in own}):
            # One more than the cap says "a stock phrase" without reading the whole posting.
            found = db.execute(
                "select quote_id, article_id from quote_shingles where shingle = ? limit ?",
                [shingle, MAX_SHINGLE_QUOTES + 1],
            ).fetchall()
            article.update(found)
            found_lists.append(sorted(quote_id for quote_id, _ in found))
        lists = found_lists
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for qids in lists:
        if len(qids) > MAX_SHINGLE_QUOTES:
            continue  # a stock phrase, not evidence of copying
        for i, a in enumerate(qids):
            for b in qids[i + 1 :]:
                # Other articles: only current versions are indexed, never an article's earlier one.
                if (mine is None or a in mine or b in mine) and article[a] != article[b]:
                    shared[(a, b)] += 1
    return shared


def cross_article_duplicates(db: sqlite_utils.Database, article_ids: Iterable[int] | None = None) -> list[DerivedFinding]:
    """Near-identical quotations in different articles (latest versions), with their sources:
    every pair when ``article_ids`` is None, else the pairs with a quotation in those articles."""
    from .evidence import DerivedFinding

    shared = {pair: n for pair, n in _pairs(db, article_ids).items() if n >= 2}
    if not shared:
        return []
    involved = sorted({q for pair in shared for q in pair})
    meta: dict[int, tuple[int, str, str]] = {}
    credited: dict[int, list[str]] = defaultdict(list)
    for chunk in range(0, len(involved), 500):
        part = involved[chunk : chunk + 500]
        marks = ",".join("?" * len(part))
        for qid, text, article_id, title in db.execute(
            f"select q.id, q.text, q.article_id, a.title from quotes q join articles a on a.id = q.article_id "
            f"where q.id in ({marks})",
            part,
        ):
            meta[qid] = (article_id, " ".join(words(text)), title)
        for qid, key in db.execute(
            f"select c.quote_id, s.key from citations c join sources s on s.id = c.source_id "
            f"where c.quote_id in ({marks}) order by s.key",
            part,
        ):
            credited[qid].append(key)

    def who(qid: int) -> str:
        keys = credited.get(qid)
        return f"linked to {', '.join(keys)}" if keys else "linked to no source"

    out = []
    for a, b in sorted(shared):
        short, long = sorted((meta[a][1], meta[b][1]), key=len)
        score = fuzz.partial_ratio(short, long)
        if score < DUPLICATE_SCORE:
            continue
        # One finding in each article, so an editor filtering either article's findings sees it.
        for this, other in ((a, b), (b, a)):
            out.append(DerivedFinding(
                _KIND,
                f"Quote {this} ({who(this)}) is near-identical to quote {other} in \u201c{meta[other][2]}\u201d "
                f"({who(other)}) (similarity {score:.0f}).",
                meta[this][0], quote_id=this, related_quote_id=other,
            ))  # fmt: skip
    return out
