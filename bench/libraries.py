"""Import rate on real exported libraries: records imported / records an independent parser accepts.

For each split (dev: tuned on; heldout: never looked at while tuning) and format under
tests/fixtures/libraries/, prints files, files refused whole, tracebacks, accepted records
(pybtex, rispy, CSL schema, Bio.Medline, WoS ER count), imported records, rejections and warnings.
Each file is imported into a fresh database with ``claims sources import``'s partial mode.

    .venv/bin/python bench/libraries.py [--split dev|heldout|all] [-v]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.db import open_db, transaction  # noqa: E402
from claims.importers import import_libraries, read_library  # noqa: E402
from claims.sources import SourceError  # noqa: E402
from tests.library_counts import accepted  # noqa: E402

FORMATS = {"bibtex": "bibtex", "ris": "ris", "medline": "medline", "wos": "wos", "csl": None}


def library_files(split: str, kind: str) -> list[Path]:
    folder = ROOT / "tests" / "fixtures" / "libraries" / split / kind
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "ORIGIN.md") if folder.is_dir() else []


def fmt_of(path: Path, kind: str) -> str:
    if kind == "csl":
        return "csl-yaml" if path.suffix in (".yml", ".yaml") else "csl-json"
    return FORMATS[kind]


def measure(split: str, verbose: bool) -> tuple[int, int]:
    total_accepted = total_imported = 0
    for kind in FORMATS:
        files = library_files(split, kind)
        if not files:
            continue
        refused = crashes = acc = imported = rejected = warnings = 0
        for path in files:
            fmt = fmt_of(path, kind)
            n_acc = accepted(path, fmt)
            with tempfile.TemporaryDirectory() as tmp:
                db = open_db(Path(tmp) / "t.db")
                try:
                    result = read_library(path, fmt)
                    with transaction(db):
                        report = import_libraries(db, [(str(path), result)])
                    n_imp = report.count("added") + report.count("merged") + report.count("skipped")
                    rejected += len(report.rejected)
                    warnings += len(report.warnings)
                    if verbose:
                        for line in [*(w.describe("warning") for w in report.warnings), *(r.describe("rejected") for r in report.rejected)]:
                            print("   ", line.replace(str(ROOT) + "/", ""))
                except SourceError as e:
                    refused += 1
                    n_imp = 0
                    if verbose:
                        print("    refused:", str(e).replace(str(ROOT) + "/", ""))
                except Exception:
                    crashes += 1
                    n_imp = 0
                    traceback.print_exc()
            acc += n_acc
            imported += min(n_imp, n_acc) if n_acc else 0
        rate = 100 * imported / acc if acc else 100.0
        print(f"{split:8} {kind:8} files {len(files):3}  refused {refused}  tracebacks {crashes}  accepted {acc:5}  "
              f"imported {imported:5} ({rate:5.1f}%)  rejected {rejected}  warnings {warnings}")
        total_accepted += acc
        total_imported += imported
    return total_accepted, total_imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=["dev", "heldout", "fresh", "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="List every warning and rejection.")
    args = parser.parse_args()
    for split in ("dev", "heldout", "fresh") if args.split == "all" else (args.split,):
        acc, imp = measure(split, args.verbose)
        print(f"{split:8} overall  accepted {acc}  imported {imp} ({100 * imp / acc if acc else 100:.1f}%)")


if __name__ == "__main__":
    main()
