"""What ``claims build`` needs at scale: reading and extracting articles in worker processes,
and knowing which articles a build's writes touched, so findings are refreshed for those only.

Extraction is a pure function of the document, so N workers extract while the one process that
holds the database writes, in article order; results come back in order, a few at a time, so
memory stays bounded by the pool's queue, not the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from . import readers
from .citations import link_sentences
from .extract import extract
from .models import Document, Extraction


def _read(args: tuple[Path, int]) -> Document:
    path, max_bytes = args
    return readers.read_path(path, max_bytes=max_bytes)


def read_all(paths: Sequence[Path], max_bytes: int, jobs: int = 1) -> list[Document]:
    """Every article read and validated (ReadError names the first bad file), before any write."""
    if jobs <= 1 or len(paths) < 2:
        return [_read((p, max_bytes)) for p in paths]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_read, [(p, max_bytes) for p in paths], chunksize=_chunk(len(paths), jobs)))


def _chunk(count: int, jobs: int) -> int:
    return max(1, min(32, count // (jobs * 8)))


Extracted = tuple[Extraction, dict[int, tuple[int, int]]]


def extract_for_build(doc: Document) -> Extracted:
    """Everything ``claims build`` derives from the text alone: the extraction, and the sentence
    each link sits in (for cited-source links), so the one writer only writes."""
    sentences = link_sentences(doc.text, [(b.start, b.end) for b in doc.blocks], [link.start for link in doc.links])
    return extract(doc), sentences


def _workers_cpu() -> float:
    """CPU seconds of the live worker processes (Linux's /proc; 0 elsewhere): getrusage counts
    children only once they have exited."""
    total = 0.0
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            continue
    return total


class Progress:
    """``claims build --progress``: a line on stderr every ``every`` articles written, with the
    wall and CPU seconds (this process and its finished workers) since the build began and the
    rate of the last stretch, so a long build shows whether its per-article cost grows."""

    def __init__(self, total: int, every: int = 500) -> None:
        self.total, self.every, self.done = total, every, 0
        self.start = self.last = time.perf_counter()

    def tick(self) -> None:
        self.done += 1
        if self.done % self.every and self.done != self.total:
            return
        now = time.perf_counter()
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        cpu = sum(u.ru_utime + u.ru_stime for u in usage) + _workers_cpu()
        stretch = self.done % self.every or self.every
        print(f"build: {self.done}/{self.total} articles written, {now - self.start:.0f} s, "
              f"{(now - self.last) / stretch * 1000:.0f} ms/article lately, CPU {cpu:.0f} s "
              f"(this process {usage[0].ru_utime + usage[0].ru_stime:.0f} s)", file=sys.stderr, flush=True)  # fmt: skip
        self.last = now


def extractions(docs: Sequence[Document | None], jobs: int = 1) -> Iterator[Extracted | None]:
    """:func:`extract_for_build` for each document in order (None stays None: nothing to extract)."""
    if jobs <= 1:
        for doc in docs:
            yield None if doc is None else extract_for_build(doc)
        return
    wanted = [doc for doc in docs if doc is not None]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(extract_for_build, wanted, chunksize=_chunk(len(wanted), jobs))
        for doc in docs:
            yield None if doc is None else next(results)


@contextmanager
def touched_articles(db: sqlite_utils.Database) -> Iterator[set[int]]:
    """Collect the articles whose records' citations (or those citations' sources) change while
    the block runs; the set is filled when the block ends. Temporary triggers: nothing is
    stored in the database."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_articles (article_id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM touched_articles")
    record_articles = (
        "INSERT OR IGNORE INTO touched_articles (article_id) "
        "SELECT article_id FROM quotes WHERE id = {row}.quote_id "
        "UNION SELECT article_id FROM claims WHERE id = {row}.claim_id;"
    )
    triggers = {
        "touched_citation_insert": ("AFTER INSERT ON citations", record_articles.format(row="NEW")),
        "touched_citation_delete": ("AFTER DELETE ON citations", record_articles.format(row="OLD")),
        "touched_citation_update": (
            "AFTER UPDATE ON citations",
            record_articles.format(row="OLD") + record_articles.format(row="NEW"),
        ),
        "touched_source_update": (
            "AFTER UPDATE ON sources",
            "INSERT OR IGNORE INTO touched_articles (article_id) "
            "SELECT q.article_id FROM citations c JOIN quotes q ON q.id = c.quote_id WHERE c.source_id = NEW.id "
            "UNION SELECT cl.article_id FROM citations c JOIN claims cl ON cl.id = c.claim_id WHERE c.source_id = NEW.id;",
        ),
    }
    for name, (when, body) in triggers.items():
        db.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {name} {when} BEGIN {body} END")
    touched: set[int] = set()
    try:
        yield touched
        touched.update(row[0] for row in db.execute("SELECT article_id FROM touched_articles"))
    finally:
        for name in triggers:
            db.execute(f"DROP TRIGGER IF EXISTS temp.{name}")
        db.execute("DROP TABLE IF EXISTS temp.touched_articles")


# A build writes a million index entries at random places (claims, FTS, review state, the
# near-duplicate index): with SQLite's default 2 MB page cache most of them read a page from
# the OS first. 256 MB for the one writer process of a build.
BUILD_CACHE_KIB = 262_144


def bulk_writer(db: sqlite_utils.Database) -> None:
    db.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")


def analyze(db: sqlite_utils.Database) -> None:
    """Refresh the query planner's statistics (after a build changes table sizes). Sampled
    (analysis_limit), so it takes a moment at a million rows, not a full scan of each index."""
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute("ANALYZE")
