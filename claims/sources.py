"""Sources: CSL-JSON items read from reference-manager files and merged into the database.

Reading library files is claims.importers' (partial by default); :func:`read_source_file` is its
all-or-nothing form and :func:`load_csl_yaml` reads the editor's file, where any bad entry is an error.
Writing (:func:`import_records`, :func:`save_sources`) merges records that describe the same work
(same DOI, PMID or PMCID; or the same normalised title in the same year when no identifier, first
author or container disagrees) and records each merge in ``source_merges``, duplicates that add
nothing included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from pydantic import ValidationError

from . import identifiers as ids
from . import source_keys
from .csl import authors_display, first_author_family, validate_item, year_of
from .models import first_error
from .readers import ReadError, load_yaml_list

# Keys in data/sources.yml that are the editor's, not CSL-JSON's.
EDITOR_KEYS = {"notes", "candidate_for"}
# A citation key that BibTeX, RIS and Pandoc all accept as it is.
KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]*$")
# Flattened columns derived from the CSL item; everything else on a source row is ours.
CSL_COLUMNS = (
    "key", "type", "title", "authors", "year", "container_title", "doi", "pmid", "pmcid", "isbn",
    "url", "title_key", "csl",
)  # fmt: skip


class SourceError(ReadError):
    """Bad source input: one line naming the file and line or entry, and the field at fault."""


@dataclass
class SourceRecord:
    """One validated CSL item as read from a file, with where it came from for messages."""

    csl: dict[str, Any]
    where: str
    key: str | None = None
    note: str | None = None
    candidate_for: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What importing one record did: ``added``, ``merged`` or ``skipped``, and why."""

    status: Literal["added", "merged", "skipped"]
    key: str
    source_id: int
    reason: str
    where: str

    def describe(self) -> str:
        return f"{self.status} {self.key}: {self.reason} ({self.where})"


# --- reading ------------------------------------------------------------------------------


def pydantic_message(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "literal_error" and first["loc"][:1] == ("type",):
        return f"type: {first['input']!r} is not a CSL item type"
    return first_error(error, "item")


def clean_item(item: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate against the CSL-JSON model and normalise identifiers; raise SourceError."""
    try:
        csl = validate_item(item)
    except ValidationError as e:
        raise SourceError(f"{where}: {pydantic_message(e)}") from None
    try:
        if csl.get("DOI"):
            csl["DOI"] = ids.doi_display(csl["DOI"])
        if csl.get("PMID"):
            csl["PMID"] = ids.normalize_pmid(csl["PMID"])
        if csl.get("PMCID"):
            csl["PMCID"] = ids.normalize_pmcid(csl["PMCID"])
        if csl.get("ISBN"):
            # Several ISBNs (print and e-book) are one field, space-separated, as Zotero keeps them.
            csl["ISBN"] = " ".join(ids.normalize_isbn(p) for p in str(csl["ISBN"]).split())
        if csl.get("URL"):
            csl["URL"] = ids.url_display(csl["URL"])
    except ids.IdentifierError as e:
        raise SourceError(f"{where}: {e}") from None
    if not (csl.get("title") or csl.get("DOI") or csl.get("PMID") or csl.get("URL")):
        raise SourceError(f"{where}: needs a title, DOI, PMID or URL")
    return csl


def _record(item: dict[str, Any], where: str, *, key_field: str | None = "id") -> SourceRecord:
    extra = {k: item.pop(k) for k in list(item) if k in EDITOR_KEYS}
    raw_key = item.get(key_field) if key_field else None
    key = str(raw_key) if raw_key is not None and KEY_RE.match(str(raw_key)) else None
    if key:
        where = f"{where} (entry {key})"
    candidate_for = extra.get("candidate_for") or []
    if isinstance(candidate_for, str):
        candidate_for = [candidate_for]
    if not isinstance(candidate_for, list) or not all(isinstance(p, str) and p.strip() for p in candidate_for):
        raise SourceError(f"{where}: candidate_for must be a list of passages (text)")
    note = extra.get("notes")
    if note is not None and not isinstance(note, str):
        raise SourceError(f"{where}: notes must be text")
    return SourceRecord(csl=clean_item(item, where), where=where, key=key, note=note, candidate_for=candidate_for)


def parse_csl_yaml(text: str, name: str) -> list[SourceRecord]:
    """CSL-YAML as in data/sources.yml: a list of items, plus the editor's notes/candidate_for."""
    records = []
    for i, (item, line) in enumerate(load_yaml_list(text, name, SourceError)):
        where = f"{name} line {line}"
        if not isinstance(item, dict):
            raise SourceError(f"{where}: entry {i + 1} is not a mapping of CSL fields")
        if not item.get("id") or not item.get("type"):
            raise SourceError(f"{where}: entry {i + 1} needs at least an id and a type")
        records.append(_record(dict(item), where))
    _no_duplicate_keys(records)
    return records


def _no_duplicate_keys(records: list[SourceRecord]) -> None:
    seen: dict[str, str] = {}
    for record in records:
        if record.key and record.key in seen:
            raise SourceError(f"{record.where}: duplicate id (first used at {seen[record.key]})")
        if record.key:
            seen[record.key] = record.where


def read_source_file(path: str | Path, fmt: str | None = None) -> list[SourceRecord]:
    """Read and validate every entry of a library file, all or nothing (``--strict``).

    The readers are claims.importers'; here the first rejected record or warning is an error,
    and so is a file with no entries.
    """
    from .importers import read_libraries

    return read_libraries([path], fmt, strict=True)[0][1].records


def load_csl_yaml(path: str | Path) -> list[SourceRecord]:
    """The editor's CSL-YAML file (data/sources.yml), validated: any bad entry is an error.

    The file may hold no entries yet.
    """
    from .safe_files import read_text_file

    text = read_text_file(path, error=SourceError)
    try:
        return parse_csl_yaml(text, str(path))
    except RecursionError:
        raise SourceError(f"{path}: nested too deeply to be a csl-yaml file") from None


# --- writing ------------------------------------------------------------------------------


def source_row(csl: dict[str, Any], key: str) -> dict[str, Any]:
    """The flattened, indexed columns of a source, derived from its CSL item."""
    csl = {**csl, "id": key}
    return {
        "key": key,
        "type": csl["type"],
        "title": csl.get("title"),
        "authors": authors_display(csl),
        "year": year_of(csl),
        "container_title": csl.get("container-title"),
        "doi": ids.normalize_doi(csl["DOI"]) if csl.get("DOI") else None,
        "pmid": csl.get("PMID"),
        "pmcid": csl.get("PMCID"),
        "isbn": csl.get("ISBN"),
        "url": ids.url_key(csl.get("URL")),
        "title_key": ids.normalize_title(csl.get("title")) or None,
        "csl": json.dumps(csl, ensure_ascii=False, sort_keys=True),
    }


def generated_key(csl: dict[str, Any]) -> str:
    """Author + year + first title word, before any collision suffix."""
    who = first_author_family(csl)
    title = csl.get("title")
    if not who:
        url_host = re.sub(r"^www\.", "", (csl.get("URL") or "").split("/")[2]) if csl.get("URL") else ""
        who = (csl.get("publisher") or url_host.split(".")[0] or "").split(" ")[0] or None
    if not who and not title and csl.get("DOI"):
        # Only a DOI is known (a link in an article): the DOI itself is the most stable name.
        return "doi_" + re.sub(r"[^a-z0-9]+", "_", csl["DOI"].lower()).strip("_")
    return ids.key_stem(who, year_of(csl), title)


@dataclass
class SourceIndex:
    """In-memory lookups over the sources table: one pass to load, O(1) per record after."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Every key and alias (claims.source_keys), folded: letter case does not make a new key.
    by_key: dict[str, int] = field(default_factory=dict)
    # Whether each source's primary key was made up (a link's doi_...) or given by a user.
    key_kind: dict[int, str] = field(default_factory=dict)
    by_doi: dict[str, int] = field(default_factory=dict)
    by_pmid: dict[str, int] = field(default_factory=dict)
    by_pmcid: dict[str, int] = field(default_factory=dict)
    by_url: dict[str, int] = field(default_factory=dict)
    # Every source with a title and a year, by both: several works may share them ("Correction").
    by_title: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    next_id: int = 1

    @classmethod
    def load(
        cls, db: sqlite_utils.Database, where: str = "", params: list[Any] | None = None, key_stems: Iterable[str] = ()
    ) -> SourceIndex:
        """Every source, or (``where``) only those a caller needs to look up by identifier, with
        their keys and every key starting with one of ``key_stems`` (a new key must not collide
        with them): indexed lookups, so linking one article does not read every key."""
        index = cls()
        columns = ", ".join(f"[{c}]" for c in ("id", *CSL_COLUMNS, "note"))
        for values in db.execute(f"select {columns} from sources {where}", params or []):
            row = dict(zip(("id", *CSL_COLUMNS, "note"), values, strict=True))
            index.add(row)
        keys = source_keys.load_keys(db) if not where else source_keys.keys_near(db, list(index.rows), key_stems)
        for key, source_id, kind in keys:
            index.by_key.setdefault(source_keys.fold(key), source_id)
            if source_id in index.rows and source_keys.fold(index.rows[source_id]["key"]) == source_keys.fold(key):
                index.key_kind[source_id] = kind
        return index

    def add(self, row: dict[str, Any]) -> None:
        source_id = row["id"]
        self.rows[source_id] = row
        self.by_key[source_keys.fold(row["key"])] = source_id
        for value, table in (
            (row["doi"], self.by_doi), (row["pmid"], self.by_pmid), (row["pmcid"], self.by_pmcid), (row["url"], self.by_url),
        ):
            if value:
                table.setdefault(value, source_id)
        if row["title_key"] and row["year"] is not None:
            same = self.by_title.setdefault((row["title_key"], row["year"]), [])
            if source_id not in same:
                same.append(source_id)
        self.next_id = max(self.next_id, source_id + 1)

    def match(self, row: dict[str, Any], csl: dict[str, Any] | None = None) -> tuple[int, str] | None:
        """The source this row describes too, and what matched.

        A shared DOI, PMID or PMCID is the same work. Failing that, the same normalised title in
        the same year is, unless the two disagree on any identifier (DOI, PMID, PMCID, ISBN, URL),
        on the first author's family name (when both name one) or on the container (when both
        have one). Without a year on both sides titles alone never match: "Home", "Editorial".
        """
        for column, table in (("doi", self.by_doi), ("pmid", self.by_pmid), ("pmcid", self.by_pmcid)):
            if row[column] and row[column] in table:
                return table[row[column]], f"same {column.upper()}"
        if not row["title_key"] or row["year"] is None:
            return None
        incoming = csl if csl is not None else json.loads(row["csl"])
        for source_id in self.by_title.get((row["title_key"], row["year"]), []):
            if _same_work(self.rows[source_id], row, incoming):
                return source_id, "same title and year"
        return None


IDENTIFIER_COLUMNS = ("doi", "pmid", "pmcid", "isbn", "url")


def _name_key(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", ids.ascii_fold(value or "").casefold())


def _containers(csl: dict[str, Any]) -> set[str]:
    names = (csl.get("container-title"), csl.get("container-title-short"), csl.get("journalAbbreviation"))
    return {ids.normalize_title(n) for n in names if n} - {""}


def _same_work(existing: dict[str, Any], row: dict[str, Any], incoming: dict[str, Any]) -> bool:
    """Whether a title-and-year candidate can be the incoming record's work: nothing disagrees."""
    for column in IDENTIFIER_COLUMNS:
        if existing[column] and row[column] and existing[column] != row[column]:
            return False
    current = json.loads(existing["csl"])
    mine, theirs = _name_key(first_author_family(current)), _name_key(first_author_family(incoming))
    if mine and theirs and mine != theirs:
        return False
    mine_c, theirs_c = _containers(current), _containers(incoming)
    return not (mine_c and theirs_c and not mine_c & theirs_c)


# A source made from a bare link (claims.citations) lists the fields it had to guess here, in its
# CSL ``custom`` object; a later record of the work (a lookup, an import) replaces them.
PLACEHOLDERS = "claims-placeholders"


def merge_csl(existing: dict[str, Any], incoming: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Fill the fields the existing item lacks from the incoming one; existing values win,
    except the guessed fields of a source made from a link."""
    merged = dict(existing)
    custom = dict(merged.get("custom") or {})
    guessed = set(custom.get(PLACEHOLDERS) or [])
    added = []
    for name, value in incoming.items():
        if name == "custom" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != PLACEHOLDERS}
        if name == "id" or value in (None, "", [], {}):
            continue
        if merged.get(name) in (None, "", [], {}) or (name in guessed and merged.get(name) != value):
            merged[name] = value
            added.append(name)
    if guessed & set(added):
        # A real title means a real record: whatever else was guessed goes with it.
        left = sorted(guessed - set(added)) if "title" not in added else []
        if left:
            custom[PLACEHOLDERS] = left
        else:
            custom.pop(PLACEHOLDERS, None)
        if custom:
            merged["custom"] = custom
        else:
            merged.pop("custom", None)
    return merged, added


@dataclass
class Batch:
    """Rows to write at the end of an import, so the writes go in a few batched statements."""

    index: SourceIndex
    db: sqlite_utils.Database | None = None
    new: dict[int, dict[str, Any]] = field(default_factory=dict)
    changed: dict[int, dict[str, Any]] = field(default_factory=dict)
    merges: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    # (source, origin, key, CSL) of the merges queued in this batch: duplicates within one
    # import are found in a set, not by scanning ``merges``.
    _queued: set[tuple[Any, ...]] = field(default_factory=set)

    @staticmethod
    def _ident(merge: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(merge[k] for k in ("source_id", "origin", "incoming_key", "incoming"))

    def add_merge(self, merge: dict[str, Any]) -> None:
        self.merges.append(merge)
        self._queued.add(self._ident(merge))

    def recorded(self, merge: dict[str, Any]) -> bool:
        """Whether this very record (source, origin, key, CSL) is queued or in source_merges."""
        ident = self._ident(merge)
        if ident in self._queued:
            return True
        if self.db is None:
            return False
        return bool(
            self.db.execute(
                "select 1 from source_merges where source_id = ? and origin = ? and incoming_key is ? and incoming = ?",
                list(ident),
            ).fetchone()
        )

    def write(self, db: sqlite_utils.Database) -> None:
        if self.new:
            db["sources"].insert_all(self.new.values(), batch_size=500)
        if self.changed:
            db["sources"].upsert_all(self.changed.values(), pk="id", batch_size=500)
        if self.merges:
            db["source_merges"].insert_all(self.merges, batch_size=500)
        source_keys.save_keys(db, self.keys)


def _add_or_merge(
    batch: Batch, record: SourceRecord, origin: str, merged_at: str, *, keep_key: bool = False
) -> Outcome:
    index = batch.index
    candidate_key = record.key or record.csl.get("id")
    user_key = record.key is not None and origin not in source_keys.GENERATED_ORIGINS
    provisional = source_row(record.csl, "?")
    found = index.match(provisional, record.csl)
    if found:
        source_id, matched_on = found
        current = index.rows[source_id]
        alias, promote = _alias(batch, source_id, record.key, user_key, origin, merged_at)
        merged, added = merge_csl(json.loads(current["csl"]), record.csl)
        if record.note and not current.get("note"):
            added.append("note")
        merge = {
            "source_id": source_id,
            "matched_on": matched_on,
            "origin": origin,
            "incoming_key": str(candidate_key) if candidate_key else None,
            "fields": json.dumps(added),
            "incoming": json.dumps(record.csl, ensure_ascii=False, sort_keys=True),
            "merged_at": merged_at,
        }
        if not added and not promote:
            # Nothing new, but that this origin holds the work too is provenance: record it,
            # once per identical record, so re-running an import or a build writes nothing.
            if not batch.recorded(merge):
                batch.add_merge(merge)
            return Outcome("skipped", current["key"], source_id, f"{matched_on} as {current['key']}, nothing new{alias}", record.where)
        row = {**current, **source_row(merged, record.key if promote and record.key else current["key"])}
        if "note" in added:
            row["note"] = record.note
        index.add(row)
        (batch.new if source_id in batch.new else batch.changed)[source_id] = row
        if not batch.recorded(merge):
            batch.add_merge(merge)
        what = f"added {', '.join(added)}" if added else "nothing new"
        return Outcome("merged", current["key"], source_id, f"{matched_on}; {what}{alias}", record.where)
    if record.key and (keep_key or record.key not in source_keys.FoldedKeys(index.by_key)):
        key = record.key
    else:
        key = ids.unique_key(record.key or generated_key(record.csl), source_keys.FoldedKeys(index.by_key))
    source_id = index.next_id
    row = {"id": source_id, **source_row(record.csl, key), "note": record.note}
    index.add(row)
    batch.new[source_id] = row
    index.key_kind[source_id] = "user" if user_key and key == record.key else "generated"
    batch.keys.append(source_keys.key_row(key, source_id, index.key_kind[source_id], origin, merged_at))  # type: ignore[arg-type]
    reason = "new source" if key == record.key or not record.key else f"new source (key {record.key} was taken)"
    return Outcome("added", key, source_id, reason, record.where)


def _alias(
    batch: Batch, source_id: int, key: str | None, user_key: bool, origin: str, stamp: str
) -> tuple[str, bool]:
    """Keep an incoming record's key as an alias of the source it merged into: the words for
    the outcome's reason, and whether the key becomes the primary key (the first user key
    beats a generated one)."""
    index = batch.index
    if not key:
        return "", False
    owner = index.by_key.get(source_keys.fold(key))
    current = index.rows[source_id]["key"]
    if owner is not None and owner != source_id:
        return f" (key {key} is another source's, so it was not kept)", False
    promote = user_key and index.key_kind.get(source_id) == "generated" and source_keys.fold(key) != source_keys.fold(current)
    if owner is None:
        batch.keys.append(source_keys.key_row(key, source_id, "user" if user_key else "generated", origin, stamp))
        index.by_key[source_keys.fold(key)] = source_id
    if promote:
        index.key_kind[source_id] = "user"
    if source_keys.fold(key) == source_keys.fold(current):
        return "", False
    words = f"; merged into {current} (key {key} kept as an alias)"
    return (words + f"; exports now use {key}", True) if promote else (words, False)


def import_records(
    db: sqlite_utils.Database, records: Iterable[SourceRecord], origin: str, *, merged_at: str | None = None
) -> list[Outcome]:
    """Add or merge validated records. Call inside a transaction."""
    from .ingest import now

    batch = Batch(SourceIndex.load(db), db)
    stamp = merged_at or now()
    outcomes = [_add_or_merge(batch, record, origin, stamp) for record in records]
    batch.write(db)
    return outcomes


def sync_sources(db: sqlite_utils.Database, records: Sequence[SourceRecord]) -> tuple[int, dict[str, int]]:
    """Sync the editor's file (data/sources.yml) by citation key.

    The file is the truth for its keys: a changed entry replaces the stored item (retraction
    fields from lookups are kept). An entry whose key is new but that describes a stored work
    merges into it. Rows that would not change are not written, so a rebuild writes nothing.
    Returns the rows written and each entry's source id, by the entry's key.
    """
    from .ingest import now

    index = SourceIndex.load(db)
    batch = Batch(index, db)
    stamp = now()
    resolved: dict[str, int] = {}
    for record in records:
        key = record.key or str(record.csl["id"])
        source_id = index.by_key.get(source_keys.fold(key))
        if source_id is None:
            outcome = _add_or_merge(
                batch, SourceRecord(record.csl, record.where, key, record.note), "claims build", stamp, keep_key=True
            )
            resolved[key] = outcome.source_id
            continue
        resolved[key] = source_id
        current = index.rows[source_id]
        row = {**current, **source_row(record.csl, key), "note": record.note}
        if row != current:
            index.add(row)
            (batch.new if source_id in batch.new else batch.changed)[source_id] = row
    batch.write(db)
    return len(batch.new) + len(batch.changed) + len(batch.merges), resolved


def save_sources(db: sqlite_utils.Database, records: Sequence[SourceRecord]) -> int:
    """:func:`sync_sources`, returning only the number of rows written."""
    return sync_sources(db, records)[0]
