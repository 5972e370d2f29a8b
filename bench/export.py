"""Citation-list export cost per format, against dumping the same rows with ``json.dumps``.

Generates N sources (default 100,000) with accented author names, inserts them with one
``insert_all``, then times ``claims.export.citation_list`` in each format. The baseline, measured
in the same run, is reading the same rows and writing them with ``json.dumps``: the ratio is what
the format itself costs.

Formatted text (citeproc-py, about 10 ms per entry in APA here) is NOT timed at full size by default:
it is timed on the first ``--text-n`` sources (default 2,000) and the full-size time is an
extrapolation (its cost is close to linear), printed as such, with the baseline scaled to the
same count. ``--text-full`` times it on all N sources instead (about 16 minutes at 100,000).

    .venv/bin/python bench/export.py [--n 100000] [--text-n 2000 | --text-full] [--style apa]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from claims.db import open_db, transaction
from claims.export import FORMATS, citation_list, csl_items, render_items, source_rows
from claims.sources import source_row

FAMILIES = ["Lee", "Toledano-Macías", "Müller", "Ødegård", "García-López", "Van Hoof", "Kim", "Dupré", "Nguyễn", "O'Brien"]
GIVEN = ["Hana", "Elena", "Jörg", "Åse", "José", "Harry", "Tack-Joong", "Françoise", "Thị", "Seán"]
WORDS = "microcurrent stimulation facial muscle tone collagen skin ageing trial review inflammation keratinocytes".split()
JOURNALS = ["International Journal of Molecular Sciences", "Clinical, Cosmetic and Investigational Dermatology",
            "Journal of Dermatological Science", "Facial Plastic Surgery"]  # fmt: skip


def generated(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        authors = [{"family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)} for _ in range(rng.randint(1, 6))]
        year = rng.randint(1975, 2025)
        csl = {
            "id": "",
            "type": "article-journal",
            "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))).capitalize() + f" {i}",
            "author": authors,
            "container-title": rng.choice(JOURNALS),
            "issued": {"date-parts": [[year, rng.randint(1, 12)]]},
            "volume": str(rng.randint(1, 40)),
            "issue": str(rng.randint(1, 12)),
            "page": f"{(p := rng.randint(1, 900))}-{p + rng.randint(1, 20)}",
            "DOI": f"10.{rng.randint(1000, 9999)}/bench.{i}",
        }
        key = f"{authors[0]['family'].lower()}{year}bench{i}"
        rows.append({"id": i + 1, **source_row(csl, key), "note": None})
    return rows


def timed(fn) -> tuple[float, int]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="Number of generated sources.")
    parser.add_argument(
        "--text-n", type=int, default=2000, help="Sources timed for --format text, extrapolated to N (0: all)."
    )
    parser.add_argument("--text-full", action="store_true", help="Time --format text on all N sources (slow).")
    parser.add_argument("--style", default="apa", help="Style for the text format.")
    args = parser.parse_args()
    text_n = args.n if args.text_full else min(args.text_n or args.n, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        rows = generated(args.n)
        with transaction(db):
            db["sources"].insert_all(rows, batch_size=1000)

        def baseline() -> str:
            return json.dumps([dict(zip(("key", "csl"), r, strict=True)) for r in source_rows(db)], ensure_ascii=False)

        base, _ = timed(baseline)
        print(f"{args.n:,} sources; baseline json.dumps of the same rows: {base:.2f} s")
        print(f"{'format':>9} {'sources':>9} {'seconds':>9} {'s/1k':>7} {'MB':>7} {'ratio':>7}")
        extrapolated = None
        for fmt in FORMATS:
            if fmt == "text" and text_n != args.n:
                items = csl_items(source_rows(db))[:text_n]
                seconds, size = timed(lambda items=items: render_items(items, "text", args.style))
                ratio = seconds / (base * text_n / args.n)
            else:
                seconds, size = timed(lambda fmt=fmt: citation_list(db, None, fmt, args.style if fmt == "text" else None))
                ratio = seconds / base
            count = text_n if fmt == "text" else args.n
            print(f"{fmt:>9} {count:>9,} {seconds:>9.2f} {1000 * seconds / count:>7.3f} {size / 1e6:>7.1f} {ratio:>6.1f}x")
            if fmt == "text" and text_n != args.n:
                extrapolated = (seconds * args.n / text_n, size * args.n / text_n)
        if extrapolated:
            print(
                f"note: text ({args.style}) was timed on the first {text_n:,} of {args.n:,} sources, not all of them; "
                f"extrapolated linearly, all {args.n:,} would take about {extrapolated[0]:,.0f} s "
                f"({extrapolated[1] / 1e6:.0f} MB). Run with --text-full to time the full size."
            )


if __name__ == "__main__":
    main()
