"""Extraction scored against hand-written gold annotations, plus targeted behaviour tests.

Gold files (tests/gold/*.yml) were written by reading each article, before the rules existed.
Run with ``pytest -s`` to see the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from claims.extract import extract
from claims.models import Claim, Document, Extraction, Quote
from claims.readers import parse, read_path

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = Path(__file__).resolve().parent / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.yml"))
EXAMPLE_GOLD = GOLD_DIR / "skin-stimulator-trains-your-face.yml"

MIN_RECALL = 0.9
MIN_PRECISION = 0.8


@cache
def _load(path: Path) -> tuple[dict[str, Any], Document, Extraction]:
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = read_path(ROOT / gold["article"])
    return gold, doc, extract(doc)


def _span(doc: Document, text: str, after: int = 0) -> tuple[int, int]:
    start = doc.text.find(text, after)
    assert start >= 0, f"gold text not in the article: {text!r}"
    return start, start + len(text)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _match_quotes(doc: Document, gold: dict[str, Any], quotes: list[Quote]) -> dict[int, int]:
    """Gold quote index -> extracted quote index, matching exact text in reading order."""
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for gi, g in enumerate(gold["quotes"]):
        for qi, q in enumerate(quotes):
            if qi not in used and q.text == g["text"]:
                mapping[gi] = qi
                used.add(qi)
                break
    return mapping


@dataclass
class ClaimScore:
    recall: float
    precision: float
    matched: dict[int, int]  # gold claim index -> extracted claim index
    missed: list[str]
    false_positives: list[str]


def _score_claims(doc: Document, gold: dict[str, Any], claims: list[Claim]) -> ClaimScore:
    """A claim matches a gold claim on exact text, or on overlapping at least half of it.

    Extracted claims that match no gold claim but overlap an ``ambiguous`` sentence are not
    counted either way; every other unmatched claim is a false positive.
    """
    gold_spans: list[tuple[int, int]] = []
    cursor = 0
    for g in gold["claims"]:
        span = _span(doc, g["text"], cursor)
        gold_spans.append(span)
        cursor = span[0]
    ambiguous = [_span(doc, t) for t in gold.get("ambiguous", [])]
    matched: dict[int, int] = {}
    false_positives: list[str] = []
    ignored = 0
    for ci, c in enumerate(claims):
        hit = None
        for gi, span in enumerate(gold_spans):
            if c.text == gold["claims"][gi]["text"] or _overlap((c.start, c.end), span) * 2 >= span[1] - span[0]:
                hit = gi
                break
        if hit is not None:
            matched.setdefault(hit, ci)
        elif any(_overlap((c.start, c.end), a) for a in ambiguous):
            ignored += 1
        else:
            false_positives.append(c.text)
    judged = len(claims) - ignored
    true_positives = judged - len(false_positives)
    return ClaimScore(
        recall=len(matched) / len(gold_spans) if gold_spans else 1.0,
        precision=true_positives / judged if judged else 1.0,
        matched=matched,
        missed=[g["text"] for gi, g in enumerate(gold["claims"]) if gi not in matched],
        false_positives=false_positives,
    )


# ---------------------------------------------------------------------------------------------
# Gold scores
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_gold_quotes(path: Path) -> None:
    gold, doc, extraction = _load(path)
    quotes = extraction.quotes
    mapping = _match_quotes(doc, gold, quotes)
    kinds_right = sum(1 for gi, qi in mapping.items() if quotes[qi].kind == gold["quotes"][gi]["kind"])
    print(f"\n{path.stem}: quotes found {len(mapping)}/{len(gold['quotes'])}, "
          f"kind right {kinds_right}/{len(gold['quotes'])}, extracted {len(quotes)}")
    for gi, g in enumerate(gold["quotes"]):
        assert gi in mapping, f"quote not found: {g['text']!r}"
        q = quotes[mapping[gi]]
        if g["kind"] == "source":
            assert q.kind == "source", f"{g['text'][:50]!r} should be a source quote, got {q.kind}"
            assert q.attribution_kind == g["attribution_kind"], (
                f"{g['text'][:50]!r}: attribution_kind {q.attribution_kind} ({q.attribution!r}), "
                f"expected {g['attribution_kind']}")
            if "speaker" in g:
                assert q.speaker == g["speaker"]
            if "attribution" in g:
                assert q.attribution == g["attribution"]
            if "fragments" in g:
                assert len(q.fragments) == g["fragments"], [f.text for f in q.fragments]
        else:
            assert q.kind != "source", f"{g['text']!r} is a {g['kind']} quote, classed as source"
            assert q.kind == g["kind"]
    # No quotation the annotator did not see, and no extra source quotes.
    extra = [q.text for qi, q in enumerate(quotes) if qi not in mapping.values()]
    assert not extra, f"unexpected quotes: {extra}"


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_gold_claims(path: Path) -> None:
    gold, doc, extraction = _load(path)
    score = _score_claims(doc, gold, extraction.claims)
    categories = sum(1 for gi, ci in score.matched.items()
                     if extraction.claims[ci].category == gold["claims"][gi].get("category"))
    strict = len(score.matched) / len(extraction.claims) if extraction.claims else 1.0
    print(f"\n{path.stem}: claims recall {score.recall:.2f} precision {score.precision:.2f} "
          f"(strict, ambiguous counted wrong: {strict:.2f}; "
          f"gold {len(gold['claims'])}, extracted {len(extraction.claims)}), "
          f"category agreement {categories}/{len(score.matched)}")
    for text in score.missed:
        print(f"  missed: {text}")
    for text in score.false_positives:
        print(f"  false positive: {text}")
    assert score.recall >= MIN_RECALL, score.missed
    assert score.precision >= MIN_PRECISION, score.false_positives


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_gold_non_claims_are_not_claims(path: Path) -> None:
    gold, doc, extraction = _load(path)
    texts = {c.text for c in extraction.claims}
    wrong = [t for t in gold["non_claims"] if t in texts]
    assert not wrong, f"sentences that are not claims were extracted as claims: {wrong}"


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_gold_hedges_links_and_findings(path: Path) -> None:
    gold, doc, extraction = _load(path)
    quotes, claims, findings = extraction.quotes, extraction.claims, extraction.findings
    score = _score_claims(doc, gold, claims)
    qmap = _match_quotes(doc, gold, quotes)
    for gi, ci in score.matched.items():
        g, c = gold["claims"][gi], claims[ci]
        if g.get("hedged"):
            assert c.hedged, f"hedge not detected: {c.text!r}"
        if "quote" in g:
            assert c.quote_index == qmap[g["quote"]], f"{c.text!r} should lean on quote {g['quote']}"
        if g.get("overstated"):
            assert any(f.kind == "possible_overstatement" and f.claim_index == ci
                       and f.quote_index == c.quote_index for f in findings), c.text
    # Attribution findings follow the quotes' attribution kinds one for one.
    for gi, g in enumerate(gold["quotes"]):
        if g["kind"] != "source":
            continue
        kinds = {f.kind for f in findings if f.quote_index == qmap[gi]}
        expected = {"vague": "vague_attribution", "none": "no_attribution"}.get(g["attribution_kind"])
        assert (expected in kinds) if expected else not kinds & {"vague_attribution", "no_attribution"}
    dup_pairs = {frozenset((f.quote_index, f.related_quote_index))
                 for f in findings if f.kind == "near_duplicate_quote"}
    assert dup_pairs == {frozenset((qmap[a], qmap[b])) for a, b in gold.get("near_duplicates", [])}


# ---------------------------------------------------------------------------------------------
# The example's headline findings
# ---------------------------------------------------------------------------------------------


def test_near_duplicate_finding_names_both_attributions() -> None:
    _, _, extraction = _load(EXAMPLE_GOLD)
    quotes = extraction.quotes
    dups = [f for f in extraction.findings if f.kind == "near_duplicate_quote"]
    assert len(dups) == 1
    finding = dups[0]
    pair = {quotes[finding.quote_index].attribution, quotes[finding.related_quote_index].attribution}
    assert pair == {"As one study noted", "As one review put it"}
    assert "As one study noted" in finding.message and "As one review put it" in finding.message
    assert "the data suggest cumulative benefits" in finding.message.lower()


def test_overstatement_finding_for_unhedged_conclusion() -> None:
    _, _, extraction = _load(EXAMPLE_GOLD)
    claims, quotes = extraction.claims, extraction.quotes
    flagged = {claims[f.claim_index].text: f for f in extraction.findings
               if f.kind == "possible_overstatement" and f.claim_index is not None}
    finding = flagged["So no, it’s not hype."]
    assert quotes[finding.quote_index].text.startswith("Despite the limited sample sizes")
    assert "suggest" in finding.message and "limited" in finding.message
    # A hedged claim leaning on a hedged quote is not an overstatement.
    hedged = [c.text for c in claims if c.hedged]
    assert not set(hedged) & set(flagged)


# ---------------------------------------------------------------------------------------------
# Targeted behaviour
# ---------------------------------------------------------------------------------------------


def _extract(text: str, fmt: str = "text") -> tuple[Document, Extraction]:
    doc = parse(text, fmt, "test")  # type: ignore[arg-type]
    return doc, extract(doc)


def test_ellipsis_fragments_index_the_text() -> None:
    doc, ex = _extract(
        "Sleep research\n\n"
        "Dr. Jane Smith of Leeds University said: “Magnesium helps some people… but not all of them... "
        "and [...] only when they are deficient.”\n"
    )
    (quote,) = ex.quotes
    assert quote.kind == "source" and quote.attribution_kind == "named"
    assert [f.text for f in quote.fragments] == [
        "Magnesium helps some people", "but not all of them", "and", "only when they are deficient."]
    assert [f.seq for f in quote.fragments] == [0, 1, 2, 3]
    for f in quote.fragments:
        assert doc.text[f.start : f.end] == f.text
        assert quote.start <= f.start < f.end <= quote.end


def test_quote_without_ellipsis_has_one_fragment() -> None:
    doc, ex = _extract("Experts say “cold water is good for you and your heart”, but is it?\n")
    (quote,) = ex.quotes
    assert [(f.start, f.end) for f in quote.fragments] == [(quote.start, quote.end)]


def test_apostrophes_are_not_quote_marks() -> None:
    text = ("It’s the patient’s choice, and users’ reviews don't agree; the ’90s fad isn't back. "
            "Rock ’n’ roll didn’t cure anyone's 'insomnia' either, and the Joneses' dog won't care.\n")
    doc, ex = _extract(text)
    assert [q.text for q in ex.quotes] == ["insomnia"]
    assert ex.quotes[0].kind == "term"


def test_text_with_only_apostrophes_has_no_quotes() -> None:
    _, ex = _extract("We’re sure it’s fine. You'll see that they've done what they’d promised.\n")
    assert ex.quotes == []


def test_nested_single_quotes_stay_inside_the_double_quote() -> None:
    doc, ex = _extract(
        "The FDA said: “Labels that say ‘clinically proven’ must cite a trial, and 'natural' means little.”\n"
    )
    (quote,) = ex.quotes
    assert quote.text == "Labels that say ‘clinically proven’ must cite a trial, and 'natural' means little."
    assert quote.kind == "source" and quote.attribution_kind == "named" and quote.speaker == "FDA"


@pytest.mark.parametrize(
    ("sentence", "kind", "speaker"),
    [
        ("According to the Journal of Sleep Medicine, “naps of twenty minutes restore alertness best.”", "named", "Journal of Sleep Medicine"),
        ("Harvard researchers found that “people who nap daily report better moods in the evening.”", "named", "Harvard researchers"),
        ("Dr. Jane Smith said: “Most supplements are wasted money for healthy adults.”", "named", "Dr. Jane Smith"),
        ("One study noted that “participants slept longer after four weeks of the routine.”", "vague", None),
        ("A review concluded: “The effect on sleep quality is small and inconsistent overall.”", "vague", None),
        ("Experts say “cold showers improve mood and focus for most healthy people.”", "vague", None),
    ],
)
def test_named_and_vague_attributions(sentence: str, kind: str, speaker: str | None) -> None:
    _, ex = _extract(sentence + "\n")
    (quote,) = ex.quotes
    assert quote.kind == "source"
    assert quote.attribution_kind == kind, quote.attribution
    assert quote.speaker == speaker


def test_block_quote_after_non_attributing_paragraph_has_no_attribution() -> None:
    _, ex = _extract("# Title\n\nCold water is popular.\n\n> Cold water cures everything you can name.\n", "markdown")
    (quote,) = ex.quotes
    assert quote.kind == "source" and quote.attribution_kind == "none"
    assert quote.text == "Cold water cures everything you can name."
    assert any(f.kind == "no_attribution" and f.quote_index == 0 for f in ex.findings)


def test_block_quote_credit_line() -> None:
    _, ex = _extract("# Title\n\n> Sleep is the best medicine we have.\n>\n> — Dr. Jane Smith\n", "markdown")
    (quote,) = ex.quotes
    assert quote.text == "Sleep is the best medicine we have."
    assert quote.attribution_kind == "named" and quote.speaker == "Dr. Jane Smith"


def test_term_and_rhetorical_quotes() -> None:
    _, ex = _extract(
        "The so-called “detox effect” of saunas is a myth. “Is it worth the money?” you might ask. "
        "Some call it a “miracle”, and the word “wellness” appears on every label.\n"
    )
    kinds = {q.text: q.kind for q in ex.quotes}
    assert kinds == {"detox effect": "term", "Is it worth the money?": "rhetorical",
                     "miracle": "term", "wellness": "term"}


@pytest.mark.parametrize(
    ("sentence", "hedged"),
    [
        ("Magnesium may reduce muscle cramps in older adults.", True),
        ("Saunas might lower blood pressure over several months.", True),
        ("Cold water potentially speeds recovery after exercise.", True),
        ("Trials suggest that fasting lowers insulin levels.", True),
        ("Collagen can help skin elasticity in some people.", True),
        ("Magnesium reduces muscle cramps in older adults.", False),
        ("Saunas lower blood pressure by 10% in four weeks.", False),
    ],
)
def test_hedged_detection(sentence: str, hedged: bool) -> None:
    _, ex = _extract(sentence + "\n")
    (claim,) = ex.claims
    assert claim.hedged is hedged, claim.reasons


def test_claim_reasons_are_readable() -> None:
    _, ex = _extract("Magnesium stimulates more than 300 enzymes, and it is the only mineral that does.\n")
    (claim,) = ex.claims
    assert 0.3 <= claim.checkworthiness <= 1.0
    joined = " | ".join(claim.reasons)
    for expected in ("causal verb: 'stimulates'", "number: '300'", "absolute word: 'only'", "comparison: 'more"):
        assert expected in joined


@pytest.mark.parametrize(
    "sentence",
    [
        "Can magnesium really help you sleep?",
        "Sign up for our newsletter to get 10% off!",
        "Take two capsules with dinner.",
        "In this post, we’re going to dig into the science of sleep:",
        "I know – it’s a lot.",
        "Sometimes, it’s about doing it the right way.",
    ],
)
def test_not_claims(sentence: str) -> None:
    _, ex = _extract("Some heading\n\n" + sentence + "\n")
    assert ex.claims == []


def test_sentence_containing_a_quote_links_to_it() -> None:
    _, ex = _extract(
        "Research shows that “regular cold exposure boosts immunity by up to 300%”, which is why "
        "so many athletes now use ice baths after training.\n"
    )
    (quote,) = ex.quotes
    (claim,) = ex.claims
    assert claim.quote_index == 0 and quote.kind == "source"


def test_identical_quote_repeated_with_same_attribution_is_not_a_duplicate() -> None:
    para = "As one study noted:\n\n“Regular saunas lowered blood pressure in most of the volunteers tested.”\n\n"
    _, ex = _extract("Heading\n\n" + para + "More text here about saunas.\n\n" + para)
    assert len(ex.quotes) == 2
    assert not [f for f in ex.findings if f.kind == "near_duplicate_quote"]


def test_identical_quote_with_different_attribution_is_a_duplicate() -> None:
    quote = "“Regular saunas lowered blood pressure in most of the volunteers tested.”"
    text = f"Heading\n\nAs one study noted:\n\n{quote}\n\nAnd as Dr. Jane Smith put it:\n\n{quote}\n"
    _, ex = _extract(text)
    (dup,) = [f for f in ex.findings if f.kind == "near_duplicate_quote"]
    assert {dup.quote_index, dup.related_quote_index} == {0, 1}
    assert "As one study noted" in dup.message and "Dr. Jane Smith" in dup.message


def test_sections_follow_headings() -> None:
    _, ex = _extract("# Title\n\nIntro says magnesium cures “stress”.\n\n## Evidence\n\nMore says “calm”.\n", "markdown")
    assert [q.section for q in ex.quotes] == [None, "Evidence"]


def test_findings_stay_linear_on_a_repeated_article() -> None:
    source = (ROOT / "data" / "articles" / "skin-stimulator-trains-your-face.txt").read_text(encoding="utf-8")
    single = extract(parse(source, "text", "x"))
    repeated = extract(parse("\n\n".join([source] * 10), "text", "x"))
    assert len(repeated.quotes) == 10 * len(single.quotes)
    dups = [f for f in repeated.findings if f.kind == "near_duplicate_quote"]
    # Each quote is paired with at most one earlier quote.
    assert len(dups) <= len(repeated.quotes)
    assert len({f.quote_index for f in dups}) == len(dups)


@pytest.mark.parametrize(
    ("lead_in", "speaker"),
    [
        ("As The Guardian reported:", "The Guardian"),
        ("A paper in the journal Nature concluded:", "Nature"),
        ("Smith et al. wrote:", "Smith et al."),
        ("The WHO warns:", "WHO"),
        ("As one dermatologist told us:", None),
        ("Research shows:", None),
    ],
)
def test_lead_in_attribution(lead_in: str, speaker: str | None) -> None:
    _, ex = _extract(f"Heading\n\n{lead_in}\n\n“Sunscreen should be reapplied every two hours outdoors.”\n")
    (quote,) = ex.quotes
    assert quote.speaker == speaker
    assert quote.attribution_kind == ("named" if speaker else "vague")
