"""Identifiers of sources: DOI, PMID, PMCID, ISBN and URL, normalised and validated.

Every function returns the canonical form or raises :class:`IdentifierError` whose message names
the identifier and what is wrong with it, so callers can prefix the file, line or entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

from anyascii import anyascii
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError

# Crossref's recommended pattern for modern DOIs: prefix 10.NNNN(.NNNN), then any suffix.
DOI_RE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
# A shortDOI (https://shortdoi.org): ``10/fqd6hj`` is a handle doi.org resolves like any DOI.
SHORT_DOI_RE = re.compile(r"^10/[a-z0-9]+$", re.IGNORECASE)
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|info:doi/|(?:https?://)?(?:dx\.|www\.)?doi\.org/|(?:https?://)?hdl\.handle\.net/)",
    re.IGNORECASE,
)
# A publisher's landing page: https://onlinelibrary.wiley.com/doi/full/10.1111/... (also abs, pdf...).
_PUBLISHER_DOI_URL = re.compile(
    r"^https?://[^/\s]+/(?:[^?#\s]*/)?doi/(?:(?:abs|full|pdf|epdf|pdfdirect|epub|reader|book|chapter)/)?(?=10\.)",
    re.IGNORECASE,
)
# Punctuation that ends the sentence a DOI is printed in; no real DOI ends with these.
_DOI_TRAILING = ".,;:)]}>'\"\u201d\u2019"
_PMCID_RE = re.compile(r"^(?:PMC)?(\d{1,9})$", re.IGNORECASE)
# Words left out of citation keys: the first *significant* title word names the work.
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "and", "for", "to", "at", "by", "with", "from", "is", "are"}


class IdentifierError(ValueError):
    """An identifier that cannot be normalised; the message is one line."""


def normalize_doi(value: str) -> str:
    """``doi:10.1000/XYZ.`` or ``https://doi.org/10.1000/xyz`` -> ``10.1000/xyz``.

    DOIs are case-insensitive (the DOI Handbook, 3.4), so the canonical form is lower case.
    """
    doi = _doi_core(value)
    return doi.lower()


def doi_display(value: str) -> str:
    """The DOI without prefixes and trailing punctuation, in the case the publisher printed it."""
    return _doi_core(value)


def _doi_core(value: str) -> str:
    raw = str(value).strip()
    publisher = _PUBLISHER_DOI_URL.match(raw)
    if publisher:
        # In a URL a literal ? or # ends the path: anything the DOI itself holds is %-encoded.
        doi = re.split(r"[?#]", raw[publisher.end():], maxsplit=1)[0]
    else:
        doi = _DOI_PREFIXES.sub("", raw)
    doi = unquote(doi).strip()
    # Sentence punctuation goes; a closing bracket stays when the DOI itself opened it.
    while doi and doi[-1] in _DOI_TRAILING:
        if doi[-1] in ")]}>" and doi.count(doi[-1]) <= doi.count({")": "(", "]": "[", "}": "{", ">": "<"}[doi[-1]]):
            break
        doi = doi[:-1]
    if not DOI_RE.match(doi) and not SHORT_DOI_RE.match(doi):
        raise IdentifierError(f"invalid DOI {raw!r} (expected 10.NNNN/suffix)")
    return doi


def normalize_pmid(value: str | int) -> str:
    raw = str(value).strip()
    pmid = re.sub(r"^(?:pmid:?\s*)", "", raw, flags=re.IGNORECASE)
    if not pmid.isascii() or not pmid.isdigit() or not 0 < int(pmid) < 10**9:
        raise IdentifierError(f"invalid PMID {raw!r} (expected 1 to 9 digits)")
    return str(int(pmid))


def normalize_pmcid(value: str | int) -> str:
    raw = str(value).strip()
    match = _PMCID_RE.match(raw.replace(" ", ""))
    if not match or int(match.group(1)) == 0:
        raise IdentifierError(f"invalid PMCID {raw!r} (expected PMC followed by digits)")
    return f"PMC{int(match.group(1))}"


def normalize_isbn(value: str) -> str:
    """Any valid ISBN-10 or ISBN-13, with or without hyphens, as a bare ISBN-13."""
    raw = str(value).strip()
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(raw))
    except StdnumError as e:
        raise IdentifierError(f"invalid ISBN {raw!r} ({e})") from None


def normalize_url(value: str) -> str:
    """Scheme and host lower-cased, default port and fragment dropped; path and query kept."""
    raw = str(value).strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as e:
        raise IdentifierError(f"invalid URL {raw!r} ({e})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise IdentifierError(f"invalid URL {raw!r} (expected an http(s) URL with a host)")
    host = parts.hostname.lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def normalize_url_lenient(value: str) -> str:
    """:func:`normalize_url`, reading a scheme-less ``www.example.org/x`` or ``//example.org`` as https.

    Reference managers export URL fields typed by hand; a bare host is unambiguous enough.
    """
    raw = str(value).strip()
    if raw.startswith("//"):
        raw = "https:" + raw
    elif "://" not in raw and re.match(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+\.?(?::\d+)?(?:[/?#]|$)", raw, re.IGNORECASE):
        raw = "https://" + raw
    try:
        return normalize_url(raw)
    except IdentifierError:
        raise IdentifierError(f"invalid URL {str(value).strip()!r} (expected an http(s) URL with a host)") from None


def url_display(value: str) -> str:
    """The URL as given, with a scheme added to a bare host: fragment, case and query kept.

    The stored item keeps what the editor had (a ``#fragment`` may name the passage);
    :func:`normalize_url` is for matching only.
    """
    raw = str(value).strip()
    normalize_url_lenient(raw)  # raises IdentifierError on anything unusable
    if raw.startswith("//"):
        return "https:" + raw
    if "://" not in raw:
        return "https://" + raw
    return raw


def url_key(value: str | None) -> str | None:
    """The normalised URL a source is matched on, or None when there is no usable one."""
    if not value:
        return None
    try:
        return normalize_url_lenient(value)
    except IdentifierError:
        return None


def ascii_fold(text: str) -> str:
    """``Toledano-Macías`` -> ``Toledano-Macias``, ``Ødegård`` -> ``Odegard``: for keys and matching."""
    return anyascii(unicodedata.normalize("NFC", text))


def normalize_title(title: str | None) -> str:
    """Title as compared when deciding whether two records are one work."""
    if not title:
        return ""
    words = re.findall(r"[a-z0-9]+", ascii_fold(unicodedata.normalize("NFKC", title)).casefold())
    return " ".join(words)


def key_stem(author: str | None, year: int | str | None, title: str | None) -> str:
    """``lee``, 2022, ``Micro-current stimulation...`` -> ``lee2022micro``."""
    who = re.sub(r"[^a-z0-9]", "", ascii_fold(author or "").lower()) or "anon"
    words = [w for w in normalize_title(title).split() if w not in _STOPWORDS]
    return f"{who}{year or 'nd'}{words[0] if words else ''}"


def unique_key(stem: str, taken: set[str] | Iterable[str]) -> str:
    """``stem``, or ``stem`` + a, b, ... z, aa, ab... : the first one not in ``taken``."""
    taken = taken if isinstance(taken, set) else set(taken)
    if stem not in taken:
        return stem
    n = 0
    while True:
        suffix, i = "", n
        while True:
            suffix = chr(ord("a") + i % 26) + suffix
            i = i // 26 - 1
            if i < 0:
                break
        if stem + suffix not in taken:
            return stem + suffix
        n += 1
