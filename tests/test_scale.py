"""Newsroom scale (issue 13): indexed review state, incremental findings, parallel builds,
keyset pages and streaming exports. Functional tests only: timings live in bench/scale.py."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import shutil
import sys
from pathlib import Path

import sqlite_utils

from claims import api
from claims.cli import cli
from claims.db import open_db
from claims.evidence import refresh_findings
from claims.export import iter_citation_list, iter_ledger, ledger
from claims.flags import VERDICTS, Flag, Resolution, save_flags, save_resolutions
from claims.schema_versions import _status_view_sql
from tests.conftest import ROOT, make_ds

TEST_ARTICLES = ROOT / "tests" / "articles"
ROW_COLUMNS = ("text", "start", "end", "kind", "attribution", "speaker", "attribution_kind")


def _old_view(db: sqlite_utils.Database, kind: str) -> list[tuple]:
    """What the aggregating view (m133, versions) computes, from its own SQL."""
    return sorted(tuple(r) for r in db.execute(f"select * from ({_status_view_sql(kind)})"))


def test_review_state_follows_flags_resolutions_and_citations(built_db: Path):
    db = open_db(built_db)
    rng = random.Random(3)
    claims = [r[0] for r in db.execute("select id from claims")]
    quotes = [r[0] for r in db.execute("select id from quotes")]
    source = db.execute("select id from sources limit 1").fetchone()[0]
    for step in range(120):
        kind, ids = ("claim", claims) if rng.random() < 0.6 else ("quote", quotes)
        target = rng.choice(ids[:12])
        action = rng.random()
        if action < 0.6:
            verdict = rng.choice(VERDICTS)
            save_flags(db, [Flag(**{f"{kind}_id": target}, verdict=verdict, reason=None if verdict == "supported" else "r",
                                 reviewer=rng.choice(["alice", "bob", "carol"]))])  # fmt: skip
        elif action < 0.8:
            latest = db.execute(f"select max(id) from flags where {kind}_id = ?", [target]).fetchone()[0]
            if latest:
                save_resolutions(db, [Resolution(flag_id=latest, verdict=rng.choice(VERDICTS), note="n", editor="erin")])
        elif action < 0.9:
            db["citations"].insert({f"{kind}_id": target, "source_id": source, "relation": "candidate",
                                    "added_by": "test", "added_at": "2026"})  # fmt: skip
        else:
            db.execute(f"delete from citations where id = (select max(id) from citations where {kind}_id = ?)", [target])
        if step % 30 == 29:
            for k in ("claim", "quote"):
                assert sorted(tuple(r) for r in db.execute(f"select * from {k}_status")) == _old_view(db, k)
    statuses = {r[0] for r in db.execute("select status from claim_status")}
    assert {"not reviewed", "supported"} <= statuses and len(statuses) >= 3


def test_status_lookups_use_indexes(built_db: Path):
    db = open_db(built_db)
    plans = {
        "one claim": "select * from claim_status where claim_id = 3",
        "needs review": "select claim_id from claim_status where flags = 0 order by checkworthiness desc, claim_id limit 100",
        "facet": "select status, count(*) from claim_status group by status",
    }
    for name, sql in plans.items():
        plan = " ".join(str(r[3]) for r in db.execute("explain query plan " + sql))
        assert "SCAN flags" not in plan and "SCAN citations" not in plan, (name, plan)
        assert "INDEX" in plan or "PRIMARY KEY" in plan, (name, plan)


def _two_articles_sharing_a_quote(folder: Path) -> list[Path]:
    shared = "\u201cMicrocurrent stimulation significantly increased ATP production in the treated skin cells,\u201d"
    texts = [
        f"# First report\n\nOne study found this. {shared} one study said.\n\nAnother paragraph here with words.\n",
        f"# Second report\n\nA review put it so: {shared} the review noted.\n\nNothing else to see in this one.\n",
        "# Third report\n\nUnrelated: \u201cSleep matters for recovery in athletes and in everyone else too,\u201d a coach said.\n",
    ]
    paths = []
    for i, text in enumerate(texts):
        path = folder / f"article{i}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_incremental_findings_match_a_full_refresh(tmp_path: Path, db: sqlite_utils.Database):
    for path in [*_two_articles_sharing_a_quote(tmp_path), *sorted(p for p in TEST_ARTICLES.iterdir() if p.is_file())]:
        api.ingest(db, str(path))
    dupes = list(db.query("select article_id, quote_id, related_quote_id from findings "
                          "where kind = 'near_duplicate_quote_across_articles'"))  # fmt: skip
    assert {d["article_id"] for d in dupes} == {1, 2}
    # A full recompute finds nothing the per-article refreshes missed or left stale.
    with db.atomic():
        assert refresh_findings(db) == 0
    # A new version of the first article replaces its quotes: the pair moves with it.
    first = tmp_path / "article0.md"
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    result = api.ingest(db, str(first)).result
    assert result.status == "new_version"
    pairs = {(r["article_id"], r["related_quote_id"]) for r in db.query(
        "select f.article_id, q.article_id as related_quote_id from findings f join quotes q on q.id = f.related_quote_id "
        "where f.kind = 'near_duplicate_quote_across_articles'")}  # fmt: skip
    assert pairs == {(result.article_id, 2), (2, result.article_id)}
    with db.atomic():
        assert refresh_findings(db) == 0


def _contents(path: Path) -> dict[str, list[tuple]]:
    db = sqlite_utils.Database(path)
    return {
        "quotes": sorted(db.execute("select id, article_id, text, start, \"end\", attribution_kind from quotes")),
        "claims": sorted(db.execute("select id, article_id, text, start, \"end\", checkworthiness from claims")),
        "findings": sorted(map(repr, db.execute("select kind, article_id, quote_id, claim_id, message from findings"))),
        "citations": sorted(map(repr, db.execute("select quote_id, claim_id, source_id, relation from citations"))),
    }


def test_build_jobs_and_refresh(tmp_path: Path, data_dir: Path, runner):
    for path in (p for p in TEST_ARTICLES.iterdir() if p.is_file()):
        shutil.copy(path, data_dir / "articles" / path.name)
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path, jobs in ((one, "1"), (two, "2")):
        result = runner.invoke(cli, ["build", "--db", str(path), "--data", str(data_dir), "--jobs", jobs])
        assert result.exit_code == 0, result.output
    assert _contents(one) == _contents(two)
    assert sqlite_utils.Database(two)["sqlite_stat1"].exists()  # ANALYZE ran
    again = runner.invoke(cli, ["build", "--db", str(two), "--data", str(data_dir), "--jobs", "2", "--refresh"])
    assert again.exit_code == 0, again.output
    assert "derived findings: 0 written" in again.output
    assert _contents(one) == _contents(two)


def test_exports_stream_and_match(built_db: Path, monkeypatch):
    db = open_db(built_db)
    chunks = list(iter_ledger(db, None, "csv"))
    assert "".join(chunks) == ledger(db, None, "csv")
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == db["claims"].count + db["quotes"].count
    import claims.export as export

    whole = {fmt: "".join(iter_citation_list(db, None, fmt)) for fmt in ("csl-json", "bibtex", "ris")}
    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    for fmt, text in whole.items():
        pieces = list(iter_citation_list(db, None, fmt))
        assert len(pieces) > 2 and "".join(pieces) == text, fmt
    assert [item["id"] for item in json.loads(whole["csl-json"])] == [r[0] for r in db.execute("select key from sources order by id")]


def test_review_lists_and_home_page_come_in_pages(built_db: Path):
    db = open_db(built_db)
    article = db.execute("select id from articles limit 1").fetchone()[0]
    base = db.execute("select max(id) from claims").fetchone()[0]
    db["claims"].insert_all(
        {"id": base + i, "article_id": article, "text": f"Filler claim {i}.", "start": 0, "end": 5, "category": "other",
         "checkworthiness": round(0.3 + (i % 7) / 10, 2), "hedged": 0} for i in range(1, 261)
    )  # fmt: skip
    save_flags(db, [Flag(claim_id=base + i, verdict="unsupported", reason="r", reviewer="alice") for i in range(1, 131)])
    db["articles"].insert_all(
        {"title": f"Filler {i}", "location": f"filler{i}.txt", "text": "x", "sha256": f"{i:064d}", "format": "text",
         "version": 1, "ingested_at": "2026"} for i in range(120)
    )  # fmt: skip
    ds = make_ds(built_db)

    async def walk(name: str, key: str) -> list:
        seen, path = [], f"/claims/{name}"
        cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
        while path:
            page = (await ds.client.get(path, cookies=cookies)).text
            rows = (await ds.client.get(path.replace(f"/{name}", f"/{name}.json", 1) + ("&" if "?" in path else "?")
                                        + "_shape=array", cookies=cookies)).json()  # fmt: skip
            assert len(rows) <= 100
            seen += [r[key] for r in rows]
            marker = 'rel="next"'
            path = page.split(marker)[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&") if marker in page else None
        return seen

    async def run() -> None:
        queue = await walk("needs_review", "claim_id")
        claims = [r[0] for r in db.execute("select claim_id from claim_status where flags = 0 and is_current")]
        assert sorted(c for c in queue if c is not None) == sorted(claims) and len(claims) > 100
        flagged = await walk("not_supported", "claim_id")
        assert len(flagged) == len(set(flagged)) == 130
        home = (await ds.client.get("/")).text
        assert "More articles" in home
        more = home.split("More articles")[0].rsplit('href="', 1)[1].split('"')[0]
        second = (await ds.client.get(more)).text
        assert "Filler 119" in second and "Filler 119" not in home

    asyncio.run(run())


def test_bench_scale_code_path(tmp_path: Path):
    """bench/scale.py end to end on a tiny corpus: generate, build, probe, review, time pages."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    corpus = scale.generate(tmp_path / "corpus", 4, paragraphs_per_article=12)
    db_path = tmp_path / "scale.db"
    scale.build_stage(tmp_path, corpus, db_path, jobs=2)
    assert scale.probe_ingest(tmp_path, db_path, 99, 1, scale.paragraphs())
    scale.grow_by_copying(db_path, 9)
    grown = sqlite_utils.Database(db_path)
    assert grown["articles"].count == 9
    assert grown["review_state"].count == grown["claims"].count + grown["quotes"].count
    assert grown.execute("pragma foreign_key_check").fetchall() == []
    assert scale.add_reviews(db_path)["flags"] > 0
    results = asyncio.run(scale.time_pages(db_path, repeat=1))
    assert {r["page"] for r in results} >= {"home", "needs_review", "search", "article page"}
    assert all(r["status"] == 200 and not r["interrupted"] for r in results), results
