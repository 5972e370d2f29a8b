"""The hand-annotated real articles (tests/articles/real, read by bench/attribution.py) stay valid.

Each ``NAME.yml`` names its ``NAME.txt``, carries its licence, URL and split, and every annotated
quotation occurs in the article as the reader reads it, with the fields the README
defines. A broken annotation would make the bench stop or, worse, score the wrong span.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from claims.readers import read_path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "articles" / "real"
ANNOTATIONS = sorted(REAL.glob("*.yml"))
KINDS = {"source", "term", "title", "ambiguous"}
SPEAKER_KINDS = {"person", "organization", "publication", "document", "group"}
MENTIONS = {"n", "p", "d", "c", "v", "o"}
REQUIRED = {"article", "title", "url", "licence", "publisher", "genre", "split", "quotes"}


def test_there_are_annotated_articles() -> None:
    assert len(ANNOTATIONS) >= 41
    assert all((REAL / f"{p.stem}.txt").is_file() for p in ANNOTATIONS)


@pytest.mark.parametrize("path", ANNOTATIONS, ids=lambda p: p.stem)
def test_annotation_is_well_formed(path: Path) -> None:
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert REQUIRED <= gold.keys(), f"{path.name}: missing {REQUIRED - gold.keys()}"
    assert gold["article"] == f"tests/articles/real/{path.stem}.txt"
    assert gold["split"] in {"dev", "heldout"}
    assert gold["url"].startswith(("http://", "https://"))
    text = read_path(ROOT / gold["article"]).text
    cursor = 0
    for q in gold["quotes"]:
        assert q["kind"] in KINDS, f"{path.name}: kind {q['kind']!r}"
        # As bench/attribution.py finds them: after the last one, else anywhere (a repeated word).
        found = text.find(q["text"], cursor)
        if found < 0:
            found = text.find(q["text"])
        assert found >= 0, f"{path.name}: not in the article: {q['text'][:60]!r}"
        cursor = found + 1
        if q["kind"] != "source":
            assert not {"speaker", "mention", "partial"} & q.keys(), f"{path.name}: {q['text'][:40]!r}"
            continue
        assert q.get("mention") in MENTIONS, f"{path.name}: mention of {q['text'][:40]!r}"
        if q.get("speaker"):
            assert q.get("speaker_kind") in SPEAKER_KINDS, f"{path.name}: speaker_kind of {q['text'][:40]!r}"
        if q["mention"] == "n":
            assert q.get("speaker"), f"{path.name}: a credit by name needs the speaker: {q['text'][:40]!r}"
        assert q.get("partial", False) in {True, False}
