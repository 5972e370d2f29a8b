"""MEDLINE tagged text: PubMed's "Save -> PubMed format" (``.nbib``, ``pubmed-*.txt``).

Biopython's ``Bio.Medline`` reads the records; this module maps its tags (documented at
https://www.nlm.nih.gov/bsd/mms/medlineelements.html) to CSL.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .common import ReadResult, salvage

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})-")


def _first(record: dict[str, Any], tag: str) -> str | None:
    value = record.get(tag)
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(full: str | None, short: str | None) -> dict[str, str]:
    text = full or short or ""
    if "," in text:
        family, _, given = text.partition(",")
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": family.strip()}
    # "Lee HJ": initials after the family name (the AU form).
    match = re.match(r"^(.*\S)\s+([A-Z]{1,4})$", text)
    if match:
        return {"family": match.group(1), "given": ". ".join(match.group(2)) + "."}
    return {"literal": text.strip()}


def _names(record: dict[str, Any], full_tag: str, short_tag: str) -> list[dict[str, str]]:
    full = record.get(full_tag) or []
    short = record.get(short_tag) or []
    if full:
        return [_name(f, None) for f in full]
    return [_name(None, s) for s in short]


def _date(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    match = re.match(r"^(\d{4})(?:\s+([A-Za-z]{3})[a-z]*(?:\s+(\d{1,2}))?)?", value)
    if not match:
        return None
    parts = [int(match.group(1))]
    if match.group(2) and match.group(2).lower() in MONTHS:
        parts.append(MONTHS[match.group(2).lower()])
        if match.group(3):
            parts.append(int(match.group(3)))
    return {"date-parts": [parts]}


def medline_to_csl(record: dict[str, Any]) -> dict[str, Any]:
    kinds = " ".join(record.get("PT") or []).lower()
    book = bool(record.get("BTI")) or "book" in kinds
    csl: dict[str, Any] = {"id": _first(record, "PMID") or "", "type": "book" if book else "article-journal"}
    if record.get("BTI") and record.get("TI"):
        csl["type"] = "chapter"
    authors = _names(record, "FAU", "AU")
    if authors:
        csl["author"] = authors
    editors = _names(record, "FED", "ED")
    if editors:
        csl["editor"] = editors
    title = _first(record, "TI") or _first(record, "BTI")
    if title:
        csl["title"] = title
    container = _first(record, "JT") if not book else (_first(record, "BTI") if csl["type"] == "chapter" else None)
    if container:
        csl["container-title"] = container
    if _first(record, "TA") and not book:
        csl["container-title-short"] = _first(record, "TA")
    for tag, var in (("VI", "volume"), ("IP", "issue"), ("PB", "publisher"), ("PL", "publisher-place"), ("AB", "abstract")):
        if _first(record, tag):
            csl[var] = _first(record, tag)
    if _first(record, "PG"):
        csl["page"] = _first(record, "PG")
    if record.get("LA"):
        csl["language"] = record["LA"][0] if isinstance(record["LA"], list) else record["LA"]
    issued = _date(_first(record, "DP"))
    if issued:
        csl["issued"] = issued
    if _first(record, "PMID"):
        csl["PMID"] = _first(record, "PMID")
    if _first(record, "PMC"):
        csl["PMCID"] = _first(record, "PMC")
    lid = record.get("LID") or []
    for value in [*(record.get("AID") or []), *(lid if isinstance(lid, list) else [lid])]:
        match = re.match(r"^(\S+)\s*\[doi\]", value or "")
        if match:
            csl["DOI"] = match.group(1)
            break
    isbn = _first(record, "ISBN")
    if isbn:
        csl["ISBN"] = isbn
    issn = _first(record, "IS")
    if issn:
        csl["ISSN"] = issn.split()[0]
    return csl


def read_medline(text: str, name: str) -> ReadResult:
    from Bio import Medline

    result = ReadResult()
    # A record is a block of tagged lines; PubMed starts each with PMID, other tools may not.
    starts, previous_blank = [], True
    for number, line in enumerate(text.splitlines(), start=1):
        if previous_blank and _TAG.match(line.lstrip("\ufeff")):
            starts.append(number)
        previous_blank = not line.strip()
    if not starts:
        from ..sources import SourceError

        raise SourceError(f"{name}: no MEDLINE records found (tagged lines such as 'PMID- ' or 'TI  - ')")
    try:
        records = list(Medline.parse(io.StringIO(text)))
    except Exception as e:  # Bio.Medline raises ValueError on a line it cannot place
        from ..sources import SourceError

        raise SourceError(f"{name}: not valid MEDLINE ({e})") from None
    records = [r for r in records if r]
    lines = starts + [starts[-1]] * max(0, len(records) - len(starts))
    for record, line in zip(records, lines, strict=False):
        where = f"{name} line {line}"
        csl = medline_to_csl(record)
        record_ = salvage(csl, where, result, key=None)
        if record_ is not None:
            result.records.append(record_)
    return result
