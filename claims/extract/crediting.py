"""Crediting every quotation to its speaker: the pass after classification.

:func:`credit_quotes` reads each quotation's credit with :mod:`.speakers`, re-types quotations
whose reporting decides their kind (a label someone gives is a partial ``source`` quote; a
title is ``title``), carries the last speaker over to follow-on quotations, and returns the
article's speaker records. The older phrase rules (:mod:`.attribution`) stay the fallback for
credits this pass does not read ("one study noted", "Harvard researchers found").
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .. import rules
from ..models import Block, Speaker
from . import lexicon as lx
from .common import (
    _TERM_MARKER,
    PROSE_KINDS,
    WORD_RE,
    _QuoteInfo,
    _QuoteSpan,
    _Sentence,
    _sentence_at,
)
from .reporting_verbs import REPORTING_FORMS
from .speakers import Credit, SpeakerIndex, credit_after, credit_before, is_naming, pronoun_credit

# A follow-on quotation keeps the last speaker across at most this many blocks.
CONTINUATION_BLOCKS = 2
# A block this short between two quotations (a photo caption) does not break the run.
CAPTION_MAX_WORDS = 25
# What may sit between two quotations of one credit: "and", "but a", "in", ", and that".
_SHARED_CREDIT_RE = re.compile(r"[\s,;]*(?:\(\(\w+\)\)\s*)?(?:(?:and|or|but|in|as|a|an|the|that|of|to|then|than|not|nor)\s*){0,4}[\s,;]*",
                               re.IGNORECASE)
# "products labeled as “…”": a participle after a thing, a label no one in the sentence gives
# ("Trump labeled it as “…”" has its object pronoun and is someone's words).
# So is a naming participle right before the quotation, with no object between: "a kind of
# spending called “earmarks”", "a condition known as “long COVID”" (active calling names its
# object first: "called the plan “…”").
_LABELLED_THING_RE = re.compile(r"\b(?!(?:it|them|him|her|this|that|these|those|he|she|they|we|i|who)\b)[a-z]\w*\s+"
                                r"(?:(?:labell?ed|branded|marketed|sold|advertised|billed|touted|promoted|packaged|"
                                r"described|known)\s+as|called|dubbed|named|nicknamed|labell?ed|termed|branded)"
                                r"(?:\s+(?:the|a|an))?\s*$")
# "used the term “Romnesia”": a word talked about, whatever verb ("term") the noun spells.
_WORD_TALKED_ABOUT_RE = re.compile(r"\b(?:the|a|an|this|that)\s+(?:term|word|words|phrase|label|name|buzzword|"
                                   r"expression|slogan|nickname|hashtag)\s*$", re.IGNORECASE)
_MARKED_WORD_RE = re.compile(r"[A-Za-z][\w’'-]*[.!?]?")
YEAR_RE = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
TITLE_CUE_RE = re.compile(
    r"\b(?:entitled|titled|episode|video|song|single|album|book|novel|film|movie|show|series|story|"
    r"stories|poem|play|article|column|headline|exhibit|exhibition|podcast|website|site|page|"
    r"section|report|paper|essay|painting|print|programme|program)\s*,?\s*$",
    re.IGNORECASE,
)


def _title_case(words: list[str]) -> bool:
    if any(w.endswith((".", "!", "?")) for w in words[:-1]):
        return False  # sentences inside: someone's words, not a title
    content = [w for w in words if len(w) > 3 or w[:1].isupper()]
    if len(words) < 2 or not content:
        return False
    return sum(w[:1].isupper() for w in content) >= 0.75 * len(content)


def _sentence_bounds(info: _QuoteInfo, sentences: list[_Sentence], starts: list[int],
                     blocks: list[Block]) -> tuple[int, int]:
    span = info.span
    first = _sentence_at(span.open_at, sentences, starts)
    last = _sentence_at(max(span.open_at, span.close_at - 1), sentences, starts) or first
    block = blocks[span.block]
    return (first.start if first else block.start), (last.end if last else block.end)


def _previous_sentence(sentence_start: int, block_index: int, blocks: list[Block],
                       sentences: list[_Sentence], starts: list[int]) -> _Sentence | None:
    i = bisect_right(starts, sentence_start - 1) - 1
    while i >= 0 and sentences[i].start >= sentence_start:
        i -= 1
    if i < 0:
        return None
    sentence = sentences[i]
    if sentence.block == block_index or (sentence.block == block_index - 1
                                         and blocks[sentence.block].kind in PROSE_KINDS):
        return sentence
    return None


def credit_quotes(text: str, blocks: list[Block], sentences: list[_Sentence], starts: list[int],
                  infos: list[_QuoteInfo]) -> list[Speaker]:
    masked = sorted((i.span.open_at, i.span.close_at) for i in infos)
    index = SpeakerIndex(text, masked, [(x.start, x.end) for x in sentences])
    folded = rules.fold(text)
    last_speaker: int | None = None
    last_block = -10
    last_end = -1
    for n, info in enumerate(infos):
        span = info.span
        if info.kind == "rhetorical":
            continue
        credit: Credit | None = None
        left_from, right_to = _sentence_bounds(info, sentences, starts, blocks)
        previous = infos[n - 1].span if n else None
        following = infos[n + 1].span if n + 1 < len(infos) else None
        if previous is not None and previous.block == span.block and previous.close_at > left_from:
            left_from = previous.close_at
        if following is not None and following.block == span.block and following.open_at < right_to:
            right_to = following.open_at
        words = WORD_RE.findall(folded[span.start : span.end])
        # The words with their sentence-ending marks: a title holds no sentence ends.
        marked = _MARKED_WORD_RE.findall(folded[span.start : span.end])
        index.talked_about = {w for w in words if w[:1].isupper()} - {words[0]} if words else set()

        if not span.block_level:
            left = folded[left_from : span.open_at]
            prior = infos[n - 1] if n else None
            if (prior is not None and previous is not None and previous.block == span.block
                    and prior.kind == "source" and prior.speaker_index is not None
                    and previous.close_at >= left_from and info.kind in ("term", "source")
                    and _SHARED_CREDIT_RE.fullmatch(folded[previous.close_at : span.open_at])):
                # “a,” but a “b” in “c”: words quoted in the same breath as a credited quotation.
                info.kind = "source"
                _apply(info, Credit(prior.attribution or "", prior.speaker_index, partial=True), index)
                last_speaker = prior.speaker_index
                continue
            if info.kind == "term":
                # A label someone gives is their words: "Trump called it “a disgrace”".
                if is_naming(text, left_from, span.open_at) and not _title_case(marked) and not re.search(
                        r"\b(?:was|were|is|are|be|been|being)\s+(?:\w+\s+)?\w+\s*$", left) \
                        and not _LABELLED_THING_RE.search(left) and not _WORD_TALKED_ABOUT_RE.search(left):
                    credit = credit_before(index, left_from, span.open_at)
                    if credit is not None and (credit.speaker is not None or credit.unnamed
                                               or pronoun_credit(credit.attribution)):
                        info.kind = "source"  # "Critics have dubbed the plan “Obamacare lite”" too
                        credit.partial = True
                    else:
                        credit = None
                if info.kind == "term" and not _TERM_MARKER.search(left.rstrip(" ,")) and not _title_case(marked) \
                        and not _LABELLED_THING_RE.search(left) and not _WORD_TALKED_ABOUT_RE.search(left):
                    # Quoted words inside reported speech: "Officials urged residents to “stay home”".
                    credit = credit_before(index, left_from, span.open_at, strict=True)
                    if credit is not None and credit.reported and (credit.speaker is not None or credit.unnamed):
                        info.kind = "source"
                        credit.partial = True
                    else:
                        credit = None
                if info.kind == "term" and re.search(r"[,!?]$", text[span.start : span.end]):
                    # “Go register,” Trump implored: a short quotation with its credit after it.
                    credit = credit_after(index, span.close_at, right_to)
                    if credit is not None and credit.speaker is not None:
                        info.kind = "source"
                    else:
                        credit = None
                if info.kind == "term":
                    if _title_case(marked) or TITLE_CUE_RE.search(left):
                        info.kind = "title"
                    _apply(info, None, index)
                    continue
            elif info.kind == "source" and _title_case(marked) and len(words) <= 12 and (
                    TITLE_CUE_RE.search(left) or re.search(r"\b(?:on|in|at|from|of|as|named|called|dubbed|nicknamed)\s*$", left)):
                info.kind = "title"
                _apply(info, None, index)
                continue
            after = text[span.close_at : span.close_at + 30]
            next_word = re.match(r"\s+([a-z][\w'’-]*)", after)
            if next_word and not re.search(r"[,.!?;:]$", text[span.start : span.end]) \
                    and next_word.group(1) not in rules.STOPWORDS and (next_word.group(1) not in REPORTING_FORMS
                                                                        or next_word.group(1) in lx.DOCUMENT_NOUNS):
                # A quotation inside a noun phrase (the "History" section): a name or a term.
                info.kind = "title" if _title_case(marked) else "term"
                _apply(info, None, index)
                continue
            if re.match(r"\s*[—–]", after) and YEAR_RE.search(text[span.close_at : right_to]) and len(words) <= 15:
                info.kind = "title"
                _apply(info, None, index)
                continue
            if credit is None:
                credit = credit_after(index, span.close_at, right_to)
            if credit is None:
                credit = credit_before(index, left_from, span.open_at)
            if credit is None and previous is not None and previous.block == span.block and n \
                    and infos[n - 1].kind == "source" and infos[n - 1].speaker_index is not None \
                    and previous.close_at >= left_from - 1 and len(folded[previous.close_at : span.open_at].split()) <= 6:
                # "“a,” she said, and later “b”": the same sentence's speaker goes on.
                prior = infos[n - 1]
                credit = Credit(prior.attribution or "", prior.speaker_index, partial=True)
            if credit is None and len(words) < 4 and span.open_at > left_from:
                info.kind = "term"
                _apply(info, None, index)
                continue
        else:
            if span.credit and YEAR_RE.search(span.credit) and len(words) <= 15:
                info.kind = "title"
                _apply(info, None, index)
                continue
            prev = _previous_sentence(span.start, span.block, blocks, sentences, starts)
            lead = text[prev.start : prev.end].rstrip() if prev is not None else ""
            block_end = blocks[span.last_block if span.last_block >= 0 else span.block].end
            if span.credit and span.close_at < block_end:
                # “…” - Acting EPA Administrator Andrew Wheeler: the dash credit, read as any credit.
                credit = credit_after(index, span.close_at, block_end)
                if credit is not None and credit.speaker is None:
                    credit = None
            reporter = None if credit is not None or lead.endswith(":") else _reporter_before(
                index, span.open_at, span.block, blocks, sentences, starts)
            if credit is not None:
                pass
            elif lead.endswith(":"):
                credit = credit_before(index, prev.start, prev.end)
            elif reporter is not None and (last_speaker is None or reporter[1] > last_end):
                # A paragraph that is all quotation after the writer reports someone's words in
                # their own ("She says that progress is at risk."): that person goes on.
                credit = Credit("", reporter[0])
            elif last_speaker is not None and not (info.attribution_kind == "named" and span.credit) \
                    and _continues(blocks, text, last_block, span.block, last_end, span.open_at):
                # A paragraph that is all quotation right after a credited one: the same speaker.
                credit = Credit("", last_speaker)

        if credit is None and info.kind == "source" and info.attribution_kind == "none" \
                and not span.block_level and _title_case(marked) and len(words) <= 12:
            info.kind = "title"  # an uncredited Title Case phrase: a name or a title
            _apply(info, None, index)
            continue
        if credit is None and info.kind == "source":
            # A lead-in: the sentence before names who speaks ("X issued a statement." / "X said:").
            prev = _previous_sentence(left_from, span.block, blocks, sentences, starts)
            opens = not text[left_from : span.open_at].strip()
            if prev is not None and opens and not span.credit and not any(
                    p.span.open_at < prev.end and prev.start < p.span.close_at for p in infos[max(0, n - 4) : n]):
                colon = text[prev.start : prev.end].rstrip().endswith(":")
                credit = credit_before(index, prev.start, prev.end, strict=not colon)
                if credit is not None and not colon and not _announces(text, prev.start, prev.end) and not (
                        credit.speaker is not None and index.speakers[credit.speaker].kind == "person"):
                    # "Other sites have stated that they will keep it." hands over nothing; "Roy
                    # Wadia, a spokesman, says China must share data." hands over to Wadia.
                    credit = None
                if credit is not None:
                    credit.partial = False
        if credit is None and info.kind == "source" and last_speaker is not None and (
                info.attribution_kind == "none" or not _own_sentence(text, info.attribution, left_from, span, right_to)):
            if _continues(blocks, text, last_block, span.block, last_end, span.open_at):
                credit = Credit("", last_speaker)
                info.attribution = None  # the phrase rules' credit was the sentence before's

        _apply(info, credit, index)
        if info.kind == "source" and info.speaker_index is not None:
            last_speaker, last_block, last_end = info.speaker_index, span.last_block if span.last_block >= 0 else span.block, span.close_at
    return [Speaker(name=s.name, kind=s.kind, description=s.description) for s in index.speakers]


# How many sentences back a reported speaker may hand over to a quotation paragraph.
REPORTER_SENTENCES = 3


def _reporter_before(index: SpeakerIndex, at: int, block: int, blocks: list[Block], sentences: list[_Sentence],
                     starts: list[int]) -> tuple[int, int] | None:
    """The person the writer last reported as speaking, in their own words ("McTiernan said the
    agency considers…"), in the few prose sentences before ``at``: (speaker, where)."""
    i = bisect_right(starts, at - 1) - 1
    for _ in range(REPORTER_SENTENCES):
        while i >= 0 and sentences[i].start >= at:
            i -= 1
        if i < 0 or block - sentences[i].block > CONTINUATION_BLOCKS or blocks[sentences[i].block].kind not in PROSE_KINDS:
            return None
        sentence = sentences[i]
        credit = credit_before(index, sentence.start, sentence.end, strict=True)
        if credit is not None and credit.speaker is not None and index.speakers[credit.speaker].kind == "person":
            return credit.speaker, sentence.start
        i -= 1
    return None


def _own_sentence(text: str, attribution: str | None, left_from: int, span: _QuoteSpan, right_to: int) -> bool:
    """Whether the phrase rules' credit lies in the quotation's own sentence (not in the one
    before: "“a,” she said. “b.”" credits b by following on, not by that "she said")."""
    if not attribution:
        return False
    around = " ".join(text[left_from : span.open_at].split()) + " " + " ".join(text[span.close_at : right_to].split())
    return attribution in around


def _continues(blocks: list[Block], text: str, last_block: int, block: int, last_end: int, at: int) -> bool:
    """Whether a quotation at ``at`` in ``block`` follows on from the last credited one."""
    if block == last_block:
        return True
    if block < last_block or block - last_block > CONTINUATION_BLOCKS:
        return False
    for bi in range(last_block + 1, block):
        b = blocks[bi]
        if b.kind == "heading" or len(text[b.start : b.end].split()) > CAPTION_MAX_WORDS:
            return False
    # The quotation must open its paragraph: a new paragraph of the writer's own words first
    # changes the subject.
    head = text[blocks[block].start : at].strip()
    return not head


def _apply(info: _QuoteInfo, credit: Credit | None, index: SpeakerIndex) -> None:
    info.speaker_index = None
    info.partial = False
    if info.kind != "source":
        info.attribution, info.speaker, info.attribution_kind = None, None, "none"
        return
    if credit is None:
        if info.attribution_kind == "named" and info.speaker:
            info.speaker_index = index.add(info.speaker, _kind_of(info.speaker), None, None, info.span.start)
            info.speaker = index.speakers[info.speaker_index].name
        return
    info.partial = credit.partial
    # The phrase rules' attribution is kept when they found one: it is the credit's wording.
    if credit.attribution and not info.attribution:
        info.attribution = credit.attribution
    if credit.speaker is not None:
        info.speaker_index = credit.speaker
        info.speaker = index.speakers[credit.speaker].name
        info.attribution_kind = "named"
    elif info.attribution_kind == "named" and info.speaker and not credit.unnamed:
        info.speaker_index = index.add(info.speaker, _kind_of(info.speaker), None, None, info.span.start)
    elif info.attribution:
        info.speaker, info.attribution_kind = None, "vague"


def _kind_of(name: str):  # noqa: ANN202
    from .names import _classify

    return _classify(name.split())


def _announces(text: str, start: int, end: int) -> bool:
    """Whether a sentence without a colon hands over to the quotation after it: "Cornyn issued a
    statement." or "Wilkins also said Warhol was a businessman." does; "Other sites have stated
    that they will keep the video." reports speech of its own and hands over nothing."""
    words = [w.casefold() for w in WORD_RE.findall(text[start:end])]
    if any(w in ("statement", "statements", "remarks", "letter", "message", "post", "tweet") for w in words):
        return True
    return "that" not in words and len(words) <= 20
