"""Study mentions: what an article says about the work behind a quote or claim.

"a 2024 study tested the Slendertone Face device", "a review published in JAMA", "researchers
at Stanford found", "one clinical source", "a trial of 30 women": each is a ``study_mentions``
record with the year, design words, venue, institution and sample size it gives, linked to the
quote or claim it backs. ``claims trace`` matches these against candidate works.

The rules are general: a determiner or quantifier, optional modifiers, then a noun naming a
piece of research (:data:`NOUNS`), or a group of researchers followed by "at/from" a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Nouns that name a piece of research or the people who did it. "source" only with a
# qualifier ("clinical source", "scientific source"): a bare "source" is too common.
NOUNS = (
    r"meta-?analys[ie]s|systematic reviews?|reviews?|studies|study|trials?|experiments?|papers?|"
    r"reports?|surveys?|analys[ie]s|research|investigations?|(?:clinical|scientific|medical|academic) sources?"
)
GROUP = r"researchers|scientists|investigators|dermatologists|doctors|experts|a team|the team|team"
DETERMINER = (
    r"\b(?:an?|one|the|this|that|another|some|several|two|three|many|recent|new|latest|earlier|"
    r"previous|published|peer-reviewed)\b"
)
# Words between the determiner and the noun: years, "recent", "small", "randomized, controlled",
# a device or place name; at most five, none a verb-like clause word.
MODIFIER = r"(?:[\w'’()-]+,?[ \t]+){0,5}?"
DESIGN_WORDS = {
    "meta_analysis": r"meta-?analys[ie]s",
    "systematic_review": r"systematic (?:review|search)",
    "review": r"\breviews?\b",
    "rct": r"randomi[sz]ed|placebo|double-blind|sham-controlled|controlled trial",
    "trial": r"\btrials?\b",
    "clinical": r"\bclinical\b",
    "cohort": r"\bcohort\b|longitudinal|prospective|retrospective",
    "cross_sectional": r"cross-sectional",
    "pilot": r"\bpilot\b",
    "in_vitro": r"in vitro|in-vitro|cell culture|cultured cells",
    "animal": r"\b(?:mouse|mice|murine|rats?|animal)\b",
    "case_series": r"case (?:series|study|report)|before-and-after",
}
_DESIGN = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in DESIGN_WORDS.items()}
_NOUN_PHRASE = re.compile(rf"{DETERMINER}\s+{MODIFIER}(?P<noun>{NOUNS})\b", re.IGNORECASE)
_GROUP_PHRASE = re.compile(
    rf"\b(?P<noun>(?i:{GROUP}))\s+(?:at|from|of|with)\s+(?P<inst>(?:the\s+)?(?:[A-Z][\w&.-]*(?:\s+(?:of|for|and)\s+|\s+)?){{1,6}})",
)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_VENUE = re.compile(
    r"\b(?:published|appearing|appeared|reported)\s+(?:in|by)\s+(?:the\s+)?(?:journal\s+)?"
    r"(?P<venue>(?:[A-Z][\w&.'’-]*)(?:\s+(?:of|and|&|for|in)?\s*[A-Z][\w&.'’-]*){0,6})"
    r"|\b(?:in|from)\s+(?:the\s+)?(?:journal\s+)(?P<venue2>[A-Z][\w&.'’-]*(?:\s+(?:of|and|&|for)?\s*[A-Z][\w&.'’-]*){0,6})"
    # "in the Journal of Cosmetic Dermatology", "in JAMA Dermatology", "in The Lancet"
    r"|\b(?:in|from)\s+(?:the\s+)?(?P<venue3>(?:(?:[A-Z][\w&.'’-]*\s+(?:(?:of|and|&|for|in)\s+)?){0,4}"
    r"(?:Journal|Annals|Archives|Proceedings|Bulletin|Lancet|Reviews?)\b|JAMA|BMJ|NEJM|PNAS|CMAJ|PLOS|PLoS)"
    r"(?:\s+(?:(?:of|and|&|for|in)\s+)?[A-Z][\w&.'’-]*){0,5})"
)
_INSTITUTION = re.compile(
    r"\b(?:at|from|by)\s+(?:the\s+)?(?P<inst>(?:University|Institute|College|School|Hospital|Center|Centre)"
    r"(?:\s+(?:of|for)\s+|\s+)(?:[A-Z][\w&.-]*\s?){1,4}|(?:[A-Z][\w&.-]*\s){1,3}(?:University|Institute|College|"
    r"Hospital|Clinic|Center|Centre|School of Medicine|Organi[sz]ation|Agency|Administration|Foundation|Society|"
    r"Association|Council))"
)
_SAMPLE = re.compile(
    r"\b(?P<n>\d{1,3}(?:,\d{3})*|\d+)\s+(?:(?:healthy|adult|older|young|middle-aged|japanese|korean|"
    r"chinese|american|female|male)\s+)*(?P<who>participants|patients|women|men|people|subjects|"
    r"volunteers|adults|individuals|mice|rats|children|users|persons)\b",
    re.IGNORECASE,
)
_WORDS_N = {"ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "hundred": 100}  # fmt: skip
_SAMPLE_WORDS = re.compile(
    rf"\b(?P<n>{'|'.join(_WORDS_N)})\s+(?P<who>participants|patients|women|men|people|subjects|volunteers|adults)\b",
    re.IGNORECASE,
)
# A mention's phrase runs on to the end of its clause, so "a review published in JAMA" keeps
# its venue; it stops at a colon, a quote mark or sentence end.
_CLAUSE_END = re.compile(r"[:;.!?\"“”(\n]|\s[-–—]\s|$")
# Articles and quantifiers only: "a published study" starts at "a", not at "published".
_LAST_DETERMINER = re.compile(r"\b(?:an?|one|the|this|that|another|some|several|two|three|many)\b", re.IGNORECASE)
MAX_TAIL = 120


@dataclass(frozen=True)
class StudyMention:
    start: int
    end: int
    text: str
    noun: str
    year: int | None = None
    design: str | None = None
    venue: str | None = None
    institution: str | None = None
    sample_size: int | None = None


def _clean_name(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split()).strip(" ,.'’")
    value = re.sub(r"\s+(?:found|showed|shows|reported|says|said|noted|tested|the|a|an|and|of|for|in)$", "", value)
    return value or None


def _details(phrase: str, noun: str | None = None) -> dict[str, object]:
    year = _YEAR.search(phrase)
    design = [name for name, pattern in _DESIGN.items() if pattern.search(phrase)]
    venue = _VENUE.search(phrase)
    inst = _INSTITUTION.search(phrase)
    sample = _SAMPLE.search(phrase)
    n: int | None = None
    if sample:
        n = int(sample.group("n").replace(",", ""))
    else:
        worded = _SAMPLE_WORDS.search(phrase)
        if worded:
            n = _WORDS_N[worded.group("n").lower()]
    if not design and re.match(r"(?:studies|study|trials?|experiments?)\b", noun or ""):
        # "one study" with no design word: primary research, as opposed to a review.
        design = ["primary"]
    return {
        "year": int(year.group(1)) if year else None,
        "design": ",".join(design) or None,
        "venue": _clean_name(venue.group("venue") or venue.group("venue2") or venue.group("venue3")) if venue else None,
        "institution": _clean_name(inst.group("inst")) if inst else None,
        "sample_size": n,
    }


def find_study_mentions(text: str, masked: Sequence[tuple[int, int]] = ()) -> list[StudyMention]:
    """Every study mention in ``text`` outside the ``masked`` spans (the quotations themselves:
    a quoted "the data suggest" is the source's words, not the article's account of it)."""

    def inside_mask(start: int) -> bool:
        return any(a <= start < b for a, b in masked)

    found: dict[int, StudyMention] = {}
    for pattern in (_NOUN_PHRASE, _GROUP_PHRASE):
        for match in pattern.finditer(text):
            start = match.start()
            if pattern is _NOUN_PHRASE:
                # The determiner nearest the noun: "the skin, according to a 2019 review" is "a 2019 review".
                nearest = list(_LAST_DETERMINER.finditer(text, start, match.start("noun")))
                if nearest:
                    start = nearest[-1].start()
            if inside_mask(start) or any(m.start <= start < m.end for m in found.values()):
                continue
            end = match.end()
            tail = _CLAUSE_END.search(text, end, min(len(text), end + MAX_TAIL))
            stop = tail.start() if tail else min(len(text), end + MAX_TAIL)
            # Stop at a mask (a quotation opening mid-sentence) too.
            for a, _b in masked:
                if end <= a < stop:
                    stop = a
            phrase = text[start:stop].rstrip(" ,")
            noun = match.group("noun").lower()
            details = _details(phrase, noun)
            if pattern is _GROUP_PHRASE and not details["institution"]:
                details["institution"] = _clean_name(match.group("inst"))
            found[start] = StudyMention(start, start + len(phrase), phrase, noun, **details)  # type: ignore[arg-type]
    return [found[k] for k in sorted(found)]


def link_mentions(
    mentions: Sequence[StudyMention],
    quotes: Sequence[tuple[int, int, int]],
    claims: Sequence[tuple[int, int, int]],
    *,
    lead_in: int = 400,
    after: int = 200,
) -> list[tuple[int | None, int | None]]:
    """(quote id, claim id) each mention backs.

    ``quotes`` and ``claims`` are (id, start, end), source quotes only. A mention backs the
    quotation it introduces (the next one starting within ``lead_in`` characters, with no other
    quotation between), else the claim whose sentence holds it, else a quotation it credits
    just after (within ``after`` characters: '"...," one study found').
    """
    ordered = sorted(quotes, key=lambda q: q[1])
    out: list[tuple[int | None, int | None]] = []
    for m in mentions:
        following = next((q for q in ordered if q[1] >= m.end), None)
        if following and following[1] - m.end <= lead_in:
            out.append((following[0], None))
            continue
        claim = next((c for c in claims if c[1] <= m.start < c[2]), None)
        if claim:
            out.append((None, claim[0]))
            continue
        preceding = next((q for q in reversed(ordered) if q[2] <= m.start), None)
        if preceding and m.start - preceding[2] <= after:
            out.append((preceding[0], None))
            continue
        out.append((None, None))
    return out
