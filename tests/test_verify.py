"""Quote verification: real PDFs and HTML pages, attached and checked through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.cli import cli
from claims.db import open_db
from claims.sourcetext import read_source_file
from claims.verify import Normalised, PreparedSource, check_html, check_quote, split_fragments
from tests.conftest import file_hash
from tests.sourcefiles import CASES, CHANGED, make_html, make_pdf


def seed(db_path: Path, quotes: list[str]) -> list[int]:
    """An article whose quotations are ``quotes``, and one source to link them to."""
    db = open_db(db_path)
    text = "\n\n".join(f"\u201c{q}\u201d" for q in quotes)
    db["articles"].insert({"id": 1, "title": "T", "location": "t.txt", "text": text, "sha256": "x",
                           "format": "text", "version": 1, "ingested_at": "2024-01-01T00:00:00+00:00"})
    ids, pos = [], 0
    for i, q in enumerate(quotes, start=1):
        start = text.index(q, pos)
        db["quotes"].insert({"id": i, "article_id": 1, "text": q, "start": start, "end": start + len(q),
                             "kind": "source", "attribution_kind": "vague"})
        # Fragments as extraction stores them, for quotations an ellipsis splits.
        offset = start
        for seq, piece in enumerate(split_fragments(q)):
            p_start = text.index(piece, offset)
            db["quote_fragments"].insert({"quote_id": i, "seq": seq, "text": piece, "start": p_start,
                                          "end": p_start + len(piece)})
            offset = p_start + len(piece)
        ids.append(i)
        pos = start + len(q)
    db["sources"].insert({"id": 1, "key": "study2024", "type": "article-journal", "csl": "{}"})
    db.close()
    return ids


@pytest.fixture(params=["pdf", "html"])
def source_file(request, tmp_path: Path) -> tuple[str, Path]:
    maker = make_pdf if request.param == "pdf" else make_html
    return request.param, maker(tmp_path / f"study.{request.param}")


def test_every_case_gets_the_right_result_and_diff(runner, db_path: Path, source_file):
    kind, path = source_file
    ids = seed(db_path, [quote for _, quote, _, _ in CASES])
    for quote_id in ids:
        result = runner.invoke(cli, ["link", "--db", str(db_path), "--quote", str(quote_id), "study2024",
                                     "--stance", "unassessed"])  # fmt: skip
        assert result.exit_code == 0, result.output
    # Before a text is attached, every link is reported as unverifiable.
    result = runner.invoke(cli, ["verify", "--db", str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    assert {row["result"] for row in json.loads(result.stdout)} == {"no_text"}

    result = runner.invoke(cli, ["sources", "attach", "study2024", str(path), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["verify", "--db", str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["quote_id"]: row for row in json.loads(result.stdout)}
    db = open_db(db_path)
    source_text = db["source_texts"].get(1)["text"]
    for quote_id, (case, quote, pdf_expected, html_expected) in zip(ids, CASES, strict=True):
        row = rows[quote_id]
        expected = pdf_expected if kind == "pdf" else html_expected
        assert row["result"] == expected, (case, row)
        if expected in ("verbatim", "normalised", "altered"):
            matched = source_text[row["start"] : row["end"]]
            assert matched == row["matched_text"]
            # The match is the passage the quotation stands for, not a neighbouring one.
            first_word = quote.split()[0].strip(".,").lower()
            assert matched.lower().startswith(first_word) or case == "ending_changed"
        if kind == "pdf" and expected != "not_found":
            assert row["page"] == (2 if case == "ellipsis" else 1)
        if case in CHANGED:
            ops = json.loads(db.execute("select diff_ops from quote_checks where quote_id = ?", [quote_id]).fetchone()[0])
            dropped = [op["text"] for op in ops if op["op"] == "delete"]
            added = [op["text"] for op in ops if op["op"] == "insert"]
            assert (dropped, added) == CHANGED[case]
            assert 60 <= row["score"] < 100
        elif expected in ("verbatim", "normalised"):
            assert row["diff"] is None and row["score"] == 100
    # The table output names each result too.
    table = runner.invoke(cli, ["verify", "--db", str(db_path)])
    assert table.exit_code == 0 and "altered" in table.output and "not_found" in table.output


def test_verify_is_idempotent_and_scoped_to_an_article(runner, db_path: Path, tmp_path: Path):
    seed(db_path, [CASES[0][1], CASES[3][1]])
    for quote_id in (1, 2):
        runner.invoke(cli, ["link", "--db", str(db_path), "--quote", str(quote_id), "study2024", "--stance", "supports"])
    runner.invoke(cli, ["sources", "attach", "study2024", str(make_pdf(tmp_path / "s.pdf")), "--db", str(db_path)])
    first = runner.invoke(cli, ["verify", "--db", str(db_path)])
    assert first.exit_code == 0 and "2 checks" in first.output
    before = file_hash(db_path)
    again = runner.invoke(cli, ["verify", "--db", str(db_path), "--article", "1"])
    assert again.exit_code == 0 and "0 rows written" in again.output
    assert file_hash(db_path) == before
    missing = runner.invoke(cli, ["verify", "--db", str(db_path), "--article", "99"])
    assert missing.exit_code != 0 and "article 99: no such article" in missing.output
    assert file_hash(db_path) == before


def test_reattaching_a_different_text_clears_old_checks(runner, db_path: Path, tmp_path: Path):
    seed(db_path, [CASES[0][1]])
    runner.invoke(cli, ["link", "--db", str(db_path), "--quote", "1", "study2024", "--stance", "supports"])
    runner.invoke(cli, ["sources", "attach", "study2024", str(make_pdf(tmp_path / "s.pdf")), "--db", str(db_path)])
    runner.invoke(cli, ["verify", "--db", str(db_path)])
    other = tmp_path / "other.txt"
    other.write_text("A different text entirely, about something else.", encoding="utf-8")
    result = runner.invoke(cli, ["sources", "attach", "study2024", str(other), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = open_db(db_path)
    assert db["quote_checks"].count == 0
    runner.invoke(cli, ["verify", "--db", str(db_path)])
    assert db.execute("select result from quote_checks").fetchone()[0] == "not_found"


def test_check_html_escapes_and_marks_changes(db_path: Path, tmp_path: Path):
    seed(db_path, ["the <b>data</b> suggest cumulative benefits over time, particularly in terms of wrinkle depth"])
    db = open_db(db_path)
    db["citations"].insert({"quote_id": 1, "source_id": 1, "relation": "candidate", "added_by": "t", "added_at": "t"})
    text = tmp_path / "s.txt"
    text.write_text("In short the <i>data</i> suggest cumulative benefits over time, particularly in terms of wrinkle size.", encoding="utf-8")
    from claims.db import transaction
    from claims.sourcetext import save_source_text
    from claims.verify import compute_checks, save_checks

    with transaction(db):
        save_source_text(db, 1, read_source_file(text))
        save_checks(db, compute_checks(db))
    html = str(check_html(db, 1))
    # Article and source text arrive escaped; only the diff's own markup is HTML.
    assert "<b>" not in html and "<i>" not in html
    assert '<del class="claims-diff-del">&lt;i&gt;data&lt;/i&gt;</del>' in html
    assert '<ins class="claims-diff-ins">&lt;b&gt;data&lt;/b&gt;</ins>' in html
    assert '<del class="claims-diff-del">size</del> <ins class="claims-diff-ins">depth</ins>' in html
    assert "found with changed words" in html


def test_fragments_must_appear_in_order():
    source = PreparedSource("First comes the beginning of it. Later the end of the passage arrives.")
    assert check_quote("First comes the beginning\u2026 the end of the passage", source).result == "verbatim"
    swapped = check_quote("the end of the passage\u2026 First comes the beginning", source)
    assert swapped.result == "altered"
    assert [op.op for op in swapped.diff].count("insert") == 1


def test_ligatures_and_dashes_are_typographic():
    source = PreparedSource("The e\ufb00ect was signi\ufb01cant \u2014 in all groups.")
    check = check_quote("the effect was significant - in all groups", source)
    assert check.result == "normalised"
    assert check.matched_text == "The e\ufb00ect was signi\ufb01cant \u2014 in all groups"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["word", "re-\nlate", "\ufb01ne", "  ", "\n", "\u2019s", "\u201cq\u201d", "A", "\u00ad", "x"]), min_size=1, max_size=30)
)
def test_folded_offsets_map_back_into_the_original(pieces: list[str]):
    original = " ".join(pieces)
    norm = Normalised(original)
    for n in range(len(norm.text) + 1):
        s = norm.to_source(n) if n < len(norm.text) else len(original)
        assert 0 <= s <= len(original)
        e = norm.to_source_end(n)
        assert 0 <= e <= len(original)
    # Every folded character comes from the original character it maps to.
    for n, ch in enumerate(norm.text):
        src = original[norm.to_source(n)]
        assert ch in Normalised(src).text or src in "\ufb01-\n \u00ad" or ch == " "
    # Folding is monotone: a later folded offset never maps before an earlier one.
    mapped = [norm.to_source(n) for n in range(len(norm.text))]
    assert mapped == sorted(mapped)


def test_whitespace_folds_cover_every_space_character():
    # Whitespace runs are found with str.replace + str.find; the list must match what "\s" does.
    import sys

    from claims.verify import _WHITESPACE

    assert set(_WHITESPACE) | {" "} == {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab -\n", max_size=60),
    st.text(alphabet="ab -", min_size=1, max_size=8),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=60),
)
def test_one_pass_search_agrees_with_str_find(source: str, quote: str, offset: int, lo: int):
    from claims.verify import PER_CHUNK, _find_and_first_hits

    offset = min(offset, len(quote) - 1)
    chunk = quote[offset : offset + 3]
    hits, pos = [], source.find(chunk, lo)
    while pos != -1 and len(hits) < PER_CHUNK:
        hits.append(pos)
        pos = source.find(chunk, pos + 1)
    found, first_hits = _find_and_first_hits(quote, source, lo, chunk, offset)
    assert found == source.find(quote, lo)
    if found == -1:
        assert first_hits == hits


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abAB -\n.\u2019'\u201c\u201d\u2014\u00ad\ufb01\u0130\u2026")), min_size=1, max_size=80),
    st.integers(min_value=0, max_value=80),
    st.integers(min_value=1, max_value=40),
)
def test_text_the_source_holds_word_for_word_is_verbatim(source: str, at: int, length: int):
    # The folded search runs before the exact one; it must never hide a verbatim occurrence.
    from claims.verify import match_fragment

    fragment = source[at : at + length].strip()
    if not fragment:
        return
    match = match_fragment(fragment, PreparedSource(source))
    assert match.result == "verbatim", (source, fragment, match)
    assert " ".join(source[match.start : match.end].split()) == " ".join(fragment.split())
