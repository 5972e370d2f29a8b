"""`claims reviewers ...`: accounts stored as hashes outside git, and what `claims serve` gets."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password, verify_password

from claims import reviewers
from claims.cli import cli
from tests.conftest import ROOT


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def invoke(runner, *args, input=None):
    return runner.invoke(cli, ["reviewers", *args], input=input)


def stored(home: Path) -> dict:
    return json.loads((home / "reviewers.json").read_text())["accounts"]


def test_add_with_prompt_stores_only_a_hash(runner, home):
    result = invoke(runner, "add", "alice", "--home", str(home), input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "Created reviewer 'alice'" in result.output and "$CLAIMS_PASSWORD_HASH_ALICE" in result.output
    account = stored(home)["alice"]
    assert account["role"] == "reviewer"
    assert "s3cret-pass" not in (home / "reviewers.json").read_text()
    assert verify_password("s3cret-pass", account["password_hash"])
    assert stat.S_IMODE((home / "reviewers.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_add_from_file_with_role_then_replace(runner, home, tmp_path):
    pw = tmp_path / "pw.txt"
    pw.write_text("first-password\nignored second line\n")
    assert invoke(runner, "add", "erin", "--role", "editor", "--password-file", str(pw), "--home", str(home)).exit_code == 0
    assert verify_password("first-password", stored(home)["erin"]["password_hash"])
    result = invoke(runner, "add", "erin", "--generate", "--home", str(home))
    assert result.exit_code == 0 and "Updated reviewer 'erin'" in result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    assert verify_password(password, stored(home)["erin"]["password_hash"])
    assert stored(home)["erin"]["role"] == "reviewer"


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "Alice", "--generate"], "reviewer name 'Alice': use 1-32 lowercase letters"),
        (["add", "a b", "--generate"], "reviewer name 'a b'"),
        (["add", "bob", "--generate", "--password-file", "PW"], "--password-file and --generate: choose one"),
        (["add", "bob", "--password-file", "SHORT"], "line 1: must be at least 8 characters"),
        (["add", "bob", "--password-file", "EMPTY"], "line 1: no password found"),
        (["remove", "nobody"], "no account named 'nobody'"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(runner, home, tmp_path, args, message):
    files = {"PW": "long-enough-pw", "SHORT": "short", "EMPTY": "\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert invoke(runner, "add", "zed", "--generate", "--home", str(home)).exit_code == 0
    before = (home / "reviewers.json").read_bytes()
    args = [str(tmp_path / a) if a in files else a for a in args]
    result = invoke(runner, *args, "--home", str(home))
    assert result.exit_code != 0
    error = result.output.strip().splitlines()
    assert len(error) == 1 and message in error[0], result.output
    assert (home / "reviewers.json").read_bytes() == before


def test_corrupt_accounts_file_is_named(runner, home):
    home.mkdir()
    (home / "reviewers.json").write_text('{"accounts": {"alice": {"role": "boss", "password_hash": "x"}}}')
    result = invoke(runner, "list", "--home", str(home))
    assert result.exit_code != 0
    assert "reviewers.json: account 'alice': role:" in result.output
    (home / "reviewers.json").write_text("{not json")
    assert "reviewers.json line 1: not valid JSON" in invoke(runner, "list", "--home", str(home)).output


def test_list_and_remove(runner, home, monkeypatch):
    invoke(runner, "add", "alice", "--generate", "--home", str(home))
    monkeypatch.setenv("CLAIMS_PASSWORD_HASH_OPS", hash_password("x" * 10, iterations=1000))
    monkeypatch.setenv("CLAIMS_ROLE_OPS", "editor")
    listing = invoke(runner, "list", "--home", str(home)).output
    assert "alice\treviewer\t" in listing and "ops\teditor\tenvironment" in listing
    assert "pbkdf2" not in listing
    assert invoke(runner, "remove", "alice", "--home", str(home)).exit_code == 0
    assert "alice" not in stored(home)


def test_demo_prints_the_login_and_refreshes_the_password(runner, home, built_db):
    first = invoke(runner, "demo", "--home", str(home), "--db", str(built_db))
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:8001/" in first.output and "username  demo" in first.output
    assert "http://127.0.0.1:8001/-/claims/articles/1" in first.output
    password = first.output.split("password  ")[1].split()[0]
    assert verify_password(password, stored(home)["demo"]["password_hash"])
    assert (home / "secret").exists()
    second = invoke(runner, "demo", "--home", str(home), "--db", str(built_db), "--port", "9000")
    assert "http://127.0.0.1:9000/" in second.output
    assert second.output.split("password  ")[1].split()[0] != password


def test_serve_config_uses_env_references_and_roles():
    accounts = {
        "alice": reviewers.Account(name="alice", role="reviewer", password_hash="h1"),
        "erin": reviewers.Account(name="erin", role="editor", password_hash="h2"),
    }
    base = {"databases": {"claims": {"queries": {}}}, "plugins": {"other": {"x": 1}}}
    config = reviewers.serve_config(base, accounts)
    auth = config["plugins"]["datasette-auth-passwords"]
    assert auth["alice_password_hash"] == {"$env": "CLAIMS_PASSWORD_HASH_ALICE"}
    assert auth["actors"]["erin"] == {"id": "erin", "role": "editor"}
    assert config["plugins"]["other"] == {"x": 1} and "allow" not in config
    assert "h1" not in json.dumps(config)
    assert base == {"databases": {"claims": {"queries": {}}}, "plugins": {"other": {"x": 1}}}
    assert reviewers.serve_config(base, accounts, private=True)["allow"] == {"id": "*"}
    env = reviewers.serve_env(accounts, "sekrit")
    assert env == {"CLAIMS_PASSWORD_HASH_ALICE": "h1", "CLAIMS_PASSWORD_HASH_ERIN": "h2", "DATASETTE_SECRET": "sekrit"}


def test_secret_is_generated_once(home):
    first = reviewers.ensure_secret(home)
    assert len(first) == 64 and reviewers.ensure_secret(home) == first
    assert stat.S_IMODE((home / "secret").stat().st_mode) == 0o600


def test_serve_rejects_a_bad_config_before_starting(runner, built_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("databases: [unclosed\n")
    metadata = str(ROOT / "metadata.yml")
    result = runner.invoke(
        cli, ["serve", "--db", str(built_db), "--metadata", metadata, "--config", str(bad), "--home", str(tmp_path / "h")]
    )
    assert result.exit_code != 0 and "bad.yaml: not valid YAML" in result.output


def test_remove_says_when_it_takes_effect(runner, home, monkeypatch):
    invoke(runner, "add", "alice", "--generate", "--home", str(home))
    invoke(runner, "add", "ops", "--generate", "--home", str(home))
    removed = invoke(runner, "remove", "alice", "--home", str(home))
    assert removed.exit_code == 0
    assert "stops accepting 'alice' and their login cookies at once" in removed.output
    # Still a login through the environment: saying "removed" alone would be untrue.
    monkeypatch.setenv("CLAIMS_PASSWORD_HASH_OPS", hash_password("x" * 10, iterations=1000))
    still = invoke(runner, "remove", "ops", "--home", str(home))
    assert still.exit_code == 0 and "$CLAIMS_PASSWORD_HASH_OPS" in still.output and "unset it" in still.output


def test_serve_finds_the_project_files_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert reviewers.serve_file(None, "metadata.yml", "--metadata") == ROOT / "metadata.yml"
    assert reviewers.serve_file(None, "datasette.yaml", "--config") == ROOT / "datasette.yaml"
    # A file in the current folder wins, and an explicit path must exist.
    (tmp_path / "datasette.yaml").write_text("{}\n")
    assert reviewers.serve_file(None, "datasette.yaml", "--config") == tmp_path / "datasette.yaml"
    with pytest.raises(reviewers.ReviewerError, match="nope.yml: no such file"):
        reviewers.serve_file("nope.yml", "metadata.yml", "--metadata")


def test_serve_without_project_files_fails_clearly(runner, built_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(reviewers, "PROJECT_ROOT", tmp_path / "not-a-checkout")
    result = runner.invoke(cli, ["serve", "--db", str(built_db), "--home", str(tmp_path / "h")])
    assert result.exit_code != 0
    assert "metadata.yml: not in the current folder" in result.output and "pass --metadata FILE" in result.output


def test_serve_config_names_the_served_file(tmp_path):
    config = reviewers.serve_config({"plugins": {"claims-tracker": {"database": "claims"}}}, {}, database_file=tmp_path / "a.db")
    assert config["plugins"]["claims-tracker"] == {"database": "claims", "database_file": str(tmp_path / "a.db")}
    assert config["plugins"]["datasette-auth-passwords"]["actors"] == {}
