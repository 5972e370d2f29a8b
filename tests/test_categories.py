"""Claim categories: the health categories first; attribution, statistic and policy for the
claims they do not fit (issue 10), in extraction as in the function."""

from __future__ import annotations

import pytest

from claims.extract import extract
from claims.extract.categories import category
from claims.readers import parse


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The senator said the plant would close next year.", "attribution"),
    ("McConnell said Republicans no longer will use earmarks.", "attribution"),
    ("According to the agency, the program ended in March.", "attribution"),
    ("Some researchers believe the effect fades within a week.", "attribution"),
    ("We're up 400,000 jobs.", "statistic"),
    ("Spending rose to $16 billion last year.", "statistic"),
    ("The bill passed the Senate last week.", "policy"),
    ("It was a lovely evening.", "other"),
])
def test_claims_outside_health_get_their_own_category(sentence: str, expected: str) -> None:
    assert category(sentence) == expected


def test_health_categories_come_first_and_the_speaker_is_no_attribution() -> None:
    assert category("Microcurrent stimulates the facial muscles.") == "mechanism"
    assert category("Cold water is safer than ice baths, doctors say.") != "attribution"  # a comparison first
    assert category("I believe we can win this state.") != "attribution"
    assert category("We think the plan works.") != "attribution"


def test_digits_in_identifiers_are_no_statistic() -> None:
    assert category("It pooled small trials in older adults (doi:10.1186/s12906-021-03297-z).") == "other"
    assert category("The report is at https://example.org/r2024 for anyone.") == "other"


def test_extraction_records_the_new_categories() -> None:
    text = ("Jobs\n\nUnemployment fell to 4 percent in 2019, the lowest in 50 years. The governor said the "
            "new plant would bring jobs to the county. Congress passed the farm bill in December.\n")
    found = {c.text: c.category for c in extract(parse(text, "text", "a.txt")).claims}
    assert found["Unemployment fell to 4 percent in 2019, the lowest in 50 years."] in {"statistic", "comparison"}
    assert found["The governor said the new plant would bring jobs to the county."] == "attribution"
    assert found["Congress passed the farm bill in December."] == "policy"
