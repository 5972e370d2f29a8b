"""Needs review from stored sort keys (issue 13, m142): the list is the same as when its order
was computed per row, after flags, resolutions, quote checks, findings and re-scored claims,
and a page is served from the order's index."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from claims.db import open_db
from claims.flags import VERDICTS, Flag, Resolution, save_flags, save_resolutions
from tests.conftest import ROOT

NEW = yaml.safe_load((ROOT / "datasette.yaml").read_text())["databases"]["claims"]["queries"]["needs_review"]["sql"]

# The list as it was before m142 (issue 12's), computing checks, findings and a quotation's
# check-worthiness per row: the reference the stored keys must reproduce. One change: it sorted
# a quotation whose only check was `normalised` (a 0 there) before unchecked ones (NULL sorts
# last when descending); the list promises altered or missing first and nothing for the rest.
COMPUTED = """
select kind, claim_id, quote_id, text, status, checkworthiness, findings, quote_check, sources, article_id
from (
  select 'claim' as kind, s.claim_id, null as quote_id, s.text, s.status, s.checkworthiness,
    (select count(*) from findings f where f.claim_id = s.claim_id) as findings,
    (select group_concat(distinct qc.result) from quote_checks qc
     where qc.quote_id = c.quote_id and qc.result in ('altered', 'not_found')) as quote_check,
    s.sources, s.article_id, c.start, c.id as rid
  from claim_status s join claims c on c.id = s.claim_id
  where s.flags = 0 and s.is_current
  union all
  select 'quote', null, s.quote_id, s.text, s.status,
    (select max(c.checkworthiness) from claims c where c.quote_id = s.quote_id),
    (select count(*) from findings f where f.quote_id = s.quote_id or f.related_quote_id = s.quote_id),
    (select group_concat(distinct qc.result) from quote_checks qc
     where qc.quote_id = s.quote_id and qc.result in ('altered', 'not_found', 'normalised')),
    s.sources, s.article_id, q.start, q.id
  from quote_status s join quotes q on q.id = s.quote_id
  where s.flags = 0 and s.is_current and q.kind = 'source'
)
where coalesce(:kind, '') = '' or kind = :kind
order by status = 'needs re-review' desc,
  coalesce(quote_check like '%altered%' or quote_check like '%not_found%', 0) desc,
  checkworthiness is null, checkworthiness desc, findings desc, article_id, start, kind, rid
"""


def _lists(db, kind: str) -> tuple[list[tuple], list[tuple]]:
    new = []
    for page in range(1, 50):
        rows = [tuple(r) for r in db.execute(NEW, {"kind": kind, "page": str(page)})]
        new += rows
        if len(rows) < 100:
            break
    return [tuple(r) for r in db.execute(COMPUTED, {"kind": kind})], new


def test_needs_review_keys_follow_every_write_that_orders_it(built_db: Path):
    db = open_db(built_db)
    rng = random.Random(13)
    claims = [r[0] for r in db.execute("select id from claims")]
    quotes = [r[0] for r in db.execute("select id from quotes where kind = 'source'")]
    leaned = [r[0] for r in db.execute("select distinct quote_id from claims where quote_id is not null")]
    sources = [r[0] for r in db.execute("select id from sources limit 4")]
    assert leaned and len(sources) >= 2
    for step in range(150):
        action = rng.random()
        if action < 0.25:
            kind, ids = ("claim", claims) if rng.random() < 0.6 else ("quote", quotes)
            verdict = rng.choice(VERDICTS)
            save_flags(db, [Flag(**{f"{kind}_id": rng.choice(ids)}, verdict=verdict,
                                 reason=None if verdict == "supported" else "r", reviewer="alice")])  # fmt: skip
        elif action < 0.35:
            latest = db.execute("select max(id) from flags").fetchone()[0]
            if latest:
                save_resolutions(db, [Resolution(flag_id=latest, verdict="supported", editor="erin")])
        elif action < 0.55:
            quote = rng.choice(leaned + quotes[:10])
            db.execute(
                "insert or replace into quote_checks (quote_id, source_id, result, checked_at) values (?, ?, ?, '2026')",
                [quote, rng.choice(sources), rng.choice(["altered", "not_found", "normalised", "verbatim"])],
            )
        elif action < 0.65:
            db.execute("delete from quote_checks where id = (select min(id) from quote_checks)")
        elif action < 0.8:
            quote = rng.choice(quotes)
            db["findings"].insert({"article_id": 1, "kind": "test", "message": "m", "quote_id": rng.choice([quote, None]),
                                   "related_quote_id": rng.choice([quote, rng.choice(quotes), None]),
                                   "claim_id": rng.choice([rng.choice(claims), None])})  # fmt: skip
        elif action < 0.9:
            db.execute("delete from findings where id = (select max(id) from findings)")
        else:
            db.execute("update claims set checkworthiness = ? where id = ?", [round(rng.random(), 3), rng.choice(claims)])
        if step % 50 == 49:
            for kind in ("", "claim", "quote"):
                computed, stored = _lists(db, kind)
                assert stored == computed, kind
    # The keys were exercised: checks reorder the list and findings counts vary.
    assert db.execute("select count(*) from review_state where quote_check and listed").fetchone()[0] > 0
    assert db.execute("select count(distinct findings) from review_state").fetchone()[0] > 2


def test_a_needs_review_page_reads_the_order_index(built_db: Path):
    db = open_db(built_db)
    for kind in ("", "claim", "quote"):
        plan = " ".join(str(r[3]) for r in db.execute("explain query plan " + NEW, {"kind": kind, "page": "3"}))
        assert "USING INDEX review_state_needs_review_order" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


VAGUE = yaml.safe_load((ROOT / "datasette.yaml").read_text())["databases"]["claims"]["queries"]["vague_attributions"]["sql"]


def test_a_vague_attributions_page_reads_quotes_in_order(built_db: Path):
    # m143: without the (attribution_kind, article_id, id) index every vague quote is sorted.
    db = open_db(built_db)
    for after in ("", str((1 << 32) + 5)):
        plan = " ".join(str(r[3]) for r in db.execute("explain query plan " + VAGUE, {"after": after}))
        assert "idx_quotes_attribution_kind_article_id_id" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
