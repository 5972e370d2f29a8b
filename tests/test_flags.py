"""Flags and resolutions: append-only triggers, clear errors, and the status views."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils
from pydantic import ValidationError

from claims.flags import Flag, Resolution, latest_flag_id, save_flags, save_resolutions
from tests.conftest import file_hash

TEXT = 'Experts agree. Cold water "burns fat fast" and it is said to heal muscles.'


@pytest.fixture
def review_db(db):
    """One article with two claims, a quote inside the second claim, and one source."""
    db["articles"].insert(
        {"id": 1, "title": "T", "location": "t.txt", "text": TEXT, "sha256": "x", "format": "text",
         "version": 1, "ingested_at": "2024-01-01T00:00:00+00:00"}
    )  # fmt: skip
    q_start = TEXT.index("burns")
    db["quotes"].insert(
        {"id": 1, "article_id": 1, "text": "burns fat fast", "start": q_start, "end": q_start + 14,
         "kind": "source", "attribution_kind": "vague"}
    )  # fmt: skip
    second = TEXT.index("Cold")
    db["claims"].insert_all(
        [
            {"id": 1, "article_id": 1, "text": "Experts agree.", "start": 0, "end": 14,
             "category": "other", "checkworthiness": 0.2, "hedged": 0},
            {"id": 2, "article_id": 1, "text": TEXT[second:], "start": second, "end": len(TEXT),
             "category": "efficacy", "checkworthiness": 0.9, "hedged": 0, "quote_id": 1},
        ]
    )  # fmt: skip
    db["sources"].insert({"id": 1, "key": "s1", "type": "article-journal", "title": "A trial", "csl": "{}"})
    db["citations"].insert(
        {"claim_id": 2, "source_id": 1, "relation": "candidate", "added_by": "editor", "added_at": "2024"}
    )
    return db


def insert(db, **values):
    row = {"verdict": "unsupported", "reason": "no evidence", "reviewer": "alice", "created_at": "2024-01-01T00:00:00Z"}
    row.update(values)
    db["flags"].insert(row)


def status(db, claim_id: int) -> dict:
    return next(db.query("select * from claim_status where claim_id = ?", [claim_id]))


@pytest.mark.parametrize(
    "values, message",
    [
        ({"claim_id": 99}, "flags: claim_id does not match any claim"),
        ({"quote_id": 99}, "flags: quote_id does not match any quote"),
        ({"claim_id": 1, "source_id": 42}, "flags: source_id does not match any source"),
        ({}, "flags: exactly one of claim_id or quote_id is required"),
        ({"claim_id": 1, "quote_id": 1}, "flags: exactly one of claim_id or quote_id is required"),
        ({"claim_id": 1, "verdict": "wrong"}, "flags: verdict must be one of"),
        ({"claim_id": 1, "reason": "   "}, "flags: a reason is required unless the verdict is supported"),
        ({"claim_id": 1, "reason": None}, "flags: a reason is required unless the verdict is supported"),
        ({"claim_id": 1, "reviewer": ""}, "flags: reviewer is required"),
    ],
)
def test_bad_flags_are_rejected_with_a_clear_message(review_db, db_path, values, message):
    # Datasette's connections do not enforce foreign keys: the triggers must not rely on them.
    review_db.execute("PRAGMA foreign_keys = OFF")
    before = file_hash(db_path)
    with pytest.raises(sqlite3.IntegrityError, match=message):
        insert(review_db, **values)
    assert review_db["flags"].count == 0
    assert file_hash(db_path) == before


def test_supported_needs_no_reason(review_db):
    insert(review_db, claim_id=1, verdict="supported", reason=None)
    assert review_db["flags"].count == 1


@pytest.mark.parametrize("table", ["flags", "resolutions"])
def test_flags_and_resolutions_are_append_only(review_db, table):
    insert(review_db, claim_id=1)
    review_db["resolutions"].insert(
        {"flag_id": 1, "verdict": "supported", "editor": "ed", "created_at": "2024-01-02T00:00:00Z"}
    )
    before = list(review_db[table].rows)
    with pytest.raises(sqlite3.IntegrityError, match=f"{table} are append-only"):
        review_db.execute(f"update {table} set verdict = 'overstated'")
    with pytest.raises(sqlite3.IntegrityError, match=f"{table} are append-only"):
        review_db.execute(f"delete from {table}")
    assert list(review_db[table].rows) == before


@pytest.mark.parametrize("table", ["flags", "resolutions"])
def test_replace_and_upsert_cannot_overwrite_a_row(review_db, db_path, table):
    insert(review_db, claim_id=1)
    review_db["resolutions"].insert(
        {"flag_id": 1, "verdict": "supported", "editor": "ed", "created_at": "2024-01-02T00:00:00Z"}
    )
    review_db.conn.commit()
    # A connection like Datasette's: without recursive_triggers (sqlite-utils turns it on), REPLACE
    # deletes the old row without firing the DELETE trigger.
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma recursive_triggers").fetchone()[0] == 0
    raw = sqlite_utils.Database(conn, recursive_triggers=False)
    before = list(raw[table].rows)
    # A row every other check accepts: only its id is taken.
    forged = {**before[0], "verdict": "overstated", ("reason" if table == "flags" else "note"): "forged"}
    columns, marks = ", ".join(forged), ", ".join("?" for _ in forged)
    attempts = [
        lambda: conn.execute(f"insert or replace into {table} ({columns}) values ({marks})", list(forged.values())),
        lambda: conn.execute(f"replace into {table} ({columns}) values ({marks})", list(forged.values())),
        lambda: raw[table].insert(forged, replace=True),
        lambda: raw[table].upsert(forged, pk="id"),
        lambda: raw[table].insert_all([forged], upsert=True, pk="id"),
    ]
    for attempt in attempts:
        with pytest.raises(sqlite3.IntegrityError, match=f"{table} are append-only: that id already exists"):
            attempt()
        conn.rollback()
    assert list(raw[table].rows) == before
    conn.close()


@pytest.mark.parametrize("column", ["claim_id", "quote_id", "source_id"])
@pytest.mark.parametrize("value", [1.5, "x", "not a whole number"])
def test_flag_ids_must_be_whole_numbers(review_db, column, value):
    # What the flag_* stored queries pass on for 2.7 or 1e0 (text), or what a script might write.
    # (Integer affinity would store '1e0' as 1, so the queries never pass such text through.)
    values = {"claim_id": None, "quote_id": None, "source_id": None, column: value}
    if column == "source_id":
        values["claim_id"] = 1
    with pytest.raises(sqlite3.IntegrityError, match=f"flags: {column} must be a whole number"):
        insert(review_db, **values)
    assert review_db["flags"].count == 0


def test_a_resolution_must_cover_the_latest_flag(review_db):
    save_flags(
        review_db,
        [
            Flag(claim_id=2, verdict="unsupported", reason="no trial", reviewer="alice"),
            Flag(claim_id=1, verdict="supported", reviewer="alice"),
            Flag(claim_id=2, verdict="supported", reviewer="bob"),
        ],
    )
    # Flag 1 is not claim 2's latest: a ruling on it would cover flag 3 unseen.
    with pytest.raises(sqlite3.IntegrityError, match="a newer flag was added"):
        save_resolutions(review_db, [Resolution(flag_id=1, verdict="supported", editor="ed")])
    # Flag 2 is claim 1's latest: another claim's newer flag does not matter.
    save_resolutions(review_db, [Resolution(flag_id=2, verdict="supported", editor="ed")])
    save_resolutions(review_db, [Resolution(flag_id=3, verdict="supported", editor="ed")])
    assert [r["flag_id"] for r in review_db["resolutions"].rows] == [2, 3]


def test_resolution_needs_a_flag(review_db):
    with pytest.raises(sqlite3.IntegrityError, match="nothing to resolve"):
        review_db.execute(
            "insert into resolutions (flag_id, verdict, note, editor, created_at) "
            "values ((select max(id) from flags where claim_id = 1), 'supported', null, 'ed', 't')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="resolutions: flag_id does not match any flag"):
        review_db.execute(
            "insert into resolutions (flag_id, verdict, editor, created_at) values (5, 'supported', 'ed', 't')"
        )


def test_unflagged_claims_are_not_reviewed(review_db):
    row = status(review_db, 2)
    assert row["status"] == "not reviewed"
    assert (row["flags"], row["reviewers"], row["disagree"], row["resolved"]) == (0, 0, 0, 0)
    assert row["latest_verdict"] is None
    assert row["sources"] == 1 and status(review_db, 1)["sources"] == 0


def test_status_follows_the_latest_flag_and_disagreement(review_db):
    save_flags(review_db, [Flag(claim_id=2, verdict="unsupported", reason="no trial", reviewer="alice")])
    row = status(review_db, 2)
    assert (row["status"], row["latest_verdict"], row["latest_by"]) == ("not supported", "unsupported", "alice")

    # Alice changing her mind is not a disagreement.
    save_flags(review_db, [Flag(claim_id=2, verdict="supported", reviewer="alice")])
    row = status(review_db, 2)
    assert (row["status"], row["flags"], row["reviewers"], row["disagree"]) == ("supported", 2, 1, 0)

    # Bob's current verdict differs from Alice's: disputed, whatever came last.
    save_flags(review_db, [Flag(claim_id=2, verdict="overstated", reason="a mouse study", reviewer="bob")])
    row = status(review_db, 2)
    assert (row["status"], row["reviewers"], row["disagree"], row["latest_verdict"]) == (
        "disputed", 2, 1, "overstated",
    )  # fmt: skip
    # The other claim and the quote are untouched.
    assert status(review_db, 1)["status"] == "not reviewed"
    assert next(review_db.query("select status from quote_status where quote_id = 1"))["status"] == "not reviewed"


def test_resolution_settles_until_a_newer_flag(review_db):
    save_flags(
        review_db,
        [
            Flag(claim_id=2, verdict="unsupported", reason="no trial", reviewer="alice"),
            Flag(claim_id=2, verdict="supported", reviewer="bob"),
        ],
    )
    assert status(review_db, 2)["status"] == "disputed"
    save_resolutions(
        review_db,
        [Resolution(flag_id=latest_flag_id(review_db, claim_id=2), verdict="overstated", note="mice only", editor="ed")],
    )
    row = status(review_db, 2)
    assert (row["status"], row["resolved"], row["latest_verdict"], row["latest_by"], row["latest_reason"]) == (
        "not supported", 1, "overstated", "ed", "mice only",
    )  # fmt: skip
    # A new flag after the ruling reopens the claim.
    save_flags(review_db, [Flag(claim_id=2, verdict="supported", reviewer="carol")])
    row = status(review_db, 2)
    assert row["resolved"] == 0 and row["status"] == "disputed"


def test_quote_status(review_db):
    save_flags(review_db, [Flag(quote_id=1, verdict="misattributed", reason="not experts", reviewer="alice")])
    row = next(review_db.query("select * from quote_status where quote_id = 1"))
    assert (row["status"], row["attribution_kind"], row["latest_verdict"]) == ("not supported", "vague", "misattributed")


@pytest.mark.parametrize(
    "values, field",
    [
        ({"verdict": "unsupported", "reviewer": "a"}, "exactly one"),
        ({"claim_id": 1, "verdict": "unsupported", "reviewer": "a"}, "reason is required"),
        ({"claim_id": 1, "verdict": "nope", "reviewer": "a", "reason": "x"}, "verdict"),
        ({"claim_id": 1, "verdict": "supported", "reviewer": ""}, "reviewer"),
    ],
)
def test_flag_model_validates_before_writing(review_db, values, field):
    with pytest.raises(ValidationError, match=field):
        save_flags(review_db, [values])
    assert review_db["flags"].count == 0


def test_save_flags_is_all_or_nothing(review_db):
    good = Flag(claim_id=1, verdict="supported", reviewer="alice")
    unknown = Flag(claim_id=404, verdict="supported", reviewer="alice")
    with pytest.raises(sqlite3.IntegrityError):
        save_flags(review_db, [good, unknown])
    assert review_db["flags"].count == 0
