"""Finding quotations: quote-mark pairs, block quotations, credited quotations in block quotes and
unmarked quotations after a lead-in."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .. import rules
from ..models import Block
from .attribution import _credit_after, _named_source
from .common import (
    _QUOTE_LEAD,
    _SPEECH,
    COORDINATION_RE,
    CREDIT_MAX_WORDS,
    CREDIT_RE,
    DOUBLE_CLOSE,
    DOUBLE_OPEN,
    PROSE_KINDS,
    SINGLE_MARKS,
    TRAILING_CREDIT_RE,
    TRAILING_PUNCT_RE,
    WORD_RE,
    _QuoteSpan,
    _Sentence,
    _sentence_at,
    _strip_span,
)


def _double_pairs(text: str, start: int, end: int, runs_on: bool = False) -> list[tuple[int, int]]:
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
    # A quotation left open at the end of its paragraph runs on into the next one when that one
    # opens with a quote mark (news convention): ``runs_on`` says the next block does.
    if depth and open_at >= 0 and (runs_on or not text[start:open_at].strip()):
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
        runs_on = (bi + 1 < len(blocks) and blocks[bi + 1].kind in PROSE_KINDS and block.kind in PROSE_KINDS
                   and text[blocks[bi + 1].start : blocks[bi + 1].start + 1] in DOUBLE_OPEN + '"')
        spans.extend(_marked_spans(text, block, bi, _marked_pairs(text, block.start, block.end, runs_on)))
        bi += 1
    return spans


def _marked_pairs(text: str, start: int, end: int, runs_on: bool = False) -> list[tuple[int, int]]:
    """Top-level double and single quote pairs in ``text[start:end]``, in reading order."""
    pairs = _double_pairs(text, start, end, runs_on)
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
