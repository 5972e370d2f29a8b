"""Ingest throughput at 1x, 10x and 100x the example article's size.

Prints words per second for the whole ingest (read, extract, write), the time in each stage,
and the ratio to a baseline measured in the same run: writing the same number of rows with a
bare sqlite-utils ``insert_all``. Words per second that stay flat as size grows mean cost
grows linearly.

    .venv/bin/python bench/ingest.py [--sizes 1,10,100] [--repeat 3] [--version-size 100]

Each size runs --repeat times (after one untimed warm-up that loads pysbd and the regexes)
and the fastest run counts, as timeit does; the baseline is the fastest of as many runs.

Then the cost of a new version (issue 12): the --version-size article is ingested, every quote
and claim linked to a source, every tenth claim flagged and every quote checked; an edited
text (in every copy of the example: a changed word in a claim, a moved paragraph, a deleted
quotation) is then ingested as version 2, matched and carried forward. Its time is compared
with ingesting the same edited text fresh, into an empty database (target: <= 1.5x).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlite_utils

from claims.db import open_db
from claims.extract import extract
from claims.ingest import ingest_document
from claims.readers import parse

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "articles" / "skin-stimulator-trains-your-face.txt"


def scaled_article(times: int) -> str:
    """The example's title, then its paragraphs repeated ``times`` times."""
    title, _, body = EXAMPLE.read_text(encoding="utf-8").partition("\n\n")
    return title + "\n\n" + "\n\n".join([body.strip()] * times) + "\n"


def row_count(db: sqlite_utils.Database) -> int:
    tables = ("articles", "blocks", "links", "quotes", "quote_fragments", "claims", "findings")
    return sum(db[t].count for t in tables)


def bare_insert_all(rows: int, tmp: Path) -> float:
    """The floor: the same number of small rows written by one insert_all."""
    db = sqlite_utils.Database(tmp / "baseline.db")
    records = ({"id": i, "article_id": 1, "text": "x" * 80, "start": i, "end": i + 80} for i in range(rows))
    start = time.perf_counter()
    with db.atomic():
        db["rows"].insert_all(records, batch_size=1000)
    return time.perf_counter() - start


def timed_ingest(text: str, tmp: Path) -> tuple[float, float, float, int]:
    """(read, extract, write) seconds and rows written, for one ingest into a new database."""
    path = tmp / "bench.db"
    path.unlink(missing_ok=True)
    db = open_db(path)
    t0 = time.perf_counter()
    doc = parse(text, "text", "bench.txt")
    t1 = time.perf_counter()
    extraction = extract(doc)
    t2 = time.perf_counter()
    ingest_document(db, doc, "bench.txt", extraction=extraction)
    t3 = time.perf_counter()
    rows = row_count(db)
    db.close()
    return t1 - t0, t2 - t1, t3 - t2, rows


def edited_article(times: int) -> str:
    """The scaled article with, in every copy of the example, a claim's wording changed, a
    paragraph moved to the end of the copy and a quotation deleted."""
    title, _, body = EXAMPLE.read_text(encoding="utf-8").partition("\n\n")
    parts = body.strip().replace("space-age", "futuristic").split("\n\n")
    moved = next(p for p in parts if p.startswith("When the SMAS starts to slack"))
    parts.remove(moved)
    at = next(i for i, p in enumerate(parts) if p.startswith("\u201cThe data suggest cumulative benefits"))
    parts = parts[: at - 1] + parts[at + 1 :] + [moved]  # the quotation and the line introducing it
    return title + "\n\n" + "\n\n".join(["\n\n".join(parts)] * times) + "\n"


def reviewed_first_version(text: str, path: Path) -> None:
    """Version 1 with a link on every record, a quote check on every quote, a flag on every
    tenth claim: what a new version has to carry."""
    db = open_db(path)
    doc = parse(text, "text", "bench.txt")
    ingest_document(db, doc, "bench.txt")
    stamp = "2024-01-01T00:00:00Z"
    with db.atomic():
        db["sources"].insert({"id": 1, "key": "bench2024", "type": "article-journal", "title": "Bench", "csl": "{}"})
        for kind in ("quote", "claim"):
            db.execute(
                f"insert into citations ({kind}_id, source_id, relation, stance, added_by, added_at) "
                f"select id, 1, 'candidate', 'mixed', 'bench', ? from {kind}s",
                [stamp],
            )
        db.execute(
            "insert into quote_checks (quote_id, source_id, result, score, checked_at) select id, 1, 'verbatim', 100, ? from quotes",
            [stamp],
        )
        db.execute(
            "insert into flags (claim_id, verdict, reviewer, created_at) select id, 'supported', 'bench', ? from claims where id % 10 = 0",
            [stamp],
        )
    db.close()


def timed_new_version(first: str, second: str, tmp: Path) -> tuple[float, float, float]:
    """(read, extract, write + carry forward) seconds for ingesting ``second`` as version 2."""
    path = tmp / "versions.db"
    path.unlink(missing_ok=True)
    reviewed_first_version(first, path)
    db = open_db(path)
    t0 = time.perf_counter()
    doc = parse(second, "text", "bench.txt")
    t1 = time.perf_counter()
    extraction = extract(doc)
    t2 = time.perf_counter()
    result = ingest_document(db, doc, "bench.txt", extraction=extraction)
    t3 = time.perf_counter()
    assert result.status == "new_version" and result.carried is not None
    print(f"      {result.carried.describe()}")
    db.close()
    return t1 - t0, t2 - t1, t3 - t2


def version_cost(times: int, repeat: int) -> None:
    first, second = scaled_article(times), edited_article(times)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        fresh = [timed_ingest(second, tmp)[:3] for _ in range(repeat)]
        print(f"\nnew version of the {times}x article ({len(second.split()):,} words) vs the same text ingested fresh:")
        versions = [timed_new_version(first, second, tmp) for _ in range(repeat)]
    fresh_best, version_best = min(fresh, key=sum), min(versions, key=sum)
    print(f"{'':>5} {'read s':>8} {'extract s':>10} {'write s':>8} {'total s':>8}")
    for label, run in (("fresh", fresh_best), ("v2", version_best)):
        print(f"{label:>5} {run[0]:>8.3f} {run[1]:>10.3f} {run[2]:>8.3f} {sum(run):>8.3f}")
    print(f"new version / fresh: {sum(version_best) / sum(fresh_best):.2f}x total (target <= 1.5x); "
          f"write stage alone {version_best[2] / fresh_best[2]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="Comma-separated multiples of the example.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each size; the fastest counts.")
    parser.add_argument("--version-size", type=int, default=100, help="Size of the new-version run (0 to skip).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        timed_ingest(scaled_article(1), Path(tmp_dir))  # warm-up: imports, compiled regexes
    print(f"{'size':>5} {'words':>9} {'rows':>8} {'read s':>8} {'extract s':>10} {'write s':>8} "
          f"{'total s':>8} {'words/s':>9} {'insert_all s':>13} {'ratio':>7}")
    for times in (int(s) for s in args.sizes.split(",")):
        text = scaled_article(times)
        words = len(text.split())
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            runs = [timed_ingest(text, tmp) for _ in range(max(args.repeat, 1))]
            read_s, extract_s, write_s, rows = min(runs, key=lambda r: sum(r[:3]))
            total = read_s + extract_s + write_s
            baselines = []
            for _ in range(max(args.repeat, 1)):
                (tmp / "baseline.db").unlink(missing_ok=True)
                baselines.append(bare_insert_all(rows, tmp))
            baseline = min(baselines)
            print(f"{times:>4}x {words:>9,} {rows:>8,} {read_s:>8.3f} {extract_s:>10.3f} {write_s:>8.3f} "
                  f"{total:>8.3f} {words / total:>9,.0f} {baseline:>13.4f} {total / baseline:>6.1f}x")

    if args.version_size:
        version_cost(args.version_size, max(args.repeat, 1))


if __name__ == "__main__":
    main()
