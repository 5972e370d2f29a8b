"""The curation file (data/curation.yml) applied by `claims build`, and `claims link`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from claims.cli import cli
from claims.db import open_db
from claims.evidence import load_curation
from tests.conftest import DATA, file_hash


def links(db_path: Path) -> dict[tuple[str, int, str], dict]:
    db = open_db(db_path)
    out = {}
    for row in db.query(
        "select c.*, s.key from citations c join sources s on s.id = c.source_id order by c.id"
    ):
        kind, rid = ("quote", row["quote_id"]) if row["quote_id"] else ("claim", row["claim_id"])
        assert (kind, rid, row["key"]) not in out, f"duplicate link {kind} {rid} -> {row['key']}"
        out[(kind, rid, row["key"])] = row
    return out


def record_id(db_path: Path, table: str, piece: str) -> int:
    rows = open_db(db_path).execute(f"select id from {table} where text like ?", [f"%{piece}%"]).fetchall()
    assert len(rows) == 1, (piece, rows)
    return rows[0][0]


def test_the_example_curation_is_valid_and_names_every_candidate():
    entries = load_curation(DATA / "curation.yml")
    curated = {(e.entry.piece, link.source) for e in entries for link in e.entry.sources}
    assert len(curated) == 11
    # Every candidate_for passage in sources.yml got the editor's evidence.
    for item in yaml.safe_load((DATA / "sources.yml").read_text(encoding="utf-8")):
        for passage in item.get("candidate_for", []):
            assert any(
                item["id"] == source and (passage.startswith(piece) or piece in passage or passage in piece)
                for piece, source in curated
            ), (item["id"], passage)


def test_build_puts_the_evidence_on_the_links(built_db: Path):
    by_link = links(built_db)
    keratinocyte = record_id(built_db, "quotes", "TNF-α-treated keratinocytes")
    toledano = by_link[("quote", keratinocyte, "toledano2024radiofrequency")]
    assert toledano["stance"] == "refutes" and toledano["population"] == "cells"
    assert "radiofrequency" in toledano["intervention"] and toledano["design"] == "in_vitro"
    lee = by_link[("quote", keratinocyte, "lee2022microcurrent")]
    assert lee["stance"] == "not_enough_info" and "macrophages" in lee["population_detail"]
    atp = record_id(built_db, "claims", "ATP (adenosine triphosphate)")
    cheng = by_link[("claim", atp, "cheng1982atp")]
    assert cheng["design"] == "in_vitro" and cheng["population"] == "animals"
    assert "rat skin" in cheng["population_detail"]
    saniee = by_link[("quote", record_id(built_db, "quotes", "Despite the limited"), "saniee2012wrinkle")]
    assert saniee["sample_size"] == 30 and saniee["stance"] == "mixed"
    assert "sham" in saniee["editor_note"]


def test_second_build_writes_nothing(built_db: Path, data_dir: Path, runner):
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 0 removed" in result.output
    assert file_hash(built_db) == before


def test_entries_the_file_drops_are_removed(built_db: Path, data_dir: Path, runner):
    path = data_dir / "curation.yml"
    original = path.read_text(encoding="utf-8")
    extra = "\n- quote: Can you really retrain\n  sources:\n    - source: lee2024bioelectric\n      stance: mixed\n"
    path.write_text(original + extra, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert "1 added" in result.output, result.output
    rhetorical = record_id(built_db, "quotes", "Can you really retrain")
    assert links(built_db)[("quote", rhetorical, "lee2024bioelectric")]["stance"] == "mixed"
    path.write_text(original, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert "1 removed" in result.output, result.output
    assert ("quote", rhetorical, "lee2024bioelectric") not in links(built_db)


BAD_ENTRIES = [
    ("no match", "- quote: words no article contains\n  sources: [{source: cheng1982atp}]\n",
     "entry 1 (line 1): quote 'words no article contains' matches no quote"),
    ("two matches", "- quote: muscle re-education\n  sources: [{source: cheng1982atp}]\n",
     "entry 1 (line 1): quote 'muscle re-education' matches 2 quotes"),
    ("unknown source", "- claim: encourages cellular activity\n  sources: [{source: nobody2001}]\n",
     "entry 1 (line 1): sources.0: source 'nobody2001': no such source"),
    ("bad stance", "- claim: encourages cellular activity\n  sources: [{source: cheng1982atp, stance: proves}]\n",
     "entry 1 (line 1): sources.0.stance"),
    ("bad design", "- claim: encourages cellular activity\n  sources:\n    - {source: cheng1982atp, design: anecdote}\n",
     "entry 1 (line 1): sources.0.design"),
    ("both quote and claim", "- quote: Despite the limited\n  claim: encourages cellular\n  sources: [{source: cheng1982atp}]\n",
     "give exactly one of quote: or claim:"),
    ("unknown field", "- claim: encourages cellular activity\n  sources: [{source: cheng1982atp, stanse: supports}]\n",
     "entry 1 (line 1): sources.0.stanse: Extra inputs are not permitted"),
    ("no sources", "- claim: encourages cellular activity\n  sources: []\n", "entry 1 (line 1): sources"),
    ("negative sample size", "- claim: encourages cellular activity\n  sources: [{source: cheng1982atp, sample_size: -3}]\n",
     "sources.0.sample_size"),
    ("unknown article", "- quote: Despite the limited\n  article: no-such-post\n  sources: [{source: cheng1982atp}]\n",
     "entry 1 (line 1): article 'no-such-post' matches no article"),
    ("not YAML", "- quote: [unclosed\n", "curation.yml line"),
    ("not a list", "quote: Despite\n", "expected a list of entries"),
    ("second entry", "- claim: encourages cellular activity\n  sources: [{source: cheng1982atp}]\n"
     "- quote: nothing like this anywhere\n  sources: [{source: cheng1982atp}]\n", "entry 2 (line 3)"),
]


@pytest.mark.parametrize("name,content,message", BAD_ENTRIES, ids=[b[0] for b in BAD_ENTRIES])
def test_bad_curation_is_one_line_and_changes_nothing(built_db: Path, data_dir: Path, runner, name, content, message):
    (data_dir / "curation.yml").write_text(content, encoding="utf-8")
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code != 0
    # Nothing but the error: no "added as article" line for work that was rolled back.
    error = result.output.splitlines()
    assert len(error) == 1 and error[0].startswith("Error:") and message in error[0], result.output
    assert "curation.yml" in error[0]
    assert file_hash(built_db) == before


def test_quote_marks_around_a_piece_are_ignored(built_db: Path, data_dir: Path, runner):
    (data_dir / "curation.yml").write_text(
        "- quote: \u201cDespite the limited sample sizes\u201d\n  sources: [{source: cheng1982atp, stance: unassessed}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    quote = record_id(built_db, "quotes", "Despite the limited")
    assert ("quote", quote, "cheng1982atp") in links(built_db)


def test_bad_curation_on_a_fresh_database_leaves_no_records(tmp_path: Path, data_dir: Path, runner):
    (data_dir / "curation.yml").write_text("- quote: words no article contains\n  sources: [{source: cheng1982atp}]\n")
    db_path = tmp_path / "fresh.db"
    result = runner.invoke(cli, ["build", "--db", str(db_path), "--data", str(data_dir)])
    assert result.exit_code != 0
    db = open_db(db_path)
    assert db["articles"].count == 0 and db["citations"].count == 0


def test_link_adds_and_updates_one_link(built_db: Path, runner):
    claim = record_id(built_db, "claims", "penetrates through the skin")
    args = ["link", "--db", str(built_db), "--claim", str(claim), "lee2024bioelectric"]
    result = runner.invoke(cli, [*args, "--stance", "not_enough_info", "--design", "narrative_review",
                                 "--population", "none", "--locator", "section 4"])  # fmt: skip
    assert result.exit_code == 0 and "added" in result.output, result.output
    link = links(built_db)[("claim", claim, "lee2024bioelectric")]
    assert (link["relation"], link["stance"], link["locator"], link["added_by"]) == ("candidate", "not_enough_info", "section 4", "editor")
    # Options not given keep their values; a second identical call changes nothing.
    result = runner.invoke(cli, [*args, "--stance", "supports", "--excerpt", "Says so.", "--relation", "cited"])
    assert "updated" in result.output
    link = links(built_db)[("claim", claim, "lee2024bioelectric")]
    assert (link["relation"], link["stance"], link["excerpt"], link["locator"]) == ("cited", "supports", "Says so.", "section 4")
    before = file_hash(built_db)
    result = runner.invoke(cli, [*args, "--stance", "supports"])
    assert "unchanged" in result.output and file_hash(built_db) == before
    # Linking an existing candidate (from sources.yml) updates it instead of adding a second.
    quote = record_id(built_db, "quotes", "TNF-α-treated keratinocytes")
    count = len(links(built_db))
    lee = open_db(built_db).execute("select id from sources where key = 'lee2022microcurrent'").fetchone()[0]
    result = runner.invoke(cli, ["link", "--db", str(built_db), "--quote", str(quote), str(lee), "--stance", "mixed"])
    assert result.exit_code == 0 and "updated" in result.output, result.output
    assert len(links(built_db)) == count
    assert links(built_db)[("quote", quote, "lee2022microcurrent")]["stance"] == "mixed"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--stance", "supports", "cheng1982atp"], "give exactly one of --claim ID or --quote ID"),
        (["--quote", "1", "--claim", "2", "--stance", "supports", "cheng1982atp"], "give exactly one"),
        (["--quote", "9999", "--stance", "supports", "cheng1982atp"], "quote 9999: no such quote"),
        (["--claim", "1", "--stance", "supports", "nobody2001"], "source 'nobody2001': no such source"),
        (["--claim", "1", "--stance", "proves", "cheng1982atp"], "Invalid value for '--stance'"),
        (["--claim", "1", "--stance", "supports", "--sample-size", "0", "cheng1982atp"], "--sample-size"),
    ],
)
def test_link_rejects_bad_input_and_changes_nothing(built_db: Path, runner, args, message):
    before = file_hash(built_db)
    result = runner.invoke(cli, ["link", "--db", str(built_db), *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert file_hash(built_db) == before


def test_database_rejects_out_of_vocabulary_evidence(built_db: Path):
    import sqlite3

    db = open_db(built_db)
    with pytest.raises(sqlite3.IntegrityError, match="stance"):
        db.execute("update citations set stance = 'proves' where id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="population"):
        db.execute("update citations set population = 'people' where id = 1")
