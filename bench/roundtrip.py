"""Round trips of the real libraries: export in each format, re-import, count fields lost.

For each split, imports tests/fixtures/libraries/<split>, exports BibTeX, BibLaTeX, RIS and
CSL-JSON, re-imports each into a fresh database and prints the fields (author, title, year,
container, volume, issue, page, DOI, URL, type) that did not come back the same; then checks
CSL-JSON through pandoc. ``-v`` lists each loss.

    .venv/bin/python bench/roundtrip.py [--split dev|heldout|all] [-v]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.export import render_items  # noqa: E402
from tests.reference_engine import library_items  # noqa: E402
from tests.roundtrip import losses, pandoc_available, pandoc_csl, reimport  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=["dev", "heldout", "fresh", "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="List every lost field.")
    args = parser.parse_args()
    for split in ("dev", "heldout", "fresh") if args.split == "all" else (args.split,):
        items = library_items(split)
        for fmt in ("bibtex", "biblatex", "ris", "csl-json"):
            lost = losses(items, reimport(items, fmt))
            by_field = collections.Counter(f for _, f, _, _ in lost)
            print(f"{split:8} {fmt:9} {len(items)} items, {len(lost)} fields lost {dict(by_field)}")
            if args.verbose:
                for key, f, before, after in lost:
                    print(f"    {key} {f}: {before!r} -> {after!r}")
        if pandoc_available():
            lost = losses(items, pandoc_csl(render_items(items, "csl-json")), loose=True)
            print(f"{split:8} pandoc    {len(items)} items, {len(lost)} fields lost {dict(collections.Counter(f for _, f, _, _ in lost))}")
            if args.verbose:
                for key, f, before, after in lost:
                    print(f"    {key} {f}: {before!r} -> {after!r}")


if __name__ == "__main__":
    main()
