"""Readers for the human-labelled data the model is trained and measured on, and the fixed splits.

Nothing here downloads: each reader takes a path to files fetched beforehand (see ``DATA.md``).
Every reader returns :class:`Doc` records: a document's paragraphs (a debate speaker's turn, an
abstract, a sentence standing alone) as lists of labelled sentences, so the position features see
the same structure an article has.

Each set says whether it is openly licensed (``SOURCES[...]["open"]``, see ``DATA.md``): ClaimBuster
(CC BY 4.0) and CSAbstruct (Apache 2.0) are; the CheckThat! debates ("free for general research
use") and the biomedical claim set (no licence) are not, and the training script uses them only
when told to (``--research-data``).

Splits never touch an official test split for training: each training set is divided by a hash of
the document id into ``train`` and ``validation`` (which chooses the regularisation and the claim
threshold), CSAbstruct keeps its official train and dev; official test (and biomedical dev)
splits, the CheckThat! 2019 test debates and a fixed 15% of ClaimBuster are only scored by
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
        "open": False,
    },
    "debates_test": {
        "name": "CLEF-2019 CheckThat! Task 1, test_annotated (7 debates and speeches), official TEST",
        "url": "https://github.com/telsayed/clef2019-factchecking-task1 (data/test_annotated), commit 12366849",
        "licence": "\"These datasets are free for general research use.\" (the lab's README)",
        "labels": "1 = a sentence that a fact-checking organisation chose to check",
        "open": False,
    },
    "claimbuster": {
        "name": "ClaimBuster dataset (Arslan et al., ICWSM 2020), 2.5xNCS file",
        "url": "https://zenodo.org/record/3609356 (CC BY 4.0); copy used: github.com/utaresearch/"
               "claimbuster-spotter data/two_class/kfold_25ncs.json, commit 332bba08",
        "licence": "CC BY 4.0",
        "labels": "1 = check-worthy factual sentence (CFS), 0 = non-factual or unimportant (NFS/UFS)",
        "open": True,
    },
    "csabstruct": {
        "name": "CSAbstruct (Cohan et al., EMNLP 2019): 2,189 computer-science abstracts, each sentence "
                "labelled by 5 crowd workers with its rhetorical role",
        "url": "https://github.com/allenai/sequential_sentence_classification (data/CSAbstruct), commit cf5ad6c",
        "licence": "Apache 2.0 (the repository's LICENSE, which holds the data); abstracts from the Semantic "
                   "Scholar corpus",
        "labels": "1 = RESULT (what the work found or showed), 0 = BACKGROUND, OBJECTIVE, METHOD, OTHER",
        "open": True,
    },
    "biomedical": {
        "name": "Expert-annotated claims in 1,500 biomedical abstracts (Achakulvisut et al., 2020)",
        "url": "https://github.com/titipata/detecting-scientific-claim (dataset/), commit 7a6547c9",
        "licence": "released publicly with arXiv:1907.00962 for research; the repository states no "
                   "licence for the data; abstracts are PubMed/MEDLINE records",
        "labels": "1 = the sentence states a claim (majority of three expert annotators)",
        "open": False,
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


def read_csabstruct(path: Path | str) -> list[Doc]:
    """CSAbstruct JSON lines (``abstract_id``, ``sentences``, ``labels``): an abstract is a
    document of one paragraph; a RESULT sentence is a claim. Abstract ids repeat across lines, so
    a document is named by its line."""
    path = Path(path)
    docs: list[Doc] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if len(row["sentences"]) != len(row["labels"]):
            raise ValueError(f"{path}:{n}: {len(row['sentences'])} sentences but {len(row['labels'])} labels")
        unknown = set(row["labels"]) - CSABSTRUCT_LABELS
        if unknown:
            raise ValueError(f"{path}:{n}: label {sorted(unknown)[0]!r} is not a CSAbstruct role")
        sentences = tuple(Sentence(_clean(s), int(lab == "result"))
                          for s, lab in zip(row["sentences"], row["labels"], strict=True))
        docs.append(Doc(f"cs:{path.stem}:{n}", "csabstruct", (sentences,)))
    return docs


CSABSTRUCT_LABELS = frozenset({"background", "objective", "method", "result", "other"})


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


def load_corpus(claimbuster: Path | str, csabstruct: Path | str | None = None,
                clef_train: Path | str | None = None, clef_test: Path | str | None = None,
                biomedical: Path | str | None = None) -> Corpus:
    """The data as fetched, each set from its own path (``None``: not used):

    * ``claimbuster`` the kfold_25ncs.json file (CC BY 4.0);
    * ``csabstruct`` the folder holding train.jsonl, dev.jsonl and test.jsonl (Apache 2.0);
    * ``clef_train`` the CheckThat! 2020 Task 5 training folder (research use only);
    * ``clef_test`` the CheckThat! 2019 Task 1 test_annotated folder: held out, and its sentences
      are dropped from every training set;
    * ``biomedical`` the folder holding train_labels.json, validation_labels.json and
      test_labels.json (no licence stated); its dev and test splits are held out.

    Which of them a model may be trained on is the training script's decision (``SOURCES[...]
    ["open"]``); every held-out split here is only ever scored.
    """
    debates_test = read_clef(clef_test, "debates") if clef_test else []
    train: dict[str, list[Doc]] = {}
    validation: dict[str, list[Doc]] = {}
    held_out: dict[str, list[Doc]] = {}
    if clef_train:
        debates = split(drop_overlap(read_clef(clef_train, "debates"), debates_test))
        train["debates"], validation["debates"] = debates["train"], debates["validation"]
    cb = split(drop_overlap(read_claimbuster(claimbuster), debates_test), validation=0.15, test=0.15)
    train["claimbuster"], validation["claimbuster"] = cb["train"], cb["validation"]
    if clef_test:
        held_out["debates (CheckThat! 2019 test)"] = debates_test
    held_out["claimbuster (held-out 15%)"] = cb["test"]
    if csabstruct:
        cs_dir = Path(csabstruct)
        train["csabstruct"] = read_csabstruct(cs_dir / "train.jsonl")
        validation["csabstruct"] = read_csabstruct(cs_dir / "dev.jsonl")
        held_out["csabstruct (official test)"] = read_csabstruct(cs_dir / "test.jsonl")
    if biomedical:
        bio_dir = Path(biomedical)
        bio = split(read_biomedical(bio_dir / "train_labels.json"))
        train["biomedical"], validation["biomedical"] = bio["train"], bio["validation"]
        held_out["biomedical (official dev)"] = read_biomedical(bio_dir / "validation_labels.json")
        held_out["biomedical (official test)"] = read_biomedical(bio_dir / "test_labels.json")
    return Corpus(train=train, validation=validation, held_out=held_out)
