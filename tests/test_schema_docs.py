"""docs/schema.md documents every table, column and view, and nothing that does not exist."""

from __future__ import annotations

import re

from claims.db import ensure_schema, migrations, open_db
from tests.conftest import ROOT

SCHEMA_DOC = ROOT / "docs" / "schema.md"
HEADING = re.compile(r"^## `?([a-z_]+)`?", re.MULTILINE)
COLUMN = re.compile(r"^- `([a-z_0-9]+)`:", re.MULTILINE)
EMPTY_COLUMN = re.compile(r"^- `([a-z_0-9]+)`:\s*$", re.MULTILINE)


def documented() -> dict[str, set[str]]:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    sections = HEADING.split(text)[1:]
    return {name: set(COLUMN.findall(body)) for name, body in zip(sections[::2], sections[1::2], strict=True)}


def internal(name: str) -> bool:
    # FTS shadow tables and the migrations ledger belong to sqlite-utils, not to our schema.
    return name.startswith("_sqlite") or "_fts" in name or name.startswith("sqlite_")


def test_every_table_column_and_view_is_documented(db):
    docs = documented()
    actual = {t.name: set(t.columns_dict) for t in db.tables if not internal(t.name)}
    actual |= {v.name: set(v.columns_dict) for v in db.views}
    assert sorted(set(actual) - set(docs)) == [], "tables/views missing from docs/schema.md"
    assert sorted(set(docs) - set(actual)) == [], "docs/schema.md names tables/views that do not exist"
    for name, columns in actual.items():
        assert columns == docs[name], f"{name}: undocumented {columns - docs[name]}, stale {docs[name] - columns}"


def test_migrations_are_idempotent(db_path):
    db = open_db(db_path)
    assert migrations.pending(db) == []
    schema = db.schema
    ensure_schema(db)
    assert db.schema == schema


def test_every_foreign_key_is_indexed(db):
    for table in db.tables:
        leading = {index.columns[0] for index in table.indexes if index.columns}
        for fk in table.foreign_keys:
            assert fk.column in leading, f"{table.name}.{fk.column} has no index"


def test_foreign_keys_are_enforced(db):
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.IntegrityError):
        db["quotes"].insert(
            {"article_id": 999, "text": "x", "start": 0, "end": 1, "kind": "term", "attribution_kind": "none"}
        )


def test_every_column_line_says_something():
    assert EMPTY_COLUMN.findall(SCHEMA_DOC.read_text(encoding="utf-8")) == []


def test_every_finding_kind_and_search_index_is_documented(db):
    from typing import get_args

    from claims.models import FindingKind

    text = SCHEMA_DOC.read_text(encoding="utf-8")
    findings = HEADING.split(text)[HEADING.split(text).index("findings") + 1]
    assert [k for k in get_args(FindingKind) if f"`{k}`" not in findings] == []
    fts = {t.name for t in db.tables if t.name.endswith("_fts")}
    assert fts and [name for name in sorted(fts) if f"`{name}`" not in text] == []


def test_datasette_describes_every_table_view_and_column(db):
    # Reviewers read these descriptions in Datasette; scripts read docs/schema.md.
    from tests.conftest import load_yaml

    tables = load_yaml("metadata.yml")["databases"]["claims"]["tables"]
    for t in [*db.tables, *db.views]:
        if internal(t.name):
            continue
        meta = tables.get(t.name) or {}
        assert meta.get("description"), f"metadata.yml: {t.name} has no description"
        described = meta.get("columns") or {}
        assert [c for c in t.columns_dict if not described.get(c)] == [], f"metadata.yml: {t.name} columns"
