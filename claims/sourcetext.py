"""A source's own text, attached from a PDF, an HTML page or a plain-text file.

The text is stored as extracted (only newlines and Unicode composition are normalised), so a
quote check's ``start``/``end`` index the exact stored string; page boundaries are kept so a
match can cite its page. The file's kind is decided by its content, and it must agree with
its extension: a ``.pdf`` that is really an HTML error page is refused, not half-read.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from pathlib import Path
from typing import Literal

import sqlite_utils
from pydantic import Field, model_validator

from .clock import now
from .models import Record
from .readers import ReadError, decode, parse

SourceFormat = Literal["pdf", "html", "text"]
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

EXTENSIONS: dict[str, SourceFormat] = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|!doctype)[\s>/]", re.IGNORECASE)


class Page(Record):
    """Page ``page`` (from 1) is ``text[start:end]``."""

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class SourceText(Record):
    text: str
    sha256: str
    format: SourceFormat
    file_name: str
    pages: list[Page] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pages_inside_text(self) -> SourceText:
        n = len(self.text)
        previous_end = 0
        for page in self.pages:
            if not previous_end <= page.start <= page.end <= n:
                raise ValueError(f"page {page.page} {page.start}-{page.end} is out of order or past the text end {n}")
            previous_end = page.end
        return self


def sniff(data: bytes) -> SourceFormat | None:
    """What the bytes are, whatever the file is called (None: binary of some other kind)."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if b"\x00" in data[:8192] or binary_kind(data):
        return None
    if _HTML_START.match(data[:4096]):
        return "html"
    return "text"


def binary_kind(data: bytes) -> str | None:
    """The MIME type of a known binary format (an image, a Word file, an archive...), by its
    magic bytes, so an error can say what a misnamed file really is."""
    import filetype

    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None and kind.mime != "application/pdf" else None


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _join_pages(page_texts: list[str]) -> tuple[str, list[Page]]:
    parts: list[str] = []
    pages: list[Page] = []
    pos = 0
    for number, page_text in enumerate(page_texts, start=1):
        if parts:
            # A blank line between pages: a match never runs across a page break unseen.
            parts.append("\n\n")
            pos += 2
        parts.append(page_text)
        pages.append(Page(page=number, start=pos, end=pos + len(page_text)))
        pos += len(page_text)
    return "".join(parts), pages


def read_pdf(data: bytes, name: str) -> tuple[str, list[Page]]:
    # pypdf logs what it repairs (e.g. "EOF marker not found") to stderr; the error below says
    # what matters in one line, so its chatter is silenced while reading.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        return _read_pdf(data, name)
    finally:
        pypdf_log.setLevel(level)


def _read_pdf(data: bytes, name: str) -> tuple[str, list[Page]]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An owner-password-only PDF opens with the empty user password; others cannot.
            try:
                opened = reader.decrypt("")
            except Exception:  # pypdf raises several types for unsupported ciphers
                opened = 0
            if not opened:
                raise ReadError(
                    f"{name}: the PDF is encrypted with a password; save an unencrypted copy "
                    "(e.g. `qpdf --decrypt`) and attach that"
                )
        page_texts = [_clean(page.extract_text() or "") for page in reader.pages]
    except ReadError:
        raise
    except LimitReachedError:
        raise ReadError(
            f"{name}: a compressed stream in the PDF expands past the safety limit "
            "(a decompression bomb, or a damaged file); not attached"
        ) from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, RecursionError) as e:
        raise ReadError(f"{name}: not a readable PDF ({type(e).__name__}: {e})") from None
    if not page_texts:
        raise ReadError(f"{name}: the PDF has no pages")
    if not any(t.strip() for t in page_texts):
        raise ReadError(
            f"{name}: the PDF has no text layer ({len(page_texts)} page(s) of images?); "
            "run OCR first (e.g. `ocrmypdf`) and attach the result"
        )
    return _join_pages(page_texts)


def read_source_bytes(data: bytes, name: str) -> SourceText:
    """Extract a source's text from a file's bytes; ``name``'s extension must match the content."""
    suffix = Path(name).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    if claimed is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise ReadError(f"{name}: unknown extension {suffix or '(none)'!r}; expected one of {known}")
    if not data.strip():
        raise ReadError(f"{name}: file is empty")
    actual = sniff(data)
    if actual is None:
        kind = binary_kind(data)
        what = f"binary content ({kind})" if kind else "binary content"
        raise ReadError(f"{name}: {what} that is not a PDF, though the extension says {claimed}")
    if actual == "pdf" and claimed != "pdf":
        raise ReadError(f"{name}: the file is a PDF, though the extension says {claimed}; rename it to .pdf")
    if claimed == "pdf" and actual != "pdf":
        raise ReadError(f"{name}: not a PDF (no %PDF- header; it looks like {actual}); check the download")
    if claimed == "pdf":
        text, pages = read_pdf(data, name)
    else:
        decoded = decode(data, name)
        if claimed == "html":
            if not _ANY_TAG.search(decoded[:65536]):
                raise ReadError(f"{name}: no HTML tags found, though the extension says html")
            text = _clean(parse(decoded, "html", name).text)
            pages = []
        else:
            if actual == "html":
                raise ReadError(f"{name}: the file is HTML, though the extension says text; rename it to .html")
            text = _clean(decoded)
            # pdftotext and similar tools separate pages with form feeds; keep them as pages.
            pages = _join_pages(text.split("\f"))[1] if "\f" in text else []
            text = text.replace("\f", "\n\n") if "\f" in text else text
        if not text.strip():
            raise ReadError(f"{name}: no text found in this {claimed} file")
    return SourceText(
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        format=claimed,
        file_name=Path(name).name,
        pages=pages,
    )


def read_source_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a directory, not a file")
    from .safe_files import read_regular_file

    return read_source_bytes(read_regular_file(path, max_bytes=max_bytes, error=ReadError), str(path))


def save_source_text(db: sqlite_utils.Database, source_id: int, st: SourceText) -> bool:
    """Store (or replace) a source's text. Call inside a transaction; returns False if unchanged.

    Replacing the text invalidates what was computed from the old one: that source's quote
    checks and evidence suggestions are deleted, to be recomputed by ``claims verify``.
    """
    existing = db.execute("select sha256 from source_texts where source_id = ?", [source_id]).fetchone()
    if existing and existing[0] == st.sha256:
        return False
    for table in ("source_pages", "quote_checks", "evidence_suggestions"):
        db.execute(f"delete from [{table}] where source_id = ?", [source_id])
    db["source_texts"].upsert(
        {
            "source_id": source_id,
            "text": st.text,
            "sha256": st.sha256,
            "format": st.format,
            "file_name": st.file_name,
            "chars": len(st.text),
            "page_count": len(st.pages) or None,
            "extracted_at": now(),
        },
        pk="source_id",
    )
    db["source_pages"].insert_all(
        {"source_id": source_id, "page": p.page, "start": p.start, "end": p.end} for p in st.pages
    )
    return True
