"""Hostile and broken input across every command (issue 11), one table.

Each case runs one command against a copy of the example database and asserts what the
developers' guide promises for bad input: one line naming the problem, a non-zero exit status,
no traceback, and the database byte-for-byte unchanged (checked after folding the WAL back in,
so a write left in the log would still be caught).
"""

from __future__ import annotations

import gc
import hashlib
import http.server
import os
import shutil
import sqlite3
import subprocess
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from claims import connections, readers
from claims import db as db_lib
from claims.cli import cli
from tests.conftest import DATA, EXAMPLE, ROOT
from tests.local_http import serving, trickle

FIXTURES = ROOT / "tests" / "fixtures" / "sources"


# --- a local HTTP server that misbehaves on purpose -------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/missing":
            self._send(404, b"not here")
        elif self.path == "/binary":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "application/octet-stream")
        elif self.path == "/big.txt":
            self._send(200, b"A sentence that repeats. " * 2000)
        elif self.path == "/trickle.txt":
            # A byte every 0.2 s, for ever (until the client gives up).
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            trickle(self.wfile, b"x", 600)
        elif self.path == "/trickle-headers.txt":
            # A status line, then header bytes every 0.2 s that never end.
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            trickle(self.wfile, b"X", 600)
        else:
            self._send(404, b"?")


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    with serving(Handler) as base:
        yield base


# --- the database every case starts from ------------------------------------------------------


@pytest.fixture(scope="module")
def example_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("bad-inputs")
    data = tmp / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    path = tmp / "claims.db"
    result = CliRunner().invoke(cli, ["build", "--db", str(path), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return path


def settled_hash(path: Path) -> str:
    """The database's bytes once any WAL content is folded back into the file."""
    gc.collect()
    if not path.exists():
        return "missing"
    if path.is_file() and path.stat().st_size:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError:
            pass  # not a database (the damaged or foreign cases): its bytes are what count
        finally:
            conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- inputs ------------------------------------------------------------------------------------


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return make


def _fifo(name: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        os.mkfifo(path)
        return path

    return make


def _symlink(name: str, target: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.symlink_to(target)
        return path

    return make


def _zip_bomb_pdf(tmp: Path) -> Path:
    """One page whose content stream inflates from ~400 kB to 400 MB."""
    raw = b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET\n" + b" " * (400 * 1024 * 1024)
    stream = zlib.compress(raw, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = tmp / "bomb.pdf"
    path.write_bytes(bytes(out))
    return path


def _foreign_sqlite(tmp: Path) -> Path:
    path = tmp / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("create table notes (body text)")
    conn.commit()
    conn.close()
    return path


@dataclass
class Case:
    id: str
    args: list[str]  # {input} is the made input, {db} the database, {http} the local server
    expect: str  # a piece of the one-line message
    make: Callable[[Path], Path] | None = None
    db: str = "example"  # example | foreign | damaged | readonly | readonly-folder | locked | old
    patch: dict[str, object] = field(default_factory=dict)
    uses_db: bool = True


ARTICLE = str(EXAMPLE)
CASES = [
    # ingest: article files
    Case("ingest-missing", ["ingest", "{tmp}/nope.txt"], "no such file"),
    Case("ingest-directory", ["ingest", "{tmp}"], "is a directory"),
    Case("ingest-fifo", ["ingest", "{input}"], "is a FIFO", _fifo("pipe.txt")),
    Case("ingest-dev-zero-symlink", ["ingest", "{input}"], "character device", _symlink("zero.txt", "/dev/zero")),
    Case("ingest-dev-null-symlink", ["ingest", "{input}"], "character device", _symlink("null.md", "/dev/null")),
    Case("ingest-empty", ["ingest", "{input}"], "file is empty", _write("empty.txt", "")),
    Case("ingest-binary", ["ingest", "{input}"], "binary file", _write("bin.txt", b"abc\x00\x01\x02" * 10)),
    Case("ingest-not-utf8", ["ingest", "{input}"], "not valid UTF-8", _write("latin.txt", "caf\xe9 au lait".encode("latin-1"))),
    Case("ingest-unknown-extension", ["ingest", "{input}"], "unknown extension", _write("article.docx", "text")),
    Case("ingest-over-max-bytes", ["ingest", "{input}", "--max-bytes", "10"], "over the size limit", _write("long.txt", "x" * 100)),
    Case("ingest-html-without-text", ["ingest", "{input}"], "no article text", _write("blank.html", "<html><body><script>x()</script></body></html>")),
    Case("ingest-ftp-url", ["ingest", "ftp://example.org/a.txt"], "unsupported URL scheme"),
    Case("ingest-url-404", ["ingest", "{http}/missing"], "HTTP 404"),
    Case("ingest-url-binary", ["ingest", "{http}/binary"], "unsupported content type"),
    Case("ingest-url-over-cap", ["ingest", "{http}/big.txt", "--max-bytes", "1000"], "over the size limit"),
    Case("ingest-url-trickle", ["ingest", "{http}/trickle.txt"], "sending too slowly", patch={"URL_DEADLINE_S": 1.5}),
    Case("ingest-url-trickle-headers", ["ingest", "{http}/trickle-headers.txt"], "sending too slowly", patch={"URL_DEADLINE_S": 1.5}),
    # ingest: databases that are not ours to write
    Case("db-foreign", ["ingest", ARTICLE], "not a claims database", db="foreign"),
    Case("db-damaged", ["ingest", ARTICLE], "failed its integrity check", db="damaged"),
    Case("db-readonly", ["ingest", ARTICLE], "read-only", db="readonly"),
    Case("db-readonly-folder", ["ingest", ARTICLE], "read-only", db="readonly-folder"),
    Case("db-locked", ["ingest", ARTICLE], "locked by another writer", db="locked"),
    Case("db-not-sqlite", ["ingest", ARTICLE], "not a SQLite database", db="text"),
    Case("db-is-fifo", ["ingest", ARTICLE], "not a regular file", db="fifo"),
    Case("db-folder-is-a-file", ["ingest", ARTICLE, "--db", "{input}/claims.db"], "cannot create the database's folder", _write("plain", "x")),
    # sources import
    Case("import-empty-bib", ["sources", "import", "{input}"], "file is empty", _write("empty.bib", "")),
    Case("import-comment-only-bib", ["sources", "import", "{input}"], "no BibTeX entries", _write("c.bib", "% nothing\n")),
    Case("import-garbage-ris", ["sources", "import", "{input}"], "no ris entries", _write("g.ris", "garbage\nmore garbage\n")),
    # A damaged record is reported and skipped by default (issue 15); --strict refuses the file.
    Case("import-ris-without-er", ["sources", "import", "--strict", "{input}"], "no ER line", _write("n.ris", "TY  - JOUR\nTI  - x\n")),
    Case("import-ris-no-ty", ["sources", "import", "--strict", str(FIXTURES / "no_ty.ris")], "no_ty.ris"),
    Case("import-broken-bib", ["sources", "import", "--strict", str(FIXTURES / "broken.bib")], "broken.bib"),
    Case("import-bad-csl-type", ["sources", "import", "--strict", str(FIXTURES / "bad_type.json")], "bad_type.json"),
    Case("import-nothing-usable", ["sources", "import", "{input}"], "nothing imported: 1 rejected", _write("u.bib", "@book{, month = {apr}}\n")),
    Case("import-deep-csl-json", ["sources", "import", "{input}"], "nested too deeply", _write("deep.json", "[" * 100_000 + "]" * 100_000)),
    Case("import-invalid-json", ["sources", "import", "{input}"], "not valid JSON", _write("bad.json", '[{"type": ')),
    Case("import-empty-json-list", ["sources", "import", "{input}"], "no csl-json entries", _write("none.json", "[]")),
    Case("import-fifo", ["sources", "import", "{input}"], "is a FIFO", _fifo("pipe.bib")),
    Case("import-unknown-extension", ["sources", "import", "{input}"], "unknown extension", _write("refs.txt", "x")),
    Case("import-foreign-db", ["sources", "import", str(FIXTURES / "zotero.bib")], "not a claims database", db="foreign"),
    # sources attach
    Case("attach-zip-bomb-pdf", ["sources", "attach", "lee2022microcurrent", "{input}"], "decompression bomb", _zip_bomb_pdf),
    Case("attach-fake-pdf", ["sources", "attach", "lee2022microcurrent", "{input}"], "not a PDF", _write("fake.pdf", "just text")),
    Case("attach-dev-zero", ["sources", "attach", "lee2022microcurrent", "{input}"], "character device", _symlink("z.txt", "/dev/zero")),
    Case("attach-fifo", ["sources", "attach", "lee2022microcurrent", "{input}"], "is a FIFO", _fifo("pipe.html")),
    Case("attach-unknown-source", ["sources", "attach", "no_such_key", "{input}"], "no_such_key", _write("t.txt", "Some source text here.")),
    # link and verify
    Case("link-unknown-source", ["link", "no_such_key", "--claim", "1", "--stance", "supports"], "no_such_key"),
    Case("link-unknown-claim", ["link", "lee2022microcurrent", "--claim", "999999", "--stance", "supports"], "999999"),
    Case("verify-unknown-article", ["verify", "--article", "999999"], "no such article"),
    # exports (read commands)
    Case("export-output-missing-folder", ["export", "ledger", "--output", "{tmp}/no/such/folder/l.csv"], "No such file or directory"),
    Case("export-citations-missing-folder", ["export", "citations", "--output", "{tmp}/none/c.bib"], "No such file or directory"),
    Case("export-unknown-article", ["export", "citations", "--article", "999999"], "999999"),
    Case("export-old-database", ["export", "ledger"], "older version of claims", db="old"),
    Case("export-missing-db", ["export", "ledger", "--db", "{tmp}/absent.db"], "no such database"),
    # build
    Case("build-missing-folder", ["build", "--data", "{tmp}/nodata"], "no such folder"),
    Case("reviewers-password-fifo", ["reviewers", "add", "carol", "--password-file", "{input}", "--home", "{tmp}/home"], "is a FIFO", _fifo("pw.txt"), uses_db=False),
]  # fmt: skip


@contextmanager
def prepared_db(kind: str, example: Path, tmp: Path) -> Iterator[Path]:
    path = tmp / "claims.db"
    if kind == "foreign":
        yield _foreign_sqlite(tmp)
        return
    if kind == "text":
        path.write_text("these are not the pages of a database\n" * 20)
        yield path
        return
    if kind == "fifo":
        os.mkfifo(path)
        yield path
        return
    if kind == "old":
        import sqlite_utils

        db = sqlite_utils.Database(path)
        db_lib.migrations.apply(db, stop_before="m010_source_fields")
        db.close()
        yield path
        return
    shutil.copyfile(example, path)
    if kind == "damaged":
        page_size = 4096
        with open(path, "r+b") as f:
            f.seek(page_size * (path.stat().st_size // page_size // 2))
            f.write(b"\xff" * page_size)
    if kind in ("readonly", "readonly-folder"):
        target = path if kind == "readonly" else tmp
        with read_only(target):
            yield path
        return
    if kind == "locked":
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield path
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    yield path


@contextmanager
def read_only(target: Path) -> Iterator[None]:
    # chmod does not stop root; the immutable attribute does.
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
            pytest.skip("running as root without chattr: cannot make a read-only file")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(target)], check=True)
    else:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            yield
        finally:
            target.chmod(mode)


def test_the_table_is_long_enough():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    # Every command that reads user input is covered.
    commands = {" ".join(a for a in case.args[:2] if not a.startswith(("{", "-", "/")) and a.islower()) for case in CASES}
    for command in ("ingest", "sources import", "sources attach", "link", "verify", "export ledger", "export citations", "build"):
        assert any(c.startswith(command) for c in commands), command


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_one_line_nonzero_and_leaves_the_database_unchanged(case, example_db, tmp_path, http_base, monkeypatch):
    monkeypatch.setattr(connections, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(connections, "BEGIN_ATTEMPTS", 2)
    for name, value in case.patch.items():
        monkeypatch.setattr(readers, name, value)
    work = tmp_path / "work"
    work.mkdir()
    made = case.make(work) if case.make else None
    with prepared_db(case.db, example_db, tmp_path / "dbdir" if case.db == "readonly-folder" else tmp_path) as db:
        before = settled_hash(db) if db.is_file() else "not a file"
        args = [a.format(input=made, tmp=work, http=http_base) for a in case.args]
        if case.uses_db and "--db" not in args:
            args += ["--db", str(db)]
        result = CliRunner().invoke(cli, args)
        after = settled_hash(db) if db.is_file() else "not a file"
    output = result.output
    assert result.exit_code not in (0, None), output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert output.count("\n") == 1 and output.startswith("Error: "), output
    assert case.expect.lower() in output.lower(), output
    assert after == before, "the database changed"


@pytest.fixture(autouse=True)
def _dbdir(tmp_path: Path) -> None:
    (tmp_path / "dbdir").mkdir()
