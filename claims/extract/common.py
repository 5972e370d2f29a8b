"""What every extraction step shares: the sentence segmenter, quote marks, the records' dataclasses and
the structure helpers (sections, sentences, anchors)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from anchorpoint.textselectors import TextPositionSelector

from .. import rules
from ..models import CONTEXT_CHARS, AttributionKind, Block, QuoteKind
from ..segment import segmenter

# pysbd compiles patterns per abbreviation and rule as it goes (re's module cache); beyond the
# default 512 entries a long article recompiled the same ones again and again (measured: a
# quarter of extraction time on 20 KB articles). The cache keeps compiled patterns only.
re._MAXCACHE = max(getattr(re, "_MAXCACHE", 512), 8192)  # type: ignore[attr-defined]
# pysbd with offsets found in linear time (claims.segment); verified below, they can drift.
_SEGMENTER = segmenter()

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



class _SpeechVerbs:
    """:data:`claims.rules.SPEECH_VERB`, except a capitalised form right after a capitalised word:
    that is part of a name ("United States", "Consumer Reports"), not someone speaking."""

    _verb = re.compile(rules.SPEECH_VERB, re.IGNORECASE)
    _name_before = re.compile(r"[A-Z][\w'’.-]*\s+$")

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        for match in self._verb.finditer(text, pos, end):
            if not (match.group(0)[:1].isupper() and self._name_before.search(text, max(0, match.start() - 40),
                                                                               match.start())):
                return match
        return None


_SPEECH = _SpeechVerbs()
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
    speaker_index: int | None = None
    partial: bool = False


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
