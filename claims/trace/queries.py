"""What to look for: the records to trace and, for each, its phrase, key terms and mentions.

A record is a source quote or a check-worthy claim with no supporting source (no ``cited`` or
``attributed`` link and no link whose stance is ``supports``). Its key terms are the rare
words and named entities of its text (TLR2, NF-κB, keratinocytes, microcurrent), weighted by
how rare the word is in English (wordfreq's Zipf scale) and boosted when the word looks like a
name or a symbol (digits, inner capitals, Greek letters); the words around it (its section
heading and the lead-in paragraph) count at half weight.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import snowballstemmer
import sqlite_utils
from wordfreq import zipf_frequency

from ..extract.study_mentions import StudyMention

Kind = Literal["quote", "claim"]
# Claims below this check-worthiness are not traced by --article (an explicit --claim is). On the
# learned model's probability (claims.checkworthiness) 0.3 keeps about the top half of the example's claims.
MIN_CHECKWORTHINESS = 0.3
# Zipf 5.5 and above ("the", "of", "is") carries no weight; rarer words carry more.
ZIPF_CEILING = 5.5
SYMBOL_WEIGHT = 4.5
NUMBER_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
QUERY_TERMS = 6
PHRASE_WORDS = 14
LEAD_BLOCKS = 3
LEAD_CHARS = 200
_WORD = re.compile(r"[^\W_]+(?:[-/'’][^\W_]+)*")
# Digits, Greek letters, inner capitals (mRNA, NF-κB) or a short acronym (ATP, SMAS): a name or
# a symbol, rare whatever wordfreq says of its letters.
_SYMBOLISH = re.compile(r"\d|[α-ωΑ-Ω]|^[a-z]+[A-Z]|^[A-Z][a-z]*[A-Z]|^[A-Z]{2,5}$")
_CONTRACTION = re.compile(r"['’](?:s|t|re|ll|ve|d|m)$", re.IGNORECASE)
_STEMMER = snowballstemmer.stemmer("english")
# Words that are common in the literature's prose but rare in general English would be
# over-weighted by Zipf alone; these carry a general word's weight.
_RESEARCH_PROSE = {
    "data", "study", "studies", "suggest", "results", "significantly", "indicating", "potential",
    "effects", "review", "analysis", "participants", "level", "levels", "role", "crucial",
}  # fmt: skip


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'")


def term_keys(token: str) -> list[str]:
    """Matching keys of one token: "micro-current" -> microcurrent, micro, current (stemmed),
    so it meets "microcurrent"; "TLR2/NF-κB" -> tlr2, nf-κb's keys."""
    out: list[str] = []
    for part in re.split(r"/", token.lower()):
        part = part.strip("'’")
        if not part:
            continue
        joined = re.sub(r"[-'’]", "", part)
        out.append(_stem(joined))
        if "-" in part:
            out.extend(_stem(p) for p in part.split("-") if len(p) > 2)
    return out


def text_keys(text: str) -> set[str]:
    """Every matching key of a text (title, abstract, full text)."""
    return {key for token in _WORD.findall(fold(text)) for key in term_keys(token)}


def word_weight(token: str) -> float:
    if _CONTRACTION.search(token):
        # "doesn't", "you're" are function words; "Alzheimer's" keeps its stem's weight.
        if not token.lower().endswith(("'s", "’s")):
            return 0.0
        token = token[:-2]
    plain = token.lower()
    if plain.replace(",", "").replace(".", "").isdigit():
        # A bare number ("40 percent") is a detail, not a name: it rarely identifies a work.
        return NUMBER_WEIGHT
    if _SYMBOLISH.search(token) and len(token) >= 2:
        return SYMBOL_WEIGHT
    if len(plain) < 3 or plain in _RESEARCH_PROSE:
        return 0.3 if plain in _RESEARCH_PROSE else 0.0
    zipf = _zipf(plain.replace("-", ""))
    if "-" in plain and zipf == 0:
        # A compound wordfreq does not know ("fibrous-muscular") is as rare as its rarest part.
        zipf = min((_zipf(p) for p in plain.split("-") if len(p) > 2), default=ZIPF_CEILING)
    return max(0.0, ZIPF_CEILING - zipf)


@dataclass
class Term:
    key: str
    surface: str
    weight: float
    # Every matching key of the token: "TNF-α-treated" meets "TNF-α" through "tnf".
    keys: tuple[str, ...] = ()

    def found_in(self, keys: set[str]) -> bool:
        return any(k in keys for k in self.keys)


def key_terms(text: str, context: str = "") -> list[Term]:
    """Weighted terms of a record, heaviest first; context words count at half weight."""
    terms: dict[str, Term] = {}
    for source, factor in ((text, 1.0), (context, CONTEXT_WEIGHT)):
        for token in _WORD.findall(fold(source)):
            weight = word_weight(token) * factor
            if weight <= 0:
                continue
            keys = term_keys(token)
            if not keys:
                continue
            current = terms.get(keys[0])
            if current is None or current.weight < weight:
                terms[keys[0]] = Term(keys[0], token.strip("'’"), weight, tuple(keys))
    return sorted(terms.values(), key=lambda t: (-t.weight, t.key))


@dataclass
class Target:
    """One record to trace, with what to look for."""

    kind: Kind
    id: int
    article_id: int
    text: str
    context: str
    attribution: str | None = None
    fragments: list[str] = field(default_factory=list)
    mentions: list[StudyMention] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)

    @property
    def label(self) -> str:
        short = self.text if len(self.text) <= 70 else self.text[:67] + "..."
        return f'{self.kind} {self.id} "{short}"'

    def phrase(self) -> str | None:
        """The exact phrase to search for: the quote's longest fragment, cut to a few words."""
        if self.kind != "quote":
            return None
        pieces = self.fragments or [self.text]
        words = max(pieces, key=len).replace('"', " ").split()
        if len(words) < 4:
            return None
        return " ".join(words[:PHRASE_WORDS]).strip(" ,.;:")

    def query_terms(self, n: int = QUERY_TERMS) -> list[str]:
        return [t.surface for t in self.terms[:n]]


UNSUPPORTED = """
    not exists (select 1 from citations c where c.{col} = r.id
                and (c.relation in ('cited', 'attributed') or c.stance = 'supports'))
"""


def _context(db: sqlite_utils.Database, article_id: int, start: int, section: str | None, texts: dict[int, str]) -> str:
    """The section heading and the block before the record's own (its lead-in)."""
    blocks = list(
        db.execute(
            'select start, kind from blocks where article_id = ? and start < ? order by start desc limit ?',
            [article_id, start, LEAD_BLOCKS],
        )
    )
    if article_id not in texts:
        texts[article_id] = db.execute("select text from articles where id = ?", [article_id]).fetchone()[0]
    text = texts[article_id]
    lead_start = start
    # Back block by block until the lead-in says something ("As one study noted:" alone is
    # short), never past the section's heading.
    for block_start, kind in blocks:
        if kind in ("heading", "title"):
            break
        lead_start = block_start
        if len(text[lead_start:start].strip()) >= LEAD_CHARS:
            break
    return " ".join(p for p in (section or "", text[lead_start:start][-600:]) if p)


def load_targets(
    db: sqlite_utils.Database,
    *,
    article_id: int | None = None,
    quote_ids: Iterable[int] = (),
    claim_ids: Iterable[int] = (),
) -> list[Target]:
    """The records to trace. ``article_id``: its unsupported source quotes and check-worthy
    claims; ``quote_ids`` / ``claim_ids``: exactly those (already checked to exist)."""
    rows: list[tuple[Kind, int]] = []
    if article_id is not None:
        rows += [("quote", r[0]) for r in db.execute(
            f"select r.id from quotes r where r.article_id = ? and r.kind = 'source' and {UNSUPPORTED.format(col='quote_id')} order by r.start",
            [article_id])]  # fmt: skip
        rows += [("claim", r[0]) for r in db.execute(
            f"select r.id from claims r where r.article_id = ? and r.checkworthiness >= ? and {UNSUPPORTED.format(col='claim_id')} order by r.start",
            [article_id, MIN_CHECKWORTHINESS])]  # fmt: skip
    rows += [("quote", int(i)) for i in quote_ids]
    rows += [("claim", int(i)) for i in claim_ids]
    seen: set[tuple[Kind, int]] = set()
    texts: dict[int, str] = {}
    out: list[Target] = []
    for kind, rid in rows:
        if (kind, rid) in seen:
            continue
        seen.add((kind, rid))
        if kind == "quote":
            row = db.execute("select article_id, text, start, section, attribution from quotes where id = ?", [rid]).fetchone()
            fragments = [r[0] for r in db.execute("select text from quote_fragments where quote_id = ? order by seq", [rid])]
        else:
            row = db.execute("select article_id, text, start, section, null from claims where id = ?", [rid]).fetchone()
            fragments = []
        article, text, start, section, attribution = row
        context = _context(db, article, start, section, texts)
        target = Target(kind, rid, article, text, context, attribution, fragments)
        target.terms = key_terms(text, context)
        out.append(target)
    return out
