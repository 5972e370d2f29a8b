"""How candidates are ranked, online and offline alike, and what a candidate's abstract says
about its study (population, intervention, design, sample size).

score = 0.7 x term overlap + 0.2 x phrase + study-mention bonus (at most 0.15), where

- term overlap is the weight of the record's key terms found in the work's title or abstract
  over the weight of all its key terms (a title hit counts 1.5 times, capped at 1);
- phrase is 1 when the quote is in the work's full text word for word or after folding, its
  alignment score / 100 when the full text holds an altered version, 0.75 when Europe PMC's
  phrase search matched a full text that could not be fetched, else 0.5 when a run of five or
  more of its words is in the abstract;
- the bonus is 0.05 for each of the year, the design and the sample size that a study mention
  in the article gives and the work matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..evidence import CELL_TYPES, INTERVENTIONS, classify
from ..extract.study_mentions import StudyMention
from ..verify import PreparedSource, check_quote, fold
from .queries import Target, text_keys
from .search import Work

OVERLAP_WEIGHT = 0.7
PHRASE_WEIGHT = 0.2
MENTION_BONUS = 0.05
TITLE_FACTOR = 1.5
SHINGLE_WORDS = 5
# Europe PMC found the phrase in a full text we could not read: strong, but unverified.
SEARCH_PHRASE = 0.75
# Below this a work is not proposed at all: it shares too little with the record.
MIN_SCORE = 0.1


@dataclass
class Scored:
    work: Work
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    verification: dict[str, Any] | None = None

    def why(self) -> str:
        return "; ".join(r["text"] for r in self.reasons)


_WORDS = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _shingle_hit(quote: str, abstract: str) -> str | None:
    words = _WORDS.findall(fold(quote))
    haystack = " ".join(_WORDS.findall(fold(abstract)))
    best = None
    for size in range(len(words), SHINGLE_WORDS - 1, -1):
        for i in range(len(words) - size + 1):
            piece = " ".join(words[i : i + size])
            if f" {piece} " in f" {haystack} ":
                best = piece
                break
        if best:
            break
    return best


_DESIGN_OF_WORK = {
    "review": r"\breview\b|\brevision\b|systematic search",
    "systematic_review": r"systematic (?:review|search)",
    "meta_analysis": r"meta-?analys",
    "trial": r"\btrials?\b|randomi[sz]ed|sessions",
    "rct": r"randomi[sz]ed|placebo|sham",
    "in_vitro": r"in vitro|in-vitro|cell work|cultured|\bcells?\b",
    "animal": r"\b(?:mouse|mice|murine|rats?)\b",
    "clinical": r"\bclinical\b|patients|women|participants",
    # A study (not a review): an experiment's words and no review's.
    "primary": r"^(?!.*\breview\b)(?!.*systematic search).*(?:\btrial\b|patients|women|participants|\bmice\b|\bcells?\b|in[- ]vitro|sessions|experiment)",
}
_NUMBER = re.compile(r"\b(\d{1,6})\b")


def mention_matches(mention: StudyMention, work: Work) -> list[str]:
    text = fold(" ".join(p for p in (work.title, work.abstract or "") if p))
    out = []
    if mention.year and work.year == mention.year:
        out.append(f"year {mention.year}")
    for design in (mention.design or "").split(","):
        pattern = _DESIGN_OF_WORK.get(design)
        if pattern and re.search(pattern, text):
            out.append(f"design ({design.replace('_', ' ')})")
            break
    if mention.sample_size and str(mention.sample_size) in _NUMBER.findall(text):
        out.append(f"n = {mention.sample_size}")
    return out


def verify_in_full_text(target: Target, text: str) -> dict[str, Any]:
    check = check_quote(target.text, PreparedSource(text, [], []), target.fragments or None)
    return {"result": check.result, "score": check.score, "diff": check.wdiff(), "matched_text": check.matched_text}


def score_work(target: Target, work: Work) -> Scored:
    reasons: list[dict[str, Any]] = []
    title_keys = text_keys(work.title)
    abstract_keys = text_keys(work.abstract or "")
    total = sum(t.weight for t in target.terms) or 1.0
    got = 0.0
    hits = []
    for term in target.terms:
        if term.found_in(title_keys):
            got += term.weight * TITLE_FACTOR
            hits.append(term.surface)
        elif term.found_in(abstract_keys):
            got += term.weight
            hits.append(term.surface)
    overlap = min(1.0, got / total)
    if hits:
        reasons.append({"kind": "term_overlap", "value": round(overlap, 3), "terms": hits[:8],
                        "text": f"term overlap {overlap:.2f} ({', '.join(hits[:6])})"})  # fmt: skip
    phrase = 0.0
    verification = None
    if target.kind == "quote" and work.full_text:
        verification = verify_in_full_text(target, work.full_text)
        result = verification["result"]
        if result in ("verbatim", "normalised"):
            phrase = 1.0
        elif result == "altered":
            phrase = (verification["score"] or 0) / 100
        reasons.append({"kind": "full_text", "value": result,
                        "text": f"quote checked against the full text: {result}"
                                + (f" (score {verification['score']:.0f})" if verification["score"] is not None else "")})  # fmt: skip
    if target.kind == "quote" and verification is None and any(h == "europepmc phrase" for h in work.how):
        # Europe PMC's phrase search matched the quoted words in the abstract or the open-access
        # full text; unless the abstract shows them, they are in the full text we did not read.
        in_abstract = work.abstract and _shingle_hit(target.text, work.abstract)
        if not in_abstract:
            phrase = max(phrase, SEARCH_PHRASE)
            reasons.append({"kind": "phrase_in_full_text", "value": "europepmc phrase search",
                            "text": "phrase found in full text (Europe PMC phrase search; text not fetched)"})  # fmt: skip
    if target.kind == "quote" and phrase < 0.5 and work.abstract:
        piece = _shingle_hit(target.text, work.abstract)
        if piece:
            phrase = max(phrase, 0.5)
            reasons.append({"kind": "phrase_in_abstract", "value": piece, "text": f"phrase found in abstract: \u201c{piece}\u201d"})
    bonus = 0.0
    for mention in target.mentions:
        matched = mention_matches(mention, work)
        if matched:
            bonus = min(3 * MENTION_BONUS, len(matched) * MENTION_BONUS)
            reasons.append({"kind": "study_mention", "value": matched,
                            "text": f"study mention \u201c{mention.text}\u201d matched on {', '.join(matched)}"})  # fmt: skip
            break
    score = OVERLAP_WEIGHT * overlap + PHRASE_WEIGHT * phrase + bonus
    return Scored(work, round(score, 4), reasons, verification)


def rank(target: Target, works: list[Work], limit: int, *, exclude: set[int] | None = None) -> list[Scored]:
    """The best ``limit`` works at or above :data:`MIN_SCORE`, best first (ties by title)."""
    scored = [score_work(target, w) for w in works if not (exclude and w.source_id in exclude)]
    scored = [s for s in scored if s.score >= MIN_SCORE]
    scored.sort(key=lambda s: (-s.score, s.work.title))
    return scored[:limit]


# --- study details from the abstract -----------------------------------------------------------

# "not microcurrent", "no keratinocytes and no TNF-α treatment": what the text rules out.
_NEGATED = re.compile(r"\b(?:not|no|nor|nothing|without|rather than|instead of|unlike)\b[^.;:,()]*")
_SPECIES = re.compile(r"\b(mouse|mice|murine|rats?|rabbits?|pigs?|porcine|zebrafish)\b")
_HUMANS = re.compile(r"\b(women|men|participants|patients|volunteers|adults|humans?|subjects|people)\b")
# A cell type named in passing ("adipocyte size") is no cell study: these words say the work
# itself used cells.
_CELL_CONTEXT = re.compile(r"\b(?:in vitro|in-vitro|cell lines?|cell work|cell culture|cultured|hacat|raw ?264\.7)\b")
_N = re.compile(r"\b(\d{1,5})\s+(?:\w+\s+){0,2}?(?:women|men|participants|patients|volunteers|adults|subjects|people|mice|rats)\b")
PER_ABSTRACT = ", per the abstract"
_DESIGN_DETAIL = {
    "meta_analysis": r"meta-?analys",
    "systematic_review": r"systematic (?:review|search)",
    "narrative_review": r"narrative review|\ba revision\b",
    "rct": r"randomi[sz]ed controlled|placebo-controlled|sham-controlled",
    "case_series": r"before-and-after",
    "in_vitro": r"\bin[- ]vitro\b",
}


def study_details(work: Work) -> dict[str, Any]:
    """Population, intervention, design and sample size, each only when the abstract (or the
    title) names exactly one; negated mentions ("not microcurrent") do not count."""
    text = fold(" ".join(p for p in (work.title, work.abstract or "") if p))
    text = _NEGATED.sub(" ", text)
    details: dict[str, Any] = {}
    cells = classify(text, CELL_TYPES)
    species = sorted({m.group(1) for m in _SPECIES.finditer(text)})
    humans = bool(_HUMANS.search(text))
    if species and not humans:
        details["population"] = "animals"
    elif _CELL_CONTEXT.search(text) and not humans:
        details["population"] = "cells"
    elif humans and not species and not cells:
        details["population"] = "humans"
    if cells and details.get("population") in ("animals", "cells"):
        animal = {"mice": "mouse", "murine": "mouse", "rats": "rat"}.get(species[0], species[0]) if len(species) == 1 else ""
        details["population_detail"] = f"{animal} {', '.join(sorted(cells))}".strip() + PER_ABSTRACT
    elif species and details.get("population") == "animals":
        details["population_detail"] = f"{', '.join(species)}{PER_ABSTRACT}"
    named = classify(text, INTERVENTIONS)
    if len(named) == 1:
        name = next(iter(named))
        # The abstract's own words around the match: "448 khz radiofrequency current".
        match = re.search(rf"(?:\d[\d.,]*\s*[^\W\d_]{{0,3}}\s+)?(?:{INTERVENTIONS[name].pattern})(?:\s+(?:currents?|stimulation|therapy|devices?))?", text)
        details["intervention"] = (" ".join(match.group(0).split()) if match else name) + PER_ABSTRACT
    designs = [name for name, pattern in _DESIGN_DETAIL.items() if re.search(pattern, text)]
    if len(designs) == 1:
        details["design"] = designs[0]
    sizes = {int(m.group(1)) for m in _N.finditer(text)}
    if len(sizes) == 1 and next(iter(sizes)) > 0:
        details["sample_size"] = next(iter(sizes))
    return details
