"""A real `claims serve` on loopback: logins from the accounts file, flags, restarts, privacy."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from datasette_auth_passwords.utils import ALGORITHM

from claims.cli import cli
from tests.reviewing import claims_server, flag_rows

pytestmark = pytest.mark.e2e

PASSWORDS = {"alice": "alice-password-1", "erin": "erin-password-1"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def home(tmp_path: Path, runner) -> Path:
    """Two logins made with the real CLI: a reviewer and an editor."""
    home = tmp_path / "home"
    for name, role in (("alice", "reviewer"), ("erin", "editor")):
        password_file = tmp_path / f"{name}.txt"
        password_file.write_text(PASSWORDS[name] + "\n")
        result = runner.invoke(
            cli, ["reviewers", "add", name, "--role", role, "--password-file", str(password_file), "--home", str(home)]
        )
        assert result.exit_code == 0, result.output
    return home


def login(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("/-/login", data={"username": name, "password": password})


def test_reviewer_logs_in_and_flags_as_themselves(built_db, home):
    with claims_server(built_db, home) as base:
        with httpx.Client(base_url=base) as anonymous:
            denied = anonymous.post("/claims/flag_claim", data={"claim_id": "1", "verdict": "supported"})
            assert denied.status_code == 403
            assert anonymous.get("/-/claims/articles/1").status_code == 200
            assert "Invalid username or password" in login(anonymous, "alice", "wrong-password").text
        with httpx.Client(base_url=base) as alice:
            response = login(alice, "alice", PASSWORDS["alice"])
            assert response.status_code == 302 and "ds_actor" in alice.cookies
            assert alice.get("/-/actor.json").json()["actor"] == {"id": "alice", "role": "reviewer"}
            # A plain browser form post (no JSON): Datasette redirects back with a message.
            posted = alice.post(
                "/claims/flag_claim",
                data={"claim_id": "1", "verdict": "unsupported", "reason": "not what the study found",
                      "source_id": "", "reviewer": "mallory", "_actor_id": "mallory"},
            )  # fmt: skip
            assert posted.status_code == 302
            assert alice.get("/claims/flag_claim", follow_redirects=True).status_code == 200
            assert "not what the study found" in alice.get("/claims/claims/1").text
            # Reviewers cannot resolve.
            assert alice.post("/claims/resolve_claim", data={"claim_id": "1", "verdict": "supported", "note": ""},
                              headers={"Accept": "application/json"}).status_code == 403  # fmt: skip
        with httpx.Client(base_url=base) as erin:
            login(erin, "erin", PASSWORDS["erin"])
            ruled = erin.post(
                "/claims/resolve_claim",
                data={"claim_id": "1", "flag_id": "1", "verdict": "unsupported", "note": "agreed"},
                headers={"Accept": "application/json"},
            )
            assert ruled.status_code == 200, ruled.text
    (flag,) = flag_rows(built_db)
    assert (flag["claim_id"], flag["reviewer"], flag["verdict"]) == (1, "alice", "unsupported")
    (ruling,) = sqlite_utils.Database(built_db)["resolutions"].rows
    assert (ruling["editor"], ruling["flag_id"]) == ("erin", flag["id"])


def test_login_survives_a_restart_and_no_secret_is_in_the_config(built_db, home):
    with claims_server(built_db, home) as base:
        with httpx.Client(base_url=base) as client:
            login(client, "alice", PASSWORDS["alice"])
            cookie = client.cookies["ds_actor"]
    secret = home / "secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "reviewers.json").stat().st_mode) == 0o600
    generated = (home / "datasette.serve.json").read_text()
    # Built at run time: a literal hash prefix in a committed file trips the secrets hook.
    assert f"{ALGORITHM}$" not in generated and secret.read_text().strip() not in generated
    assert '"$env": "CLAIMS_PASSWORD_HASH_ALICE"' in generated
    with claims_server(built_db, home) as base:
        with httpx.Client(base_url=base, cookies={"ds_actor": cookie}) as client:
            assert client.get("/-/actor.json").json()["actor"]["id"] == "alice"


def test_private_deployment_needs_a_login_to_read(built_db, home):
    with claims_server(built_db, home, "--private") as base:
        with httpx.Client(base_url=base) as client:
            for path in ("/", "/claims/claims", "/claims/claims/1.json", "/-/claims/articles/1"):
                assert client.get(path).status_code == 403, path
            # Pages say how to get in.
            assert 'href="/-/login"' in client.get("/claims/claims").text
            assert client.get("/-/login").status_code == 200
            login(client, "alice", PASSWORDS["alice"])
            for path in ("/", "/claims/claims", "/claims/claims/1.json", "/-/claims/articles/1"):
                assert client.get(path).status_code == 200, path


def test_removed_and_demoted_logins_lose_their_powers_at_the_restart(built_db, home, runner, tmp_path):
    with claims_server(built_db, home) as base:
        cookies = {}
        for name in ("alice", "erin"):
            with httpx.Client(base_url=base) as client:
                login(client, name, PASSWORDS[name])
                cookies[name] = client.cookies["ds_actor"]
    removed = runner.invoke(cli, ["reviewers", "remove", "alice", "--home", str(home)])
    assert removed.exit_code == 0 and "until you restart it" in removed.output
    password_file = tmp_path / "erin.txt"
    password_file.write_text(PASSWORDS["erin"])
    demoted = runner.invoke(
        cli, ["reviewers", "add", "erin", "--role", "reviewer", "--password-file", str(password_file), "--home", str(home)]
    )
    assert demoted.exit_code == 0, demoted.output
    with claims_server(built_db, home) as base:
        with httpx.Client(base_url=base, cookies={"ds_actor": cookies["alice"]}) as alice:
            assert alice.get("/-/actor.json").json()["actor"] is None
            flagged = alice.post("/claims/flag_claim", headers=JSON,
                                 data={"claim_id": "1", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert flagged.status_code == 403
        with httpx.Client(base_url=base, cookies={"ds_actor": cookies["erin"]}) as erin:
            assert erin.get("/-/actor.json").json()["actor"] == {"id": "erin", "role": "reviewer"}
            flagged = erin.post("/claims/flag_claim", headers=JSON,
                                data={"claim_id": "1", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert flagged.status_code == 200, flagged.text
            ruled = erin.post("/claims/resolve_claim", headers=JSON,
                              data={"claim_id": "1", "flag_id": "1", "verdict": "supported", "note": ""})  # fmt: skip
            assert ruled.status_code == 403
    assert [(f["reviewer"], f["claim_id"]) for f in flag_rows(built_db)] == [("erin", 1)]
    assert list(sqlite_utils.Database(built_db)["resolutions"].rows) == []


def test_serves_any_file_name_from_any_folder(built_db, home, tmp_path):
    # Not claims.db, not the repository root, and no --metadata/--config: all of that used to break.
    other = tmp_path / "elsewhere" / "articles-2024.db"
    other.parent.mkdir()
    other.write_bytes(built_db.read_bytes())
    with claims_server(other, home, cwd=other.parent, project_files=False) as base:
        with httpx.Client(base_url=base) as client:
            assert [d["name"] for d in client.get("/-/databases.json").json()["databases"]] == ["claims"]
            for path in ("/-/claims/articles/1", "/claims/needs_review", "/claims/claims/1"):
                assert client.get(path).status_code == 200, path
            assert "Needs review" in client.get("/").text
            login(client, "alice", PASSWORDS["alice"])
            posted = client.post("/claims/flag_claim", headers=JSON,
                                 data={"claim_id": "2", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert posted.status_code == 200, posted.text
    assert [(f["reviewer"], f["claim_id"]) for f in flag_rows(other)] == [("alice", 2)]
