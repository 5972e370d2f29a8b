"""Where to look: Europe PMC, Crossref and OpenAlex works search, and the local database.

Each service is a function ``(session, target, limit) -> list[Work]``. Responses go through
``lookup_cache`` (:func:`claims.lookup.fetch`): the cache rows are handed back to the caller,
who stores them in the same transaction as the record's candidates, so a failed record leaves
nothing behind. Requests are polite: a contact address in the User-Agent (and Crossref's and
OpenAlex's ``mailto`` parameter), a pause between requests to one service, retries with
backoff that honour Retry-After (:func:`claims.lookup._get`), and a time limit per request.

What is sent: the quoted phrase or the record's key terms, the page size and cursor, and the
contact address if one is set; nothing else about the article.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import sqlite_utils
from pydantic import Field, ValidationError

from .. import identifiers as ids
from .. import lookup
from ..clock import now
from ..lookup import LookupFailed
from ..models import Record
from .queries import Target

SERVICES = ("europepmc", "crossref", "openalex")
BASE_URLS = {
    "europepmc": ("CLAIMS_EUROPEPMC_URL", "https://www.ebi.ac.uk/europepmc/webservices/rest"),
    "crossref": ("CLAIMS_CROSSREF_URL", "https://api.crossref.org"),
    "openalex": ("CLAIMS_OPENALEX_URL", "https://api.openalex.org"),
}
TIMEOUT = 15.0
PAGE_SIZE = 10
MAX_PAGES = 3
# Seconds between two requests to one service: Crossref's and OpenAlex's public limits are about
# ten a second; Europe PMC asks for moderation without a number.
MIN_INTERVAL = {"europepmc": 0.2, "crossref": 0.1, "openalex": 0.1}


def base_url(service: str) -> str:
    env, default = BASE_URLS[service]
    return (os.environ.get(env) or default).rstrip("/")


class Work(Record):
    """A candidate work as a service (or the local database) describes it."""

    title: str
    abstract: str | None = None
    full_text: str | None = None
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    container: str | None = None
    type: str = "article-journal"
    authors: list[dict[str, str]] = Field(default_factory=list)
    open_access: bool = False
    source_id: int | None = None
    found_by: list[str] = Field(default_factory=list)
    # How each service found it: "europepmc phrase", "crossref terms"...
    how: list[str] = Field(default_factory=list)

    def identity(self) -> tuple[str, str]:
        if self.source_id is not None:
            return ("id", str(self.source_id))
        for name in ("doi", "pmid", "pmcid"):
            if getattr(self, name):
                return (name, getattr(self, name).lower())
        return ("title", f"{ids.normalize_title(self.title)}|{self.year}")

    def merge(self, other: Work) -> None:
        for name in ("abstract", "full_text"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs and (not mine or len(theirs) > len(mine)):
                setattr(self, name, theirs)
        for name in ("year", "doi", "pmid", "pmcid", "url", "container", "source_id"):
            if getattr(self, name) is None and getattr(other, name) is not None:
                setattr(self, name, getattr(other, name))
        if not self.authors:
            self.authors = other.authors
        self.open_access = self.open_access or other.open_access
        self.found_by += [s for s in other.found_by if s not in self.found_by]
        self.how += [h for h in other.how if h not in self.how]

    def csl(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": "", "type": self.type, "title": self.title}
        if self.authors:
            item["author"] = self.authors
        if self.container:
            item["container-title"] = self.container
        if self.year:
            item["issued"] = {"date-parts": [[self.year]]}
        for name, field_name in (("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID"), ("url", "URL")):
            if getattr(self, name):
                item[field_name] = getattr(self, name)
        return item


def strip_markup(text: str | None) -> str | None:
    """Plain text of an abstract given as HTML or a JATS snippet (Crossref's ``<jats:p>``)."""
    if not text:
        return None
    if "<" in text:
        from selectolax.lexbor import LexborHTMLParser

        text = LexborHTMLParser(f"<div>{text}</div>").text(separator=" ")
    text = " ".join(text.split())
    return text or None


@dataclass
class Session:
    """One trace run's HTTP client, pacing and the cache rows to store."""

    db: sqlite_utils.Database | None
    client: httpx.Client
    mailto: str | None = None
    last: dict[str, float] = field(default_factory=dict)

    def pause(self, service: str) -> None:
        wait = MIN_INTERVAL.get(service.split("-")[0], 0.0) - (time.monotonic() - self.last.get(service, -1e9))
        if wait > 0:
            lookup.sleep(wait)
        self.last[service] = time.monotonic()

    def get_json(self, service: str, path: str, params: dict[str, str], what: str, rows: list[dict]) -> Any:
        url = f"{base_url(service)}{path}"
        identifier = f"{path}?{urlencode(sorted(params.items()))}"
        cached = self.cached(service, identifier)
        if cached is not None:
            try:
                return json.loads(cached)
            except ValueError:
                pass
        self.pause(service)
        fetched = lookup.fetch(None, self.client, service, identifier, url, params=params, what=what, refresh=True)
        rows.append(fetched.cache_row)  # type: ignore[arg-type]
        return fetched.data

    def cached(self, service: str, identifier: str) -> str | None:
        if self.db is None:
            return None
        row = self.db.execute(
            "select body from lookup_cache where service = ? and identifier = ?", [service, identifier]
        ).fetchone()
        return row[0] if row else None

    def get_text(self, service: str, path: str, what: str, rows: list[dict]) -> str | None:
        """A text (XML) response, or None when the service has none (404)."""
        cached = self.cached(service, path)
        if cached is not None:
            return cached
        self.pause(service)
        response = lookup._get(self.client, service, f"{base_url(service)}{path}", None, what)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise LookupFailed(f"{service}: HTTP {response.status_code} {response.reason_phrase} for {what}")
        body = response.text
        if not body.lstrip().startswith("<"):
            raise LookupFailed(f"{service}: the response for {what} is not XML")
        rows.append({"service": service, "identifier": path, "url": str(response.url),
                     "status": response.status_code, "body": body, "fetched_at": now()})  # fmt: skip
        return body


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _unexpected(service: str, what: str, detail: str) -> LookupFailed:
    return LookupFailed(f"{service}: unexpected response for {what} ({detail})")


def _work(service: str, how: str, fields: dict[str, Any]) -> Work | None:
    if not fields.get("title"):
        return None
    fields = {k: v for k, v in fields.items() if v not in (None, "", [])}
    try:
        return Work(found_by=[service], how=[f"{service} {how}"], **fields)
    except ValidationError:
        return None


def _year(value: Any) -> int | None:
    match = re.match(r"^\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def _identifier(normalise: Callable[[str], str], value: Any) -> str | None:
    if not value:
        return None
    try:
        return normalise(str(value))
    except ids.IdentifierError:
        return None


# --- Europe PMC ----------------------------------------------------------------------------


def europepmc_query(target: Target, mode: str) -> str | None:
    if mode == "phrase":
        phrase = target.phrase()
        return f'"{phrase}"' if phrase else None
    terms = [t.replace('"', "") for t in target.query_terms(4 if mode == "terms" else 2)]
    return " AND ".join(f'"{t}"' if re.search(r"\W", t) else t for t in terms) or None


def europepmc_record(item: dict[str, Any], how: str) -> Work | None:
    journal = _dict(_dict(item.get("journalInfo")).get("journal")).get("title") or item.get("journalTitle")
    authors = []
    for person in _list(_dict(item.get("authorList")).get("author")):
        person = _dict(person)
        if person.get("lastName"):
            name = {"family": str(person["lastName"])}
            if person.get("firstName"):
                name["given"] = str(person["firstName"])
            authors.append(name)
        elif person.get("collectiveName"):
            authors.append({"literal": str(person["collectiveName"])})
    types = [str(t).lower() for t in _list(_dict(item.get("pubTypeList")).get("pubType"))]
    return _work("europepmc", how, {
        "title": strip_markup(str(item.get("title") or "")),
        "abstract": strip_markup(item.get("abstractText")),
        "year": _year(item.get("pubYear")),
        "doi": _identifier(ids.normalize_doi, item.get("doi")),
        "pmid": _identifier(ids.normalize_pmid, item.get("pmid")),
        "pmcid": _identifier(ids.normalize_pmcid, item.get("pmcid")),
        "container": journal,
        "authors": authors,
        "type": "chapter" if "book chapter" in types else "article-journal",
        "open_access": item.get("isOpenAccess") == "Y" and bool(item.get("pmcid")),
    })  # fmt: skip


def europepmc_search(session: Session, target: Target, limit: int, rows: list[dict]) -> list[Work]:
    """Phrase search first (abstracts and open-access full text), then the key terms: all of
    the top four, or, if that finds nothing, the top two."""
    out: list[Work] = []
    for mode in ("phrase", "terms", "fewer terms"):
        if mode == "fewer terms" and out:
            break
        query = europepmc_query(target, mode)
        if not query:
            continue
        cursor = "*"
        for _page in range(MAX_PAGES):
            what = f"{target.label} ({mode} search)"
            data = session.get_json(
                "europepmc", "/search",
                {"query": query, "format": "json", "resultType": "core", "pageSize": str(PAGE_SIZE), "cursorMark": cursor},
                what, rows,
            )  # fmt: skip
            if not isinstance(data, dict) or not isinstance(_dict(data.get("resultList")).get("result"), list):
                raise _unexpected("europepmc", what, "no resultList.result")
            results = data["resultList"]["result"]
            out += [w for w in (europepmc_record(_dict(r), mode) for r in results) if w]
            following = data.get("nextCursorMark")
            if not results or not following or following == cursor or len(out) >= limit:
                break
            cursor = str(following)
    return out


def jats_text(xml: str) -> str | None:
    """Title, abstract and body paragraphs of a JATS article, as plain text."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    parts = []
    for element in root.iter("article-title", "abstract", "title", "p"):
        if element.tag == "abstract":
            continue
        text = " ".join("".join(element.itertext()).split())
        if text:
            parts.append(text)
    return "\n\n".join(parts) or None


def europepmc_full_text(session: Session, work: Work, rows: list[dict]) -> str | None:
    if not (work.pmcid and work.open_access):
        return None
    xml = session.get_text("europepmc", f"/{work.pmcid}/fullTextXML", f"full text of {work.pmcid}", rows)
    return jats_text(xml) if xml else None


# --- Crossref ------------------------------------------------------------------------------


def crossref_search(session: Session, target: Target, limit: int, rows: list[dict]) -> list[Work]:
    """``query.bibliographic`` with the key terms (and the phrase's words for a quote)."""
    words = target.query_terms(8)
    if not words:
        return []
    out: list[Work] = []
    offset = 0
    for _page in range(MAX_PAGES):
        params = {"query.bibliographic": " ".join(words), "rows": str(PAGE_SIZE), "offset": str(offset)}
        if session.mailto:
            params["mailto"] = session.mailto
        what = f"{target.label} (terms search)"
        data = session.get_json("crossref", "/works", params, what, rows)
        message = _dict(data).get("message")
        if not isinstance(message, dict) or not isinstance(message.get("items"), list):
            raise _unexpected("crossref", what, "no message.items")
        for item in message["items"]:
            item = _dict(item)
            csl = lookup.crossref_to_csl(item)
            work = _work("crossref", "terms", {
                "title": csl.get("title"),
                "abstract": strip_markup(item.get("abstract")),
                "year": _dict(csl.get("issued")).get("date-parts", [[None]])[0][0],
                "doi": _identifier(ids.normalize_doi, item.get("DOI")),
                "container": csl.get("container-title"),
                "authors": [a for a in csl.get("author", []) if "family" in a or "literal" in a],
                "type": csl.get("type", "article-journal"),
            })  # fmt: skip
            if work:
                out.append(work)
        total = message.get("total-results")
        # The server may give fewer rows than asked (items-per-page): move on by what came.
        offset += len(message["items"])
        if len(out) >= limit or not message["items"] or not isinstance(total, int) or offset >= total:
            break
    return out


# --- OpenAlex ------------------------------------------------------------------------------


def openalex_abstract(index: Any) -> str | None:
    """OpenAlex gives abstracts as an inverted index: word -> positions."""
    if not isinstance(index, dict):
        return None
    placed = [(pos, word) for word, positions in index.items() for pos in _list(positions) if isinstance(pos, int)]
    return " ".join(word for _, word in sorted(placed)) or None


def _openalex_id(value: Any) -> str | None:
    # ids.pmid is "https://pubmed.ncbi.nlm.nih.gov/35269651", ids.pmcid ".../pmc/articles/8910224"
    return str(value).rstrip("/").rsplit("/", 1)[-1] if value else None


def openalex_search(session: Session, target: Target, limit: int, rows: list[dict]) -> list[Work]:
    """``search`` with the top four key terms, or the top two if that finds nothing."""
    out: list[Work] = []
    for n in (4, 2):
        if out:
            break
        words = target.query_terms(n)
        if words:
            out += _openalex_pages(session, target, words, limit, rows)
    return out


def _openalex_pages(session: Session, target: Target, words: list[str], limit: int, rows: list[dict]) -> list[Work]:
    out: list[Work] = []
    for page in range(1, MAX_PAGES + 1):
        params = {"search": " ".join(words), "per-page": str(PAGE_SIZE), "page": str(page)}
        if session.mailto:
            params["mailto"] = session.mailto
        what = f"{target.label} (terms search)"
        data = session.get_json("openalex", "/works", params, what, rows)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise _unexpected("openalex", what, "no results")
        for item in data["results"]:
            item = _dict(item)
            extra = _dict(item.get("ids"))
            pmcid = _openalex_id(extra.get("pmcid"))
            authors = [
                {"literal": str(_dict(a.get("author")).get("display_name"))}
                for a in map(_dict, _list(item.get("authorships")))
                if _dict(a.get("author")).get("display_name")
            ]
            work = _work("openalex", "terms", {
                "title": item.get("title") or item.get("display_name"),
                "abstract": openalex_abstract(item.get("abstract_inverted_index")),
                "year": item.get("publication_year") if isinstance(item.get("publication_year"), int) else None,
                "doi": _identifier(ids.normalize_doi, item.get("doi")),
                "pmid": _identifier(ids.normalize_pmid, _openalex_id(extra.get("pmid"))),
                "pmcid": _identifier(ids.normalize_pmcid, f"PMC{pmcid}" if pmcid and pmcid.isdigit() else pmcid),
                "container": _dict(_dict(item.get("primary_location")).get("source")).get("display_name"),
                "authors": authors,
                "type": "chapter" if item.get("type") == "book-chapter" else "article-journal",
            })  # fmt: skip
            if work:
                out.append(work)
        meta = _dict(data.get("meta"))
        count, per_page = meta.get("count"), meta.get("per_page")
        per_page = per_page if isinstance(per_page, int) and per_page > 0 else PAGE_SIZE
        if len(out) >= limit or not data["results"] or not isinstance(count, int) or page * per_page >= count:
            break
    return out


ONLINE: dict[str, Callable[[Session, Target, int, list[dict]], list[Work]]] = {
    "europepmc": europepmc_search,
    "crossref": crossref_search,
    "openalex": openalex_search,
}


# --- the local database ----------------------------------------------------------------------

LOCAL_LIMIT = 25


def _fts_query(words: list[str]) -> str | None:
    return " OR ".join(f'"{w}"' for w in (w.replace('"', "") for w in words) if w) or None


def sync_source_terms(db: sqlite_utils.Database) -> int:
    """Bring ``source_terms`` up to date: keys for sources whose title, notes or abstract
    changed (a signature says which), none for sources gone. Call inside a transaction."""
    import hashlib

    from .queries import text_keys

    stored = dict(db.execute("select source_id, signature from source_terms").fetchall())
    rows = []
    live: set[int] = set()
    for sid, title, note, abstract in db.execute(
        "select s.id, s.title, s.note, a.text from sources s left join source_abstracts a on a.source_id = s.id"
    ):
        live.add(sid)
        text = "\n".join(p or "" for p in (title, note, abstract))
        signature = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if stored.get(sid) != signature:
            rows.append({"source_id": sid, "signature": signature, "keys": " ".join(sorted(text_keys(text)))})
    gone = [sid for sid in stored if sid not in live]
    if gone:
        db.execute(f"delete from source_terms where source_id in ({','.join('?' * len(gone))})", gone)
    if rows:
        db["source_terms"].upsert_all(rows, pk="source_id")
    return len(rows) + len(gone)


def local_search(db: sqlite_utils.Database, target: Target) -> list[Work]:
    """Sources already in the database whose title, notes or abstract share a key term (their
    matching keys, through ``source_terms_fts``), or whose attached full text holds one of the
    key words (``source_texts_fts``); best bm25 first; as works the scorer ranks like any other.
    Run :func:`sync_source_terms` first."""
    keys = [k for t in target.terms[:12] for k in t.keys[:1]]
    surfaces = [t.surface for t in target.terms[:12]]
    ids_found: list[int] = []
    for table, words in (("source_terms_fts", keys), ("source_texts_fts", surfaces)):
        query = _fts_query(words)
        if not query:
            continue
        try:
            hits = db.execute(f"select rowid from [{table}] where [{table}] match ? order by rank limit ?", [query, LOCAL_LIMIT])
            ids_found += [r[0] for r in hits if r[0] not in ids_found]
        except Exception:  # noqa: BLE001 - an FTS syntax error on odd terms finds nothing, it is not fatal
            continue
    return [w for w in (local_work(db, sid) for sid in ids_found) if w]


def local_work(db: sqlite_utils.Database, source_id: int) -> Work | None:
    row = db.execute(
        """select s.id, s.title, s.note, s.year, s.doi, s.pmid, s.pmcid, s.url, s.container_title, s.type,
                  a.text, t.text
           from sources s left join source_abstracts a on a.source_id = s.id
           left join source_texts t on t.source_id = s.id where s.id = ?""",
        [source_id],
    ).fetchone()
    if row is None or not row[1]:
        return None
    sid, title, note, year, doi, pmid, pmcid, url, container, kind, abstract, text = row
    # The editor's notes stand in for an abstract where the service gave none.
    summary = " ".join(p for p in (abstract, note) if p) or None
    return Work(title=title, abstract=summary, full_text=text, year=year, doi=doi, pmid=pmid, pmcid=pmcid,
                url=url, container=container, type=kind, source_id=sid, found_by=["local"], how=["local terms"])  # fmt: skip
