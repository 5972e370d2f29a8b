"""What every library reader shares: problems found per record, and salvaging a record.

A reader turns a file into CSL items with where each came from. :func:`salvage` keeps a record
whose identifier field is unusable (it drops that field and warns), and rejects only a record
that cannot be a source at all, so one bad entry never refuses a whole library.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .. import identifiers as ids
from ..csl import DATE_VARIABLES, ITEM_TYPES, NAME_VARIABLES, NUMBER_VARIABLES, STRING_VARIABLES
from ..sources import SourceError, SourceRecord, _record

# Fields that describe a work well enough to keep a record that has no title.
DESCRIPTIVE = ("container-title", "publisher", "abstract", "note", "ISBN", "ISSN", "PMCID")
# Item types other tools write that CSL 1.0.2 names differently.
TYPE_ALIASES = {
    "video": "motion_picture", "film": "motion_picture", "movie": "motion_picture", "journal-article": "article-journal",
    "journal_article": "article-journal", "book-chapter": "chapter", "book_section": "chapter", "web_page": "webpage",
    "web-page": "webpage", "blog-post": "post-weblog", "conference-paper": "paper-conference", "preprint": "article",
    "data": "dataset", "computer_program": "software", "encyclopedia-entry": "entry-encyclopedia",
    "dictionary-entry": "entry-dictionary", "newspaper-article": "article-newspaper", "magazine-article": "article-magazine",
    "case": "legal_case", "statute": "legislation", "audio": "song", "podcast": "broadcast", "presentation": "speech",
}  # fmt: skip
KNOWN_FIELDS = {"id", "type", "categories", "custom", *NAME_VARIABLES, *DATE_VARIABLES, *NUMBER_VARIABLES, *STRING_VARIABLES}
EDITOR_FIELDS = {"notes", "candidate_for"}


@dataclass
class Problem:
    """One rejected record or one warning: where (file and line or entry), key, and why."""

    where: str
    reason: str
    key: str | None = None

    def describe(self, kind: str) -> str:
        key = f" (entry {self.key})" if self.key and f"entry {self.key}" not in self.where else ""
        return f"{kind} {self.where}{key}: {self.reason}"


@dataclass
class ReadResult:
    """A library as read: the records to import, the records refused, and the warnings."""

    records: list[SourceRecord] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The file is in the format but holds no records (only comments, @string or @preamble).
    empty: bool = False

    def warn(self, where: str, reason: str, key: str | None = None) -> None:
        self.warnings.append(Problem(where, reason, key))

    def reject(self, where: str, reason: str, key: str | None = None) -> None:
        self.rejected.append(Problem(where, reason, key))


def split_isbns(value: Any) -> tuple[list[str], list[str], list[str]]:
    """ISBNs, ISSNs and unusable pieces in one ISBN field: ``978-0-12 ; 0-12-345678-9``, an ISSN."""
    from stdnum import issn

    isbns: list[str] = []
    issns: list[str] = []
    bad: list[str] = []
    for piece in re.split(r"[,;/\s]+(?=[0-9])|\s*[,;]\s*|\s+(?:and|or)\s+", str(value).strip()):
        piece = re.sub(r"^(?:isbn|issn)(?:-1[03])?:?\s*", "", piece.strip(), flags=re.IGNORECASE)
        piece = re.sub(r"\s*\(.*\)$", "", piece)  # "0-12-345678-9 (pbk.)"
        if not piece:
            continue
        try:
            isbn = ids.normalize_isbn(piece)
        except ids.IdentifierError:
            if issn.is_valid(piece):
                issns.append(issn.format(piece))
            else:
                bad.append(piece)
            continue
        if isbn not in isbns:
            isbns.append(isbn)
    return isbns, issns, bad


def _fix_identifiers(item: dict[str, Any], where: str, key: str | None, result: ReadResult) -> None:
    """Normalise each identifier field; drop an unusable one with a warning, keep the record."""
    for name, normalise in (
        ("DOI", ids.doi_display), ("PMID", ids.normalize_pmid), ("PMCID", ids.normalize_pmcid),
        ("URL", ids.url_display),
    ):  # fmt: skip
        value = item.get(name)
        if value in (None, ""):
            item.pop(name, None)
            continue
        try:
            item[name] = normalise(value)
        except ids.IdentifierError as e:
            item.pop(name)
            result.warn(where, f"{e}: field dropped, record kept", key)
    if item.get("ISBN") not in (None, ""):
        isbns, issns, bad = split_isbns(item["ISBN"])
        for piece in bad:
            result.warn(where, f"invalid ISBN {piece!r}: dropped, record kept", key)
        if isbns:
            # Zotero's own convention for several ISBNs: one field, separated by spaces.
            item["ISBN"] = " ".join(isbns)
        else:
            item.pop("ISBN")
        if issns and not item.get("ISSN"):
            item["ISSN"] = issns[0]
            result.warn(where, f"ISSN {issns[0]} in the ISBN field: moved to ISSN", key)
    elif "ISBN" in item:
        item.pop("ISBN")


def _coerce(item: dict[str, Any]) -> None:
    """Values the CSL model would refuse for their shape, written the way CSL means them."""
    for name in NUMBER_VARIABLES + STRING_VARIABLES:
        value = item.get(name)
        if isinstance(value, list):
            item[name] = ", ".join(str(v) for v in value if v not in (None, ""))
        elif isinstance(value, bool) or (value is not None and not isinstance(value, (str, int, float))):
            item[name] = str(value)
        if name in STRING_VARIABLES and isinstance(item.get(name), (int, float)):
            item[name] = str(item[name])
        if item.get(name) in ("", None):
            item.pop(name, None)
    for name in DATE_VARIABLES:
        value = item.get(name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()[:10]  # YAML reads an unquoted 2020-03-01 as a date
        if isinstance(value, list) and value and all(isinstance(v, (int, str)) for v in value):
            value = {"date-parts": [value]}
        if isinstance(value, (dict, list)) and _yaml_date_parts(value) is not None:
            value = item[name] = _yaml_date_parts(value)
        if isinstance(value, (str, int)):
            item[name] = date_from_text(str(value))
        elif isinstance(value, dict) and isinstance(value.get("date-parts"), list):
            parts = [_int_parts(p) for p in value["date-parts"] if p][:2]
            if len(parts) == 2 and len(parts[0]) != len(parts[1]):
                # A range's ends must have the same parts (citeproc-js refuses 2017-03/2018).
                size = min(len(parts[0]), len(parts[1]))
                parts = [parts[0][:size], parts[1][:size]]
            item[name] = {**value, "date-parts": parts or None}
            if item[name]["date-parts"] is None:
                item[name].pop("date-parts")
        if item.get(name) in ({}, None):
            item.pop(name, None)
    for name in NAME_VARIABLES:
        value = item.get(name)
        if isinstance(value, dict):
            value = [value]
        if isinstance(value, str):
            value = [{"literal": value}]
        if isinstance(value, list):
            names = [n if isinstance(n, dict) else {"literal": str(n)} for n in value if n]
            item[name] = [{k: v for k, v in n.items() if v not in (None, "")} for n in names]
            item[name] = [n for n in item[name] if n] or None
        if item.get(name) is None:
            item.pop(name, None)


def _yaml_date_parts(value: Any) -> dict[str, Any] | None:
    """pandoc-citeproc's CSL-YAML dates, ``[{year: 2017, month: 3}, {year: 2018}]``, as date-parts."""
    ranges = value if isinstance(value, list) else [value]
    if ranges and isinstance(ranges[0], dict) and ({"literal", "raw"} & set(ranges[0])) and "year" not in ranges[0]:
        first = ranges[0]
        return {k: str(first[k]) for k in ("literal", "raw") if k in first}  # [{literal: "2017-14/2017-15"}]
    if not ranges or not all(isinstance(r, dict) and "year" in r for r in ranges):
        return None
    date: dict[str, Any] = {"date-parts": [[r[k] for k in ("year", "month", "day") if r.get(k) not in (None, "")] for r in ranges[:2]]}
    season = next((r["season"] for r in ranges if r.get("season")), None)
    if season is not None:
        date["season"] = season
    return date


def _int_parts(parts: Any) -> list[int | str]:
    """Date parts as integers where they are numbers: pandoc refuses ``["2020"]``."""
    out: list[int | str] = []
    for part in parts if isinstance(parts, list) else [parts]:
        text = str(part).strip()
        out.append(int(text) if re.fullmatch(r"-?\d+", text) else text)
    return out[:3]


def date_from_text(text: str) -> dict[str, Any]:
    """``2020``, ``2020-03-01``, ``2020/03`` -> date-parts; anything else kept as ``raw``."""
    match = re.fullmatch(r"\s*(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?\s*", text)
    if match:
        return {"date-parts": [[int(p) for p in match.groups() if p]]}
    return {"raw": text.strip()}


def salvage(item: dict[str, Any], where: str, result: ReadResult, *, key: str | None = None) -> SourceRecord | None:
    """The record to import from one CSL item, or None when it is rejected (and why, in ``result``)."""
    key = key or (str(item["id"]) if item.get("id") not in (None, "") else None)
    item = dict(item)
    unknown = sorted(k for k in item if k not in KNOWN_FIELDS and k not in EDITOR_FIELDS)
    for name in unknown:
        item.pop(name)
    if unknown:
        result.warn(where, f"unknown CSL field(s) {', '.join(unknown)} dropped", key)
    if item.get("id") in (None, ""):
        item["id"] = key or ""
    _coerce(item)
    _fix_identifiers(item, where, key, result)
    if item.get("type") not in ITEM_TYPES:
        given = item.get("type")
        item["type"] = TYPE_ALIASES.get(str(given).lower().replace(" ", "_"), "document")
        result.warn(where, f"type {given!r} is not a CSL item type: read as {item['type']}", key)
    if not (item.get("title") or item.get("DOI") or item.get("PMID") or item.get("URL")):
        # Zotero and JabRef keep an entry with no title (a stub, a date, a note): a manuscript
        # may cite its key, and claims' own exports of such a stub must come back. Only an entry
        # with neither a key nor anything in it is not a source.
        if any(item.get(n) for n in (*NAME_VARIABLES, *DESCRIPTIVE)):
            result.warn(where, "no title", key)
        elif key or any(v not in (None, "", [], {}) for k, v in item.items() if k not in ("id", "type")):
            result.warn(where, "no title, people, container or identifier: kept as a stub", key)
        else:
            result.reject(where, "nothing to keep: no key, title, people, date, container or identifier", key)
            return None
    try:
        return _record(item, where) if item.get("title") or item.get("DOI") or item.get("PMID") or item.get("URL") else _untitled(item, where)
    except SourceError as e:
        reason = str(e).removeprefix(where).lstrip(": ").strip()
        reason = re.sub(r"^\(entry [^)]*\):\s*", "", reason)
        result.reject(where, reason, key)
        return None


def _untitled(item: dict[str, Any], where: str) -> SourceRecord:
    """An item with people or a container but no title, DOI, PMID or URL: still a source."""
    from ..csl import validate_item
    from ..sources import KEY_RE, pydantic_message

    extra = {k: item.pop(k) for k in list(item) if k in EDITOR_FIELDS}
    raw_key = str(item.get("id") or "")
    key = raw_key if KEY_RE.match(raw_key) else None
    try:
        csl = validate_item(item)
    except ValidationError as e:
        raise SourceError(f"{where}: {pydantic_message(e)}") from None
    note = extra.get("notes") if isinstance(extra.get("notes"), str) else None
    return SourceRecord(csl=csl, where=f"{where} (entry {key})" if key else where, key=key, note=note)
