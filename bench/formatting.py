"""Exact-match rate of ``claims export citations --format text`` against citeproc-js, entry by entry.

Imports every real library of a split (tests/fixtures/libraries/dev or heldout) into a fresh
database, exports its items, formats them with claims (citeproc-py and its pre-processing) and
with citeproc-js (tests/citeproc_js, installed by ``make install-test``), and prints the share of
entries that are the same after normalising whitespace. ``-v`` prints each difference.

    .venv/bin/python bench/formatting.py [--split dev|heldout|all] [--style apa --style vancouver] [-v]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference_engine import compare, library_items  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=["dev", "heldout", "fresh", "all"])
    parser.add_argument("--style", action="append", help="Styles to compare (default: apa and vancouver).")
    parser.add_argument("--locale", help="CSL locale (default: each style's own).")
    parser.add_argument("-v", "--verbose", action="store_true", help="Print every entry that differs.")
    args = parser.parse_args()
    for split in ("dev", "heldout", "fresh") if args.split == "all" else (args.split,):
        items = library_items(split)
        types = collections.Counter(i["type"] for i in items)
        print(f"{split}: {len(items)} items; types: {dict(types.most_common())}")
        for style in args.style or ["apa", "vancouver"]:
            same, diffs = compare(items, style, args.locale)
            total = same + len(diffs)
            print(f"{split:8} {style:10} {same}/{total} identical ({100 * same / total:.1f}%)")
            if args.verbose:
                for key, ours, theirs in diffs:
                    print(f"  [{key}]\n    claims:      {ours}\n    citeproc-js: {theirs}")


if __name__ == "__main__":
    main()
