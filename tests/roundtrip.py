"""Export -> re-import round trips over real libraries: which fields come back changed or missing.

Used by tests/test_roundtrip.py and bench/roundtrip.py. The fields checked are the ones the issue
names: author, title, year, container, volume, issue, page, DOI, URL and type.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from claims.csl import family_with_particle, year_of

FIELDS = ("author", "title", "year", "container", "volume", "issue", "page", "DOI", "URL", "type")


def _names(item: dict[str, Any]) -> list[str]:
    """Each author as one string. Where a parser puts a particle (in ``family``, in ``given`` or in
    a particle part) is a representation, not a loss: "Aalst, W.M.P. van der" is the same name
    whether "van der" is part of the given name or its dropping particle."""
    out = []
    for n in item.get("author") or []:
        text = n.get("literal") or " ".join(
            (family_with_particle(n), str(n.get("given") or ""), str(n.get("dropping-particle") or ""), str(n.get("suffix") or ""))
        )
        out.append(" ".join(text.split()))
    return out


def _page(value: Any) -> str:
    return re.sub(r"\s*[-\u2013]+\s*", "-", str(value or ""))


def _loose(value: Any) -> Any:
    """Text as a parser that "smartens" quotes and drops CSL markup (pandoc) gives it back."""
    if isinstance(value, list):
        return [_loose(v) for v in value]
    if not isinstance(value, str):
        return value
    value = re.sub(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^>]*)?>", "", value)
    return value.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": "'", "\u201d": "'", '"': "'"}))


def summary(item: dict[str, Any], loose: bool = False) -> dict[str, Any]:
    """The checked fields of a CSL item, in comparable form."""
    if loose:
        return {k: _loose(v) for k, v in summary(item).items()}
    return {
        "author": _names(item),
        "title": " ".join(str(item.get("title") or "").split()),
        "year": year_of(item),
        "container": " ".join(str(item.get("container-title") or "").split()),
        "volume": str(item.get("volume") or ""),
        "issue": str(item.get("issue") or ""),
        "page": _page(item.get("page")),
        "DOI": str(item.get("DOI") or "").lower(),
        "URL": str(item.get("URL") or ""),
        "type": item.get("type"),
    }


def losses(before: list[dict[str, Any]], after: list[dict[str, Any]], loose: bool = False) -> list[tuple[str, str, Any, Any]]:
    """(key, field, before, after) for every checked field that did not come back the same."""
    by_key = {str(i["id"]): i for i in after}
    out = []
    for item in before:
        key = str(item["id"])
        again = by_key.get(key)
        if again is None:
            out.append((key, "record", "present", "missing"))
            continue
        a, b = summary(item, loose), summary(again, loose)
        out.extend((key, f, a[f], b[f]) for f in FIELDS if a[f] != b[f])
    return out


def reimport(items: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """Export the items in ``fmt``, import the file into a fresh database, export CSL again."""
    from claims.db import open_db, transaction
    from claims.export import csl_items, render_items, source_rows
    from claims.importers import import_libraries, read_library

    suffix = {"bibtex": ".bib", "biblatex": ".bib", "ris": ".ris", "csl-json": ".json"}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_text(render_items(items, fmt), encoding="utf-8")
        db = open_db(Path(tmp) / "again.db")
        with transaction(db):
            import_libraries(db, [(str(path), read_library(path, fmt))])
        out = csl_items(source_rows(db))
        db.close()
    return out


# --- independent parsers -------------------------------------------------------------------


def bibtexparser_view(text: str) -> list[dict[str, Any]]:
    """What bibtexparser (v2, names split) reads from a BibTeX export, as summary fields."""
    import bibtexparser
    from bibtexparser import middlewares as m

    library = bibtexparser.parse_string(
        text, append_middleware=[m.SeparateCoAuthors(), m.SplitNameParts()]
    )
    assert not library.failed_blocks, [b.raw for b in library.failed_blocks]
    out = []
    for entry in library.entries:
        f = {k.lower(): v.value for k, v in entry.fields_dict.items()}
        authors = []
        for parts in f.get("author") or []:
            authors.append(" ".join(" ".join(p) for p in (parts.von, parts.last, parts.first, parts.jr) if p))
        out.append({
            "id": entry.key, "author": authors, "title": f.get("title"), "year": f.get("year") or re.match(r"-?\d*", f.get("date") or "").group(0),
            "container": f.get("journal") or f.get("journaltitle") or f.get("booktitle"), "volume": f.get("volume"),
            "issue": f.get("number"), "page": f.get("pages"), "DOI": f.get("doi"), "URL": f.get("url"),
        })  # fmt: skip
    return out


def rispy_view(text: str) -> list[dict[str, Any]]:
    import rispy

    out = []
    for ref in rispy.loads(text):
        out.append({
            "id": ref.get("id"), "author": ref.get("authors") or [], "title": ref.get("title"),
            "year": ref.get("year"), "container": ref.get("secondary_title"), "volume": ref.get("volume"),
            "issue": ref.get("number"), "start_page": ref.get("start_page"), "DOI": ref.get("doi"),
            "URL": (ref.get("urls") or [None])[0], "type": ref.get("type_of_reference"),
        })  # fmt: skip
    return out


def pandoc_available() -> bool:
    return shutil.which("pandoc") is not None


def pandoc_csl(text: str) -> list[dict[str, Any]]:
    """CSL-JSON read and written back by pandoc (its citeproc reader)."""
    run = subprocess.run(
        ["pandoc", "-f", "csljson", "-t", "csljson"], input=text, capture_output=True, text=True, timeout=120, check=False
    )
    if run.returncode != 0:
        raise RuntimeError(f"pandoc refused the CSL-JSON: {run.stderr.strip()[:500]}")
    return json.loads(run.stdout)
