"""Speakers: who said each quote, one record per person or body, in the database and in Datasette.

The real-article scores are in bench/attribution.py; these tests pin the patterns the issue
names, each in a sentence written for the test.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlite_utils

from claims.export import ledger
from claims.extract import extract
from claims.extract.reporting_verbs import REPORTING_FORMS, REPORTING_LEMMAS
from claims.ingest import ingest_document
from claims.models import Extraction
from claims.readers import parse

from .conftest import make_ds


def _extract(text: str) -> Extraction:
    return extract(parse(text, "text", "test"))


def _speaker(ex: Extraction, qi: int = 0) -> str | None:
    index = ex.quotes[qi].speaker_index
    return None if index is None else ex.speakers[index].name


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“Cleanse twice a day and never scrub,” Robyn Gmyrek, M.D., a New York-based, board-certified "
         "dermatologist explains.", "Robyn Gmyrek"),
        ("“The tariffs will hurt farmers first,” said Edward Alden of the Council on Foreign Relations.",
         "Edward Alden"),
        ("Vice President Joe Biden said, “We will rebuild the bridge before winter comes.”", "Joe Biden"),
        ("On Russia, Senator Mark Warner said: “The sanctions must stay in place for now.”", "Mark Warner"),
        ("After President Obama spoke, Jane Okoro told reporters: “The plan is dead on arrival.”",
         "Jane Okoro"),
        ("“We will appeal the ruling,” Maria Lopez told Fox News on Sunday.", "Maria Lopez"),
        ("“Go register,” Trump implored.", "Trump"),
        ("“It was a mistake to sell,” gushed Tom Baker, who owns the shop.", "Tom Baker"),
        ("According to the World Health Organization, “the outbreak is now under control in the region.”",
         "World Health Organization"),
        ("Malaysia's Prime Minister, Najib Rahman said, “We are in contact with all the parties involved.”",
         "Najib Rahman"),
    ],
)
def test_the_speaker_is_the_subject_of_the_reporting_verb(text: str, speaker: str) -> None:
    ex = _extract(text + "\n")
    (quote,) = [q for q in ex.quotes if q.kind == "source"]
    assert quote.attribution_kind == "named", quote.attribution
    assert _speaker(ex, ex.quotes.index(quote)) == speaker


def test_description_comes_with_the_name() -> None:
    ex = _extract("“Cleanse twice a day and never scrub,” Robyn Gmyrek, M.D., a New York-based, "
                  "board-certified dermatologist explains.\n")
    (speaker,) = ex.speakers
    assert speaker.kind == "person"
    assert "dermatologist" in (speaker.description or "")


def test_surname_and_full_name_are_one_speaker() -> None:
    ex = _extract(
        "Dr. Alan Smith, a cardiologist at Leeds General Infirmary, has studied the drug for years.\n"
        "“It lowers blood pressure in most of the patients we treat,” Smith said.\n"
        "“Nobody should stop taking it without advice,” said Dr. Smith.\n"
    )
    sources = [q for q in ex.quotes if q.kind == "source"]
    assert len(sources) == 2
    assert {q.speaker_index for q in sources} == {0} and len(ex.speakers) == 1
    assert ex.speakers[0].name == "Dr. Alan Smith"


def test_pronouns_resolve_by_gender_and_recency() -> None:
    ex = _extract(
        "Laura Chen runs the clinic with her colleague Mark Davies.\n"
        "“Most of our patients arrive too late,” she says.\n"
        "“We need more beds,” he added.\n"
    )
    sources = [q for q in ex.quotes if q.kind == "source"]
    assert [_speaker(ex, ex.quotes.index(q)) for q in sources] == ["Laura Chen", "Mark Davies"]
    assert all(q.attribution_kind == "named" for q in sources)
    assert not [f for f in ex.findings if f.kind in ("vague_attribution", "no_attribution")]


def test_a_description_resolves_to_the_body_named_before() -> None:
    ex = _extract(
        "The American Heart Association published new advice on Monday.\n"
        "“Walking thirty minutes a day lowers the risk of a stroke,” the association says.\n"
    )
    (quote,) = [q for q in ex.quotes if q.kind == "source"]
    assert _speaker(ex, ex.quotes.index(quote)) == "American Heart Association"
    assert ex.speakers[quote.speaker_index].kind == "organization"


def test_an_unresolved_pronoun_is_vague_never_a_wrong_name() -> None:
    ex = _extract("“It works better than anything else on the market,” she said.\n")
    (quote,) = ex.quotes
    assert quote.kind == "source" and quote.attribution_kind == "vague"
    assert quote.speaker is None and quote.attribution == "she said"
    assert [f.kind for f in ex.findings] == ["vague_attribution"]


def test_follow_on_quotations_take_the_last_speaker() -> None:
    ex = _extract(
        "“The vaccine is safe for children over five,” said Dr. Priya Nair, who led the trial.\n"
        "“We saw no serious side effects in any group.”\n"
    )
    sources = [q for q in ex.quotes if q.kind == "source"]
    assert len(sources) == 2
    assert sources[1].attribution_kind == "named" and sources[1].speaker == "Dr. Priya Nair"
    assert sources[0].speaker_index == sources[1].speaker_index


def test_partial_quotes_and_labels_are_source_quotes() -> None:
    ex = _extract("Trump called it “one of the great miscarriages of justice” on Friday. "
                  "Clark said the plan was “dead on arrival” in the Senate.\n")
    first, second = ex.quotes
    assert first.kind == "source" and first.partial and first.speaker == "Trump"
    assert second.kind == "source" and second.partial and second.speaker == "Clark"


def test_scare_quotes_and_titles_are_not_source_quotes() -> None:
    ex = _extract("The so-called “miracle” cream sold out. Her video “How To Pack A Suitcase In Ten "
                  "Minutes” was viewed a million times.\n")
    assert [q.kind for q in ex.quotes] == ["term", "title"]


def test_reporting_verb_lexicon_is_broad() -> None:
    assert len(set(REPORTING_LEMMAS)) >= 300
    for form in ("explains", "advises", "cautions", "implored", "gushed", "responded", "tweeted",
                 "posted", "wrote", "continued", "notes", "warns"):
        assert form in REPORTING_FORMS, form


def test_speakers_are_stored_and_exported(tmp_path: Path) -> None:
    from claims.db import open_db

    db = open_db(tmp_path / "claims.db")
    doc = parse("A title\n\n“The bridge will open in May,” said Mayor Ana Torres, who chairs the board.\n"
                "“Traffic will fall by half,” she added.\n", "text", "bridge.txt")
    ingest_document(db, doc, "bridge.txt")
    (speaker,) = list(db["speakers"].rows)
    assert speaker["name"] == "Ana Torres" and speaker["kind"] == "person"
    assert "Mayor" in speaker["description"]
    quotes = list(db.query("select speaker_id, speaker, partial, attribution_kind from quotes order by id"))
    assert [q["speaker_id"] for q in quotes] == [speaker["id"], speaker["id"]]
    assert all(q["attribution_kind"] == "named" and q["partial"] == 0 for q in quotes)
    rows = list(csv.DictReader(io.StringIO(ledger(db, fmt="csv"))))
    quote_rows = [r for r in rows if r["type"] == "quote"]
    assert {r["speaker"] for r in quote_rows} == {"Ana Torres"}
    assert all("Mayor" in r["speaker_description"] and r["attribution_kind"] == "named" for r in quote_rows)
    record = json.loads(ledger(db, fmt="jsonl").splitlines()[0])
    assert record["speaker"] == "Ana Torres" and record["attribution_kind"] == "named"


def test_speaker_kind_is_checked_by_the_database(tmp_path: Path) -> None:
    from claims.db import open_db

    db = open_db(tmp_path / "claims.db")
    db["articles"].insert({"id": 1, "title": "t", "location": "l", "text": "x", "sha256": "s",
                           "format": "text", "version": 1, "ingested_at": "now"})
    with pytest.raises(sqlite_utils.db.sqlite3.IntegrityError, match="speakers: kind"):
        db["speakers"].insert({"article_id": 1, "name": "X", "kind": "robot"})


@pytest.mark.asyncio
async def test_speaker_row_page_lists_their_quotes_and_quotes_facet_by_speaker(tmp_path: Path) -> None:
    from claims.db import open_db

    path = tmp_path / "claims.db"
    db = open_db(path)
    doc = parse("A title\n\n“The bridge will open in May,” said Mayor Ana Torres.\n"
                "“Traffic will fall by half,” she added.\n", "text", "bridge.txt")
    ingest_document(db, doc, "bridge.txt")
    speaker_id = db.execute("select id from speakers").fetchone()[0]
    db.close()
    ds = make_ds(path)
    page = (await ds.client.get(f"/claims/speakers/{speaker_id}")).text
    assert "Quotes credited to this speaker" in page
    assert "The bridge will open in May," in page and "Traffic will fall by half," in page
    facets = (await ds.client.get("/claims/quotes.json?_facet=speaker&_extra=facet_results")).json()
    values = {v["value"]: v["count"] for v in facets["facet_results"]["results"]["speaker"]["results"]}
    assert values == {"Ana Torres": 2}
