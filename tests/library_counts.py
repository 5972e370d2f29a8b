"""How many records an independent parser accepts in a library: the import rate's denominator.

pybtex for BibTeX (its non-strict mode, as BibTeX itself: warnings, not errors), rispy for RIS
(record by record), the CSL-JSON schema for CSL items, Biopython's Bio.Medline for MEDLINE and
the ER-terminated record count for Web of Science. Used by tests/test_libraries.py and bench/libraries.py.
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent / "schemas" / "csl-data.json"


def accepted(path: Path, fmt: str) -> int:
    text = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    if fmt == "bibtex":
        return _pybtex(text)
    if fmt == "ris":
        return _rispy(text)
    if fmt in ("csl-json", "csl-yaml"):
        return _csl(text, fmt)
    if fmt == "medline":
        import io

        from Bio import Medline

        return sum(1 for r in Medline.parse(io.StringIO(text)) if r)
    if fmt == "wos":
        from claims.importers.wos import records

        return len(records(text))
    raise ValueError(fmt)


def _pybtex(text: str) -> int:
    from pybtex import errors
    from pybtex.database.input import bibtex

    errors.set_strict_mode(False)
    parser = bibtex.Parser()
    try:
        data = parser.parse_string(text)
    except Exception:
        return 0
    return len(data.entries)


def _rispy(text: str) -> int:
    import rispy

    from claims.importers.ris import chunks

    n = 0
    for _, lines in chunks(text):
        try:
            n += len(rispy.loads("\n".join(lines) + "\n"))
        except Exception:
            continue
    return n


def _csl(text: str, fmt: str) -> int:
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        data = json.loads(text) if fmt == "csl-json" else next(iter(yaml.safe_load_all(text)), None)
    except Exception:
        return 0
    if isinstance(data, dict):
        data = data.get("references", data.get("items", [data]))
    if not isinstance(data, list):
        return 0
    check = jsonschema.Draft7Validator(schema)
    return sum(1 for item in data if check.is_valid([item]))
