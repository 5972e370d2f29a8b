"""The curated reviewer pages: who is credited, quote checks wherever findings appear, the raw
record collapsed, findings as a list, and the command line naming its database."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlite_utils

from claims.cli import cli
from tests.reviewing import ALICE, EDITOR, make_ds


def altered_quote(db_path: Path, tmp_path: Path, runner) -> dict:
    """Attach to a linked source a text that quotes one of its quotations with a word changed,
    run `claims verify`, and return that quote (id, text, source key)."""
    db = sqlite_utils.Database(db_path)
    quote = next(db.query(
        """
        select q.id, q.text, s.key from quotes q join citations c on c.quote_id = q.id
        join sources s on s.id = c.source_id
        where q.kind = 'source' and length(q.text) > 80 order by q.id, s.key limit 1
        """
    ))  # fmt: skip
    words = quote["text"].split()
    words[len(words) // 2] = "notably" if words[len(words) // 2] != "notably" else "plainly"
    text_file = tmp_path / "source-text.txt"
    text_file.write_text("Results. " + " ".join(words) + " Further work is needed.\n", encoding="utf-8")
    for command in (["sources", "attach", quote["key"], str(text_file)], ["verify"]):
        result = runner.invoke(cli, [*command, "--db", str(db_path)])
        assert result.exit_code == 0, result.output
    check = db.execute("select result from quote_checks where quote_id = ? and source_id = (select id from sources where key = ?)",
                       [quote["id"], quote["key"]]).fetchone()  # fmt: skip
    assert check == ("altered",)
    return quote


@pytest.mark.asyncio
async def test_an_altered_quote_shows_on_the_article_page_its_tooltip_row_page_and_forms(built_db, tmp_path, runner):
    quote = altered_quote(built_db, tmp_path, runner)
    ds = make_ds(built_db)
    article = (await ds.client.get("/-/claims/articles/1")).text
    panel = article.split('class="claims-findings"', 1)[1].split("</details>", 1)[0]
    first = panel.split("<li ", 2)[1]
    assert 'data-kind="quote_altered"' in first and f'href="/claims/quotes/{quote["id"]}"' in first
    assert html.escape(quote["key"]) in first
    badge = re.search(rf'<a class="claims-badge quote[^"]*" id="quote-{quote["id"]}"[^>]*>', article).group(0)
    assert "check-altered" in badge and "found: quote altered" in badge
    assert re.search(rf'class="claims-hl[^"]*check-altered[^"]*"[^>]*data-spans="[^"]*quote-{quote["id"]}', article)
    page = (await ds.client.get(f"/claims/quotes/{quote['id']}")).text
    assert 'class="claims-check claims-check-altered"' in page and "notably" in page
    for action, actor in (("flag", ALICE), ("resolve", EDITOR)):
        if action == "resolve":
            sent = {"quote_id": str(quote["id"]), "verdict": "misquoted", "reason": "a word differs", "source_id": ""}
            assert (await ds.client.post("/claims/flag_quote", data=sent, actor=ALICE,
                                         headers={"Accept": "application/json"})).status_code == 200  # fmt: skip
        form = (await ds.client.get(f"/-/claims/{action}/quotes/{quote['id']}", actor=actor)).text
        assert 'data-check="altered"' in form and 'id="claims-supported-warning"' in form, action
        # The form's script is a file (a strict CSP allows only the project's own scripts).
        assert 'addEventListener("submit"' not in form and "/-/claims/static/review-form.js" in form
    js = await ds.client.get("/-/claims/static/review-form.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "confirm(" in js.text
    # The review list shows the check too, and puts the altered quotation first.
    queue = (await ds.client.get("/claims/needs_review.json?_shape=array&kind=quote")).json()
    assert queue == [] or queue[0]["quote_check"] != "altered" or queue[0]["quote_id"] == quote["id"]


@pytest.mark.asyncio
async def test_curated_pages_put_heading_and_credit_before_the_raw_record(built_db):
    db = sqlite_utils.Database(built_db)
    ds = make_ds(built_db)
    claim = next(db.query(
        "select c.* from claims c join quotes q on q.id = c.quote_id where q.attribution_kind = 'vague' order by c.id limit 1"))
    quote = db["quotes"].get(claim["quote_id"])
    for path, heading in ((f"/claims/quotes/{quote['id']}", f"Quote {quote['id']}"),
                          (f"/claims/claims/{claim['id']}", f"Claim {claim['id']}")):  # fmt: skip
        page = (await ds.client.get(path)).text
        credit = page.index('class="claims-credit claims-credit-vague"')
        assert page.index('class="claims-record-heading">' + heading) < credit < page.index('<details class="claims-raw"')
        assert html.escape(quote["attribution"], quote=False) in page[credit : credit + 2000]
        assert "vague: names no one" in page[credit : credit + 2000]
        # The raw row (prefix, suffix, reasons...) is still there, inside the collapsed section.
        raw = page.split('<details class="claims-raw"', 1)[1]
        assert "<th" in raw and "Links from other tables" in raw
    source = next(db.query("select id, title from sources order by id limit 1"))
    page = (await ds.client.get(f"/claims/sources/{source['id']}")).text
    assert page.index("Source: " + html.escape(source["title"], quote=False)) < page.index('<details class="claims-raw"')
    assert "claims verify" not in page and "claims sources attach" not in page
    findings = (await ds.client.get("/claims/findings?article_id=1")).text
    listed = findings.split('id="claims-findings-list"', 1)[1].split("</section>", 1)[0]
    kinds = {r["kind"] for r in db.query("select distinct kind from findings where article_id = 1")}
    assert set(re.findall(r'<h2 id="kind-([a-z_]+)"', listed)) == kinds
    assert listed.count("<li data-kind=") == db["findings"].count_where("article_id = 1")
    assert findings.index('id="claims-findings-list"') < findings.index('class="column-descriptions"')


@pytest.mark.asyncio
async def test_every_page_has_a_log_in_or_log_out_link(built_db):
    ds = make_ds(built_db)
    for path in ("/", "/claims", "/claims/claims/1", "/-/claims/articles/1", "/claims/needs_review"):
        anonymous = (await ds.client.get(path)).text
        assert re.search(r'<a class="claims-login" href="/-/login\?next=[^"]+">Log in</a>', anonymous), path
        mine = (await ds.client.get(path, actor=ALICE)).text
        assert 'class="claims-logout"' in mine and "Log out" in mine and 'class="claims-login"' not in mine, path


# --- the command line says which database it wrote -------------------------------------------


def test_only_build_and_ingest_create_a_database_and_every_write_names_it(tmp_path, runner, monkeypatch):
    post = tmp_path / "post.md"
    post.write_text('# Post\n\nOne study noted "microcurrent lifts cheeks by 40 percent in six weeks".\n', encoding="utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{lee2022, title = {Micro-Current}, author = {Lee, Hana}, year = {2022}}\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    # Not built yet: commands that add to a database refuse, naming the absolute path.
    default = (elsewhere / "data" / "claims.db").resolve()
    refused = runner.invoke(cli, ["sources", "import", str(bib)])
    assert refused.exit_code == 1 and f"{default}: no such database" in refused.output
    assert not (elsewhere / "data").exists()
    # CLAIMS_DB picks the database; ingest creates it and says so, once.
    target = tmp_path / "served" / "claims.db"
    monkeypatch.setenv("CLAIMS_DB", str(target))
    first = runner.invoke(cli, ["ingest", str(post)])
    assert first.exit_code == 0, first.output
    assert f"created new database {target.resolve()}" in first.output
    assert f"(database: {target.resolve()})" in first.output.splitlines()[-1] or any(
        line.endswith(f"(database: {target.resolve()})") for line in first.output.splitlines())
    assert "1 quote," in first.output  # singular, not "1 quotes"
    again = runner.invoke(cli, ["ingest", str(post)])
    assert "created new database" not in again.output and f"(database: {target.resolve()})" in again.output
    imported = runner.invoke(cli, ["sources", "import", str(bib)])
    assert imported.output.splitlines()[-1] == f"1 added, 0 merged, 0 skipped, 0 rejected, 0 warnings (database: {target.resolve()})"
    source_id = sqlite_utils.Database(target).execute("select id from sources where key = 'lee2022'").fetchone()[0]
    linked = runner.invoke(cli, ["link", str(source_id), "--quote", "1", "--stance", "mixed"])
    # The source by its key, like every other line, even when given by id.
    assert linked.output.strip() == f"quote 1 -> lee2022: added (database: {target.resolve()})", linked.output
    assert not (elsewhere / "data").exists()


@pytest.mark.asyncio
async def test_a_quote_credited_to_a_speaker_names_and_links_them(built_db):
    # The speakers table as issue 9 defines it (created here if this database predates it).
    db = sqlite_utils.Database(built_db)
    if "speakers" not in db.table_names():
        db["speakers"].create({"id": int, "article_id": int, "name": str, "kind": str, "description": str}, pk="id")
    if "speaker_id" not in db["quotes"].columns_dict:
        db.execute("alter table quotes add column speaker_id integer references speakers(id)")
    quote = next(db.query("select id from quotes where kind = 'source' order by id limit 1"))["id"]
    speaker = db["speakers"].insert(
        {"article_id": 1, "name": "Dr. Ada <Test>", "kind": "person", "description": "a dermatologist at a clinic"}
    ).last_pk
    db.execute("update quotes set speaker_id = ?, speaker = ?, attribution_kind = 'named' where id = ?",
               [speaker, "Dr. Ada <Test>", quote])  # fmt: skip
    db.conn.commit()
    ds = make_ds(built_db)
    page = (await ds.client.get(f"/claims/quotes/{quote}")).text
    credit = page.split('class="claims-credit claims-credit-named"', 1)[1].split("</p>", 1)[0]
    assert f'<a class="claims-speaker" href="/claims/speakers/{speaker}">Dr. Ada &lt;Test&gt;</a> (person)' in credit
    assert "a dermatologist at a clinic" in page and "names who said it" in credit
    # Issue 9's speaker page extends the curated row template: name first, raw row collapsed.
    if (Path(__file__).parent.parent / "claims" / "templates" / "row-claims-speakers.html").exists():
        speaker_page = (await ds.client.get(f"/claims/speakers/{speaker}")).text
        heading = speaker_page.index('class="claims-record-heading">Dr. Ada &lt;Test&gt;')
        assert heading < speaker_page.index('<details class="claims-raw"')
