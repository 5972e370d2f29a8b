"""Extract quotes, check-worthy claims and consistency findings from one article.

``extract(doc)`` takes the :class:`~claims.models.Document` a reader built and returns an
:class:`~claims.models.Extraction`. Every record's ``start``/``end`` index ``doc.text`` exactly;
``prefix``/``suffix`` are the W3C TextQuoteSelector context (``CONTEXT_CHARS`` each side). The
language rules (hedges, attribution, check-worthiness, categories) live in :mod:`claims.rules`.

Quotes
    Straight and curly double quotes (and « », „ “) are paired within a block. Single quotes are
    quote marks only at top level, never inside words (it’s, don’t) and never inside a double
    quotation, where they are a nested quote and stay part of the outer quotation's text. A
    Markdown/HTML block quote (consecutive ``blockquote`` blocks) is one quotation, its marks
    stripped if it has them; so is a paragraph that is entirely one quotation. A block quote that
    holds only quotations in marks and their credits (``> “It works,” said a salesperson.``,
    ``> According to researchers, “...”``) is read like running text instead: each marked span is
    a quotation, credited by the words beside it; marks around a term or a nested quotation in a
    block quote's own prose leave it one quotation. ``Quote.text`` never includes the quote
    marks. An ellipsis (… , ..., [...]) splits a quotation into ``Quote.fragments``; every quote
    has at least one fragment so later checks can verify fragments uniformly.

    Kinds: ``rhetorical`` — a question put in the reader's mouth (“Can you…?” you might be
    wondering); ``term`` — a word or phrase in scare quotes or introduced as a name (the phrase
    “X”, so-called “X”); ``source`` — someone's words: a block quotation, a quotation credited with
    a speech verb (“...,” she said; experts say “...”), or an unattributed quotation of
    :data:`claims.rules.SOURCE_MIN_WORDS` words or more. Quotes joined by "and"/"or" share their
    attribution (Experts say X “a” and “b”).

    A paragraph without quote marks after a lead-in that ends in ":" and credits someone with an
    attribution verb ("Dr. Smith explained:") is a quotation too, like a block quotation; a colon
    before a list or without such a verb ("we're going to dig into:") introduces no one's words.

    Attribution of a block quotation comes from a lead-in (the previous paragraph's last sentence
    ending in ":" — "As one study noted:" — or "she said,"), or from a credit after it: a dash line
    ("— Dr. Jane Smith"), a dash credit ending its last paragraph, or a last line that only names
    a source (an HTML ``<cite>``). An inline quotation ending its sentence may be credited by the
    next sentence pointing back at it ("That is how Dr. Smith put it.";
    :data:`claims.rules.CREDIT_SENTENCE`). ``named`` when it names a person, body or publication
    (Dr. Jane Smith, Park said, the FDA, Harvard researchers, the Journal of X, a study in JAMA
    Dermatology); ``vague`` when a phrase signals a source but names none (one study, a review,
    experts say, research shows, "In clinical terms:" — a lead-in by position still claims a
    source); ``none`` when nothing credits the words. A credit after the quotation runs to the end of its sentence
    as pysbd finds it, so "said Dr. Anna Park." keeps its title.

Claims
    Paragraph and list-item blocks are split into sentences by pysbd (one module-level
    Segmenter), each mapped back to exact, whitespace-stripped offsets. A sentence is scored on the
    article's own words: source and rhetorical quotations inside it are masked out first. Headings
    are never claims, nor are questions, instructions and calls to action, asides, talk about the
    post itself, lead-ins that only introduce a quotation, and list fragments without a verb.

    Decision: a quotation is a quote record, not a claim. Block quotations and quotation
    paragraphs produce no claims; a sentence that contains a quotation is a claim only if its own
    words (quotation masked) make one ("Experts say X “...”, but the evidence is thin.").
    ``Claim.quote_index`` points at the quotation a claim leans on: one inside the sentence, or one
    the article presents as its evidence — the answer or conclusion right after it, a first
    statement that continues it, and, until the next heading or source quotation, sentences that
    conclude ("So no, it’s not hype.") or appeal to evidence ("rooted in research") or to
    authority ("experts agree"; :data:`claims.rules.AUTHORITY_APPEAL`); see
    :class:`_Links`. A claim's hedges are looked for in its main clause only: "might" in "while the
    term might sound" or "the way surgical lifts might" qualifies no assertion.

Findings (``Finding.kind``)
    ``near_duplicate_quote`` — two source quotes share most of their wording (rapidfuzz
    token_set_ratio over normalised text) but differ in wording or attribution; each quote is
    paired with at most one earlier quote, so the output stays linear in article size. Its message
    says each fact once: both quotes with their credits, how similar, where the wording differs.
    ``vague_attribution`` / ``no_attribution`` — a source quote credited to no one in particular,
    or to nobody (only when nothing credits it). ``possible_overstatement`` — an unhedged claim
    leaning on a hedged quotation ("the data suggest", "limited sample sizes", "promising", "the
    trials were small") that states an effect as settled, also by appeal to authority ("So experts
    agree it works."); a negated limit ("it won't replace your injector") or a platitude with no
    effect word is not one.

Everything is linear in the article's size: blocks, sentences and quotes are visited a bounded
number of times; the only pairwise step compares distinct quote texts that share rare words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pysbd
from anchorpoint.textselectors import TextPositionSelector
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from . import rules
from .models import (
    CONTEXT_CHARS,
    AttributionKind,
    Block,
    Claim,
    ClaimCategory,
    Document,
    Extraction,
    Finding,
    Quote,
    QuoteFragment,
    QuoteKind,
)

__all__ = ["extract"]

# Building a Segmenter compiles many regexes; build it once. clean=False keeps the text intact so
# spans map back to the original; char_span gives offsets (verified below, pysbd's can drift).
_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)

PROSE_KINDS = frozenset({"paragraph", "list_item"})
DOUBLE_OPEN = "“«„"
DOUBLE_CLOSE = "”»"
SINGLE_MARKS = "'‘’"
ELLIPSIS_RE = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.)\s*")
# What may follow the closing mark of a quotation that fills its paragraph.
TRAILING_PUNCT_RE = re.compile(r"^[\s.,;:!?)\]]*$")
# A credit line under a block quotation: "— Dr. Jane Smith, Harvard".
CREDIT_RE = re.compile(r"^[\s,.]*[—–-]{1,2}\s*(\S.*)$", re.DOTALL)
# The same credit at the end of a block quote's last paragraph, after the quotation's final stop.
TRAILING_CREDIT_RE = re.compile(r"(?<=[.!?…\"”’»])\s*(?:[—–]|--)\s*(\S[^—–]*?)\s*$")
# A credit longer than this (in words) is prose, not a credit.
CREDIT_MAX_WORDS = 15
# A lead-in that hands over to a quotation without a colon: "..., she said," / "as she put it."
LEAD_IN_END_RE = re.compile(
    r"(?:,|\b(?:put\s+it|puts\s+it|said|says|wrote|writes|explains?|explained|notes?|noted|"
    r"describes?\s+it|told\s+us)(?:\s+(?:this\s+way|it\s+best|as\s+follows|bluntly|simply))?\s*\.)$",
    re.IGNORECASE,
)
# Words between two quotes that coordinate them ("a" and "b"): they share an attribution.
COORDINATION_RE = re.compile(r"^[\s,;]*(?:and|or|and\s+then|as\s+well\s+as)?[\s,;]*$", re.IGNORECASE)
CLOSING_RE = re.compile(r"[\s\"'”’»)\]]+$")
WORD_RE = re.compile(r"[A-Za-z][\w’'-]*")
TOPIC_WORD_RE = re.compile(r"[a-z][a-z-]{3,}")
PARENS_RE = re.compile(r"\([^()]*\)")
# A sentence-ending mark followed by more text: only then can a block hold several sentences.
INNER_BOUNDARY_RE = re.compile(r"[.!?…;:][\"'”’»)\]]*\s+\S")

_SPEECH = re.compile(rules.SPEECH_VERB, re.IGNORECASE)
_VAGUE = re.compile(rules.VAGUE_SOURCE, re.IGNORECASE)
_TERM_MARKER = re.compile(rules.TERM_MARKER, re.IGNORECASE)
_READER = re.compile(rules.READER_ADDRESS, re.IGNORECASE)
_FINITE = re.compile(rules.FINITE_VERB, re.IGNORECASE)
_TOPIC_ITEM = re.compile(rules.TOPIC_ITEM_START, re.IGNORECASE)
_QUOTE_LEAD = re.compile(rules.QUOTE_LEAD_VERB, re.IGNORECASE)

@dataclass
class _Sentence:
    start: int
    end: int
    block: int


@dataclass
class _QuoteSpan:
    """A quotation before classification: inner text offsets plus where its marks sit."""

    start: int
    end: int
    open_at: int  # offset of the opening mark (== start for unmarked block quotes)
    close_at: int  # offset just past the closing mark (== end when unmarked)
    block: int  # index of the block holding the opening mark
    block_level: bool  # a block quote or a paragraph that is entirely this quotation
    last_block: int = -1  # last block a block-level quotation covers
    credit: str | None = None  # credit line after a block quotation


@dataclass
class _QuoteInfo:
    span: _QuoteSpan
    kind: QuoteKind
    attribution: str | None = None
    speaker: str | None = None
    attribution_kind: AttributionKind = "none"


@dataclass
class _Scored:
    sentence: _Sentence
    text: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    excluded: str | None = None
    hedged: bool = False
    quote_index: int | None = None
    own: str = ""  # the sentence's own words (quotations masked), for the category step


def extract(doc: Document) -> Extraction:
    """Quotes, claims and findings for one article; offsets index ``doc.text``."""
    text = doc.text
    folded = rules.fold(text)
    blocks = sorted(doc.blocks, key=lambda b: (b.start, b.end))
    sections = _sections(text, blocks)

    sentences = _sentences(text, blocks)
    sentence_starts = [s.start for s in sentences]
    spans = _find_quotes(text, blocks, sentences, sentence_starts)
    infos = _classify_quotes(text, folded, blocks, spans, sentences, sentence_starts)
    quotes = [_quote_record(text, info, sections) for info in infos]

    scored = _score_sentences(text, folded, blocks, sentences, infos)
    claim_scored = [s for s in scored if s.excluded is None and s.score >= rules.CLAIM_THRESHOLD]
    claims = [_claim_record(text, s, sections) for s in claim_scored]

    findings = _attribution_findings(quotes)
    findings += _near_duplicate_findings(quotes)
    findings += _overstatement_findings(quotes, claims, [s.own for s in claim_scored])
    return Extraction(quotes=quotes, claims=claims, findings=findings)


# ---------------------------------------------------------------------------------------------
# Structure helpers
# ---------------------------------------------------------------------------------------------


def _sections(text: str, blocks: list[Block]) -> list[str | None]:
    """For each block, the text of the nearest heading at or before it (the title is no section)."""
    out: list[str | None] = []
    current: str | None = None
    for block in blocks:
        if block.kind == "heading":
            current = text[block.start : block.end].strip() or None
        out.append(current)
    return out


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    if start < len(text):
        selector = TextPositionSelector(start=start, end=end).as_quote(
            text, left_margin=CONTEXT_CHARS, right_margin=CONTEXT_CHARS
        )
        return selector.prefix, selector.suffix
    # anchorpoint refuses a range at the very end of the text; the slices are the same thing.
    return text[max(0, start - CONTEXT_CHARS) : start], ""


def _anchor(text: str, start: int, end: int, section: str | None) -> dict[str, object]:
    """The fields every anchored record shares: offsets, exact text, context and section."""
    prefix, suffix = _context(text, start, end)
    return {"start": start, "end": end, "text": text[start:end], "prefix": prefix, "suffix": suffix, "section": section}


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str, blocks: list[Block]) -> list[_Sentence]:
    """Sentences of every paragraph, list item and block quote, with exact stripped offsets."""
    out: list[_Sentence] = []
    for bi, block in enumerate(blocks):
        if block.kind not in PROSE_KINDS and block.kind != "blockquote":
            # A heading is one unit: quotes in it need a context, but it is never a claim.
            out.append(_Sentence(block.start, block.end, bi))
            continue
        body = text[block.start : block.end]
        if not INNER_BOUNDARY_RE.search(body):
            # No sentence-ending mark before the end: one sentence, no need to run pysbd.
            start, end = _strip_span(text, block.start, block.end)
            if end > start:
                out.append(_Sentence(start, end, bi))
            continue
        cursor = 0
        for piece in _SEGMENTER.segment(body):
            sent = piece.sent
            if body[piece.start : piece.end] == sent and piece.start >= cursor:
                local = piece.start
            else:
                # pysbd's spans can drift on repeated sentences; find the text from the cursor.
                local = body.find(sent, cursor)
                if local < 0:
                    local = body.find(sent.strip(), cursor)
                    sent = sent.strip()
                if local < 0:
                    continue
            start, end = _strip_span(text, block.start + local, block.start + local + len(sent))
            cursor = local + len(sent)
            if end > start:
                out.append(_Sentence(start, end, bi))
    return out


def _sentence_at(offset: int, sentences: list[_Sentence], starts: list[int]) -> _Sentence | None:
    i = bisect_right(starts, offset) - 1
    if i >= 0 and sentences[i].start <= offset < max(sentences[i].end, sentences[i].start + 1):
        return sentences[i]
    return None


# ---------------------------------------------------------------------------------------------
# Finding quotations
# ---------------------------------------------------------------------------------------------


def _double_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level double-quote pairs (open offset, close offset) in ``text[start:end]``.

    Curly marks say which way they face; a straight mark opens when no quote is open and closes
    otherwise. A quote left open at the end of the block counts only if it opened the block
    (the convention for a quotation running over several paragraphs).
    """
    pairs: list[tuple[int, int]] = []
    depth = 0
    open_at = -1
    for i in range(start, end):
        ch = text[i]
        if ch == '"':
            if depth == 0:
                depth, open_at = 1, i
            elif depth == 1:
                pairs.append((open_at, i))
                depth = 0
            else:
                depth -= 1
        elif ch in DOUBLE_OPEN and not (ch == "“" and depth == 1 and text[open_at] == "„"):
            if depth == 0:
                open_at = i
            depth += 1
        elif ch in DOUBLE_CLOSE or ch == "“":
            if depth == 1:
                pairs.append((open_at, i))
                depth = 0
            elif depth > 1:
                depth -= 1
    if depth and open_at >= 0 and not text[start:open_at].strip():
        pairs.append((open_at, end))
    return pairs


def _single_pairs(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Top-level single-quote pairs, ignoring apostrophes and anything inside double quotes."""
    pairs: list[tuple[int, int]] = []
    open_at = -1
    skip_iter = iter(sorted(skip))
    current = next(skip_iter, None)
    i = start
    while i < end:
        while current is not None and i > current[1]:
            current = next(skip_iter, None)
        if current is not None and current[0] <= i <= current[1]:
            i = current[1] + 1
            continue
        ch = text[i]
        if ch in SINGLE_MARKS:
            before = text[i - 1] if i > start else " "
            after = text[i + 1] if i + 1 < end else " "
            if before.isalnum() and after.isalnum():
                pass  # an apostrophe inside a word: it’s, don't
            elif ch != "’" and not before.isalnum() and not after.isspace() and after not in SINGLE_MARKS:
                open_at = i  # a later opener replaces an unclosed one (’90s, 'em)
            elif ch != "‘" and open_at >= 0 and not before.isspace() and not after.isalnum():
                if i - open_at > 1 and i - open_at <= 300:
                    pairs.append((open_at, i))
                open_at = -1
        i += 1
    return pairs


def _introduced_without_marks(text: str, blocks: list[Block], bi: int, sentences: list[_Sentence],
                              starts: list[int]) -> bool:
    """Whether paragraph ``bi`` is a quotation set without quote marks after a lead-in.

    Writers often introduce a quotation with a line ending in ":" and set the words as their own
    paragraph, unmarked ("Dr. Smith explained:" then the explanation). The lead-in must credit
    someone with an attribution verb; "we're going to dig into:" before a list introduces no one's
    words. A paragraph that opens with a quote mark is left to the quote-mark rules.
    """
    block = blocks[bi]
    if bi == 0 or block.kind != "paragraph" or blocks[bi - 1].kind not in PROSE_KINDS:
        return False
    body = text[block.start : block.end].lstrip()
    if not body or body[0] in DOUBLE_OPEN or body[0] in "\"'‘" or body.rstrip().endswith(":"):
        return False
    prev = blocks[bi - 1]
    lead_sentence = _sentence_at(max(prev.start, prev.end - 1), sentences, starts)
    if lead_sentence is None:
        return False
    lead = rules.fold(text[lead_sentence.start : lead_sentence.end]).rstrip()
    return (lead.endswith(":") and len(WORD_RE.findall(lead)) <= rules.QUOTE_LEAD_MAX_WORDS
            and _QUOTE_LEAD.search(lead) is not None)


def _find_quotes(text: str, blocks: list[Block], sentences: list[_Sentence], starts: list[int]) -> list[_QuoteSpan]:
    spans: list[_QuoteSpan] = []
    bi = 0
    while bi < len(blocks):
        block = blocks[bi]
        if _introduced_without_marks(text, blocks, bi, sentences, starts):
            # The whole paragraph is the quotation; quote marks inside it stay part of its text,
            # as they do in a block quotation.
            start, end = _strip_span(text, block.start, block.end)
            if end > start:
                spans.append(_QuoteSpan(start, end, start, end, bi, True, bi))
                bi += 1
                continue
        if block.kind == "blockquote":
            # Consecutive block-quote blocks are one quotation; a closing credit line is its credit.
            last = bi
            while last + 1 < len(blocks) and blocks[last + 1].kind == "blockquote":
                last += 1
            credit = None
            body_last = last
            if last > bi:
                credit = _credit_line(text[blocks[last].start : blocks[last].end])
                if credit is not None:
                    body_last = last - 1
            credited = (None if credit is not None
                        else _credited_quotations(text, blocks, bi, body_last, sentences, starts))
            if credited is not None:
                # Quotations with their credits set inside the block quote ("“...,” said X."):
                # each is a quotation of its own, credited as in running text.
                spans.extend(credited)
                bi = last + 1
                continue
            body_end = blocks[body_last].end
            if credit is None:
                trailing = TRAILING_CREDIT_RE.search(text, blocks[body_last].start, body_end)
                if trailing is not None and _unpunctuated_credit(trailing.group(1)):
                    credit, body_end = trailing.group(1).strip(), trailing.start()
            span = _block_quote_span(text, bi, blocks[bi].start, body_end)
            if span is not None:
                span.last_block, span.credit = body_last, credit
                spans.append(span)
            bi = last + 1
            continue
        spans.extend(_marked_spans(text, block, bi, _marked_pairs(text, block.start, block.end)))
        bi += 1
    return spans


def _marked_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level double and single quote pairs in ``text[start:end]``, in reading order."""
    pairs = _double_pairs(text, start, end)
    return sorted(pairs + _single_pairs(text, start, end, pairs))


def _marked_spans(text: str, block: Block, bi: int, marked: list[tuple[int, int]]) -> list[_QuoteSpan]:
    """Quotations set in quote marks within one block.

    A quotation that opens its block and is followed only by punctuation fills a prose block (it
    is block-level); one followed by a dash credit ("“...” — Dr. Jane Smith") does too, in a prose
    block or a block quote.
    """
    spans: list[_QuoteSpan] = []
    for n, (open_at, close_at) in enumerate(marked):
        start, end = _strip_span(text, open_at + 1, close_at)
        if end <= start:
            continue
        after = text[close_at + 1 : block.end] if close_at < block.end else ""
        whole = False
        credit = None
        if n == 0 and open_at == block.start and (block.kind in PROSE_KINDS or block.kind == "blockquote"):
            if TRAILING_PUNCT_RE.match(after):
                whole = block.kind in PROSE_KINDS
            else:
                credit_match = CREDIT_RE.match(after)
                if credit_match and len(credit_match.group(1).split()) <= CREDIT_MAX_WORDS:
                    whole, credit = True, credit_match.group(1).strip().rstrip(".")
        spans.append(_QuoteSpan(start, end, open_at, min(close_at + 1, block.end), bi, whole,
                                bi if whole else -1, credit))
    return spans


def _credit_line(line: str) -> str | None:
    """The credit a block quotation's last line gives, if that line is only a credit.

    A dash line ("— Dr. Jane Smith, Harvard") is one; so is a short line that names a source and
    ends without a sentence's punctuation (an HTML ``<cite>``: "Dr. Jane Smith"), since a line of
    the quotation itself would be a sentence.
    """
    credit_match = CREDIT_RE.match(line)
    if credit_match:
        credit = credit_match.group(1).strip()
        return credit if len(credit.split()) <= CREDIT_MAX_WORDS else None
    line = " ".join(line.split())
    return line if _unpunctuated_credit(line) and _named_source(line) else None


def _unpunctuated_credit(phrase: str) -> bool:
    """Whether ``phrase`` is short and ends as a name does, not as a sentence or a quotation."""
    words = phrase.split()
    if not words or len(words) > CREDIT_MAX_WORDS or phrase[-1] in "!?:;,\"”’»":
        return False
    return not phrase.endswith(".") or words[-1] in rules.NAME_ABBREVIATIONS


def _credited_quotations(text: str, blocks: list[Block], first: int, last: int, sentences: list[_Sentence],
                         starts: list[int]) -> list[_QuoteSpan] | None:
    """The quotations of block quote ``blocks[first..last]`` when it holds only quotations and
    their credits, or None when it is one quotation as a whole.

    A block quote can set a quotation with its credit in running-text style:
    ``> "It works for everyone," said a salesperson.`` or ``> According to researchers, "...".``
    Then the quotation is the marked words and the credit is an attribution, as in a paragraph.
    That holds only if every block has quote marks, every sentence holds a quotation, and the
    words outside the marks are credits (a speech verb or a dash credit, at most
    :data:`claims.rules.LEAD_IN_MAX_WORDS` words each) or join two quotations, with at least one
    credit. Otherwise (no inner marks, or marks around a term or a nested quotation inside the
    speaker's own words) the block quote stays one quotation.

    A paragraph of the block quote that is wholly one quotation, uncredited, is the same speaker
    going on: it is block-level (a lead-in before the block quote credits it, as usual) and
    otherwise takes the nearest credit in the block quote, before it or else after it.
    """
    per_block: list[tuple[int, list[tuple[int, int]], str | None]] = []
    for bi in range(first, last + 1):
        block = blocks[bi]
        start, end = _strip_span(text, block.start, block.end)
        marked = _marked_pairs(text, start, end)
        if not marked:
            return None
        credit = None
        cursor = start
        for n, (open_at, close_at) in enumerate([*marked, (end, end)]):
            raw = text[cursor:open_at]
            segment = rules.fold(raw)
            cursor = close_at + 1
            words = WORD_RE.findall(segment)
            if not words or COORDINATION_RE.match(segment):
                continue
            if len(words) > rules.LEAD_IN_MAX_WORDS:
                return None
            dash = CREDIT_RE.match(raw) if n == len(marked) else None
            if dash is not None:
                credit = credit or dash.group(1)
            elif _SPEECH.search(segment):
                credit = credit or (raw if n == 0 else _credit_after(raw))
            else:
                return None
        for si in range(bisect_left(starts, block.start), bisect_right(starts, block.end)):
            sentence = sentences[si]
            if sentence.block == bi and not any(o < sentence.end and sentence.start <= c for o, c in marked):
                return None
        per_block.append((bi, marked, credit))
    credits = [credit for _, _, credit in per_block if credit]
    if not credits:
        return None
    out: list[_QuoteSpan] = []
    inherited: str | None = None
    for bi, marked, credit in per_block:
        block = blocks[bi]
        start, end = _strip_span(text, block.start, block.end)
        open_at, close_at = marked[0]
        if (credit is None and len(marked) == 1 and open_at == start
                and TRAILING_PUNCT_RE.match(text[close_at + 1 : end])):
            inner_start, inner_end = _strip_span(text, open_at + 1, close_at)
            if inner_end > inner_start:
                out.append(_QuoteSpan(inner_start, inner_end, open_at, min(close_at + 1, end), bi, True, bi,
                                      inherited or credits[0]))
            continue
        inherited = credit or inherited
        out += _marked_spans(text, block, bi, marked)
    return out or None


def _block_quote_span(text: str, bi: int, start: int, end: int) -> _QuoteSpan | None:
    start, end = _strip_span(text, start, end)
    if end <= start:
        return None
    first, last = text[start], text[end - 1]
    if (first in DOUBLE_OPEN or first == '"') and (last in DOUBLE_CLOSE or last in '"“'):
        inner_start, inner_end = _strip_span(text, start + 1, end - 1)
        # Only strip marks that belong together: "a" and "b" is two quotes, not one.
        pairs = _double_pairs(text, start, end)
        if inner_end > inner_start and pairs and pairs[0] == (start, end - 1):
            return _QuoteSpan(inner_start, inner_end, start, end, bi, True)
    return _QuoteSpan(start, end, start, end, bi, True)


# ---------------------------------------------------------------------------------------------
# Classifying quotations and their attribution
# ---------------------------------------------------------------------------------------------


def _clean_attribution(phrase: str) -> str | None:
    phrase = " ".join(phrase.split()).strip(" ,;:—–-\"'“”‘’")
    return phrase or None


def _named_source(phrase: str) -> str | None:
    """The person, body or publication a phrase names, if any."""
    for named in rules.NAMED_SOURCES:
        for match in named.pattern.finditer(phrase):
            groups = [g for g in match.groups() if g]
            words = (groups[0] if groups else match.group(0)).strip(" ,;:").split()
            if words and words[-1].endswith(".") and words[-1] not in rules.NAME_ABBREVIATIONS:
                words[-1] = words[-1].rstrip(".")
            if named.drop_generic:
                while words and words[0].strip(".") in rules.NOT_A_NAME:
                    words = words[1:]
            if len(words) < named.min_words or not any(w[:1].isupper() for w in words):
                continue
            name = " ".join(words)
            if named.reject is not None and named.reject.fullmatch(name):
                continue
            if named.require is not None and not named.require.search(name):
                continue
            return name
    return None


def _credit_after(phrase: str) -> str:
    """The credit that follows a quotation, up to the end of its clause ("said Dr. Anna Park.").

    pysbd already ends the sentence in the right place (it knows "Dr." is no sentence end), so
    only a clause break, or the full stop that ends the sentence or precedes a new quotation, is
    cut here; cutting at the first "." would leave "said Dr". A stop that belongs to the name
    ("Smith et al.", "King Jr.") stays.
    """
    phrase = re.split(r"[;!?]", phrase, maxsplit=1)[0]
    stop = re.search(r"\.(?=\s+[\"“'‘]|\s*$)", phrase)
    if stop is not None:
        words = phrase[: stop.end()].split()
        keep = bool(words) and words[-1] in rules.NAME_ABBREVIATIONS
        phrase = phrase[: stop.end() if keep else stop.start()]
    return phrase


def _attribute(phrase: str | None) -> tuple[str | None, str | None, AttributionKind]:
    attribution = _clean_attribution(phrase) if phrase else None
    if attribution is None:
        return None, None, "none"
    speaker = _named_source(attribution)
    return attribution, speaker, "named" if speaker else "vague"


def _lead_in(text: str, blocks: list[Block], span: _QuoteSpan, sentences: list[_Sentence],
             starts: list[int]) -> str | None:
    """The sentence before a block quotation that introduces it ("As one study noted:")."""
    if span.block == 0:
        return None
    prev = blocks[span.block - 1]
    if prev.kind not in PROSE_KINDS:
        return None
    sentence = _sentence_at(max(prev.start, prev.end - 1), sentences, starts)
    if sentence is None:
        return None
    lead = text[sentence.start : sentence.end]
    if lead.rstrip().endswith(":") or LEAD_IN_END_RE.search(rules.fold(lead).rstrip()):
        return lead
    return None


def _classify_quotes(text: str, folded: str, blocks: list[Block], spans: list[_QuoteSpan],
                     sentences: list[_Sentence], starts: list[int]) -> list[_QuoteInfo]:
    infos: list[_QuoteInfo] = []
    for n, span in enumerate(spans):
        inner = folded[span.start : span.end]
        is_question = CLOSING_RE.sub("", inner).endswith("?")
        if span.block_level:
            phrase = _lead_in(text, blocks, span, sentences, starts) or span.credit
            attribution, speaker, kind = _attribute(phrase)
            infos.append(_QuoteInfo(span, "source", attribution, speaker, kind))
            continue
        # Context inside the sentence: back to the previous quote, forward to the next one.
        open_sentence = _sentence_at(span.open_at, sentences, starts)
        close_sentence = _sentence_at(max(span.open_at, span.close_at - 1), sentences, starts) or open_sentence
        left_from = open_sentence.start if open_sentence else blocks[span.block].start
        previous = spans[n - 1] if n and spans[n - 1].block == span.block else None
        if previous is not None and previous.close_at > left_from:
            left_from = previous.close_at
        left = folded[left_from : span.open_at]
        right_to = close_sentence.end if close_sentence else blocks[span.block].end
        following = spans[n + 1] if n + 1 < len(spans) and spans[n + 1].block == span.block else None
        if following is not None and following.open_at < right_to:
            right_to = following.open_at
        right = folded[span.close_at : max(span.close_at, right_to)]
        right_head = " ".join(right.split()[:8])

        if is_question and (_READER.search(right) or _READER.search(left)
                            or not (_SPEECH.search(left) or _SPEECH.search(right_head))):
            infos.append(_QuoteInfo(span, "rhetorical"))
        elif _TERM_MARKER.search(left.rstrip(" ,")):
            infos.append(_QuoteInfo(span, "term"))
        elif previous is not None and infos and COORDINATION_RE.match(left):
            prior = infos[-1]
            infos.append(_QuoteInfo(span, prior.kind, prior.attribution, prior.speaker, prior.attribution_kind))
        elif left.rstrip().endswith(":") and len(left.split()) <= 15:
            infos.append(_QuoteInfo(span, "source", *_attribute(text[left_from : span.open_at])))
        elif _SPEECH.search(left):
            infos.append(_QuoteInfo(span, "source", *_attribute(text[left_from : span.open_at])))
        elif _SPEECH.search(right_head) and not _READER.search(right):
            phrase = _credit_after(text[span.close_at : span.close_at + len(right)])
            infos.append(_QuoteInfo(span, "source", *_attribute(phrase)))
        elif (credit := _credit_sentence_after(folded, span, right, sentences, starts, following)) is not None:
            infos.append(_QuoteInfo(span, "source", *_attribute(_credit_after(text[credit.start : credit.end]))))
        elif len(WORD_RE.findall(inner)) >= rules.SOURCE_MIN_WORDS:
            infos.append(_QuoteInfo(span, "source"))
        else:
            infos.append(_QuoteInfo(span, "term"))
    return infos


def _credit_sentence_after(folded: str, span: _QuoteSpan, right: str, sentences: list[_Sentence],
                           starts: list[int], following: _QuoteSpan | None) -> _Sentence | None:
    """A short sentence right after a quotation that credits it by referring back to it.

    "“...” That is how Dr. Jane Smith put it." or "Those were the words of one reviewer.": the
    quotation ends its sentence, and the next one (in the same block, with no quotation of its
    own) is a :data:`claims.rules.CREDIT_SENTENCE` of at most :data:`claims.rules.LEAD_IN_MAX_WORDS`
    words. "That claim is wrong, experts say." comments on the quotation instead; it credits it
    to no one.
    """
    if not TRAILING_PUNCT_RE.match(right):
        return None
    i = bisect_right(starts, span.close_at - 1)
    if i >= len(sentences) or sentences[i].block != span.block or sentences[i].start < span.close_at:
        return None
    sentence = sentences[i]
    if following is not None and following.open_at < sentence.end:
        return None
    words = folded[sentence.start : sentence.end]
    if rules.CREDIT_SENTENCE.match(words) and len(WORD_RE.findall(words)) <= rules.LEAD_IN_MAX_WORDS:
        return sentence
    return None


def _quote_record(text: str, info: _QuoteInfo, sections: list[str | None]) -> Quote:
    span = info.span
    return Quote(
        **_anchor(text, span.start, span.end, sections[span.block]),  # type: ignore[arg-type]
        kind=info.kind,
        attribution=info.attribution,
        speaker=info.speaker,
        attribution_kind=info.attribution_kind,
        fragments=_fragments(text, span.start, span.end),
    )


def _fragments(text: str, start: int, end: int) -> list[QuoteFragment]:
    """The pieces an ellipsis splits a quotation into (one piece when there is no ellipsis)."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in ELLIPSIS_RE.finditer(text, start, end):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    out: list[QuoteFragment] = []
    for a, b in pieces:
        a, b = _strip_span(text, a, b)
        if b > a and any(ch.isalnum() for ch in text[a:b]):
            out.append(QuoteFragment(seq=len(out), start=a, end=b, text=text[a:b]))
    if not out:
        out.append(QuoteFragment(seq=0, start=start, end=end, text=text[start:end]))
    return out


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


def _topic_terms(folded: str) -> list[str]:
    """The article's most frequent content words: sentences about them are on topic."""
    counts = Counter(w for w in TOPIC_WORD_RE.findall(folded.lower()) if w not in rules.STOPWORDS)
    return [w for w, c in counts.most_common(rules.TOPIC_TERMS) if c >= rules.TOPIC_MIN_COUNT]


def _topic_pattern(top: list[str]) -> re.Pattern[str] | None:
    if not top:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in top) + r")\b", re.IGNORECASE)


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
    top = _topic_terms(folded)
    topic = _topic_pattern(top)
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
    for si, sentence in enumerate(sentences):
        block = blocks[sentence.block]
        if block.kind not in PROSE_KINDS:
            continue  # headings, titles and block quotes are never claims
        item = _Scored(sentence, text[sentence.start : sentence.end])
        if sentence.block in block_quote_blocks:
            item.excluded = rules.QUOTATION_REASON
            out.append(item)
            continue
        own = _own_words(folded, sentence, masked_by_block.get(sentence.block, []))
        own_stripped = " ".join(own.split())
        quoted = own_stripped != " ".join(folded[sentence.start : sentence.end].split())
        item.excluded = _exclusion(own_stripped, block.kind, quoted, sentence, blocks, block_quote_blocks, text)
        if si in leans_on:
            item.quote_index = leans_on[si]
        if item.excluded is None:
            _score(item, own_stripped, topic, si in leans_on, si in contains, si in conclusion_sentences)
        out.append(item)
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


def _score(item: _Scored, own: str, topic: re.Pattern[str] | None, leans: bool, contains: bool,
           concludes: bool) -> None:
    fired: set[str] = set()
    for rule in rules.CHECKWORTHY:
        reason = rule.evaluate(own)
        if reason is not None:
            fired.add(rule.name)
            item.score += rule.weight
            item.reasons.append(reason)
    if topic is not None:
        match = topic.search(own)
        if match:
            fired.add("topic")
            item.score += rules.TOPIC_WEIGHT
            item.reasons.append(rules.TOPIC_REASON.format(m=match.group(0).lower()))
    if leans:
        fired.add("follows_quote")
        item.score += rules.FOLLOWS_QUOTE_WEIGHT
        item.reasons.append(rules.CONTAINS_QUOTE_REASON if contains else rules.FOLLOWS_QUOTE_REASON)
    if concludes:
        item.score += rules.CONCLUSION_WEIGHT
        item.reasons.append(rules.CONCLUSION_REASON)
    if not fired & rules.ANCHORS:
        item.excluded = rules.NO_ANCHOR_REASON
    main = _main_clauses(own)
    for rule in rules.HEDGES:
        match = rule.find(main)
        if match:
            item.hedged = True
            item.reasons.append(rule.explain(match))
    # item.score stays the raw sum of weights: CLAIM_THRESHOLD applies to it, and the stored
    # score is squashed from it (rules.checkworthiness) so no two sums tie at a clamp.
    item.own = own


def _main_clauses(own: str) -> str:
    """``own`` with subordinate clauses blanked, so hedges are looked for in the main assertion."""
    return rules.SUBORDINATE_CLAUSE.sub(lambda m: " " * len(m.group(0)), own)


def _category(own: str) -> ClaimCategory:
    best: ClaimCategory = "other"
    best_hits = 0
    for name, pattern in rules.CATEGORIES:
        hits = len(pattern.findall(own))
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _claim_record(text: str, item: _Scored, sections: list[str | None]) -> Claim:
    s = item.sentence
    return Claim(
        **_anchor(text, s.start, s.end, sections[s.block]),  # type: ignore[arg-type]
        category=_category(item.own or item.text),
        checkworthiness=rules.checkworthiness(item.score),
        reasons=item.reasons,
        hedged=item.hedged,
        quote_index=item.quote_index,
    )


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------


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
    similar: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for ti, t in enumerate(distinct):
        shared = Counter(tj for word in set(t.split()) if len(word) >= 5 for tj in index[word] if tj < ti)
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
