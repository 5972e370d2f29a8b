"""Citation keys that survive merges: every key a source was ever known by.

A source has one primary key (``sources.key``, the one exports use) and any number of aliases
in ``source_keys``: the key a link made up (``doi_10_1001_...``), the key of each imported
entry that merged into it, the editor's keys. Every place that takes a citation key resolves
it here, so ``claims link --claim 48 paluch2021steps`` works after ``paluch2021steps.bib``
merged into a source a bare DOI link had created. Keys that differ only in letter case are
one key: citeproc lower-cases ids, so ``Smith2020`` and ``smith2020`` would collide anyway.

The first user key (from an imported file or the editor's sources.yml) beats a generated one:
when it merges into a source whose primary key was generated, it becomes the primary key and
the generated key stays an alias.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Literal

import sqlite_utils

KeyKind = Literal["user", "generated"]
# Who made a key up: links in articles (claims.citations) and lookups name no key of their own.
GENERATED_ORIGINS = {"article link"}
# Backfill only: keys that claims.citations and claims.sources.generated_key make up.
_GENERATED_KEY = re.compile(r"^(?:doi_|pubmed_|pmid_|link_)")
_VALID_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]*$")


def fold(key: str) -> str:
    """The form keys are compared in: keys are ASCII (KEY_RE), so lower() is SQLite's NOCASE."""
    return key.lower()


class FoldedKeys(set):
    """A set of folded keys that answers ``in`` for any letter case (for ids.unique_key)."""

    def __contains__(self, key: object) -> bool:
        return super().__contains__(fold(key) if isinstance(key, str) else key)


def key_row(key: str, source_id: int, kind: KeyKind, origin: str, added_at: str) -> dict[str, Any]:
    return {"key": key, "source_id": source_id, "kind": kind, "origin": origin, "added_at": added_at}


def save_keys(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Record keys; a key already known (in any letter case) keeps its first source."""
    if rows:
        db["source_keys"].insert_all(rows, ignore=True, batch_size=500)


def load_keys(db: sqlite_utils.Database) -> list[tuple[str, int, str]]:
    """(key, source id, kind) of every recorded key, oldest first."""
    return [tuple(r) for r in db.execute("select key, source_id, kind from source_keys order by id")]


def keys_near(db: sqlite_utils.Database, source_ids: list[int], stems: Iterable[str]) -> list[tuple[str, int, str]]:
    """(key, source id, kind), oldest first, of the keys of ``source_ids`` and of every key that
    starts with one of ``stems`` (in any letter case), through the indexes on both columns."""
    rows: dict[int, tuple[str, int, str]] = {}
    for chunk in range(0, len(source_ids), 500):
        part = source_ids[chunk : chunk + 500]
        sql = f"select id, key, source_id, kind from source_keys where source_id in ({','.join('?' * len(part))})"
        rows.update((r[0], tuple(r[1:])) for r in db.execute(sql, part))
    for stem in set(map(fold, stems)):
        sql = "select id, key, source_id, kind from source_keys where key >= ? collate nocase and key < ? collate nocase"
        rows.update((r[0], tuple(r[1:])) for r in db.execute(sql, [stem, stem + "\U0010ffff"]))
    return [rows[i] for i in sorted(rows)]  # type: ignore[misc]


def source_for_key(db: sqlite_utils.Database, ref: str | int) -> int | None:
    """The source a citation key (any alias, any letter case) or an integer id names."""
    ref = str(ref).strip()
    row = db.execute("select source_id from source_keys where key = ? collate nocase", [ref]).fetchone()
    if row is None:
        # A source written by code that records no keys is still found by its own key.
        row = db.execute("select id from sources where key = ? collate nocase", [ref]).fetchone()
    if row is None and ref.isdigit():
        row = db.execute("select id from sources where id = ?", [int(ref)]).fetchone()
    return None if row is None else int(row[0])


def keys_of(db: sqlite_utils.Database, source_id: int) -> list[dict[str, Any]]:
    """Every key of one source, primary first, for its page and for scripts."""
    return list(
        db.query(
            """
            select k.key, k.kind, k.origin, k.added_at, (k.key = s.key collate nocase) as is_primary
            from source_keys k join sources s on s.id = k.source_id
            where k.source_id = ? order by is_primary desc, k.id
            """,
            [source_id],
        )
    )


def backfill(db: sqlite_utils.Database) -> None:
    """Keys of a database made before source_keys: each source's key, then the keys of the
    entries that merged into it (source_merges.incoming_key)."""
    from .sources import PLACEHOLDERS

    rows = []
    for source_id, key, csl in db.execute("select id, key, csl from sources order by id"):
        custom = (json.loads(csl or "{}").get("custom") or {}) if csl else {}
        generated = bool(_GENERATED_KEY.match(key)) or PLACEHOLDERS in custom
        rows.append(key_row(key, source_id, "generated" if generated else "user", "sources.key", "backfill"))
    for source_id, key, origin, merged_at in db.execute(
        "select source_id, incoming_key, origin, merged_at from source_merges where incoming_key is not null order by id"
    ):
        if _VALID_KEY.match(key):
            kind: KeyKind = "generated" if origin in GENERATED_ORIGINS else "user"
            rows.append(key_row(key, source_id, kind, origin, merged_at))
    save_keys(db, rows)
