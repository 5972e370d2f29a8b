"""Classifying quotations (source, term, rhetorical) and crediting them: lead-ins, credits after,
named and vague sources; and building the quote records."""

from __future__ import annotations

import re
from bisect import bisect_right

from .. import rules
from ..models import AttributionKind, Block, Quote, QuoteFragment
from .common import (
    _READER,
    _SPEECH,
    _TERM_MARKER,
    CLOSING_RE,
    COORDINATION_RE,
    ELLIPSIS_RE,
    LEAD_IN_END_RE,
    PROSE_KINDS,
    TRAILING_PUNCT_RE,
    WORD_RE,
    _anchor,
    _QuoteInfo,
    _QuoteSpan,
    _Sentence,
    _sentence_at,
    _strip_span,
)


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
        speaker_index=info.speaker_index,
        partial=info.partial,
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
