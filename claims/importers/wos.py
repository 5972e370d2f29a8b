"""Web of Science tagged text ("Plain text file" / "Other file formats"): ``savedrecs.txt``, ``.ciw``.

No maintained Python parser reads it (metaknowledge and pywos are unmaintained since 2018-2020),
so this follows Clarivate's field-tag list: two-letter tags, continuation lines indented by
three spaces, ``ER`` ending each record and ``EF`` the file.
"""

from __future__ import annotations

import re
from typing import Any

from .common import ReadResult, salvage

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*)|$)")
# PT (publication type): J journal, B book, S series, P patent; DT refines it.
DOCUMENT_TYPES = {
    "article": "article-journal", "review": "article-journal", "letter": "article-journal",
    "editorial material": "article-journal", "proceedings paper": "paper-conference",
    "meeting abstract": "paper-conference", "book": "book", "book chapter": "chapter",
    "book review": "review-book", "news item": "article-newspaper", "data paper": "dataset",
    "data set": "dataset", "patent": "patent", "correction": "article-journal",
}  # fmt: skip
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def records(text: str) -> list[tuple[int, dict[str, list[str]]]]:
    """Each record's first line and its tags' values (a multi-line tag gives one value a line)."""
    out: list[tuple[int, dict[str, list[str]]]] = []
    current: dict[str, list[str]] | None = None
    tag = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line:
            continue
        if line.startswith("   ") and current is not None and tag:
            current.setdefault(tag, []).append(line.strip())
            continue
        match = _TAG.match(line)
        if not match:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in ("FN", "VR", "EF"):
            tag = ""
            continue
        if tag == "ER":
            if current:
                out.append((start, current))
            current, tag = None, ""
            continue
        if current is None:
            current, start = {}, number
        current.setdefault(tag, []).append(value)
    if current:
        out.append((start, current))
    return out


def _join(fields: dict[str, list[str]], tag: str) -> str | None:
    value = " ".join(v for v in fields.get(tag, []) if v)
    return value or None


def _name(value: str) -> dict[str, str]:
    family, _, given = value.partition(",")
    return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": family.strip()}


def wos_to_csl(fields: dict[str, list[str]]) -> dict[str, Any]:
    kind = (_join(fields, "DT") or "").split(";")[0].strip().lower()
    pt = (_join(fields, "PT") or "J").strip().upper()
    csl_type = DOCUMENT_TYPES.get(kind) or {"B": "book", "P": "patent", "S": "chapter"}.get(pt, "article-journal")
    csl: dict[str, Any] = {"id": (_join(fields, "UT") or "").replace(":", "_"), "type": csl_type}
    authors = fields.get("AF") or fields.get("AU") or []
    if authors:
        csl["author"] = [_name(a) for a in authors if a]
    editors = fields.get("BE") or []
    if editors:
        csl["editor"] = [_name(a) for a in editors if a]
    for tag, var in (
        ("TI", "title"), ("SO", "container-title"), ("J9", "container-title-short"), ("VL", "volume"),
        ("IS", "issue"), ("PU", "publisher"), ("PI", "publisher-place"), ("AB", "abstract"),
        ("LA", "language"), ("SE", "collection-title"), ("CT", "event-title"),
    ):  # fmt: skip
        value = _join(fields, tag)
        if value:
            csl[var] = value
    if csl_type == "chapter" and fields.get("BS") and not csl.get("container-title"):
        csl["container-title"] = _join(fields, "BS")
    start, end, article = _join(fields, "BP"), _join(fields, "EP"), _join(fields, "AR")
    if start:
        csl["page"] = f"{start}-{end}" if end and end != start else start
    elif article:
        csl["number"] = article
    year = _join(fields, "PY")
    if year and re.fullmatch(r"\d{4}", year):
        parts = [int(year)]
        month = (_join(fields, "PD") or "").strip().lower()[:3]
        if month in MONTHS:
            parts.append(MONTHS[month])
        csl["issued"] = {"date-parts": [parts]}
    for tag, var in (("DI", "DOI"), ("PM", "PMID"), ("BN", "ISBN"), ("SN", "ISSN")):
        value = _join(fields, tag)
        if value:
            csl[var] = value
    return csl


def read_wos(text: str, name: str) -> ReadResult:
    result = ReadResult()
    found = records(text)
    if not found:
        from ..sources import SourceError

        raise SourceError(f"{name}: no Web of Science records found (each starts with a 'PT ' line)")
    for line, fields in found:
        where = f"{name} line {line}"
        if "PT" not in fields and "TI" not in fields:
            result.reject(where, "not a Web of Science record (no PT or TI tag)")
            continue
        csl = wos_to_csl(fields)
        record = salvage(csl, where, result, key=csl.get("id") or None)
        if record is not None:
            result.records.append(record)
    return result
