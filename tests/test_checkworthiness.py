"""The check-worthiness model: the shipped file loads and is safe and small, scores are
deterministic and explained in words, and the training script retrains it from data on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims.checkworthiness import score_document, sentence_exclusion
from claims.checkworthiness.datasets import (
    SOURCES,
    read_biomedical,
    read_claimbuster,
    read_clef,
    read_csabstruct,
)
from claims.checkworthiness.features import Context, readable, tokens
from claims.checkworthiness.model import MODEL_PATH, Model, load, shipped
from claims.extract import extract
from claims.readers import parse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checkworthiness"


def test_shipped_model_is_small_plain_json_and_versioned() -> None:
    assert MODEL_PATH.stat().st_size < 2_000_000
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = shipped()
    assert model.version == data["version"] and 0.0 < model.threshold < 1.0
    assert set(data["training"]["sources"]) <= set(SOURCES)
    # The file says plainly whether it was fitted on openly licensed data alone (DATA.md).
    assert data["training"]["open_data_only"] == all(SOURCES[g]["open"] for g in data["training"]["sources"])
    # Every readable weight belongs to a feature the code computes.
    names = {f.name for f in readable("We created 400,000 jobs in 2019, Smith said.", Context(0, 2, 0, 4))}
    assert "quantity" in names and "date" in names and "named_entity" in names
    assert names - {"first_in_paragraph", "last_in_paragraph", "alone_in_paragraph"} <= set(model.readable) | {"topic"}


def test_a_model_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"format": "pickle", "format_version": 1}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a claims-checkworthiness"):
        load(path)


def test_scores_are_deterministic_and_explained_in_words() -> None:
    text = ("Jobs\n\nThank you all for coming tonight. We're up 400,000 jobs. Unemployment fell to "
            "4 percent in 2019, the lowest in 50 years. I love this country.\n")
    first, second = extract(parse(text, "text", "a.txt")), extract(parse(text, "text", "a.txt"))
    assert [c.model_dump() for c in first.claims] == [c.model_dump() for c in second.claims]
    by_text = {c.text: c for c in first.claims}
    assert "We're up 400,000 jobs." in by_text  # a bare figure is a claim
    assert "Thank you all for coming tonight." not in by_text and "I love this country." not in by_text
    reasons = by_text["We're up 400,000 jobs."].reasons
    assert "number: '400,000'" in reasons and "policy or public affairs: 'jobs'" in reasons
    assert not [r for r in reasons if r.startswith(("w:", "b:", "r:"))]


def test_speech_openings_are_not_blog_asides() -> None:
    for sentence in ("Well, in fact we saved 1,000 jobs.", "We will cut the deficit in half by 2030.",
                     "Keep in mind that in 1960 we spent $16 billion on schools.",
                     "That's where the vast majority of people get their health care."):
        assert sentence_exclusion(sentence) is None, sentence
    for sentence in ("In this post, we'll look at the evidence.", "Here's where things get interesting.",
                     "We're going to dig into the research.", "Click here to subscribe."):
        assert sentence_exclusion(sentence) is not None, sentence


def test_numbers_in_names_are_not_quantities() -> None:
    assert "quantity" not in {f.name for f in readable("IL-10 and TLR2 bind CD4 cells.", Context())}
    assert "quantity" in {f.name for f in readable("It fell by 10 percent.", Context())}
    assert tokens("Up 400,000 jobs") == ["up", "000,000", "jobs"]


def test_score_document_excludes_questions_and_needs_something_checkable() -> None:
    scored = score_document([["Why does this matter?", "Spending on schools doubled since 1990.",
                              "It was a lovely evening."]])
    assert scored[0] == (0.0, False)
    assert scored[1][1] and scored[1][0] > scored[2][0]


def test_readers_read_the_fixture_formats() -> None:
    debates = read_clef(FIXTURES / "clef_train")
    assert len(debates) == 3 and all(len(b) == 1 for b in debates[0].blocks)  # one paragraph per turn
    assert {s.label for d in debates for s in d.sentences()} == {0, 1}
    assert len(read_claimbuster(FIXTURES / "claimbuster.json")) == 48
    assert read_biomedical(FIXTURES / "biomedical" / "train_labels.json")[0].sentences()[-1].label == 1
    abstracts = read_csabstruct(FIXTURES / "csabstruct" / "train.jsonl")
    assert len(abstracts) == 6 and len(abstracts[0].blocks) == 1  # an abstract is one paragraph
    assert [s.label for s in abstracts[0].sentences()] == [0, 0, 0, 1, 1]  # RESULT sentences are claims


def test_bad_label_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "d.tsv").write_text("1\tA\tFine.\t0\n2\tB\tBad.\tyes\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"d\.tsv:2: label 'yes'"):
        read_clef(tmp_path)


def test_a_bad_csabstruct_role_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text(json.dumps({"sentences": ["A.", "B."], "labels": ["result", "finding"]}) + "\n",
                                          encoding="utf-8")
    with pytest.raises(ValueError, match=r"train\.jsonl:1: label 'finding'"):
        read_csabstruct(tmp_path / "train.jsonl")


RESEARCH_SETS = ["--clef-train", str(FIXTURES / "clef_train"), "--biomedical", str(FIXTURES / "biomedical")]


def _train(out: Path, *extra: str) -> dict:
    from claims.checkworthiness import train

    train.main(["--claimbuster", str(FIXTURES / "claimbuster.json"), "--clef-test", str(FIXTURES / "clef_test"),
                *extra, "--out", str(out), "--c", "0.1", "--min-df", "1", "--max-ngrams", "300"])
    return json.loads(out.read_text(encoding="utf-8"))


def test_retraining_on_the_openly_licensed_sets_alone(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    data = _train(tmp_path / "open.json", "--csabstruct", str(FIXTURES / "csabstruct"))
    assert set(data["training"]["sources"]) == {"claimbuster", "csabstruct"}
    assert data["training"]["open_data_only"] and data["version"].endswith("+open")
    assert Model.from_dict(data).threshold > 0


def test_research_only_sets_are_refused_without_asking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    with pytest.raises(SystemExit) as exit_info:
        _train(tmp_path / "m.json", *RESEARCH_SETS)
    assert exit_info.value.code == 2 and not (tmp_path / "m.json").exists()
    assert "not openly licensed: debates, biomedical; pass --research-data" in capsys.readouterr().err


def test_retraining_from_the_script_on_a_tiny_fixture(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    first = _train(tmp_path / "a.json", *RESEARCH_SETS, "--research-data")
    assert first == _train(tmp_path / "b.json", *RESEARCH_SETS, "--research-data")  # deterministic
    model = Model.from_dict(first)
    assert 0 < len(model.ngrams) <= 300 and model.threshold > 0
    assert first["training"]["sentences"]["biomedical"] > 0 and not first["training"]["open_data_only"]
    # It learned the fixture: a claim outscores a pleasantry.
    scored = score_document([["Thank you all for being here tonight.", "Crime dropped 20 percent in the city."]], model)
    assert scored[1][0] > scored[0][0]


def test_an_experts_say_claim_with_a_date_and_a_name_is_found() -> None:
    # The sentence the old rules missed (issue 10): a vague source, a name, a decade, no number.
    text = ("Walking\n\nMany people aim for a daily step goal. Experts say the figure began as a marketing "
            "slogan for a Japanese pedometer in the 1960s.\n")
    claims = {c.text: c for c in extract(parse(text, "text", "w.txt")).claims}
    found = claims["Experts say the figure began as a marketing slogan for a Japanese pedometer in the 1960s."]
    assert "date: '1960s'" in found.reasons and "names: 'Japanese'" in found.reasons
