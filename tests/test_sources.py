"""Sources: build's candidate links, imports from BibTeX/RIS/CSL-JSON/CSL-YAML, merges, links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from claims.cli import cli
from claims.db import open_db
from tests.conftest import DATA, file_hash

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def sources_yml() -> list[dict]:
    return yaml.safe_load((DATA / "sources.yml").read_text(encoding="utf-8"))


def import_(runner, db_path, *files, expect_ok=True):
    result = runner.invoke(cli, ["sources", "import", "--db", str(db_path), *map(str, files)])
    if expect_ok:
        assert result.exit_code == 0, result.output
    return result


# --- claims build: the editor's file and candidate links ---------------------------------------


def test_build_stores_every_source_with_flattened_columns(built_db):
    db = open_db(built_db)
    entries = sources_yml()
    rows = {r["key"]: r for r in db["sources"].rows}
    assert set(rows) == {e["id"] for e in entries}
    for entry in entries:
        row = rows[entry["id"]]
        csl = json.loads(row["csl"])
        assert csl["title"] == entry["title"]
        assert row["container_title"] == entry.get("container-title")
        assert row["year"] == (entry["issued"]["date-parts"][0][0] if "issued" in entry else None)
        assert row["doi"] == (entry["DOI"].lower() if "DOI" in entry else None)
        assert row["note"] == entry.get("notes")
        assert "notes" not in csl and "candidate_for" not in csl
    assert rows["toledano2024radiofrequency"]["authors"].startswith("Toledano-Macías E, Martínez-Pascual MA")
    assert rows["lee2022microcurrent"]["pmcid"] == "PMC8910224"


def test_build_links_all_nine_candidate_sources_to_the_passages_they_may_back(built_db):
    db = open_db(built_db)
    links = db.execute(
        """select s.key, coalesce(q.text, cl.text), c.added_by from citations c
        join sources s on s.id = c.source_id
        left join quotes q on q.id = c.quote_id left join claims cl on cl.id = c.claim_id
        where c.relation = 'candidate'"""
    ).fetchall()
    assert {key for key, _, _ in links} == {e["id"] for e in sources_yml()}
    assert {by for _, _, by in links} == {"claims build"}
    norm = lambda s: " ".join(s.replace("’", "'").split()).lower()  # noqa: E731
    for entry in sources_yml():
        for passage in entry["candidate_for"]:
            texts = [text for key, text, _ in links if key == entry["id"]]
            assert any(norm(passage) in norm(text) for text in texts), (entry["id"], passage)
    # The ATP passage sits mid-sentence in a claim, not in any quote.
    atp = [text for key, text, _ in links if key == "cheng1982atp"]
    assert len(atp) == 1 and "ATP (adenosine triphosphate)" in atp[0]


def test_second_build_writes_nothing(built_db, data_dir, runner):
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "0 candidate and 0 cited links written" in result.output
    assert file_hash(built_db) == before


def test_unmatched_candidate_for_is_an_error_naming_the_entry(built_db, data_dir, runner):
    path = data_dir / "sources.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('candidate_for: ["encourages cellular activity', 'candidate_for: ["no such passage anywhere", "encourages cellular activity'),
        encoding="utf-8",
    )
    before = file_hash(built_db)
    result = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert result.exit_code != 0
    message = result.output.strip().splitlines()[-1]
    assert "cheng1982atp" in message and "no such passage anywhere" in message and "line " in message
    assert file_hash(built_db) == before


def test_invalid_doi_in_sources_yml_names_line_and_entry(data_dir, runner, tmp_path):
    path = data_dir / "sources.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("DOI: 10.1007/s13534-024-00366-3", "DOI: 10.10/oops"), encoding="utf-8")
    result = runner.invoke(cli, ["build", "--db", str(tmp_path / "x.db"), "--data", str(data_dir)])
    assert result.exit_code != 0
    assert "lee2024bioelectric" in result.output and "invalid DOI" in result.output and "line " in result.output


# --- claims sources import -------------------------------------------------------------------


def test_import_bibtex_with_accents_organisations_and_a_merge(built_db, runner):
    before_count = open_db(built_db)["sources"].count
    result = import_(runner, built_db, FIXTURES / "zotero.bib")
    lines = result.output.splitlines()
    assert any(line.startswith("merged toledano2024radiofrequency: same DOI") and "ISSN" in line for line in lines)
    assert any(line.startswith("added who2020guidelines") for line in lines)
    assert any(line.startswith("added muller2019skin") for line in lines)
    assert lines[-1] == "2 added, 1 merged, 0 skipped"
    db = open_db(built_db)
    assert db["sources"].count == before_count + 2
    muller = json.loads(db.execute("select csl from sources where key = 'muller2019skin'").fetchone()[0])
    assert muller["title"] == "Über die Hautleitfähigkeit: Messungen & Modelle"
    assert muller["author"][1] == {"family": "Ødegård", "given": "Øyvind"}
    assert muller["author"][2] == {"family": "Fontaine", "given": "Jean", "non-dropping-particle": "de la"}
    assert muller["DOI"] == "10.5555/skin_2019.12" and muller["page"] == "12-19"
    assert muller["container-title"] == "Proceedings of the Société Française de Dermatologie"
    who = json.loads(db.execute("select csl from sources where key = 'who2020guidelines'").fetchone()[0])
    assert who["author"] == [{"literal": "World Health Organization"}]
    assert who["ISBN"] == "9789240015128" and who["type"] == "book"
    # The merge kept the editor's values and filled only what was missing.
    toledano = db.execute("select csl, doi from sources where key = 'toledano2024radiofrequency'").fetchone()
    csl = json.loads(toledano[0])
    assert len(csl["author"]) == 8 and csl["ISSN"] == "1422-0067" and toledano[1] == "10.3390/ijms251910663"
    merge = db.execute("select matched_on, origin, incoming_key, fields from source_merges").fetchall()
    assert merge == [("same DOI", str(FIXTURES / "zotero.bib"), "toledano2024radio", '["ISSN"]')]


def test_reimporting_the_same_file_skips_every_entry(db_path, runner):
    import_(runner, db_path, FIXTURES / "zotero.bib")
    before = file_hash(db_path)
    result = import_(runner, db_path, FIXTURES / "zotero.bib")
    assert result.output.splitlines()[-1] == "0 added, 0 merged, 3 skipped"
    assert "skipped who2020guidelines: same DOI" not in result.output  # no DOI: matched on ISBN? no: title
    assert "skipped who2020guidelines: same title and year" in result.output
    assert file_hash(db_path) == before


def test_import_ris_and_csl_json(db_path, runner):
    result = import_(runner, db_path, FIXTURES / "refs.ris", FIXTURES / "items.json")
    assert result.output.splitlines()[-1] == "4 added, 0 merged, 0 skipped"
    db = open_db(db_path)
    rows = {r["key"]: r for r in db["sources"].rows}
    assert set(rows) == {"bu2024ris", "lefevre2021electrostimulation", "cheng1982", "odegard2023microcurrent"}
    lefevre = json.loads(rows["lefevre2021electrostimulation"]["csl"])
    assert lefevre["author"][1] == {"family": "Gonçalves", "given": "João"}
    assert lefevre["page"] == "101-110" and lefevre["URL"] == "https://example.org/ann-derm/2021/101"
    assert rows["bu2024ris"]["doi"] == "10.2147/ccid.s449599" and rows["bu2024ris"]["year"] == 2024
    assert rows["odegard2023microcurrent"]["url"] == "https://example.com/microcurrent"
    assert rows["cheng1982"]["pmid"] == "7140077"


def test_same_pmid_or_title_and_year_is_one_source(built_db, runner):
    result = import_(runner, built_db, FIXTURES / "items.json", FIXTURES / "refs.ris")
    out = result.output
    assert "merged cheng1982atp: same PMID; added ISSN" in out
    assert "merged bu2024homebeauty: same DOI" not in out  # nothing new in the RIS record...
    assert "skipped bu2024homebeauty: same DOI as bu2024homebeauty, nothing new" in out


def test_import_csl_yaml(db_path, runner):
    result = import_(runner, db_path, DATA / "sources.yml")
    assert result.output.splitlines()[-1] == "9 added, 0 merged, 0 skipped"
    # Import adds the sources; only `claims build` turns candidate_for into links.
    assert open_db(db_path)["citations"].count == 0


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("broken.bib", "broken.bib line 9 (entry broken2021): malformed entry"),
        ("bad_doi.bib", "bad_doi.bib line 7 (entry baddoi2021): invalid DOI '11.1234/not-a-doi'"),
        ("no_ty.ris", "no_ty.ris line 7: reference 2 does not start with TY (found TI)"),
        ("bad_type.json", "bad_type.json entry 2 (entry odd2021): type: 'journal' is not a CSL item type"),
    ],
)
def test_bad_files_are_one_line_errors_and_write_nothing(db_path, runner, fixture, expected):
    import_(runner, db_path, FIXTURES / "zotero.bib")
    before = file_hash(db_path)
    # A good file first: nothing from it is written either when a later file is bad.
    result = import_(runner, db_path, FIXTURES / "refs.ris", FIXTURES / fixture, expect_ok=False)
    assert result.exit_code == 1
    error = result.output.strip()
    assert len(error.splitlines()) == 1 and expected in error, error
    assert file_hash(db_path) == before


def test_pmid_with_letters_in_a_csl_file(db_path, runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x2020", "type": "book", "title": "X", "PMID": "12ab34"}]), encoding="utf-8")
    before = file_hash(db_path)
    result = import_(runner, db_path, bad, expect_ok=False)
    assert result.exit_code == 1 and "entry x2020" in result.output and "invalid PMID '12ab34'" in result.output
    assert file_hash(db_path) == before


def test_unknown_extension_and_missing_file(db_path, runner, tmp_path):
    odd = tmp_path / "refs.txt"
    odd.write_text("x", encoding="utf-8")
    assert "unknown extension '.txt'" in import_(runner, db_path, odd, expect_ok=False).output
    assert "no such file" in import_(runner, db_path, tmp_path / "gone.bib", expect_ok=False).output


def test_key_collisions_get_suffixes(db_path, runner, tmp_path):
    items = [
        {"id": f"item{i}", "type": "article-journal", "title": f"Microcurrent trial number {i}",
         "author": [{"family": "Lee", "given": "H"}], "issued": {"date-parts": [[2024]]}}
        for i in range(3)
    ]
    for item in items:
        del item["id"]
        item["id"] = "http://zotero.org/x"  # not a usable key: generate one
    path = tmp_path / "many.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    import_(runner, db_path, path)
    keys = [r[0] for r in open_db(db_path).execute("select key from sources order by id")]
    assert keys == ["lee2024microcurrent", "lee2024microcurrenta", "lee2024microcurrentb"]


# --- links found by the readers become `cited` citations ------------------------------------


def test_links_inside_a_claim_sentence_become_cited_citations(db_path, runner, tmp_path):
    article = tmp_path / "links.md"
    article.write_text(
        "# Magnesium and sleep\n\n"
        "A 2012 randomized trial found that magnesium significantly improved sleep efficiency in older adults "
        "([Abbasi et al., 2012](https://pubmed.ncbi.nlm.nih.gov/23853635/)).\n\n"
        "Magnesium supplements reduce night-time cortisol by 40 percent, according to doi:10.1016/J.JTEST.2020.01.001.\n\n"
        "Read more on [our blog](https://example.com/blog).\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = open_db(db_path)
    cited = db.execute(
        """select s.key, s.doi, s.url, s.type, c.claim_id is not null, c.added_by from citations c
        join sources s on s.id = c.source_id where c.relation = 'cited' order by s.id"""
    ).fetchall()
    assert ("doi_10_1016_j_jtest_2020_01_001", "10.1016/j.jtest.2020.01.001", None, "article", 1, "claims ingest") in cited
    urls = {row[2] for row in cited}
    assert "https://pubmed.ncbi.nlm.nih.gov/23853635/" in urls
    assert "https://example.com/blog" not in urls  # a link outside any claim or quote cites nothing
    # Ingesting again is a no-op, links included.
    before = file_hash(db_path)
    again = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert again.exit_code == 0 and file_hash(db_path) == before
