"""citeproc-js, the reference CSL engine (inside Zotero), run by Node on the same items, style
and locale files as claims' citeproc-py output; installed by ``make install-test`` (npm ci)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "citeproc_js"
LIBRARIES = Path(__file__).parent / "fixtures" / "libraries"


def available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "citeproc").is_dir()


def citeproc_js(items: list[dict[str, Any]], style: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(id, entry) in citeproc-js' bibliography order, as plain text."""
    from claims.csl_prepare import locale_dir, locale_name
    from claims.formatting import style_path

    path = style_path(style)
    payload = {"style": path, "locales": str(locale_dir()), "lang": locale_name(lang, path), "items": items}
    run = subprocess.run(
        ["node", str(HERE / "render.js")], input=json.dumps(payload), capture_output=True, text=True, timeout=300, check=False
    )
    if run.returncode != 0:
        raise RuntimeError(f"citeproc-js failed: {run.stderr.strip()[-500:]}")
    return [(str(i), " ".join(t.split())) for i, t in json.loads(run.stdout)]


def library_items(split: str) -> list[dict[str, Any]]:
    """Every record of a split's libraries, imported into a fresh database and exported as CSL-JSON
    (the items ``claims export citations`` formats)."""
    from claims.db import open_db, transaction
    from claims.export import csl_items, source_rows
    from claims.importers import import_libraries, read_library

    files = [p for p in sorted((LIBRARIES / split).glob("*/*")) if p.is_file() and p.name != "ORIGIN.md"]
    parsed = []
    for path in files:
        fmt = {"bibtex": "bibtex", "ris": "ris", "medline": "medline", "wos": "wos"}.get(path.parent.name)
        if fmt is None:
            fmt = "csl-yaml" if path.suffix in (".yml", ".yaml") else "csl-json"
        try:
            parsed.append((str(path), read_library(path, fmt)))
        except ValueError:
            continue  # a file refused whole (an empty export) has no items
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "lib.db")
        with transaction(db):
            import_libraries(db, parsed)
        items = csl_items(source_rows(db))
        db.close()
    return items


def compare(items: list[dict[str, Any]], style: str, lang: str | None = None) -> tuple[int, list[tuple[str, str, str]]]:
    """How many entries match citeproc-js exactly (whitespace normalised), and the others."""
    from claims.formatting import text_entries

    ours = dict(text_entries(items, style, lang))
    theirs = dict(citeproc_js(items, style, lang))
    same = sum(1 for key, text in theirs.items() if ours.get(key) == text)
    diffs = [(key, ours.get(key, ""), text) for key, text in theirs.items() if ours.get(key) != text]
    return same, diffs
