"""Crossref and NCBI lookups against recorded responses (pytest-httpx); never the network."""

from __future__ import annotations

import http.server
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from claims.cli import cli
from claims.db import open_db
from tests.conftest import file_hash
from tests.local_http import serving, trickle

FIXTURES = Path(__file__).parent / "fixtures"
CROSSREF = re.compile(r"https://api\.crossref\.org/works/.*")
NCBI = re.compile(r"https://eutils\.ncbi\.nlm\.nih\.gov/entrez/eutils/esummary\.fcgi.*")


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def lookup(runner, db_path, *args):
    return runner.invoke(cli, ["sources", "lookup", "--db", str(db_path), *args])


def test_doi_lookup_adds_a_source_and_the_second_makes_no_request(db_path, runner, httpx_mock):
    httpx_mock.add_response(
        url="https://api.crossref.org/works/10.3390/ijms23052508", json=recorded("crossref/ijms23052508.json")
    )
    result = lookup(runner, db_path, "--doi", "https://doi.org/10.3390/IJMS23052508")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added lee2022micro (from crossref): new source; notices: correction")
    db = open_db(db_path)
    row = db.execute("select title, authors, year, container_title, doi, retracted, notices from sources").fetchone()
    assert row[0].startswith("Micro-Current Stimulation") and row[0].endswith("NF-κB Signaling Pathway")
    assert row[1] == "Lee H, Hwang D, Lee M, Lee J, Cho S, Kim T-J, Kim HS"
    assert row[2:6] == (2022, "International Journal of Molecular Sciences", "10.3390/ijms23052508", 0)
    assert json.loads(row[6])[0] == {
        "relation": "updated-by", "type": "correction", "doi": "10.3390/ijms23126543",
        "label": "Correction", "date": "2022-06-10", "source": "publisher",
    }  # fmt: skip
    assert db["lookup_cache"].count == 1
    # Second lookup: served from the cache; pytest-httpx fails the test on any unexpected request.
    again = lookup(runner, db_path, "--doi", "10.3390/ijms23052508")
    assert again.exit_code == 0, again.output
    assert "(from cache)" in again.output and "skipped lee2022micro" in again.output
    assert len(httpx_mock.get_requests()) == 1


def test_retraction_notices_are_stored_on_the_source(db_path, runner, httpx_mock):
    httpx_mock.add_response(url=CROSSREF, json=recorded("crossref/retracted.json"))
    result = lookup(runner, db_path, "--doi", "10.1016/j.jdermsci.2019.07.004")
    assert result.exit_code == 0, result.output
    assert "RETRACTED" in result.output
    row = open_db(db_path).execute("select key, retracted, retraction_doi, authors, csl from sources").fetchone()
    assert row[:3] == ("garcialopez2019microcurrent", 1, "10.1016/j.jdermsci.2021.03.010")
    assert row[3] == "García-López J, Dupré F, Facial Ageing Study Group"
    assert json.loads(row[4])["author"][2] == {"literal": "Facial Ageing Study Group"}


def test_pmid_lookup_merges_into_the_doi_source(db_path, runner, httpx_mock):
    httpx_mock.add_response(url=CROSSREF, json=recorded("crossref/ijms23052508.json"))
    httpx_mock.add_response(url=NCBI, json=recorded("ncbi/esummary_35269651.json"))
    assert lookup(runner, db_path, "--doi", "10.3390/ijms23052508").exit_code == 0
    result = lookup(runner, db_path, "--pmid", "35269651")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("merged lee2022micro (from pubmed): same DOI; added container-title-short, PMCID, PMID")
    db = open_db(db_path)
    assert db["sources"].count == 1
    assert db.execute("select pmid, pmcid from sources").fetchone() == ("35269651", "PMC8910224")
    request = httpx_mock.get_requests()[-1]
    assert request.url.params["db"] == "pubmed" and request.url.params["id"] == "35269651"


def test_pmid_lookup_alone_builds_the_record_from_esummary(db_path, runner, httpx_mock):
    httpx_mock.add_response(url=NCBI, json=recorded("ncbi/esummary_35269651.json"))
    assert lookup(runner, db_path, "--pmid", "PMID: 35269651").exit_code == 0
    csl = json.loads(open_db(db_path).execute("select csl from sources").fetchone()[0])
    assert csl["author"][5] == {"family": "Kim", "given": "TJ"}
    assert not csl["title"].endswith(".") and csl["issued"] == {"date-parts": [[2022, 2, 24]]}
    assert csl["DOI"] == "10.3390/ijms23052508" and csl["container-title-short"] == "Int J Mol Sci"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--doi", "11.2/nope"], "--doi: invalid DOI '11.2/nope'"),
        (["--pmid", "35269x51"], "--pmid: invalid PMID '35269x51'"),
        ([], "give exactly one of --doi or --pmid"),
    ],
)
def test_bad_identifiers_fail_before_any_request(db_path, runner, httpx_mock, args, expected):
    before = file_hash(db_path)
    result = lookup(runner, db_path, *args)
    assert result.exit_code == 1 and expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert httpx_mock.get_requests() == [] and file_hash(db_path) == before


def test_http_404_is_a_one_line_error_and_writes_nothing(db_path, runner, httpx_mock):
    httpx_mock.add_response(url=CROSSREF, status_code=404, text="Resource not found.")
    before = file_hash(db_path)
    result = lookup(runner, db_path, "--doi", "10.9999/missing")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: crossref: DOI 10.9999/missing not found (HTTP 404)"
    assert file_hash(db_path) == before


def test_pubmed_unknown_pmid(db_path, runner, httpx_mock):
    httpx_mock.add_response(url=NCBI, json=recorded("ncbi/esummary_missing.json"))
    result = lookup(runner, db_path, "--pmid", "99999999")
    assert result.exit_code == 1 and "PMID 99999999 not found (cannot get document summary)" in result.output


def test_offline_is_a_clear_one_line_error(db_path, runner, httpx_mock):
    httpx_mock.add_exception(httpx.ConnectError("[Errno -3] Temporary failure in name resolution"))
    before = file_hash(db_path)
    result = lookup(runner, db_path, "--doi", "10.3390/ijms23052508")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: crossref: could not reach api.crossref.org to look up DOI 10.3390/ijms23052508 "
        "(ConnectError); check the network connection"
    )
    assert file_hash(db_path) == before


def _crossref_for_example(request: httpx.Request) -> httpx.Response:
    """Crossref as it answers for the example's DOIs: bu2024homebeauty retracted, one DOI unknown."""
    doi = request.url.path.removeprefix("/works/")
    if doi == "10.1055/s-0036-1596046":
        return httpx.Response(404, text="Resource not found.")
    message = {"DOI": doi, "type": "journal-article", "title": ["x"]}
    if doi == "10.2147/ccid.s449599":
        message["updated-by"] = [
            {"updated": {"date-parts": [[2025, 1, 15]]}, "DOI": "10.2147/CCID.S999999", "type": "retraction",
             "source": "retraction-watch", "label": "Retraction"}  # fmt: skip
        ]
    return httpx.Response(200, json={"status": "ok", "message-type": "work", "message": message})


def test_check_retractions_flags_everything_that_relies_on_a_retracted_source(built_db, runner, httpx_mock):
    httpx_mock.add_callback(_crossref_for_example, url=CROSSREF, is_reusable=True)
    result = runner.invoke(cli, ["sources", "check-retractions", "--db", str(built_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "skipped facialadipose2016revision: DOI 10.1055/s-0036-1596046 not found at Crossref" in lines
    assert "retracted: bu2024homebeauty" in lines
    assert lines[-1] == f"checked 5 sources with a DOI: 1 retracted, 2 findings written (database: {built_db.resolve()})"
    db = open_db(built_db)
    findings = db.execute(
        """select f.quote_id, f.article_id, f.message from findings f
        join sources s on s.id = f.source_id where f.kind = 'retracted_source' and s.key = 'bu2024homebeauty'"""
    ).fetchall()
    cited_by = db.execute(
        "select c.quote_id from citations c join sources s on s.id = c.source_id where s.key = 'bu2024homebeauty'"
    ).fetchall()
    assert sorted(f[0] for f in findings) == sorted(c[0] for c in cited_by) and len(findings) == 2
    assert all(f[1] == 1 and "has been retracted" in f[2] for f in findings)
    # Checked afresh every time (no cache), but a finding is written once.
    requests = len(httpx_mock.get_requests())
    again = runner.invoke(cli, ["sources", "check-retractions", "--db", str(built_db)])
    assert again.exit_code == 0 and again.output.strip().endswith(f"1 retracted, 0 findings written (database: {built_db.resolve()})")
    assert len(httpx_mock.get_requests()) == 2 * requests


def test_check_retractions_offline_writes_nothing(built_db, runner, httpx_mock):
    httpx_mock.add_exception(httpx.ConnectTimeout("timed out"), is_reusable=True)
    before = file_hash(built_db)
    result = runner.invoke(cli, ["sources", "check-retractions", "--db", str(built_db)])
    assert result.exit_code == 1 and "could not reach api.crossref.org" in result.output
    assert file_hash(built_db) == before


# --- percent-encoding, retries, partial results, polite pool ---------------------------------


@pytest.mark.parametrize(
    "doi, raw_path",
    [
        ("10.1002/(SICI)1097-4636(199812)43:4<448::AID-JBM14>3.0.CO;2-#",
         b"/works/10.1002/(sici)1097-4636(199812)43:4%3C448::aid-jbm14%3E3.0.co;2-%23"),
        ("10.1000/a?b=c", b"/works/10.1000/a%3Fb%3Dc"),
    ],
)  # fmt: skip
def test_dois_are_percent_encoded_in_the_crossref_url(db_path, runner, httpx_mock, doi, raw_path):
    httpx_mock.add_response(url=CROSSREF, json={"message": {"type": "journal-article", "title": ["x"]}})
    result = lookup(runner, db_path, "--doi", doi)
    assert result.exit_code == 0, result.output
    request = httpx_mock.get_requests()[0]
    assert request.url.raw_path == raw_path and request.url.query == b""
    assert open_db(db_path).execute("select doi from sources").fetchone()[0] == doi.lower()


@pytest.fixture
def waits(monkeypatch):
    from claims import lookup as lookup_module

    recorded: list[float] = []
    monkeypatch.setattr(lookup_module, "sleep", recorded.append)
    return recorded


def _work(doi: str) -> httpx.Response:
    return httpx.Response(200, json={"status": "ok", "message": {"DOI": doi, "type": "journal-article", "title": ["x"]}})


def test_lookup_retries_429_and_5xx_honouring_retry_after(db_path, runner, httpx_mock, waits):
    httpx_mock.add_response(url=CROSSREF, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=CROSSREF, status_code=503)
    httpx_mock.add_response(url=CROSSREF, json=recorded("crossref/ijms23052508.json"))
    result = lookup(runner, db_path, "--doi", "10.3390/ijms23052508")
    assert result.exit_code == 0, result.output
    assert waits == [7.0, 2.0]  # Retry-After, then the backoff for the second retry
    assert len(httpx_mock.get_requests()) == 3


def test_lookup_gives_up_after_bounded_retries(db_path, runner, httpx_mock, waits):
    httpx_mock.add_response(url=CROSSREF, status_code=502, is_reusable=True)
    before = file_hash(db_path)
    result = lookup(runner, db_path, "--doi", "10.3390/ijms23052508")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "HTTP 502 Bad Gateway for DOI 10.3390/ijms23052508 after 4 tries" in result.output
    assert len(httpx_mock.get_requests()) == 4 and waits == [1.0, 2.0, 4.0]
    assert file_hash(db_path) == before


def test_check_retractions_keeps_what_was_fetched_and_lists_failures(built_db, runner, httpx_mock, waits):
    dois = [row[0] for row in open_db(built_db).execute("select doi from sources where doi is not null order by id")]
    calls: dict[str, int] = {}

    def crossref(request: httpx.Request) -> httpx.Response:
        doi = request.url.path.removeprefix("/works/")
        calls[doi] = calls.get(doi, 0) + 1
        if doi == dois[1] and calls[doi] == 1:
            return httpx.Response(429, headers={"Retry-After": "3"})
        if doi == dois[-1]:
            return httpx.Response(503)  # every time: fails after the retries
        return _work(doi)

    httpx_mock.add_callback(crossref, url=CROSSREF, is_reusable=True)
    result = runner.invoke(cli, ["sources", "check-retractions", "--db", str(built_db)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith("failed ") and f"HTTP 503 Service Unavailable for DOI {dois[-1]}" in line for line in lines)
    assert f"checked {len(dois) - 1} sources with a DOI: 0 retracted, 0 findings written (database: {built_db.resolve()})" in lines
    assert lines[-1].startswith(f"Error: 1 of {len(dois)} DOIs could not be checked")
    assert calls[dois[1]] == 2 and calls[dois[-1]] == 4 and 3.0 in waits
    db = open_db(built_db)
    # Everything fetched before the failure is saved: cache rows and check times.
    assert {row[0] for row in db.execute("select identifier from lookup_cache")} == set(dois[:-1])
    checked = dict(db.execute("select doi, checked_at from sources where doi is not null").fetchall())
    assert all(checked[d] for d in dois[:-1]) and checked[dois[-1]] is None


def test_check_retractions_stops_asking_when_crossref_is_unreachable(built_db, runner, httpx_mock, waits):
    dois = [row[0] for row in open_db(built_db).execute("select doi from sources where doi is not null order by id")]

    def crossref(request: httpx.Request) -> httpx.Response:
        doi = request.url.path.removeprefix("/works/")
        if doi == dois[2]:
            raise httpx.ConnectError("[Errno 101] Network is unreachable")
        return _work(doi)

    httpx_mock.add_callback(crossref, url=CROSSREF, is_reusable=True)
    result = runner.invoke(cli, ["sources", "check-retractions", "--db", str(built_db)])
    assert result.exit_code == 1
    assert "could not reach api.crossref.org" in result.output
    assert f"DOI {dois[3]} not checked (stopped after the error above)" in result.output
    assert len(httpx_mock.get_requests()) == 3 and waits == []
    assert open_db(built_db)["lookup_cache"].count == 2


def test_mailto_puts_crossref_requests_in_the_polite_pool(built_db, runner, httpx_mock):
    httpx_mock.add_callback(_crossref_for_example, url=CROSSREF, is_reusable=True)
    result = runner.invoke(
        cli, ["sources", "check-retractions", "--db", str(built_db)], env={"CLAIMS_MAILTO": "editor@example.org"}
    )
    assert result.exit_code == 0, result.output
    agents = {r.headers["User-Agent"] for r in httpx_mock.get_requests()}
    assert agents == {"claims-tracker/0.1 (https://github.com/claims-tracker/claims; mailto:editor@example.org)"}


def test_lookup_into_a_missing_database_is_an_error_and_creates_nothing(tmp_path, runner):
    # Only `claims build` and `claims ingest` create a database: a lookup run in the wrong
    # folder must not fill a new file nobody serves.
    path = tmp_path / "new" / "claims.db"
    result = lookup(runner, path, "--doi", "10.3390/ijms23052508")
    assert result.exit_code == 1 and f"{path.resolve()}: no such database" in result.output
    assert not path.exists() and not path.parent.exists()


def test_a_lookup_replaces_the_guessed_title_of_a_source_made_from_a_link(db_path, runner, httpx_mock, tmp_path):
    article = tmp_path / "a.md"
    article.write_text(
        "# Skin\n\nMicrocurrent suppressed TLR2 expression in skin cells ([this study](https://doi.org/10.3390/ijms23052508)).\n",
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)]).exit_code == 0
    stub = open_db(db_path).execute("select key, title, type from sources").fetchone()
    assert stub == ("doi_10_3390_ijms23052508", "DOI 10.3390/ijms23052508", "article")
    httpx_mock.add_response(url=CROSSREF, json=recorded("crossref/ijms23052508.json"))
    result = lookup(runner, db_path, "--doi", "10.3390/ijms23052508")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("merged doi_10_3390_ijms23052508 (from crossref): same DOI")
    key, title, kind, csl = open_db(db_path).execute("select key, title, type, csl from sources").fetchone()
    assert title.startswith("Micro-Current Stimulation") and kind == "article-journal"
    assert "custom" not in json.loads(csl)


# --- a server that trickles: the lookup's overall deadline --------------------------------------


class _Trickler(http.server.BaseHTTPRequestHandler):
    """Crossref's and NCBI's paths, answered one byte every 0.2 s (body or headers)."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        try:
            if self.path.startswith("/headers/"):
                # A status line, then header bytes that never end.
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                trickle(self.wfile, b"X", 300)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "ok", "message": {"title": ["')
            trickle(self.wfile, b"a", 300)
        except OSError:
            pass


@pytest.fixture
def trickling_base():
    with serving(_Trickler) as base:
        yield base


@pytest.mark.parametrize(
    ("where", "args"),
    [
        ("body", ["--doi", "10.3390/ijms23052508"]),
        ("headers", ["--doi", "10.3390/ijms23052508"]),
        ("body", ["--pmid", "35269651"]),
        ("headers", ["--pmid", "35269651"]),
    ],
)
def test_a_trickling_server_cannot_hold_a_lookup(db_path, runner, trickling_base, monkeypatch, where, args):
    from claims import lookup as lookup_lib

    monkeypatch.setattr(lookup_lib, "CROSSREF_URL", f"{trickling_base}/{where}/works/{{doi}}")
    monkeypatch.setattr(lookup_lib, "NCBI_ESUMMARY_URL", f"{trickling_base}/{where}/esummary.fcgi")
    monkeypatch.setattr(lookup_lib, "REQUEST_DEADLINE_S", 1.5)
    before = file_hash(db_path)
    started = time.monotonic()
    result = lookup(runner, db_path, *args)
    elapsed = time.monotonic() - started
    # Each byte comes well within the 20 s wait for a read: only the deadline stops it.
    assert result.exit_code != 0
    assert "gave up after 1.5s" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert elapsed < 10, elapsed
    assert file_hash(db_path) == before
