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


def import_(runner, db_path, *files, expect_ok=True, strict=False):
    flags = ["--strict"] if strict else []
    result = runner.invoke(cli, ["sources", "import", "--db", str(db_path), *flags, *map(str, files)])
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
    assert lines[-1] == f"2 added, 1 merged, 0 skipped, 0 rejected, 0 warnings (database: {built_db.resolve()})"
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
    result = import_(runner, db_path, FIXTURES / "zotero.bib")
    assert result.output.splitlines()[-1] == f"0 added, 0 merged, 3 skipped, 0 rejected, 0 warnings (database: {db_path.resolve()})"
    assert "skipped who2020guidelines: same DOI" not in result.output  # no DOI: matched on ISBN? no: title
    assert "skipped who2020guidelines: same title and year" in result.output
    # Nothing changed on the sources, but that the file holds them is recorded, with no fields.
    db = open_db(db_path)
    merges = db.execute("select s.key, m.origin, m.fields from source_merges m join sources s on s.id = m.source_id").fetchall()
    assert sorted(merges) == sorted((key, str(FIXTURES / "zotero.bib"), "[]") for key in
                                    ("toledano2024radio", "who2020guidelines", "muller2019skin"))  # fmt: skip
    # The same record from the same file is recorded once: a third import writes nothing.
    before = file_hash(db_path)
    again = import_(runner, db_path, FIXTURES / "zotero.bib")
    assert again.output.splitlines()[-1] == f"0 added, 0 merged, 3 skipped, 0 rejected, 0 warnings (database: {db_path.resolve()})"
    assert file_hash(db_path) == before


def test_an_exact_duplicate_from_another_file_is_recorded(built_db, runner, tmp_path):
    entry = next(e for e in sources_yml() if e["id"] == "bu2024homebeauty")
    item = {k: v for k, v in entry.items() if k not in ("notes", "candidate_for")} | {"id": "bu2024"}
    path = tmp_path / "zotero.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    result = import_(runner, built_db, path)
    assert "skipped bu2024homebeauty: same DOI as bu2024homebeauty, nothing new" in result.output
    merges = open_db(built_db).execute("select matched_on, origin, incoming_key, fields from source_merges").fetchall()
    assert merges == [("same DOI", str(path), "bu2024", "[]")]


def test_build_stays_idempotent_when_an_entry_merges_into_a_stored_source(built_db, data_dir, runner, tmp_path):
    # A source imported first, then the editor adds the same work under a new key.
    item = {"id": "imported", "type": "article-journal", "title": "A trial of microcurrent", "DOI": "10.5555/trial.1",
            "issued": {"date-parts": [[2021]]}, "container-title": "Journal of Trials"}  # fmt: skip
    path = tmp_path / "one.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    import_(runner, built_db, path)
    with (data_dir / "sources.yml").open("a", encoding="utf-8") as f:
        f.write("\n- id: editor2021trial\n  type: article-journal\n  title: A trial of microcurrent\n"
                "  DOI: 10.5555/TRIAL.1\n  issued: {date-parts: [[2021]]}\n  volume: '3'\n")  # fmt: skip
    first = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert first.exit_code == 0, first.output
    db = open_db(built_db)
    assert db.execute("select origin, incoming_key, fields from source_merges").fetchall() == [
        ("claims build", "editor2021trial", '["volume"]')
    ]
    before = file_hash(built_db)
    second = runner.invoke(cli, ["build", "--db", str(built_db), "--data", str(data_dir)])
    assert second.exit_code == 0, second.output
    assert file_hash(built_db) == before


def _import_items(runner, db_path, tmp_path, items, name="items.json"):
    path = tmp_path / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return import_(runner, db_path, path)


def _item(key, title, **fields):
    return {"id": key, "type": fields.pop("type", "article-journal"), "title": title, **fields}


Y2021 = {"date-parts": [[2021]]}


@pytest.mark.parametrize(
    "first, second",
    [
        # Same title and year, different DOIs: two corrections in one journal.
        (_item("c1", "Correction", DOI="10.1000/aaa.1", issued=Y2021, **{"container-title": "J Skin"}),
         _item("c2", "Correction", DOI="10.1000/bbb.2", issued=Y2021, **{"container-title": "J Skin"})),
        # Same title and year, different PMIDs.
        (_item("p1", "Erratum", PMID="111", issued=Y2021), _item("p2", "Erratum", PMID="222", issued=Y2021)),
        # Same title and year, two journals.
        (_item("e1", "Editorial", issued={"date-parts": [[2020]]}, **{"container-title": "Facial Plastic Surgery"}),
         _item("e2", "Editorial", issued={"date-parts": [[2020]]}, **{"container-title": "Dermatologic Surgery"})),
        # Two "Home" pages with different URLs and no year.
        (_item("h1", "Home", type="webpage", URL="https://example.org/"),
         _item("h2", "Home", type="webpage", URL="https://example.com/")),
        # No year on either side: a title alone is not a work.
        (_item("n1", "Skin ageing"), _item("n2", "Skin ageing", publisher="Other")),
        # A year on one side only.
        (_item("y1", "Skin ageing", issued=Y2021), _item("y2", "Skin ageing")),
        # Different first authors.
        (_item("a1", "Microcurrent and skin", issued=Y2021, author=[{"family": "Lee", "given": "H"}]),
         _item("a2", "Microcurrent and skin", issued=Y2021, author=[{"family": "Kim", "given": "T"}])),
        # Different ISBNs: two editions.
        (_item("b1", "Dermatology", type="book", ISBN="0-306-40615-2", issued=Y2021),
         _item("b2", "Dermatology", type="book", ISBN="978-92-4-001512-8", issued=Y2021)),
    ],
    ids=["doi", "pmid", "container", "url-no-year", "no-year", "one-year", "author", "isbn"],
)
def test_same_title_and_year_is_not_enough_when_anything_disagrees(db_path, runner, tmp_path, first, second):
    result = _import_items(runner, db_path, tmp_path, [first, second])
    assert result.output.splitlines()[-1] == f"2 added, 0 merged, 0 skipped, 0 rejected, 0 warnings (database: {db_path.resolve()})", result.output
    assert open_db(db_path)["source_merges"].count == 0


def test_same_title_and_year_merges_when_nothing_disagrees(db_path, runner, tmp_path):
    editor = _item("lee2021skin", "Microcurrent and Skin!", issued=Y2021, author=[{"family": "Lee", "given": "H"}],
                   **{"container-title": "Journal of Skin"})  # fmt: skip
    zotero = _item("z", "microcurrent and skin", issued={"date-parts": [[2021, 5]]}, DOI="10.1000/skin.1",
                   author=[{"family": "LEE", "given": "Hana"}, {"family": "Kim"}],
                   **{"container-title": "J Skin", "container-title-short": "Journal of Skin"})  # fmt: skip
    _import_items(runner, db_path, tmp_path, [editor])
    result = _import_items(runner, db_path, tmp_path, [zotero], "zotero.json")
    assert "merged lee2021skin: same title and year; added container-title-short, DOI" in result.output
    # Several works may share a title and year; the compatible one is found among them.
    other = _item("kim2021", "Microcurrent and Skin", issued=Y2021, author=[{"family": "Kim", "given": "T"}])
    tmp = tmp_path / "more"
    tmp.mkdir()
    _import_items(runner, db_path, tmp, [other])
    again = _item("lee-again", "Microcurrent and skin", issued=Y2021, author=[{"family": "Lee"}], volume="4")
    assert "merged lee2021skin: same title and year; added volume" in _import_items(runner, db_path, tmp, [again], "x.json").output


def test_a_url_without_a_scheme_is_read_as_https(db_path, runner, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{page2020, title = {A page}, year = {2020}, url = {www.example.org/skin?id=1}}\n"
        "@misc{other2020, title = {Another}, year = {2020}, url = {https://example.com/x}}\n",
        encoding="utf-8",
    )
    import_(runner, db_path, bib)
    rows = dict(open_db(db_path).execute("select key, url from sources").fetchall())
    assert rows == {"page2020": "https://www.example.org/skin?id=1", "other2020": "https://example.com/x"}


def test_strict_an_unusable_url_is_a_one_line_error_naming_the_entry(db_path, runner, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{good2020, title = {Fine}, year = {2020}}\n\n@misc{bad2020, title = {A page}, url = {see the library}}\n",
        encoding="utf-8",
    )
    before = file_hash(db_path)
    result = import_(runner, db_path, bib, expect_ok=False, strict=True)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "line 3 (entry bad2020): invalid URL 'see the library'" in result.output
    assert file_hash(db_path) == before


def test_import_ris_and_csl_json(db_path, runner):
    result = import_(runner, db_path, FIXTURES / "refs.ris", FIXTURES / "items.json")
    assert result.output.splitlines()[-1] == f"4 added, 0 merged, 0 skipped, 0 rejected, 0 warnings (database: {db_path.resolve()})"
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
    assert result.output.splitlines()[-1] == f"9 added, 0 merged, 0 skipped, 0 rejected, 0 warnings (database: {db_path.resolve()})"
    # Import adds the sources; only `claims build` turns candidate_for into links.
    assert open_db(db_path)["citations"].count == 0


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("broken.bib", "broken.bib line 9 (entry broken2021): malformed entry"),
        ("bad_doi.bib", "bad_doi.bib line 7 (entry baddoi2021): invalid DOI '11.1234/not-a-doi'"),
        ("no_ty.ris", "no_ty.ris line 7: reference does not start with TY (found TI)"),
        ("bad_type.json", "bad_type.json entry 2 (line 3) (entry odd2021): type 'journal' is not a CSL item type"),
    ],
)
def test_strict_bad_files_are_one_line_errors_and_write_nothing(db_path, runner, fixture, expected):
    import_(runner, db_path, FIXTURES / "zotero.bib")
    before = file_hash(db_path)
    # A good file first: nothing from it is written either when a later file is bad.
    result = import_(runner, db_path, FIXTURES / "refs.ris", FIXTURES / fixture, expect_ok=False, strict=True)
    assert result.exit_code == 1
    error = result.output.strip()
    assert len(error.splitlines()) == 1 and expected in error, error
    assert file_hash(db_path) == before


def test_strict_pmid_with_letters_in_a_csl_file(db_path, runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x2020", "type": "book", "title": "X", "PMID": "12ab34"}]), encoding="utf-8")
    before = file_hash(db_path)
    result = import_(runner, db_path, bad, expect_ok=False, strict=True)
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


def test_sources_from_links_are_titled_and_print_as_entries(db_path, runner, tmp_path):
    article = tmp_path / "trial.md"
    article.write_text(
        "# Trial\n\nA trial found that microcurrent lifted cheeks by 40 percent ([here](https://example.org/trial?id=5)).\n\n"
        "Another trial found that it halved wrinkles in a month ([Skin Trial Report](https://www.example.com/r/7)).\n",
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)]).exit_code == 0
    rows = dict(open_db(db_path).execute("select key, title from sources").fetchall())
    # "here" says nothing about the work: the host stands in for a title.
    assert rows == {"example_trial_id_5": "example.org", "example_r_7": "Skin Trial Report"}
    text = runner.invoke(cli, ["export", "citations", "--db", str(db_path), "--format", "text"]).output
    assert text.splitlines() == [  # APA's CSL prints "Retrieved" for an undated page, as citeproc-js does
        "example.org. (n.d.). Retrieved https://example.org/trial?id=5",
        "Skin Trial Report. (n.d.). Retrieved https://www.example.com/r/7",
    ]


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
    # Sources made from links are titled by the link text and keyed by the DOI or URL.
    stubs = dict(db.execute("select key, title from sources").fetchall())
    assert stubs == {
        "pubmed_23853635": "Abbasi et al., 2012",
        "doi_10_1016_j_jtest_2020_01_001": "DOI 10.1016/J.JTEST.2020.01.001",
    }
    # Ingesting again is a no-op, links included.
    before = file_hash(db_path)
    again = runner.invoke(cli, ["ingest", str(article), "--db", str(db_path)])
    assert again.exit_code == 0 and file_hash(db_path) == before
