"""RIS (Zotero, EndNote, Mendeley, Scopus, most databases) through rispy, one record at a time.

Records run from ``TY`` to ``ER``; text between records (a database's header, a blank-line
banner) is ignored. A record rispy cannot read is rejected alone; an unknown ``TY`` is read as
``GEN`` with a warning.
"""

from __future__ import annotations

import re
from typing import Any

from .common import ReadResult, salvage

# Every reference type of the RIS specification (RefMan 2011) -> CSL item types.
TYPES = {
    "ABST": "article", "ADVS": "broadcast", "AGGR": "dataset", "ANCIENT": "classic", "ART": "graphic",
    "BILL": "bill", "BLOG": "post-weblog", "BOOK": "book", "CASE": "legal_case", "CHAP": "chapter",
    "CHART": "graphic", "CLSWK": "classic", "COMP": "software", "CONF": "paper-conference",
    "CPAPER": "paper-conference", "CTLG": "book", "DATA": "dataset", "DBASE": "dataset",
    "DICT": "entry-dictionary", "EBOOK": "book", "ECHAP": "chapter", "EDBOOK": "book",
    "EJOUR": "article-journal", "ELEC": "webpage", "ENCYC": "entry-encyclopedia", "EQUA": "figure",
    "FIGURE": "figure", "GEN": "document", "GOVDOC": "report", "GRANT": "document", "HEAR": "hearing",
    "ICOMM": "personal_communication", "INPR": "article", "JFULL": "article-journal",
    "JOUR": "article-journal", "LEGAL": "legislation", "MANSCPT": "manuscript", "MAP": "map",
    "MGZN": "article-magazine", "MPCT": "motion_picture", "MULTI": "webpage", "MUSIC": "musical_score",
    "NEWS": "article-newspaper", "PAMP": "pamphlet", "PAT": "patent", "PCOMM": "personal_communication",
    "RPRT": "report", "SER": "book", "SLIDE": "speech", "SOUND": "song", "STAND": "standard",
    "STAT": "legislation", "THES": "thesis", "UNBILL": "bill", "UNPB": "manuscript", "UNPD": "manuscript",
    "VIDEO": "motion_picture", "WEB": "webpage",
}  # fmt: skip
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
# Some exporters (Web of Science's RIS, hand-made files) write one space before the dash, or
# a tab; such a line is read as a tag only when it is one, so wrapped text stays text.
_LOOSE_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |\t| {3,})-(?:[ \t]+(.*))?$")
# Ovid (Embase, PsycINFO) numbers its records `<1. >` and writes no TY or ER; its year is YR,
# its journal JN, its citation SO (kept as a note: it runs title, volume and pages together).
_OVID_RECORD = re.compile(r"^<\d+\.\s*>$")
_OVID_TAGS = {"YR": "PY", "JN": "JO", "SO": "N1", "ST": "M3", "UI": "AN"}
# Types numbered by issue (IS); any other type's number is M1.
ISSUE_TYPES = {"article-journal", "article-magazine", "article-newspaper", "periodical", "review", "review-book"}
# Types whose A2 names the editors of the container (RIS spec: "Editor" for these).
_A2_EDITORS = {"CHAP", "ECHAP", "CONF", "CPAPER", "ENCYC", "DICT", "EDBOOK", "INPR"}


def mapping() -> dict[str, str]:
    """rispy's tags plus ED (editor), which Zotero and EndNote write and rispy leaves unknown."""
    import rispy

    return {**rispy.TAG_KEY_MAPPING, "ED": "editor"}


def list_tags() -> list[str]:
    import rispy

    return [*rispy.LIST_TYPE_TAGS, "ED"]


def chunks(text: str, orphans: list[tuple[int, str]] | None = None) -> list[tuple[int, list[str]]]:
    """Each record's first line number and its lines, TY to ER; stray text outside is dropped.

    A tagged line outside any record (a reference that lost its TY) goes to ``orphans``.
    """
    records: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start, orphaned = 0, False
    known, loose_record = _known_tags(), False
    for number, line in enumerate(text.splitlines(), start=1):
        clean = line.lstrip("\ufeff").rstrip()
        if _OVID_RECORD.match(clean):
            if current is not None:
                records.append((start, current))
            current, start, orphaned = ["TY  - GEN"], number, False
            continue
        match = _TAG.match(clean)
        loose = None if match else _LOOSE_TAG.match(clean)
        if loose and (loose.group(1) in known or loose_record):
            clean = f"{loose.group(1)}  - {loose.group(2) or ''}".rstrip()
            match = _TAG.match(clean)
        tag = match.group(1) if match else None
        if tag == "TY":
            loose_record = loose is not None  # this record's other tags are written the same way
            orphaned = False
            if current is not None:
                records.append((start, current))  # a record without ER: close it here
            current, start = [clean], number
        elif current is not None:
            current.append(clean)
            if tag == "ER":
                records.append((start, current))
                current = None
        elif tag == "ER":
            orphaned = False
        elif tag and orphans is not None and not orphaned:
            orphans.append((number, tag))  # once per lost reference, up to its ER
            orphaned = True
    if current is not None:
        records.append((start, current))
    return records


def _known_tags() -> set[str]:
    return {*mapping(), "TY", "ER"}


def name(value: str) -> dict[str, str]:
    """``Family, Given[, Suffix]`` (RIS AU/A2/ED); an unsplit list or a body's name is a literal."""
    value = value.strip()
    if value.count(",") > 2 and ";" not in value:
        return {"literal": value}  # not "Family, Given, Suffix": an unsplit list or a body
    family, _, given = value.partition(",")
    given = given.strip().strip(",").strip()
    if not given:
        return {"literal": family.strip()}
    out = {"family": family.strip(), "given": given}
    head, _, last = given.rpartition(",")
    if head and ";" not in value:
        if re.search(r"\s(?:and|of|on|for|&)\s", f" {last} "):
            # "Council on Cardiopulmonary, Critical Care, Perioperative and Resuscitation": a
            # suffix (Jr., III, père, abbé d') joins no words, so this is a body's name.
            return {"literal": value}
        out["given"], out["suffix"] = head.strip(), last.strip()
    return out


def ris_to_csl(ref: dict[str, Any], ty: str) -> dict[str, Any]:
    from ..csl import ITEM_TYPES

    csl: dict[str, Any] = {"id": ref.get("id") or "", "type": TYPES.get(ty, "document")}
    if ty == "GEN" and str(ref.get("type_of_work") or "").strip() in ITEM_TYPES:
        # claims writes a CSL type RIS has no TY for as GEN with M3 = the type.
        csl["type"] = ref.pop("type_of_work").strip()
    # A1 and AU may repeat the same people; one list may name two people alike ("Lastname, F.").
    authors = list(ref.get("first_authors") or [])
    authors += [a for a in ref.get("authors") or [] if a not in authors]
    editors = list(ref.get("editor") or [])
    if ty in _A2_EDITORS:
        editors += ref.get("secondary_authors") or []
    if ty == "EDBOOK" and not editors:
        editors, authors = authors, []
    if authors:
        csl["author"] = [name(a) for a in authors]
    if editors:
        csl["editor"] = [name(a) for a in dict.fromkeys(editors)]
    if ty in ("MPCT", "VIDEO") and csl.get("author"):
        csl["director"] = csl.pop("author")
    if ref.get("translated_authors"):
        csl["translator"] = [name(a) for a in ref["translated_authors"]]
    title = ref.get("title") or ref.get("primary_title") or ref.get("translated_title")
    if title:
        csl["title"] = title
    container = ref.get("secondary_title") or ref.get("journal_name") or ref.get("alternate_title3")
    if container and (container != title or ref.get("secondary_title")):
        csl["container-title"] = container
    short = ref.get("alternate_title1") or ref.get("alternate_title2")
    if short and short != container:
        csl["container-title-short"] = short
    if ref.get("tertiary_title"):
        csl["collection-title"] = ref["tertiary_title"]
    date = ref.get("date") or ""
    year = ref.get("year") or ref.get("publication_year") or ""
    for candidate in (date, year):
        match = re.match(r"^(-?\d{4})(?:[/-](\d{1,2}))?(?:[/-](\d{1,2}))?", str(candidate).strip())
        if match:
            year, *rest = match.groups()
            csl["issued"] = {"date-parts": [[int(year), *(int(p) for p in rest if p and int(p))]]}
            break
    for key, var in (
        ("volume", "volume"), ("number", "issue"), ("doi", "DOI"), ("publisher", "publisher"),
        ("place_published", "publisher-place"), ("abstract", "abstract"), ("edition", "edition"),
        ("language", "language"), ("type_of_work", "genre"),
    ):  # fmt: skip
        if ref.get(key):
            csl[var] = str(ref[key]).strip()
    if ref.get("notes_abstract") and not csl.get("abstract"):
        csl["abstract"] = str(ref["notes_abstract"]).strip()
    notes = ref.get("notes") or []
    if notes:
        csl["note"] = "\n".join(str(n).strip() for n in (notes if isinstance(notes, list) else [notes]))
    if ty == "PAT" and csl.get("issue"):
        csl["number"] = csl.pop("issue")
    if ref.get("note") and csl["type"] not in ISSUE_TYPES:
        csl["number"] = str(ref["note"]).strip()  # M1: a report's, patent's or episode's number
    start, end = ref.get("start_page"), ref.get("end_page")
    if start:
        start = str(start).strip()
        csl["page"] = f"{start}-{str(end).strip()}" if end and str(end).strip() and "-" not in start else start
    urls = [u for u in (ref.get("urls") or []) if u and re.match(r"^(?:https?:)?//|^www\.", u.strip(), re.I)]
    if urls:
        csl["URL"] = urls[0].strip()
    sn = ref.get("issn")
    if sn:
        digits = re.sub(r"[^0-9Xx]", "", sn.split()[0] if sn.split() else sn)
        csl["ISBN" if len(digits) in (10, 13) else "ISSN"] = sn
    accession = str(ref.get("accession_number") or "").strip()
    if accession.isdigit() and (ref.get("name_of_database") or "").lower().startswith(("pubmed", "medline", "nlm")):
        csl["PMID"] = accession
    return csl


def read_ris(text: str, name_: str) -> ReadResult:
    import rispy

    result = ReadResult()
    orphans: list[tuple[int, str]] = []
    records = chunks(text, orphans)
    for line, tag in orphans:
        result.warn(f"{name_} line {line}", f"reference does not start with TY (found {tag}): ignored")
    if not records and text.strip():
        from ..sources import SourceError

        raise SourceError(f"{name_}: no RIS entries found (each starts with a 'TY  - ' line)")
    tags, lists = mapping(), list_tags()
    source_lines = text.splitlines()
    for line, lines in records:
        where = f"{name_} line {line}"
        ovid = bool(_OVID_RECORD.match(source_lines[line - 1].strip()))
        if ovid:
            lines = [_OVID_TAGS.get(entry[:2], entry[:2]) + entry[2:] if _TAG.match(entry) else entry for entry in lines]
            result.warn(where, "Ovid record (no TY): read as GEN (generic)")
        ty = (_TAG.match(lines[0]).group(2) or "").strip().upper()  # type: ignore[union-attr]
        if not lines[-1].startswith("ER"):
            lines = [*lines, "ER  - "]
            if not ovid:
                result.warn(where, "record has no ER line: read up to the next TY or the end")
        if ty not in TYPES:
            result.warn(where, f"unknown TY {ty!r}: read as GEN (generic)")
            lines = ["TY  - GEN", *lines[1:]]
        try:
            refs = rispy.loads("\n".join(lines) + "\n", mapping=tags, list_tags=lists)
        except Exception as e:  # rispy raises bare IOError/ValueError subclasses on bad structure
            result.reject(where, f"not valid RIS ({e})")
            continue
        if len(refs) != 1:
            result.reject(where, "not one RIS record")
            continue
        csl = ris_to_csl(refs[0], ty if ty in TYPES else "GEN")
        record = salvage(csl, where, result, key=csl.get("id") or None)
        if record is not None:
            result.records.append(record)
    return result
