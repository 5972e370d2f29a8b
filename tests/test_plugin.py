"""The reviewers' pages: annotated article, row evidence, row actions, flag form, search, queries."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from claims.annotate import Span, segments
from claims.db import open_db
from claims.flags import Flag, save_flags
from claims.ingest import ingest_document
from claims.readers import parse
from tests.reviewing import ALICE, BOB, EDITOR, JSON, make_ds

PAYLOAD_ARTICLE = """Payload test

Researchers said "<script>alert('quote')</script> works every time" in a 2020 trial. The <img src=x onerror=alert(1)> device removes 90% of wrinkles in a week, according to one study.

Experts say it is "the best <b>tool</b> ever" for skin.
"""


# --- segments ------------------------------------------------------------------------------------


def test_nested_and_overlapping_spans_split_at_every_boundary():
    text = "0123456789"
    claim = Span("claim", 1, 0, 8, "supported")
    quote = Span("quote", 1, 2, 5, "disputed")
    overlapping = Span("claim", 2, 6, 10, "not reviewed")
    segs = segments(text, [overlapping, quote, claim])
    assert [(s.start, s.end) for s in segs] == [(0, 2), (2, 5), (5, 6), (6, 8), (8, 10)]
    assert [[sp.key for sp in s.spans] for s in segs] == [
        ["claim-1"], ["claim-1", "quote-1"], ["claim-1"], ["claim-1", "claim-2"], ["claim-2"],
    ]  # fmt: skip
    assert [[sp.key for sp in s.opening] for s in segs] == [["claim-1"], ["quote-1"], [], ["claim-2"], []]


spans_strategy = st.lists(
    st.tuples(st.sampled_from(["claim", "quote"]), st.integers(0, 60), st.integers(0, 60)), max_size=12
)


@given(text=st.text(min_size=0, max_size=50), raw=spans_strategy)
def test_segments_cover_the_text_and_carry_exactly_the_covering_spans(text, raw):
    spans = [Span(kind, i, min(a, b), max(a, b)) for i, (kind, a, b) in enumerate(raw)]
    segs = segments(text, spans)
    assert "".join(s.text for s in segs) == text
    assert all(s.end > s.start for s in segs) or not text
    for seg in segs:
        covering = {sp.key for sp in spans if sp.start <= seg.start and min(sp.end, len(text)) >= seg.end and sp.end > sp.start}
        assert {sp.key for sp in seg.spans} == covering
    # Every non-empty span gets exactly one badge, where it starts.
    opened = [sp.key for seg in segs for sp in seg.opening]
    visible = [sp.key for sp in spans if min(sp.end, len(text)) > sp.start]
    assert sorted(opened) == sorted(visible)


# --- a database with the payload article ---------------------------------------------------------


@pytest.fixture
def payload_db(tmp_path: Path) -> Path:
    (tmp_path / "payload").mkdir()
    path = tmp_path / "payload" / "claims.db"
    db = open_db(path)
    result = ingest_document(db, parse(PAYLOAD_ARTICLE, "text", "payload.txt"), "payload.txt")
    assert result.claims and result.quotes
    db.close()
    return path


@pytest.mark.asyncio
async def test_article_page_escapes_every_payload(payload_db):
    ds = make_ds(payload_db)
    response = await ds.client.get("/-/claims/articles/1")
    assert response.status_code == 200
    page = response.text
    # No tag from the article text survives: only escaped forms appear.
    assert "<script>alert" not in page
    assert "<img" not in page and "<b>tool" not in page
    assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # The payload sentences are highlighted, and the highlighted text is the escaped text.
    db = sqlite_utils.Database(payload_db)
    for kind, table in (("claim", "claims"), ("quote", "quotes")):
        for row in db[table].rows:
            assert f'id="{kind}-{row["id"]}"' in page
            assert f'href="/claims/{table}/{row["id"]}"' in page
    article_text = next(db["articles"].rows)["text"]
    body = page.split('id="article-text">', 1)[1].split("</div>", 1)[0]
    # Stripping badges and tags from the highlighted text gives back the article, character for character.
    visible = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<a class="claims-badge[^"]*"[^>]*>[^<]*</a>', "", body)))
    assert visible == article_text


@pytest.mark.asyncio
async def test_article_page_colours_by_status_with_legend_counts(built_db):
    db = sqlite_utils.Database(built_db)
    claim_ids = [r["id"] for r in db.query("select id from claims order by id limit 3")]
    save_flags(
        db,
        [
            Flag(claim_id=claim_ids[0], verdict="unsupported", reason="no source", reviewer="alice"),
            Flag(claim_id=claim_ids[1], verdict="supported", reviewer="alice"),
            Flag(claim_id=claim_ids[2], verdict="supported", reviewer="alice"),
            Flag(claim_id=claim_ids[2], verdict="overstated", reason="mice", reviewer="bob"),
        ],
    )
    page = (await make_ds(built_db).client.get("/-/claims/articles/1")).text
    expected = {claim_ids[0]: "not-supported", claim_ids[1]: "supported", claim_ids[2]: "disputed"}
    for claim_id, css in expected.items():
        assert re.search(rf'class="claims-badge claim st-{css}" id="claim-{claim_id}" data-status="{css}"', page)
    for kind in ("claim", "quote"):
        counts = dict(db.execute(f"select status, count(*) from {kind}_status group by status").fetchall())
        for status in ("not reviewed", "supported", "not supported", "disputed"):
            css = status.replace(" ", "-")
            assert f'<td data-kind="{kind}" data-status="{css}">{counts.get(status, 0)}</td>' in page


@pytest.mark.asyncio
async def test_missing_article_is_404(built_db):
    assert (await make_ds(built_db).client.get("/-/claims/articles/999")).status_code == 404


# --- row pages and the flag form -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_claim_row_page_shows_context_sources_and_history(built_db):
    db = sqlite_utils.Database(built_db)
    claim = next(db.query("select * from claims order by checkworthiness desc, id limit 1"))
    source = next(db.query("select * from sources order by id limit 1"))
    db["citations"].insert(
        {"claim_id": claim["id"], "source_id": source["id"], "relation": "candidate",
         "note": "closest match <i>so far</i>", "added_by": "editor", "added_at": "2024-01-01T00:00:00Z"}
    )  # fmt: skip
    save_flags(db, [Flag(claim_id=claim["id"], verdict="overstated", reason="<b>mice</b> only", reviewer="bob", source_id=source["id"])])
    ds = make_ds(built_db)
    page = (await ds.client.get(f"/claims/claims/{claim['id']}")).text
    evidence = page.split('id="claims-evidence"', 1)[1]
    from claims.datasette_plugin import context_words

    for part in (*context_words(claim["prefix"], claim["suffix"]), claim["text"]):
        assert html.escape(part, quote=False) in evidence.replace("&#39;", "'").replace("&#34;", '"')
    assert f'href="/claims/sources/{source["id"]}"' in evidence
    assert "candidate" in evidence and "closest match &lt;i&gt;so far&lt;/i&gt;" in evidence
    assert html.escape(source["note"] or "", quote=False)[:40].replace("'", "&#39;") in evidence
    history = evidence.split('id="claims-history"', 1)[1]
    assert "bob" in history and "overstated" in history
    assert "&lt;b&gt;mice&lt;/b&gt; only" in history and "<b>mice" not in page
    # The curated view first; Datasette's raw row collapsed below it.
    raw = page.index('<details class="claims-raw"')
    assert page.index('id="claims-evidence"') < raw < page.index('<h2>Links from other tables</h2>')


@pytest.mark.asyncio
async def test_quote_row_page_shows_evidence_too(built_db):
    ds = make_ds(built_db)
    save_flags(sqlite_utils.Database(built_db), [Flag(quote_id=1, verdict="misattributed", reason="which study?", reviewer="alice")])
    page = (await ds.client.get("/claims/quotes/1")).text
    assert 'id="claims-evidence"' in page and "which study?" in page and "misattributed" in page


@pytest.mark.asyncio
async def test_row_actions_depend_on_role(built_db):
    ds = make_ds(built_db)
    anonymous = (await ds.client.get("/claims/claims/2")).text
    assert "/-/claims/flag/claims/2" not in anonymous
    reviewer = (await ds.client.get("/claims/claims/2", actor=ALICE)).text
    assert 'href="/-/claims/flag/claims/2"' in reviewer and "Flag this claim" in reviewer
    assert "/-/claims/resolve/claims/2" not in reviewer
    editor = (await ds.client.get("/claims/quotes/1", actor=EDITOR)).text
    assert "Flag this quote" in editor and "Resolve the flags on this quote" in editor
    article = (await ds.client.get("/claims/articles/1")).text
    assert 'href="/-/claims/articles/1"' in article


@pytest.mark.asyncio
async def test_flag_form_is_prefilled_and_posts_to_the_stored_query(built_db):
    ds = make_ds(built_db)
    page = (await ds.client.get("/-/claims/flag/claims/4", actor=ALICE)).text
    assert 'action="/claims/flag_claim"' in page
    assert '<input type="hidden" name="claim_id" value="4">' in page
    for verdict in ("supported", "unsupported", "misquoted", "misattributed", "overstated", "needs_source"):
        assert f'name="verdict" value="{verdict}"' in page
    assert 'name="reason"' in page and 'name="source_id"' in page
    assert 'name="reviewer"' not in page and "_actor_id" not in page
    assert (await ds.client.get("/-/claims/flag/claims/999999", actor=ALICE)).status_code == 404


# --- search and stored queries ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_search_finds_claims_quotes_and_sources(built_db):
    ds = make_ds(built_db)
    db = sqlite_utils.Database(built_db)
    term = "microcurrent"
    page = (await ds.client.get(f"/-/claims/search?q={term}")).text
    for kind, table in (("claim", "claims"), ("quote", "quotes"), ("source", "sources")):
        ids = [r[0] for r in db.execute(f"select rowid from {table}_fts where {table}_fts match ?", [term]).fetchall()]
        section = page.split(f'claims-results-{kind}"', 1)
        assert ids and len(section) == 2, kind
        for row_id in ids:
            assert f'href="/claims/{table}/{row_id}"' in section[1]
    assert "<mark>" in page


@pytest.mark.asyncio
@pytest.mark.parametrize("q", ['"unbalanced', "AND OR (", "<script>x</script>", "NEAR(a b"])
async def test_search_survives_syntax_and_escapes_the_query(built_db, q):
    response = await make_ds(built_db).client.get("/-/claims/search", params={"q": q})
    assert response.status_code == 200
    assert "<script>x" not in response.text


@pytest.mark.asyncio
async def test_review_queries(built_db):
    ds = make_ds(built_db)
    db = sqlite_utils.Database(built_db)
    top = [r["id"] for r in db.query("select id from claims order by checkworthiness desc, id limit 2")]
    save_flags(
        db,
        [
            Flag(claim_id=top[0], verdict="unsupported", reason="nothing cited", reviewer="alice"),
            Flag(claim_id=top[1], verdict="supported", reviewer="alice"),
            Flag(claim_id=top[1], verdict="needs_source", reason="?", reviewer="bob"),
        ],
    )

    async def rows(name: str, actor=None, params: str = "") -> list[dict]:
        response = await ds.client.get(f"/claims/{name}.json?_shape=array{params}", actor=actor)
        assert response.status_code == 200, response.text
        return response.json()

    queue = await rows("needs_review")
    assert top[0] not in [r["claim_id"] for r in queue] and top[1] not in [r["claim_id"] for r in queue]
    claims_queue = [r for r in queue if r["kind"] == "claim"]
    scores = [r["checkworthiness"] for r in claims_queue]
    assert scores == sorted(scores, reverse=True) and len(claims_queue) == db["claims"].count - 2
    # Source quotations nobody flagged are in the queue too, and the Quotes tab is only them.
    sourced = {r["id"] for r in db.query("select id from quotes where kind = 'source'")}
    assert {r["quote_id"] for r in queue if r["kind"] == "quote"} == sourced
    assert {r["quote_id"] for r in await rows("needs_review", params="&kind=quote")} == sourced
    assert [r["claim_id"] for r in await rows("needs_review", params="&kind=claim")] == [r["claim_id"] for r in claims_queue]
    assert {r["claim_id"] for r in await rows("not_supported")} == {top[0], top[1]}
    assert [r["claim_id"] for r in await rows("disputed")] == [top[1]]
    vague = await rows("vague_attributions")
    assert {r["quote_id"] for r in vague} == {r["id"] for r in db.query("select id from quotes where attribution_kind = 'vague'")}
    assert [r["claim_id"] for r in await rows("my_flags", BOB)] == [top[1]]
    assert len(await rows("my_flags", ALICE)) == 2
    found = await ds.client.get("/claims/search.json?_shape=array&q=microcurrent")
    assert {r["kind"] for r in found.json()} == {"claim", "quote", "source"}


@pytest.mark.asyncio
async def test_query_results_link_ids_to_their_pages(built_db):
    ds = make_ds(built_db)
    page = (await ds.client.get("/claims/needs_review?kind=claim")).text
    first = (await ds.client.get("/claims/needs_review.json?_shape=array&kind=claim")).json()[0]
    assert f'<a href="/claims/claims/{first["claim_id"]}">{first["claim_id"]}</a>' in page
    # Articles by title, flags in words, and no SQL form for a review list.
    title = sqlite_utils.Database(built_db)["articles"].get(first["article_id"])["title"]
    assert f'<a href="/-/claims/articles/{first["article_id"]}">{html.escape(title, quote=False)}</a>' in page
    assert "Run SQL" not in page and "Edit SQL" not in page and 'aria-current="page" data-kind="claim"' in page
    disputed = (await ds.client.get("/claims/not_supported")).text
    assert "Run SQL" not in disputed
    status = (await ds.client.get("/claims/claim_status?_size=1")).text
    assert '<span class="claims-no">no</span>' in status


@pytest.mark.asyncio
async def test_homepage_menu_and_static(built_db):
    ds = make_ds(built_db)
    home = (await ds.client.get("/", actor=ALICE)).text
    assert 'href="/-/claims/articles/1"' in home and 'action="/-/claims/search"' in home
    assert 'href="/claims/my_flags"' in home and 'href="/claims/needs_review"' in home
    css = await ds.client.get("/-/claims/static/claims.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert (await ds.client.get("/-/claims/static/nope.css")).status_code == 404


@pytest.mark.asyncio
async def test_flag_posted_by_the_form_fields_shows_in_history(built_db):
    ds = make_ds(built_db)
    response = await ds.client.post(
        "/claims/flag_claim", data={"claim_id": "2", "verdict": "needs_source", "reason": "no link", "source_id": "1"},
        actor=ALICE, headers=JSON,
    )  # fmt: skip
    assert response.json()["ok"] is True
    history = (await ds.client.get("/claims/claims/2")).text.split('id="claims-history"', 1)[1]
    assert "alice" in history and "needs_source" in history and "no link" in history


@pytest.mark.asyncio
async def test_article_page_lists_the_articles_findings(built_db, payload_db):
    db = sqlite_utils.Database(built_db)
    page = (await make_ds(built_db).client.get("/-/claims/articles/1")).text
    panel = page.split('class="claims-findings"', 1)[1].split("</details>", 1)[0]
    findings = list(db.query("select kind, quote_id, related_quote_id, claim_id from findings where article_id = 1"))
    assert findings and panel.count("<li ") == len(findings)
    # The example's near-duplicate pair is there, linking both quotes.
    pair = next(f for f in findings if f["kind"] == "near_duplicate_quote")
    item = next(li for li in panel.split("<li ")[1:] if 'data-kind="near_duplicate_quote"' in li)
    for quote_id in (pair["quote_id"], pair["related_quote_id"]):
        assert f'href="/claims/quotes/{quote_id}"' in item
    # Findings come most telling first: the many "no supporting source" rows last.
    order = re.findall(r'<li data-kind="([a-z_]+)"', panel)
    assert order.index("near_duplicate_quote") < order.index("no_supporting_source")
    assert order[-1] == "no_supporting_source"
    # Each record with a finding is marked in the text; the others are not.
    marked = set(re.findall(r'class="claims-badge (claim|quote) [^"]*has-findings" id="(?:claim|quote)-(\d+)"', page))
    expected = {("quote", str(f[k])) for f in findings for k in ("quote_id", "related_quote_id") if f[k]}
    expected |= {("claim", str(f["claim_id"])) for f in findings if f["claim_id"]}
    assert marked == expected
    # Headings are set off from the paragraphs.
    headings = [r["start"] for r in db.query("select start from blocks where article_id = 1 and kind in ('title', 'heading')")]
    assert headings and page.count('<strong class="claims-heading">') == len(headings)
    # Messages quote the article: escaped like the text itself.
    payload = (await make_ds(payload_db).client.get("/-/claims/articles/1")).text
    assert "<script>alert" not in payload and "<img" not in payload


@pytest.mark.asyncio
async def test_source_page_lists_what_relies_on_it(built_db):
    db = sqlite_utils.Database(built_db)
    source = next(db.query("select id from sources where key = 'toledano2024radiofrequency'"))["id"]
    page = (await make_ds(built_db).client.get(f"/claims/sources/{source}")).text
    section = page.split('id="claims-source-uses"', 1)[1].split("</section>", 1)[0]
    links = list(db.query("select quote_id, claim_id, stance from citations where source_id = ?", [source]))
    assert links and section.count('<tr data-kind=') == len(links)
    for link in links:
        table = "quotes" if link["quote_id"] else "claims"
        assert f'href="/claims/{table}/{link["quote_id"] or link["claim_id"]}"' in section
    assert "refutes" in section and "HaCaT" in section and "No full text attached" in section


@pytest.mark.asyncio
async def test_quote_page_shows_its_findings_and_its_near_duplicate(built_db):
    db = sqlite_utils.Database(built_db)
    pair = next(db.query("select quote_id, related_quote_id from findings where kind = 'near_duplicate_quote'"))
    ds = make_ds(built_db)
    for this, other in ((pair["quote_id"], pair["related_quote_id"]), (pair["related_quote_id"], pair["quote_id"])):
        page = (await ds.client.get(f"/claims/quotes/{this}")).text
        panel = page.split('<div class="claims-findings">', 1)[1].split("</div>", 1)[0]
        item = next(li for li in panel.split("<li ")[1:] if 'data-kind="near_duplicate_quote"' in li)
        assert f'href="/claims/quotes/{other}"' in item and f'href="/claims/quotes/{this}"' not in item
        kinds = {r["kind"] for r in db.query(
            "select kind from findings where quote_id = ? or related_quote_id = ?", [this, this])}
        assert {k for k in kinds} == set(re.findall(r'data-kind="([a-z_]+)"', panel))


def test_context_is_cut_back_to_whole_words():
    from claims.datasette_plugin import context_words

    # A full 32-character context was cut mid-word: the partial word goes, "…" marks the cut.
    assert context_words("ratinocytes and inflammation:\n\n\u201c", "s\u201d in the skin of older adults..") == (
        "…and inflammation:\n\n\u201c",
        "s\u201d in the skin of older…",
    )
    # Shorter contexts reach the article's start or end: shown whole.
    assert context_words("Title\n\n", " end.") == ("Title\n\n", " end.")
