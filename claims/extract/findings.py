"""Findings over one article's records: vague or missing attribution, near-duplicate quotes and
possible overstatements."""

from __future__ import annotations

from collections import Counter, defaultdict

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from .. import rules
from ..models import Claim, Finding, Quote


def _short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters plus "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def _credited(quote: Quote) -> str:
    return f"“{quote.attribution}”" if quote.attribution else "no one"


def _attribution_findings(quotes: list[Quote]) -> list[Finding]:
    """``no_attribution`` only for a source quote with no credit at all; ``vague_attribution`` for
    one whose credit names no one. A credit of any kind rules out "does not say who said it"."""
    out: list[Finding] = []
    for qi, q in enumerate(quotes):
        if q.kind != "source" or q.attribution_kind == "named":
            continue
        if q.attribution:
            out.append(Finding(
                kind="vague_attribution",
                quote_index=qi,
                message=(f"The quote “{_short(q.text)}” is credited only to “{q.attribution}”, which "
                         "names no person, organisation or publication; find and cite the actual source."),
            ))
        else:
            out.append(Finding(
                kind="no_attribution",
                quote_index=qi,
                message=(f"The quote “{_short(q.text)}” has no attribution: the article does not say "
                         "who said or wrote it."),
            ))
    return out


MAX_WORD_QUOTES = 50


def _normalise(text: str) -> str:
    return default_process(rules.fold(text))


def _near_duplicate_findings(quotes: list[Quote]) -> list[Finding]:
    """Pair each source quote with the most similar earlier one, if they nearly match.

    Distinct normalised texts are compared once each, and only when they share several
    uncommon words (an inverted index), so repeated quotes and long articles stay cheap.
    """
    candidates = [qi for qi, q in enumerate(quotes)
                  if q.kind == "source" and len(q.text.split()) >= rules.NEAR_DUPLICATE_MIN_WORDS]
    norm = {qi: _normalise(quotes[qi].text) for qi in candidates}
    distinct = list(dict.fromkeys(norm[qi] for qi in candidates))
    index: dict[str, list[int]] = defaultdict(list)
    for ti, t in enumerate(distinct):
        for word in set(t.split()):
            if len(word) >= 5:
                index[word].append(ti)
    # A word in more than MAX_WORD_QUOTES quotations is this article's stock vocabulary, not a
    # sign of copying: without the cap, a long article compares every quotation with every other.
    index = {word: tis for word, tis in index.items() if len(tis) <= MAX_WORD_QUOTES}
    similar: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for ti, t in enumerate(distinct):
        shared = Counter(tj for word in set(t.split()) if word in index for tj in index[word] if tj < ti)
        for tj, count in shared.items():
            if count < 3:
                continue
            score = fuzz.token_set_ratio(t, distinct[tj], score_cutoff=rules.NEAR_DUPLICATE_SCORE)
            if score:
                similar[ti].append((tj, score))
                similar[tj].append((ti, score))
    text_id = {t: ti for ti, t in enumerate(distinct)}
    # Latest quote seen so far for each (distinct text, attribution).
    seen: dict[int, dict[str | None, int]] = defaultdict(dict)
    out: list[Finding] = []
    for qi in candidates:
        ti = text_id[norm[qi]]
        attribution = quotes[qi].attribution
        best: tuple[float, int] | None = None
        # The same words credited differently count; the same words credited the same do not
        # (a pull quote repeats its quotation on purpose).
        for other_attribution, qj in seen[ti].items():
            if other_attribution != attribution and (best is None or (100.0, qj) > best):
                best = (100.0, qj)
        for tj, score in similar[ti]:
            for qj in seen[tj].values():
                if best is None or (score, qj) > best:
                    best = (score, qj)
        seen[ti][attribution] = qi
        if best is not None:
            out.append(_near_duplicate(quotes, best[1], qi, best[0]))
    return out


def _near_duplicate(quotes: list[Quote], first: int, second: int, score: float) -> Finding:
    """One finding for a near-duplicate pair; the message states each fact once: the two quotes
    with their credits (or the one credit they share), how similar they are, where the wording
    differs, and what to check."""
    a, b = quotes[first], quotes[second]
    if (a.attribution or "") != (b.attribution or ""):
        pair = (f"“{_short(a.text)}” (credited to {_credited(a)}) and "
                f"“{_short(b.text)}” (credited to {_credited(b)})")
    else:
        pair = f"“{_short(a.text)}” and “{_short(b.text)}”, both credited to {_credited(a)}"
    if _normalise(a.text) == _normalise(b.text):
        wording = "The wording is the same; only the credit differs."
    else:
        wording = f"The wording differs {_wording_difference(a.text, b.text)}."
    return Finding(
        kind="near_duplicate_quote",
        quote_index=second,
        related_quote_index=first,
        message=(f"Two quotes are {score:.0f}% similar: {pair}. {wording} "
                 "Check whether they are one source quoted twice."),
    )


def _wording_difference(a: str, b: str) -> str:
    """Where two similar quotations' words part: at the beginning, the end, both, or the middle."""
    wa, wb = _normalise(a).split(), _normalise(b).split()
    head = 0
    while head < min(len(wa), len(wb)) and wa[head] == wb[head]:
        head += 1
    tail = 0
    while tail < min(len(wa), len(wb)) - head and wa[-1 - tail] == wb[-1 - tail]:
        tail += 1
    if head == 0 and tail == 0:
        return "at the beginning and the end"
    if head == 0:
        return "at the beginning"
    if tail == 0:
        return "at the end"
    return "in the middle"


def _asserts_effect(own: str) -> bool:
    """Whether a claim states that something works or acts on the body, un-negated.

    That is the conclusion a hedged source might not support. Each clause is judged on its own:
    a negation reaches the effect words after it in its clause ("it won't replace your injector"
    asserts nothing to overstate), "not just" amplifies instead, and a negated dismissal ("it's not
    hype") affirms. A sentence with no effect word at all is a platitude.
    """
    for clause in rules.CLAUSE_BOUNDARY.split(own):
        negations = [m.end() for m in rules.NEGATED.finditer(clause)
                     if not rules.AMPLIFIED_NEGATION.match(clause, m.start())]
        dismissals = [(m.start(), m.end()) for m in rules.DISMISSAL.finditer(clause)]
        if any(any(n <= a for n in negations) for a, _ in dismissals):
            return True
        for effect in rules.EFFECT_WORD.finditer(clause):
            if any(a <= effect.start() < b for a, b in dismissals):
                continue
            if not any(n <= effect.start() for n in negations):
                return True
    return False


def _overstatement_findings(quotes: list[Quote], claims: list[Claim], owns: list[str]) -> list[Finding]:
    """Unhedged claims that state, as settled, the conclusion of a hedged quotation they lean on."""
    out: list[Finding] = []
    hedge_cache: dict[int, list[str]] = {}
    for ci, claim in enumerate(claims):
        qi = claim.quote_index
        if qi is None or claim.hedged or quotes[qi].kind != "source":
            continue
        if not _asserts_effect(owns[ci] or rules.fold(claim.text)):
            continue
        if qi not in hedge_cache:
            folded = rules.fold(quotes[qi].text)
            hedge_cache[qi] = list(dict.fromkeys(
                " ".join(m.group(0).split()).lower()
                for rule in rules.EVIDENCE_HEDGES for m in rule.pattern.finditer(folded)
            ))
        hedges = hedge_cache[qi]
        if not hedges:
            continue
        words = ", ".join(f"“{h}”" for h in hedges)
        out.append(Finding(
            kind="possible_overstatement",
            quote_index=qi,
            claim_index=ci,
            message=(f"The claim “{_short(claim.text, 80)}” states its conclusion without hedging, but "
                     f"the quote it relies on (“{_short(quotes[qi].text)}”) is hedged: {words}."),
        ))
    return out
