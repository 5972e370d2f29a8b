"""BibTeX and BibLaTeX libraries as Zotero, JabRef, Mendeley, BibDesk and hand-editors write them.

bibtexparser splits the file into blocks (resolving ``@string`` macros); a block it cannot parse
is one rejected record and the rest still import. Field names are compared case-insensitively
(``Author =``, ``AUTHOR =``), ``crossref`` and ``xdata`` fill what an entry lacks from its parent,
and TeX (accents, math, ``\\url``, ``\\href``) becomes Unicode text through pylatexenc.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from .common import ReadResult, date_from_text, salvage

# BibTeX and BibLaTeX entry types -> CSL item types; anything else is a generic `document`.
TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "bookinbook": "chapter", "suppbook": "chapter", "incollection": "chapter",
    "suppcollection": "chapter", "collection": "book", "mvcollection": "book",
    "inproceedings": "paper-conference", "conference": "paper-conference", "proceedings": "book",
    "mvproceedings": "book", "reference": "book", "mvreference": "book", "inreference": "entry-encyclopedia",
    "manual": "report", "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "unpublished": "manuscript", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "webpage": "webpage", "misc": "document",
    "dataset": "dataset", "data": "dataset", "software": "software", "patent": "patent",
    "periodical": "periodical", "suppperiodical": "article-journal", "movie": "motion_picture",
    "video": "motion_picture", "music": "song", "audio": "song", "image": "graphic",
    "artwork": "graphic", "letter": "personal_communication", "legislation": "legislation",
    "jurisdiction": "legal_case", "legal": "legal_case", "standard": "standard",
    "performance": "performance", "review": "review", "article-newspaper": "article-newspaper",
    "newspaper": "article-newspaper", "magazine": "article-magazine", "map": "map",
    "interview": "interview", "speech": "speech", "presentation": "speech", "thesis-phd": "thesis",
}  # fmt: skip
# What the exporter writes in a @misc's `type` when plain BibTeX has no entry type for the work
# (claims.export_formats), read back so the type survives the round trip.
MISC_TYPES = {
    "web page": "webpage", "webpage": "webpage", "patent": "patent", "film": "motion_picture",
    "motion picture": "motion_picture", "dataset": "dataset", "data set": "dataset",
    "software": "software", "computer program": "software", "blog post": "post-weblog",
    "post": "post", "broadcast": "broadcast", "interview": "interview", "map": "map",
    "song": "song", "speech": "speech", "standard": "standard", "legislation": "legislation",
    "legal case": "legal_case", "graphic": "graphic", "manuscript": "manuscript",
    "newspaper article": "article-newspaper", "magazine article": "article-magazine",
    "encyclopedia entry": "entry-encyclopedia", "dictionary entry": "entry-dictionary",
    "preprint": "article", "personal communication": "personal_communication", "book review": "review-book",
}  # fmt: skip
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
# Types numbered by issue; any other type's `number` is CSL's number (report, patent, episode).
ISSUE_TYPES = {"article-journal", "article-magazine", "article-newspaper", "periodical", "review", "review-book", "paper-conference"}
# Names: every BibLaTeX name list with a CSL name variable.
NAME_FIELDS = {
    "author": "author", "editor": "editor", "translator": "translator", "director": "director",
    "bookauthor": "container-author", "editora": "editor", "commentator": "contributor",
    "annotator": "contributor", "introduction": "contributor", "foreword": "contributor",
    "afterword": "contributor", "holder": "author", "composer": "composer", "producer": "producer",
    "organizer": "organizer", "interviewer": "interviewer", "illustrator": "illustrator",
}  # fmt: skip
# Fields taken as they are: TeX decoding would eat a URL's %20 as a comment.
VERBATIM = {"url", "doi", "eprint", "file", "pdf", "isbn", "issn", "pmid", "pmcid", "urldate"}
FIELDS = {
    "title": "title", "volume": "volume", "number": "issue", "issue": "issue", "doi": "DOI",
    "pmid": "PMID", "pmcid": "PMCID", "isbn": "ISBN", "issn": "ISSN", "url": "URL",
    "publisher": "publisher", "address": "publisher-place", "location": "publisher-place",
    "abstract": "abstract", "edition": "edition", "series": "collection-title", "language": "language",
    "langid": "language", "note": "note", "howpublished": "medium", "version": "version",
    "shorttitle": "title-short", "shortjournal": "container-title-short", "journalabbrev": "container-title-short",
    "chapter": "chapter-number", "pagetotal": "number-of-pages", "volumes": "number-of-volumes",
    "eid": "number", "eventtitle": "event-title", "venue": "event-place", "keywords": "keyword", "annote": "annote", "comment": "annote",
    "origtitle": "original-title", "archiveprefix": "archive", "library": "call-number",
}  # fmt: skip
_COMMENT_LINE = re.compile(r"^[ \t]*%.*$", re.MULTILINE)
_EMPTY_FIELD = re.compile(r"([}\"\w])\s*,(?:\s*,)+(?=\s*[A-Za-z][\w-]*\s*=)")
_KEYLESS = re.compile(r"(@(?!(?:string|preamble|comment)\b)[A-Za-z]+\s*\{)(\s*[A-Za-z][\w-]*\s*=)", re.IGNORECASE)


def _latex(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    global _CONVERTER
    if _CONVERTER is None:
        db = get_default_latex_context_db().filter_context(keep_categories=None)
        db.add_context_category("claims-text", prepend=True, macros=[MacroTextSpec("textasciicircum", simplify_repl="^")])
        _CONVERTER = LatexNodes2Text(latex_context=db, strict_latex_spaces=True, math_mode="text")
    # \url{x} is x and \href{x}{text} is text: done here, since a URL is not TeX.
    value = re.sub(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}", r"\1", value)
    value = re.sub(r"\\url\s*\{([^{}]*)\}", lambda m: m.group(1).replace("%", "\\%").replace("#", "\\#"), value)
    try:
        return " ".join(_CONVERTER.latex_to_text(value).split())
    except Exception:  # pylatexenc fails on some unbalanced or unknown TeX: keep the text itself
        return " ".join(re.sub(r"(?<!\\)[{}]", "", value).split())


_CONVERTER: Any = None


def _unwrap_url(value: str) -> str:
    r"""``\url{https://x}`` or ``\href{https://x}{text}`` -> the address itself."""
    match = re.match(r"^\s*\\(?:url|href)\s*\{([^}]*)\}", value)
    return (match.group(1) if match else value).strip().strip("{}").strip()


def _names(value: str) -> list[dict[str, str]]:
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    names = []
    for raw in split_multiple_persons_names(value):
        raw = raw.strip().rstrip(",").strip()  # "Smith, John," as some exports write it
        if not raw:
            continue
        if raw.lower() == "others":
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except Exception:  # bibtexparser's own error types vary by version; keep the text
            names.append({"literal": _latex(raw)})
            continue
        # A single braced group with no first name is an organisation: {World Health Organization}.
        if not parts.first and len(parts.last) == 1 and parts.last[0].startswith("{"):
            names.append({"literal": _latex(parts.last[0])})
            continue
        name = {"family": _latex(" ".join(parts.last))}
        if parts.first:
            name["given"] = _latex(" ".join(parts.first))
        if parts.von:
            name["non-dropping-particle"] = _latex(" ".join(parts.von))
        if parts.jr:
            name["suffix"] = _latex(" ".join(parts.jr))
        names.append({k: v for k, v in name.items() if v})
    return [n for n in names if n]


def _date(fields: dict[str, str]) -> dict[str, Any] | None:
    if fields.get("date"):
        text = fields["date"].strip()
        match = re.match(r"^(-?\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:/|$)", text)
        if match:
            return {"date-parts": [[int(p) for p in match.groups() if p]]}
        return {"raw": text}
    year = (fields.get("year") or "").strip()
    if not year:
        return None
    if not re.fullmatch(r"-?\d{1,4}", year):  # "100" is the year 100 (biblatex, pandoc)
        return date_from_text(year)
    parts = [int(year)]
    month = (fields.get("month") or "").strip().lower()
    if month.isdigit() and 1 <= int(month) <= 12:
        parts.append(int(month))
    elif month[:3] in MONTHS:
        parts.append(MONTHS[month[:3]])
    return {"date-parts": [parts]}


def _unenclose(value: str) -> str:
    """``{x}`` or ``"x"`` -> ``x``: bibtexparser's middlewares skip the blocks it flags as failed."""
    value = value.strip()
    if len(value) >= 2 and ((value[0], value[-1]) in (("{", "}"), ('"', '"'))):
        inner, depth = value[1:-1], 0
        for ch in inner:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                return value  # {a} and {b}: two groups, not one enclosed value
        return inner if depth == 0 else value
    return value


def _fields(entry: Any, result: ReadResult, where: str, raw: bool = False) -> dict[str, str]:
    """The entry's fields by lower-cased name; a repeated field keeps its first value."""
    fields: dict[str, str] = {}
    for f in entry.fields:
        name = f.key.strip().lower()
        value = _unenclose(str(f.value)) if raw else str(f.value)
        if name in fields:
            result.warn(where, f"field {f.key!r} given twice: the first value is kept", entry.key)
            continue
        fields[name] = value
    return fields


def _inherit(fields: dict[str, str], parent: dict[str, str], parent_type: str, child_type: str) -> None:
    """BibLaTeX's default crossref inheritance: the parent's title is the child's container."""
    if parent_type in ("book", "collection", "proceedings", "reference", "mvbook", "mvcollection", "mvproceedings"):
        if "title" in parent and "booktitle" not in fields and child_type in ("inbook", "incollection", "inproceedings", "inreference", "bookinbook", "suppbook", "suppcollection"):
            fields["booktitle"] = parent["title"]
    if parent_type in ("book", "mvbook") and "author" in parent and "bookauthor" not in fields and child_type in ("inbook", "bookinbook", "suppbook"):
        fields["bookauthor"] = parent["author"]
    if parent_type == "periodical" and "title" in parent and "journaltitle" not in fields and "journal" not in fields:
        fields["journaltitle"] = parent["title"]
    for name, value in parent.items():
        if name in ("title", "subtitle", "shorttitle", "ids", "crossref", "xref", "xdata", "entryset", "label"):
            continue
        fields.setdefault(name, value)


def entry_to_csl(entry_type: str, key: str, fields: dict[str, str]) -> dict[str, Any]:
    """One BibTeX/BibLaTeX entry's fields (lower-case names, raw TeX values) as a CSL item."""
    raw = {k: (_unwrap_url(v) if k in VERBATIM else v) for k, v in fields.items()}
    text = {k: (v.strip() if k in VERBATIM else _latex(v)) for k, v in raw.items() if k not in NAME_FIELDS}
    csl_type = TYPES.get(entry_type, "document")
    if entry_type == "misc" and _misc_type(text.get("type", "")):
        csl_type = _misc_type(text["type"])  # type: ignore[assignment]
    elif entry_type == "article" and text.get("entrysubtype", "").lower() in ("magazine", "newspaper"):
        csl_type = "article-" + text["entrysubtype"].lower()
    elif csl_type == "document" and text.get("url"):
        csl_type = "webpage"
    csl: dict[str, Any] = {"id": key, "type": csl_type}
    for bib, var in NAME_FIELDS.items():
        if raw.get(bib) and var not in csl:
            csl[var] = _names(raw[bib])
    for bib, var in FIELDS.items():
        if text.get(bib) and var not in csl:
            csl[var] = text[bib]
    if text.get("subtitle") and csl.get("title"):
        csl["title"] = f"{csl['title'].rstrip(':')}: {text['subtitle']}"
    container = text.get("journaltitle") or text.get("journal") or text.get("booktitle") or text.get("maintitle")
    if container:
        if text.get("booksubtitle") and not (text.get("journaltitle") or text.get("journal")):
            container = f"{container}: {text['booksubtitle']}"
        csl["container-title"] = container
    if csl_type == "webpage" and not container and text.get("organization"):
        csl["container-title"] = text["organization"]
    publisher = text.get("school") or text.get("institution") or text.get("organization")
    if publisher and "publisher" not in csl and csl_type != "webpage":
        csl["publisher"] = publisher
    if text.get("pages"):
        csl["page"] = re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", text["pages"])
    if csl_type == "thesis" and entry_type in ("phdthesis", "mastersthesis"):
        csl["genre"] = text.get("type") or ("PhD thesis" if entry_type == "phdthesis" else "Master's thesis")
    elif csl_type in ("report", "thesis", "patent", "document") and text.get("type") and not _misc_type(text["type"]):
        csl["genre"] = text["type"]
    if text.get("number") and csl_type not in ISSUE_TYPES and not text.get("issue"):
        # A report's, patent's or episode's number is its number, not an issue.
        csl["number"] = text["number"]
        if csl.get("issue") == text["number"]:
            csl.pop("issue")
    if csl_type == "motion_picture" and csl.get("author") and not csl.get("director"):
        csl["director"] = csl.pop("author")  # a film's author is its director (biblatex, RIS MPCT)
    eprint = text.get("eprint")
    kind = (text.get("eprinttype") or text.get("archiveprefix") or "").lower()
    if eprint and kind == "pubmed" and "PMID" not in csl:
        csl["PMID"] = eprint
    elif eprint and kind in ("arxiv", "") and re.match(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", eprint, re.I):
        csl["number"] = "arXiv:" + re.sub(r"^arxiv:", "", eprint, flags=re.I)
        csl.setdefault("URL", "https://arxiv.org/abs/" + re.sub(r"^arxiv:", "", eprint, flags=re.I))
    elif eprint and kind in ("doi",) and "DOI" not in csl:
        csl["DOI"] = eprint
    issued = _date(text)
    if issued:
        csl["issued"] = issued
    if text.get("urldate"):
        match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", text["urldate"])
        if match:
            csl["accessed"] = {"date-parts": [[int(p) for p in match.groups()]]}
    if text.get("origdate"):
        csl["original-date"] = date_from_text(text["origdate"])
    return {k: v for k, v in csl.items() if v not in (None, "", [])}


def _misc_type(value: str) -> str | None:
    """The CSL type a @misc's `type` names: "Web page", "Film", "Legal case", "Dataset"..."""
    from ..csl import ITEM_TYPES

    text = value.strip().lower()
    if text in MISC_TYPES:
        return MISC_TYPES[text]
    for candidate in (text.replace(" ", "-"), text.replace(" ", "_")):
        if candidate in ITEM_TYPES:
            return candidate
    return None


def _entry_key(raw: str) -> str | None:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw or "")
    return match.group(1) if match else None


def read_bibtex(text: str, name: str) -> ReadResult:
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    result = ReadResult()
    # `%` starts a comment to biber and to every reference manager; bibtexparser keeps the
    # line inside an entry. Only whole comment lines go, so a URL's %20 stays.
    cleaned = _COMMENT_LINE.sub("", text)
    # An empty field between two (`title = {X},  , number = 1`): BibTeX skips it, bibtexparser fails.
    cleaned = _EMPTY_FIELD.sub(r"\1,", cleaned)
    # EndNote writes entries without a key (`@article{ author = ...`): give each one, so the
    # entry is read instead of failing; salvage() then names it by author and year.
    counter = iter(range(1, 1_000_000))
    cleaned = _KEYLESS.sub(lambda m: f"{m.group(1)}claims-nokey-{next(counter)},{m.group(2)}", cleaned)
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # each failed block is reported below, in one line
    try:
        library = bibtexparser.parse_string(cleaned)
    finally:
        logger.setLevel(level)
    entries: list[tuple[Any, int]] = [(e, e.start_line) for e in library.entries]
    unprocessed: set[int] = set()  # entries from failed blocks: values still enclosed
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        where = f"{name} line {line}"
        key = _entry_key(block.raw or "")
        if isinstance(block, DuplicateBlockKeyBlock):
            entry = block.ignore_error_block
            if entry is not None and hasattr(entry, "fields"):
                result.warn(where, f"duplicate entry key {block.key} (BibTeX keeps the first): imported under a new key", block.key)
                entry.key = ""
                entries.append((entry, block.start_line or 0))
                unprocessed.add(id(entry))
            continue
        if isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            if entry is not None:
                result.warn(where, f"field(s) {', '.join(sorted(block.duplicate_keys))} given twice: the first value is kept", entry.key)
                entries.append((entry, block.start_line or 0))
                unprocessed.add(id(entry))
            continue
        result.reject(where, "malformed entry (unbalanced braces or quotes, or a missing comma or =)", key)
    entries.sort(key=lambda pair: pair[1])
    by_key = {}
    for entry, _ in entries:
        if entry.key:
            by_key.setdefault(entry.key.lower(), entry)
    parsed = {id(entry): _fields(entry, result, f"{name} line {line + 1}", id(entry) in unprocessed) for entry, line in entries}
    for entry, line in entries:
        where = f"{name} line {line + 1}"
        entry_type = entry.entry_type.lower()
        if entry_type in ("xdata", "set"):
            continue
        fields = dict(parsed[id(entry)])
        for ref in [x.strip() for x in fields.get("xdata", "").split(",") if x.strip()]:
            parent = by_key.get(ref.lower())
            if parent is None:
                result.warn(where, f"xdata {ref!r} is not in the file", entry.key or None)
                continue
            for k, v in parsed[id(parent)].items():
                fields.setdefault(k, v)
        if fields.get("crossref"):
            parent = by_key.get(fields["crossref"].strip().lower())
            if parent is None:
                result.warn(where, f"crossref {fields['crossref'].strip()!r} is not in the file", entry.key or None)
            else:
                _inherit(fields, parsed[id(parent)], parent.entry_type.lower(), entry_type)
        try:
            csl = entry_to_csl(entry_type, entry.key, fields)
        except Exception as e:  # TeX the decoder cannot read: reject this entry, keep the rest
            result.reject(where, f"unreadable TeX ({type(e).__name__})", entry.key or None)
            continue
        key = entry.key if entry.key and not entry.key.startswith("claims-nokey-") else None
        if key is None:
            csl["id"] = ""
        record = salvage(csl, where, result, key=key)
        if record is not None:
            result.records.append(record)
    if not entries and not result.rejected and cleaned.strip() and "@" not in cleaned:
        from ..sources import SourceError

        raise SourceError(f"{name}: no BibTeX entries found")
    if not entries and not result.rejected and (library.comments or library.strings or library.preambles):
        result.empty = True
        result.warn(name, "no entries: only comments, @string or @preamble")
    return result
