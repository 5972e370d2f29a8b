"""`claims build` and `claims ingest`: versions, idempotence, URLs and bad input."""

from __future__ import annotations

import socket
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
import sqlite_utils

from claims.cli import cli
from tests.conftest import EXAMPLE, file_hash
from tests.local_http import serving


def dump(path: Path) -> dict[str, list]:
    """Every row of every table, for comparing databases by content."""
    db = sqlite_utils.Database(path)
    return {t: list(db[t].rows) for t in db.table_names() if t != "_sqlite_migrations"}


def test_build_example(built_db):
    db = sqlite_utils.Database(built_db)
    (article,) = db["articles"].rows
    assert article["version"] == 1 and article["format"] == "text"
    assert db["quotes"].count > 0 and db["claims"].count > 0
    assert db["sources"].count == 9
    # Offsets index the stored text.
    for table in ("quotes", "claims"):
        for row in db[table].rows:
            assert article["text"][row["start"] : row["end"]] == row["text"]


def test_build_is_idempotent(built_db, data_dir, runner):
    before_rows, before_hash = dump(built_db), file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert dump(built_db) == before_rows
    assert file_hash(built_db) == before_hash


def test_ingest_new_version_keeps_old_records(tmp_path, db_path, runner):
    article = tmp_path / "post.md"
    article.write_text('# Post\n\nExperts say "vitamin C cures colds in a day." It works.\n')
    first = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert first.exit_code == 0, first.output
    assert "added as article 1" in first.output
    db = sqlite_utils.Database(db_path)
    old_quotes = list(db["quotes"].rows_where("article_id = 1"))

    again = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert again.exit_code == 0 and "unchanged" in again.output
    assert db["articles"].count == 1

    article.write_text('# Post\n\nExperts say "vitamin C cures colds in two days." It works.\n')
    second = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path), "--title", "Post v2"])
    assert second.exit_code == 0, second.output
    assert "new version 2" in second.output
    v1, v2 = db["articles"].rows_where(order_by="id")
    assert (v2["version"], v2["previous_id"], v2["title"]) == (2, v1["id"], "Post v2")
    assert list(db["quotes"].rows_where("article_id = 1")) == old_quotes

    # Back to the first text: a third version, so the latest version holds the current text.
    article.write_text('# Post\n\nExperts say "vitamin C cures colds in a day." It works.\n')
    third = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert third.exit_code == 0 and "new version 3" in third.output, third.output
    latest = next(db["articles"].rows_where(order_by="version desc", limit=1))
    assert latest["sha256"] == v1["sha256"] and latest["previous_id"] == v2["id"]
    assert list(db["quotes"].rows_where("article_id = 1")) == old_quotes


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server for URL ingestion (no outside network in tests)."""
    root = tmp_path / "site"
    root.mkdir()

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):  # keep test output quiet
            pass

    with serving(Handler) as base:
        yield root, base


def test_ingest_url(http_server, db_path, runner):
    root, base = http_server
    (root / "post.html").write_text(
        "<html><body><article><h1>Web Post</h1><p>One review said "
        "\u201cmicrocurrent lifts the face within weeks.\u201d</p>"
        '<p>See <a href="https://doi.org/10.1000/demo.1">the paper</a>.</p></article></body></html>',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["ingest", f"{base}/post.html", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    (article,) = db["articles"].rows
    assert article["url"] == f"{base}/post.html"
    assert article["format"] == "html"
    assert article["title"] == "Web Post"
    (link,) = db["links"].rows
    assert link["doi"] == "10.1000/demo.1" and link["text"] == "the paper"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bad_inputs(tmp_path: Path, base_url: str) -> list[tuple[list[str], str]]:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\u00e9 claims".encode("latin-1"))
    (tmp_path / "big.txt").write_text("word " * 1000)
    (tmp_path / "notes.docx").write_text("hello")
    return [
        ([str(tmp_path / "missing.txt")], "missing.txt: no such file"),
        ([str(tmp_path)], "is a directory"),
        ([str(tmp_path / "empty.txt")], "empty.txt: file is empty"),
        ([str(tmp_path / "binary.txt")], "binary.txt: looks like a binary file"),
        ([str(tmp_path / "latin1.txt")], "latin1.txt: not valid UTF-8"),
        ([str(tmp_path / "big.txt"), "--max-bytes", "100"], "big.txt: 5,000 bytes is over the size limit"),
        ([str(tmp_path / "notes.docx")], "notes.docx: unknown extension '.docx'"),
        ([f"{base_url}/nope.html"], "nope.html: HTTP 404"),
        ([f"http://127.0.0.1:{closed_port()}/post.html"], "could not fetch"),
        (["ftp://127.0.0.1/post.txt"], "ftp://127.0.0.1/post.txt: unsupported URL scheme 'ftp'"),
    ]


def test_bad_input_is_one_line_error_and_leaves_db_unchanged(tmp_path, built_db, http_server, runner):
    _, base = http_server
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    before = file_hash(built_db)
    for args, expected in bad_inputs(inputs, base):
        result = runner.invoke(cli, ["ingest", *args, "--db", str(built_db)])
        assert result.exit_code != 0, args
        error_lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(error_lines) == 1, result.output
        assert error_lines[0].startswith("Error: ") and expected in error_lines[0], result.output
        assert file_hash(built_db) == before, args


def test_build_rejects_bad_article_without_writing(tmp_path, data_dir, built_db, runner):
    (data_dir / "articles" / "broken.txt").write_bytes(b"\xff\xfe not utf-8")
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 1
    assert "broken.txt: not valid UTF-8" in result.output
    assert file_hash(built_db) == before


def test_build_rejects_bad_sources_file(data_dir, built_db, runner):
    (data_dir / "sources.yml").write_text("- id: x\n  type: [unclosed\n")
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 1
    assert "sources.yml" in result.output and "line" in result.output
    assert file_hash(built_db) == before


def test_example_is_a_copy_not_a_link():
    # The project reads only its own data/, never ../shared at run time.
    assert EXAMPLE.is_file() and not EXAMPLE.is_symlink()


@pytest.mark.parametrize("command", [["ingest", str(EXAMPLE)], ["build"], ["verify"], ["export", "ledger", "--format", "csv"]])
def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path, runner, command):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    before = file_hash(path)
    result = runner.invoke(cli, [*command, "--db", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "notes.db: not a SQLite database" in lines[0], result.output
    assert file_hash(path) == before


def test_a_database_folder_that_cannot_be_made_is_a_one_line_error(tmp_path, runner):
    (tmp_path / "plain-file").write_text("x")
    result = runner.invoke(cli, ["ingest", str(EXAMPLE), "--db", str(tmp_path / "plain-file" / "claims.db")])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "cannot create the database's folder" in result.output
