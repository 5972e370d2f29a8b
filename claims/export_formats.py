"""Citation lists as BibTeX, BibLaTeX, RIS and CSL-JSON that the tools reading them get back whole.

Each is written by its standard library (bibtexparser, rispy, json). What a format cannot say
directly is written where its readers look: a plain-BibTeX ``@misc`` keeps the work's type in
``type`` ("Web page", "Patent", "Film"), RIS editors go in ``ED``, CSL-JSON dates are integers.
tests/test_roundtrip.py re-imports every export of the real libraries and checks nothing is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .csl import family_with_particle, joined_particle, year_of

# --- CSL-JSON -----------------------------------------------------------------------------

DATE_FIELDS = ("accessed", "available-date", "event-date", "issued", "original-date", "submitted")


def _integer_dates(item: dict[str, Any]) -> dict[str, Any]:
    """Date parts as integers: pandoc (and the CSL schema's numbers) refuse ``["2020"]``."""
    out = dict(item)
    for name in DATE_FIELDS:
        date = out.get(name)
        if isinstance(date, dict) and isinstance(date.get("date-parts"), list):
            parts = [[int(p) if isinstance(p, str) and re.fullmatch(r"-?\d+", p.strip()) else p for p in part] for part in date["date-parts"]]
            out[name] = {**date, "date-parts": parts}
    return out


def to_csl_json(items: Sequence[dict[str, Any]]) -> str:
    return json.dumps([_integer_dates(i) for i in items], ensure_ascii=False, indent=2) + "\n"


# --- BibTeX and BibLaTeX ------------------------------------------------------------------

BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished", "pamphlet": "booklet",
}  # fmt: skip
BIBLATEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "thesis": "thesis", "report": "report", "manuscript": "unpublished", "pamphlet": "booklet",
    "webpage": "online", "patent": "patent",
    "motion_picture": "movie", "dataset": "dataset", "software": "software",
    "song": "audio", "graphic": "image", "legal_case": "jurisdiction", "legislation": "legislation",
    "standard": "standard", "performance": "performance", "review": "review",
    "entry-encyclopedia": "inreference", "periodical": "periodical", "personal_communication": "letter",
}  # fmt: skip
# Types numbered by issue, as claims.importers reads `number` back.
ISSUE_TYPES = {"article-journal", "article-magazine", "article-newspaper", "periodical", "review", "review-book", "paper-conference"}
# biblatex's own refinement of @article, which BibTeX styles ignore.
ARTICLE_SUBTYPES = {"article-magazine": "magazine", "article-newspaper": "newspaper"}
# The `type` of a plain-BibTeX @misc, for works BibTeX has no entry type for; the importer
# (claims.importers.bibtex.MISC_TYPES) reads them back.
MISC_TYPE_NAMES = {
    "webpage": "Web page", "motion_picture": "Film", "post-weblog": "Blog post", "article": "Preprint",
    "entry-encyclopedia": "Encyclopedia entry", "entry-dictionary": "Dictionary entry",
    "review-book": "Book review",
}  # fmt: skip


def misc_type_name(csl_type: str) -> str:
    return MISC_TYPE_NAMES.get(csl_type) or csl_type.replace("-", " ").replace("_", " ").capitalize()


_LATEX_SPECIAL = re.compile(r"([&%$#_{}])")
# Fields biblatex and bibtexparser treat verbatim: escaping would corrupt them.
_VERBATIM = {"doi", "url", "eprint"}
_NAME_FIELDS = ("author", "editor", "translator", "director", "bookauthor")


def protect_case(text: str) -> str:
    """Brace words whose capitals are not just an initial (``SMAS``, ``TLR2/NF-κB``, ``pH``), so
    BibTeX styles that lower-case titles keep them; ``Micro-Current`` and ``Raw`` stay as they are.

    Takes LaTeX-escaped text and leaves words holding a LaTeX command alone.
    """

    def wrap(match: re.Match[str]) -> str:
        word = match.group(0)
        tail = word[1:]
        if tail.islower() or not any(c.isupper() for c in tail):
            return word  # most words: nothing past the first letter is a capital
        if "\\" in word or "{" in word or "}" in word:
            return word
        lead = re.match(r"[(\[\"'\u201c\u2018]*", word).group(0)  # type: ignore[union-attr]
        rest = word[len(lead):]
        trail = re.search(r"[)\]\"'\u201d\u2019.,:;!?]*$", rest).group(0)  # type: ignore[union-attr]
        core = rest[: len(rest) - len(trail)]
        parts = re.split(r"[-/\u2010\u2013]", core)
        if any(any(c.isupper() for c in part[1:]) for part in parts):
            return f"{lead}{{{core}}}{trail}"
        return word

    return re.sub(r"\S+", wrap, text)


def latex_escape(text: str) -> str:
    text = text.replace("\\", "\\textbackslash ")
    text = _LATEX_SPECIAL.sub(r"\\\1", text)
    return text.replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")


def _group(part: str) -> str:
    """A name part holding " and " or a comma would split the name list: keep it one group."""
    return "{" + part + "}" if re.search(r"\band\b|,", part, re.IGNORECASE) else part


def _bibtex_name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return "{" + latex_escape(name["literal"]) + "}"
    family = _group(latex_escape(name.get("family") or ""))
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    if particle:
        family = joined_particle(latex_escape(particle), family)
    if not family:
        return "{" + latex_escape(name.get("given") or "") + "}"
    parts = [family]
    if name.get("suffix"):
        parts.append(_group(latex_escape(name["suffix"])))
    if name.get("given"):
        parts.append(_group(latex_escape(name["given"])))
    elif name.get("suffix"):
        parts.append("")
    return ", ".join(parts)


def year_text(year: int) -> str:
    """ISO 8601 years, as biblatex and the importers read them: 11 -> 0011, 12 BCE -> -0011."""
    return f"-{abs(year):04d}" if year < 0 else f"{year:04d}"


def entry_type(item: dict[str, Any], biblatex: bool) -> str:
    if biblatex:
        return BIBLATEX_TYPES.get(item["type"], "misc")
    if item["type"] == "thesis" and re.search(r"master|\bM\.?\s?[AS]c?\b|MSc", str(item.get("genre") or ""), re.IGNORECASE):
        return "mastersthesis"
    return BIBTEX_TYPES.get(item["type"], "misc")


def bibtex_fields(item: dict[str, Any], biblatex: bool = False) -> dict[str, str]:
    fields: dict[str, str] = {}
    kind = entry_type(item, biblatex)
    roles = {"author": "author", "editor": "editor", "translator": "translator", "director": "director",
             "container-author": "bookauthor"}  # fmt: skip
    for role, bib in roles.items():
        if item.get(role):
            fields[bib] = " and ".join(_bibtex_name(n) for n in item[role])
    if item.get("title"):
        fields["title"] = item["title"]
    container = item.get("container-title")
    if container:
        if kind in ("incollection", "inproceedings", "inreference", "inbook"):
            fields["booktitle"] = container
        else:
            fields["journaltitle" if biblatex else "journal"] = container
    year = year_of(item)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    if biblatex and parts and all(isinstance(p, int) or str(p).lstrip("-").isdigit() for p in parts):
        fields["date"] = "-".join(f"{int(p):02d}" if i else year_text(int(p)) for i, p in enumerate(parts))
    elif year is not None:
        fields["year"] = year_text(year)
        if len(parts) > 1:
            fields["month"] = str(parts[1])
    for var, bib in (
        ("volume", "volume"), ("issue", "number"), ("publisher", "publisher"),
        ("publisher-place", "location" if biblatex else "address"), ("edition", "edition"),
        ("ISBN", "isbn"), ("ISSN", "issn"), ("PMID", "pmid"), ("PMCID", "pmcid"), ("DOI", "doi"),
        ("URL", "url"), ("collection-title", "series"), ("language", "langid" if biblatex else "language"),
        ("title-short", "shorttitle"), ("container-title-short", "shortjournal"), ("abstract", "abstract"),
        ("note", "note"), ("version", "version"), ("number-of-pages", "pagetotal"),
    ):  # fmt: skip
        if item.get(var) not in (None, "") and bib not in fields:
            fields[bib] = str(item[var])
    number = str(item.get("number") or "")
    arxiv = re.match(r"^arxiv:\s*(\S+)$", number, re.IGNORECASE)
    if arxiv:
        fields["eprint"], fields["eprinttype"] = arxiv.group(1), "arxiv"
    elif number and item["type"] in ISSUE_TYPES:
        fields["eid"] = number  # an article number; `number` is the issue here
    elif number:
        if "number" in fields:
            fields["issue"] = fields.pop("number")  # both: the issue goes in biblatex's own field
        fields["number"] = number
    elif item.get("issue") not in (None, "") and item["type"] not in ISSUE_TYPES:
        fields["issue"] = fields.pop("number")  # a `number` here would read back as the work's number
    if item.get("page"):
        fields["pages"] = re.sub(r"\s*[-\u2013]+\s*", "--", str(item["page"]))
    if item["type"] == "thesis" and "publisher" in fields:
        fields["institution" if biblatex else "school"] = fields.pop("publisher")
    if item["type"] == "report" and "publisher" in fields:
        fields["institution"] = fields.pop("publisher")
    if kind == "misc":
        fields["type"] = misc_type_name(item["type"])
    elif item.get("genre") and item["type"] in ("thesis", "report", "patent"):
        fields["type"] = str(item["genre"])
    if kind == "article" and item["type"] in ARTICLE_SUBTYPES:
        fields["entrysubtype"] = ARTICLE_SUBTYPES[item["type"]]
    accessed = ((item.get("accessed") or {}).get("date-parts") or [[]])[0]
    if len(accessed) == 3:
        fields["urldate"] = "{}-{:02d}-{:02d}".format(*(int(p) for p in accessed))
    escaped = {k: (v if k in _VERBATIM or k in _NAME_FIELDS else latex_escape(v)) for k, v in fields.items()}
    # "--" is an en dash to TeX: a literal double hyphen in a title is written "-{}-".
    escaped = {k: (v.replace("--", "-{}-") if k not in _VERBATIM and k not in _NAME_FIELDS and k != "pages" else v) for k, v in escaped.items()}
    if "title" in escaped:
        escaped["title"] = protect_case(escaped["title"])
    return escaped


def to_bibtex(items: Sequence[dict[str, Any]], *, biblatex: bool = False) -> str:
    from bibtexparser import Library, write_string
    from bibtexparser.middlewares import default_unparse_stack
    from bibtexparser.model import Entry, Field

    library = Library()
    for item in items:
        fields = [Field(k, v) for k, v in bibtex_fields(item, biblatex).items()]
        library.add(Entry(entry_type(item, biblatex), str(item["id"]), fields))
    # The library is ours and thrown away: let the writer modify it instead of deep-copying it.
    return write_string(library, unparse_stack=default_unparse_stack(allow_inplace_modification=True))


# --- RIS ----------------------------------------------------------------------------------

RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "thesis": "THES",
    "report": "RPRT", "webpage": "ELEC", "post-weblog": "BLOG", "dataset": "DATA",
    "software": "COMP", "patent": "PAT", "manuscript": "UNPB", "standard": "STAND",
    "motion_picture": "MPCT", "entry-encyclopedia": "ENCYC", "entry-dictionary": "DICT",
    "legal_case": "CASE", "legislation": "STAT", "bill": "BILL", "hearing": "HEAR", "map": "MAP",
    "graphic": "ART", "song": "SOUND", "musical_score": "MUSIC", "pamphlet": "PAMP",
    "personal_communication": "PCOMM", "broadcast": "ADVS", "classic": "CLSWK", "figure": "FIGURE",
    "article": "INPR", "document": "GEN", "speech": "SLIDE",
}  # fmt: skip


def _ris_name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return name["literal"]
    family = family_with_particle(name, dropping=True)
    parts = [family] + [name[p] for p in ("given", "suffix") if name.get(p)]
    return ", ".join(parts)


def ris_record(item: dict[str, Any]) -> dict[str, Any]:
    ty = RIS_TYPES.get(item["type"], "GEN")
    ref: dict[str, Any] = {"type_of_reference": ty, "id": str(item["id"])}
    if ty == "GEN" and item["type"] != "document":
        ref["type_of_work"] = item["type"]  # M3: a CSL type RIS has no TY for, read back as the type
    elif item.get("genre"):
        ref["type_of_work"] = str(item["genre"])
    if item.get("title"):
        ref["title"] = item["title"]
    authors = item.get("author") or (item.get("director") if ty == "MPCT" else None)
    if authors:
        ref["authors"] = [_ris_name(n) for n in authors]
    if item.get("editor"):
        # ED is what Zotero, EndNote and Mendeley read as editors for every type; A2 would be
        # the series editor of a book.
        ref["editor"] = [_ris_name(n) for n in item["editor"]]
    if item.get("translator"):
        ref["translated_authors"] = [_ris_name(n) for n in item["translator"]]
    if item.get("container-title"):
        ref["secondary_title"] = item["container-title"]
    if item.get("collection-title"):
        ref["tertiary_title"] = item["collection-title"]
    year = year_of(item)
    if year is not None:
        ref["year"] = year_text(year)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    if len(parts) > 1:
        # RIS DA is YYYY/MM/DD/other, with empty parts kept.
        numbers = [int(x) for x in parts] + [None] * (3 - len(parts))
        ref["date"] = "/".join("" if p is None else (f"{p:02d}" if i else str(p)) for i, p in enumerate(numbers)) + "/"
    for var, key in (
        ("volume", "volume"), ("issue", "number"), ("publisher", "publisher"),
        ("publisher-place", "place_published"), ("DOI", "doi"), ("edition", "edition"),
        ("abstract", "abstract"), ("language", "language"),
    ):  # fmt: skip
        if item.get(var) not in (None, ""):
            ref[key] = str(item[var])
    if item.get("number") not in (None, ""):
        ref["note"] = str(item["number"])  # M1, which reference managers read as the number
    if item.get("page"):
        start, _, end = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", str(item["page"])).partition("-")
        ref["start_page"] = start
        if end:
            ref["end_page"] = end
    if item.get("URL"):
        ref["urls"] = [item["URL"]]
    if item.get("ISBN") or item.get("ISSN"):
        ref["issn"] = item.get("ISBN") or item.get("ISSN")
    if item.get("PMID"):
        ref["accession_number"] = str(item["PMID"])
        ref["name_of_database"] = "PubMed"
    return ref


def to_ris(items: Sequence[dict[str, Any]]) -> str:
    import rispy
    from rispy.writer import RisWriter

    from .importers.ris import list_tags, mapping

    class PlainRisWriter(RisWriter):
        # rispy numbers each record ("1."); reference managers expect bare RIS.
        def set_header(self, count: int) -> str:
            return ""

    return rispy.dumps(
        [ris_record(item) for item in items], implementation=PlainRisWriter, mapping=mapping(), list_tags=list_tags()
    )
