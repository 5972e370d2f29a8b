"""Sources: CSL-JSON items read from reference-manager files and merged into the database.

Reading (:func:`read_source_file`) validates every entry and normalises its identifiers before
anything is written, so a bad entry stops the whole file with a message naming its line or key.
Writing (:func:`import_records`, :func:`save_sources`) merges records that describe the same work
(same DOI, PMID or PMCID; or the same normalised title in the same year when no identifier, first
author or container disagrees) and records each merge in ``source_merges``, duplicates that add
nothing included.
"""

from __future__ import annotations

import json
import logging
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
FORMATS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csl-json", ".yml": "csl-yaml", ".yaml": "csl-yaml"}
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
            csl["ISBN"] = ids.normalize_isbn(csl["ISBN"])
        if csl.get("URL"):
            csl["URL"] = ids.normalize_url_lenient(csl["URL"])
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


def parse_csl_json(text: str, name: str) -> list[SourceRecord]:
    """CSL-JSON: a list of items (a single item is accepted too)."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(f"{name} line {e.lineno}: not valid JSON ({e.msg})") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise SourceError(f"{name}: expected a list of CSL-JSON items")
    records = []
    for i, item in enumerate(items):
        where = f"{name} entry {i + 1}"
        if not isinstance(item, dict):
            raise SourceError(f"{where}: not a JSON object")
        records.append(_record(dict(item), where))
    _no_duplicate_keys(records)
    return records


# BibTeX entry types -> CSL item types; anything else becomes a generic `document`.
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
    "proceedings": "book", "manual": "report", "mastersthesis": "thesis", "phdthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "unpublished": "manuscript",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "misc": "document",
    "dataset": "dataset", "software": "software", "patent": "patent",
}  # fmt: skip
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _latex_to_text(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    return " ".join(LatexNodes2Text(strict_latex_spaces=True).latex_to_text(value).split())


def _bibtex_names(parts_list: Sequence[Any]) -> list[dict[str, str]]:
    names = []
    for parts in parts_list:
        # A single braced group with no first name is an organisation: {World Health Organization}.
        if not parts.first and len(parts.last) == 1 and parts.last[0].startswith("{"):
            names.append({"literal": _latex_to_text(parts.last[0])})
            continue
        name = {"family": _latex_to_text(" ".join(parts.last))}
        if parts.first:
            name["given"] = _latex_to_text(" ".join(parts.first))
        if parts.von:
            name["non-dropping-particle"] = _latex_to_text(" ".join(parts.von))
        if parts.jr:
            name["suffix"] = _latex_to_text(" ".join(parts.jr))
        names.append(name)
    return names


def _bibtex_date(fields: dict[str, Any]) -> dict[str, Any] | None:
    if fields.get("date"):
        match = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", fields["date"])
        if match:
            return {"date-parts": [[int(p) for p in match.groups() if p]]}
        return {"raw": fields["date"]}
    year = fields.get("year")
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        return {"raw": year}
    parts = [int(year)]
    month = (fields.get("month") or "").strip().lower()[:3]
    if month.isdigit() and 1 <= int(month) <= 12:
        parts.append(int(month))
    elif month in MONTHS:
        parts.append(MONTHS[month])
    return {"date-parts": [parts]}


def bibtex_entry_to_csl(entry: Any) -> dict[str, Any]:
    fields = {}
    names: dict[str, list[dict[str, str]]] = {}
    for f in entry.fields:
        key = f.key.lower()
        if key in ("author", "editor"):
            names[key] = _bibtex_names(f.value)
        elif key in ("url", "doi", "eprint", "file"):
            # Verbatim fields: LaTeX decoding would eat a URL's %20 as a comment.
            fields[key] = str(f.value).strip()
        else:
            fields[key] = _latex_to_text(str(f.value))
    entry_type = entry.entry_type.lower()
    csl_type = BIBTEX_TYPES.get(entry_type, "document")
    if csl_type == "document" and fields.get("url"):
        csl_type = "webpage"
    csl: dict[str, Any] = {"id": entry.key, "type": csl_type, **names}
    mapping = {
        "title": "title", "volume": "volume", "number": "issue", "doi": "DOI", "pmid": "PMID",
        "pmcid": "PMCID", "isbn": "ISBN", "issn": "ISSN", "url": "URL", "publisher": "publisher",
        "address": "publisher-place", "location": "publisher-place", "abstract": "abstract",
        "edition": "edition", "series": "collection-title", "language": "language",
        "note": "note", "howpublished": "medium",
    }  # fmt: skip
    for bib, var in mapping.items():
        if fields.get(bib) and var not in csl:
            csl[var] = fields[bib]
    container = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
    if container:
        csl["container-title"] = container
    publisher = fields.get("school") or fields.get("institution") or fields.get("organization")
    if publisher and "publisher" not in csl:
        csl["publisher"] = publisher
    if fields.get("pages"):
        csl["page"] = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", fields["pages"])
    if fields.get("eprint") and fields.get("eprinttype", "").lower() == "pubmed" and "PMID" not in csl:
        csl["PMID"] = fields["eprint"]
    issued = _bibtex_date(fields)
    if issued:
        csl["issued"] = issued
    if fields.get("urldate"):
        match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", fields["urldate"])
        if match:
            csl["accessed"] = {"date-parts": [[int(p) for p in match.groups()]]}
    return csl


def parse_bibtex(text: str, name: str) -> list[SourceRecord]:
    import bibtexparser
    from bibtexparser import middlewares as m
    from bibtexparser.model import DuplicateBlockKeyBlock

    # bibtexparser logs each failed block as a warning; the error below says it in one line.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        # Names are split before LaTeX is decoded, so braces can still mark an organisation.
        library = bibtexparser.parse_string(
            text, append_middleware=[m.SeparateCoAuthors(), m.SplitNameParts()]
        )
    finally:
        logger.setLevel(level)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raw = block.raw or ""
        match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw)
        entry = f" (entry {match.group(1)})" if match else ""
        if isinstance(block, DuplicateBlockKeyBlock):
            problem = "duplicate entry key"
        else:
            problem = "malformed entry (unbalanced braces or quotes, or a missing comma or =)"
        raise SourceError(f"{name} line {(block.start_line or 0) + 1}{entry}: {problem}")
    records = []
    for entry in library.entries:
        where = f"{name} line {entry.start_line + 1}"
        csl = bibtex_entry_to_csl(entry)
        records.append(_record(csl, where))
    if not records and text.strip() and "@" not in text:
        raise SourceError(f"{name}: no BibTeX entries found")
    return records


# RIS reference types -> CSL item types.
RIS_TYPES = {
    "JOUR": "article-journal", "JFULL": "article-journal", "EJOUR": "article-journal",
    "MGZN": "article-magazine", "NEWS": "article-newspaper", "BOOK": "book", "EBOOK": "book",
    "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter", "CONF": "paper-conference",
    "CPAPER": "paper-conference", "THES": "thesis", "RPRT": "report", "ELEC": "webpage",
    "WEB": "webpage", "BLOG": "post-weblog", "DATA": "dataset", "COMP": "software",
    "PAT": "patent", "UNPB": "manuscript", "MANSCPT": "manuscript", "STAND": "standard",
    "GEN": "document",
}  # fmt: skip
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def _ris_entry_lines(text: str, name: str) -> list[int]:
    """Line numbers where each reference starts; every reference must open with ``TY``."""
    starts, inside = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        match = _RIS_TAG.match(line.strip("\ufeff"))
        if not match:
            continue
        tag = match.group(1)
        if not inside:
            if tag != "TY":
                raise SourceError(f"{name} line {number}: reference {len(starts) + 1} does not start with TY (found {tag})")
            starts.append(number)
            inside = True
        elif tag == "TY":
            raise SourceError(f"{name} line {number}: TY before the previous reference's ER")
        elif tag == "ER":
            inside = False
    if inside:
        raise SourceError(f"{name} line {starts[-1]}: reference {len(starts)} has no ER line")
    return starts


def _ris_name(value: str) -> dict[str, str]:
    family, _, given = value.partition(",")
    given = given.strip().rstrip(",").strip()
    if not given:
        return {"literal": family.strip()}
    return {"family": family.strip(), "given": given}


def ris_to_csl(ref: dict[str, Any]) -> dict[str, Any]:
    ty = (ref.get("type_of_reference") or "GEN").upper()
    csl: dict[str, Any] = {"id": ref.get("id") or "", "type": RIS_TYPES.get(ty, "document")}
    authors = ref.get("authors") or ref.get("first_authors") or []
    if authors:
        csl["author"] = [_ris_name(a) for a in authors]
    editors = ref.get("secondary_authors") if ty in ("CHAP", "ECHAP", "EDBOOK") else None
    if editors:
        csl["editor"] = [_ris_name(a) for a in editors]
    title = ref.get("title") or ref.get("primary_title")
    if title:
        csl["title"] = title
    container = ref.get("journal_name") or ref.get("secondary_title") or ref.get("alternate_title3")
    if container and container != title:
        csl["container-title"] = container
    date = ref.get("date") or ""
    year = ref.get("year") or ref.get("publication_year") or ""
    match = re.match(r"^(\d{4})(?:[/-](\d{1,2}))?(?:[/-](\d{1,2}))?", date or year)
    if match:
        csl["issued"] = {"date-parts": [[int(p) for p in match.groups() if p]]}
    for ris, var in (
        ("volume", "VL"), ("number", "IS"), ("doi", "DO"), ("publisher", "PB"),
        ("place_published", "CY"), ("abstract", "AB"), ("edition", "ET"), ("language", "LA"),
    ):  # fmt: skip
        if ref.get(ris):
            csl[{"VL": "volume", "IS": "issue", "DO": "DOI", "PB": "publisher", "CY": "publisher-place",
                 "AB": "abstract", "ET": "edition", "LA": "language"}[var]] = str(ref[ris])
    start, end = ref.get("start_page"), ref.get("end_page")
    if start:
        csl["page"] = f"{start}-{end}" if end and end != start else str(start)
    urls = ref.get("urls") or []
    if urls:
        csl["URL"] = urls[0]
    sn = ref.get("issn")
    if sn:
        digits = re.sub(r"[^0-9Xx]", "", sn)
        csl["ISBN" if len(digits) in (10, 13) else "ISSN"] = sn
    accession = str(ref.get("accession_number") or "")
    if accession.isdigit() and (ref.get("name_of_database") or "").lower().startswith("pubmed"):
        csl["PMID"] = accession
    return csl


def parse_ris(text: str, name: str) -> list[SourceRecord]:
    import rispy

    starts = _ris_entry_lines(text, name)
    try:
        refs = rispy.loads(text)
    except Exception as e:  # rispy raises bare IOError/ValueError subclasses on bad structure
        raise SourceError(f"{name}: not valid RIS ({e})") from None
    if len(refs) != len(starts):
        raise SourceError(f"{name}: found {len(starts)} references but could read {len(refs)}")
    records = []
    for i, (ref, line) in enumerate(zip(refs, starts, strict=True)):
        where = f"{name} line {line}"
        if (ref.get("type_of_reference") or "").upper() not in RIS_TYPES:
            raise SourceError(f"{where}: reference {i + 1} has unknown TY {ref.get('type_of_reference')!r}")
        records.append(_record(ris_to_csl(ref), where))
    return records


PARSERS = {"bibtex": parse_bibtex, "ris": parse_ris, "csl-json": parse_csl_json, "csl-yaml": parse_csl_yaml}


def read_source_file(path: str | Path, fmt: str | None = None, *, require_entries: bool = True) -> list[SourceRecord]:
    """Read and validate every entry of a BibTeX, RIS, CSL-JSON or CSL-YAML file.

    A file with no entries (empty, or nothing a parser recognises) is an error unless
    ``require_entries`` is False (the editor's sources.yml may be empty).
    """
    from .safe_files import read_text_file

    path = Path(path)
    if fmt is None:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(FORMATS))
            raise SourceError(f"{path}: unknown extension {path.suffix or '(none)'!r}; expected one of {known}")
    text = read_text_file(path, error=SourceError)
    if require_entries and not text.strip():
        raise SourceError(f"{path}: file is empty: no sources to import")
    try:
        records = PARSERS[fmt](text, str(path))
    except RecursionError:
        raise SourceError(f"{path}: nested too deeply to be a {fmt} file") from None
    if require_entries and not records:
        raise SourceError(f"{path}: no {fmt} entries found: is it the right file and format?")
    return records


def load_csl_yaml(path: str | Path) -> list[SourceRecord]:
    """The editor's CSL-YAML file (data/sources.yml), validated."""
    return read_source_file(path, "csl-yaml", require_entries=False)


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
        "url": csl.get("URL"),
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
    def load(cls, db: sqlite_utils.Database) -> SourceIndex:
        index = cls()
        columns = ", ".join(f"[{c}]" for c in ("id", *CSL_COLUMNS, "note"))
        for values in db.execute(f"select {columns} from sources"):
            row = dict(zip(("id", *CSL_COLUMNS, "note"), values, strict=True))
            index.add(row)
        for key, source_id, kind in source_keys.load_keys(db):
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
