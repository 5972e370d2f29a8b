"""A real `claims serve` on loopback: logins from the accounts file, flags, restarts, privacy."""

from __future__ import annotations

import stat
import time
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


def test_accounts_added_removed_or_demoted_while_the_server_runs_take_effect_without_a_restart(
    built_db, home, runner, tmp_path
):
    with claims_server(built_db, home) as base:
        cookies = {}
        for name in ("alice", "erin"):
            with httpx.Client(base_url=base) as client:
                assert login(client, name, PASSWORDS[name]).status_code == 302
                cookies[name] = client.cookies["ds_actor"]
        removed = runner.invoke(cli, ["reviewers", "remove", "alice", "--home", str(home)])
        assert removed.exit_code == 0 and "at once" in removed.output
        for name, role in (("erin", "reviewer"), ("bob", "reviewer")):  # erin demoted, bob new
            password_file = tmp_path / f"{name}.txt"
            password_file.write_text(PASSWORDS.get(name, "bob-password-1"))
            added = runner.invoke(cli, ["reviewers", "add", name, "--role", role, "--password-file", str(password_file),
                                        "--home", str(home)])  # fmt: skip
            assert added.exit_code == 0, added.output
        added_at = time.monotonic()
        with httpx.Client(base_url=base) as bob:
            # The server re-reads the accounts file when it changes: the new login works at once.
            while login(bob, "bob", "bob-password-1").status_code != 302:
                assert time.monotonic() - added_at < 5, "bob could not log in within 5 seconds"
                time.sleep(0.2)
            assert bob.get("/-/actor.json").json()["actor"] == {"id": "bob", "role": "reviewer"}
            flagged = bob.post("/claims/flag_claim", headers=JSON,
                               data={"claim_id": "2", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert flagged.status_code == 200, flagged.text
        with httpx.Client(base_url=base, cookies={"ds_actor": cookies["alice"]}) as alice:
            assert alice.get("/-/actor.json").json()["actor"] is None
            assert "Invalid username or password" in login(alice, "alice", PASSWORDS["alice"]).text
            flagged = alice.post("/claims/flag_claim", headers=JSON,
                                 data={"claim_id": "1", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert flagged.status_code == 403
        with httpx.Client(base_url=base, cookies={"ds_actor": cookies["erin"]}) as erin:
            assert erin.get("/-/actor.json").json()["actor"] == {"id": "erin", "role": "reviewer"}
            flagged = erin.post("/claims/flag_claim", headers=JSON,
                                data={"claim_id": "1", "verdict": "supported", "reason": "", "source_id": ""})  # fmt: skip
            assert flagged.status_code == 200, flagged.text
            ruled = erin.post("/claims/resolve_claim", headers=JSON,
                              data={"claim_id": "1", "flag_id": "2", "verdict": "supported", "note": ""})  # fmt: skip
            assert ruled.status_code == 403
    assert [(f["reviewer"], f["claim_id"]) for f in flag_rows(built_db)] == [("bob", 2), ("erin", 1)]
    assert list(sqlite_utils.Database(built_db)["resolutions"].rows) == []


def test_login_returns_to_the_page_it_was_opened_from(built_db, home):
    with claims_server(built_db, home) as base, httpx.Client(base_url=base) as client:
        page = client.get("/claims/claims/3").text
        assert 'class="claims-login" href="/-/login?next=%2Fclaims%2Fclaims%2F3"' in page
        form = client.get("/-/login?next=%2Fclaims%2Fclaims%2F3").text
        assert 'action="/-/login?next=/claims/claims/3"' in form
        back = client.post("/-/login?next=%2Fclaims%2Fclaims%2F3", data={"username": "alice", "password": PASSWORDS["alice"]})
        assert back.status_code == 302 and back.headers["location"] == "/claims/claims/3"
        assert "Log out" in client.get("/claims/claims/3").text
        # Only paths on this server: anything else goes home as before.
        client.cookies.clear()
        for target in ("https://evil.example/", "//evil.example/x", "/-/logout"):
            away = client.post("/-/login", params={"next": target}, data={"username": "alice", "password": PASSWORDS["alice"]})
            assert away.status_code == 302 and away.headers["location"] == "/", target


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
