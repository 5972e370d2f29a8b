"""`claims sources attach`: a source's text from a PDF, HTML page or text file, with pages."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from claims.cli import cli
from claims.db import open_db
from tests.conftest import file_hash
from tests.sourcefiles import PAGES, make_encrypted_pdf, make_html, make_image_only_pdf, make_pdf


@pytest.fixture
def source_db(db_path: Path) -> Path:
    db = open_db(db_path)
    db["sources"].insert({"id": 7, "key": "study2024", "type": "article-journal", "csl": "{}"})
    db.close()
    return db_path


def attach(runner, db_path: Path, source: str, path: Path):
    return runner.invoke(cli, ["sources", "attach", source, str(path), "--db", str(db_path)])


def test_pdf_text_is_stored_with_hash_and_pages(runner, source_db: Path, tmp_path: Path):
    result = attach(runner, source_db, "study2024", make_pdf(tmp_path / "study.pdf"))
    assert result.exit_code == 0, result.output
    assert "attached" in result.output and "pdf, 2 pages" in result.output
    db = open_db(source_db)
    row = db["source_texts"].get(7)
    assert row["format"] == "pdf" and row["file_name"] == "study.pdf" and row["page_count"] == 2
    assert row["sha256"] == hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
    assert row["chars"] == len(row["text"])
    pages = list(db.query("select page, start, [end] from source_pages where source_id = 7 order by page"))
    assert [p["page"] for p in pages] == [1, 2]
    # Each page's slice is exactly what pypdf extracts from that page.
    reader = PdfReader(tmp_path / "study.pdf")
    for page, pdf_page in zip(pages, reader.pages, strict=True):
        assert row["text"][page["start"] : page["end"]] == pdf_page.extract_text()
    assert "Anatomy." in row["text"][pages[1]["start"] : pages[1]["end"]]


def test_same_text_again_is_a_no_op(runner, source_db: Path, tmp_path: Path):
    pdf = make_pdf(tmp_path / "study.pdf")
    assert attach(runner, source_db, "7", pdf).exit_code == 0  # by integer id
    before = file_hash(source_db)
    again = attach(runner, source_db, "study2024", pdf)
    assert again.exit_code == 0 and "unchanged" in again.output
    assert file_hash(source_db) == before


def test_html_keeps_the_article_text_only(runner, source_db: Path, tmp_path: Path):
    result = attach(runner, source_db, "study2024", make_html(tmp_path / "study.html"))
    assert result.exit_code == 0, result.output
    row = open_db(source_db)["source_texts"].get(7)
    assert row["format"] == "html" and row["page_count"] is None
    assert "not text" not in row["text"] and "Home | About" not in row["text"]
    assert PAGES[1][0] in row["text"]


def test_form_feeds_in_text_are_pages(runner, source_db: Path, tmp_path: Path):
    path = tmp_path / "study.txt"
    path.write_text("Page one text.\fPage two text.\fPage three.", encoding="utf-8")
    assert attach(runner, source_db, "study2024", path).exit_code == 0
    db = open_db(source_db)
    text = db["source_texts"].get(7)["text"]
    pages = {p["page"]: text[p["start"] : p["end"]] for p in db.query("select * from source_pages")}
    assert pages == {1: "Page one text.", 2: "Page two text.", 3: "Page three."}


def test_owner_password_only_pdf_opens(runner, source_db: Path, tmp_path: Path):
    writer = PdfWriter(clone_from=PdfReader(make_pdf(tmp_path / "plain.pdf")))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "restricted.pdf"
    path.write_bytes(buffer.getvalue())
    result = attach(runner, source_db, "study2024", path)
    assert result.exit_code == 0, result.output


def _html_named_pdf(tmp: Path) -> Path:
    path = tmp / "download.pdf"
    path.write_text("<!doctype html><html><body><p>Access denied</p></body></html>", encoding="utf-8")
    return path


def _pdf_named_txt(tmp: Path) -> Path:
    path = tmp / "paper.txt"
    path.write_bytes(make_pdf(tmp / "real.pdf").read_bytes())
    return path


def _binary_txt(tmp: Path) -> Path:
    path = tmp / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return path


def _truncated_pdf(tmp: Path) -> Path:
    path = tmp / "cut.pdf"
    data = make_pdf(tmp / "whole.pdf").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def _plain_text_named_html(tmp: Path) -> Path:
    path = tmp / "page.html"
    path.write_text("Just words, no markup at all.", encoding="utf-8")
    return path


def _empty_txt(tmp: Path) -> Path:
    path = tmp / "empty.txt"
    path.write_bytes(b"")
    return path


BAD_FILES = [
    ("image-only PDF", lambda tmp: make_image_only_pdf(tmp / "scan.pdf"), "no text layer", "OCR"),
    ("encrypted PDF", lambda tmp: make_encrypted_pdf(tmp / "locked.pdf", make_pdf(tmp / "p.pdf")), "encrypted", "password"),
    ("HTML saved as .pdf", _html_named_pdf, "not a PDF", "download.pdf"),
    ("PDF saved as .txt", _pdf_named_txt, "is a PDF", "paper.txt"),
    ("binary saved as .txt", _binary_txt, "binary content (image/png)", "image.txt"),
    ("truncated PDF", _truncated_pdf, "not a readable PDF", "cut.pdf"),
    ("text saved as .html", _plain_text_named_html, "no HTML tags", "page.html"),
    ("empty file", _empty_txt, "empty", "empty.txt"),
    ("missing file", lambda tmp: tmp / "nope.pdf", "no such file", "nope.pdf"),
    ("unknown extension", lambda tmp: (tmp / "paper.docx").write_bytes(b"PK\x03\x04") and tmp / "paper.docx", "unknown extension", ".docx"),
]


@pytest.mark.parametrize("name,make,problem,names", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_and_change_nothing(runner, source_db: Path, tmp_path: Path, name, make, problem, names):
    path = make(tmp_path)
    before = file_hash(source_db)
    result = attach(runner, source_db, "study2024", path)
    assert result.exit_code != 0
    message = result.output.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    assert problem in message and names in message, message
    assert file_hash(source_db) == before


def test_unknown_source_is_refused_and_changes_nothing(runner, source_db: Path, tmp_path: Path):
    pdf = make_pdf(tmp_path / "study.pdf")
    before = file_hash(source_db)
    for ref in ("nosuch2020", "99"):
        result = attach(runner, source_db, ref, pdf)
        assert result.exit_code != 0
        assert f"source '{ref}': no such source" in result.output and result.output.count("\n") == 1
    assert file_hash(source_db) == before


def test_missing_database_is_an_error_not_a_new_file(runner, tmp_path: Path):
    result = attach(runner, tmp_path / "none.db", "x", make_pdf(tmp_path / "s.pdf"))
    assert result.exit_code != 0 and "no such database" in result.output
    assert not (tmp_path / "none.db").exists()


def test_pages_without_text_are_named_in_a_warning(runner, source_db: Path, tmp_path: Path):
    writer = PdfWriter()
    for part in (make_pdf(tmp_path / "text.pdf"), make_image_only_pdf(tmp_path / "scan.pdf")):
        for page in PdfReader(part).pages:
            writer.add_page(page)
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as out:
        writer.write(out)
    result = attach(runner, source_db, "study2024", path)
    assert result.exit_code == 0, result.output
    # The two scanned pages come after the text pages.
    blank = f"{len(PAGES) + 1}, {len(PAGES) + 2}"
    assert f"pages {blank} have no text layer" in result.output and "OCR" in result.output
