"""Readers turn an article file or URL into a :class:`~claims.models.Document`.

Each reader builds the normalised text block by block through :class:`TextBuilder`, so every
offset that extraction later stores indexes the exact string saved in ``articles.text``.
"""

from __future__ import annotations

import bisect
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from ..models import Block, BlockKind, Document, Format, Link

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# The longest a URL fetch may take in all, however the server paces its bytes.
URL_DEADLINE_S = 60.0

EXTENSIONS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
CONTENT_TYPES: dict[str, Format] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
}

# A DOI as printed in running text; trailing punctuation belongs to the sentence, not the DOI.
DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
DOI_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_WS = re.compile(r"\s+")


class ReadError(ValueError):
    """Bad input: the message is one line that names the file or URL and the problem."""


def doi_from_href(href: str) -> str | None:
    match = DOI_URL_RE.match(href.strip())
    return match.group(1).rstrip(".,;)") if match else None


@dataclass
class TextBuilder:
    """Accumulates normalised article text, one block at a time, with inline links.

    Whitespace is collapsed as text is appended (not afterwards), so link offsets recorded
    while appending stay valid.
    """

    parts: list[str] = field(default_factory=list)
    length: int = 0
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    _block_start: int | None = None
    _block_chars: int = 0
    _pending_space: bool = False
    _open_links: list[tuple[int, str]] = field(default_factory=list)

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def _emit(self, text: str) -> None:
        """Write block text; the blank-line separator goes in only once a block has text."""
        if self._block_start is None:
            raise RuntimeError("text added outside a block")
        if self._block_chars == 0:
            if self.length:
                self._write("\n\n")
            self._block_start = self.length
            # Links opened before the block's first character start where its text starts.
            self._open_links = [(self.length, href) for _, href in self._open_links]
        elif self._pending_space:
            self._write(" ")
            self._block_chars += 1
        self._pending_space = False
        self._write(text)
        self._block_chars += len(text)

    def start_block(self) -> None:
        if self._block_start is not None:
            raise RuntimeError("start_block called twice")
        self._block_start = self.length
        self._block_chars = 0
        self._pending_space = False

    def add_text(self, text: str) -> None:
        text = unicodedata.normalize("NFC", text)
        for i, piece in enumerate(_WS.split(text)):
            if i > 0:
                self.add_space()
            if piece:
                self._emit(piece)

    def add_space(self) -> None:
        self._pending_space = self._block_chars > 0

    def open_link(self, href: str) -> None:
        # A pending space belongs before the link text, not inside it.
        if self._pending_space and self._block_chars:
            self._write(" ")
            self._block_chars += 1
            self._pending_space = False
        self._open_links.append((self.length, href))

    def close_link(self) -> None:
        if not self._open_links:
            return
        start, href = self._open_links.pop()
        if self.length > start and href:
            self.links.append(Link(start=start, end=self.length, href=href, doi=doi_from_href(href)))

    def end_block(self, kind: BlockKind, level: int | None = None) -> None:
        start = self._block_start
        self._block_start = None
        self._open_links.clear()
        if start is not None and self._block_chars:
            self.blocks.append(Block(kind=kind, level=level, start=start, end=self.length))

    def add_block(self, kind: BlockKind, text: str, level: int | None = None) -> None:
        self.start_block()
        self.add_text(text)
        self.end_block(kind, level)

    def document(self, fmt: Format, title: str | None = None) -> Document:
        text = "".join(self.parts)
        links = list(self.links)
        # DOIs printed in running text count as links too, unless a hyperlink already covers them.
        # Links are recorded in text order, so a binary search finds one that covers a DOI.
        spans = sorted((link.start, link.end) for link in links)
        starts = [start for start, _ in spans]
        for block in self.blocks:
            for match in DOI_RE.finditer(text, block.start, block.end):
                doi = match.group(1).rstrip(".,;:)]")
                start, end = match.start(1), match.start(1) + len(doi)
                i = bisect.bisect_right(starts, start) - 1
                if i < 0 or spans[i][1] < end:
                    links.append(Link(start=start, end=end, href=f"https://doi.org/{doi}", doi=doi))
        links.sort(key=lambda link: (link.start, link.end))
        if title is None:
            title = next((text[b.start : b.end] for b in self.blocks if b.kind in ("title", "heading")), None)
        return Document(text=text, format=fmt, title=title, blocks=self.blocks, links=links)


def load_yaml_list(text: str, name: str, error: type[ReadError] = ReadError) -> list[tuple[Any, int]]:
    """The items of a YAML file that holds one list, each with the line it starts on.

    Editors' files (sources.yml, curation.yml) are YAML lists; errors name the file and line.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise error(f"{name}{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise error(f"{name}: expected a list of entries")
    return [(item, node.start_mark.line + 1) for item, node in zip(data, root.value, strict=True)]


def decode(data: bytes, name: str) -> str:
    """Bytes to text, refusing binary and non-UTF-8 input with a message naming ``name``."""
    if not data.strip():
        raise ReadError(f"{name}: file is empty")
    if b"\x00" in data[:8192]:
        raise ReadError(f"{name}: looks like a binary file (contains NUL bytes), not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"{name}: not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, fmt: Format, name: str) -> Document:
    from . import html, markdown, plaintext

    reader = {"text": plaintext.read, "markdown": markdown.read, "html": html.read}[fmt]
    doc = reader(text)
    if not doc.text.strip():
        raise ReadError(f"{name}: no article text found in this {fmt} file")
    return doc


def format_for_path(path: Path, fmt: Format | None = None) -> Format:
    if fmt:
        return fmt
    try:
        return EXTENSIONS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise ReadError(
            f"{path}: unknown extension {path.suffix or '(none)'!r}; expected one of {known} or pass --format"
        ) from None


def read_path(path: str | Path, *, fmt: Format | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    from ..safe_files import read_regular_file

    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a directory, not an article file")
    fmt = format_for_path(path, fmt)
    data = read_regular_file(path, max_bytes=max_bytes, error=ReadError, what="article file")
    return parse(decode(data, str(path)), fmt, str(path))


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https")


def read_url(
    url: str, *, fmt: Format | None = None, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = 20.0,
    deadline: float | None = None,
) -> Document:
    """Fetch an article. ``timeout`` bounds each network wait; ``deadline`` (default
    :data:`URL_DEADLINE_S`) the whole fetch, so a server that trickles bytes cannot hold it."""
    import httpx

    from .. import http_limits

    deadline = URL_DEADLINE_S if deadline is None else deadline
    give_up = time.monotonic() + deadline
    try:
        # The deadline bounds every socket wait, headers included (claims.http_limits).
        with http_limits.client(follow_redirects=True, timeout=min(timeout, deadline)) as client, http_limits.deadline(deadline):
            with client.stream("GET", url, headers={"User-Agent": "claims-tracker"}) as response:
                if response.status_code >= 400:
                    raise ReadError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
                chunks, total = [], 0
                for chunk in response.iter_bytes():
                    if time.monotonic() > give_up:
                        raise ReadError(f"{url}: gave up after {deadline:g}s: the server is sending too slowly")
                    total += len(chunk)
                    if total > max_bytes:
                        raise ReadError(f"{url}: response is over the size limit of {max_bytes:,} bytes (see --max-bytes)")
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    except httpx.TimeoutException as e:
        if time.monotonic() >= give_up:
            raise ReadError(f"{url}: gave up after {deadline:g}s: the server is sending too slowly") from None
        raise ReadError(f"{url}: could not fetch ({type(e).__name__}: {e})") from None
    except httpx.HTTPError as e:
        raise ReadError(f"{url}: could not fetch ({type(e).__name__}: {e})") from None
    if fmt is None:
        fmt = CONTENT_TYPES.get(content_type)
    if fmt is None:
        fmt = EXTENSIONS.get(Path(urlparse(url).path).suffix.lower())
    if fmt is None:
        raise ReadError(f"{url}: unsupported content type {content_type or '(none)'!r}")
    return parse(decode(b"".join(chunks), url), fmt, url)


def read(location: str, *, fmt: Format | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a path or an http(s) URL."""
    if is_url(location):
        return read_url(location, fmt=fmt, max_bytes=max_bytes)
    # "ftp://host/x" would otherwise be looked for as a local path and reported missing.
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", location):
        scheme = location.split(":", 1)[0]
        raise ReadError(f"{location}: unsupported URL scheme {scheme!r}; give an http(s) URL or a file path")
    return read_path(location, fmt=fmt, max_bytes=max_bytes)
