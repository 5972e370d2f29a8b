"""Quote verification: does the source's own text contain the quotation, and how exactly?

Each quotation (each fragment of one that an ellipsis splits, in order) is looked for in three
steps, cheapest first:

1. exact: ``str.find`` on the stored source text -> ``verbatim``;
2. normalised: quote marks, dashes, case, whitespace, ligatures and words hyphenated across a
   PDF line break are folded on both sides -> ``normalised``. :class:`Normalised` keeps an
   offset map so a match in the folded text is reported at its place in the stored text;
3. fuzzy: a few distinctive words of the quotation vote for candidate regions, rapidfuzz's
   ``partial_ratio_alignment`` scores each small region, and a word-level
   ``difflib.SequenceMatcher`` over the best region gives the span and the diff ->
   ``altered`` when enough of the quotation is there, else ``not_found``.

Nothing here scans the whole source with a fuzzy matcher: the fuzzy work is bounded by the
quotation's length, which is what keeps verification near the cost of a plain ``str.find``.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import sqlite_utils
from markupsafe import Markup, escape
from pydantic import Field
from rapidfuzz import fuzz

from .clock import now
from .models import Record

Result = Literal["verbatim", "normalised", "altered", "not_found", "no_text"]
# Worst first wins when the fragments of one quotation disagree.
SEVERITY: dict[str, int] = {"verbatim": 0, "normalised": 1, "altered": 2, "not_found": 3, "no_text": 4}

# A fuzzy match must cover this share of the quotation's words, at this character score.
MIN_WORD_COVERAGE = 0.5
MIN_SCORE = 60.0

ELLIPSIS_RE = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.)\s*")
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# Length-changing folds, each found with a pattern that starts with a literal (Python's re scans
# for a literal at memchr-like speed, but tests a character class at every position):
# - a line-break hyphen, "[-\u00ad\u2010][ \t]*\n\s*", is found as "-..." after the other two
#   hyphens are replaced by "-" in a scratch copy of the text;
# - a whitespace run, "\s\s+", as "  " after every whitespace character is replaced by a space;
# - a soft hyphen, ligature or ellipsis, by its own character, only if the text has it.
_HYPHEN_BREAK_RE = re.compile(r"-[ \t]*\n\s*")
_HYPHEN_LINE_RE = re.compile(r"-[ \t]*\n")
_WORD_CHAR_RE = re.compile(r"\w")
_SPACES_RE = re.compile(" +")
_CHAR_FOLDS = {"\u00ad": "", "\u2026": "...", **LIGATURES}
_CHAR_FOLD_RES = {c: re.compile(re.escape(c)) for c in _CHAR_FOLDS}
# Every character "\s" matches in a str pattern (str.isspace), the space aside; U+3000 is the last.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != " ")
# 1:1 folds: newlines by str.replace, the rest by str.replace too, each only if the text has it.
_ONE_TO_ONE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\t\r\f\v\u00a0\u2002\u2003\u2009\u200a\u202f\u3000", " "),
}
# Every character a fold touches, bar space, newline and "-", is non-ASCII or one of these.
_ASCII_FOLDED = "".join(c for c in {*_WHITESPACE, *_ONE_TO_ONE, *_CHAR_FOLDS} if c.isascii() and c != "\n")
_PLAIN_BYTES = bytes(b for b in range(0x80) if chr(b) not in _ASCII_FOLDED)


def _unusual_chars(text: str) -> set[str]:
    """The characters of ``text`` outside ASCII, and the ASCII ones some fold touches (bar space,
    newline and "-"). Deleting every other byte from the UTF-8 leaves whole UTF-8 sequences,
    so this costs two C passes over the text instead of one test per folded character."""
    data = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    return set(data.decode("utf-8", "surrogatepass"))


_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT = " .,;:!?\"'()[]-"


class Normalised:
    """Folded text plus the map from its offsets back to the original's.

    Only length-changing folds are recorded (as segments), so the map costs memory in
    proportion to the number of line-break hyphens, ligatures and whitespace runs, not to the
    text's length.
    """

    def __init__(self, original: str, *, keep_hyphen: bool = False) -> None:
        self.original = original
        unusual = _unusual_chars(original)
        parts: list[str] = []
        # Parallel arrays, one entry per length-changing fold, sorted by position.
        self._norm_starts: list[int] = []
        self._src_starts: list[int] = []
        self._norm_lens: list[int] = []
        self._src_lens: list[int] = []
        last = 0
        shift = 0  # norm offset minus source offset so far
        for start, end, replacement in self._folds(original, unusual, keep_hyphen):
            if start < last:
                continue  # inside a fold already made (e.g. the spaces after a line-break hyphen)
            parts.append(original[last:start])
            parts.append(replacement)
            self._norm_starts.append(start + shift)
            self._src_starts.append(start)
            self._norm_lens.append(len(replacement))
            self._src_lens.append(end - start)
            shift += len(replacement) - (end - start)
            last = end
        parts.append(original[last:])
        folded = "".join(parts).replace("\n", " ")
        # No replacement brings in a character to fold, so the original's set says which to do.
        for char, replacement in _ONE_TO_ONE.items():
            if char in unusual:
                folded = folded.replace(char, replacement)
        lowered = folded.lower()
        if len(lowered) != len(folded):
            # A few characters (e.g. U+0130) lower to two; keep those as they are.
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
        self.text = lowered

    @staticmethod
    def _folds(text: str, unusual: set[str], keep_hyphen: bool) -> list[tuple[int, int, str]]:
        """(start, end, replacement) of every length-changing fold, in text order."""
        folds: list[tuple[int, int, str]] = []
        if "\n" in text:
            scratch = text
            for hyphen in "\u00ad\u2010":
                if hyphen in unusual:
                    scratch = scratch.replace(hyphen, "-")
            for m in _HYPHEN_BREAK_RE.finditer(scratch):
                start, end = m.span()
                hyphen = text[start]
                if start and text[start - 1].isalnum() and end < len(text) and text[end].isalnum():
                    # A word hyphenated across a line: join it (or keep the hyphen, for "TNF-α").
                    folds.append((start, end, "-" if keep_hyphen and hyphen != "\u00ad" else ""))
                else:
                    folds.append((start, end, ("" if hyphen == "\u00ad" else hyphen) + " "))
        for char, replacement in _CHAR_FOLDS.items():
            if char in unusual:
                folds.extend((m.start(), m.end(), replacement) for m in _CHAR_FOLD_RES[char].finditer(text))
        scratch = text
        for space in _WHITESPACE:
            if space in unusual or (space == "\n" and "\n" in text):
                scratch = scratch.replace(space, " ")
        start = scratch.find("  ")
        while start != -1:
            end = _SPACES_RE.match(scratch, start).end()  # type: ignore[union-attr]
            folds.append((start, end, " "))
            start = scratch.find("  ", end)
        # At one position the longer fold wins (a soft hyphen that ends a line is a line break);
        # the sort is stable, so equal spans keep the order above.
        folds.sort(key=lambda fold: (fold[0], -fold[1]))
        return folds

    def to_source(self, n: int) -> int:
        """Source offset of the character at folded offset ``n`` (a start offset)."""
        i = bisect.bisect_right(self._norm_starts, n) - 1
        if i < 0:
            return n
        norm_start, src_start = self._norm_starts[i], self._src_starts[i]
        if n < norm_start + self._norm_lens[i]:
            return src_start
        return src_start + self._src_lens[i] + (n - norm_start - self._norm_lens[i])

    def to_source_end(self, n: int) -> int:
        """Source offset just past folded character ``n - 1`` (an exclusive end offset)."""
        if n <= 0:
            return 0
        i = bisect.bisect_right(self._norm_starts, n - 1) - 1
        if i >= 0 and n - 1 < self._norm_starts[i] + self._norm_lens[i]:
            return self._src_starts[i] + self._src_lens[i]
        return self.to_source(n - 1) + 1

    def to_folded(self, s: int) -> int:
        """Folded offset for source offset ``s`` (the start of any fold it falls inside)."""
        i = bisect.bisect_right(self._src_starts, s) - 1
        if i < 0:
            return s
        src_start, norm_start = self._src_starts[i], self._norm_starts[i]
        if s < src_start + self._src_lens[i]:
            return norm_start
        return norm_start + self._norm_lens[i] + (s - src_start - self._src_lens[i])


def fold(text: str) -> str:
    """The folded form used for matching (see :class:`Normalised`)."""
    return Normalised(text).text


def split_fragments(quote: str) -> list[str]:
    """The pieces of a quotation between its ellipses, in order."""
    return [piece for piece in ELLIPSIS_RE.split(quote) if piece.strip(_EDGE_PUNCT)]


@dataclass
class PreparedSource:
    """A source's text with its folded forms, built once and reused for every quotation."""

    text: str
    page_starts: list[int] = field(default_factory=list)
    page_numbers: list[int] = field(default_factory=list)
    _folded: Normalised | None = None
    _folded_keep: Normalised | None = None
    _keep_checked: bool = False

    @property
    def folded(self) -> Normalised:
        if self._folded is None:
            self._folded = Normalised(self.text)
        return self._folded

    @property
    def folded_keep_hyphen(self) -> Normalised | None:
        """Folded text keeping line-break hyphens ("TNF-\\nα" -> "tnf-α"), if the text has any."""
        if not self._keep_checked:
            self._keep_checked = True
            # Is there a "\w-[ \t]*\n" (a hyphen that ends a line after a word character)?
            if self.folded._src_lens and any(
                m.start() and _WORD_CHAR_RE.match(self.text, m.start() - 1) for m in _HYPHEN_LINE_RE.finditer(self.text)
            ):
                self._folded_keep = Normalised(self.text, keep_hyphen=True)
        return self._folded_keep

    def page(self, offset: int | None) -> int | None:
        if offset is None or not self.page_starts:
            return None
        i = bisect.bisect_right(self.page_starts, offset) - 1
        return self.page_numbers[max(i, 0)]


class DiffOp(Record):
    """One step of a word diff from the source to the quotation.

    ``equal``: words both share; ``delete``: source words the quotation dropped or changed;
    ``insert``: words the quotation has that the source does not; ``gap``: an ellipsis.
    """

    op: Literal["equal", "delete", "insert", "gap"]
    text: str


@dataclass(slots=True)
class FragmentMatch:
    """The outcome for one fragment (internal: :class:`Check` is what callers get)."""

    result: Result
    score: float
    start: int | None = None
    end: int | None = None
    coverage: float = 0.0
    diff: list[DiffOp] = field(default_factory=list)


class Check(Record):
    """The outcome for one quotation against one source's text."""

    result: Result
    score: float = Field(ge=0, le=100)
    start: int | None = None
    end: int | None = None
    page: int | None = None
    matched_text: str | None = None
    diff: list[DiffOp] = Field(default_factory=list)

    def wdiff(self) -> str | None:
        """The diff as text: ``[-source words-]{+quoted words+}``, as GNU wdiff prints it."""
        if not any(op.op in ("delete", "insert") for op in self.diff):
            return None
        return render_wdiff(self.diff)


def render_wdiff(ops: list[DiffOp]) -> str:
    out = []
    for op in ops:
        if op.op == "equal":
            out.append(op.text)
        elif op.op == "delete":
            out.append(f"[-{op.text}-]")
        elif op.op == "insert":
            out.append(f"{{+{op.text}+}}")
        else:
            out.append("…")
    return " ".join(out)


def _tokens(norm: Normalised, start: int, end: int) -> list[tuple[str, int, int]]:
    """(matching key, folded start, folded end) for each word of ``norm.text[start:end]``."""
    out = []
    for m in _TOKEN_RE.finditer(norm.text, start, end):
        word = m.group()
        key = word.strip(_EDGE_PUNCT)
        if not key:
            out.append((word, m.start(), m.end()))
            continue
        # The span covers the word without its edge punctuation, which quoting writers adjust.
        lead = len(word) - len(word.lstrip(_EDGE_PUNCT))
        out.append((key, m.start() + lead, m.start() + lead + len(key)))
    return out


def _original_words(norm: Normalised, tokens: list[tuple[str, int, int]]) -> str:
    if not tokens:
        return ""
    text = norm.original[norm.to_source(tokens[0][1]) : norm.to_source_end(tokens[-1][2])]
    return " ".join(text.split())


def _word_diff(
    quote: Normalised, q_tokens: list, src: Normalised, s_tokens: list
) -> tuple[list[DiffOp], int]:
    """Word diff from source to quotation, and how many quotation words the source has."""
    matcher = difflib.SequenceMatcher(None, [t[0] for t in s_tokens], [t[0] for t in q_tokens], autojunk=False)
    ops: list[DiffOp] = []
    matched = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(DiffOp(op="equal", text=_original_words(quote, q_tokens[j1:j2])))
            matched += j2 - j1
            continue
        if i2 > i1:
            ops.append(DiffOp(op="delete", text=_original_words(src, s_tokens[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp(op="insert", text=_original_words(quote, q_tokens[j1:j2])))
    return ops, matched


# How many places of one run vote for where the quotation is.
PER_CHUNK = 4


def _chunks(nq: str) -> Iterator[tuple[str, int]]:
    """The quotation cut into runs of three words, with their offsets, one at a time."""
    run: list[re.Match[str]] = []
    for word in _TOKEN_RE.finditer(nq):
        run.append(word)
        # Short runs ("of the a") are everywhere: lengthen them until they say something.
        if len(run) >= 3 and word.end() - run[0].start() >= 14:
            yield nq[run[0].start() : word.end()], run[0].start()
            run = []
    if run:
        yield nq[run[0].start() : run[-1].end()], run[0].start()


def _find_and_first_hits(
    nq: str, nsrc: str, lo: int, chunk: str, offset: int, per_chunk: int = PER_CHUNK
) -> tuple[int, list[int]]:
    """``nsrc.find(nq, lo)``, and the first ``per_chunk`` places of ``chunk`` (which ``nq`` has
    at ``offset``) at or after ``lo``: one pass over the text where two would otherwise be
    made when the quotation is not there and the fuzzy search then looks for its first run.
    Every place ``nq`` occurs has ``chunk`` at ``offset`` in it, so testing each place of
    ``chunk`` in turn finds the first ``nq`` too."""
    hits: list[int] = []
    pos = nsrc.find(chunk, lo)
    while pos != -1:
        start = pos - offset
        if start >= lo and nsrc.startswith(nq, start):
            return start, hits
        hits.append(pos)
        if len(hits) == per_chunk:
            # Enough places for the votes; no place of nq starts at or before this one.
            return nsrc.find(nq, max(lo, start + 1)), hits
        pos = nsrc.find(chunk, pos + 1)
    return -1, hits


def _candidate_regions(
    nq: str,
    nsrc: str,
    lo: int,
    limit: int = 3,
    per_chunk: int = PER_CHUNK,
    first_hits: list[int] | None = None,
) -> list[int]:
    """Likely folded start offsets of ``nq`` in ``nsrc[lo:]``.

    The quotation is cut into runs of three words; each run that the source contains (a plain
    ``str.find``, which skips through text fast for needles this long) votes for where the
    quotation would start. A quotation with a word or two changed still has intact runs; an
    invented one has none, and costs only these few searches. ``first_hits``, if given, are
    the first run's places already found (by :func:`_find_and_first_hits`).
    """
    chunks = list(_chunks(nq))
    bucket = max(len(nq) // 2, 16)
    # How far a run may sit from where the runs found so far put it (changed words shift it).
    slack = len(nq) // 2 + 16
    votes: Counter[int] = Counter()
    starts: list[int] = []  # where the quotation would start, by the runs found so far
    found = missed = 0
    for n, (chunk, offset) in enumerate(chunks):
        if n == 0 and first_hits is not None:
            hits = first_hits[:per_chunk]
        else:
            # Near the places already voted for first: a bounded find there is cheap, and a
            # run found there confirms them; only a run found nowhere near needs a whole pass.
            hits = []
            for start in starts:
                pos = nsrc.find(chunk, max(lo, start + offset - slack), start + offset + len(chunk) + slack)
                if pos != -1 and pos not in hits:
                    hits.append(pos)
            if not hits:
                pos = nsrc.find(chunk, lo)
                while pos != -1 and len(hits) < per_chunk:
                    hits.append(pos)
                    pos = nsrc.find(chunk, pos + 1)
        if not hits:
            missed += 1
            # Three runs in a row absent, or most of them: an invented quotation, not an
            # altered one (the word diff could not reach half of it).
            if not found and (missed >= 3 or missed > len(chunks) // 2):
                break
            continue
        found += 1
        for pos in hits:
            votes[max(pos - offset, lo) // bucket] += 1
            starts.append(pos - offset)
        del starts[:-per_chunk]  # the latest places: the runs found so far agree on them
        if found == 3:
            break  # three runs agree on where it is; more searches would not move it
    return [b * bucket for b, _ in votes.most_common(limit)]


def _fuzzy(
    quote: Normalised,
    qs: int,
    qe: int,
    src: Normalised,
    lo: int,
    first_hits: list[int] | None = None,
) -> FragmentMatch:
    nq = quote.text[qs:qe]
    nsrc = src.text
    q_tokens = _tokens(quote, qs, qe)
    if not q_tokens:
        return FragmentMatch(result="not_found", score=0.0)
    best = None
    for guess in _candidate_regions(nq, nsrc, lo, first_hits=first_hits):
        r_start = max(lo, guess - len(nq))
        r_end = min(len(nsrc), guess + 2 * len(nq))
        if r_end <= r_start:
            continue
        alignment = fuzz.partial_ratio_alignment(nq, nsrc[r_start:r_end])
        if alignment is not None and (best is None or alignment.score > best[0]):
            best = (alignment.score, r_start + alignment.dest_start, r_start + alignment.dest_end)
    if best is None:
        return FragmentMatch(result="not_found", score=0.0)
    # Widen the aligned window to whole words with some slack, then let the word diff decide
    # exactly which source words the quotation corresponds to.
    pad = max(len(nq) // 4, 16)
    w_start = max(lo, best[1] - pad)
    w_end = min(len(nsrc), best[2] + pad)
    while w_start > lo and not nsrc[w_start - 1].isspace():
        w_start -= 1
    while w_end < len(nsrc) and not nsrc[w_end].isspace():
        w_end += 1
    s_tokens = _tokens(src, w_start, w_end)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in s_tokens], [t[0] for t in q_tokens], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return FragmentMatch(result="not_found", score=round(best[0], 1))
    first, last = blocks[0], blocks[-1]
    # Source words standing where the quotation's unmatched first/last words stand.
    s_from = max(0, first.a - first.b)
    s_to = min(len(s_tokens), last.a + last.size + (len(q_tokens) - last.b - last.size))
    s_tokens = s_tokens[s_from:s_to]
    ops, matched = _word_diff(quote, q_tokens, src, s_tokens)
    coverage = matched / len(q_tokens)
    n_start, n_end = s_tokens[0][1], s_tokens[-1][2]
    score = round(fuzz.ratio(nq.strip(_EDGE_PUNCT), nsrc[n_start:n_end].strip(_EDGE_PUNCT)), 1)
    if coverage < MIN_WORD_COVERAGE or score < MIN_SCORE:
        return FragmentMatch(result="not_found", score=score, coverage=round(coverage, 3))
    return FragmentMatch(
        result="altered",
        score=score,
        start=src.to_source(n_start),
        end=src.to_source_end(n_end),
        coverage=round(coverage, 3),
        diff=ops,
    )


def _typographic_match(
    fragment: str, quote: Normalised, qs: int, qe: int, text: str, start: int, end: int
) -> FragmentMatch:
    """A folded match is ``verbatim`` if only line breaks and spacing differ (a PDF's layout is
    not a change of wording), else ``normalised``."""
    lead = fragment[: quote.to_source(qs)]
    trail = fragment[quote.to_source_end(qe) :]
    core = fragment[len(lead) : len(fragment) - len(trail)]
    if (
        " ".join(core.split()) == " ".join(text[start:end].split())
        and text[max(start - len(lead), 0) : start] == lead
        and text[end : end + len(trail)] == trail
    ):
        return FragmentMatch(result="verbatim", score=100.0, start=start - len(lead), end=end + len(trail), coverage=1.0)
    return FragmentMatch(result="normalised", score=100.0, start=start, end=end, coverage=1.0)


def match_fragment(fragment: str, source: PreparedSource, after: int = 0) -> FragmentMatch:
    """Find one fragment in ``source.text`` at or after source offset ``after``."""
    fragment = fragment.strip()

    def exact() -> FragmentMatch | None:
        pos = source.text.find(fragment, after)
        if pos == -1:
            return None
        return FragmentMatch(result="verbatim", score=100.0, start=pos, end=pos + len(fragment), coverage=1.0)

    # The folded search comes first and the exact one only where it can change the answer:
    # every fold maps equal text to equal text, so a fragment the source holds word for word
    # is also found folded, and a fragment not found folded is not there verbatim either. That
    # saves a whole pass over the source for each altered or invented quotation.
    quote = Normalised(fragment)
    # Edge punctuation is the quoting writer's, not the source's ("effects." vs "effects,").
    qs, qe = 0, len(quote.text)
    while qs < qe and quote.text[qs] in _EDGE_PUNCT:
        qs += 1
    while qe > qs and quote.text[qe - 1] in _EDGE_PUNCT:
        qe -= 1
    if qs == qe:
        return exact() or FragmentMatch(result="not_found", score=0.0)
    nq = quote.text[qs:qe]
    folded = source.folded
    lo = folded.to_folded(after)
    first_hits = None
    first_chunk = next(_chunks(nq), None)
    if first_chunk is not None:
        # The search for the whole quotation also collects where its first run is, which the
        # fuzzy search would otherwise look for with another pass over the text.
        npos, first_hits = _find_and_first_hits(nq, folded.text, lo, *first_chunk)
    else:
        npos = folded.text.find(nq, lo)
    # Keeping line-break hyphens can only help a quotation that has a hyphen itself.
    if npos == -1 and "-" in nq and (keep := source.folded_keep_hyphen) is not None:
        folded = keep
        npos = folded.text.find(nq, folded.to_folded(after))
    if npos != -1:
        start, end = folded.to_source(npos), folded.to_source_end(npos + len(nq))
        match = _typographic_match(fragment, quote, qs, qe, source.text, start, end)
        # The first folded match may be a typographic variant with the exact words further on.
        return (exact() or match) if match.result == "normalised" else match
    return _fuzzy(quote, qs, qe, source.folded, lo, first_hits)


def check_quote(quote: str, source: PreparedSource, fragments: list[str] | None = None) -> Check:
    """Verify a quotation (fragment by fragment, in order) against a prepared source."""
    pieces = fragments if fragments else split_fragments(quote)
    if not pieces:
        return Check(result="not_found", score=0.0)
    matches: list[FragmentMatch] = []
    after = 0
    for piece in pieces:
        match = match_fragment(piece, source, after)
        matches.append(match)
        if match.end is not None:
            after = match.end
    found = [m for m in matches if m.start is not None]
    worst = max(matches, key=lambda m: SEVERITY[m.result]).result
    if worst == "not_found" and found:
        worst = "altered"  # part of it is there: a misquote, not an invention
    weights = [len(p) for p in pieces]
    score = round(sum(m.score * w for m, w in zip(matches, weights, strict=True)) / sum(weights), 1)
    diff: list[DiffOp] = []
    if worst in ("altered", "not_found") and found:
        for i, (piece, m) in enumerate(zip(pieces, matches, strict=True)):
            if i:
                diff.append(DiffOp(op="gap", text="…"))
            if m.result in ("verbatim", "normalised"):
                diff.append(DiffOp(op="equal", text=" ".join(piece.split())))
            elif m.result == "altered":
                diff.extend(m.diff)
            else:
                diff.append(DiffOp(op="insert", text=" ".join(piece.split())))
    start = found[0].start if found else None
    end = found[-1].end if found else None
    return Check(
        result=worst,
        score=score,
        start=start,
        end=end,
        page=source.page(start),
        matched_text=source.text[start:end] if start is not None and end is not None else None,
        diff=diff,
    )


# --- database ----------------------------------------------------------------------------


class QuoteCheck(Record):
    """A row of ``quote_checks``."""

    quote_id: int
    source_id: int
    result: Result
    score: float | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    matched_text: str | None = None
    diff: str | None = None
    diff_ops: str | None = None
    text_sha256: str | None = None


# Columns compared to decide whether a stored check changed (checked_at is not one).
_COMPARED = tuple(f for f in QuoteCheck.model_fields if f not in ("quote_id", "source_id"))


def prepare_source(db: sqlite_utils.Database, source_id: int) -> tuple[PreparedSource, str] | None:
    row = db.execute("select text, sha256 from source_texts where source_id = ?", [source_id]).fetchone()
    if row is None:
        return None
    pages = list(db.execute("select start, page from source_pages where source_id = ? order by start", [source_id]))
    return PreparedSource(row[0], [p[0] for p in pages], [p[1] for p in pages]), row[1]


def quote_source_pairs(db: sqlite_utils.Database, article_id: int | None = None) -> list[tuple[int, int]]:
    """Every (quote, source) a citation links, optionally for one article's quotes only."""
    sql = """
        select distinct c.quote_id, c.source_id from citations c join quotes q on q.id = c.quote_id
        where c.quote_id is not null {where} order by c.quote_id, c.source_id
    """
    if article_id is None:
        return [tuple(r) for r in db.execute(sql.format(where=""))]
    return [tuple(r) for r in db.execute(sql.format(where="and q.article_id = ?"), [article_id])]


def compute_checks(db: sqlite_utils.Database, article_id: int | None = None) -> list[QuoteCheck]:
    """Check every linked (quote, source) pair; pure reads, so it runs before any write."""
    pairs = quote_source_pairs(db, article_id)
    quotes = {
        row[0]: row[1]
        for row in db.execute(
            f"select id, text from quotes where id in ({','.join('?' * len(pairs))})",
            [q for q, _ in pairs],
        )
    } if pairs else {}
    fragments: dict[int, list[str]] = {}
    # Only the fragments of linked quotes: the index on quote_id serves the subquery's join.
    for quote_id, text in db.execute(
        "select quote_id, text from quote_fragments where quote_id in "
        "(select quote_id from citations where quote_id is not null) order by quote_id, seq"
    ):
        if quote_id in quotes:
            fragments.setdefault(quote_id, []).append(text)
    prepared: dict[int, tuple[PreparedSource, str] | None] = {}
    out: list[QuoteCheck] = []
    # Grouped by source, so each source's folded text is built once and dropped after use.
    for quote_id, source_id in sorted(pairs, key=lambda p: (p[1], p[0])):
        if source_id not in prepared:
            prepared.clear()
            prepared[source_id] = prepare_source(db, source_id)
        entry = prepared[source_id]
        if entry is None:
            out.append(QuoteCheck(quote_id=quote_id, source_id=source_id, result="no_text"))
            continue
        source, digest = entry
        check = check_quote(quotes[quote_id], source, fragments.get(quote_id))
        out.append(
            QuoteCheck(
                quote_id=quote_id,
                source_id=source_id,
                result=check.result,
                score=check.score,
                start=check.start,
                end=check.end,
                page=check.page,
                matched_text=check.matched_text,
                diff=check.wdiff(),
                diff_ops=json.dumps([op.model_dump() for op in check.diff], ensure_ascii=False) if check.diff else None,
                text_sha256=digest,
            )
        )
    out.sort(key=lambda c: (c.quote_id, c.source_id))
    return out


def save_checks(db: sqlite_utils.Database, checks: list[QuoteCheck], article_id: int | None = None) -> int:
    """Write checks that changed, drop checks whose link is gone. Call inside a transaction."""
    scope = "" if article_id is None else "where quote_id in (select id from quotes where article_id = ?)"
    params = [] if article_id is None else [article_id]
    existing = {
        (row["quote_id"], row["source_id"]): row
        for row in db.query(f"select * from quote_checks {scope}", params)
    }
    checked_at = now()
    changed = []
    for check in checks:
        row = check.model_dump()
        old = existing.pop((check.quote_id, check.source_id), None)
        if old is not None and all(old[f] == row[f] for f in _COMPARED):
            continue
        if old is not None:
            row["id"] = old["id"]
        changed.append({**row, "checked_at": checked_at})
    updates = [r for r in changed if "id" in r]
    if updates:
        db["quote_checks"].upsert_all(updates, pk="id")
    db["quote_checks"].insert_all([r for r in changed if "id" not in r])
    stale = [row["id"] for row in existing.values()]
    if stale:
        db.execute(f"delete from quote_checks where id in ({','.join('?' * len(stale))})", stale)
    return len(changed) + len(stale)


# --- rendering -----------------------------------------------------------------------------


def diff_html(ops: list[DiffOp]) -> Markup:
    """The diff as escaped HTML: ``<del>`` for source words dropped, ``<ins>`` for words added."""
    parts = []
    for op in ops:
        text = escape(op.text)
        if op.op == "delete":
            parts.append(Markup('<del class="claims-diff-del">{}</del>').format(text))
        elif op.op == "insert":
            parts.append(Markup('<ins class="claims-diff-ins">{}</ins>').format(text))
        elif op.op == "gap":
            parts.append(Markup('<span class="claims-diff-gap">…</span>'))
        else:
            parts.append(text)
    return Markup(" ").join(parts)


RESULT_LABELS = {
    "verbatim": "found word for word (line breaks and spacing aside)",
    "normalised": "found, with only typographic differences (quote marks, dashes, case, spacing, hyphenation)",
    "altered": "found with changed words",
    "not_found": "not found",
    "no_text": "not checked: the source has no attached text",
}


def check_html(db: sqlite_utils.Database, quote_id: int) -> Markup:
    """An HTML fragment for a quote's page: each source's check result, page and diff.

    Every value from the database is escaped; only the fixed markup here is trusted.
    """
    rows = list(
        db.query(
            """
            select qc.*, s.key as source_key from quote_checks qc join sources s on s.id = qc.source_id
            where qc.quote_id = ? order by s.key
            """,
            [quote_id],
        )
    )
    if not rows:
        return Markup('<div class="claims-quote-checks"><p>Not checked yet: none of its linked sources has its full text attached (an editor attaches it, then the check runs).</p></div>')
    items = []
    for row in rows:
        label = RESULT_LABELS.get(row["result"], row["result"])
        where = Markup("")
        if row["page"] is not None:
            where = Markup(", page {}").format(row["page"])
        score = Markup("") if row["score"] is None else Markup(" (score {:.0f})").format(row["score"])
        diff = Markup("")
        if row["diff_ops"]:
            ops = [DiffOp(**op) for op in json.loads(row["diff_ops"])]
            diff = Markup('<p class="claims-diff">{}</p>').format(diff_html(ops))
        items.append(
            Markup('<li class="claims-check claims-check-{}"><strong>{}</strong>: {}{}{}{}</li>').format(
                row["result"], row["source_key"], label, where, score, diff
            )
        )
    return Markup('<div class="claims-quote-checks"><h3>Quote verification</h3><ul>{}</ul></div>').format(
        Markup("").join(items)
    )
