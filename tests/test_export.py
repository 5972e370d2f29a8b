"""Exports read back by the standard parsers for their formats; Datasette renderers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
import yaml
from bibtexparser import middlewares as m
from datasette.app import Datasette
from pylatexenc.latex2text import LatexNodes2Text

from claims import api
from claims.cli import cli
from claims.db import open_db
from claims.export import csl_items, protect_case, sort_text, source_rows, to_text
from claims.reviewers import serve_config
from claims.sources import source_row
from tests.conftest import DATA, file_hash, load_yaml, make_ds
from tests.reviewing import ACCOUNTS, ALICE

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def expected_items() -> dict[str, dict]:
    items = yaml.safe_load((DATA / "sources.yml").read_text(encoding="utf-8"))
    return {i["id"]: {k: v for k, v in i.items() if k not in ("notes", "candidate_for")} for i in items}


def export(runner, db_path, *args) -> str:
    result = runner.invoke(cli, ["export", *args, "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def rich_db(built_db, runner):
    """The example plus imported sources with accents, organisations, LaTeX specials and particles."""
    result = runner.invoke(cli, ["sources", "import", "--db", str(built_db), str(FIXTURES / "zotero.bib"),
                                 str(FIXTURES / "refs.ris"), str(FIXTURES / "items.json")])  # fmt: skip
    assert result.exit_code == 0, result.output
    return built_db


def family_given(name: dict) -> tuple[str, str]:
    if "literal" in name:
        return (name["literal"], "")
    family = " ".join(p for p in (name.get("non-dropping-particle"), name["family"]) if p)
    return (family, name.get("given", ""))


def test_csl_json_validates_against_the_schema_and_round_trips(built_db, runner):
    items = json.loads(export(runner, built_db, "citations", "--article", "1", "--format", "csl-json"))
    jsonschema.validate(items, SCHEMA)
    expected = expected_items()
    assert len(items) == 9
    assert {i["id"]: i for i in items} == expected


def test_bibtex_read_back_by_bibtexparser(rich_db, runner):
    text = export(runner, rich_db, "citations", "--format", "bibtex")
    library = bibtexparser.parse_string(text, append_middleware=[m.SeparateCoAuthors(), m.SplitNameParts()])
    assert library.failed_blocks == []
    decode = LatexNodes2Text().latex_to_text
    entries = {e.key: e for e in library.entries}
    items = {i["id"]: i for i in csl_items(source_rows(open_db(rich_db)))}
    assert set(entries) == set(items) and len(items) == 13
    for key, item in items.items():
        fields = entries[key].fields_dict
        assert decode(fields["title"].value) == item["title"], key
        if item.get("DOI"):
            assert fields["doi"].value == item["DOI"]
        if item.get("issued", {}).get("date-parts"):
            assert fields["year"].value == str(item["issued"]["date-parts"][0][0])
        names = [
            (decode(" ".join(n.von + n.last)).strip("{}"), decode(" ".join(n.first)))
            for n in fields["author"].value
        ] if "author" in fields else []
        assert names == [family_given(n) for n in item.get("author", [])], key
    assert decode(entries["muller2019skin"].fields_dict["title"].value) == "Über die Hautleitfähigkeit: Messungen & Modelle"
    assert entries["statpearls2024smas"].entry_type == "incollection"
    # Acronyms keep their case in styles that lower-case titles; ordinary capitals are not braced.
    assert "({SMAS}) Fascia" in entries["statpearls2024smas"].fields_dict["title"].value
    lee = entries["lee2022microcurrent"].fields_dict["title"].value
    assert "{TLR2/NF-κB} Signaling" in lee and "Micro-Current Stimulation" in lee and "{Micro" not in lee


@pytest.mark.parametrize(
    "title, expected",
    [
        ("ATP generation in (SMAS) layers", "{ATP} generation in ({SMAS}) layers"),
        ("Micro-Current effects: pH and iPhone", "Micro-Current effects: {pH} and {iPhone}"),
        ("via TLR2/NF-κB, in vivo", "via {TLR2/NF-κB}, in vivo"),
        ("R\\&D in Raw cells", "R\\&D in Raw cells"),
    ],
)
def test_protect_case_braces_only_inner_capitals(title, expected):
    assert protect_case(title) == expected


def test_bibtex_reimports_as_the_same_sources(rich_db, runner, tmp_path):
    out = tmp_path / "all.bib"
    export(runner, rich_db, "citations", "--format", "bibtex", "--output", str(out))
    fresh = tmp_path / "fresh.db"
    open_db(fresh).close()
    result = runner.invoke(cli, ["sources", "import", "--db", str(fresh), str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"13 added, 0 merged, 0 skipped, 0 rejected, 0 warnings (database: {fresh.resolve()})"
    again = {r["key"]: r for r in open_db(fresh)["sources"].rows}
    for row in open_db(rich_db)["sources"].rows:
        other = again[row["key"]]
        for column in ("title", "authors", "year", "doi", "pmid", "container_title", "url", "isbn"):
            assert other[column] == row[column], (row["key"], column)


def test_ris_read_back_by_rispy(rich_db, runner):
    refs = {r["id"]: r for r in rispy.loads(export(runner, rich_db, "citations", "--format", "ris"))}
    items = {i["id"]: i for i in csl_items(source_rows(open_db(rich_db)))}
    assert set(refs) == set(items)
    for key, item in items.items():
        ref = refs[key]
        assert ref["title"] == item["title"]
        assert ref.get("doi") == item.get("DOI")
        assert ref.get("authors", []) == [", ".join(p for p in family_given(n) if p) for n in item.get("author", [])]
        year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
        assert ref.get("year") == (str(year) if year else None)
    assert refs["toledano2024radiofrequency"]["authors"][0] == "Toledano-Macías, Elena"
    assert refs["lee2022microcurrent"]["type_of_reference"] == "JOUR"


def test_apa_text_for_the_example(built_db, runner):
    text = export(runner, built_db, "citations", "--article", "1", "--format", "text", "--style", "apa")
    lines = text.strip().splitlines()
    assert len(lines) == 9
    # Ordered as citeproc-js (Zotero) orders them: by first author, or by title when there is none,
    # initial article included ("The Facial Adipose Tissue" files under T, as in Zotero).
    assert [line.split(" ", 1)[0] for line in lines] == [
        "Anatomy,", "Bu,", "Cheng,", "Lee,", "Lee,", "Saniee,", "Satoh,", "The", "Toledano-Macías,",
    ]  # fmt: skip
    assert lines[7].startswith("The Facial Adipose Tissue: A Revision. (2016).")
    assert lines[3].startswith("Lee, H., Cho, S.") and lines[4].startswith("Lee, H., Hwang, D.")
    assert lines[0] == (
        "Anatomy, Skin, Superficial Musculoaponeurotic System (SMAS) Fascia. (2024). In StatPearls. "
        "StatPearls Publishing. https://www.ncbi.nlm.nih.gov/books/NBK519014/"
    )
    assert (
        "Toledano-Macías, E., Martínez-Pascual, M. A., Cecilia-Matilla, A., Bermejo-Martínez, M., "
        "Pérez-González, A., Jara, R. C., Sacristán, S., & Hernández-Bule, M. L. (2024). Radiofrequency "
        "Currents Modulate Inflammatory Processes in Keratinocytes. International Journal of Molecular "
        "Sciences, 25(19), 10663. https://doi.org/10.3390/ijms251910663"
    ) in lines
    assert "Bu, P., Duan, R., Luo, J., Yang, T., Liu, N., & Wen, C. (2024). Development of Home" in text
    assert "17, 553–563. https://doi.org/10.2147/CCID.S449599" in text
    # A work with no author is not printed with its title twice.
    for line in lines:
        assert line.count("The Facial Adipose Tissue: A Revision") <= 1
    # No date and no retrieval date: APA's CSL still says "Retrieved", as citeproc-js prints it.
    assert lines[5].endswith("Randomized Clinical Trial Study. Retrieved https://www.researchgate.net/publication/230642269")


def test_sort_text_compares_as_citeproc_js():
    # citeproc-js: Intl.Collator, base sensitivity, punctuation ignored, numeric.
    assert sort_text("“An Anatomy”") == sort_text("an anatomy")
    assert sort_text("Ødegård, Ø.") == sort_text("Odegard O")
    assert sort_text("ms. (g~1~)") == sort_text("ms. (g1)")  # a tie: the items keep their order
    assert sort_text("Vol 9") < sort_text("Vol 10")
    assert sort_text("A Litany") < sort_text("An Awful Lot") < sort_text("The Banality")  # no article is dropped


def test_retrieved_is_kept_with_an_accessed_date():
    item = {"id": "w", "type": "webpage", "title": "Home", "URL": "https://example.org/",
            "accessed": {"date-parts": [[2025, 3, 1]]}}  # fmt: skip
    assert "Retrieved March 1, 2025, from https://example.org/" in to_text([item], "apa")
    del item["accessed"]
    # APA's CSL asks for a retrieval statement for an undated page; citeproc-js prints it bare.
    assert to_text([item], "apa").strip() == "Home. (n.d.). Retrieved https://example.org/"


def test_chicago_and_harvard_sort_quoted_titles_and_print_no_empty_labels(built_db):
    db = open_db(built_db)
    chicago = api.citation_list(db, 1, "text", "chicago").splitlines()
    # Quoted titles file under their first word, as citeproc-js files them, not after every author.
    assert chicago[0].startswith("“Anatomy, Skin") and chicago[7].startswith("“The Facial Adipose Tissue")
    saniee = next(line for line in chicago if line.startswith("Saniee"))
    assert "Edition" not in saniee  # an empty edition's label is not printed (CSL cs:label)
    harvard = api.citation_list(db, 1, "text", "harvard").splitlines()
    assert harvard[0].startswith("“Anatomy, Skin")


def test_vancouver_numbers_in_order_of_first_use(built_db, runner):
    lines = export(runner, built_db, "citations", "--article", "1", "--format", "text", "--style", "vancouver").splitlines()
    assert [line.split(". ", 1)[0] for line in lines] == [str(n) for n in range(1, 10)]
    assert lines[0].startswith("1. Cheng N, Van Hoof H")  # the ATP claim comes first in the article
    assert any("2022 Feb 24;23(5):2508" in line for line in lines)


@pytest.mark.parametrize("style", ["harvard", "chicago"])
def test_other_styles_render_every_source(built_db, style):
    text = api.citation_list(open_db(built_db), 1, "text", style)
    assert len(text.strip().splitlines()) == 9 and "Toledano-Macías" in text


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--format", "text", "--style", "mla-ish"], "--style 'mla-ish': unknown style"),
        (["--article", "99"], "--article 99: no such article"),
    ],
)
def test_bad_export_arguments(built_db, runner, args, expected):
    before = file_hash(built_db)
    result = runner.invoke(cli, ["export", "citations", "--db", str(built_db), *args])
    assert result.exit_code == 1 and expected in result.output and len(result.output.strip().splitlines()) == 1
    assert file_hash(built_db) == before


def test_ledger_csv_and_jsonl(built_db, runner):
    db = open_db(built_db)
    text = db.execute("select text from articles where id = 1").fetchone()[0]
    rows = list(csv.DictReader(io.StringIO(export(runner, built_db, "ledger", "--article", "1"))))
    quotes, claims = db["quotes"].count, db["claims"].count
    assert len(rows) == quotes + claims
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["exact"] == row["text"]
        assert text[:start].endswith(row["prefix"]) and text[end:].startswith(row["suffix"])
    tlr2 = next(r for r in rows if r["type"] == "quote" and r["text"].startswith("Microcurrent stimulation significantly"))
    assert tlr2["source_keys"] == "lee2022microcurrent; toledano2024radiofrequency"
    assert tlr2["source_dois"] == "10.3390/ijms23052508; 10.3390/ijms251910663"
    records = [json.loads(line) for line in export(runner, built_db, "ledger", "--format", "jsonl").splitlines()]
    assert len(records) == len(rows)
    record = next(r for r in records if r["type"] == "quote" and r["id"] == int(tlr2["id"]))
    assert [s["type"] for s in record["target"]["selector"]] == ["TextQuoteSelector", "TextPositionSelector"]
    assert {s["key"] for s in record["sources"]} == {"lee2022microcurrent", "toledano2024radiofrequency"}


def test_ledger_shows_the_latest_verdict_once_reviews_exist(built_db, runner):
    db = open_db(built_db)
    if not db["flags"].exists():
        pytest.skip("the reviews schema (issue 4) is not in this tree")
    quote_id = db.execute("select id from quotes where text like 'Home beauty devices%'").fetchone()[0]
    db["flags"].insert_all(
        [
            {"quote_id": quote_id, "verdict": "needs_source", "reason": "no source", "reviewer": "ana", "created_at": "2025-01-01T00:00:00+00:00"},
            {"quote_id": quote_id, "verdict": "misquoted", "reason": "not in bu2024", "reviewer": "ben", "created_at": "2025-01-02T00:00:00+00:00"},
        ]
    )
    db.conn.commit()
    rows = list(csv.DictReader(io.StringIO(export(runner, built_db, "ledger"))))
    row = next(r for r in rows if r["type"] == "quote" and r["id"] == str(quote_id))
    assert (row["verdict"], row["verdict_by"]) == ("misquoted", "ben")
    assert all(r["verdict"] == "" for r in rows if r is not row)


# --- Datasette output renderers ----------------------------------------------------------------


@pytest.fixture
def ds(built_db):
    return make_ds(built_db)


@pytest.mark.asyncio
async def test_stored_query_as_bibtex_ris_and_csljson(ds):
    response = await ds.client.get("/claims/citation_list.bib?article_id=1")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.text)
    assert len(library.entries) == 9 and library.failed_blocks == []
    ris = await ds.client.get("/claims/citation_list.ris?article_id=1")
    assert len(rispy.loads(ris.text)) == 9
    items = (await ds.client.get("/claims/citation_list.csljson?article_id=1")).json()
    jsonschema.validate(items, SCHEMA)
    assert [i["id"] for i in items][0] == "cheng1982atp"


def _add_generated_sources(db_path, n: int) -> None:
    db = open_db(db_path)
    start = db.execute("select max(id) from sources").fetchone()[0] + 1
    rows = []
    for i in range(n):
        csl = {"id": "", "type": "article-journal", "title": f"Generated work {i}", "issued": {"date-parts": [[2020]]}}
        rows.append({"id": start + i, **source_row(csl, f"gen2020work{i}"), "note": None})
    db["sources"].insert_all(rows)
    db.conn.commit()


@pytest.mark.asyncio
async def test_renderers_export_every_row_not_one_page(built_db):
    _add_generated_sources(built_db, 250)
    ds = make_ds(built_db)
    items = (await ds.client.get("/claims/sources.csljson")).json()
    assert len(items) == 259 and len({i["id"] for i in items}) == 259
    # Filters and small pages are kept across pages.
    items = (await ds.client.get("/claims/sources.csljson?type=article-journal&_size=7")).json()
    assert len(items) == 258 and all(i["type"] == "article-journal" for i in items)
    ris = await ds.client.get("/claims/sources.ris?_search=Generated")
    assert len(rispy.loads(ris.text)) == 250
    # A query cut at max_returned_rows is run again in full.
    # Arbitrary SQL needs a login (issue 11), so a reviewer runs it.
    config = serve_config(load_yaml("datasette.yaml"), ACCOUNTS, private=False)
    config["settings"] = {**config.get("settings", {}), "max_returned_rows": 50, "default_page_size": 20}
    small = Datasette([str(built_db)], metadata=load_yaml("metadata.yml"), config=config)
    response = await small.client.get(
        "/claims/-/query.csljson?sql=select+key,+csl+from+sources+where+year+=+:y&y=2020", actor=ALICE
    )
    assert response.status_code == 200, response.text
    assert len(response.json()) == 250
    library = bibtexparser.parse_string((await small.client.get("/claims/sources.bib")).text)
    assert len(library.entries) == 259 and library.failed_blocks == []


@pytest.mark.asyncio
async def test_table_renderers_and_resolver_links(ds):
    items = (await ds.client.get("/claims/sources.csljson?type=article-journal")).json()
    assert len(items) == 8 and all(i["type"] == "article-journal" for i in items)
    page = await ds.client.get("/claims/sources")
    assert '<a href="https://doi.org/10.3390/ijms23052508">10.3390/ijms23052508</a>' in page.text
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/35269651/">35269651</a>' in page.text
    assert ".bib" in page.text  # offered among the export links
    # Tables without a csl column are not offered the renderers.
    assert (await ds.client.get("/claims/quotes.bib")).status_code in (400, 404)
    data = (await ds.client.get("/claims/sources.json?_extra=facet_results")).json()
    assert {"type", "year", "container_title"} <= set(data["facet_results"]["results"])
