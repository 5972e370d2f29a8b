"""Keys survive merges: a .bib entry merged into a source a link made keeps its key working
everywhere (link, attach, curation, exports), in any letter case."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
import sqlite_utils

from claims.cli import cli

DOI = "10.1001/jamanetworkopen.2021.24516"
ARTICLE = f"""# Steps and mortality

Walking 7,000 steps a day was associated with a 50% lower risk of death in middle-aged adults ([source](https://doi.org/{DOI})).
"""
BIB = f"""@article{{paluch2021steps,
  author = {{Paluch, Amanda E. and Gabriel, Kelley Pettee and Fulton, Janet E.}},
  title = {{Steps per Day and All-Cause Mortality in Middle-aged Adults in the Coronary Artery Risk Development in Young Adults Study}},
  journal = {{JAMA Network Open}},
  year = {{2021}},
  volume = {{4}},
  number = {{9}},
  pages = {{e2124516}},
  doi = {{{DOI}}}
}}
"""


@pytest.fixture
def linked(tmp_path: Path, db_path: Path, runner):
    article = tmp_path / "walking.md"
    article.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    source = next(db.query("select id, key from sources"))
    assert source["key"].startswith("doi_10_1001")
    bib = tmp_path / "paluch2021steps.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = runner.invoke(cli, ["sources", "import", str(bib), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return {"db": db, "db_path": db_path, "generated": source["key"], "source_id": source["id"], "import": result.output, "tmp": tmp_path}


def test_import_merges_and_keeps_the_users_key(linked):
    db = linked["db"]
    assert db["sources"].count == 1
    assert f"merged into {linked['generated']} (key paluch2021steps kept as an alias)" in linked["import"]
    # The editor's key is the one exports use now; the generated key stays an alias.
    assert next(db.query("select key from sources"))["key"] == "paluch2021steps"
    keys = {r["key"]: r["kind"] for r in db.query("select key, kind from source_keys where source_id = ?", [linked["source_id"]])}
    assert keys == {linked["generated"]: "generated", "paluch2021steps": "user"}


def test_link_attach_and_export_by_the_users_key(linked, runner):
    db, db_path, tmp = linked["db"], str(linked["db_path"]), linked["tmp"]
    claim = next(db.query("select id from claims where text like 'Walking 7,000%'"))["id"]
    # The citation the link made is there; `claims link` by the user's key updates that one.
    result = runner.invoke(cli, ["link", "paluch2021steps", "--claim", str(claim), "--stance", "supports", "--db", db_path])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"paluch2021steps: updated (database: {Path(db_path).resolve()})")
    assert [(r["source_id"], r["stance"]) for r in db.query("select source_id, stance from citations")] == [(linked["source_id"], "supports")]
    # The generated key and any letter case keep working.
    for key in (linked["generated"], "Paluch2021Steps"):
        result = runner.invoke(cli, ["link", key, "--claim", str(claim), "--stance", "supports", "--db", db_path])
        assert result.exit_code == 0 and result.output.strip().endswith(f": unchanged (database: {Path(db_path).resolve()})"), result.output
    text = tmp / "paluch.txt"
    text.write_text("Participants taking at least 7000 steps per day had a 50% to 70% lower risk of mortality.\n", encoding="utf-8")
    result = runner.invoke(cli, ["sources", "attach", "PALUCH2021STEPS", str(text), "--db", db_path])
    assert result.exit_code == 0, result.output
    assert db.execute("select source_id from source_texts").fetchall() == [(linked["source_id"],)]

    bib = runner.invoke(cli, ["export", "citations", "--format", "bibtex", "--db", db_path])
    assert bib.exit_code == 0, bib.output
    assert [e.key for e in bibtexparser.parse_string(bib.output).entries] == ["paluch2021steps"]
    csl = runner.invoke(cli, ["export", "citations", "--format", "csl-json", "--article", "1", "--db", db_path])
    assert [item["id"] for item in json.loads(csl.output)] == ["paluch2021steps"]


def test_curation_and_a_second_import_accept_an_alias(linked, runner, tmp_path: Path):
    from claims.evidence import resolve_source

    db = linked["db"]
    assert resolve_source(db, linked["generated"].upper()) == resolve_source(db, "paluch2021steps") == linked["source_id"]
    # The same entry imported again adds nothing, and says nothing of aliases.
    bib = tmp_path / "again.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = runner.invoke(cli, ["sources", "import", str(bib), "--db", str(linked["db_path"])])
    assert result.exit_code == 0 and "skipped paluch2021steps" in result.output and "alias" not in result.output, result.output
    # Another user key for the same work is kept too, but does not replace the first.
    other = tmp_path / "other.bib"
    other.write_text(BIB.replace("paluch2021steps", "Paluch2021JAMA"), encoding="utf-8")
    result = runner.invoke(cli, ["sources", "import", str(other), "--db", str(linked["db_path"])])
    assert "merged into paluch2021steps (key Paluch2021JAMA kept as an alias)" in result.output, result.output
    assert next(db.query("select key from sources"))["key"] == "paluch2021steps"
    assert resolve_source(db, "paluch2021jama") == linked["source_id"]


def test_keys_differing_in_case_are_one_key(db_path: Path, runner, tmp_path: Path):
    bib = tmp_path / "two.bib"
    bib.write_text(
        "@article{Smith2020, title={Cold water and fat}, year={2020}, author={Smith, A.}}\n"
        "@article{smith2020, title={Heat and sleep}, year={2020}, author={Smith, B.}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["sources", "import", str(bib), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    keys = [r["key"] for r in db.query("select key from sources order by id")]
    assert keys[0] == "Smith2020" and keys[1].lower() != "smith2020" and len({k.lower() for k in keys}) == 2
    assert "was taken" in result.output


@pytest.mark.asyncio
async def test_the_source_page_lists_every_key(linked):
    from tests.conftest import make_ds

    page = (await make_ds(linked["db_path"]).client.get(f"/claims/sources/{linked['source_id']}")).text
    keys = page.split('class="claims-source-keys"', 1)[1].split("</p>", 1)[0]
    assert "<code>paluch2021steps</code>" in keys and f"<code>{linked['generated']}</code>" in keys
