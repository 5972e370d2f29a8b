"""Check-worthiness on held-out, human-labelled sentences: a model against simple baselines, per
genre, in one run.

    .venv/bin/python bench/checkworthiness.py \\
        --claimbuster DATA/claimbuster/kfold_25ncs.json [--csabstruct DATA/CSAbstruct] \\
        [--clef-train DATA/clef2020-task5/v2.0/training] [--clef-test DATA/clef2019-task1/test_annotated] \\
        [--biomedical DATA/detecting-scientific-claim/dataset] [--model PATH]

The data paths are the training script's (``python -m claims.checkworthiness.train --help``;
where to get each set and its licence: ``claims/checkworthiness/DATA.md``); each is used when
given. ``--model`` scores another model file (say, one trained on the openly licensed sets only)
instead of the shipped one. The model is not retrained: it is scored as extraction scores
sentences (exclusions first, excluded sentences at 0). Beside it:

* ``number/name`` — the trivial rule: a number, a capitalised word inside the sentence, or both
  (score 0, 1 or 2);
* ``hand weights`` — the sum of the hand-set weights of :data:`claims.rules.CHECKWORTHY` that the
  model replaced;
* ``TF-IDF+LR in-genre`` — word 1-2-gram TF-IDF and a class-balanced logistic regression, fitted
  here on the training split of the held-out set's own genre (the only thing this script fits);
* ``TF-IDF+LR open in-genre`` — the same fitted on the openly licensed set nearest the genre
  (ClaimBuster for debates, CSAbstruct for biomedical abstracts), where that is another set;
* ``TF-IDF+LR pooled`` — the same fitted on all the training data the scored model was fitted on.

Held-out sets: the CheckThat! 2019 test debates (an official test split, used only here, never
for training or tuning), a fixed 15% of ClaimBuster no training step sees, CSAbstruct's official
test split and the biomedical set's official dev and test splits. Metrics: ROC-AUC and average
precision over all sentences, precision at 10% per document (the top tenth of each document's
sentences, at least one, averaged over documents; ClaimBuster's sentences have no documents, so
its set counts as one), and F1 of "is a claim" (the model's claim decision as extraction makes it:
not excluded, something checkable, at least the model's threshold; the rule when it fires;
TF-IDF at 0.5).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from claims import rules
from claims.checkworthiness import score_document, sentence_exclusion, shipped
from claims.checkworthiness.datasets import Doc, load_corpus
from claims.checkworthiness.model import MODEL_PATH, load

NUMBER = re.compile(r"\d")
NAME = re.compile(r"(?<=\S\s)[A-Z][a-z]+")
# The training set of each held-out set's genre, and the openly licensed set nearest it.
OWN_GENRE = {"debates": "debates", "claimbuster": "claimbuster", "biomedical": "biomedical", "csabstruct": "csabstruct"}
NEAREST_OPEN = {"debates": "claimbuster", "biomedical": "csabstruct"}


def number_name(text: str) -> float:
    return float(bool(NUMBER.search(text))) + float(bool(NAME.search(text)))


def hand_weights(text: str) -> float:
    own = rules.fold(text)
    if sentence_exclusion(own):
        return 0.0
    return sum(rule.weight for rule in rules.CHECKWORTHY if rule.evaluate(own) is not None)


def tfidf_model(docs: list[Doc]):  # noqa: ANN201 - returns a scoring function
    texts = [s.text for d in docs for s in d.sentences()]
    labels = [s.label for d in docs for s in d.sentences()]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
    clf.fit(vectorizer.fit_transform(texts), labels)
    return lambda batch: list(clf.predict_proba(vectorizer.transform(batch))[:, 1])


def precision_at_10(docs: list[Doc], scores: list[list[float]], pooled: bool) -> float:
    groups = [(sum((d.sentences() for d in docs), []), sum(scores, []))] if pooled else \
        [(d.sentences(), s) for d, s in zip(docs, scores, strict=True)]
    values = []
    for sentences, doc_scores in groups:
        k = max(1, math.ceil(len(sentences) * 0.1))
        top = sorted(range(len(sentences)), key=lambda i: -doc_scores[i])[:k]
        values.append(sum(sentences[i].label for i in top) / k)
    return sum(values) / len(values)


def evaluate(docs: list[Doc], scores: list[list[float]], claims: list[bool], pooled: bool) -> dict[str, float]:
    labels = [s.label for d in docs for s in d.sentences()]
    flat = [x for doc_scores in scores for x in doc_scores]
    return {
        "ROC-AUC": roc_auc_score(labels, flat),
        "AP": average_precision_score(labels, flat),
        "P@10%/doc": precision_at_10(docs, scores, pooled),
        "F1": f1_score(labels, claims, zero_division=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claimbuster", required=True, help="ClaimBuster kfold_25ncs.json.")
    parser.add_argument("--csabstruct", help="CSAbstruct folder (train/dev/test.jsonl).")
    parser.add_argument("--clef-train", help="CheckThat! 2020 Task 5 v2.0 training folder.")
    parser.add_argument("--clef-test", help="CheckThat! 2019 Task 1 test_annotated folder (scored only).")
    parser.add_argument("--biomedical", help="Folder with train/validation/test_labels.json.")
    parser.add_argument("--model", help="A model file to score instead of the shipped one.")
    args = parser.parse_args()
    corpus = load_corpus(args.claimbuster, args.csabstruct, args.clef_train, args.clef_test, args.biomedical)
    model = load(args.model) if args.model else shipped()
    record = json.loads(Path(args.model or MODEL_PATH).read_text(encoding="utf-8")).get("training", {})
    trained_on = set(record.get("sources", {}))
    pooled_docs = [d for g, docs in corpus.train.items() if g in trained_on for d in docs]
    pooled_tfidf = tfidf_model(pooled_docs) if pooled_docs else None
    fitted = {g: tfidf_model(docs) for g, docs in corpus.train.items()}
    print(f"model {model.version}, threshold {model.threshold}, trained on {', '.join(sorted(trained_on)) or '?'}")
    header = (f"{'held-out set':<32} {'scorer':<24} {'sentences':>9} {'claims':>6} {'ROC-AUC':>7} {'AP':>6} "
              f"{'P@10%/doc':>9} {'F1':>6}")
    print(header)
    print("-" * len(header))
    for name, docs in corpus.held_out.items():
        genre = name.split()[0]
        pooled = genre == "claimbuster"
        texts = [[s.text for s in d.sentences()] for d in docs]
        start = time.perf_counter()
        shipped_pairs = [score_document([[s.text for s in b] for b in d.blocks], model) for d in docs]
        elapsed = time.perf_counter() - start
        rows: dict[str, tuple[list[list[float]], float | list[bool]]] = {
            "model": ([[p for p, _ in pairs] for pairs in shipped_pairs],
                      [c for pairs in shipped_pairs for _, c in pairs]),
            "number/name": ([[number_name(t) for t in ts] for ts in texts], 1.0),
            "hand weights": ([[hand_weights(t) for t in ts] for ts in texts], rules.CLAIM_THRESHOLD),
        }
        baselines = [("TF-IDF+LR in-genre", OWN_GENRE[genre]), ("TF-IDF+LR open in-genre", NEAREST_OPEN.get(genre))]
        for label, source in baselines:
            if source in fitted:
                rows[label] = ([fitted[source](ts) for ts in texts], 0.5)
        if pooled_tfidf is not None:
            rows["TF-IDF+LR pooled"] = ([pooled_tfidf(ts) for ts in texts], 0.5)
        n = sum(len(ts) for ts in texts)
        claims = sum(s.label for d in docs for s in d.sentences())
        for scorer, (scores, cut) in rows.items():
            decided = cut if isinstance(cut, list) else [x >= cut for ss in scores for x in ss]
            m = evaluate(docs, scores, decided, pooled)
            print(f"{name:<32} {scorer:<24} {n:>9} {claims:>6} {m['ROC-AUC']:>7.3f} {m['AP']:>6.3f} "
                  f"{m['P@10%/doc']:>9.3f} {m['F1']:>6.3f}")
        print(f"{'':<32} (model: {n / elapsed:,.0f} sentences/s)")


if __name__ == "__main__":
    main()
