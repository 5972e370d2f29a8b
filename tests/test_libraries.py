"""Real reference libraries: partial import, what each reader accepts, and the import rate on
libraries exported by Zotero/Better BibTeX, JabRef, rispy's corpus and PubMed/Web of Science."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims.cli import cli
from claims.db import open_db
from claims.importers import read_library
from tests.conftest import file_hash
from tests.library_counts import accepted

LIBRARIES = Path(__file__).parent / "fixtures" / "libraries"
KINDS = {"bibtex": "bibtex", "ris": "ris", "medline": "medline", "wos": "wos"}


def import_(runner, db_path, *args):
    return runner.invoke(cli, ["sources", "import", "--db", str(db_path), *map(str, args)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- partial import -----------------------------------------------------------------------------

MESSY_BIB = """% A Zotero export, hand-edited
@string{jcr = {Journal of Conflict Resolution}}
@Article{abbott1998,
  Author = {Abbott, Kenneth W. and Snidal, Duncan},
  TITLE = {Why States Act through Formal International Organizations},
  journal = jcr, Year = {1998}, Pages = {3--32},
  % a comment line inside the entry
  DOI = {11.1177/not-a-doi}
}
@book{bad1, title = {Unbalanced {braces}, year = 2001}

@book{edited2010,
  editor = {Barnes, Julian and Oliver, {and Oliver}},
  title = {On \\'{E}t\\'{e} and $\\alpha$-waves},
  isbn = {0-19-852663-6 ; 1234-5679}, year = {2010},
  url = {\\url{https://example.org/page#section-2}}
}
@book{edited2010, title = {Same key again}, year = {2011}}
"""


def test_a_messy_library_imports_every_usable_record(db_path, runner, tmp_path):
    bib = write(tmp_path, "messy.bib", MESSY_BIB)
    result = import_(runner, db_path, bib)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1].startswith("3 added, 0 merged, 0 skipped, 1 rejected, 3 warnings (database: "), result.output
    assert any("rejected" in line and "bad1" in line and "malformed entry" in line and "line 10" in line for line in lines)
    assert any("warning" in line and "invalid DOI '11.1177/not-a-doi'" in line and "abbott1998" in line for line in lines)
    assert any("ISSN 1234-5679 in the ISBN field: moved to ISSN" in line for line in lines)
    assert any("duplicate entry key edited2010" in line for line in lines)
    rows = {r["key"]: r for r in open_db(db_path)["sources"].rows}
    abbott = json.loads(rows["abbott1998"]["csl"])
    assert abbott["author"][0] == {"family": "Abbott", "given": "Kenneth W."}
    assert abbott["container-title"] == "Journal of Conflict Resolution" and "DOI" not in abbott
    edited = json.loads(rows["edited2010"]["csl"])
    assert edited["title"] == "On Été and α-waves"
    assert edited["editor"][1] == {"family": "Oliver", "given": "and Oliver"}
    assert edited["ISBN"] == "9780198526636" and edited["ISSN"] == "1234-5679"
    # The URL is kept as written, fragment and all; matching uses the normalised form.
    assert edited["URL"] == "https://example.org/page#section-2"
    assert rows["edited2010"]["url"] == "https://example.org/page"


def test_strict_refuses_the_same_library_and_writes_nothing(db_path, runner, tmp_path):
    bib = write(tmp_path, "messy.bib", MESSY_BIB)
    before = file_hash(db_path)
    result = import_(runner, db_path, "--strict", bib)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "messy.bib line" in result.output
    assert file_hash(db_path) == before


def test_nothing_importable_exits_1_and_an_unreadable_file_writes_nothing(db_path, runner, tmp_path):
    empty = write(tmp_path, "empty.bib", "@book{, month = {apr}}\n")
    result = import_(runner, db_path, empty)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "nothing imported: 1 rejected, first rejected:" in result.output and "empty.bib line 1: nothing to keep" in result.output
    before = file_hash(db_path)
    good = write(tmp_path, "good.json", json.dumps([{"id": "ok", "type": "book", "title": "Fine"}]))
    broken = write(tmp_path, "broken.json", "[{")
    result = import_(runner, db_path, good, broken)
    assert result.exit_code == 1 and "broken.json line 1: not valid JSON" in result.output
    assert "Traceback" not in result.output and file_hash(db_path) == before


def test_ris_text_between_records_unknown_types_and_editors(tmp_path):
    ris = write(
        tmp_path, "scopus.ris",
        "Scopus export 2024\n\nTY  - JOUR\nTI  - First\nAU  - Smith, Anna\nPY  - 2020\nDO  - 10.1000/ok\nER  - \n"
        "some banner text\nTY  - WEIRD\nTI  - Second\nED  - Jones, Bob\nPY  - 2021\nDO  - 10.1000\nER  - \n",
    )  # fmt: skip
    result = read_library(ris)
    assert [r.csl["title"] for r in result.records] == ["First", "Second"]
    assert result.records[1].csl["type"] == "document" and result.records[1].csl["editor"] == [{"family": "Jones", "given": "Bob"}]
    reasons = [w.reason for w in result.warnings]
    assert "unknown TY 'WEIRD': read as GEN (generic)" in reasons
    assert any(r.startswith("invalid DOI '10.1000'") for r in reasons)


def test_csl_json_short_dois_several_isbns_untitled_items_and_pandoc_yaml(tmp_path):
    items = [
        {"id": "short", "type": "article-journal", "title": "A", "DOI": "10/fqd6hj", "ISBN": "9780198526636 0-19-852663-6"},
        {"id": "untitled", "type": "book", "author": [{"family": "Doe", "given": "J."}], "issued": {"date-parts": [["2020"]]}},
    ]
    result = read_library(write(tmp_path, "items.json", json.dumps(items)))
    short, untitled = (r.csl for r in result.records)
    assert short["DOI"] == "10/fqd6hj" and short["ISBN"] == "9780198526636"
    assert untitled["issued"] == {"date-parts": [[2020]]}
    assert [w.reason for w in result.warnings] == ["no title"]
    yml = write(tmp_path, "paper.md", "---\ntitle: A paper\nreferences:\n- id: doe2020\n  type: book\n  title: B\n  issued: 2020-03-01\n---\nText.\n")
    (record,) = read_library(yml).records
    assert record.key == "doe2020" and record.csl["issued"] == {"date-parts": [[2020, 3, 1]]}


def test_medline_and_web_of_science_need_a_format_for_txt(db_path, runner, tmp_path):
    medline = LIBRARIES / "dev" / "medline" / "MedlinePlainImporterTestCompleteEntry.txt"
    result = import_(runner, db_path, medline)
    assert result.exit_code == 1 and "--format medline or --format wos" in result.output
    result = import_(runner, db_path, "--format", "medline", medline)
    assert result.exit_code == 0, result.output
    (row,) = open_db(db_path)["sources"].rows
    assert row["pmid"] and row["title"] and row["authors"]


def test_a_web_of_science_file_with_no_records_is_an_error_not_a_silent_success(db_path, runner):
    result = import_(runner, db_path, LIBRARIES / "dev" / "wos" / "IsiImporterTestEmpty.isi")
    assert result.exit_code == 1 and "no Web of Science records found" in result.output


# --- import rate on the real libraries ----------------------------------------------------------


def _files(split: str) -> list[tuple[Path, str]]:
    out = []
    for path in sorted((LIBRARIES / split).glob("*/*")):
        if not path.is_file() or path.name == "ORIGIN.md":
            continue
        fmt = KINDS.get(path.parent.name) or ("csl-yaml" if path.suffix in (".yml", ".yaml") else "csl-json")
        out.append((path, fmt))
    return out


@pytest.mark.parametrize("split", ["dev", "heldout", "fresh"])
def test_import_rate_on_real_libraries(split):
    """Records imported / records the independent parser accepts (pybtex, rispy, the CSL schema,
    Bio.Medline, WoS ER-count). dev was tuned on; heldout never was, so its floor is what it
    measured when first run (see the report in bench/libraries.py)."""
    total_accepted = total_imported = 0
    for path, fmt in _files(split):
        n_accepted = accepted(path, fmt)
        try:
            n_imported = len(read_library(path, fmt).records)
        except ValueError:
            n_imported = 0  # refused whole: only empty or non-record files may be
            assert n_accepted == 0, f"{path.name} refused whole although {n_accepted} records are readable"
        total_accepted += n_accepted
        total_imported += min(n_imported, n_accepted)
    rate = total_imported / total_accepted
    assert rate >= {"dev": 0.97, "heldout": 0.99, "fresh": 0.99}[split], f"{split}: {total_imported}/{total_accepted}"


# --- encodings and variants the fresh split brought ------------------------------------------------

BIB_1252 = "@article{k1,\n  author = {M\u00fcller, J\u00fcrgen},\n  title = {\u00c9tudes 25\u00b0 C},\n  year = {1999}\n}\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "note"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16-LE (byte-order mark)"),
        ("utf-16-be", b"", "UTF-16-BE (no byte-order mark)"),
        ("cp1252", b"% Encoding: windows-1252\n", "windows-1252, as its header declares"),
        ("cp1252", b"% Encoding: UTF-8\n", "Windows-1252"),  # a wrong header
    ],
)
def test_library_in_another_encoding_is_read_with_a_warning(tmp_path, encoding, prefix, note):
    path = tmp_path / "lib.bib"
    path.write_bytes(prefix + BIB_1252.encode(encoding))
    result = read_library(path)
    assert [r.csl["title"] for r in result.records] == ["\u00c9tudes 25\u00b0 C"]
    assert result.records[0].csl["author"][0]["family"] == "M\u00fcller"
    assert note in result.warnings[0].reason


def test_a_library_of_only_comments_is_not_refused(runner, tmp_path):
    path = write(tmp_path, "empty.bib", "@Comment{jabref-meta: databaseType:bibtex;}\n")
    result = read_library(path)
    assert result.records == [] and "no entries" in result.warnings[0].reason
    db_path = tmp_path / "t.db"
    out = import_(runner, db_path, path)
    assert out.exit_code == 1 and "Traceback" not in out.output  # nothing imported: exit 1, one line


def test_entries_without_a_title_are_kept_as_stubs_and_empty_ones_rejected(tmp_path):
    path = write(tmp_path, "stubs.bib", "@Article{lang, language = {english}}\n@Other{c, Comment = {testentry}}\n"
                 "@Article{, month = apr}\n@Article{constant, month = apr}\n@constitution{us, type = {constitution}, article = {I}}\n")
    result = read_library(path)
    assert sorted(r.key for r in result.records) == ["c", "constant", "lang", "us"]
    assert len(result.rejected) == 1 and "nothing to keep" in result.rejected[0].reason
    assert any("stub" in w.reason for w in result.warnings)


def test_an_empty_field_between_two_is_skipped_as_bibtex_does(tmp_path):
    path = write(tmp_path, "x.bib", "@techreport{TBD,  title = {Report 2PTE3},  , number = {2PTE3},  institution = {{RI X}}}\n")
    (record,) = read_library(path).records
    assert record.csl["title"] == "Report 2PTE3" and record.csl["number"] == "2PTE3"


def test_ris_with_one_space_before_the_dash(tmp_path):
    text = "TY - JOUR\nAU - Schmid, P\nTI - Health misinformation\nT2 - EUROPEAN PSYCHOLOGIST\nPY - 2023\n" \
           "DO - 10.1027/1016-9040/a000494\nWE - Social Science Citation Index (SSCI)\nER -\n"  # fmt: skip
    (record,) = read_library(write(tmp_path, "wos.ris", text)).records
    assert record.csl["DOI"] == "10.1027/1016-9040/a000494"
    assert record.csl["author"] == [{"family": "Schmid", "given": "P"}]


def test_ovid_records_without_ty_are_read_as_generic(tmp_path):
    text = "<1. >\nVN  - Ovid Technologies\nDB  - Embase\nUI  - 621381829\nTI  - Quality of life in PCD.\n" \
           "SO  - BMC Proceedings. 12 (Supplement 3), 2018.\nAU  - Behan L.\nYR  - 2018\n\n<2. >\nTI  - Second.\nYR  - 2019\n"  # fmt: skip
    result = read_library(write(tmp_path, "ovid.ris", text))
    assert [r.csl["title"] for r in result.records] == ["Quality of life in PCD.", "Second."]
    assert result.records[0].csl["issued"] == {"date-parts": [[2018]]}
    assert "BMC Proceedings" in result.records[0].csl["note"]
    assert all("Ovid" in w.reason for w in result.warnings)


def test_ris_names_organisations_suffixes_and_repeated_people(tmp_path):
    from claims.importers.ris import name

    assert name("Council on Cardiopulmonary, Critical Care, Perioperative and Resuscitation") == {
        "literal": "Council on Cardiopulmonary, Critical Care, Perioperative and Resuscitation"}
    assert name("Dumas, Alexandre, père") == {"family": "Dumas", "given": "Alexandre", "suffix": "père"}
    assert name("Joffe, Hadine; Hall, Janet E") == {"family": "Joffe", "given": "Hadine; Hall, Janet E"}
    text = "TY  - JOUR\nAU  - Lastname, Firstname\nAU  - Lastname, Firstname\nTI  - Paper\nSP  - 14\nEP  - 14\nER  - \n"
    (record,) = read_library(write(tmp_path, "two.ris", text)).records
    assert len(record.csl["author"]) == 2 and record.csl["page"] == "14-14"


def test_a_double_hyphen_in_a_title_survives_bibtex(tmp_path):
    from claims.export import render_items

    path = write(tmp_path, "m.bib", render_items([{"id": "m", "type": "book", "title": "Toolkits--an overview", "page": "1-2"}], "bibtex"))
    (record,) = read_library(path).records
    assert record.csl["title"] == "Toolkits--an overview" and record.csl["page"] == "1-2"
