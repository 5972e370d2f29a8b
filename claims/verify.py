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
import heapq
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
# Length-changing folds. Three simple regexes, merged in order, scan several times faster than
# one alternation (Python's re can skip ahead only when a pattern starts with a plain charset).
_HYPHEN_BREAK_RE = re.compile(r"[-\u00ad\u2010][ \t]*\n\s*")
_CHAR_FOLD_RE = re.compile("[\u00ad\ufb00-\ufb06\u2026]")
_SPACE_RUN_RE = re.compile(r"\s\s+")
_CHAR_FOLDS = {"\u00ad": "", "\u2026": "...", **LIGATURES}
# 1:1 folds: newlines by str.replace (the common case, memchr-fast), the rest in one regex pass
# whose callback runs only where such a character occurs.
_ONE_TO_ONE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\t\r\f\v\u00a0\u2002\u2003\u2009\u200a\u202f\u3000", " "),
}
_ONE_TO_ONE_RE = re.compile("[" + "".join(_ONE_TO_ONE) + "]")
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
        parts: list[str] = []
        # Parallel arrays, one entry per length-changing fold, sorted by position.
        self._norm_starts: list[int] = []
        self._src_starts: list[int] = []
        self._norm_lens: list[int] = []
        self._src_lens: list[int] = []
        last = 0
        shift = 0  # norm offset minus source offset so far
        for start, end, replacement in self._folds(original, keep_hyphen):
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
        folded = _ONE_TO_ONE_RE.sub(lambda m: _ONE_TO_ONE[m.group()], folded)
        lowered = folded.lower()
        if len(lowered) != len(folded):
            # A few characters (e.g. U+0130) lower to two; keep those as they are.
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
        self.text = lowered

    @staticmethod
    def _folds(text: str, keep_hyphen: bool) -> Iterator[tuple[int, int, str]]:
        """(start, end, replacement) of every length-changing fold, in text order."""

        def breaks() -> Iterator[tuple[int, int, str]]:
            for m in _HYPHEN_BREAK_RE.finditer(text):
                start, end = m.span()
                hyphen = m.group()[0]
                if start and text[start - 1].isalnum() and end < len(text) and text[end].isalnum():
                    # A word hyphenated across a line: join it (or keep the hyphen, for "TNF-α").
                    yield start, end, ("-" if keep_hyphen and hyphen != "\u00ad" else "")
                else:
                    yield start, end, ("" if hyphen == "\u00ad" else hyphen) + " "

        chars = ((m.start(), m.end(), _CHAR_FOLDS[m.group()]) for m in _CHAR_FOLD_RE.finditer(text))
        spaces = ((m.start(), m.end(), " ") for m in _SPACE_RUN_RE.finditer(text))
        # At one position the longer fold wins (a soft hyphen that ends a line is a line break).
        return heapq.merge(breaks(), chars, spaces, key=lambda fold: (fold[0], -fold[1]))

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

    @property
    def folded(self) -> Normalised:
        if self._folded is None:
            self._folded = Normalised(self.text)
        return self._folded

    @property
    def folded_keep_hyphen(self) -> Normalised | None:
        """Folded text keeping line-break hyphens ("TNF-\\nα" -> "tnf-α"), if the text has any."""
        if self._folded_keep is None and self.folded._src_lens and re.search(r"\w-[ \t]*\n", self.text):
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


class FragmentMatch(Record):
    result: Result
    score: float = Field(ge=0, le=100)
    start: int | None = None
    end: int | None = None
    coverage: float = 0.0
    diff: list[DiffOp] = Field(default_factory=list)


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


def _candidate_regions(nq: str, nsrc: str, lo: int, limit: int = 3, per_chunk: int = 4) -> list[int]:
    """Likely folded start offsets of ``nq`` in ``nsrc[lo:]``.

    The quotation is cut into runs of three words; each run that the source contains (a plain
    ``str.find``, which skips through text fast for needles this long) votes for where the
    quotation would start. A quotation with a word or two changed still has intact runs; an
    invented one has none, and costs only these few searches.
    """
    words = list(_TOKEN_RE.finditer(nq))
    chunks: list[tuple[str, int]] = []
    i = 0
    while i < len(words):
        j = min(i + 3, len(words))
        # Short runs ("of the a") are everywhere: lengthen them until they say something.
        while j < len(words) and words[j - 1].end() - words[i].start() < 14:
            j += 1
        chunks.append((nq[words[i].start() : words[j - 1].end()], words[i].start()))
        i = j
    bucket = max(len(nq) // 2, 16)
    votes: Counter[int] = Counter()
    found = missed = 0
    for chunk, offset in chunks:
        pos = nsrc.find(chunk, lo)
        if pos == -1:
            missed += 1
            # Three runs in a row absent, or most of them: an invented quotation, not an
            # altered one (the word diff could not reach half of it).
            if not found and (missed >= 3 or missed > len(chunks) // 2):
                break
            continue
        found += 1
        hits = 0
        while pos != -1 and hits < per_chunk:
            votes[max(pos - offset, lo) // bucket] += 1
            hits += 1
            pos = nsrc.find(chunk, pos + 1)
        if found == 3:
            break  # three runs agree on where it is; more searches would not move it
    return [b * bucket for b, _ in votes.most_common(limit)]


def _fuzzy(quote: Normalised, qs: int, qe: int, src: Normalised, lo: int) -> FragmentMatch:
    nq = quote.text[qs:qe]
    nsrc = src.text
    q_tokens = _tokens(quote, qs, qe)
    if not q_tokens:
        return FragmentMatch(result="not_found", score=0.0)
    best = None
    for guess in _candidate_regions(nq, nsrc, lo):
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
    pos = source.text.find(fragment, after)
    if pos != -1:
        return FragmentMatch(result="verbatim", score=100.0, start=pos, end=pos + len(fragment), coverage=1.0)
    quote = Normalised(fragment)
    # Edge punctuation is the quoting writer's, not the source's ("effects." vs "effects,").
    qs, qe = 0, len(quote.text)
    while qs < qe and quote.text[qs] in _EDGE_PUNCT:
        qs += 1
    while qe > qs and quote.text[qe - 1] in _EDGE_PUNCT:
        qe -= 1
    if qs == qe:
        return FragmentMatch(result="not_found", score=0.0)
    nq = quote.text[qs:qe]
    # Keeping line-break hyphens can only help a quotation that has a hyphen itself.
    for folded in (source.folded, source.folded_keep_hyphen if "-" in nq else None):
        if folded is None:
            continue
        npos = folded.text.find(nq, folded.to_folded(after))
        if npos != -1:
            start, end = folded.to_source(npos), folded.to_source_end(npos + len(nq))
            return _typographic_match(fragment, quote, qs, qe, source.text, start, end)
    return _fuzzy(quote, qs, qe, source.folded, source.folded.to_folded(after))


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
    for quote_id, text in db.execute("select quote_id, text from quote_fragments order by quote_id, seq"):
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
        return Markup('<div class="claims-quote-checks"><p>No verification yet: link a source with text and run <code>claims verify</code>.</p></div>')
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
