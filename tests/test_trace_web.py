"""The "Traced candidates" section and the editors' accept / reject endpoints."""

from __future__ import annotations

import pytest

from claims.cli import cli
from claims.db import open_db
from claims.trace.run import trace
from tests.conftest import DATA, EXAMPLE, file_hash
from tests.reviewing import ALICE, EDITOR, JSON, make_ds

pytestmark = pytest.mark.asyncio


@pytest.fixture
def traced_db(tmp_path, runner):
    path = tmp_path / "claims.db"
    assert runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["sources", "import", str(DATA / "sources.yml"), "--db", str(path)]).exit_code == 0
    db = open_db(path)
    trace(db, quote_ids=[6], offline=True)
    db.close()
    return path


def candidates(path):
    db = open_db(path)
    rows = db.execute("select id, source_id, status, decided_by from trace_candidates where quote_id = 6 order by rank").fetchall()
    db.close()
    return rows


async def test_section_is_shown_and_buttons_only_to_editors(traced_db):
    ds = make_ds(traced_db)
    anonymous = await ds.client.get("/claims/quotes/6")
    assert anonymous.status_code == 200
    assert "Traced candidates" in anonymous.text and "Micro-Current Stimulation Suppresses" in anonymous.text
    assert "/-/claims/trace/" not in anonymous.text
    reviewer = await ds.client.get("/claims/quotes/6", actor=ALICE)
    assert "/-/claims/trace/" not in reviewer.text
    editor = await ds.client.get("/claims/quotes/6", actor=EDITOR)
    first = candidates(traced_db)[0][0]
    assert f'action="/-/claims/trace/{first}/accept"' in editor.text
    assert "<script" not in editor.text.split("Traced candidates", 1)[1].split("</section>", 1)[0]


async def test_only_a_logged_in_editor_decides_and_the_login_is_recorded(traced_db):
    ds = make_ds(traced_db)
    first, second = candidates(traced_db)[:2]
    before = file_hash(traced_db)
    for actor in (None, ALICE, {"id": "mallory", "role": "editor"}):
        response = await ds.client.post(f"/-/claims/trace/{first[0]}/accept", data={"decided_by": "erin"}, actor=actor)
        assert response.status_code == 403
    assert file_hash(traced_db) == before
    response = await ds.client.post(
        f"/-/claims/trace/{first[0]}/accept", data={"decided_by": "mallory", "editor": "mallory"}, actor=EDITOR
    )
    assert response.status_code == 302 and response.headers["location"].endswith("/claims/quotes/6#claims-traced")
    assert candidates(traced_db)[0][2:] == ("accepted", "erin")
    db = open_db(traced_db)
    assert db.execute("select relation from citations where quote_id = 6 and source_id = ?", [first[1]]).fetchone() == ("attributed",)
    again = await ds.client.post(f"/-/claims/trace/{first[0]}/reject", actor=EDITOR, headers=JSON)
    assert again.status_code == 400 and "already accepted" in again.json()["error"]
    rejected = await ds.client.post(f"/-/claims/trace/{second[0]}/reject", actor=EDITOR, headers=JSON)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert db.execute("select count(*) from citations where quote_id = 6 and source_id = ?", [second[1]]).fetchone() == (0,)
    missing = await ds.client.post("/-/claims/trace/9999/accept", actor=EDITOR)
    assert missing.status_code == 404


async def test_cross_site_posts_are_refused(traced_db):
    ds = make_ds(traced_db)
    first = candidates(traced_db)[0]
    before = file_hash(traced_db)
    response = await ds.client.post(
        f"/-/claims/trace/{first[0]}/accept", actor=EDITOR,
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )  # fmt: skip
    assert response.status_code == 403
    assert file_hash(traced_db) == before
    assert (await ds.client.get(f"/-/claims/trace/{first[0]}/accept", actor=EDITOR)).status_code == 405
