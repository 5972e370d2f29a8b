"""Readers for the human-labelled data the model is trained and measured on, and the fixed splits.

Nothing here downloads: each reader takes a path to files fetched beforehand (see ``DATA.md``).
Every reader returns :class:`Doc` records: a document's paragraphs (a debate speaker's turn, an
abstract, a sentence standing alone) as lists of labelled sentences, so the position features see
the same structure an article has.

Splits never touch an official test split for training: each training set is divided by a hash of
the document id into ``train`` and ``validation`` (which chooses the regularisation and the claim
threshold); official dev and test splits, and the CheckThat! 2019 test debates, are only scored by
``bench/checkworthiness.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import rules


@dataclass(frozen=True)
class Sentence:
    text: str
    label: int


@dataclass(frozen=True)
class Doc:
    id: str
    genre: str
    blocks: tuple[tuple[Sentence, ...], ...]

    def sentences(self) -> list[Sentence]:
        return [s for block in self.blocks for s in block]


# Where each data set comes from and under what terms; DATA.md says the same at more length.
SOURCES = {
    "debates": {
        "name": "CLEF-2020 CheckThat! Task 5 (check-worthiness in political debates), v2.0 training",
        "url": "https://github.com/sshaar/clef2020-factchecking-task5 (data/v2.zip), commit a9d73855",
        "licence": "\"These datasets are free for general research use.\" (the lab's README)",
        "labels": "1 = a sentence that a fact-checking organisation chose to check",
    },
    "debates_test": {
        "name": "CLEF-2019 CheckThat! Task 1, test_annotated (7 debates and speeches), official TEST",
        "url": "https://github.com/telsayed/clef2019-factchecking-task1 (data/test_annotated), commit 12366849",
        "licence": "\"These datasets are free for general research use.\" (the lab's README)",
        "labels": "1 = a sentence that a fact-checking organisation chose to check",
    },
    "claimbuster": {
        "name": "ClaimBuster dataset (Arslan et al., ICWSM 2020), 2.5xNCS file",
        "url": "https://zenodo.org/record/3609356 (CC BY 4.0); copy used: github.com/utaresearch/"
               "claimbuster-spotter data/two_class/kfold_25ncs.json, commit 332bba08",
        "licence": "CC BY 4.0",
        "labels": "1 = check-worthy factual sentence (CFS), 0 = non-factual or unimportant (NFS/UFS)",
    },
    "biomedical": {
        "name": "Expert-annotated claims in 1,500 biomedical abstracts (Achakulvisut et al., 2020)",
        "url": "https://github.com/titipata/detecting-scientific-claim (dataset/), commit 7a6547c9",
        "licence": "released publicly with arXiv:1907.00962 for research; the repository states no "
                   "licence for the data; abstracts are PubMed/MEDLINE records",
        "labels": "1 = the sentence states a claim (majority of three expert annotators)",
    },
}

# ClaimBuster has no document structure: each sentence is its own paragraph.
_TSV_MIN_FIELDS = 4
_HEADER = re.compile(r"^(?:[A-Z][A-Z ,&/-]{2,}\n+:?\s*)+")


def _clean(text: str) -> str:
    return " ".join(rules.fold(text).split())


def read_clef(directory: Path | str, genre: str = "debates") -> list[Doc]:
    """CheckThat! debate files (``line <TAB> speaker <TAB> text <TAB> label``): one document
    each; consecutive lines of one speaker are one paragraph."""
    docs: list[Doc] = []
    for path in sorted(Path(directory).glob("*.tsv")):
        blocks: list[list[Sentence]] = []
        speaker = None
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.split("\t")
            if len(parts) < _TSV_MIN_FIELDS:
                continue
            try:
                label = int(parts[3])
            except ValueError as error:
                raise ValueError(f"{path}:{n}: label {parts[3]!r} is not 0 or 1") from error
            if parts[1] != speaker or not blocks:
                blocks.append([])
                speaker = parts[1]
            blocks[-1].append(Sentence(_clean(parts[2]), label))
        docs.append(Doc(path.stem, genre, tuple(tuple(b) for b in blocks)))
    return docs


def read_claimbuster(path: Path | str) -> list[Doc]:
    """The ClaimBuster JSON list of ``{sentence_id, label, text}``; a document per sentence."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Doc(f"cb{r['sentence_id']}", "claimbuster", ((Sentence(_clean(r["text"]), int(r["label"])),),))
            for r in rows]


def read_biomedical(path: Path | str) -> list[Doc]:
    """One JSON object a line with ``paper_id``, ``sentences`` and ``labels``: an abstract is a
    document of one paragraph. Section labels (BACKGROUND, UNLABELLED) are dropped."""
    docs: list[Doc] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if len(row["sentences"]) != len(row["labels"]):
            raise ValueError(f"{path}:{n}: {len(row['sentences'])} sentences but {len(row['labels'])} labels")
        sentences = tuple(Sentence(_clean(_HEADER.sub("", s)), int(lab))
                          for s, lab in zip(row["sentences"], row["labels"], strict=True))
        docs.append(Doc(f"pmid{row['paper_id']}", "biomedical", (sentences,)))
    return docs


def bucket(doc_id: str) -> float:
    """A stable number in [0, 1) for a document id: the split does not depend on file order."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 16**8


def split(docs: list[Doc], validation: float = 0.15, test: float = 0.0) -> dict[str, list[Doc]]:
    out: dict[str, list[Doc]] = {"train": [], "validation": [], "test": []}
    for doc in docs:
        b = bucket(doc.id)
        name = "test" if b < test else "validation" if b < test + validation else "train"
        out[name].append(doc)
    return out


def drop_overlap(docs: list[Doc], held_out: list[Doc], share: float = 0.2) -> list[Doc]:
    """``docs`` without those that repeat more than ``share`` of any held-out document (a debate
    published again under another file name) and without sentences the held-out set contains."""
    held = [{s.text for s in d.sentences()} for d in held_out]
    every = set().union(*held) if held else set()
    kept = []
    for doc in docs:
        texts = {s.text for s in doc.sentences()}
        if any(len(texts & h) > share * len(h) for h in held):
            continue
        blocks = tuple(tuple(s for s in b if s.text not in every) for b in doc.blocks)
        kept.append(Doc(doc.id, doc.genre, tuple(b for b in blocks if b)))
    return kept


@dataclass(frozen=True)
class Corpus:
    """Training, validation and held-out documents by genre."""

    train: dict[str, list[Doc]]
    validation: dict[str, list[Doc]]
    held_out: dict[str, list[Doc]]


def load_corpus(clef_train: Path | str, clef_test: Path | str, claimbuster: Path | str,
                biomedical: Path | str) -> Corpus:
    """The data as fetched: ``clef_train`` the CheckThat! 2020 Task 5 training folder,
    ``clef_test`` the 2019 Task 1 test_annotated folder, ``claimbuster`` the kfold_25ncs.json file,
    ``biomedical`` the folder holding train_labels.json, validation_labels.json and test_labels.json.
    """
    debates_test = read_clef(clef_test, "debates")
    debates = split(drop_overlap(read_clef(clef_train, "debates"), debates_test))
    cb = split(drop_overlap(read_claimbuster(claimbuster), debates_test), validation=0.15, test=0.15)
    bio_dir = Path(biomedical)
    bio = split(read_biomedical(bio_dir / "train_labels.json"))
    return Corpus(
        train={"debates": debates["train"], "claimbuster": cb["train"], "biomedical": bio["train"]},
        validation={"debates": debates["validation"], "claimbuster": cb["validation"],
                    "biomedical": bio["validation"]},
        held_out={"debates (CheckThat! 2019 test)": debates_test,
                  "claimbuster (held-out 15%)": cb["test"],
                  "biomedical (official dev)": read_biomedical(bio_dir / "validation_labels.json"),
                  "biomedical (official test)": read_biomedical(bio_dir / "test_labels.json")},
    )
