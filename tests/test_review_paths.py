"""The reviewers' short paths under load (issue 11): flag and resolve POSTs without Datasette's
per-POST SQL analysis (claims.review_writes), and query threads that anonymous requests cannot
take from reviewers (claims.sql_pools)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import pytest_asyncio
from datasette.app import Datasette
from datasette.database import Database

from claims.sql_pools import SplitExecutor
from tests.reviewing import ALICE, JSON, flag_rows, make_ds

FLAG = {"claim_id": "3", "verdict": "unsupported", "reason": "the study was in mice", "source_id": ""}


@pytest_asyncio.fixture
async def ds(built_db: Path) -> Datasette:
    datasette = make_ds(built_db)
    await datasette.invoke_startup()
    return datasette


async def post(ds: Datasette, path: str, data: dict, actor: dict | None = ALICE, headers: dict | None = None):
    jar = {"ds_actor": ds.client.actor_cookie(actor)} if actor else {}
    return await ds.client.post(path, data=data, headers=JSON if headers is None else headers, cookies=jar)


# --- the short write path -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_flag_is_one_permission_check_and_one_write_without_sql_analysis(ds, built_db, monkeypatch):
    async def no_analysis(self, sql, params=None):  # noqa: ARG001
        raise AssertionError("Datasette's SQL analysis ran for a flag")

    monkeypatch.setattr(Database, "analyze_sql", no_analysis)
    checks: list[str] = []
    real_allowed = ds.allowed

    async def counting(**kwargs):
        checks.append(kwargs["action"])
        return await real_allowed(**kwargs)

    monkeypatch.setattr(ds, "allowed", counting)
    response = await post(ds, "/claims/flag_claim", {**FLAG, "_actor_id": "mallory", "reviewer": "mallory"})
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "message": "Flag saved", "redirect": None}
    assert checks == ["view-query"]
    rows = flag_rows(built_db)
    assert [(r["claim_id"], r["verdict"], r["reviewer"]) for r in rows] == [(3, "unsupported", "alice")]


@pytest.mark.asyncio
async def test_the_short_path_refuses_what_datasette_refuses(ds, built_db):
    anonymous = await post(ds, "/claims/flag_claim", FLAG, actor=None)
    assert anonymous.status_code == 403
    stranger = await post(ds, "/claims/flag_claim", FLAG, actor={"id": "mallory", "role": "reviewer"})
    assert stranger.status_code == 403
    # A cross-site form post is stopped by Datasette's cross-origin check before the route.
    cross_site = await post(ds, "/claims/flag_claim", FLAG, headers={**JSON, "Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    # The triggers still check every value: a bad verdict is a 400 with their message.
    bad = await post(ds, "/claims/flag_claim", {**FLAG, "verdict": "meh"})
    assert bad.status_code == 400 and bad.json()["ok"] is False and "verdict" in bad.json()["error"]
    assert flag_rows(built_db) == []


@pytest.mark.asyncio
async def test_the_short_path_answers_as_datasette_does(ds, built_db):
    # A form post without JavaScript: a message and a redirect back to the query's page.
    form = await post(ds, "/claims/flag_quote", {**FLAG, "quote_id": "1", "claim_id": ""}, headers={})
    assert form.status_code == 302 and form.headers["location"] == "/claims/flag_quote"
    assert "ds_messages" in form.cookies
    # A JSON body, as an API client may send.
    jar = {"ds_actor": ds.client.actor_cookie(ALICE)}
    api = await ds.client.post(
        "/claims/flag_claim", content='{"claim_id": 3, "verdict": "supported", "reason": "", "source_id": ""}',
        headers={**JSON, "Content-Type": "application/json"}, cookies=jar,
    )  # fmt: skip
    assert api.status_code == 200 and api.json()["ok"] is True
    # The query's own page (GET) is still Datasette's.
    page = await ds.client.get("/claims/flag_claim", cookies=jar)
    assert page.status_code == 200 and "Flag a claim" in page.text
    assert [(r["quote_id"], r["claim_id"], r["verdict"]) for r in flag_rows(built_db)] == [
        (1, None, "unsupported"), (None, 3, "supported"),
    ]  # fmt: skip


# --- separate query threads -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_reviewers_are_served_while_anonymous_requests_hold_every_anonymous_query_thread(ds):
    assert isinstance(ds.executor, SplitExecutor)
    release = threading.Event()
    blockers = [ds.executor.anonymous.submit(release.wait, 30) for _ in range(ds.executor.anonymous._max_workers)]
    try:
        anonymous = asyncio.create_task(ds.client.get("/claims/claims.json"))
        jar = {"ds_actor": ds.client.actor_cookie(ALICE)}
        reviewer = await asyncio.wait_for(ds.client.get("/claims/claims.json", cookies=jar), timeout=20)
        assert reviewer.status_code == 200
        await asyncio.sleep(0.2)
        # The anonymous page needs a query thread of its own kind, and waits for one.
        assert not anonymous.done()
    finally:
        release.set()
    assert (await asyncio.wait_for(anonymous, timeout=20)).status_code == 200
    for blocker in blockers:
        blocker.result(timeout=5)


# --- search that stays on the index ---------------------------------------------------------


def test_search_reads_the_fts_index_first_never_every_row(built_db):
    import sqlite3

    import yaml

    from claims.search_page import SEARCH_SQL
    from tests.conftest import ROOT

    stored = yaml.safe_load((ROOT / "datasette.yaml").read_text())["databases"]["claims"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(built_db)
    conn.create_function("escape_fts", 1, lambda q: q)
    for sql, params in ((SEARCH_SQL, {"q": '"study"', "all": 0}), (stored, {"q": "study"})):
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        # Claims, quotes and sources are reached by rowid from their FTS index; a SCAN of one would
        # read every row (seconds at 100,000 sources) and probe the index once per row. (The
        # example's one article may be scanned: the planner's statistics say it is tiny.)
        assert [step for step in plan if step.split()[:2] in (["SCAN", "c"], ["SCAN", "q"], ["SCAN", "s"])] == [], plan
        assert sum("VIRTUAL TABLE" in step for step in plan) == 3
    conn.close()
