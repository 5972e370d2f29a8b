"""Edits keep the evidence: a new version of the example article inherits links, checks and
reviews, marks what changed for re-review, and `claims build` stays idempotent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlite_utils

from claims.cli import cli
from claims.flags import Flag, Resolution, save_flags, save_resolutions
from claims.versions import Previous, match_records
from tests.conftest import EXAMPLE, file_hash
from tests.test_ingest import http_server  # noqa: F401  (a fixture)

ARTICLE = "articles/skin-stimulator-trains-your-face.txt"
ATP_CLAIM = "encourages cellular activity like ATP"
# Version 1 gives the ATP claim a figure, so version 2 can change a number inside a claim.
FIGURE_V1 = "production (up to 500% in rat skin)"
FIGURE_V2 = "production (up to 50% in rat skin)"
MOVED = "Unlike topical treatments that only affect the surface"
DELETED = "The data suggest cumulative benefits over time, particularly in terms of facial tightness"


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def edit_article(data_dir: Path) -> None:
    """The three edits: a number, a moved paragraph, a deleted quote (and the editor's files
    stop naming the deleted quote, as an editor would update them)."""
    path = data_dir / ARTICLE
    text = path.read_text(encoding="utf-8").replace(FIGURE_V1, FIGURE_V2)
    parts = paragraphs(text)
    moved = next(p for p in parts if p.startswith(MOVED))
    parts.remove(moved)
    parts.insert(len(parts) - 1, moved)
    at = next(i for i, p in enumerate(parts) if DELETED in p)
    # The quotation and the line introducing it ("As one review put it:") go together.
    del parts[at - 1 if parts[at - 1].rstrip().endswith(":") else at : at + 1]
    path.write_text("\n\n".join(parts), encoding="utf-8")
    curation = (data_dir / "curation.yml").read_text(encoding="utf-8")
    start = curation.index(f"- quote: {DELETED}")
    end = curation.find("\n- ", start + 1)
    (data_dir / "curation.yml").write_text(curation[:start] + (curation[end + 1 :] if end != -1 else ""), encoding="utf-8")
    sources = (data_dir / "sources.yml").read_text(encoding="utf-8")
    (data_dir / "sources.yml").write_text(sources.replace(f'    - "{DELETED}"\n', ""), encoding="utf-8")


def one(db: sqlite_utils.Database, sql: str, params=()) -> dict:
    rows = list(db.query(sql, params))
    assert len(rows) == 1, (sql, params, rows)
    return rows[0]


@pytest.fixture
def reviewed(tmp_path: Path, data_dir: Path, runner):
    """Version 1 built, linked, verified and reviewed."""
    path = data_dir / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert "(adenosine triphosphate) production," in text
    path.write_text(text.replace("(adenosine triphosphate) production,", f"(adenosine triphosphate) {FIGURE_V1},"), encoding="utf-8")
    db_path = tmp_path / "claims.db"
    assert runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)]).exit_code == 0
    db = sqlite_utils.Database(db_path)
    atp = one(db, "select id from claims where text like ?", [f"%{ATP_CLAIM}%"])["id"]
    smas = one(db, "select id from quotes where text like 'A fibrous-muscular layer%'")["id"]
    moved = [r["id"] for r in db.query("select id from claims where text like 'Unlike topical treatments%' or text like 'This makes it especially effective%'")]
    deleted = one(db, "select id from quotes where text like ?", [f"{DELETED}%"])["id"]
    # Source texts, so the quote is checked and the claim gets suggested excerpts.
    smas_text = tmp_path / "smas.txt"
    smas_text.write_text(
        "The SMAS is a fibrous-muscular layer that connects the facial muscles to the skin and plays a "
        "crucial role in facial expressions and mechanical support.\n", encoding="utf-8")  # fmt: skip
    atp_text = tmp_path / "atp.txt"
    atp_text.write_text(
        "Direct currents from 10 to 1000 microamperes increased ATP concentrations in rat skin.\n\n"
        "Amino acid incorporation into proteins rose with the current applied to the skin.\n\n"
        "The animals were housed in standard cages with free access to food and water.\n\n"
        "Statistical analysis used a two-sided test with a significance level of five percent.\n\n"
        "Samples were frozen in liquid nitrogen and stored until they were analysed.\n", encoding="utf-8")  # fmt: skip
    for key, file in (("statpearls2024smas", smas_text), ("cheng1982atp", atp_text)):
        result = runner.invoke(cli, ["sources", "attach", key, str(file), "--db", str(db_path)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["link", "lee2024bioelectric", "--claim", str(atp), "--stance", "mixed",
                                 "--excerpt", "Reviews bioelectric effects", "--db", str(db_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["verify", "--db", str(db_path)]).exit_code == 0
    save_flags(db, [
        Flag(quote_id=smas, verdict="supported", reviewer="alice"),
        Flag(claim_id=atp, verdict="overstated", reason="rat skin, not faces", reviewer="bob"),
        Flag(claim_id=moved[0], verdict="unsupported", reason="no source", reviewer="alice"),
        Flag(claim_id=moved[1], verdict="needs_source", reason="which study?", reviewer="bob"),
    ])  # fmt: skip
    flag_id = one(db, "select max(id) as id from flags where claim_id = ?", [moved[1]])["id"]
    save_resolutions(db, [Resolution(flag_id=flag_id, verdict="supported", note="", editor="erin")])
    return {"db_path": db_path, "db": db, "atp": atp, "smas": smas, "moved": moved, "deleted": deleted}


def evidence(db: sqlite_utils.Database, column: str, record_id: int) -> list[tuple]:
    return sorted(
        tuple(r.values())
        for r in db.query(
            f"select source_id, relation, stance, excerpt, locator, design, population, intervention, editor_note, added_by "
            f"from citations where {column} = ?",
            [record_id],
        )
    )


def test_three_edits_carry_links_checks_and_reviews(reviewed, data_dir: Path, runner):
    db, db_path = reviewed["db"], reviewed["db_path"]
    flags_before = list(db.query("select * from flags order by id"))
    edit_article(data_dir)
    result = runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "new version 2" in result.output and "carried forward" in result.output

    v1, v2 = list(db.query("select * from articles order by id"))
    assert (v1["is_current"], v1["superseded_by"], v2["is_current"], v2["previous_id"]) == (0, v2["id"], 1, v1["id"])

    # The quote checked and reviewed, unchanged: links (with their evidence), check and status carried.
    smas = one(db, "select * from quotes where article_id = ? and carried_from = ?", [v2["id"], reviewed["smas"]])
    assert smas["anchor"] == "exact"
    assert evidence(db, "quote_id", smas["id"]) == evidence(db, "quote_id", reviewed["smas"]) != []
    checks = [one(db, f"select result, score, diff, text_sha256, source_id from quote_checks where quote_id = {q}")
              for q in (reviewed["smas"], smas["id"])]  # fmt: skip
    assert checks[0] == checks[1] and checks[0]["result"] in ("verbatim", "normalised", "altered")
    status = one(db, "select * from quote_status where quote_id = ?", [smas["id"]])
    assert (status["status"], status["flags"], status["latest_by"], status["is_current"]) == ("supported", 1, "alice", 1)

    # The moved paragraph: same text elsewhere, its flags and the editor's ruling still count.
    for old_id in reviewed["moved"]:
        new = one(db, "select * from claims where article_id = ? and carried_from = ?", [v2["id"], old_id])
        assert new["anchor"] == "moved" and new["start"] > one(db, f"select start from claims where id = {old_id}")["start"]
        old_status = one(db, "select * from claim_status where claim_id = ?", [old_id])
        new_status = one(db, "select * from claim_status where claim_id = ?", [new["id"]])
        columns = ("status", "flags", "latest_verdict", "latest_by", "resolved")
        assert [new_status[c] for c in columns] == [old_status[c] for c in columns]
    assert [one(db, f"select status from claim_status where claim_id = (select id from claims where carried_from = {i})")["status"]
            for i in reviewed["moved"]] == ["not supported", "supported"]  # fmt: skip

    # The edited claim: carried with its links, checks redone for its new wording, and it needs re-review.
    atp = one(db, "select * from claims where article_id = ? and carried_from = ?", [v2["id"], reviewed["atp"]])
    assert atp["anchor"] == "edited" and "50%" in atp["text"] and "500%" not in atp["text"]
    assert evidence(db, "claim_id", atp["id"]) == evidence(db, "claim_id", reviewed["atp"])
    assert len(evidence(db, "claim_id", atp["id"])) == 2
    assert db.execute("select count(*) from evidence_suggestions where claim_id = ?", [atp["id"]]).fetchone()[0] > 0
    status = one(db, "select * from claim_status where claim_id = ?", [atp["id"]])
    assert (status["status"], status["flags"], status["anchor"]) == ("needs re-review", 0, "edited")
    assert one(db, "select status from claim_status where claim_id = ?", [reviewed["atp"]])["status"] == "not supported"

    # Everything else is exact; nothing new.
    anchors = dict(db.execute("select anchor, count(*) from claims where article_id = ? group by anchor", [v2["id"]]).fetchall())
    assert anchors == {"exact": anchors["exact"], "moved": 2, "edited": 1} and anchors["exact"] > 30

    # The deleted quote is reported on the new version, with what it had.
    removed = one(db, "select * from findings where kind = 'removed_in_new_version' and article_id = ? and quote_id is not null", [v2["id"]])
    assert removed["quote_id"] == reviewed["deleted"]
    # Claims extraction no longer finds (none carried from them) are listed too.
    for row in db.query("select claim_id from findings where kind = 'removed_in_new_version' and claim_id is not null"):
        assert not db.execute("select 1 from claims where carried_from = ?", [row["claim_id"]]).fetchone()
    assert "not in this version" in removed["message"] and "2 source links" in removed["message"]
    assert db.execute("select count(*) from quotes where article_id = ?", [v2["id"]]).fetchone()[0] == (
        db.execute("select count(*) from quotes where article_id = ?", [v1["id"]]).fetchone()[0] - 1
    )

    # Flags are never copied or rewritten; the old version keeps its links (curation speaks for
    # current records only).
    assert list(db.query("select * from flags order by id")) == flags_before
    assert evidence(db, "quote_id", reviewed["deleted"]) != []
    # No near-duplicate findings against the article's own earlier version.
    assert db.execute("select count(*) from findings where kind = 'near_duplicate_quote_across_articles'").fetchone()[0] == 0

    before = file_hash(db_path)
    again = runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output and "derived findings: 0 written" in again.output
    assert file_hash(db_path) == before


def test_a_flag_on_the_edited_record_ends_re_review(reviewed, data_dir: Path, runner):
    db = reviewed["db"]
    edit_article(data_dir)
    assert runner.invoke(cli, ["build", "--db", str(reviewed["db_path"]), "--data", str(data_dir)]).exit_code == 0
    atp = one(db, "select id from claims where carried_from = ?", [reviewed["atp"]])["id"]
    save_flags(db, [Flag(claim_id=atp, verdict="supported", reviewer="bob")])
    status = one(db, "select status, flags from claim_status where claim_id = ?", [atp])
    assert (status["status"], status["flags"]) == ("supported", 1)


def test_a_third_version_keeps_counting_flags_through_exact_copies(reviewed, data_dir: Path, runner):
    db, db_path = reviewed["db"], reviewed["db_path"]
    edit_article(data_dir)
    assert runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)]).exit_code == 0
    path = data_dir / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + "\n\nA new closing line that says nothing.\n", encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)])
    assert result.exit_code == 0 and "new version 3" in result.output, result.output
    v3 = one(db, "select id from articles where is_current")["id"]
    smas = one(db, "select q.id, q.anchor from quotes q where q.article_id = ? and q.text like 'A fibrous-muscular%'", [v3])
    assert smas["anchor"] == "exact"
    assert one(db, "select status, flags from quote_status where quote_id = ?", [smas["id"]]) == {"status": "supported", "flags": 1}
    # Still edited-and-unreviewed two versions on: exact copies of it keep needing re-review.
    atp = one(db, "select id, anchor from claims where article_id = ? and text like ?", [v3, f"%{ATP_CLAIM}%"])
    assert atp["anchor"] == "exact"
    assert one(db, "select status from claim_status where claim_id = ?", [atp["id"]])["status"] == "needs re-review"
    assert db.execute("select count(*) from articles where is_current").fetchone()[0] == 1


def previous(i: int, text: str, prefix: str = "", suffix: str = "") -> Previous:
    return Previous(id=i, text=text, prefix=prefix, suffix=suffix, start=i * 100, origin_id=i)


class New:
    def __init__(self, text: str, prefix: str = "", suffix: str = "", start: int = 0) -> None:
        self.text, self.prefix, self.suffix, self.start = text, prefix, suffix, start


def test_matching_rules():
    old = [
        previous(1, "Walking 2,110 steps a day lowers mortality.", "a ", " b"),
        previous(2, "Sleep matters.", "c ", " d"),
        previous(3, "An unrelated sentence about cheese and the moon.", "e ", " f"),
        previous(4, "Quoted words that are trimmed later on in the next version.", "g ", " h"),
    ]
    new = [
        New("Sleep matters.", "x ", " y"),  # moved: same text, new context, out of order
        New("Walking 2,100 steps a day lowers mortality.", "a ", " b"),  # edited number
        New("Quoted words that are trimmed later on.", "g ", " h"),  # trimmed quote
        New("A completely different claim about taxes.", "e ", " f"),  # new, not cheese
    ]
    found = match_records(old, new)
    assert {i: (c.old_id, c.anchor) for i, c in found.items()} == {0: (2, "moved"), 1: (1, "edited"), 2: (4, "edited")}
    assert re.fullmatch(r"\d+(\.\d)?", str(found[1].score)) and found[1].score >= 80


@pytest.mark.asyncio
async def test_pages_show_current_versions_and_the_change(reviewed, data_dir: Path, runner):
    from tests.conftest import make_ds

    db, db_path = reviewed["db"], reviewed["db_path"]
    edit_article(data_dir)
    assert runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)]).exit_code == 0
    v1, v2 = (r["id"] for r in db.query("select id from articles order by id"))
    ds = make_ds(db_path)
    home = (await ds.client.get("/")).text
    assert f"/-/claims/articles/{v2}" in home and f'/-/claims/articles/{v1}"' not in home
    assert "version 2 of" in home and "earlier versions" in home
    page = (await ds.client.get(f"/-/claims/articles/{v2}")).text
    assert "Changes since" in page and "Reviews to redo" in page
    atp = one(db, "select id from claims where carried_from = ?", [reviewed["atp"]])["id"]
    redo = page.split("Reviews to redo", 1)[1].split("</div>", 1)[0]
    assert f"claim {atp}" in redo
    assert re.search(r'<del class="claims-diff-del">[^<]*500%[^<]*</del>\s*<ins class="claims-diff-ins">[^<]*50%', page)
    assert f"quote {reviewed['deleted']}" in page.split("<h4>Removed</h4>", 1)[1]
    assert "needs re-review" in page
    old = (await ds.client.get(f"/-/claims/articles/{v1}")).text
    assert "not the current version" in old
    # Search shows the current version's records unless asked for earlier ones.
    found = (await ds.client.get("/-/claims/search?q=elasticity")).text
    claim_ids = {int(i) for i in re.findall(r'/claims/claims/(\d+)"', found)}
    assert claim_ids and all(db.execute("select article_id from claims where id = ?", [i]).fetchone()[0] == v2 for i in claim_ids)
    every = (await ds.client.get("/-/claims/search?q=elasticity&all=1")).text
    assert len(set(re.findall(r'/claims/claims/(\d+)"', every))) == 2 * len(claim_ids)


@pytest.mark.asyncio
async def test_record_pages_show_earlier_verdicts_and_the_diff(reviewed, data_dir: Path, runner):
    from tests.conftest import make_ds

    db, db_path = reviewed["db"], reviewed["db_path"]
    edit_article(data_dir)
    assert runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)]).exit_code == 0
    ds = make_ds(db_path)
    atp = one(db, "select id from claims where carried_from = ?", [reviewed["atp"]])["id"]
    page = (await ds.client.get(f"/claims/claims/{atp}")).text
    assert "needs re-review" in page and "Earlier verdicts, before the text changed" in page
    earlier = page.split("Earlier verdicts", 1)[1].split("</section>", 1)[0]
    assert "overstated" in earlier and "rat skin, not faces" in earlier
    assert '<del class="claims-diff-del">500%</del>' in page
    assert "Not flagged yet." in page  # its own history starts empty
    # An unchanged quote lists its predecessor's flag in its own history.
    smas = one(db, "select id from quotes where carried_from = ?", [reviewed["smas"]])["id"]
    page = (await ds.client.get(f"/claims/quotes/{smas}")).text
    history = page.split('id="claims-history"', 1)[1]
    assert "alice" in history and "an earlier version" in history


def test_the_same_text_from_another_location_is_one_article(http_server, tmp_path: Path, db_path: Path, runner):  # noqa: F811
    root, base = http_server
    (root / "post.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    local = tmp_path / "walking.txt"
    local.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(cli, ["ingest", str(local), "--db", str(db_path)]).exit_code == 0
    result = runner.invoke(cli, ["ingest", f"{base}/post.txt", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert f"same text as article 1 (from {local}); recorded this location too" in result.output
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 1
    assert [(r["location"], r["article_id"]) for r in db["article_locations"].rows] == [(f"{base}/post.txt", 1)]
    again = runner.invoke(cli, ["ingest", f"{base}/post.txt", "--db", str(db_path)])
    assert "unchanged (article 1, version 1)" in again.output
    # A changed text at the recorded location is a new version of the same article.
    (root / "post.txt").write_text(EXAMPLE.read_text(encoding="utf-8").replace("space-age", "futuristic"), encoding="utf-8")
    changed = runner.invoke(cli, ["ingest", f"{base}/post.txt", "--db", str(db_path)])
    assert "new version 2 as article 2" in changed.output, changed.output
    assert [(r["id"], r["version"], r["is_current"]) for r in db.query("select * from articles order by id")] == [(1, 1, 0), (2, 2, 1)]
    edited = one(db, "select anchor from claims where article_id = 2 and text like '%futuristic%'")
    assert edited["anchor"] == "edited"
    # The ledger exports the current version unless asked for every version.
    ledger = runner.invoke(cli, ["export", "ledger", "--format", "jsonl", "--db", str(db_path)]).output
    every = runner.invoke(cli, ["export", "ledger", "--format", "jsonl", "--all-versions", "--db", str(db_path)]).output
    assert {json.loads(line)["article_id"] for line in ledger.splitlines()} == {2}
    assert {json.loads(line)["article_id"] for line in every.splitlines()} == {1, 2}


def test_dot_slash_is_the_same_location(tmp_path: Path, db_path: Path, runner, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("post.md").write_text('# Post\n\nExperts say "vitamin C cures colds in a day." It works.\n', encoding="utf-8")
    assert runner.invoke(cli, ["ingest", "post.md", "--db", str(db_path)]).exit_code == 0
    Path("post.md").write_text('# Post\n\nExperts say "vitamin C cures colds in two days." It works.\n', encoding="utf-8")
    result = runner.invoke(cli, ["ingest", "./post.md", "--db", str(db_path)])
    assert "new version 2" in result.output, result.output
    db = sqlite_utils.Database(db_path)
    assert [r["location"] for r in db["articles"].rows] == ["post.md", "post.md"]
    assert one(db, "select anchor from quotes where article_id = 2")["anchor"] == "edited"


def test_in_order_keeps_the_longest_run_and_handles_repeated_text():
    from claims.versions import in_order

    # A paragraph moved up or down: the rest stays in order, the moved part does not.
    old = list("ABCDEFGM")
    assert [i for i, _ in in_order(old, list("MABCDEFG"))] == [1, 2, 3, 4, 5, 6, 7]
    assert in_order(old, list("ABMCDEFG")) == [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6)]
    # Text repeated 100 times with an edit in every copy: every unedited record is in order.
    copy = ["a", "b", "c", "d", "e"]
    edited = ["a", "b", "X", "d", "e"]
    pairs = in_order(copy * 100, edited * 100)
    assert len(pairs) == 400 and all(j == i for i, j in pairs)


def test_cross_article_duplicates_ignore_earlier_versions(tmp_path: Path, db_path: Path, runner):
    quote = "Microcurrent therapy lifted the jawline of every single participant within six weeks."
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(f'# A\n\nOne study found: "{quote}" Impressive.\n', encoding="utf-8")
    b.write_text(f'# B\n\nA review says "{quote}" So it works.\n', encoding="utf-8")
    for path in (a, b):
        assert runner.invoke(cli, ["ingest", str(path), "--db", str(db_path)]).exit_code == 0
    a.write_text(f'# A\n\nOne study found: "{quote}" Impressive, really.\n', encoding="utf-8")
    assert "new version 2" in runner.invoke(cli, ["ingest", str(a), "--db", str(db_path)]).output
    db = sqlite_utils.Database(db_path)
    current = {r["id"] for r in db.query("select q.id from quotes q join articles a on a.id = q.article_id where a.is_current")}
    pairs = {(r["quote_id"], r["related_quote_id"]) for r in db.query(
        "select quote_id, related_quote_id from findings where kind = 'near_duplicate_quote_across_articles'")}  # fmt: skip
    assert len(pairs) == 2 and all(q in current and r in current for q, r in pairs)
