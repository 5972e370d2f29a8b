"""Derived findings (population and intervention mismatches, unsupported claims, near-duplicate
quotes across articles), evidence suggestions, and what Datasette shows of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasette.app import Datasette

from claims.cli import cli
from claims.db import open_db, transaction
from claims.evidence import refresh_findings, suggestions_html
from tests.conftest import file_hash, make_ds

KINDS = ("population_mismatch", "intervention_mismatch", "no_supporting_source", "near_duplicate_quote_across_articles")


def findings(db_path: Path, kind: str | None = None) -> list[dict]:
    db = open_db(db_path)
    sql = """
        select f.*, s.key as source_key, coalesce(q.text, c.text) as text from findings f
        left join sources s on s.id = f.source_id
        left join quotes q on q.id = f.quote_id left join claims c on c.id = f.claim_id
        where f.kind in ({}) order by f.id
    """.format(",".join("?" * len(KINDS)))
    rows = list(db.query(sql, list(KINDS)))
    return [r for r in rows if kind is None or r["kind"] == kind]


def test_atp_claim_traces_back_to_a_rat_skin_experiment(built_db: Path):
    rows = [r for r in findings(built_db, "population_mismatch") if r["claim_id"]]
    assert len(rows) == 1
    atp = rows[0]
    assert "ATP (adenosine triphosphate)" in atp["text"]
    assert atp["source_key"] == "cheng1982atp"
    assert "people" in atp["message"] and "1982" in atp["message"] and "rat skin" in atp["message"]


def test_keratinocyte_quote_closest_sources_differ_in_cells_and_current(built_db: Path):
    about_cells = [r for r in findings(built_db, "population_mismatch") if r["quote_id"]]
    assert [(r["source_key"], "keratinocytes" in r["text"]) for r in about_cells] == [("lee2022microcurrent", True)]
    assert "macrophages" in about_cells[0]["message"] and "keratinocytes" in about_cells[0]["message"]
    current = findings(built_db, "intervention_mismatch")
    assert [(r["source_key"], r["quote_id"]) for r in current] == [("toledano2024radiofrequency", about_cells[0]["quote_id"])]
    assert "microcurrent" in current[0]["message"] and "radiofrequency" in current[0]["message"]


def test_records_without_a_supporting_source(built_db: Path):
    unsupported = {r["text"][:40] for r in findings(built_db, "no_supporting_source")}
    assert "Microcurrent stimulation significantly s" in unsupported  # refutes + not enough info
    assert "The data suggest cumulative benefits ove" in unsupported  # the "review" quote
    # A source that backs only part of a passage ("mixed") is not support for all of it: the
    # editor's notes say each of these backs half of its quotation at most.
    rows = {r["text"][:40]: r["message"] for r in findings(built_db, "no_supporting_source")}
    assert "saniee2012wrinkle: mixed" in rows["Despite the limited sample sizes, the da"]
    assert "statpearls2024smas: mixed" in rows["A fibrous-muscular layer that connects t"]


def test_findings_follow_the_evidence_and_are_idempotent(built_db: Path, runner):
    db = open_db(built_db)
    atp = db.execute("select id from claims where text like '%ATP (adenosine%'").fetchone()[0]
    # The editor finds a human study for the ATP claim: the mismatch goes, nothing else moves.
    db["sources"].insert({"key": "human2030atp", "type": "article-journal", "csl": "{}"})
    db.close()
    result = runner.invoke(cli, ["link", "--db", str(built_db), "--claim", str(atp), "human2030atp",
                                 "--stance", "supports", "--population", "humans"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not [r for r in findings(built_db, "population_mismatch") if r["claim_id"]]
    assert not [r for r in findings(built_db, "no_supporting_source") if r["claim_id"] == atp]
    db = open_db(built_db)
    before = file_hash(built_db)
    with transaction(db):
        assert refresh_findings(db) == 0
    db.close()
    assert file_hash(built_db) == before


def test_claims_about_animals_are_not_population_mismatches(db_path: Path):
    db = open_db(db_path)
    db["articles"].insert({"id": 1, "title": "T", "location": "t", "text": "x", "sha256": "x", "format": "text",
                           "version": 1, "ingested_at": "t"})  # fmt: skip
    for cid, text in ((1, "In mice, the current raised ATP levels."), (2, "The current raises ATP in your skin.")):
        db["claims"].insert({"id": cid, "article_id": 1, "text": text, "start": 0, "end": 1, "category": "other",
                             "checkworthiness": 0.5, "hedged": 0})  # fmt: skip
    db["sources"].insert({"id": 1, "key": "rat", "type": "article-journal", "csl": "{}"})
    for cid in (1, 2):
        db["citations"].insert({"claim_id": cid, "source_id": 1, "relation": "candidate", "added_by": "t",
                                "added_at": "t", "population": "animals", "stance": "supports"})  # fmt: skip
    with transaction(db):
        refresh_findings(db)
    assert [(r["claim_id"], r["kind"]) for r in findings(db_path)] == [(2, "population_mismatch")]


SECOND_ARTICLE = """Why Microcurrent Facials Are Everywhere

Everyone is talking about microcurrent this year.

As one review put it:

\u201cThe data suggest cumulative benefits over time, particularly in terms of facial tightness and contour enhancement.\u201d

That is why clinics keep recommending it.
"""


def test_near_duplicate_quotes_across_articles(built_db: Path, data_dir: Path, runner):
    (data_dir / "articles" / "second-article.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    rows = findings(built_db, "near_duplicate_quote_across_articles")
    db = open_db(built_db)
    articles = {r["quote_id"]: r["article_id"] for r in db.query("select id as quote_id, article_id from quotes")}
    pairs = {(r["quote_id"], r["related_quote_id"]) for r in rows}
    assert pairs and all(articles[a] != articles[b] for a, b in pairs)
    # Filed in both articles: each side's finding names its own quote and the other article's.
    assert {(b, a) for a, b in pairs} == pairs
    assert all(r["article_id"] == articles[r["quote_id"]] for r in rows)
    second = db.execute("select id from articles where location like '%second-article.txt'").fetchone()[0]
    new_quote = db.execute("select id from quotes where article_id = ? and text like 'The data suggest%'", [second]).fetchone()[0]
    partners = {a if b == new_quote else b for a, b in pairs if new_quote in (a, b)}
    texts = {db["quotes"].get(q)["text"][:24] for q in partners}
    # Both "cumulative benefits" quotes of the first article, one exact and one with another start and ending.
    assert texts == {"The data suggest cumulat", "Despite the limited samp"}
    message = next(r["message"] for r in rows if new_quote in (r["quote_id"], r["related_quote_id"]))
    # The message says which sources each side is credited to (sources.yml's candidate_for
    # passages match the new article's quote too).
    assert message.count("linked to ") == 2 and "lee2024bioelectric" in message
    # A third build is a no-op, findings included.
    before = file_hash(built_db)
    runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert file_hash(built_db) == before


SOURCE_TEXT = """Effects of electric currents on rat skin.

We incubated excised rat skin with direct currents between 10 and 1000 microamperes. At moderate
currents, ATP concentrations in the tissue rose by up to fivefold compared with controls. Amino acid
incorporation into proteins increased as well. Higher currents reduced these effects again.
\f
Discussion. Whether collagen synthesis in living human skin follows has not been tested here.
<script>alert(1)</script> is not a sentence anyone wrote in this study at all.
"""


@pytest.fixture
def verified_db(built_db: Path, tmp_path: Path, runner) -> Path:
    path = tmp_path / "cheng.txt"
    path.write_text(SOURCE_TEXT, encoding="utf-8")
    result = runner.invoke(cli, ["sources", "attach", "cheng1982atp", str(path), "--db", str(built_db)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["verify", "--db", str(built_db)])
    assert result.exit_code == 0, result.output
    return built_db


def test_top_three_candidate_excerpts_for_a_linked_claim(verified_db: Path):
    db = open_db(verified_db)
    atp = db.execute("select id from claims where text like '%ATP (adenosine%'").fetchone()[0]
    rows = list(db.query("select * from evidence_suggestions where claim_id = ? order by rank", [atp]))
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert " ".join(rows[0]["sentence"].split()).startswith("At moderate currents, ATP concentrations")
    text = db["source_texts"].get(rows[0]["source_id"])["text"]
    for row in rows:
        assert text[row["start"] : row["end"]] == row["sentence"]
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"]
    assert rows[0]["page"] == 1
    html = str(suggestions_html(db, atp))
    assert "<script>" not in html


@pytest.fixture
def ds(verified_db: Path) -> Datasette:
    return make_ds(verified_db)


@pytest.mark.asyncio
async def test_stored_queries(ds, verified_db: Path):
    db = open_db(verified_db)
    # The ATP claim's source text does not hold the keratinocyte quote: make that link checkable.
    lee = db.execute("select id from sources where key = 'lee2022microcurrent'").fetchone()[0]
    with transaction(db):
        db["source_texts"].insert({"source_id": lee, "text": "Microcurrent stimulation significantly suppressed TLR2 expression and "
                                   "the activation of NF-κB p65 in peptidoglycan-treated macrophages, indicating its "
                                   "potential to regulate inflammatory responses at the molecular level.", "sha256": "x",
                                   "format": "text", "chars": 1, "extracted_at": "t"})  # fmt: skip
    db.close()
    from click.testing import CliRunner

    assert CliRunner().invoke(cli, ["verify", "--db", str(verified_db)]).exit_code == 0
    misquotes = (await ds.client.get("/claims/misquotes.json?_shape=array")).json()
    assert [(r["source"], r["result"]) for r in misquotes] == [("lee2022microcurrent", "altered")]
    assert "[-peptidoglycan-treated macrophages-]" in misquotes[0]["diff"]
    mismatches = (await ds.client.get("/claims/population_mismatch.json?_shape=array")).json()
    assert {r["source"] for r in mismatches} == {"cheng1982atp", "lee2022microcurrent"}
    page = await ds.client.get("/claims/misquotes")
    assert page.status_code == 200 and "Misquotes" in page.text


@pytest.mark.asyncio
async def test_row_pages_show_evidence_checks_and_excerpts(ds, verified_db: Path):
    db = open_db(verified_db)
    atp = db.execute("select id from claims where text like '%ATP (adenosine%'").fetchone()[0]
    page = await ds.client.get(f"/claims/claims/{atp}")
    assert page.status_code == 200
    assert "Evidence on each link" in page.text and "excised rat skin" in page.text
    assert "Candidate excerpts" in page.text and "ATP concentrations in the tissue rose" in page.text
    quote = db.execute("select id from quotes where text like 'Microcurrent stimulation significantly%'").fetchone()[0]
    page = await ds.client.get(f"/claims/quotes/{quote}")
    assert page.status_code == 200
    assert "Quote verification" in page.text and "not checked: the source has no attached text" in page.text


def test_attach_alone_ranks_candidate_excerpts(built_db: Path, tmp_path: Path, runner):
    # A claim's page should show excerpts as soon as its source has text, before any verify.
    path = tmp_path / "cheng.txt"
    path.write_text(SOURCE_TEXT, encoding="utf-8")
    result = runner.invoke(cli, ["sources", "attach", "cheng1982atp", str(path), "--db", str(built_db)])
    assert result.exit_code == 0, result.output
    db = open_db(built_db)
    atp = db.execute("select id from claims where text like '%ATP (adenosine%'").fetchone()[0]
    rows = list(db.query("select sentence from evidence_suggestions where claim_id = ? order by rank", [atp]))
    # BM25 weighs the rare word "ATP": the sentence that reports ATP comes first.
    assert rows and "ATP concentrations" in rows[0]["sentence"]
    # Sentences sharing no word with the claim (these three) are never suggested.
    suggested = " ".join(r["sentence"] for r in rows)
    for unrelated in ("Amino acid incorporation", "alert(1)", "Effects of electric currents"):
        assert unrelated not in suggested


def test_dropping_a_link_drops_its_checks_and_excerpts(built_db: Path, data_dir: Path, tmp_path: Path, runner):
    path = tmp_path / "cheng.txt"
    path.write_text(SOURCE_TEXT, encoding="utf-8")
    assert runner.invoke(cli, ["sources", "attach", "cheng1982atp", str(path), "--db", str(built_db)]).exit_code == 0
    db = open_db(built_db)
    quote = db.execute("select id from quotes where text like 'Microcurrent stimulation significantly%'").fetchone()[0]
    curation = data_dir / "curation.yml"
    original = curation.read_text(encoding="utf-8")
    curation.write_text(
        original + "\n- quote: significantly suppressed TLR2 expression\n  sources:\n    - source: cheng1982atp\n      stance: unassessed\n",
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)]).exit_code == 0
    assert runner.invoke(cli, ["verify", "--db", str(built_db)]).exit_code == 0
    assert db.execute("select count(*) from quote_checks where quote_id = ?", [quote]).fetchone()[0] >= 1
    # The editor drops the link from the file: the next build removes it and what was
    # computed from it.
    curation.write_text(original, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "1 removed" in result.output
    db = open_db(built_db)
    assert db.execute(
        "select count(*) from quote_checks where quote_id = ? and source_id = (select id from sources where key = 'cheng1982atp')",
        [quote],
    ).fetchone()[0] == 0
    # The ATP claim's own link stays, and so do its excerpts.
    assert db.execute("select count(*) from evidence_suggestions").fetchone()[0] > 0
