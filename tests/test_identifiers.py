"""Identifiers: DOI, PMID, PMCID, ISBN and URL normalisation, and citation keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims import identifiers as ids


@pytest.mark.parametrize(
    "raw",
    [
        "10.3390/ijms23052508",
        "10.3390/IJMS23052508",
        "doi:10.3390/ijms23052508",
        "DOI: 10.3390/ijms23052508",
        "https://doi.org/10.3390/ijms23052508",
        "http://dx.doi.org/10.3390/ijms23052508",
        "https://www.doi.org/10.3390%2Fijms23052508",
        " 10.3390/ijms23052508. ",
        "10.3390/ijms23052508);",
        "doi.org/10.3390/ijms23052508",
        "dx.doi.org/10.3390/ijms23052508",
        "info:doi/10.3390/ijms23052508",
        "https://www.mdpi.com/doi/10.3390/ijms23052508",
        "https://onlinelibrary.wiley.com/doi/full/10.3390/ijms23052508?casa_token=x#sec1",
        "https://journals.example.org/doi/abs/10.3390/IJMS23052508",
        "https://www.tandfonline.com/doi/pdf/10.3390/ijms23052508",
    ],
)
def test_doi_spellings_normalise_to_one(raw):
    assert ids.normalize_doi(raw) == "10.3390/ijms23052508"


def test_doi_display_keeps_the_publishers_case():
    assert ids.doi_display("https://doi.org/10.2147/CCID.S449599.") == "10.2147/CCID.S449599"


def test_doi_keeps_its_own_brackets():
    doi = "10.1002/(SICI)1097-4636(199812)43:4<448::AID-JBM14>3.0.CO;2-Z"
    assert ids.doi_display(doi + ").") == doi


@pytest.mark.parametrize("raw", ["11.1234/x", "10.12/x", "10.1234", "doi:", "not a doi", "10.1234/"])
def test_invalid_dois_are_rejected_naming_the_value(raw):
    with pytest.raises(ids.IdentifierError, match="invalid DOI"):
        ids.normalize_doi(raw)


@given(st.from_regex(r"10\.[0-9]{4,6}/[A-Za-z0-9._;()/-]{1,20}[A-Za-z0-9]", fullmatch=True))
def test_doi_normalisation_is_idempotent(doi):
    once = ids.normalize_doi(doi)
    assert ids.normalize_doi(once) == once
    assert ids.normalize_doi("https://doi.org/" + doi) == once


def test_pmid():
    assert ids.normalize_pmid("PMID: 35269651") == "35269651"
    assert ids.normalize_pmid(7140077) == "7140077"
    for bad in ("3526965l", "12a4", "0", "", "1234567890"):
        with pytest.raises(ids.IdentifierError, match="invalid PMID"):
            ids.normalize_pmid(bad)


def test_pmcid():
    assert ids.normalize_pmcid("pmc8910224") == "PMC8910224"
    assert ids.normalize_pmcid("8910224") == "PMC8910224"
    with pytest.raises(ids.IdentifierError, match="invalid PMCID"):
        ids.normalize_pmcid("PMCX12")


def test_isbn_checksums():
    assert ids.normalize_isbn("978-92-4-001512-8") == "9789240015128"
    assert ids.normalize_isbn("0-306-40615-2") == "9780306406157"
    with pytest.raises(ids.IdentifierError, match="invalid ISBN"):
        ids.normalize_isbn("0-306-40615-3")


def test_url_normalisation():
    assert ids.normalize_url("HTTPS://Example.COM:443/a/b?x=1#frag") == "https://example.com/a/b?x=1"
    assert ids.normalize_url("http://example.com") == "http://example.com/"
    assert ids.normalize_url("http://example.com:8080/") == "http://example.com:8080/"
    for bad in ("ftp://example.com/x", "example.com/x", "https:///nohost"):
        with pytest.raises(ids.IdentifierError, match="invalid URL"):
            ids.normalize_url(bad)


def test_lenient_urls_take_https_when_the_scheme_is_missing():
    assert ids.normalize_url_lenient("www.example.org/a?x=1") == "https://www.example.org/a?x=1"
    assert ids.normalize_url_lenient("example.org") == "https://example.org/"
    assert ids.normalize_url_lenient("//cdn.example.org/x") == "https://cdn.example.org/x"
    assert ids.normalize_url_lenient("http://example.org/x") == "http://example.org/x"
    for bad in ("see the library", "ftp://example.com/x", "note: example"):
        with pytest.raises(ids.IdentifierError, match="invalid URL"):
            ids.normalize_url_lenient(bad)


def test_title_normalisation_ignores_case_accents_and_punctuation():
    assert ids.normalize_title("Über die Haut: Messungen & Modelle!") == ids.normalize_title("uber die haut messungen modelle")


def test_keys_are_author_year_first_significant_word_with_suffixes():
    stem = ids.key_stem("Toledano-Macías", 2024, "The Radiofrequency Currents")
    assert stem == "toledanomacias2024radiofrequency"
    assert ids.key_stem(None, None, None) == "anonnd"
    taken = {stem}
    keys = []
    for _ in range(28):
        key = ids.unique_key(stem, taken)
        keys.append(key)
        taken.add(key)
    assert keys[:2] == [stem + "a", stem + "b"]
    assert keys[25:28] == [stem + "z", stem + "aa", stem + "ab"]
    assert len(set(keys)) == 28
