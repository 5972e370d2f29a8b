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
# A number that measures something: not glued to letters ("IL-10", "CD4", "p65", "TLR2"), not a
# list marker, not a year alone ("in 1960", "the 1960s" are dates). Units and scale words are part
# of the match so the reason shows them.
QUANTITY = re.compile(
    r"(?<![A-Za-z\d])(?<![A-Za-z]-)(?!(?:1[6-9]|20)\d\d(?:s|'s)?\b(?!\s*(?:%|percent)))"
    r"[$£€]?\d(?:[\d,.]*\d)?(?![A-Za-z\d]*-?[A-Za-z]{2})"
    r"(?:\s*(?:%|percent\b|per\s*cent\b|mg\b|mcg\b|kg\b|ml\b|x\b|times\b|"
    r"(?:thousand|million|billion|trillion)s?\b))?",
    re.IGNORECASE,
)
PERCENT = re.compile(r"\d\s*(?:%|percent\b|per\s*cent\b)", re.IGNORECASE)
MONEY = re.compile(r"[$£€]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds)\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:1[6-9]|20)\d\d(?:s|'s)?\b")
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
HEDGE = re.compile("|".join(rule.pattern.pattern for rule in rules.HEDGES), re.IGNORECASE)
# Sentences that open with the speaker talk about themselves.
FIRST_PERSON = re.compile(r"^(?:and\s+|but\s+|so\s+|well,?\s+)?(?:i|i'm|i've|i'll|i'd|my|me)\b",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    """Words (and two-word phrases) looked up among a sentence's tokens: a set lookup per token,
    far cheaper than a regular expression of alternatives, and the same for whole words."""

    words: frozenset[str]
    phrases: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> Lexicon:
        items = [w.replace("_", " ") for w in text.split()]
        return cls(frozenset(w for w in items if " " not in w), frozenset(w for w in items if " " in w))

    def find(self, tokens: list[str]) -> str | None:
        for i, token in enumerate(tokens):
            if token in self.words:
                return token
            if self.phrases and i + 1 < len(tokens) and f"{token} {tokens[i + 1]}" in self.phrases:
                return f"{token} {tokens[i + 1]}"
        return None


# Money and the economy, beyond amounts in a currency.
MONEY_WORDS = Lexicon.of("""dollars taxpayer taxpayers budget budgets deficit deficits debt tax taxes
    spending funding cost costs paid pay wage wages salary salaries income revenue economy economic
    trillion trillions billion billions""")
DATE_WORDS = Lexicon.of("""january february march april june july august september october november
    december last_year next_year this_year last_month last_week last_decade years_ago decades_ago
    months_ago""")
# Law, government and public policy: what politicians' claims are about.
POLICY = Lexicon.of("""law laws bill bills legislation vote voted votes voting congress senate senator
    government federal administration president policy policies regulation regulations jobs
    unemployment immigration immigrants illegal border healthcare obamacare insurance medicare
    medicaid social_security military war nuclear crime police tariff tariffs trade deal treaty
    sanctions""")
# The nation as a subject: frequent in speeches, but "I love this country" names nothing to check.
NATION = Lexicon.of("country countries nation nations state states america american americans")
# A bare comparative states a change or a difference even without "than": "you fall asleep
# faster", "prices are higher".
COMPARATIVE = Lexicon.of("""better worse faster slower sooner higher lower greater smaller larger
    bigger cheaper safer stronger weaker longer shorter deeper fewer""")
NEGATION = Lexicon.of("""not never nor cannot won't wouldn't can't couldn't don't doesn't didn't isn't
    aren't wasn't weren't no""")
SECOND_PERSON = Lexicon.of("you your you're you've you'll")
THANKS = Lexicon.of("""thank thanks applause laughter crosstalk inaudible folks welcome
    ladies_and good_evening""")
PAST_EVENT = Lexicon.of("""was were had did happened became began started ended passed signed voted
    said told announced created lost won cut raised increased decreased doubled""")
# Scale words that make a quantity without digits.
SCALE_WORDS = Lexicon.of("""half twice double triple dozen dozens hundred hundreds thousand thousands
    million millions billion billions trillion trillions two-thirds a_third a_quarter""")
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


Evaluate = Callable[[str, list[str]], "tuple[float, str] | None"]


def _rule_feature(rule: rules.Rule) -> Evaluate:
    def evaluate(own: str, tokens: list[str]) -> tuple[float, str] | None:
        reason = rule.evaluate(own)
        return (1.0, reason) if reason is not None else None
    return evaluate


def _pattern_feature(pattern: re.Pattern[str], label: str, digits: bool = False,
                     lexicon: Lexicon | None = None) -> Evaluate:
    """A feature that fires on ``pattern`` (only tried when the sentence has a digit, if
    ``digits``) or on a word of ``lexicon``."""
    def evaluate(own: str, tokens: list[str]) -> tuple[float, str] | None:
        if not digits or any(c.isdigit() for c in own):
            match = pattern.search(own)
            if match is not None:
                return 1.0, f"{label}: '{' '.join(match.group(0).split()).lower()}'"
        word = lexicon.find(tokens) if lexicon is not None else None
        return (1.0, f"{label}: '{word}'") if word else None
    return evaluate


def _lexicon_feature(lexicon: Lexicon, label: str) -> Evaluate:
    def evaluate(own: str, tokens: list[str]) -> tuple[float, str] | None:
        word = lexicon.find(tokens)
        return (1.0, f"{label}: '{word}'") if word else None
    return evaluate


def _entities(own: str, tokens: list[str]) -> tuple[float, str] | None:
    names = list(dict.fromkeys(m.group(0) for m in NAMED_ENTITY.finditer(own)
                               if m.group(0) not in NOT_ENTITY))
    if not names:
        return None
    return 1.0, "names: " + ", ".join(f"'{n}'" for n in names[:3])


# The quantity rule replaces rules' "number", which also counts the digits in names like IL-10.
_SKIP_RULES = frozenset({"number"})
READABLE: tuple[tuple[str, Evaluate], ...] = (
    *((rule.name, _rule_feature(rule)) for rule in rules.CHECKWORTHY if rule.name not in _SKIP_RULES),
    ("quantity", _pattern_feature(QUANTITY, "number", digits=True, lexicon=SCALE_WORDS)),
    ("percent", _pattern_feature(PERCENT, "percentage", digits=True, lexicon=Lexicon.of("percentage"))),
    ("money", _pattern_feature(MONEY, "money or the economy", digits=True, lexicon=MONEY_WORDS)),
    ("date", _pattern_feature(YEAR, "date", digits=True, lexicon=DATE_WORDS)),
    ("named_entity", _entities),
    ("finding", _pattern_feature(FINDING, "finding")),
    ("method", _pattern_feature(METHOD, "describes the method")),
    ("policy", _lexicon_feature(POLICY, "policy or public affairs")),
    ("nation", _lexicon_feature(NATION, "speaks of the nation")),
    ("comparative", _lexicon_feature(COMPARATIVE, "comparative")),
    ("past_event", _lexicon_feature(PAST_EVENT, "reports an event")),
    ("hedge", _pattern_feature(HEDGE, "hedged")),
    ("negation", _lexicon_feature(NEGATION, "negation")),
    ("first_person", _pattern_feature(FIRST_PERSON, "speaks of oneself")),
    ("second_person", _lexicon_feature(SECOND_PERSON, "addresses the reader")),
    ("pleasantry", _lexicon_feature(THANKS, "pleasantry or stage direction")),
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
    # Only the very end of the text counts, not a sentence's share of the way into it: moving a
    # paragraph of an article must not move the scores of every sentence it passes.
    if ctx.doc_sentences > 1:
        if ctx.index_in_doc >= ctx.doc_sentences - 2:
            out.append(Feature("doc_end", 1.0, "near the end of the text"))
    return out


def tokens(own: str) -> list[str]:
    """Lower-cased word and number tokens; digits become 0 so "400,000" and "12,000" are one."""
    return [re.sub(r"\d", "0", t) if t[0].isdigit() else t for t in TOKEN.findall(own.lower())]


def ngrams(own: str, toks: list[str] | None = None) -> list[str]:
    """Unigrams and bigrams of :func:`tokens`."""
    toks = tokens(own) if toks is None else toks
    grams = [f"w:{t}" for t in toks]
    grams += [f"b:{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    return list(dict.fromkeys(grams))


def readable(own: str, ctx: Context, toks: list[str] | None = None) -> list[Feature]:
    """The readable features that fire on ``own`` (folded text, quotations masked)."""
    toks = tokens(own) if toks is None else toks
    out: list[Feature] = []
    for name, evaluate in READABLE:
        hit = evaluate(own, toks)
        if hit is not None:
            out.append(Feature(name, hit[0], hit[1]))
    if ctx.topic is not None:
        match = ctx.topic.search(own)
        if match:
            out.append(Feature("topic", 1.0, rules.TOPIC_REASON.format(m=match.group(0).lower())))
    out += _position(ctx, sum(1 for t in toks if t[0].isalnum()))
    return out


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
