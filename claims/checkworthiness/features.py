"""The features the check-worthiness model reads from one sentence, each with a reason in words.

Two kinds:

* **Readable features** (:data:`READABLE`): the language rules of :mod:`claims.rules` (causal
  verbs, study references, comparisons, ...) plus the ones a model needs across genres: numbers
  that are quantities (not the "10" of "IL-10"), money, dates, named entities, finding phrases
  ("we show", "data indicate"), hedges, first-person openings, negations; and the sentence's
  length, place and role (first or last in its paragraph, how far into the document, whether it
  names one of the document's frequent words). Each yields a reason a reviewer can read.
* **Wording** (:func:`ngrams`): lower-cased word unigrams and bigrams, digits folded to ``0``, so
  the model learns the vocabulary of check-worthy sentences ("jobs", "percent", "we found").

The same function serves training (:mod:`.train`, on labelled sentences) and extraction (on an
article's sentences, quotations masked), so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import rules

# A number that measures something: not glued to letters ("IL-10", "CD4", "p65", "TLR2"), not a
# list marker. Units and scale words are part of the match so the reason shows them.
QUANTITY = re.compile(
    # A year alone ("in 1960", "the 1960s") is a date, not a quantity.
    r"(?<![A-Za-z])(?<![A-Za-z]-)(?<![A-Za-z]\d)(?!(?:1[6-9]|20)\d\d(?:s|'s)?\b(?!\s*(?:%|percent)))[$£€]?\d(?:[\d,.]*\d)?(?![A-Za-z\d]*-?[A-Za-z]{2})"
    r"(?:\s*(?:%|percent\b|per\s*cent\b|mg\b|mcg\b|kg\b|ml\b|x\b|times\b|"
    r"(?:thousand|million|billion|trillion)s?\b))?"
    r"|\b(?:half|twice|double|triple|dozens?|hundreds?|thousands?|millions?|billions?|trillions?|"
    r"a\s+third|two-thirds|a\s+quarter|one\s+in\s+\w+)\b",
    re.IGNORECASE,
)
PERCENT = re.compile(r"\d\s*(?:%|percent\b|per\s*cent\b)|\bpercentage\b", re.IGNORECASE)
MONEY = re.compile(
    r"[$£€]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds)\b|\b(?:dollars|taxpayers?|budget|deficit|"
    r"debt|tax|taxes|spending|funding|cost|costs|paid|pay|wages?|salary|salaries|income|revenue|"
    r"economy|economic|trillion|billion)\b",
    re.IGNORECASE,
)
DATE = re.compile(
    r"\b(?:1[6-9]|20)\d\d(?:s|'s)?\b|\b(?:january|february|march|april|june|july|august|september|"
    r"october|november|december)\b|\b(?:last|next|this)\s+(?:year|month|week|decade|century)\b|"
    r"\b(?:since|by|in|until)\s+(?:1[6-9]|20)\d\d\b|\b(?:years?|decades?|months?)\s+ago\b",
    re.IGNORECASE,
)
# Capitalised words not opening the sentence: people, places, bodies, products.
NAMED_ENTITY = re.compile(r"(?<=[\w,;:)]\s)(?-i:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[A-Z]{2,})\b")
NOT_ENTITY = frozenset({"I", "I'm", "I've", "I'll", "I'd", "OK", "Okay", "Mr", "Mrs", "Ms", "Dr"})
# The writer reporting what a study found: "we show", "results indicate", "data suggest".
FINDING = re.compile(
    r"\b(?:we|our\s+(?:results|data|findings|study|analysis))\s+(?:also\s+)?(?:show|showed|shown|find|"
    r"found|demonstrate|demonstrated|report|reveal|revealed|observed|identify|identified|establish|"
    r"established|confirm|confirmed|provide\s+evidence)\b"
    r"|\b(?:results|data|findings|analyses|analysis|evidence|observations|experiments|study|studies|"
    r"trials?|work)\b(?:\s+[\w-]+){0,4}?\s+(?:show|shows|showed|indicate|indicates|indicated|suggest|"
    r"suggests|suggested|demonstrate|demonstrates|demonstrated|reveal|reveals|revealed|support|"
    r"supports|supported|confirm|confirms|confirmed|imply|implies|establish|establishes|highlight|"
    r"highlights|provide|provides)\b"
    r"|\bwe\s+(?:conclude|propose|suggest|hypothesi[sz]e|argue)\b|\b(?:in\s+conclusion|taken\s+together|"
    r"collectively|overall,)"
    r"|\b(?:significantly|was\s+associated|were\s+associated|is\s+associated|are\s+associated|"
    r"correlated|predicts?|predicted)\b",
    re.IGNORECASE,
)
# A statement of what the study set out to do or how: "we aimed to", "patients were recruited".
METHOD = re.compile(
    r"\b(?:we|this\s+study|the\s+study|this\s+paper|this\s+article)\s+(?:aimed?|sought|investigated?|"
    r"examined?|explored?|assessed?|evaluated?|studied|analy[sz]ed|collected|recruited|measured|"
    r"compared|performed|conducted|used|describe|propose|present|here)\b"
    r"|\b(?:were|was)\s+(?:recruited|randomi[sz]ed|enrolled|assigned|measured|collected|included|"
    r"performed|conducted|obtained|analy[sz]ed)\b|\b(?:to\s+(?:investigate|determine|assess|evaluate|"
    r"examine|explore))\b",
    re.IGNORECASE,
)
# Law, government and public policy: what politicians' claims are about.
POLICY = re.compile(
    r"\b(?:law|laws|bill|bills|legislation|voted?|votes|voting|congress|senate|senator|"
    r"government|federal|administration|president|policy|policies|regulations?|jobs|unemployment|"
    r"immigration|immigrants|illegal|border|healthcare|obamacare|insurance|medicare|medicaid|"
    r"social\s+security|military|war|nuclear|crime|police|tariffs?|trade|deal|treaty|sanctions|"
    r"country|countries|nation|states?|america|american|americans|million\s+people|"
    r"percent\s+of)\b",
    re.IGNORECASE,
)
# A bare comparative states a change or a difference even without "than": "you fall asleep
# faster", "prices are higher".
COMPARATIVE = re.compile(
    r"\b(?:better|worse|faster|slower|sooner|higher|lower|greater|smaller|larger|bigger|cheaper|"
    r"safer|stronger|weaker|longer|shorter|deeper|fewer)\b", re.IGNORECASE)
HEDGE = re.compile("|".join(rule.pattern.pattern for rule in rules.HEDGES), re.IGNORECASE)
NEGATION = re.compile(rules.NEGATION, re.IGNORECASE)
# Sentences that open with the speaker, the listener or an exclamation talk about themselves.
FIRST_PERSON = re.compile(r"^(?:and\s+|but\s+|so\s+|well,?\s+)?(?:i|i'm|i've|i'll|i'd|my|me)\b",
                          re.IGNORECASE)
SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|you'll)\b", re.IGNORECASE)
THANKS = re.compile(r"\b(?:thank|thanks|applause|laughter|crosstalk|inaudible|folks|"
                    r"ladies\s+and\s+gentlemen|good\s+evening|welcome)\b", re.IGNORECASE)
PAST_EVENT = re.compile(r"\b(?:was|were|had|did|happened|became|began|started|ended|passed|signed|"
                        r"voted|said|told|announced|created|lost|won|cut|raised|increased|"
                        r"decreased|doubled)\b", re.IGNORECASE)
TOKEN = re.compile(r"[a-z][a-z'-]*|\d[\d,.]*%?|[$%]")
TOPIC_WORD_RE = re.compile(r"[a-z][a-z-]{3,}")


@dataclass(frozen=True)
class Context:
    """Where a sentence sits: its place in its paragraph (block) and in the document, and the
    document's frequent words (see :func:`claims.extract.claims._topic_pattern`)."""

    index_in_block: int = 0
    block_sentences: int = 1
    index_in_doc: int = 0
    doc_sentences: int = 1
    topic: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Feature:
    name: str
    value: float
    reason: str


def _rule_feature(rule: rules.Rule) -> Callable[[str], tuple[float, str] | None]:
    def evaluate(own: str) -> tuple[float, str] | None:
        reason = rule.evaluate(own)
        return (1.0, reason) if reason is not None else None
    return evaluate


def _pattern_feature(pattern: re.Pattern[str], label: str) -> Callable[[str], tuple[float, str] | None]:
    def evaluate(own: str) -> tuple[float, str] | None:
        match = pattern.search(own)
        if match is None:
            return None
        return 1.0, f"{label}: '{' '.join(match.group(0).split()).lower()}'"
    return evaluate


def _entities(own: str) -> tuple[float, str] | None:
    names = list(dict.fromkeys(m.group(0) for m in NAMED_ENTITY.finditer(own)
                               if m.group(0) not in NOT_ENTITY))
    if not names:
        return None
    return 1.0, "names: " + ", ".join(f"'{n}'" for n in names[:3])


# The quantity rule replaces rules' "number", which also counts the digits in names like IL-10.
_SKIP_RULES = frozenset({"number"})
READABLE: tuple[tuple[str, Callable[[str], tuple[float, str] | None]], ...] = (
    *((rule.name, _rule_feature(rule)) for rule in rules.CHECKWORTHY if rule.name not in _SKIP_RULES),
    ("quantity", _pattern_feature(QUANTITY, "number")),
    ("percent", _pattern_feature(PERCENT, "percentage")),
    ("money", _pattern_feature(MONEY, "money or the economy")),
    ("date", _pattern_feature(DATE, "date")),
    ("named_entity", _entities),
    ("finding", _pattern_feature(FINDING, "finding")),
    ("method", _pattern_feature(METHOD, "describes the method")),
    ("policy", _pattern_feature(POLICY, "policy or public affairs")),
    ("comparative", _pattern_feature(COMPARATIVE, "comparative")),
    ("past_event", _pattern_feature(PAST_EVENT, "reports an event")),
    ("hedge", _pattern_feature(HEDGE, "hedged")),
    ("negation", _pattern_feature(NEGATION, "negation")),
    ("first_person", _pattern_feature(FIRST_PERSON, "speaks of oneself")),
    ("second_person", _pattern_feature(SECOND_PERSON, "addresses the reader")),
    ("pleasantry", _pattern_feature(THANKS, "pleasantry or stage direction")),
)


def _position(ctx: Context, words: int) -> list[Feature]:
    out = [Feature("length", min(math.log1p(words) / math.log1p(40), 1.5), f"{words} words"),
           Feature("paragraph_length", min(math.log1p(ctx.block_sentences) / math.log1p(20), 1.5),
                   f"in a paragraph of {ctx.block_sentences} sentences")]
    if words <= 5:
        out.append(Feature("short", 1.0, "very short sentence"))
    if ctx.block_sentences > 1:
        if ctx.index_in_block == 0:
            out.append(Feature("first_in_paragraph", 1.0, "opens its paragraph"))
        if ctx.index_in_block == ctx.block_sentences - 1:
            out.append(Feature("last_in_paragraph", 1.0, "closes its paragraph"))
    else:
        out.append(Feature("alone_in_paragraph", 1.0, "a paragraph of its own"))
    if ctx.doc_sentences > 1:
        where = ctx.index_in_doc / (ctx.doc_sentences - 1)
        out.append(Feature("doc_position", where, f"{round(where * 100)}% into the text"))
        if ctx.index_in_doc >= ctx.doc_sentences - 2:
            out.append(Feature("doc_end", 1.0, "near the end of the text"))
    return out


def ngrams(own: str) -> list[str]:
    """Lower-cased unigrams and bigrams; digits become 0 so "400,000" and "12,000" share one."""
    tokens = [re.sub(r"\d", "0", t) for t in TOKEN.findall(own.lower())]
    grams = [f"w:{t}" for t in tokens]
    grams += [f"b:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return list(dict.fromkeys(grams))


def readable(own: str, ctx: Context) -> list[Feature]:
    """The readable features that fire on ``own`` (folded text, quotations masked)."""
    out: list[Feature] = []
    for name, evaluate in READABLE:
        hit = evaluate(own)
        if hit is not None:
            out.append(Feature(name, hit[0], hit[1]))
    if ctx.topic is not None:
        match = ctx.topic.search(own)
        if match:
            out.append(Feature("topic", 1.0, rules.TOPIC_REASON.format(m=match.group(0).lower())))
    out += _position(ctx, len(rules_words(own)))
    return out


_WORDS = re.compile(r"[A-Za-z0-9][\w'’-]*")


def rules_words(own: str) -> list[str]:
    return _WORDS.findall(own)


def topic_terms(folded: str) -> list[str]:
    """The document's most frequent content words: sentences naming them are on its topic."""
    counts = Counter(w for w in TOPIC_WORD_RE.findall(folded.lower()) if w not in rules.STOPWORDS)
    return [w for w, c in counts.most_common(rules.TOPIC_TERMS) if c >= rules.TOPIC_MIN_COUNT]


def topic_pattern(top: list[str]) -> re.Pattern[str] | None:
    if not top:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in top) + r")\b", re.IGNORECASE)


def document_features(blocks: Sequence[Sequence[str]]) -> list[tuple[str, list[Feature]]]:
    """Each sentence of a document (paragraphs of folded sentences) with its readable features,
    neighbours' included."""
    pairs = document_contexts(blocks)
    features = [readable(own, ctx) for own, ctx in pairs]
    add_neighbours(features, [b for b, block in enumerate(blocks) for _ in block])
    return [(own, fs) for (own, _), fs in zip(pairs, features, strict=True)]


def document_contexts(blocks: Sequence[Sequence[str]]) -> list[tuple[str, Context]]:
    """Each sentence of a document given as paragraphs of folded sentences, with its context."""
    topic = topic_pattern(topic_terms(" ".join(s for block in blocks for s in block)))
    total = sum(len(block) for block in blocks)
    out: list[tuple[str, Context]] = []
    for block in blocks:
        for i, sentence in enumerate(block):
            out.append((sentence, Context(i, len(block), len(out), total, topic)))
    return out


# A claim often runs over several sentences ("So Ford is leaving. Thousands of jobs leaving
# Michigan."): a sentence beside one with a number, a name or a finding is likelier part of one.
NEIGHBOURLY = {"quantity": "a number", "money": "money", "date": "a date", "named_entity": "a name",
               "policy": "public affairs", "finding": "a finding", "study": "a study",
               "causal_verb": "a causal verb", "percent": "a percentage"}


def add_neighbours(features: list[list[Feature]], blocks: Sequence[int]) -> None:
    """Add ``near_*`` features to each sentence whose neighbour in the same paragraph (``blocks``
    gives each sentence's paragraph) has one of the :data:`NEIGHBOURLY` features."""
    names = [{f.name for f in fs} for fs in features]
    for i, fs in enumerate(features):
        near: set[str] = set()
        for j in (i - 1, i + 1):
            if 0 <= j < len(features) and blocks[j] == blocks[i]:
                near |= names[j]
        fs.extend(Feature(f"near_{n}", 1.0, f"beside a sentence with {what}")
                  for n, what in NEIGHBOURLY.items() if n in near)


# What makes a sentence specific enough to check: a quantity, a date, a name, money, a study or
# finding, a comparison, a definition, a mechanism, a term of health or public affairs, a cause, a
# reported event, one of the document's own frequent words. A verb alone is not ("Sometimes, it's about supporting it the right way."), nor
# are evaluative words, hedges or position. A sentence with none ("Like any type of training, consistency makes all the
# difference.", "So no, it's not hype.") is not a claim whatever it scores.
CHECKABLE = frozenset({
    "quantity", "percent", "money", "date", "named_entity", "finding", "study", "authority_appeal",
    "superlative", "comparison", "definition", "health_term", "safety", "mechanism", "technical_term",
    "biological_terms", "policy", "causal_link", "past_event", "comparative", "topic",
})


def checkable(features: list[Feature]) -> bool:
    return any(f.name in CHECKABLE for f in features)
