"""Reading reference libraries: BibTeX/BibLaTeX, RIS, MEDLINE (.nbib), Web of Science, CSL-JSON/YAML.

:func:`read_library` reads one file into a :class:`~.common.ReadResult`: the records to import,
the records it had to refuse and the warnings (a field dropped, a key renamed), each naming the
file and line or entry. Only a file that cannot be read at all raises
:class:`~claims.sources.SourceError`. :func:`import_libraries` writes them in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..sources import Outcome, SourceError, import_records
from ..wording import plural
from .bibtex import read_bibtex
from .common import Problem, ReadResult
from .csljson import read_csl_json, read_csl_yaml
from .medline import read_medline
from .ris import read_ris
from .wos import read_wos

READERS: dict[str, Callable[[str, str], ReadResult]] = {
    "bibtex": read_bibtex, "biblatex": read_bibtex, "ris": read_ris, "medline": read_medline,
    "wos": read_wos, "csl-json": read_csl_json, "csl-yaml": read_csl_yaml,
}  # fmt: skip
EXTENSIONS = {
    ".bib": "bibtex", ".bibtex": "bibtex", ".biblatex": "bibtex", ".ris": "ris", ".nbib": "medline",
    ".medline": "medline", ".ciw": "wos", ".isi": "wos", ".json": "csl-json", ".yml": "csl-yaml",
    ".yaml": "csl-yaml", ".md": "csl-yaml",
}  # fmt: skip
FORMATS = sorted(READERS)

__all__ = ["EXTENSIONS", "FORMATS", "ImportReport", "Problem", "ReadResult", "import_libraries", "read_library"]


def read_library(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read one library file; raise SourceError only when nothing in it can be read."""
    path = Path(path)
    if fmt is None:
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(EXTENSIONS))
            hint = " (for PubMed or Web of Science .txt exports give --format medline or --format wos)" if path.suffix.lower() == ".txt" else ""
            raise SourceError(f"{path}: unknown extension {path.suffix or '(none)'!r}; expected one of {known}{hint}")
    if fmt not in READERS:
        raise SourceError(f"{path}: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    from ..safe_files import read_regular_file
    from .encoding import decode_library

    try:
        text, encoding_note = decode_library(read_regular_file(path, error=SourceError))
    except UnicodeDecodeError as e:
        raise SourceError(f"{path}: not valid {e.encoding} (byte offset {e.start})") from None
    if not text.strip():
        raise SourceError(f"{path}: file is empty: no sources to import")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt in ("ris", "bibtex") and re.match(r"^\s*FN (?:Clarivate|Thomson|ISI)", text):
        fmt = "wos"  # a Web of Science export saved under another extension: read what it is
    try:
        result = READERS[fmt](text, str(path))
    except RecursionError:
        raise SourceError(f"{path}: nested too deeply to be a {fmt} file") from None
    if not result.records and not result.rejected and not result.empty:
        raise SourceError(f"{path}: no {fmt} entries found: is it the right file and format?")
    if encoding_note:
        result.warnings.insert(0, Problem(str(path), encoding_note))
    return result


@dataclass
class ImportReport:
    """What an import did, file by file: outcomes, rejected records and warnings."""

    outcomes: list[Outcome] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        return (
            f"{self.count('added')} added, {self.count('merged')} merged, {self.count('skipped')} skipped, "
            f"{len(self.rejected)} rejected, {plural(len(self.warnings), 'warning')}"
        )

    def lines(self) -> list[str]:
        return [
            *(o.describe() for o in self.outcomes),
            *(w.describe("warning") for w in self.warnings),
            *(r.describe("rejected") for r in self.rejected),
        ]


def read_libraries(files: Sequence[str | Path], fmt: str | None = None, *, strict: bool = False) -> list[tuple[str, ReadResult]]:
    """Read every file first; with ``strict`` the first rejection or warning refuses them all."""
    parsed = [(str(path), read_library(path, fmt)) for path in files]
    if strict:
        for _, result in parsed:
            problem = next(iter([*result.rejected, *result.warnings]), None)
            if problem is not None:
                key = f" (entry {problem.key})" if problem.key and f"entry {problem.key}" not in problem.where else ""
                raise SourceError(f"{problem.where}{key}: {problem.reason}")
    return parsed


def import_libraries(db: sqlite_utils.Database, parsed: Sequence[tuple[str, ReadResult]]) -> ImportReport:
    """Add or merge every readable record. Call inside a transaction."""
    report = ImportReport()
    for path, result in parsed:
        report.outcomes.extend(import_records(db, result.records, origin=path))
        report.rejected.extend(result.rejected)
        report.warnings.extend(result.warnings)
    return report
