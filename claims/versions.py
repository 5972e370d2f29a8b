"""Article versions: each record of a new version finds its counterpart in the previous one,
and the evidence gathered on it (links, quote checks, suggested excerpts) is carried forward.

Matching, per kind (quotes with quotes, claims with claims), in three passes, as annotation
tools re-anchor a highlight on an edited page:

1. ``exact``: the same text in the same place: still in article order among its neighbours
   (the longest increasing run of equal texts, see :func:`in_order`) with the W3C TextQuoteSelector's prefix or
   suffix unchanged (a deleted paragraph next to a record changes one side of its context,
   not its place).
2. ``moved``: the same text elsewhere: out of order (a moved paragraph, its middle sentences
   included, whose context moved with them), or in order with both sides of the context new.
3. ``edited``: the most similar remaining record, when ``TEXT_WEIGHT * text + (1 - TEXT_WEIGHT)
   * context >= EDIT_THRESHOLD``, where *text* is rapidfuzz's ``WRatio`` of the two texts (so a
   trimmed quotation still matches the longer one) and *context* is ``ratio`` of prefix + suffix,
   and the text alone scores at least ``MIN_TEXT_SCORE``. Each record of the new version is
   compared with the remaining records of the old one near the same relative position
   (``WINDOW`` records either side), so the cost grows linearly with the article.

Records of the new version with no counterpart are ``new``; records of the old version with
none are reported as ``removed_in_new_version`` findings on the new version.

Flags are never copied: the status views count the flags of a record's predecessors through
``text_origin_id`` while the text is unchanged, and an edited record ``needs re-review``.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import sqlite_utils
from markupsafe import Markup
from rapidfuzz import fuzz, utils

from .clock import now
from .models import FindingRow

Anchor = Literal["exact", "moved", "edited", "new"]
EDIT_THRESHOLD = 80.0
TEXT_WEIGHT = 0.85
MIN_TEXT_SCORE = 70.0
WINDOW = 50

# Citations on records of current versions only (the curation file speaks for those).
CURRENT_CITATIONS = """select c.id, c.quote_id, c.claim_id, c.source_id from citations c
    join articles a on a.id = coalesce((select article_id from quotes where id = c.quote_id),
                                       (select article_id from claims where id = c.claim_id)) and a.is_current"""


class AnchoredLike(Protocol):
    text: str
    prefix: str
    suffix: str
    start: int


@dataclass(frozen=True)
class Previous:
    """A quote or claim of the previous version, as matching needs it."""

    id: int
    text: str
    prefix: str
    suffix: str
    start: int
    origin_id: int


@dataclass(frozen=True)
class Counterpart:
    old_id: int
    anchor: Anchor
    origin_id: int
    score: float = 100.0


def _context(record: AnchoredLike | Previous) -> str:
    return f"{record.prefix or ''}\u2016{record.suffix or ''}"


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``(i, j)`` pairs (``i`` ascending) whose ``j`` strictly ascends too:
    patience sorting, O(n log n)."""
    tail_j: list[int] = []  # tail_j[k]: the smallest j that ends an increasing run of k + 1
    tail_at: list[int] = []  # ... and the index in pairs of that pair
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_j, j)
        back.append(tail_at[k - 1] if k else -1)
        if k == len(tail_j):
            tail_j.append(j)
            tail_at.append(n)
        else:
            tail_j[k], tail_at[k] = j, n
    out = []
    n = tail_at[-1] if tail_at else -1
    while n != -1:
        out.append(pairs[n])
        n = back[n]
    return out[::-1]


def in_order(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """(new index, old index) pairs of equal texts that keep their article order: the longest
    increasing run, as a diff keeps the unchanged lines (patience diff, in O(n log n); difflib's
    matcher is quadratic on text that repeats).

    Texts found once in each version anchor the alignment. Every other text is paired with its
    occurrence in the old version nearest to where the anchors around it put it, and the
    longest increasing run of all pairs is what stayed in order."""
    where: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(old):
        where[text].append(j)
    seen = defaultdict(int)
    for text in new:
        seen[text] += 1
    anchors = _increasing([(i, where[t][0]) for i, t in enumerate(new) if seen[t] == 1 and len(where.get(t, ())) == 1])
    anchor_new = [i for i, _ in anchors]
    scale = len(old) / len(new) if new else 1.0

    def expected(i: int) -> float:
        k = bisect.bisect_left(anchor_new, i)
        before = anchors[k - 1] if k else None
        after = anchors[k] if k < len(anchors) else None
        if before and after and after[0] != before[0]:
            return before[1] + (i - before[0]) * (after[1] - before[1]) / (after[0] - before[0])
        if before:
            return before[1] + (i - before[0])
        if after:
            return after[1] - (after[0] - i)
        return i * scale

    pairs = []
    for i, text in enumerate(new):
        occurrences = where.get(text)
        if not occurrences:
            continue
        e = expected(i)
        k = bisect.bisect_left(occurrences, e)
        nearest = min(occurrences[max(0, k - 1) : k + 1], key=lambda j: (abs(j - e), j))
        pairs.append((i, nearest))
    return _increasing(pairs)


def match_records(old: Sequence[Previous], new: Sequence[AnchoredLike]) -> dict[int, Counterpart]:
    """Index in ``new`` -> its counterpart in ``old``; both lists in article order."""
    found: dict[int, Counterpart] = {}
    used: set[int] = set()

    def take(i: int, j: int, anchor: Anchor, score: float = 100.0) -> None:
        found[i] = Counterpart(old[j].id, anchor, old[j].id if anchor == "edited" else old[j].origin_id, score)
        used.add(j)

    # 1. In article order among neighbours, and one side of the context unchanged.
    for i, j in in_order([r.text for r in old], [r.text for r in new]):
        if old[j].prefix == new[i].prefix or old[j].suffix == new[i].suffix:
            take(i, j, "exact")
    # 2. The same text elsewhere: out of article order (a moved paragraph, even its sentences
    # whose context moved with them), or in order with both sides of the context changed.
    by_text: dict[str, deque[int]] = defaultdict(deque)
    for j, r in enumerate(old):
        if j not in used:
            by_text[r.text].append(j)

    def first_free(queue: deque[int]) -> int | None:
        while queue and queue[0] in used:
            queue.popleft()
        return queue.popleft() if queue else None

    for i, r in enumerate(new):
        if i not in found and (j := first_free(by_text[r.text])) is not None:
            take(i, j, "moved")
    # 3. Edited: the best fuzzy pairs among what is left, near the same relative position.
    rest_old = [j for j in range(len(old)) if j not in used]
    rest_new = [i for i in range(len(new)) if i not in found]
    if not rest_old or not rest_new:
        return found
    old_texts = [utils.default_process(old[j].text) for j in rest_old]
    scale = len(rest_old) / len(rest_new)
    pairs: list[tuple[float, int, int, int]] = []
    for rank, i in enumerate(rest_new):
        query = utils.default_process(new[i].text)
        if not query:
            continue
        centre = int(rank * scale)
        for k in range(max(0, centre - WINDOW), min(len(rest_old), centre + WINDOW + 1)):
            text_score = fuzz.WRatio(query, old_texts[k], score_cutoff=MIN_TEXT_SCORE)
            if not text_score:
                continue
            j = rest_old[k]
            score = TEXT_WEIGHT * text_score + (1 - TEXT_WEIGHT) * fuzz.ratio(_context(new[i]), _context(old[j]))
            if score >= EDIT_THRESHOLD:
                pairs.append((score, -abs(k - centre), i, j))
    for score, _, i, j in sorted(pairs, key=lambda p: (-p[0], -p[1], p[2], p[3])):
        if i not in found and j not in used:
            take(i, j, "edited", round(score, 1))
    return found


def previous_records(db: sqlite_utils.Database, table: str, article_id: int) -> list[Previous]:
    return [
        Previous(*row)
        for row in db.execute(
            f"select id, text, coalesce(prefix, ''), coalesce(suffix, ''), start, coalesce(text_origin_id, id) "
            f"from [{table}] where article_id = ? order by start, id",
            [article_id],
        )
    ]


def plan(db: sqlite_utils.Database, previous_id: int, quotes: Sequence[AnchoredLike], claims: Sequence[AnchoredLike]) -> dict[str, dict[int, Counterpart]]:
    """For each kind, extraction index -> counterpart in the previous version."""
    out = {}
    for table, records in (("quotes", quotes), ("claims", claims)):
        order = sorted(range(len(records)), key=lambda i: (records[i].start, i))
        matched = match_records(previous_records(db, table, previous_id), [records[i] for i in order])
        out[table] = {order[k]: counterpart for k, counterpart in matched.items()}
    return out


def anchor_columns(counterpart: Counterpart | None, record_id: int) -> dict[str, Any]:
    """The version columns of a new record's row."""
    if counterpart is None:
        return {"carried_from": None, "anchor": "new", "text_origin_id": record_id}
    origin = record_id if counterpart.anchor == "edited" else counterpart.origin_id
    return {"carried_from": counterpart.old_id, "anchor": counterpart.anchor, "text_origin_id": origin}


@dataclass
class Carried:
    """What carrying a version forward wrote."""

    anchors: dict[str, dict[str, int]] = field(default_factory=dict)
    citations: int = 0
    checks: int = 0
    suggestions: int = 0
    removed: int = 0

    def describe(self) -> str:
        parts = []
        for table, counts in self.anchors.items():
            listed = ", ".join(f"{n} {anchor}" for anchor, n in counts.items() if n)
            parts.append(f"{table} {listed or 'none'}")
        return (
            f"carried forward: {'; '.join(parts)}; {self.citations} links, {self.checks} quote checks, "
            f"{self.suggestions} suggested excerpts copied; {self.removed} removed"
        )


def _columns(db: sqlite_utils.Database, table: str, skip: set[str]) -> list[str]:
    return [c for c in db[table].columns_dict if c not in skip]


def _copy(db: sqlite_utils.Database, table: str, key: str, records: str, article_id: int, anchors: tuple[str, ...]) -> int:
    """Copy rows of ``table`` on the predecessors of ``article_id``'s records to the records."""
    columns = _columns(db, table, {"id", key})
    listed = ", ".join(f"[{c}]" for c in columns)
    before = db.conn.total_changes
    db.execute(
        f"""
        insert into [{table}] ([{key}], {listed})
        select r.id, {", ".join(f"t.[{c}]" for c in columns)}
        from [{table}] t join [{records}] r on r.carried_from = t.[{key}]
        where r.article_id = ? and r.anchor in ({", ".join("?" * len(anchors))})
        order by r.id, t.id
        """,
        [article_id, *anchors],
    )
    return db.conn.total_changes - before


def carry_forward(db: sqlite_utils.Database, previous_id: int, article_id: int) -> Carried:
    """Copy citations (with their evidence), quote checks and suggestions to the records carried
    into ``article_id``, re-check edited quotes, report removed records and make the new version
    the current one. Call inside the transaction that saved the new version."""
    carried = Carried()
    for table in ("quotes", "claims"):
        counts = dict.fromkeys(("exact", "moved", "edited", "new"), 0)
        for anchor, n in db.execute(f"select anchor, count(*) from [{table}] where article_id = ? group by anchor", [article_id]):
            counts[anchor] = n
        carried.anchors[table] = counts
    for key, records in (("quote_id", "quotes"), ("claim_id", "claims")):
        carried.citations += _copy(db, "citations", key, records, article_id, ("exact", "moved", "edited"))
    # A check or an excerpt ranking was made for the old wording: it holds while the text does.
    carried.checks = _copy(db, "quote_checks", "quote_id", "quotes", article_id, ("exact", "moved"))
    carried.suggestions = _copy(db, "evidence_suggestions", "claim_id", "claims", article_id, ("exact", "moved"))
    carried.checks += _recheck_edited(db, article_id)
    carried.suggestions += _rerank_edited(db, article_id)
    carried.removed = _removed_findings(db, previous_id, article_id)
    db.execute("update articles set is_current = 0, superseded_by = ? where id = ?", [article_id, previous_id])
    return carried


def _recheck_edited(db: sqlite_utils.Database, article_id: int) -> int:
    edited = {r[0] for r in db.execute(
        "select q.id from quotes q join citations c on c.quote_id = q.id where q.article_id = ? and q.anchor = 'edited'",
        [article_id],
    )}  # fmt: skip
    if not edited:
        return 0
    from .verify import compute_checks

    stamp = now()
    rows = [{**c.model_dump(), "checked_at": stamp} for c in compute_checks(db, article_id) if c.quote_id in edited]
    db["quote_checks"].insert_all(rows)
    return len(rows)


def _rerank_edited(db: sqlite_utils.Database, article_id: int) -> int:
    edited = {r[0] for r in db.execute(
        """
        select distinct cl.id from claims cl
        join citations c on c.claim_id = cl.id or (cl.quote_id is not null and c.quote_id = cl.quote_id)
        join source_texts st on st.source_id = c.source_id
        where cl.article_id = ? and cl.anchor = 'edited'
        """,
        [article_id],
    )}  # fmt: skip
    if not edited:
        return 0
    from .evidence import compute_suggestions

    rows = [s.model_dump() for s in compute_suggestions(db, article_id) if s.claim_id in edited]
    db["evidence_suggestions"].insert_all(rows)
    return len(rows)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def removed_records(db: sqlite_utils.Database, previous_id: int, table: str) -> list[dict[str, Any]]:
    """Records of version ``previous_id`` that no record of the next version was carried from,
    with how many links and flags they had."""
    key = "quote_id" if table == "quotes" else "claim_id"
    return list(
        db.query(
            f"""
            select r.id, r.text,
                   (select count(*) from citations c where c.{key} = r.id) as links,
                   (select count(*) from flags f where f.{key} = r.id) as flags
            from [{table}] r
            where r.article_id = ? and not exists (select 1 from [{table}] n where n.carried_from = r.id)
            order by r.start, r.id
            """,
            [previous_id],
        )
    )


def _removed_findings(db: sqlite_utils.Database, previous_id: int, article_id: int) -> int:
    version = db.execute("select version from articles where id = ?", [previous_id]).fetchone()[0]
    created = now()
    rows = []
    for table, kind in (("quotes", "quote"), ("claims", "claim")):
        for r in removed_records(db, previous_id, table):
            had = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in ((r["links"], "source link"), (r["flags"], "flag")) if n]
            rows.append(FindingRow(
                kind="removed_in_new_version",
                message=f"{kind.capitalize()} {r['id']} of version {version} is not in this version: "
                        f"\u201c{_short(r['text'])}\u201d" + (f" (it had {' and '.join(had)})." if had else "."),
                article_id=article_id,
                **{f"{kind}_id": r["id"]},
                created_at=created,
            ).model_dump())  # fmt: skip
    db["findings"].insert_all(rows)
    return len(rows)


# --- what changed, for the article page and scripts ------------------------------------------

_WORD = re.compile(r"\S+")


def word_diff_html(old: str, new: str) -> Markup:
    """Word diff from the old wording to the new: ``<del>`` removed words, ``<ins>`` added."""
    from .verify import DiffOp, diff_html

    a, b = _WORD.findall(old), _WORD.findall(new)
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(DiffOp(op="equal", text=" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(DiffOp(op="delete", text=" ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp(op="insert", text=" ".join(b[j1:j2])))
    return diff_html(ops)


def earlier_versions(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """Every version of this article's chain, newest first (this one included)."""
    row = db.execute("select id from articles where id = ?", [article_id]).fetchone()
    if row is None:
        return []
    # Walk to the newest version, then back through previous_id.
    current = article_id
    while (nxt := db.execute("select superseded_by from articles where id = ?", [current]).fetchone()[0]) is not None:
        current = nxt
    out = []
    while current is not None:
        a = next(db.query(
            "select id, version, location, title, ingested_at, is_current, previous_id from articles where id = ?", [current]
        ))  # fmt: skip
        out.append(a)
        current = a["previous_id"]
    return out


def version_changes(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    """What changed from the previous version: added, removed, edited and moved records, and
    the reviews to redo (edited records whose earlier versions had flags). None for a first
    version."""
    article = next(db.query("select id, version, previous_id from articles where id = ?", [article_id]), None)
    if article is None or article["previous_id"] is None:
        return None
    previous = next(db.query("select id, version from articles where id = ?", [article["previous_id"]]))
    out: dict[str, Any] = {"previous": previous, "added": [], "removed": [], "edited": [], "moved": [], "redo": []}
    for table, kind in (("quotes", "quote"), ("claims", "claim")):
        # One pass over the status view for both versions: it aggregates every flag.
        status = {
            row[0]: (row[1], row[2])
            for row in db.execute(
                f"select {kind}_id, status, flags from {kind}_status where article_id in (?, ?)", [article_id, previous["id"]]
            )
        }
        for r in db.query(
            f"""
            select n.id, n.text, n.anchor, n.carried_from, o.text as old_text
            from [{table}] n left join [{table}] o on o.id = n.carried_from
            where n.article_id = ? and n.anchor in ('new', 'edited', 'moved') order by n.start, n.id
            """,
            [article_id],
        ):
            item = {"kind": kind, "table": table, **r, "status": status.get(r["id"], ("not reviewed", 0))[0]}
            item["earlier_flags"] = status.get(r["carried_from"], ("", 0))[1]
            if r["anchor"] == "new":
                out["added"].append(item)
            elif r["anchor"] == "moved":
                out["moved"].append(item)
            else:
                item["diff"] = word_diff_html(r["old_text"], r["text"])
                out["edited"].append(item)
                if item["earlier_flags"] and item["status"] == "needs re-review":
                    out["redo"].append(item)
        for r in removed_records(db, previous["id"], table):
            out["removed"].append({"kind": kind, "table": table, **r})
    return out


def record_versions(db: sqlite_utils.Database, table: str, record_id: int) -> dict[str, Any] | None:
    """A quote's or claim's earlier versions, for its page: ``chain`` (this record, then each
    predecessor, with its article version), ``counted`` (ids whose flags count for this record:
    its run of unchanged text), ``earlier`` (ids reviewed before the text changed) and ``edit``
    (the word diff of the latest change of wording). None for a record with no predecessor."""
    chain = []
    current: int | None = record_id
    while current is not None and len(chain) < 1000:
        row = next(db.query(
            f"select r.id, r.anchor, r.carried_from, r.text, r.article_id, a.version from [{table}] r "
            "join articles a on a.id = r.article_id where r.id = ?",
            [current],
        ), None)  # fmt: skip
        if row is None:
            break
        chain.append(row)
        current = row["carried_from"]
    if len(chain) < 2:
        return None
    counted = [chain[0]["id"]]
    edit = None
    for newer, older in zip(chain, chain[1:], strict=False):
        if newer["anchor"] not in ("exact", "moved"):
            if newer["anchor"] == "edited":
                edit = {"from": older, "to": newer, "diff": word_diff_html(older["text"], newer["text"])}
            break
        counted.append(older["id"])
    earlier = [r["id"] for r in chain if r["id"] not in counted]
    return {"chain": chain, "counted": counted, "earlier": earlier, "edit": edit}
