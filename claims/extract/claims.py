"""Scoring sentences as check-worthy claims: exclusions, the rules' score, hedges, categories and the
links from a claim to the quotation it leans on."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .. import rules
from ..checkworthiness import shipped
from ..checkworthiness.features import (
    Context,
    Feature,
    add_neighbours,
    checkable,
    readable,
    topic_pattern,
    topic_terms,
)
from ..models import Block, Claim
from .categories import category
from .common import (
    _FINITE,
    _SPEECH,
    _TOPIC_ITEM,
    CLOSING_RE,
    PARENS_RE,
    PROSE_KINDS,
    TOPIC_WORD_RE,
    WORD_RE,
    _anchor,
    _QuoteInfo,
    _Scored,
    _Sentence,
)


def _content_words(folded: str, ignore: set[str]) -> set[str]:
    """Lower-cased content words with a plural "s" dropped, minus stopwords and ``ignore``."""
    words = {w.removesuffix("s") for w in TOPIC_WORD_RE.findall(folded.lower()) if w not in rules.STOPWORDS}
    return words - ignore


def _own_words(folded: str, sentence: _Sentence, masked: list[tuple[int, int]]) -> str:
    """The sentence with source and rhetorical quotations blanked out (same length)."""
    chars = list(folded[sentence.start : sentence.end])
    for a, b in masked:
        lo, hi = max(a, sentence.start), min(b, sentence.end)
        for i in range(lo, hi):
            chars[i - sentence.start] = " "
    return "".join(chars)


def _score_sentences(text: str, folded: str, blocks: list[Block], sentences: list[_Sentence],
                     infos: list[_QuoteInfo]) -> list[_Scored]:
    top = topic_terms(folded)
    topic = topic_pattern(top)
    # Quotations by block, to mask them and to link claims to them.
    masked_by_block: dict[int, list[tuple[int, int]]] = defaultdict(list)
    block_quote_blocks: set[int] = set()
    source_blocks: set[int] = set()
    # Block quotes are quotations whether they hold one quotation or credited ones ("“...,” said X").
    block_quote_blocks.update(bi for bi, block in enumerate(blocks) if block.kind == "blockquote")
    for info in infos:
        span = info.span
        if span.block_level:
            block_quote_blocks.update(range(span.block, max(span.block, span.last_block) + 1))
        if info.kind != "term":
            masked_by_block[span.block].append((span.open_at, span.close_at))
        if info.kind == "source":
            source_blocks.add(span.block)
    # Sentences that present a source quote as their evidence (see _Links).
    links = _Links(folded, blocks, sentences, block_quote_blocks, source_blocks, set(top))
    # Only a paragraph's last source quotation reaches into the paragraphs after it: it is the
    # nearest, and each following paragraph is then scanned once, keeping this linear.
    last_in_block = {info.span.block: qi for qi, info in enumerate(infos) if info.kind == "source"}
    for qi, info in enumerate(infos):
        if info.kind == "source":
            links.follow(qi, info, reach_following=last_in_block[info.span.block] == qi)
    leans_on, conclusion_sentences, by_block = links.leans_on, links.conclusions, links.by_block
    # A sentence containing a source quotation leans on it.
    contains: set[int] = set()
    for qi, info in enumerate(infos):
        if info.kind == "source" and not info.span.block_level:
            for si in by_block[info.span.block]:
                if sentences[si].start <= info.span.open_at < sentences[si].end:
                    leans_on[si] = qi
                    contains.add(si)

    out: list[_Scored] = []
    prose: list[tuple[int, _Scored]] = []  # the sentences the model reads, in order
    for si, sentence in enumerate(sentences):
        block = blocks[sentence.block]
        if block.kind not in PROSE_KINDS:
            continue  # headings, titles and block quotes are never claims
        item = _Scored(sentence, text[sentence.start : sentence.end])
        out.append(item)
        if sentence.block in block_quote_blocks:
            item.excluded = rules.QUOTATION_REASON
            continue
        own = _own_words(folded, sentence, masked_by_block.get(sentence.block, []))
        item.own = " ".join(own.split())
        quoted = item.own != " ".join(folded[sentence.start : sentence.end].split())
        item.excluded = _exclusion(item.own, block.kind, quoted, sentence, blocks, block_quote_blocks, text)
        if si in leans_on:
            item.quote_index = leans_on[si]
        prose.append((si, item))
    # The model reads each sentence in its paragraph and in the article, as it was trained to.
    per_block = Counter(item.sentence.block for _, item in prose)
    seen: Counter[int] = Counter()
    features = []
    for i, (_, item) in enumerate(prose):
        block = item.sentence.block
        ctx = Context(seen[block], per_block[block], i, len(prose), topic)
        seen[block] += 1
        features.append(readable(item.own, ctx))
    add_neighbours(features, [item.sentence.block for _, item in prose])
    for (si, item), feats in zip(prose, features, strict=True):
        if item.excluded is None:
            _score(item, feats, si in leans_on, si in contains, si in conclusion_sentences)
    return out


class _Links:
    """Which sentences present a source quotation as their evidence.

    A fact-checker reads a quotation as the evidence for what the article says next about it,
    until the article moves on (a heading, or another source quotation):

    * in the quotation's own paragraph, later sentences that open with a conclusion marker
      ("So ...") or appeal to evidence ("studies show") or to authority ("experts agree");
    * in the next paragraph, all of it when it opens with a conclusion marker or answers a
      question ("Translation? This therapy ..."); otherwise its first statement if it continues
      the quotation (refers back to it, shares content words with it, or appeals to evidence) and
      does not turn away from it ("Still, ...");
    * in later paragraphs of the same section, sentences that open with a conclusion marker or
      appeal to evidence ("... is real – and rooted in research").
    """

    def __init__(self, folded: str, blocks: list[Block], sentences: list[_Sentence],
                 block_quote_blocks: set[int], source_blocks: set[int], topic_terms: set[str]) -> None:
        self.folded, self.blocks, self.sentences = folded, blocks, sentences
        self.block_quote_blocks, self.source_blocks = block_quote_blocks, source_blocks
        # Topic terms are shared by nearly every sentence, so they show no continuity.
        self.topic_terms = {w.removesuffix("s") for w in topic_terms}
        self.leans_on: dict[int, int] = {}
        self.conclusions: set[int] = set()
        self.by_block: dict[int, list[int]] = defaultdict(list)
        for si, sentence in enumerate(sentences):
            self.by_block[sentence.block].append(si)

    def _sentence(self, si: int) -> str:
        return self.folded[self.sentences[si].start : self.sentences[si].end]

    def _is_question(self, si: int) -> bool:
        return CLOSING_RE.sub("", self._sentence(si)).endswith("?")

    def _opens_conclusion(self, si: int) -> bool:
        return bool(rules.CONCLUSION_MARKER.match(self._sentence(si)))

    def _appeals_to_evidence(self, si: int) -> bool:
        sentence = self._sentence(si)
        return bool(rules.EVIDENCE_APPEAL.search(sentence) or rules.AUTHORITY_APPEAL.search(sentence))

    def _continues(self, si: int, quote_words: set[str]) -> bool:
        sentence = self._sentence(si)
        if rules.CONCESSIVE_MARKER.match(sentence):
            return False
        shared = _content_words(sentence, self.topic_terms) & quote_words
        return (bool(rules.BACK_REFERENCE.match(sentence)) or self._appeals_to_evidence(si)
                or len(shared) >= rules.SHARED_WORDS_TO_LINK)

    def _link(self, si: int, qi: int, concludes: bool) -> None:
        self.leans_on.setdefault(si, qi)
        if concludes:
            self.conclusions.add(si)

    def follow(self, qi: int, info: _QuoteInfo, reach_following: bool) -> None:
        span = info.span
        if not span.block_level:
            for si in self.by_block[span.block]:
                if self.sentences[si].start >= span.close_at and (
                        self._opens_conclusion(si) or self._appeals_to_evidence(si)):
                    self._link(si, qi, True)
        if not reach_following:
            return
        quote_words = _content_words(self.folded[span.start : span.end], self.topic_terms)
        first_block = max(span.block, span.last_block) + 1
        for bi in range(first_block, len(self.blocks)):
            if (self.blocks[bi].kind not in PROSE_KINDS or bi in self.block_quote_blocks
                    or bi in self.source_blocks):
                break  # the section ends, or the article turns to another quotation
            paragraph = self.by_block[bi]
            statements = [si for si in paragraph if not self._is_question(si)]
            if bi == first_block and self.blocks[bi].kind == "paragraph" and statements:
                first = statements[0]
                if self._opens_conclusion(first) or paragraph[0] != first:
                    for si in paragraph:
                        self._link(si, qi, si == first or self._opens_conclusion(si))
                    continue
                if self._continues(first, quote_words):
                    self._link(first, qi, True)
            for si in statements:
                if self._opens_conclusion(si) or self._appeals_to_evidence(si):
                    self._link(si, qi, True)


def _exclusion(own: str, kind: str, quoted: bool, sentence: _Sentence, blocks: list[Block],
               block_quote_blocks: set[int], text: str) -> str | None:
    """Why a sentence is not a claim whatever it scores, or None."""
    bare = CLOSING_RE.sub("", own)
    if bare.endswith("?"):
        return rules.QUESTION_REASON
    ends_block = sentence.end >= blocks[sentence.block].end - 1
    if bare.endswith(":") and ends_block and sentence.block + 1 in block_quote_blocks:
        return rules.LEAD_IN_REASON
    words = WORD_RE.findall(own)
    if quoted and len(words) <= rules.LEAD_IN_MAX_WORDS and (
            _SPEECH.search(own) or bare.endswith(":") or not words):
        return rules.LEAD_IN_REASON
    for rule in rules.EXCLUSIONS:
        match = rule.find(own.lstrip(" \"'([-—–*•"))
        if match:
            return rule.explain(match)
    if len(words) < 3:
        return rules.FRAGMENT_REASON
    # Judge punctuation on the full sentence: a masked quotation may hold its final stop.
    full = CLOSING_RE.sub("", text[sentence.start : sentence.end])
    unpunctuated = not re.search(r"[.!?:;…]$", full)
    if kind == "list_item" or unpunctuated:
        outside = PARENS_RE.sub(" ", own)
        if kind == "list_item" and _TOPIC_ITEM.match(own.lstrip()):
            return rules.TOPIC_ITEM_REASON
        if not _FINITE.search(outside):
            return rules.FRAGMENT_REASON
    return None


def _score(item: _Scored, features: list[Feature], leans: bool, contains: bool, concludes: bool) -> None:
    """The model's probability and reasons, a quotation the sentence leans on adding its fixed
    log-odds (rules.FOLLOWS_QUOTE_WEIGHT, rules.CONCLUSION_WEIGHT); then the hedges."""
    prior = (rules.FOLLOWS_QUOTE_WEIGHT if leans else 0.0) + (rules.CONCLUSION_WEIGHT if concludes else 0.0)
    item.score, item.reasons = shipped().explain(item.own, features, prior)
    if not (checkable(features) or (leans and _concludes_an_effect(item.own))):
        item.excluded = rules.NO_ANCHOR_REASON
    if leans:
        item.reasons.append(rules.CONTAINS_QUOTE_REASON if contains else rules.FOLLOWS_QUOTE_REASON)
    if concludes:
        item.reasons.append(rules.CONCLUSION_REASON)
    main = _main_clauses(item.own)
    for rule in rules.HEDGES:
        match = rule.find(main)
        if match:
            item.hedged = True
            item.reasons.append(rule.explain(match))


def _concludes_an_effect(own: str) -> bool:
    """A sentence leaning on a quotation that states an effect on something it names ("So the
    cream works on acne.") is a checkable conclusion; one naming nothing but the effect ("So no,
    it's not hype.") is not."""
    effects = {m.group(0).lower() for m in rules.EFFECT_WORD.finditer(own)}
    if not effects:
        return False
    named = {w for w in TOPIC_WORD_RE.findall(own.lower()) if w not in rules.STOPWORDS and w not in effects}
    return len(named) >= 2


def _main_clauses(own: str) -> str:
    """``own`` with subordinate clauses blanked, so hedges are looked for in the main assertion."""
    return rules.SUBORDINATE_CLAUSE.sub(lambda m: " " * len(m.group(0)), own)


def _claim_record(text: str, item: _Scored, sections: list[str | None]) -> Claim:
    s = item.sentence
    return Claim(
        **_anchor(text, s.start, s.end, sections[s.block]),  # type: ignore[arg-type]
        category=category(item.own or item.text),
        checkworthiness=round(item.score, 3),
        reasons=item.reasons,
        hedged=item.hedged,
        quote_index=item.quote_index,
    )
