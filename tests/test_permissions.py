"""Who may do what: anonymous reads, reviewers flag as themselves, editors resolve, private mode."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3

import pytest
import sqlite_utils

from claims.reviewers import Account
from tests.conftest import file_hash, load_yaml
from tests.reviewing import ACCOUNTS, ALICE, BOB, EDITOR, JSON, flag_rows, make_ds


@pytest.fixture
def ds(built_db):
    return make_ds(built_db)


FLAG = {"claim_id": "3", "verdict": "unsupported", "reason": "No source says this.", "source_id": ""}


@pytest.mark.asyncio
async def test_anonymous_cannot_flag_and_nothing_is_written(ds, built_db):
    before = file_hash(built_db)
    json_response = await ds.client.post("/claims/flag_claim", data=FLAG, headers=JSON)
    assert json_response.status_code == 403
    form_response = await ds.client.post("/claims/flag_claim", data=FLAG)
    assert form_response.status_code == 403
    assert (await ds.client.post("/claims/flag_quote", data={**FLAG, "quote_id": "1"}, headers=JSON)).status_code == 403
    # Nor see the flag form, nor pose as someone with a forged field.
    assert (await ds.client.get("/-/claims/flag/claims/3")).status_code == 403
    forged = await ds.client.post("/claims/flag_claim", data={**FLAG, "_actor_id": "alice"}, headers=JSON)
    assert forged.status_code == 403
    assert flag_rows(built_db) == []
    assert file_hash(built_db) == before


@pytest.mark.asyncio
async def test_anonymous_can_read_everything(ds):
    for path in (
        "/claims/claims/3", "/claims/flags", "/claims/claim_status", "/claims/needs_review",
        "/claims/not_supported", "/claims/disputed", "/claims/vague_attributions",
        "/-/claims/articles/1", "/-/claims/search?q=microcurrent",
    ):  # fmt: skip
        response = await ds.client.get(path)
        assert response.status_code == 200, path
    # The form page is for reviewers; "My flags" needs someone to be "me".
    assert (await ds.client.get("/claims/my_flags")).status_code == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("as_json", [True, False])
async def test_flag_is_stored_with_the_logged_in_reviewer(ds, built_db, as_json):
    # Every way a client could name another reviewer: form fields and the query string.
    forged = {**FLAG, "reviewer": "mallory", "_actor_id": "mallory", "_actor": "mallory"}
    response = await ds.client.post(
        "/claims/flag_claim?_actor_id=mallory&reviewer=mallory",
        data=forged,
        actor=ALICE,
        headers=JSON if as_json else {},
    )
    assert response.status_code == (200 if as_json else 302)
    (flag,) = flag_rows(built_db)
    assert flag["reviewer"] == "alice"
    assert (flag["claim_id"], flag["verdict"], flag["reason"], flag["source_id"]) == (3, "unsupported", FLAG["reason"], None)
    assert flag["created_at"].endswith("Z")


@pytest.mark.asyncio
async def test_json_body_cannot_name_the_reviewer_either(ds, built_db):
    response = await ds.client.post(
        "/claims/flag_quote",
        json={"quote_id": 1, "verdict": "misquoted", "reason": "words differ", "source_id": 1, "_actor_id": "mallory"},
        actor=ALICE,
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    (flag,) = flag_rows(built_db)
    assert (flag["reviewer"], flag["quote_id"], flag["source_id"]) == ("alice", 1, 1)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "data, message",
    [
        ({**FLAG, "claim_id": "999999"}, "flags: claim_id does not match any claim"),
        ({**FLAG, "claim_id": "abc"}, "flags: claim_id must be a whole number"),
        # A cast would have flagged claim 2 and claim 1.
        ({**FLAG, "claim_id": "2.7"}, "flags: claim_id must be a whole number"),
        ({**FLAG, "claim_id": "1e0"}, "flags: claim_id must be a whole number"),
        ({**FLAG, "claim_id": "-3"}, "flags: claim_id must be a whole number"),
        ({**FLAG, "source_id": "1.0"}, "flags: source_id must be a whole number"),
        ({**FLAG, "claim_id": ""}, "flags: exactly one of claim_id or quote_id is required"),
        ({**FLAG, "source_id": "777"}, "flags: source_id does not match any source"),
        ({**FLAG, "verdict": "meh"}, "flags: verdict must be one of"),
        ({**FLAG, "reason": "  "}, "flags: a reason is required"),
    ],
)
async def test_bad_flags_get_a_clear_error_and_write_nothing(ds, built_db, data, message):
    before = file_hash(built_db)
    response = await ds.client.post("/claims/flag_claim", data=data, actor=ALICE, headers=JSON)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]
    assert flag_rows(built_db) == []
    assert file_hash(built_db) == before


@pytest.mark.asyncio
async def test_the_json_write_api_is_not_granted_on_flags(ds, built_db):
    row = {"claim_id": 3, "verdict": "supported", "reviewer": "mallory", "created_at": "2024-01-01T00:00:00Z"}
    for actor in (ALICE, EDITOR):
        attempts = [
            ("/claims/flags/-/insert", {"row": row}),
            ("/claims/flags/-/upsert", {"rows": [{**row, "id": 1}]}),
            ("/claims/-/execute-write", {"sql": "insert into flags (claim_id, verdict, reviewer, created_at) values (3, 'supported', 'mallory', 'x')"}),
            ("/claims/-/queries/store", {"query": {"name": "sneaky", "sql": "insert into flags (claim_id, verdict, reviewer, created_at) values (3, 'supported', :who, 'x')"}}),
        ]
        for path, body in attempts:
            response = await ds.client.post(path, json=body, actor=actor, headers=JSON)
            assert response.status_code == 403, (path, response.status_code, response.text)
    assert flag_rows(built_db) == []


@pytest.mark.asyncio
async def test_update_and_delete_on_flags_fail_inside_datasette(ds, built_db):
    await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    db = ds.get_database("claims")
    for sql in ("update flags set reviewer = 'mallory'", "delete from flags"):
        with pytest.raises(sqlite3.IntegrityError, match="flags are append-only"):
            await db.execute_write(sql)
    assert [f["reviewer"] for f in flag_rows(built_db)] == ["alice"]


@pytest.mark.asyncio
async def test_only_editors_resolve(ds, built_db):
    await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    ruling = {"claim_id": "3", "flag_id": "1", "verdict": "overstated", "note": "mouse study only"}
    assert (await ds.client.post("/claims/resolve_claim", data=ruling, actor=ALICE, headers=JSON)).status_code == 403
    assert (await ds.client.get("/-/claims/resolve/claims/3", actor=ALICE)).status_code == 403
    assert (await ds.client.get("/-/claims/resolve/claims/3", actor=EDITOR)).status_code == 200
    response = await ds.client.post("/claims/resolve_claim", data={**ruling, "_actor_id": "mallory"}, actor=EDITOR, headers=JSON)
    assert response.status_code == 200, response.text
    status = (await ds.client.get("/claims/claim_status.json?claim_id=3&_shape=array")).json()[0]
    assert (status["resolved"], status["latest_verdict"], status["latest_by"]) == (1, "overstated", "erin")
    # Editors flag too; an unflagged claim has nothing to resolve.
    unflagged = await ds.client.post("/claims/resolve_claim", data={**ruling, "claim_id": "4"}, actor=EDITOR, headers=JSON)
    assert unflagged.status_code == 400 and "nothing to resolve" in unflagged.text


@pytest.mark.asyncio
async def test_actor_without_a_role_cannot_flag(ds, built_db):
    response = await ds.client.post("/claims/flag_claim", data=FLAG, actor={"id": "visitor"}, headers=JSON)
    assert response.status_code == 403
    assert flag_rows(built_db) == []


@pytest.mark.asyncio
async def test_private_deployment_hides_everything_from_anonymous(built_db):
    ds = make_ds(built_db, private=True)
    paths = [
        "/", "/claims", "/claims/claims", "/claims/claims/3", "/claims/claims.json",
        "/claims/flags", "/claims/claim_status", "/claims/needs_review", "/claims/search?q=microcurrent",
        "/claims/-/query.json?sql=select+text+from+claims", "/-/claims/articles/1",
        "/-/claims/search?q=microcurrent", "/-/claims/flag/claims/3",
    ]  # fmt: skip
    for path in paths:
        response = await ds.client.get(path)
        assert response.status_code == 403, path
        assert "microcurrent" not in response.text.lower() or path.endswith("microcurrent"), path
    assert (await ds.client.get("/-/login")).status_code == 200
    for path in paths:
        assert (await ds.client.get(path, actor=ALICE)).status_code == 200, path


# --- ids, optional parameters and stale resolutions (audit 5a-5c) ------------------------------


@pytest.mark.asyncio
async def test_optional_source_id_may_be_empty_or_json_null_but_not_left_out(ds, built_db):
    sent = {"claim_id": 3, "verdict": "supported", "reason": ""}
    for source_id in ("", None):
        response = await ds.client.post("/claims/flag_claim", json={**sent, "source_id": source_id}, actor=ALICE, headers=JSON)
        assert response.status_code == 200, response.text
    # Datasette has no defaults for stored-query parameters: the description says to send it.
    missing = await ds.client.post("/claims/flag_claim", json=sent, actor=ALICE, headers=JSON)
    assert missing.status_code == 400 and "source_id" in missing.text
    assert [f["source_id"] for f in flag_rows(built_db)] == [None, None]


async def resolve(ds, **values):
    data = {"claim_id": "3", "verdict": "overstated", "note": "mouse study only", **values}
    return await ds.client.post("/claims/resolve_claim", data=data, actor=EDITOR, headers=JSON)


@pytest.mark.asyncio
async def test_a_flag_added_while_the_editor_reads_is_not_resolved_unseen(ds, built_db):
    await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    form = (await ds.client.get("/-/claims/resolve/claims/3", actor=EDITOR)).text
    seen = re.search(r'name="flag_id" value="(\d+)"', form).group(1)
    # Bob flags the claim while the editor is reading the form.
    await ds.client.post("/claims/flag_claim", data={**FLAG, "verdict": "supported"}, actor=BOB, headers=JSON)
    stale = await resolve(ds, flag_id=seen)
    assert stale.status_code == 400 and "a newer flag was added" in stale.json()["errors"][0]
    assert list(sqlite_utils.Database(built_db)["resolutions"].rows) == []
    # Reloaded, the form carries Bob's flag, and the ruling covers it.
    form = (await ds.client.get("/-/claims/resolve/claims/3", actor=EDITOR)).text
    latest = re.search(r'name="flag_id" value="(\d+)"', form).group(1)
    assert latest != seen
    assert (await resolve(ds, flag_id=latest)).status_code == 200
    (ruling,) = sqlite_utils.Database(built_db)["resolutions"].rows
    assert ruling["flag_id"] == int(latest)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "values, message",
    [
        ({"flag_id": ""}, "resolutions: flag_id must be a whole number"),
        ({"flag_id": "1.0"}, "resolutions: flag_id must be a whole number"),
        ({"flag_id": "2"}, "resolutions: flag_id is not a flag on this claim or quote"),
        ({"claim_id": "3.2", "flag_id": "1"}, "resolutions: the claim or quote id must be a whole number"),
        ({"claim_id": "4", "flag_id": "2"}, "nothing to resolve"),
    ],
)
async def test_bad_resolutions_get_a_clear_error(ds, built_db, values, message):
    await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)  # flag 1, claim 3
    await ds.client.post("/claims/flag_claim", data={**FLAG, "claim_id": "5"}, actor=ALICE, headers=JSON)  # flag 2
    response = await resolve(ds, **values)
    assert response.status_code == 400 and message in response.json()["errors"][0]
    assert list(sqlite_utils.Database(built_db)["resolutions"].rows) == []


# --- the actor comes from the configured accounts, not the cookie (audit 2) ---------------------


@pytest.mark.asyncio
async def test_a_removed_reviewers_cookie_no_longer_works(built_db):
    without_alice = {name: account for name, account in ACCOUNTS.items() if name != "alice"}
    ds = make_ds(built_db, accounts=without_alice)
    assert (await ds.client.get("/-/actor.json", actor=ALICE)).json()["actor"] is None
    response = await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    assert response.status_code == 403
    assert (await ds.client.get("/claims/my_flags", actor=ALICE)).status_code == 403
    private = make_ds(built_db, accounts=without_alice, private=True)
    assert (await private.client.get("/claims/claims", actor=ALICE)).status_code == 403
    assert (await private.client.get("/claims/claims", actor=BOB)).status_code == 200
    assert flag_rows(built_db) == []


@pytest.mark.asyncio
async def test_the_role_comes_from_the_configuration_not_the_cookie(ds, built_db):
    await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    # A cookie that says "editor" for a reviewer account (e.g. issued before a demotion).
    promoted = {"id": "alice", "role": "editor"}
    assert (await ds.client.get("/-/actor.json", actor=promoted)).json()["actor"] == ALICE
    response = await ds.client.post(
        "/claims/resolve_claim", data={"claim_id": "3", "flag_id": "1", "verdict": "supported", "note": ""},
        actor=promoted, headers=JSON,
    )  # fmt: skip
    assert response.status_code == 403
    demoted = make_ds(built_db, accounts={**ACCOUNTS, "erin": Account(name="erin", role="reviewer", password_hash="x")})
    assert (await demoted.client.get("/-/claims/resolve/claims/3", actor=EDITOR)).status_code == 403
    assert (await resolve(demoted, flag_id="1")).status_code == 403
    assert list(sqlite_utils.Database(built_db)["resolutions"].rows) == []


# --- any database file name (audit 1) ------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_database_file_not_named_claims_is_served_as_claims(built_db, tmp_path):
    other = tmp_path / "my-articles.db"
    shutil.copy(built_db, other)
    ds = make_ds(other, database_file=other)
    await ds.invoke_startup()
    assert list(ds.databases) == ["claims"]
    for path in ("/-/claims/articles/1", "/claims/needs_review", "/claims/claims/3", "/-/claims/search?q=microcurrent"):
        assert (await ds.client.get(path)).status_code == 200, path
    assert "Needs review" in (await ds.client.get("/")).text
    response = await ds.client.post("/claims/flag_claim", data=FLAG, actor=ALICE, headers=JSON)
    assert response.status_code == 200, response.text
    assert [f["reviewer"] for f in flag_rows(other)] == ["alice"]


@pytest.mark.asyncio
async def test_plugin_pages_404_with_a_message_when_the_database_is_missing(built_db, tmp_path):
    other = tmp_path / "elsewhere.db"
    shutil.copy(built_db, other)
    ds = make_ds(other)  # not told which file is the claims database
    for path in ("/-/claims/articles/1", "/-/claims/search?q=x", "/-/claims/flag/claims/3"):
        response = await ds.client.get(path, actor=ALICE)
        assert response.status_code == 404, path
        assert "claims serve --db" in response.text, path
    assert (await ds.client.get("/")).status_code == 200


# --- pages: a way to log in, titles, the review lists (audit 5d-5f) ------------------------------


@pytest.mark.asyncio
async def test_anonymous_visitors_of_a_private_deployment_get_a_login_link(built_db):
    ds = make_ds(built_db, private=True)
    for path in ("/", "/claims/claims/3", "/-/claims/articles/1"):
        response = await ds.client.get(path)
        assert response.status_code == 403, path
        assert 'href="/-/login"' in response.text and "Log in to continue" in response.text, path
    # APIs keep Datasette's JSON error.
    api = await ds.client.get("/claims/claims.json")
    assert api.status_code == 403 and "/-/login" not in api.text
    # A logged-in reviewer denied something gets the plain message, not a login prompt.
    denied = await ds.client.get("/-/claims/resolve/claims/3", actor=ALICE)
    assert denied.status_code == 403 and "Log in to continue" not in denied.text


@pytest.mark.asyncio
async def test_every_stored_query_has_a_title_and_it_names_the_page(ds):
    queries = load_yaml("datasette.yaml")["databases"]["claims"]["queries"]
    assert [name for name, query in queries.items() if not query.get("title")] == []
    for name in ("needs_review", "flag_claim", "citation_list"):
        page = (await ds.client.get(f"/claims/{name}", actor=EDITOR)).text
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
        assert title == html.escape(queries[name]["title"], quote=False), (name, title)
    # Arbitrary SQL keeps Datasette's own title (and needs a login, issue 11).
    page = (await ds.client.get("/claims/-/query?sql=select+1", actor=ALICE)).text
    assert "select 1" in re.search(r"<title>(.*?)</title>", page, re.S).group(1)


@pytest.mark.asyncio
async def test_home_page_links_every_review_list(ds):
    anonymous = (await ds.client.get("/")).text
    for name, label in (
        ("needs_review", "Needs review"), ("not_supported", "Not supported"), ("disputed", "Disputed"),
        ("vague_attributions", "Vague attributions"), ("misquotes", "Misquotes"),
        ("population_mismatch", "Population mismatch"),
    ):  # fmt: skip
        assert f'<a href="/claims/{name}" data-query="{name}">{label}</a>' in anonymous, name
    assert 'data-query="my_flags"' not in anonymous
    assert '<a href="/claims/my_flags" data-query="my_flags">My flags</a>' in (await ds.client.get("/", actor=ALICE)).text
