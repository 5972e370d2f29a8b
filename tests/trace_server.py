"""A local HTTP server that speaks Europe PMC REST search and fullTextXML, Crossref ``/works``
search and OpenAlex ``/works`` search, for the ``claims trace`` tests.

Response shapes follow each service's public documentation: Europe PMC's ``search`` JSON
(``hitCount``, ``nextCursorMark``, ``request``, ``resultList.result`` with ``resultType=core``
fields such as ``pmid``, ``pmcid``, ``doi``, ``title``, ``authorList``, ``journalInfo``,
``pubYear``, ``abstractText``, ``isOpenAccess``) and its JATS ``fullTextXML``; Crossref's
``work-list`` message (``total-results``, ``items-per-page``, ``query``, ``items`` in the
Work format: ``DOI``, ``title``, ``container-title``, ``author``, ``issued``, ``type``,
``abstract``); OpenAlex's list response (``meta.count``, ``meta.page``, ``meta.per_page``,
``results`` of Work objects: ``id``, ``doi``, ``title``, ``display_name``, ``publication_year``,
``ids``, ``authorships``, ``primary_location``, ``open_access``, ``abstract_inverted_index``).

The works are the example's nine candidates from data/sources.yml, with their titles and
identifiers as given there. Nothing here invents a paper's words: each work's "abstract" is the
editor's note from sources.yml, and the only full text (PMC8910224's fullTextXML) is a short
text WRITTEN FOR THE TESTS, labelled as such inside it. OpenAlex ``id`` values are
placeholders (W0000000001...), which the client does not use.

Search is deliberately simple and documented-behaviour-shaped: Europe PMC matches quoted
phrases and AND-ed terms in title, abstract and full text; Crossref and OpenAlex rank works by
how many query words they contain. ``server.script[service]`` queues behaviours for the next
requests: ``429`` (with Retry-After: 1), ``500``, ``garbage`` (200 with a body that is not
JSON), ``slow`` (answers after ``server.slow_seconds``), ``empty`` (a documented empty result).
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources.yml"

FULL_TEXTS = {
    "PMC8910224": """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
<front><article-meta>
<article-id pub-id-type="pmcid">PMC8910224</article-id>
<title-group><article-title>Micro-Current Stimulation Suppresses Inflammatory Responses in Peptidoglycan-Treated Raw 264.7 Macrophages and Propionibacterium acnes-Induced Skin Inflammation via TLR2/NF-&#954;B Signaling Pathway</article-title></title-group>
</article-meta></front>
<body>
<sec><title>Note</title>
<p>WRITTEN FOR THE CLAIMS TEST SUITE: this body is not the paper's text. It stands in for an
open-access full text so that quote verification has something to read.</p>
<p>In this test text, microcurrent stimulation suppressed TLR2 expression and the activation of
NF-&#954;B p65 in peptidoglycan-treated macrophages, a sentence close to the article's quote
but not the same.</p>
</sec>
</body>
</article>
""",
}


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("-", " ").split())


def load_works() -> list[dict[str, Any]]:
    works = []
    for i, item in enumerate(yaml.safe_load(SOURCES.read_text(encoding="utf-8")), start=1):
        year = (item.get("issued") or {}).get("date-parts", [[None]])[0][0]
        url = item.get("URL") or ""
        nbk = re.search(r"/books/(NBK\d+)", url)
        works.append({
            "n": i,
            "key": item["id"],
            "title": " ".join(str(item["title"]).split()),
            "authors": item.get("author") or [],
            "container": item.get("container-title"),
            "year": year,
            "doi": item.get("DOI"),
            "pmid": item.get("PMID"),
            "pmcid": item.get("PMCID"),
            "nbk": nbk.group(1) if nbk else None,
            "type": item.get("type"),
            "volume": item.get("volume"),
            "issue": item.get("issue"),
            "page": item.get("page"),
            # The editor's notes stand in for the abstract (no paper's words are invented here).
            "abstract": " ".join(str(item.get("notes") or "").split()),
        })  # fmt: skip
    return works


def _text(work: dict[str, Any], with_full_text: bool = True) -> str:
    parts = [work["title"], work["abstract"]]
    if with_full_text and work.get("pmcid") in FULL_TEXTS:
        parts.append(re.sub(r"<[^>]+>", " ", FULL_TEXTS[work["pmcid"]]))
    return fold(" ".join(parts))


def _term_in(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(term))}", text) is not None


# --- the three services' responses ----------------------------------------------------------


def europepmc_result(work: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": work["pmid"] or work["nbk"] or work["pmcid"],
        "source": "MED" if work["pmid"] else ("NBK" if work["nbk"] else "PMC"),
        "title": work["title"] + ("." if not work["title"].endswith(".") else ""),
        "authorString": ", ".join(f"{a['family']} {a.get('given', '')[:1]}".strip() for a in work["authors"]) + ".",
        "authorList": {"author": [
            {"fullName": f"{a['family']} {a.get('given', '')[:1]}".strip(), "firstName": a.get("given", ""),
             "lastName": a["family"], "initials": a.get("given", "")[:1]}
            for a in work["authors"]
        ]},
        "pubYear": str(work["year"]) if work["year"] else None,
        "abstractText": work["abstract"],
        "isOpenAccess": "Y" if work["pmcid"] in FULL_TEXTS else "N",
        "inEPMC": "Y" if work["pmcid"] else "N",
        "inPMC": "Y" if work["pmcid"] else "N",
        "hasPDF": "N",
        "pubTypeList": {"pubType": ["Review", "Book Chapter"] if work["nbk"] else ["research-article", "Journal Article"]},
    }  # fmt: skip
    if work["pmid"]:
        result["pmid"] = work["pmid"]
    if work["pmcid"]:
        result["pmcid"] = work["pmcid"]
        result["fullTextIdList"] = {"fullTextId": [work["pmcid"]]}
    if work["doi"]:
        result["doi"] = work["doi"]
    if work["container"]:
        result["journalInfo"] = {"issue": work["issue"], "volume": work["volume"], "yearOfPublication": work["year"],
                                 "journal": {"title": work["container"]}}  # fmt: skip
        result["pageInfo"] = work["page"]
    return {k: v for k, v in result.items() if v is not None}


def crossref_item(work: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "DOI": work["doi"],
        "type": "journal-article" if work["type"] == "article-journal" else "book-chapter",
        "title": [work["title"]],
        "container-title": [work["container"]] if work["container"] else [],
        "author": [{"given": a.get("given"), "family": a["family"], "sequence": "first" if i == 0 else "additional",
                    "affiliation": []} for i, a in enumerate(work["authors"])],  # fmt: skip
        "issued": {"date-parts": [[work["year"]]]},
        "publisher": "test publisher (placeholder)",
        "source": "Crossref",
        "prefix": work["doi"].split("/")[0],
        "member": "0",
        "reference-count": 0,
        "abstract": f"<jats:p>{work['abstract']}</jats:p>",
    }
    for name in ("volume", "issue", "page"):
        if work[name]:
            item[name] = str(work[name])
    return item


def openalex_work(work: dict[str, Any]) -> dict[str, Any]:
    index: dict[str, list[int]] = defaultdict(list)
    for position, word in enumerate(work["abstract"].split()):
        index[word].append(position)
    ids: dict[str, Any] = {"openalex": f"https://openalex.org/W{work['n']:010d}"}
    if work["doi"]:
        ids["doi"] = f"https://doi.org/{work['doi']}"
    if work["pmid"]:
        ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{work['pmid']}"
    if work["pmcid"]:
        ids["pmcid"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{work['pmcid'][3:]}"
    return {
        "id": ids["openalex"],
        "doi": ids.get("doi"),
        "title": work["title"],
        "display_name": work["title"],
        "publication_year": work["year"],
        "type": "book-chapter" if work["type"] == "chapter" else "article",
        "ids": ids,
        "authorships": [{"author_position": "first" if i == 0 else "middle",
                         "author": {"display_name": f"{a.get('given', '')} {a['family']}".strip()}}
                        for i, a in enumerate(work["authors"])],  # fmt: skip
        "primary_location": {"source": {"display_name": work["container"]}} if work["container"] else None,
        "open_access": {"is_oa": work["pmcid"] in FULL_TEXTS},
        "abstract_inverted_index": dict(index) or None,
    }


class TraceServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.works = load_works()
        self.script: dict[str, list[str]] = defaultdict(list)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.page_cap = 100
        self.slow_seconds = 1.0
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a slow answer closes the socket: not the server's error.
        pass

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def urls(self) -> dict[str, str]:
        return {"CLAIMS_EUROPEPMC_URL": f"{self.base}/europepmc/webservices/rest",
                "CLAIMS_CROSSREF_URL": f"{self.base}/crossref", "CLAIMS_OPENALEX_URL": f"{self.base}/openalex"}  # fmt: skip

    def count(self, service: str) -> int:
        return sum(1 for s, _ in self.requests if s == service)


class Handler(BaseHTTPRequestHandler):
    server: TraceServer

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str, content_type: str = "application/json", headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        service = parts.path.split("/")[1]
        with self.server.lock:
            self.server.requests.append((service, {"path": parts.path, **params}))
            behaviour = self.server.script[service].pop(0) if self.server.script[service] else "ok"
        if behaviour == "429":
            return self._send(429, json.dumps({"message": "Too many requests"}), headers={"Retry-After": "1"})
        if behaviour == "500":
            return self._send(500, "Internal Server Error", "text/plain")
        if behaviour == "garbage":
            return self._send(200, "<html><body>Service temporarily unavailable</body></html>{", "application/json")
        if behaviour == "slow":
            time.sleep(self.server.slow_seconds)
        empty = behaviour == "empty"
        if service == "europepmc":
            return self.europepmc(parts.path, params, empty)
        if service == "crossref" and parts.path == "/crossref/works":
            return self.crossref(params, empty)
        if service == "openalex" and parts.path == "/openalex/works":
            return self.openalex(params, empty)
        self._send(404, json.dumps({"error": "not found"}))

    def europepmc(self, path: str, params: dict[str, str], empty: bool) -> None:
        match = re.match(r"^/europepmc/webservices/rest/(PMC\d+)/fullTextXML$", path)
        if match:
            xml = FULL_TEXTS.get(match.group(1))
            if xml is None:
                return self._send(404, "", "application/xml")
            return self._send(200, xml, "application/xml")
        if path != "/europepmc/webservices/rest/search":
            return self._send(404, json.dumps({"error": "not found"}))
        query = params.get("query", "")
        phrases = re.findall(r'"([^"]+)"', query)
        rest = re.sub(r'"[^"]+"', " ", query)
        terms = [t for t in re.split(r"\s+", rest) if t and t not in ("AND", "OR", "(", ")")]
        hits = []
        for work in self.server.works:
            if not (work["pmid"] or work["pmcid"] or work["nbk"]) or empty:
                continue
            text = _text(work)
            if all(_term_in(p, text) for p in phrases) and all(_term_in(t, text) for t in terms):
                hits.append(work)
        size = min(int(params.get("pageSize", "25")), self.server.page_cap)
        cursor = params.get("cursorMark", "*")
        offset = 0 if cursor == "*" else int(cursor.removeprefix("AoE_"))
        page = hits[offset : offset + size]
        following = f"AoE_{offset + size}" if offset + size < len(hits) else cursor
        body = {
            "version": "6.9",
            "hitCount": len(hits),
            "nextCursorMark": following,
            "request": {"queryString": query, "resultType": params.get("resultType", "lite"), "cursorMark": cursor,
                        "pageSize": size, "sort": "", "synonym": False},  # fmt: skip
            "resultList": {"result": [europepmc_result(w) for w in page]},
        }
        self._send(200, json.dumps(body))

    def _ranked(self, words: list[str], eligible: list[dict[str, Any]]) -> list[dict[str, Any]]:
        scored = []
        for work in eligible:
            text = _text(work, with_full_text=False)
            score = sum(_term_in(w, text) for w in words)
            if score:
                scored.append((-score, work["n"], work))
        return [w for *_, w in sorted(scored, key=lambda s: s[:2])]

    def crossref(self, params: dict[str, str], empty: bool) -> None:
        words = params.get("query.bibliographic", "").split()
        hits = [] if empty else self._ranked(words, [w for w in self.server.works if w["doi"]])
        rows = min(int(params.get("rows", "20")), self.server.page_cap)
        offset = int(params.get("offset", "0"))
        message = {
            "facets": {},
            "total-results": len(hits),
            "items": [crossref_item(w) for w in hits[offset : offset + rows]],
            "items-per-page": rows,
            "query": {"start-index": offset, "search-terms": None},
        }
        self._send(200, json.dumps({"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": message}))

    def openalex(self, params: dict[str, str], empty: bool) -> None:
        words = params.get("search", "").split()
        hits = [] if empty else self._ranked(words, self.server.works)
        per_page = min(int(params.get("per-page", "25")), self.server.page_cap)
        page = int(params.get("page", "1"))
        body = {
            "meta": {"count": len(hits), "db_response_time_ms": 1, "page": page, "per_page": per_page, "groups_count": None},
            "results": [openalex_work(w) for w in hits[(page - 1) * per_page : page * per_page]],
            "group_by": [],
        }
        self._send(200, json.dumps(body))


def start() -> TraceServer:
    server = TraceServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
