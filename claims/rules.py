"""The language rules extraction applies, in one place, so a reviewer can read and tune them.

Every rule is a small named entry: a regular expression, a weight and a human-readable reason.
The rules describe language in general (hedges, attribution verbs, vague sources, comparisons,
calls to action); none is written for a particular article.

Patterns run on a *folded* copy of the text (see :func:`fold`): curly apostrophes and quote marks
become straight ones, with the length unchanged, so one pattern covers both spellings and match
offsets still index the original text.

Sections:

* :data:`CHECKWORTHY` — features that make a sentence worth checking; the check-worthiness model
  (:mod:`claims.checkworthiness`) reads them with learned weights (their hand-set weights remain
  only as the bench's baseline).
* Linking claims to quotations: :data:`CONCLUSION_MARKER`, :data:`EVIDENCE_APPEAL`,
  :data:`AUTHORITY_APPEAL`, :data:`CONCESSIVE_MARKER`, :data:`BACK_REFERENCE`.
* :data:`EXCLUSIONS` — sentence types that are never claims (questions, calls to action, asides...).
* :data:`HEDGES` — wording that hedges a claim (in its main clause: :data:`SUBORDINATE_CLAUSE`);
  :data:`EVIDENCE_HEDGES` — wording that limits what a quoted source supports; :data:`EFFECT`,
  :data:`NEGATION`, :data:`DISMISSAL` — whether a claim states an effect an overstatement needs.
* Attribution: :data:`SPEECH_VERB`, :data:`QUOTE_LEAD_VERB`, :data:`CREDIT_SENTENCE`,
  :data:`VAGUE_SOURCE`, named-source
  patterns (titles, surnames credited with a speech verb, publications), :data:`TERM_MARKER`,
  :data:`READER_ADDRESS`.
* :data:`CATEGORIES` — keywords that decide a claim's category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import ClaimCategory

# The hand-set weights of CHECKWORTHY and this threshold scored claims before the learned model
# (claims.checkworthiness) replaced them; bench/checkworthiness.py still scores them as a baseline.
CLAIM_THRESHOLD = 0.3
# Near-duplicate quotes: rapidfuzz token_set_ratio (0..100) over normalised text.
NEAR_DUPLICATE_SCORE = 78.0
# Quotes shorter than this (in words) are too short to call near-duplicates of each other.
NEAR_DUPLICATE_MIN_WORDS = 5
# An unattributed inline quotation this long (in words) reads as quoted prose, not a term.
SOURCE_MIN_WORDS = 6
# How many of the article's most frequent content words count as its topic terms.
TOPIC_TERMS = 6
TOPIC_MIN_COUNT = 3

_FOLD = str.maketrans({"’": "'", "‘": "'", "‛": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


def fold(text: str) -> str:
    """Straighten curly quotes and apostrophes; the result has the same length as ``text``."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Rule:
    """One named rule. ``reason`` is shown to reviewers; ``{m}`` is replaced by the matched words.

    ``min_hits`` > 1 makes a density rule: it fires only when that many *distinct* phrases match,
    and its reason lists them (a sentence naming three biological entities is more specific than
    one naming one).
    """

    name: str
    pattern: re.Pattern[str]
    weight: float
    reason: str
    min_hits: int = 1

    def find(self, folded: str) -> re.Match[str] | None:
        return self.pattern.search(folded)

    def explain(self, match: re.Match[str]) -> str:
        return self.reason.format(m=" ".join(match.group(0).split()).lower())

    def evaluate(self, folded: str) -> str | None:
        """The reason this rule fires on ``folded``, or None; honours ``min_hits``."""
        if self.min_hits <= 1:
            match = self.find(folded)
            return self.explain(match) if match else None
        hits = list(dict.fromkeys(" ".join(m.group(0).split()).lower() for m in self.pattern.finditer(folded)))
        return self.reason.format(m=", ".join(hits)) if len(hits) >= self.min_hits else None


def _words(*words: str) -> str:
    """An alternation of whole words or phrases; spaces in a phrase match any whitespace.

    The alternatives are written as a trie (``stimulat(?:e|es|ed|ing)``), which matches the same
    strings as the flat list, longest first, but lets the engine reject a position after a
    character or two instead of trying every word: extraction runs dozens of these per sentence.
    """
    trie: dict = {}
    for word in {w.lower() for w in words}:
        node = trie
        for char in _chars(word):
            node = node.setdefault(char, {})
        node[""] = {}
    return r"\b" + _render(trie) + r"\b"


def _chars(word: str) -> list[str]:
    """A phrase's regex atoms: each character escaped, each run of spaces any whitespace."""
    atoms: list[str] = []
    for char in word:
        if char == " ":
            if atoms[-1:] != [r"\s+"]:
                atoms.append(r"\s+")
        else:
            atoms.append(re.escape(char))
    return atoms


def _render(node: dict) -> str:
    ends = "" in node
    children = [atom + _render(child) for atom, child in sorted(node.items()) if atom]
    if not children:
        return ""
    body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
    # Greedy "?" tries the longer words first, as the longest-first flat list did.
    return ("(?:" + body + ")?" if len(children) == 1 else body + "?") if ends else body


def _verbs(*lemmas: str) -> str:
    """Whole-word forms of regular verbs: base, -s, -ed and -ing (``stimulate`` -> ``stimulating``)."""
    forms: set[str] = set()
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms |= {lemma, lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x")) else "s"), stem + "ed", stem + "ing"}
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    return _words(*forms)


def _rule(name: str, pattern: str, weight: float, reason: str, min_hits: int = 1) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), weight, reason, min_hits)


# ---------------------------------------------------------------------------------------------
# Check-worthiness: what makes a sentence a factual assertion worth checking.
# ---------------------------------------------------------------------------------------------

# Verbs that assert an effect on the body or a cause; the core of health and science claims.
CAUSAL_VERBS = _verbs(
    "cause", "trigger", "stimulate", "target", "encourage", "promote", "suppress", "reduce",
    "increase", "decrease", "improve", "boost", "lower", "raise", "regulate", "activate", "inhibit",
    "block", "bind", "constrict", "dilate", "penetrate", "engage", "strengthen", "weaken", "repair",
    "heal", "cure", "treat", "prevent", "protect", "burn", "melt", "dissolve", "tighten", "firm",
    "lift", "tone", "calm", "relax", "restore", "rejuvenate", "detox", "absorb", "support", "help",
    "work", "affect", "respond", "eliminate", "contract", "speed", "slow",
    "double", "triple", "halve", "stop", "fix", "reverse", "sculpt", "slim", "shrink",
    "deliver", "interact", "drain", "enhance", "accelerate", "damage", "harm", "kill", "remove",
    "break", "shift", "pull", "add", "replace", "produce", "release", "digest", "metabolize",
) + r"|\b(?:grew|grown|broke|broken|shrank|shrunk)\b"

CAUSAL_LINKS = _words(
    "because", "that's why", "which is why", "this is why", "leads to", "led to", "lead to",
    "results in", "resulted in", "result in", "due to", "thanks to", "responsible for", "as a result",
    "so that", "comes from", "come from", "caused by", "linked to", "associated with", "rooted in",
)

NUMBER = (
    r"\d(?:[\d,.]*\d)?\s*(?:%|percent\b|mg\b|mcg\b|g\b|kg\b|ml\b|°\s?[cf]\b|x\b)?"
    r"|\b(?:half|twice|double|triple|two|three|four|five|six|seven|eight|nine|ten|dozens?|"
    r"hundreds?|thousands?|millions?|billions?)\b"
)

STUDY = _words(
    "study", "studies", "trial", "trials", "review", "reviews", "meta-analysis", "meta-analyses",
    "research", "researchers", "science", "scientific", "scientists", "data", "evidence",
    "clinical", "clinically", "survey", "surveys", "journal", "et al", "experiment", "experiments",
    "peer-reviewed", "published", "findings", "randomized", "randomised", "placebo", "participants",
    "patients", "cohort", "lab", "laboratory", "according to", "proven", "evidence-based",
)

# An appeal to authority or consensus ("experts agree", "doctors agree", "science says", "the
# science is settled"): it claims what the authorities hold, which can be checked. After a
# quotation it offers that quotation as what they hold (see AUTHORITY_APPEAL below).
AUTHORITY_APPEAL_PATTERN = (
    r"\b(?:(?:the|most|all|many)\s+)?(?:experts|doctors|scientists|researchers|physicians|clinicians|"
    r"dermatologists|specialists|professionals|dietitians|nutritionists|pharmacists)\s+"
    r"(?:all\s+|now\s+|widely\s+|generally\s+)?(?:agree|concur|are\s+(?:clear|unanimous|in\s+agreement))\b"
    r"|\b(?:science|research)\s+(?:says|agrees|has\s+spoken)\b"
    r"|\bthe\s+(?:science|evidence|research|verdict)\s+is\s+(?:clear|settled|in|unanimous)\b"
    r"|\b(?:scientific|medical|expert|general)\s+consensus\b|\bthe\s+consensus\s+is\b"
    r"|\bsettled\s+science\b|\b(?:is|it's)\s+well[- ]established\b"
)

OUTCOME = _words(
    "effective", "effectiveness", "efficacy", "results", "result", "benefit", "benefits",
    "beneficial", "works", "real", "measurable", "visible", "powerful", "improvement",
    "improvements", "outcome", "outcomes", "miracle", "guaranteed", "payoff", "therapeutic",
    "incredible", "popular", "fast", "permanent", "long-term", "lasting", "hype", "legit",
)

ABSOLUTE = _words(
    "only", "always", "never", "every", "everyone", "everything", "everybody", "all", "none",
    "nobody", "nothing", "no one", "guaranteed", "completely", "entirely", "definitely", "proven",
    "impossible", "certainly", "100%",
)

COMPARISON = (
    r"\b(?:more|less|fewer|better|worse|faster|slower|stronger|weaker|higher|lower|greater|"
    r"smaller|larger|bigger|cheaper|safer|longer|shorter|deeper)\b[^.;:!?]{0,60}?\bthan\b"
    r"|" + _words("unlike", "compared to", "compared with", "in comparison", "similar to", "much like",
                  "just like", "the same as", "versus", "vs", "instead of", "rather than", "replace",
                  "as good as", "as effective as")
    + r"|\bthe\s+way\s+\w+\s+(?:do|does|did|might|can|could|would|will)\b"
)

SUPERLATIVE = (
    r"\b(?:one\s+of\s+the\s+)?(?:the\s+)?(?:single\s+)?(?:best|worst|most\s+\w+|least\s+\w+|"
    r"biggest|greatest|fastest|safest|strongest|gentlest|cheapest|easiest|smartest|healthiest|"
    r"largest|highest|lowest|smallest|fewest|oldest|richest|poorest|deadliest|"
    r"number\s+one|#1|top)\b(?!\s+(?:of\s+all|up|out))"
)

DEFINITION = _words(
    "called", "known as", "aka", "a.k.a.", "defined as", "refers to", "composed of", "consists of",
    "made up of", "is a type of", "is a form of", "is found in", "means",
)

# General health and body vocabulary: a sentence about these is about something checkable.
HEALTH_TERM = _words(
    "muscle", "muscles", "muscular", "skin", "tissue", "tissues", "cell", "cells", "cellular",
    "collagen", "fat", "fats", "adipose", "dermis", "dermal", "layer", "blood", "heart", "brain",
    "nerve", "nerves", "nervous", "receptor", "receptors", "enzyme", "enzymes", "inflammation",
    "inflammatory", "immune", "immunity", "hormone", "hormones", "sleep", "circulation",
    "lymphatic", "organ", "organs", "bone", "bones", "joint", "joints", "gut", "liver", "kidney",
    "kidneys", "jaw", "jawline", "cheek", "cheeks", "face", "faces", "facial", "body", "metabolism",
    "vessels", "symptom", "symptoms", "disease", "diseases", "condition", "conditions", "therapy",
    "therapies", "treatment", "treatments", "drug", "drugs", "medication", "medications",
    "supplement", "supplements", "dose", "doses", "injectable", "injectables", "injector", "filler",
    "fillers", "surgery", "surgical", "procedure", "procedures", "protein", "proteins", "vitamin",
    "vitamins", "mineral", "minerals", "wrinkles", "elasticity", "swelling", "insomnia",
    "depression", "anxiety", "stress", "aging", "ageing", "breathing", "heart rate", "soreness",
    "recovery", "energy", "diet", "calories", "weight", "pain", "stools", "bloodstream",
    "deficiency", "deficient", "nausea", "diarrhea", "diarrhoea",
)

# Safety and risk vocabulary: a statement that something is safe or harmful is always checkable.
SAFETY = _words(
    "safe", "safety", "unsafe", "side effect", "side effects", "adverse", "risk", "risks",
    "risky", "danger", "dangerous", "harm", "harmful", "harmless", "toxic", "gentle",
    "non-invasive", "invasive", "harsh", "irritation", "allergic", "allergy", "contraindicated",
    "overdose", "high doses", "stools", "nausea", "diarrhea", "warning", "complications",
)

# Biological entities and processes: what a mechanistic claim says the body does. Narrower than
# HEALTH_TERM (no face, body or treatment): naming one of these is naming something a study measures.
BIOLOGICAL_TERM = _words(
    "cell", "cells", "cellular", "tissue", "tissues", "collagen", "elastin", "keratin", "dermis",
    "epidermis", "subcutaneous", "adipose", "fibroblast", "fibroblasts", "keratinocytes", "muscle",
    "muscles", "muscle tone", "nerve", "nerves", "neurons", "receptor", "receptors", "enzyme",
    "enzymes", "protein", "proteins", "hormone", "hormones", "inflammation", "inflammatory",
    "circulation", "blood flow", "blood vessels", "lymphatic", "lymph", "metabolism", "metabolic",
    "mitochondria", "mitochondrial", "atp", "dna", "rna", "gene", "genes", "gene expression",
    "molecular", "synthesis", "production", "repair", "regeneration", "cortisol", "melatonin",
    "insulin", "glucose", "immune", "immunity", "antioxidant", "oxidative", "bloodstream",
) + r"|\b[a-z]+(?:cytes?|blasts?|synthesis|genesis|phosphates?|kines?|ceptors?)\b"
# A causal verb acting on a biological entity: "stimulates the dermis", "supports collagen
# synthesis". The verb and its object sit in one clause (no punctuation between them).
MECHANISM = r"(?:" + CAUSAL_VERBS + r")(?:\s+[\w'-]+){0,4}?\s+(?:" + BIOLOGICAL_TERM + r")"
# A technical term the writer defines: "ATP (adenosine triphosphate)", "musculoaponeurotic system
# (SMAS)". Case matters for the abbreviation, so it is matched case-sensitively inside.
TECHNICAL_TERM = (
    r"(?-i:\b[A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*\s*\((?=[^()]*[a-z])[^()]{4,}\))"
    r"|(?-i:\b[a-z][\w-]+\s*\([A-Z][A-Za-z-]*[A-Z]\))"
)
# Wording that names nothing in particular: a sentence built on "something called X" or "in a big
# way" frames a topic rather than asserting a checkable fact.
VAGUE_WORDING = _words("something", "somehow", "stuff", "some kind of", "some sort of", "in a big way",
                       "a lot of things", "all sorts of")

# Weighted features. The extractor adds the topic-term feature (the article's own frequent
# content words) and the quotation features, whose weights are below. A negative weight lowers
# the score (the sum is squashed into 0..1 by checkworthiness()).
CHECKWORTHY: tuple[Rule, ...] = (
    _rule("causal_verb", CAUSAL_VERBS, 0.30, "causal verb: '{m}'"),
    _rule("mechanism", MECHANISM, 0.25, "mechanism: '{m}'"),
    _rule("technical_term", TECHNICAL_TERM, 0.20, "defines a technical term: '{m}'"),
    _rule("biological_terms", BIOLOGICAL_TERM, 0.15, "several biological terms: '{m}'", min_hits=3),
    _rule("vague_wording", VAGUE_WORDING, -0.15, "vague wording: '{m}'"),
    _rule("causal_link", CAUSAL_LINKS, 0.30, "causal link: '{m}'"),
    _rule("number", NUMBER, 0.25, "number: '{m}'"),
    _rule("study", STUDY, 0.25, "study reference: '{m}'"),
    _rule("authority_appeal", AUTHORITY_APPEAL_PATTERN, 0.25, "appeal to authority: '{m}'"),
    _rule("superlative", SUPERLATIVE, 0.30, "superlative: '{m}'"),
    _rule("safety", SAFETY, 0.20, "safety word: '{m}'"),
    _rule("comparison", COMPARISON, 0.20, "comparison: '{m}'"),
    _rule("outcome", OUTCOME, 0.20, "outcome word: '{m}'"),
    _rule("definition", DEFINITION, 0.20, "definition: '{m}'"),
    _rule("absolute", ABSOLUTE, 0.15, "absolute word: '{m}'"),
    _rule("health_term", HEALTH_TERM, 0.15, "health term: '{m}'"),
)
TOPIC_REASON = "topic term: '{m}'"
# A sentence in the paragraph right after a quotation leans on it; the first such sentence, or one
# opening with a conclusion marker ("So", "Translation?"), draws its conclusion from it. A claim
# that offers a quotation as its evidence is what a fact-checker checks first, but no training set
# has quotations, so these two add fixed log-odds to the model's score (claims.checkworthiness)
# instead of learned ones.
FOLLOWS_QUOTE_WEIGHT = 0.5
FOLLOWS_QUOTE_REASON = "follows a quotation"
CONTAINS_QUOTE_REASON = "cites a quotation"
CONCLUSION_WEIGHT = 0.5
CONCLUSION_REASON = "draws a conclusion from the quotation"
CONCLUSION_MARKER = re.compile(
    r"^(?:so|thus|therefore|hence|in other words|translation|that means|this means|"
    r"which means|in short|bottom line|the upshot)\b",
    re.IGNORECASE,
)
# A sentence that points to evidence without naming it ("rooted in research", "studies show",
# "science-backed") presents the quotation the article just gave as that evidence.
EVIDENCE_APPEAL = re.compile(
    r"\b(?:rooted|grounded|based|backed)\s+(?:firmly\s+)?(?:in|on|by)\s+(?:the\s+)?"
    r"(?:research|science|evidence|studies|data|clinical\s+\w+)\b"
    r"|\b(?:research|science|evidence|clinically|scientifically)[- ](?:backed|based|proven|supported)\b"
    r"|\b(?:research|studies|science|the\s+evidence|the\s+data|the\s+findings)\s+"
    r"(?:shows?|proves?|confirms?|supports?|backs?\s+(?:it|this|that)\s+up)\b"
    r"|\bas\s+(?:the\s+)?(?:research|studies|study|data|evidence|findings)\s+(?:shows?|suggests?|"
    r"confirms?|found)\b",
    re.IGNORECASE,
)
# An appeal to authority or consensus after a quotation offers that quotation as what the
# authorities think: a claim making it concludes from the quotation, and overstates it if the
# quotation is hedged and the claim states an effect ("So experts agree it works.").
AUTHORITY_APPEAL = re.compile(AUTHORITY_APPEAL_PATTERN, re.IGNORECASE)
# A sentence opening like this turns away from the quotation just given ("Still, X is the best
# form"): it does not present the quotation as its evidence.
CONCESSIVE_MARKER = re.compile(
    r"^(?:still|however|even\s+so|nevertheless|nonetheless|regardless|that\s+said|all\s+the\s+same|"
    r"despite\s+(?:this|that|these)|in\s+spite\s+of\s+(?:this|that))\b",
    re.IGNORECASE,
)
# A sentence opening with a demonstrative refers back to what came just before: after a quotation,
# "That quote went viral", "These findings matter" talk about the quotation.
BACK_REFERENCE = re.compile(r"^(?:that|this|these|those|such)\b", re.IGNORECASE)
# The first statement after a quotation that shares this many content words with it (beyond the
# article's topic terms) continues the quotation's subject.
SHARED_WORDS_TO_LINK = 2

# A sentence naming nothing specific (claims.checkworthiness.features.CHECKABLE) is chit-chat.
NO_ANCHOR_REASON = "nothing specific to check"

# ---------------------------------------------------------------------------------------------
# Exclusions: sentence types that are never claims, whatever they score.
# ---------------------------------------------------------------------------------------------

# Imperatives and the usual calls to action of a blog post.
IMPERATIVE_START = (
    r"^(?:please\s+)?(?:don't|do\s+not|never|always|take|talk|ask|consult|check|sign|subscribe|"
    r"click|buy|shop|order|join|follow|share|read|try|start|begin|think|imagine|remember|use|get|"
    r"grab|book|download|learn|discover|see|watch|make\s+sure|be\s+sure|keep|avoid|stop|let's|"
    r"let\s+me|let\s+us|tell|contact|visit|find\s+out|stay|give|drink|eat|apply|reach\s+out)\b"
    # An imperative that hands over to a content clause states that clause: "Keep in mind that in
    # 1960 we spent $16 billion", "Let me make it clear that the bill did not mention X".
    r"(?![^,;:.!?]{0,40}?\b(?:that|how\s+(?:many|much))\b)"
)
CALL_TO_ACTION = _words(
    "sign up", "subscribe", "newsletter", "click here", "shop now", "buy now", "order now",
    "use code", "promo code", "discount code", "link in bio", "stay tuned", "next post",
    "in our next", "is for you", "are for you", "check out", "learn more", "read more",
    "add to cart", "free shipping",
) + r"|\bfor\s+\d+\s*%\s+off\b"
# "Well," "Look," and "Okay," only open a sentence in speech ("Well, in fact we saved 1,000
# jobs."): they are not asides, and the model judges what follows them.
ASIDE = (
    r"^(?:and\s+|but\s+|so\s+)?(?:honestly|to\s+be\s+honest|i\s+know|i\s+(?:totally\s+|completely\s+)?"
    r"get\s+it|i\s+admit|trust\s+me|fun\s+fact|spoiler)\b(?![-'])"
    r"|" + _words("fair question", "good question", "great question", "you're not alone", "we've all been there")
)
# Talk about the text itself: its plan ("In this post", "we're going to dig into") and its
# transitions ("Here's where things get interesting", "That's where X comes in"). A speaker's
# "we will" or "that's where" otherwise states a plan or a fact ("We will follow two simple rules",
# "That's where most people get their health care"), so only the text's own verbs count.
META = (
    r"^(?:in\s+this\s+(?:post|article|guide|piece|video)|in\s+today's\s+post|this\s+post|"
    r"this\s+article|next\s+up|without\s+further\s+ado|first\s+things\s+first)\b"
    r"|^(?:today\s+)?(?:we're|we\s+are|we'll|we\s+will|let's|i'll|i\s+will)\s+(?:be\s+)?(?:going\s+to\s+)?"
    r"(?:dig|dive|look|explore|talk|cover|discuss|break\s+down|tackle|answer|walk|unpack|review|share|"
    r"show\s+you|go\s+over|get\s+into)\w*\b"
    r"|^(?:here\s+)?(?:we|i)\s+(?:looked|dug|took\s+a\s+(?:closer\s+|close\s+)?look)\s+(?:at|into)\s+what\b"
    r"|^(?:here's|here\s+is|that's|this\s+is)\s+(?:where|what|why|how)\b(?=[^.!?]{0,120}?\b(?:comes?\s+in|"
    r"comes?\s+into|steps?\s+in|gets?\s+(?:even\s+|a\s+lot\s+|much\s+)?(?:more\s+)?(?:interesting|"
    r"impressive|exciting|tricky|complicated|better|worse)|you\s+need\s+to\s+know)|[^.!?]{0,40}:\s*$)"
)
BYLINE = _words("posted by", "written by", "min read", "minute read", "updated on", "published on",
                "posted on", "all rights reserved", "share this")
# A question put in the reader's mouth: "“...?” you might be wondering".
READER_ADDRESS = (
    r"\byou\s+(?:might|may|could|must)?\s*(?:be\s+)?(?:wondering|asking|thinking|ask|wonder|think)\b"
    r"|\b(?:you're|you\s+are)\s+(?:probably\s+)?(?:wondering|asking|thinking)\b"
    r"|\bask\s+yourself\b"
)

EXCLUSIONS: tuple[Rule, ...] = (
    _rule("call_to_action", CALL_TO_ACTION, 0.0, "call to action: '{m}'"),
    _rule("imperative", IMPERATIVE_START, 0.0, "instruction to the reader: '{m}'"),
    _rule("meta", META, 0.0, "talks about the post itself: '{m}'"),
    _rule("aside", ASIDE, 0.0, "aside: '{m}'"),
    _rule("byline", BYLINE, 0.0, "byline or page furniture: '{m}'"),
    _rule("reader_question", READER_ADDRESS, 0.0, "question put to the reader: '{m}'"),
)
QUESTION_REASON = "question"
QUOTATION_REASON = "quotation (recorded as a quote, not the article's own claim)"
# A sentence whose own words (its quotation masked) are at most this many words and credit the
# quotation ("One review put it bluntly: “...”") only introduces it.
LEAD_IN_MAX_WORDS = 12
LEAD_IN_REASON = "introduces a quotation"
FRAGMENT_REASON = "not a full sentence"
TOPIC_ITEM_REASON = "list of topics, not an assertion"

# A sentence (outside parentheses) needs one of these to be a full statement. Only list items
# and unpunctuated lines are checked: running prose nearly always has a verb.
FINITE_VERB = (
    r"\b(?:is|are|was|were|be|been|isn't|aren't|wasn't|weren't|'s|'re|can|can't|cannot|could|"
    r"may|might|will|won't|would|should|must|do|does|did|don't|doesn't|didn't|has|have|had)\b"
    r"|'s\b|'re\b|" + CAUSAL_VERBS
    + r"|\b(?:it|they|we|he|she|this|that|which|who)\s+\w+(?:s|ed)\b"
)
TOPIC_ITEM_START = r"^(?:how|why|what|whether|when|where|which|the\s+role\s+of|the\s+truth\s+about)\b"

# ---------------------------------------------------------------------------------------------
# Hedges.
# ---------------------------------------------------------------------------------------------

HEDGES: tuple[Rule, ...] = (
    _rule("modal", _words("may", "might", "could", "can help", "can be", "would"), 0.0, "hedge: '{m}'"),
    _rule("adverb", _words("potentially", "possibly", "perhaps", "probably", "likely", "arguably",
                           "somewhat", "maybe", "reportedly", "apparently"), 0.0, "hedge: '{m}'"),
    _rule("softener", _words("kind of", "sort of", "in some users", "in some people", "in some cases",
                             "some people", "for some", "not always", "tends to", "tend to",
                             "appears to", "appear to", "seems to", "seem to", "is thought to",
                             "are thought to"), 0.0, "hedge: '{m}'"),
    _rule("evidence_verb", _words("suggest", "suggests", "suggested", "believe", "believes",
                                  "indicate", "indicates", "hint", "hints"), 0.0, "hedge: '{m}'"),
)

# A hedge qualifies a claim only in its main clause. A modal inside a clause that concedes,
# supposes, wishes or compares ("while the term might sound", "if you've ever wished you could",
# "the way surgical lifts might", "as fast as fillers would") leaves the main assertion unhedged.
# The clause runs from its opener to the next clause boundary (comma, dash, colon, semicolon,
# bracket) or the end of the sentence. Only claim hedges are scoped this way: a limitation inside
# a quoted source's concessive clause ("Despite the limited sample sizes, ...") still limits it.
# "The way" opening a sentence is its subject, and "as well as" coordinates; neither subordinates.
SUBORDINATE_CLAUSE = re.compile(
    r"(?:\b(?:while|whilst|although|though|even\s+though|even\s+if|if|unless|whether|as\s+if|"
    r"as\s+though|wish|wishes|wished|wishing|than|as\s+(?!well\b)\w+\s+as)|(?<=\w\s)the\s+way)\b"
    r"[^,;:–—()]*",
    re.IGNORECASE,
)

# What limits the support a quoted source gives: a claim leaning on such a quote and stating its
# conclusion flatly may overstate it.
EVIDENCE_HEDGES: tuple[Rule, ...] = (
    *HEDGES,
    _rule("limitation", _words(
        "limited", "small sample", "sample size", "sample sizes", "preliminary", "pilot",
        "more research", "further research", "further studies", "more studies", "needed",
        "low quality", "low-quality", "uncertain", "inconclusive", "not significant", "in mice",
        "in rats", "in vitro", "potential", "associated with", "indicating", "observational",
        # A promise is not yet a result; a few small or early studies are thin support.
        "promising", "early results", "early data", "early-stage", "too early", "too soon",
        "not yet", "remains to be seen", "unproven", "anecdotal", "small trial", "small trials",
        "small study", "small studies", "few studies", "few trials", "a handful of"),
        0.0, "limitation: '{m}'"),
    _rule("weak_evidence",
          r"\b(?:evidence|data|quality|results?|findings|trials?|stud(?:y|ies)|samples?|"
          r"sample\s+sizes?|groups?|effects?)\s+(?:is|are|was|were|remains?)\s+"
          r"(?:(?:still|very|quite|rather|fairly|relatively|too)\s+)?"
          r"(?:low|weak|limited|sparse|mixed|thin|insufficient|conflicting|unclear|small|few|short|"
          r"modest|underpowered|uncontrolled|inconsistent|preliminary)\b",
          0.0, "limitation: '{m}'"),
)

# An overstatement states the quotation's conclusion: that something works or acts on the body.
# A claim whose only effect words are negated sets expectations instead ("it won't replace your
# injector"), and one with no effect word is a platitude ("consistency makes all the difference");
# neither can overstate a hedged source. "Not just X" amplifies rather than negates, and negating a
# dismissal ("it's not hype") affirms that the thing works.
EFFECT = CAUSAL_VERBS + r"|" + OUTCOME
NEGATION = r"\b(?:not|never|nor|cannot|won't|wouldn't|can't|couldn't|don't|doesn't|didn't|isn't|aren't|wasn't|weren't)\b"
AMPLIFIED_NEGATION = re.compile(NEGATION + r"\s+(?:just|only|merely|simply)\b", re.IGNORECASE)
NEGATED = re.compile(NEGATION, re.IGNORECASE)
DISMISSAL = re.compile(_words("hype", "myth", "a myth", "scam", "a scam", "gimmick", "a gimmick", "fad",
                              "a fad", "snake oil", "placebo", "nonsense", "pseudoscience", "bogus",
                              "a lie", "fake", "marketing", "a trend", "just a trend"), re.IGNORECASE)
EFFECT_WORD = re.compile(EFFECT, re.IGNORECASE)
# Where a negation's reach ends: the next clause boundary.
CLAUSE_BOUNDARY = re.compile(r"[,;:–—()]|\bbut\b", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------
# Attribution.
# ---------------------------------------------------------------------------------------------

# Verbs and phrases that credit words to someone.
SPEECH_VERB = _verbs("say", "note", "describe", "write", "state", "explain", "report", "conclude",
                     "argue", "warn", "claim", "add", "observe", "recall", "insist", "tell",
                     "ask", "show", "suggest", "find", "put", "comment", "quote", "caution",
                     "emphasize", "emphasise", "point", "remark", "announce", "admit") + (
    r"|\b(?:said|told|wrote|written|found|put\s+it|puts\s+it|according\s+to|in\s+the\s+words\s+of|"
    r"as\s+\w+\s+(?:put|puts)\s+it)\b"
)
# Common nouns for sources: with a determiner they are vague ("one study"), and a capitalised one
# before a speech verb is still not a name ("Dermatologists said").
SOURCE_NOUN = (
    r"(?:stud(?:y|ies)|reviews?|reports?|sources?|papers?|experts?|scientists?|researchers?|"
    r"doctors?|dermatologists?|pharmacists?|physicians?|nurses?|clinicians?|trials?|analys[ie]s|"
    r"surveys?|articles?|authors?|specialists?|professionals?|insiders?|users?|people)"
)
# Verbs that hand the next paragraph over to someone else's words even without quote marks
# ("Dr. Smith explained:"). Narrower than SPEECH_VERB: "here's what we found:" or "the data show:"
# introduce the writer's own summary or a list, not a quotation.
QUOTE_LEAD_VERB = _verbs("say", "explain", "write", "note", "describe", "conclude", "state", "add",
                         "argue", "warn", "remark", "comment", "recall", "observe", "insist",
                         "caution", "emphasize", "emphasise", "summarize", "summarise", "report") + (
    r"|\b(?:said|wrote|told|tells\s+us|tell\s+us|put\s+it|puts\s+it|in\s+the\s+words\s+of|"
    r"according\s+to)\b"
)
# A sentence right after a quotation that credits it by pointing back at it: "That is how Dr. Smith
# put it.", "That's what one review concluded.", "Those were the words of X.", "So said X." The
# demonstrative must be what was said; "That claim is wrong, experts say." only comments on it.
CREDIT_SENTENCE = re.compile(
    r"^(?:(?:that|this|these|those)(?:'s|\s+(?:is|was|are|were))\s+(?:(?:how|what)\s+[^;:!?]{1,60}?\s+"
    r"(?:put\s+it|puts\s+it|summed\s+(?:it\s+)?up|sums\s+(?:it\s+)?up|said|says|wrote|writes|told\s+(?:us|me)|"
    r"tells\s+(?:us|me)|explained|explains|described\s+it|describes\s+it|noted|notes|concluded|concludes|"
    r"reported|reports|found|finds)|(?:the\s+)?(?:exact\s+)?words\s+of)|so\s+(?:said|says|wrote|writes))\b",
    re.IGNORECASE,
)
# A lead-in longer than this (in words) is a paragraph of its own, not an introduction.
QUOTE_LEAD_MAX_WORDS = 25
# A source that signals itself but names nobody: "one study", "a review", "experts", "research".
VAGUE_SOURCE = (
    r"\b(?:one|a|an|some|many|several|certain|other|most|recent|new|this|that|another|multiple|"
    r"numerous|various)\s+(?:[\w-]+\s+){0,2}?" + SOURCE_NOUN + r"\b"
    r"|\b(?:experts|research|studies|scientists|researchers|doctors|science|data|evidence)\s+"
    r"(?:say|says|show|shows|suggest|suggests|found|finds|agree|agrees|tell|tells|confirm|confirms)\b"
    r"|\bin\s+(?:clinical|scientific|medical|technical)\s+terms\b"
)
# Words that introduce a term or nickname rather than someone's words: the term “X”, so-called “X”.
TERM_MARKER = (
    r"(?:\b(?:called|known\s+as|so-called|dubbed|aka|a\.k\.a\.|nicknamed|referred\s+to\s+as|"
    r"(?:labell?ed|branded|marketed|sold|advertised|billed|touted|promoted|packaged)\s+as|"
    r"labell?ed|branded|termed|the\s+(?:term|word|words|phrase|label|name|buzzword|idea\s+of)|"
    r"calls?\s+(?:it|them|this)(?:\s+an?|\s+the)?|call\s+(?:it|them|this)(?:\s+an?|\s+the)?)\s*)$"
)
# Named sources: titled people, organisations, publications, acronyms, "X researchers", et al.
# These are matched case-sensitively: capital letters are what mark a name.
PERSON_TITLE = r"\b(?:Dr|Prof|Professor|Mr|Mrs|Ms|Mx|Sir|Dame|Dean|Nurse)\.?\s+(?:[A-Z][\w'’.-]*\s?){1,3}"
ORG_WORD = (r"(?:University|Institute|College|Hospital|Clinic|Center|Centre|Foundation|Association|"
            r"Society|Agency|Administration|Organi[sz]ation|Journal|Academy|Council|Ministry|"
            r"Department|School|Laboratory|Laboratories|Lab|Board|Commission|Review|Times|Post|"
            r"Magazine|Press|Group|Network|Service|Trust)")
ORG = (r"(?:\b(?:[A-Z][\w&'’-]*\s+){0,4}" + ORG_WORD + r"\b(?:\s+(?:of|for|on|in)(?:\s+(?:the|and|&))?"
       r"(?:\s+[A-Z][\w&'’-]*)+)?)")
# "the journal Nature", "the newspaper Le Monde".
PUBLICATION = (r"\b(?:[Jj]ournal|[Mm]agazine|[Nn]ewspaper|[Ww]ebsite|[Bb]log|[Pp]odcast)\s+"
               r"([A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*)*)")
# "as The Guardian reported": a capitalised "The" inside a sentence starts a title.
TITLED = r"(?<=\S\s)The\s+[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*)*"
ACRONYM = r"\b[A-Z]{2,6}\b"
# An acronym is a body when it is "the FDA" / "according to WHO", or it says something.
ACRONYM_SOURCE = (r"\b(?:[Tt]he\s+|according\s+to\s+)(" + ACRONYM + r")"
                  r"|(" + ACRONYM + r")(?=\s+(?:has\s+|have\s+)?(?:says?|said|states?|stated|warns?|"
                  r"warned|recommends?|reports?|reported|notes?|noted|advises?|found))")
NAMED_GROUP = (r"\b[A-Z][a-z]+\s+(?:researchers|scientists|doctors|study|studies|team|experts|"
               r"trial|report|survey|data)\b")
# Two capitalised words; not right after a lowercase "in", where they are a place or a title
# ("a study in South Korea"), which the publication patterns judge instead.
PERSON_NAME = r"(?<!\bin\s)\b[A-Z][a-z'’-]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’-]+(?:-[A-Z][a-z]+)?\b"
ET_AL = r"\b[A-Z][\w'’-]+\s+et\s+al\b\.?"
CAPITALISED = r"[A-Z][a-z][\w'’-]*"
# A surname credited with words: "Park said", "Smith wrote,", "said Park", "according to Smith".
# Journalism credits a person by surname after the first mention, so a capitalised word right next
# to a speech verb is a name unless it is a generic word (SOURCE_NOUN, GENERIC_SPEAKER, NOT_A_NAME).
# Before the name only singular or past forms count: "Experts say" agrees with a plural, a group.
SURNAME_CREDIT = (
    r"(?<![\w.'’-])(" + CAPITALISED + r")(?:,\s+[^,]{1,60},)?\s+(?:said|says|wrote|writes|explained|explains|"
    r"noted|notes|added|adds|told|tells|argued|argues|warned|warns|observed|observes|recalled|recalls|"
    r"insisted|insists|remarked|remarks|concluded|concludes|commented|comments|cautioned|cautions|"
    r"stated|states|admitted|admits|put\s+it|puts\s+it)\b"
    # The verb may open the sentence ("According to Smith, ..."); only the name must be capitalised.
    r"|\b(?i:said|says|wrote|writes|explained|explains|noted|notes|added|adds|according\s+to|"
    r"in\s+the\s+words\s+of)\s+(" + CAPITALISED + r")\b"
)
# Who speaks generically: pronouns, quantifiers and crowds are never surnames.
GENERIC_SPEAKER = (
    r"(?:everyone|everybody|everything|someone|somebody|something|nobody|anyone|anybody|folks|"
    r"critics|fans|proponents|advocates|skeptics|sceptics|customers|consumers|readers|parents|"
    r"patients|athletes|influencers|brands|companies|manufacturers|marketers|officials|"
    r"authorities|sellers|retailers|reviewers|commenters|friends|you)"
)
# "A 2019 study in JAMA Dermatology", "a paper published in Nature Medicine": a study located in a
# publication names that publication. After "published in" any capitalised title counts; after a
# bare "in" the phrase may be a place ("a study in South Korea"), so it must also look like a
# journal title (PUBLICATION_TITLE).
TITLE_WORDS = (r"(?:[A-Z]{2,}|" + CAPITALISED + r")(?:\s+(?:of|for|on|and|&)?\s*(?:[A-Z]{2,}|"
               + CAPITALISED + r"))*")
PUBLISHED_IN = r"\bpublished\s+(?:online\s+)?in\s+(?:the\s+)?(" + TITLE_WORDS + r")"
STUDY_IN = r"\b" + SOURCE_NOUN + r"\s+(?:appearing\s+)?in\s+(?:the\s+)?(" + TITLE_WORDS + r")"
# What a journal title looks like: an acronym followed by a word (JAMA Dermatology, BMJ Open), a
# publication word, or a discipline (-ology, -ics, -iatry).
PUBLICATION_TITLE = (
    r"^[A-Z]{2,}\s+\S|\b(?:Journal|Review|Reviews|Reports?|Letters|Annals|Archives|Proceedings|"
    r"Bulletin|Medicine|Lancet|Science|Sciences|Research|Health|Nutrition|Therapy|Therapeutics|"
    r"[A-Z][a-z]+(?:ology|ologie|ics|iatry))\b"
)


@dataclass(frozen=True)
class NamedPattern:
    """How to find one kind of name; ``min_words`` counts words left after generic ones go.

    ``reject`` (matched against the whole candidate, case-insensitively) and ``require`` (searched
    in it) filter candidates a bare pattern over-matches.
    """

    name: str
    pattern: re.Pattern[str]
    min_words: int = 1
    drop_generic: bool = True  # drop leading NOT_A_NAME words ("As", "One", "Experts")
    reject: re.Pattern[str] | None = None
    require: re.Pattern[str] | None = None


# In order of preference: the first that matches gives the speaker.
NAMED_SOURCES: tuple[NamedPattern, ...] = (
    NamedPattern("titled person", re.compile(PERSON_TITLE), drop_generic=False),
    NamedPattern("et al", re.compile(ET_AL)),
    NamedPattern("organisation", re.compile(ORG)),
    NamedPattern("publication", re.compile(PUBLICATION)),
    NamedPattern("published in", re.compile(PUBLISHED_IN)),
    NamedPattern("study in a publication", re.compile(STUDY_IN), require=re.compile(PUBLICATION_TITLE)),
    NamedPattern("titled work", re.compile(TITLED), drop_generic=False, min_words=2),
    NamedPattern("named group", re.compile(NAMED_GROUP), min_words=2),
    NamedPattern("person", re.compile(PERSON_NAME), min_words=2),
    NamedPattern("acronym", re.compile(ACRONYM_SOURCE)),
    NamedPattern("credited surname", re.compile(SURNAME_CREDIT),
                 reject=re.compile(SOURCE_NOUN + "|" + GENERIC_SPEAKER, re.IGNORECASE)),
)
# Abbreviations whose full stop belongs to the name, not to the sentence.
NAME_ABBREVIATIONS = frozenset({"al.", "Inc.", "Ltd.", "Co.", "Jr.", "Sr.", "Corp."})
# Capitalised words that start sentences or name generic sources; never part of a name.
NOT_A_NAME = frozenset(
    "A An The As One Some Many Several From Here Here's Heres In According Research Experts Studies "
    "Scientists Researchers Doctors Recent New This That These Those Another Most Other Our Their "
    "His Her Its My Your We They He She It I When While If But And So Or Yet For Science Data "
    "Evidence Clinical Study Review Report Source Sources Still Even Also Just Only Translation "
    "Professor Dr Prof Mr Mrs Ms Sir Said Says Wrote Writes Explained Added Noted Told".split()
)

# ---------------------------------------------------------------------------------------------
# Categories: keyword hits decide the category; ties go to the earlier category.
# ---------------------------------------------------------------------------------------------

CATEGORIES: tuple[tuple[ClaimCategory, re.Pattern[str]], ...] = (
    ("safety", re.compile(SAFETY, re.IGNORECASE)),
    ("comparison", re.compile(COMPARISON + r"|" + SUPERLATIVE, re.IGNORECASE)),
    ("efficacy", re.compile(_words(
        "effective", "effectiveness", "efficacy", "results", "benefit", "benefits", "works", "work",
        "proven", "measurable", "visible", "improved", "improves", "improve", "improving", "payoff",
        "therapeutic", "cure", "cures", "helps", "help", "help with", "relief", "not hype", "hype",
        "real", "better"), re.IGNORECASE)),
    ("mechanism", re.compile(CAUSAL_LINKS + r"|" + _verbs(
        "stimulate", "target", "encourage", "regulate", "bind", "trigger", "constrict", "penetrate",
        "engage", "suppress", "activate", "absorb", "tone", "burn", "melt", "interact", "drain") + r"|\bby\s+\w+ing\b|\bworks?\s+on\b",
        re.IGNORECASE)),
    ("anatomy", re.compile(_words(
        "layer", "muscle", "muscles", "tissue", "fat pads", "jowls", "jawline", "jaw", "cheeks",
        "sheet", "structure", "anatomy", "anatomical", "distributed", "shape", "sagging",
        "collagen loss"), re.IGNORECASE)),
)

# Common words that never make a topic term.
STOPWORDS = frozenset("""
a about above after again against all almost also although always among an and another any are
around as at away back be because been before being below between both but by can cannot could did
do does doing done down during each either enough even ever every few for from further get gets
getting give go goes going good got great had has have having he her here hers him his how however
if in into is it its itself just keep kind know least less like likely lot lots made make makes
making many may maybe me might more most much must my need needs never new no nor not now of off
often on once one only or other others our out over own part per perhaps quite rather really right
same see seem seems she should since so some something sometimes still such sure take than that the
their them then there these they thing things think this those though through time times to too
toward towards under until up upon us use used using very want was way ways we well were what when
where whether which while who whom whose why will with within without would yes yet you your yours
youre yourself it's that's there's what's here's you're we're they're don't doesn't isn't won't
can't let's i'm i've you've we've i'd you'd we'll you'll
""".split())
