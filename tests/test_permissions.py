"""Who may do what: anonymous reads, reviewers flag as themselves, editors resolve, private mode."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import file_hash
from tests.reviewing import ALICE, EDITOR, JSON, flag_rows, make_ds


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
        ({**FLAG, "claim_id": "abc"}, "flags: claim_id does not match any claim"),
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
    ruling = {"claim_id": "3", "verdict": "overstated", "note": "mouse study only"}
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
