"""Evidence on citation links: the curation file, ``claims link``, derived findings and
evidence suggestions.

A citation says *that* a quote or claim relies on a source; the evidence fields say *what*
the source says (stance, excerpt, locator) and how strong it is (design, population,
intervention, sample size). From those, :func:`refresh_findings` derives what an editor must
look at: claims about people resting on animal or cell studies, sources that studied another
intervention, and claims none of whose sources supports them.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import snowballstemmer
import sqlite_utils
from markupsafe import Markup
from pydantic import ConfigDict, Field, ValidationError, model_validator
from rank_bm25 import BM25Okapi

from .clock import now
from .models import FindingRow, Record, first_error
from .readers import ReadError, load_yaml_list
from .verify import fold
from .wording import plural

Relation = Literal["cited", "attributed", "candidate"]
Stance = Literal["supports", "refutes", "mixed", "not_enough_info", "unassessed"]
Design = Literal[
    "meta_analysis", "systematic_review", "rct", "cohort", "case_series", "animal", "in_vitro",
    "narrative_review", "expert_opinion", "other",
]  # fmt: skip
Population = Literal["humans", "animals", "cells", "none"]

CURATION_BY = "curation"
EVIDENCE_FIELDS = (
    "stance", "excerpt", "locator", "design", "population", "population_detail", "intervention",
    "sample_size", "editor_note",
)  # fmt: skip
# The kinds refresh_findings owns: it deletes and re-creates only these.
FINDING_KINDS = (
    "population_mismatch", "intervention_mismatch", "no_supporting_source",
    "near_duplicate_quote_across_articles",
)  # fmt: skip


class CurationError(ValueError):
    """Bad curation input or a link that cannot be made; one line naming the entry."""


class Evidence(Record):
    """What a source says on one link, and how strong that evidence is."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    stance: Stance = "unassessed"
    excerpt: str | None = None
    locator: str | None = None
    design: Design | None = None
    population: Population | None = None
    population_detail: str | None = None
    intervention: str | None = None
    sample_size: int | None = Field(default=None, ge=1)
    # Editors write `note:` in the curation file.
    editor_note: str | None = Field(default=None, alias="note")

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EVIDENCE_FIELDS}


class CurationLink(Evidence):
    source: str = Field(min_length=1, description="Citation key (or integer id) of the source.")
    relation: Relation | None = None

    @model_validator(mode="before")
    @classmethod
    def _source_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("source"), int):
            data = {**data, "source": str(data["source"])}
        return data


class CurationEntry(Record):
    """One quote or claim, found by a unique piece of its text, and its sources."""

    quote: str | None = Field(default=None, min_length=3)
    claim: str | None = Field(default=None, min_length=3)
    article: str | None = None
    sources: list[CurationLink] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_record(self) -> CurationEntry:
        if (self.quote is None) == (self.claim is None):
            raise ValueError("give exactly one of quote: or claim:")
        return self

    @property
    def kind(self) -> Literal["quote", "claim"]:
        return "quote" if self.quote is not None else "claim"

    @property
    def piece(self) -> str:
        return self.quote if self.quote is not None else self.claim  # type: ignore[return-value]


@dataclass
class LoadedEntry:
    entry: CurationEntry
    where: str  # "data/curation.yml: entry 3 (line 25)"


def load_curation(path: str | Path) -> list[LoadedEntry]:
    """Read and validate the curation file (no database needed); ReadError names the entry."""
    path = Path(path)
    from .safe_files import read_text_file

    loaded = []
    for i, (item, line) in enumerate(load_yaml_list(read_text_file(path, error=ReadError), str(path))):
        where = f"{path}: entry {i + 1} (line {line})"
        try:
            entry = CurationEntry.model_validate(item)
        except ValidationError as e:
            raise ReadError(f"{where}: {first_error(e, 'entry')}") from None
        loaded.append(LoadedEntry(entry, where))
    return loaded


def resolve_source(db: sqlite_utils.Database, ref: str | int) -> int:
    """A source's id from any of its citation keys (claims.source_keys) or its integer id."""
    from .source_keys import source_for_key

    if (source_id := source_for_key(db, ref)) is None:
        raise CurationError(f"source {ref!r}: no such source (give a citation key or an integer id)")
    return source_id


def _latest_records(db: sqlite_utils.Database, table: str) -> list[tuple[int, str, str, str]]:
    """(id, folded text, folded location, folded title) of records in each article's latest version."""
    rows = db.execute(
        f"""
        select r.id, r.text, a.location, a.title from [{table}] r join articles a on a.id = r.article_id
        where a.is_current
        order by r.id
        """
    )
    return [(row[0], fold(row[1]), fold(row[2]), fold(row[3] or "")) for row in rows]


@dataclass(frozen=True)
class ResolvedLink:
    kind: Literal["quote", "claim"]
    record_id: int
    source_id: int
    relation: Relation | None
    evidence: Evidence
    where: str


def resolve_curation(db: sqlite_utils.Database, entries: list[LoadedEntry]) -> list[ResolvedLink]:
    """Find each entry's record and sources; CurationError names an entry that matches no or
    several records, or a source that does not exist."""
    records = {"quote": _latest_records(db, "quotes"), "claim": _latest_records(db, "claims")}
    resolved: list[ResolvedLink] = []
    seen: dict[tuple[str, int, int], str] = {}
    for loaded in entries:
        entry, where = loaded.entry, loaded.where
        # Quote marks around the piece are the editor's, not the article's (fold makes curly straight).
        piece = fold(" ".join(entry.piece.split())).strip("\"' ")
        article = fold(entry.article) if entry.article else None
        matches = [
            rid for rid, text, location, title in records[entry.kind]
            if piece in text and (article is None or article in location or article in title)
        ]  # fmt: skip
        short = entry.piece if len(entry.piece) <= 50 else entry.piece[:47] + "..."
        if not matches:
            if article is not None and not any(
                article in location or article in title
                for rows in records.values() for _, _, location, title in rows
            ):
                raise CurationError(f"{where}: article {entry.article!r} matches no article's location or title")
            scope = f" of article {entry.article!r}" if article is not None else " in the database"
            raise CurationError(f"{where}: {entry.kind} {short!r} matches no {entry.kind}{scope}")
        if len(matches) > 1:
            ids = ", ".join(str(m) for m in matches[:5])
            raise CurationError(
                f"{where}: {entry.kind} {short!r} matches {len(matches)} {entry.kind}s ({ids}); "
                "quote more of its text or add article:"
            )
        for j, link in enumerate(entry.sources):
            try:
                source_id = resolve_source(db, link.source)
            except CurationError as e:
                raise CurationError(f"{where}: sources.{j}: {e}") from None
            key = (entry.kind, matches[0], source_id)
            if key in seen:
                raise CurationError(f"{where}: sources.{j}: {link.source} is already linked to this {entry.kind} by {seen[key]}")
            seen[key] = where
            evidence = Evidence.model_validate(link.model_dump(include=set(EVIDENCE_FIELDS)))
            resolved.append(ResolvedLink(entry.kind, matches[0], source_id, link.relation, evidence, where))
    return resolved


def save_link(
    db: sqlite_utils.Database,
    kind: Literal["quote", "claim"],
    record_id: int,
    source_id: int,
    evidence: Evidence,
    *,
    relation: Relation | None = None,
    added_by: str,
) -> Literal["added", "updated", "unchanged"]:
    """Create or update the citation for (record, source). Call inside a transaction.

    An existing link (for instance a ``candidate`` from sources.yml) gets the evidence instead
    of a duplicate; ``relation`` None keeps an existing link's relation.
    """
    column = f"{kind}_id"
    existing = next(
        db.query(f"select * from citations where {column} = ? and source_id = ? order by id limit 1", [record_id, source_id]),
        None,
    )
    row = evidence.row()
    if existing is None:
        db["citations"].insert(
            {column: record_id, "source_id": source_id, "relation": relation or "candidate",
             "added_by": added_by, "added_at": now(), **row}  # fmt: skip
        )
        return "added"
    if relation is not None:
        row["relation"] = relation
    changes = {k: v for k, v in row.items() if existing[k] != v}
    if not changes:
        return "unchanged"
    db["citations"].update(existing["id"], changes)
    return "updated"


def link_record(
    db: sqlite_utils.Database,
    kind: Literal["quote", "claim"],
    record_id: int,
    source: str | int,
    fields: dict[str, Any],
    *,
    relation: Relation | None = None,
    added_by: str,
) -> tuple[int, str]:
    """One link from the command line: ``fields`` (evidence fields given) are merged into an
    existing link's evidence. Call inside a transaction. Returns (source id, outcome)."""
    table = "quotes" if kind == "quote" else "claims"
    if db.execute(f"select 1 from {table} where id = ?", [record_id]).fetchone() is None:
        raise CurationError(f"{kind} {record_id}: no such {kind}")
    source_id = resolve_source(db, source)
    existing = next(
        db.query(f"select * from citations where {kind}_id = ? and source_id = ? order by id limit 1", [record_id, source_id]),
        None,
    )
    merged = {name: existing[name] for name in EVIDENCE_FIELDS} if existing else {}
    merged.update(fields)
    try:
        evidence = Evidence.model_validate(merged)
    except ValidationError as e:
        raise CurationError(f"{kind} {record_id}: {first_error(e)}") from None
    outcome = save_link(db, kind, record_id, source_id, evidence, relation=relation, added_by=added_by)
    refresh_source_suggestions(db, source_id)
    # Only this record's article: its findings and the near-duplicates its quotes are in.
    refresh_findings(db, [db.execute(f"select article_id from {table} where id = ?", [record_id]).fetchone()[0]])
    return source_id, outcome


def refresh_source_suggestions(db: sqlite_utils.Database, source_id: int) -> int:
    """Recompute the candidate excerpts of every claim linked to one source, so a claim's page
    shows them as soon as the source has text and a link (not only after ``claims verify``).
    Call inside a transaction."""
    return save_suggestions(db, compute_suggestions(db, source_id=source_id), source_id=source_id)


@dataclass
class CurationResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def describe(self, path: str) -> str:
        return (
            f"curation: {plural(self.added + self.updated + self.unchanged, 'link')} in {path}: "
            f"{self.added} added, {self.updated} updated, {self.removed} removed"
        )


def apply_curation(db: sqlite_utils.Database, entries: list[LoadedEntry]) -> CurationResult:
    """Apply the curation file. Call inside a transaction: a CurationError leaves nothing behind.

    Links the file created earlier but no longer names are removed, so the database follows
    the file an editor reviews in git.
    """
    from .versions import CURRENT_CITATIONS

    result = CurationResult()
    keep: set[tuple[str, int, int]] = set()
    for link in resolve_curation(db, entries):
        outcome = save_link(db, link.kind, link.record_id, link.source_id, link.evidence,
                            relation=link.relation, added_by=CURATION_BY)  # fmt: skip
        setattr(result, outcome, getattr(result, outcome) + 1)
        keep.add((link.kind, link.record_id, link.source_id))
    stale = [
        row["id"]
        # Links on earlier versions' records stay as they were: the file speaks for current ones.
        for row in db.query(f"{CURRENT_CITATIONS} where c.added_by = ?", [CURATION_BY])
        if ("quote", row["quote_id"], row["source_id"]) not in keep
        and ("claim", row["claim_id"], row["source_id"]) not in keep
    ]
    if stale:
        db.execute(f"delete from citations where id in ({','.join('?' * len(stale))})", stale)
        result.removed = len(stale)
        drop_unlinked_evidence(db)
    return result


# --- derived findings --------------------------------------------------------------------

INTERVENTIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "microcurrent": r"micro-?currents?|microamp|\d\s*[μµu]a\b",
        "radiofrequency": r"radio-?frequency|\brf\b|\bcret\b|\d\s*[km]hz\b",
        "electrical muscle stimulation": r"electrical muscle stimulation|electro-? ?muscular stimulation|\bn?ems\b",
        "light": r"\bled\b|light therapy|photobiomodulation|\blasers?\b",
        "ultrasound": r"\bultrasound therapy|therapeutic ultrasound|\bhifu\b",
        "direct current": r"direct currents?|galvanic",
    }.items()
}
CELL_TYPES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "keratinocytes": r"keratinocytes?|\bhacat\b",
        "macrophages": r"macrophages?|\braw ?264\.7\b",
        "fibroblasts": r"fibroblasts?",
        "adipocytes": r"adipocytes?",
        "melanocytes": r"melanocytes?",
        "muscle cells": r"myoblasts?|myocytes?|myotubes?",
        "stem cells": r"stem cells?",
    }.items()
}
NON_HUMAN = re.compile(r"\b(?:mice|mouse|murine|rats?|rodents?|animals?|porcine|pigs?|rabbits?|in vitro|cell lines?|cultured)\b")


def classify(text: str | None, vocabulary: dict[str, re.Pattern[str]]) -> set[str]:
    folded = fold(text or "")
    return {name for name, pattern in vocabulary.items() if pattern.search(folded)}


@dataclass(frozen=True)
class DerivedFinding:
    kind: str
    message: str
    article_id: int | None
    quote_id: int | None = None
    related_quote_id: int | None = None
    claim_id: int | None = None
    source_id: int | None = None

    def key(self) -> tuple:
        return (self.kind, self.article_id, self.quote_id, self.related_quote_id, self.claim_id,
                self.source_id, self.message)  # fmt: skip


def _year(csl: str | None) -> str | None:
    try:
        return str(json.loads(csl or "{}")["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _describe_source(s: dict[str, Any]) -> str:
    details = [d for d in (_year(s["csl"]), s["design"] and s["design"].replace("_", " ")) if d]
    what = s["population_detail"] or s["population"]
    return f"{s['key']} ({', '.join(details + ([what] if what else []))})"


def evidence_findings(db: sqlite_utils.Database, article_ids: list[int] | None = None) -> list[DerivedFinding]:
    """Population and intervention mismatches and unsupported claims, from citations' evidence
    (on the records of ``article_ids`` only, if given)."""
    links: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    scope, params = "", []
    if article_ids is not None:
        marks = ",".join("?" * len(article_ids))
        scope = (f"where c.quote_id in (select id from quotes where article_id in ({marks})) "
                 f"or c.claim_id in (select id from claims where article_id in ({marks}))")  # fmt: skip
        params = [*article_ids, *article_ids]
    for row in db.query(
        f"""
        select c.*, s.key, s.csl from citations c join sources s on s.id = c.source_id {scope}
        order by c.source_id, c.id
        """,
        params,
    ):
        kind, rid = ("quote", row["quote_id"]) if row["quote_id"] is not None else ("claim", row["claim_id"])
        # One link per (record, source): the first carries the evidence.
        if all(s["source_id"] != row["source_id"] for s in links[(kind, rid)]):
            links[(kind, rid)].append(row)
    texts: dict[tuple[str, int], tuple[str, int]] = {}
    for kind, table in (("quote", "quotes"), ("claim", "claims")):
        ids = [rid for k, rid in links if k == kind]
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            for rid, text, article_id in db.execute(
                f"select id, text, article_id from {table} where id in ({','.join('?' * len(part))})", part
            ):
                texts[(kind, rid)] = (text, article_id)
    out: list[DerivedFinding] = []
    for (kind, rid), sources in sorted(links.items()):
        text, article_id = texts[(kind, rid)]
        ref = {"quote_id": rid} if kind == "quote" else {"claim_id": rid}
        record_cells = classify(text, CELL_TYPES)
        about_people = not record_cells and not NON_HUMAN.search(fold(text))
        known = [s for s in sources if s["population"]]
        if about_people and known and all(s["population"] in ("animals", "cells") for s in known):
            listed = "; ".join(_describe_source(s) for s in known)
            out.append(DerivedFinding(
                "population_mismatch",
                f"The article presents this {kind} as true of people, but its only sources studied "
                f"animals or cells: {listed}.",
                article_id, source_id=known[0]["source_id"] if len(known) == 1 else None, **ref,
            ))  # fmt: skip
        for s in sources:
            if record_cells and s["population"] in ("cells", "animals"):
                studied = classify(s["population_detail"], CELL_TYPES)
                if studied and not studied & record_cells:
                    out.append(DerivedFinding(
                        "population_mismatch",
                        f"The {kind} is about {', '.join(sorted(record_cells))}; {s['key']} studied "
                        f"{', '.join(sorted(studied))} ({s['population_detail']}).",
                        article_id, source_id=s["source_id"], **ref,
                    ))  # fmt: skip
        named = classify(text, INTERVENTIONS)
        for s in sources:
            studied = classify(s["intervention"], INTERVENTIONS)
            if named and studied and not named & studied:
                out.append(DerivedFinding(
                    "intervention_mismatch",
                    f"The {kind} names {', '.join(sorted(named))}; {s['key']} studied "
                    f"{', '.join(sorted(studied))} ({s['intervention']}).",
                    article_id, source_id=s["source_id"], **ref,
                ))  # fmt: skip
        stances = [s["stance"] for s in sources]
        if any(st != "unassessed" for st in stances) and "supports" not in stances:
            listed = ", ".join(f"{s['key']}: {s['stance'].replace('_', ' ')}" for s in sources)
            out.append(DerivedFinding(
                "no_supporting_source",
                f"None of this {kind}'s {plural(len(sources), 'source')} supports it ({listed}).",
                article_id, **ref,
            ))  # fmt: skip
    return out


def refresh_findings(db: sqlite_utils.Database, article_ids: Iterable[int] | None = None) -> int:
    """Recompute this module's findings; rows that would not change are left alone, so a second
    run writes nothing. Call inside a transaction. Returns rows written or deleted.

    With ``article_ids``, only what those articles (and the versions they replace) imply:
    their records' evidence findings and the near-duplicates their quotations take part in,
    found through indexes, so the cost follows the articles, not the database."""
    from .duplicates import cross_article_duplicates

    placeholders = ",".join("?" * len(FINDING_KINDS))
    scope, params = "", list(FINDING_KINDS)
    if article_ids is not None:
        ids = sorted(set(article_ids))
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        ids += [row[0] for row in db.execute(f"select previous_id from articles where id in ({marks}) and previous_id is not null", ids)]
        marks = ",".join("?" * len(ids))
        scope = (f" and (article_id in ({marks}) or (kind = 'near_duplicate_quote_across_articles' and "
                 f"related_quote_id in (select id from quotes where article_id in ({marks}))))")  # fmt: skip
        params += ids + ids
    wanted = {f.key(): f for f in [*evidence_findings(db, ids if scope else None), *cross_article_duplicates(db, ids if scope else None)]}
    stale = []
    for row in db.query(
        f"select id, kind, article_id, quote_id, related_quote_id, claim_id, source_id, message "
        f"from findings where kind in ({placeholders}){scope}",
        params,
    ):
        key = (row["kind"], row["article_id"], row["quote_id"], row["related_quote_id"], row["claim_id"],
               row["source_id"], row["message"])  # fmt: skip
        if wanted.pop(key, None) is None:
            stale.append(row["id"])
    for chunk in range(0, len(stale), 500):
        part = stale[chunk : chunk + 500]
        db.execute(f"delete from findings where id in ({','.join('?' * len(part))})", part)
    created = now()
    db["findings"].insert_all(
        FindingRow(kind=f.kind, message=f.message, article_id=f.article_id, quote_id=f.quote_id,
                   related_quote_id=f.related_quote_id, claim_id=f.claim_id, source_id=f.source_id,
                   created_at=created).model_dump()  # fmt: skip
        for f in wanted.values()
    )
    return len(stale) + len(wanted)


# --- evidence suggestions ----------------------------------------------------------------

MIN_SENTENCE_WORDS = 6


class Suggestion(Record):
    claim_id: int
    source_id: int
    rank: int = Field(ge=1)
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int | None = None
    score: float
    text_sha256: str


def sentences(text: str) -> list[tuple[str, int, int]]:
    """(sentence, start, end) for each sentence of a source text, via pysbd; the sentence is
    ``text[start:end]`` (line breaks included)."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    out = []
    # Paragraph by paragraph: pysbd is linear per call, and a paragraph break ends a sentence.
    for para in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        # Line breaks inside a paragraph are layout, not sentence ends (1:1, offsets hold).
        flat = para.group().replace("\n", " ")
        for span in segmenter.segment(flat):
            stripped = span.sent.strip()
            if len(stripped.split()) >= MIN_SENTENCE_WORDS:
                start = para.start() + span.start + len(span.sent) - len(span.sent.lstrip())
                end = start + len(stripped)
                out.append((text[start:end], start, end))
    return out


def claim_source_pairs(
    db: sqlite_utils.Database, article_id: int | None = None, source_id: int | None = None
) -> list[tuple[int, int, str]]:
    """(claim, source with text, claim text) for links on the claim itself or on the quotation
    it leans on; optionally for one article's claims or one source only."""
    where, params = [], []
    if article_id is not None:
        where.append("cl.article_id = ?")
        params.append(article_id)
    if source_id is not None:
        where.append("c.source_id = ?")
        params.append(source_id)
    return [
        (row[0], row[1], row[2])
        for row in db.execute(
            f"""
            select distinct cl.id, c.source_id, cl.text from claims cl
            join citations c on c.claim_id = cl.id or (cl.quote_id is not null and c.quote_id = cl.quote_id)
            join source_texts st on st.source_id = c.source_id
            {"where " + " and ".join(where) if where else ""} order by cl.id, c.source_id
            """,
            params,
        )
    ]


_STEMMER = snowballstemmer.stemmer("english")


def terms(text: str) -> list[str]:
    """Folded, stemmed words: "Stimulates" and "stimulation" are one term for ranking."""
    return _STEMMER.stemWords(re.findall(r"\w+", fold(text)))


def compute_suggestions(
    db: sqlite_utils.Database,
    article_id: int | None = None,
    top: int = 3,
    source_id: int | None = None,
) -> list[Suggestion]:
    """The ``top`` source sentences that best answer each linked claim, ranked by BM25.

    BM25 over one source's sentences weighs a word by how rare it is in that source, so "ATP"
    in a claim counts for more than "skin" in a paper about skin; sentences sharing no term
    with the claim are never suggested. Scope: one article, or one source, or everything.
    """
    by_source: dict[int, list[int]] = defaultdict(list)
    claim_terms: dict[int, list[str]] = {}
    for claim_id, linked_source, claim_text in claim_source_pairs(db, article_id, source_id):
        by_source[linked_source].append(claim_id)
        if claim_id not in claim_terms:
            claim_terms[claim_id] = terms(claim_text)
    out: list[Suggestion] = []
    for linked_source, claim_ids in sorted(by_source.items()):
        text, digest = db.execute("select text, sha256 from source_texts where source_id = ?", [linked_source]).fetchone()
        pages = list(db.execute("select start, page from source_pages where source_id = ? order by start", [linked_source]))
        page_starts = [start for start, _ in pages]
        found = sentences(text)
        if not found:
            continue
        sentence_terms = [terms(s[0]) for s in found]
        sentence_words = [set(t) for t in sentence_terms]
        index = BM25Okapi(sentence_terms)
        for claim_id in claim_ids:
            wanted = set(claim_terms[claim_id])
            scores = index.get_scores(claim_terms[claim_id])
            # Highest score first; among equals, the earlier sentence.
            ranked = sorted(range(len(found)), key=lambda i: (-scores[i], i))
            rank = 0
            for i in ranked:
                sentence, start, end = found[i]
                if rank == top or scores[i] <= 0:
                    break
                if not wanted & sentence_words[i]:
                    continue  # BM25's floor on common words can score a sentence with none of them
                rank += 1
                at = bisect.bisect_right(page_starts, start) - 1
                out.append(Suggestion(
                    claim_id=claim_id, source_id=linked_source, rank=rank, sentence=sentence, start=start,
                    end=end, page=pages[at][1] if at >= 0 else None, score=round(float(scores[i]), 2),
                    text_sha256=digest,
                ))  # fmt: skip
    return out


def save_suggestions(
    db: sqlite_utils.Database,
    suggestions: list[Suggestion],
    article_id: int | None = None,
    source_id: int | None = None,
) -> int:
    """Replace the stored suggestions in scope (one article, one source, or all) if they
    changed. Call inside a transaction."""
    if article_id is not None:
        scope, params = "where claim_id in (select id from claims where article_id = ?)", [article_id]
    elif source_id is not None:
        scope, params = "where source_id = ?", [source_id]
    else:
        scope, params = "", []
    columns = list(Suggestion.model_fields)
    current = sorted(tuple(row[c] for c in columns) for row in db.query(f"select * from evidence_suggestions {scope}", params))
    wanted = sorted(tuple(s.model_dump()[c] for c in columns) for s in suggestions)
    if current == wanted:
        return 0
    db.execute(f"delete from evidence_suggestions {scope}", params)
    db["evidence_suggestions"].insert_all(s.model_dump() for s in suggestions)
    return len(suggestions)


def drop_unlinked_evidence(db: sqlite_utils.Database) -> int:
    """Delete quote checks and suggestions for pairs no citation links any more (a link the
    curation file dropped, say), so "Misquotes" and a claim's page never show evidence for a
    source the record no longer relies on. Call inside a transaction. Returns rows deleted."""
    before = db.conn.total_changes
    db.execute(
        """
        delete from quote_checks where not exists (
          select 1 from citations c where c.quote_id = quote_checks.quote_id and c.source_id = quote_checks.source_id
        )
        """
    )
    db.execute(
        """
        delete from evidence_suggestions where not exists (
          select 1 from claims cl join citations c
            on c.claim_id = cl.id or (cl.quote_id is not null and c.quote_id = cl.quote_id)
          where cl.id = evidence_suggestions.claim_id and c.source_id = evidence_suggestions.source_id
        )
        """
    )
    return db.conn.total_changes - before


def suggestions_html(db: sqlite_utils.Database, claim_id: int) -> Markup:
    """Top candidate excerpts for a claim's page, per linked source; everything escaped."""
    rows = list(
        db.query(
            """
            select e.*, s.key from evidence_suggestions e join sources s on s.id = e.source_id
            where e.claim_id = ? order by s.key, e.rank
            """,
            [claim_id],
        )
    )
    if not rows:
        return Markup("")
    items = []
    for row in rows:
        page = Markup(", p. {}").format(row["page"]) if row["page"] is not None else Markup("")
        items.append(Markup('<li><strong>{}</strong>{} (BM25 {:.1f}): <q>{}</q></li>').format(
            row["key"], page, row["score"], " ".join(row["sentence"].split())))  # fmt: skip
    return Markup(
        '<div class="claims-evidence-suggestions"><h3>Candidate excerpts from linked sources</h3><ol>{}</ol></div>'
    ).format(Markup("").join(items))


def evidence_html(db: sqlite_utils.Database, kind: Literal["quote", "claim"], record_id: int) -> Markup:
    """Everything this module adds to a quote's or claim's row page, escaped: the evidence on
    each link, then the quote's verification with its diff, or the claim's candidate excerpts."""
    from .verify import check_html

    rows = list(
        db.query(
            f"""
            select s.key, c.relation, c.stance, c.excerpt, c.locator, c.design, c.population,
                   c.population_detail, c.intervention, c.sample_size, c.editor_note
            from citations c join sources s on s.id = c.source_id
            where c.{kind}_id = ? order by s.key, c.id
            """,
            [record_id],
        )
    )
    parts = []
    if rows:
        body = []
        for r in rows:
            study = ", ".join(
                str(v) for v in (
                    r["design"] and r["design"].replace("_", " "),
                    r["population_detail"] or r["population"],
                    r["intervention"],
                    r["sample_size"] and f"n = {r['sample_size']}",
                ) if v
            )  # fmt: skip
            body.append(Markup(
                '<tr><td data-label="Source">{}</td><td data-label="Stance" class="claims-stance claims-stance-{}">{}</td>'
                '<td data-label="What the source says">{}</td><td data-label="Where">{}</td><td data-label="Study">{}</td>'
                '<td data-label="Editor\'s note">{}</td></tr>'
            ).format(r["key"], r["stance"], r["stance"].replace("_", " "), r["excerpt"] or "", r["locator"] or "",
                     study, r["editor_note"] or ""))  # fmt: skip
        parts.append(Markup(
            '<div class="claims-link-evidence"><h3>Evidence on each link</h3><table class="rows-and-columns">'
            "<thead><tr><th>Source</th><th>Stance</th><th>What the source says</th><th>Where</th>"
            "<th>Study</th><th>Editor's note</th></tr></thead><tbody>{}</tbody></table></div>"
        ).format(Markup("").join(body)))
    if kind == "quote":
        parts.append(check_html(db, record_id))
    else:
        parts.append(suggestions_html(db, record_id))
    return Markup("").join(parts)
