"""`claims trace --offline` speed as the local library grows.

Builds a database with the example article, the nine sources of data/sources.yml and S filler
sources (titles and notes of generated words, so they rarely share the article's key terms, plus
a few that do), then times an offline trace of article 1 (21 records) twice: the first run also
indexes every source's matching keys (source_terms, linear in the library, once), the second
only searches. Prints seconds for each library size and the ratio to the smallest size,
measured in the same run: the second run should grow with the matches FTS5 returns (capped),
not with the library.

    .venv/bin/python bench/trace.py [--sizes 100,1000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from claims.db import open_db, transaction
from claims.ingest import ingest_document
from claims.readers import read_path
from claims.sources import SourceRecord, clean_item, import_records, load_csl_yaml
from claims.trace.run import trace

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ["ka", "lo", "mi", "ne", "tur", "sa", "vel", "dor", "pi", "qua", "ren", "tis", "mo", "bra", "zen", "ul"]
# Some fillers share common words of the article, so FTS5 has matches to rank.
SHARED = ["facial", "skin", "microcurrent", "muscles", "tissue", "layer", "inflammatory", "review"]


def filler(rng: random.Random, i: int) -> SourceRecord:
    def words(n: int) -> str:
        out = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n)]
        if rng.random() < 0.2:
            out[rng.randrange(n)] = rng.choice(SHARED)
        return " ".join(out)

    csl = {"id": "", "type": "article-journal", "title": words(8).capitalize(), "issued": {"date-parts": [[1990 + i % 35]]},
           "DOI": f"10.5555/bench.{i}"}  # fmt: skip
    return SourceRecord(clean_item(csl, f"filler {i}"), f"filler {i}", note=words(40))


def build(path: Path, size: int) -> None:
    db = open_db(path)
    rng = random.Random(size)
    with transaction(db):
        ingest_document(db, read_path(ROOT / "data" / "articles" / "skin-stimulator-trains-your-face.txt"), "example")
        import_records(db, load_csl_yaml(ROOT / "data" / "sources.yml"), "bench")
        import_records(db, [filler(rng, i) for i in range(size)], "bench")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="Filler sources per run, comma-separated.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per size; the best is kept.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            first = again = float("inf")
            for run in range(args.repeat):
                path = Path(tmp) / f"bench-{size}-{run}.db"
                build(path, size)
                db = open_db(path)
                start = time.perf_counter()
                report = trace(db, article_id=1, offline=True)  # builds source_terms for every source
                first = min(first, time.perf_counter() - start)
                start = time.perf_counter()
                trace(db, article_id=1, offline=True)  # steady state: nothing to index, nothing new
                again = min(again, time.perf_counter() - start)
                db.close()
            results.append((size, first, again, len(report.outcomes)))
    base_first, base_again = results[0][1], results[0][2]
    for size, first, again, records in results:
        print(f"{size + 9:>6} sources, {records} records: first run {first:6.2f} s ({first / base_first:4.2f}x), "
              f"second run {again:6.2f} s ({again / base_again:4.2f}x the {sizes[0] + 9}-source run)")


if __name__ == "__main__":
    main()
