"""Sources: CSL-JSON items loaded from the editor's files.

(Foundation only: the sources issue deepens this into imports, lookups and identifiers.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from .readers import ReadError

# Keys in data/sources.yml that are the editor's, not CSL-JSON's.
EDITOR_KEYS = {"notes", "candidate_for"}


def load_csl_yaml(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ReadError(f"{path}{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(items, list):
        raise ReadError(f"{path}: expected a list of CSL items")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("id") or not item.get("type"):
            raise ReadError(f"{path}: entry {i + 1} needs at least an id and a type")
    return items


def source_row(item: dict[str, Any]) -> dict[str, Any]:
    csl = {k: v for k, v in item.items() if k not in EDITOR_KEYS}
    return {
        "key": str(item["id"]),
        "type": item["type"],
        "title": item.get("title"),
        "doi": item.get("DOI"),
        "pmid": str(item["PMID"]) if item.get("PMID") else None,
        "url": item.get("URL"),
        "note": item.get("notes"),
        "csl": json.dumps(csl, ensure_ascii=False, sort_keys=True),
    }


def save_sources(db: sqlite_utils.Database, items: list[dict[str, Any]]) -> int:
    """Upsert by citation key; rows that would not change are not written. Returns rows written."""
    written = 0
    for item in items:
        row = source_row(item)
        existing = db.execute("select * from sources where key = ?", [row["key"]]).fetchone()
        if existing is None:
            db["sources"].insert(row)
            written += 1
            continue
        current = dict(zip([d[0] for d in db.execute("select * from sources limit 0").description], existing, strict=True))
        if any(current[k] != v for k, v in row.items()):
            db["sources"].update(current["id"], row)
            written += 1
    return written
