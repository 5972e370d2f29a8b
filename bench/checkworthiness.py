"""Check-worthiness on held-out, human-labelled sentences: the shipped model against simple
baselines, per genre, in one run.

    .venv/bin/python bench/checkworthiness.py \\
        --clef-train DATA/clef2020-task5/v2.0/training --clef-test DATA/clef2019-task1/test_annotated \\
        --claimbuster DATA/claimbuster/kfold_25ncs.json --biomedical DATA/detecting-scientific-claim/dataset

The data paths are the training script's (``python -m claims.checkworthiness.train --help``;
where to get each set: ``claims/checkworthiness/DATA.md``). The shipped model is not retrained:
it is scored as extraction scores sentences (exclusions first, excluded sentences at 0). Beside it:

* ``number/name`` — the trivial rule: a number, a capitalised word inside the sentence, or both
  (score 0, 1 or 2);
* ``hand weights`` — the sum of the hand-set weights of :data:`claims.rules.CHECKWORTHY` that the
  model replaced;
* ``TF-IDF+LR in-genre`` — word 1-2-gram TF-IDF and a class-balanced logistic regression, fitted
  here on the training split of the same genre (the only thing this script fits);
* ``TF-IDF+LR pooled`` — the same fitted on all the model's training data.

Held-out sets: the CheckThat! 2019 test debates (an official test split, used only here, never
for training or tuning), a fixed 15% of ClaimBuster no training step sees, and the biomedical
set's official dev and test splits. Metrics: ROC-AUC and average precision over all sentences,
precision at 10% per document (the top tenth of each document's sentences, at least one, averaged
over documents; ClaimBuster's sentences have no documents, so its set counts as one), and F1 of
"is a claim" (the model's claim decision as extraction makes it: not excluded, something
checkable, at least the shipped threshold; the rule when it fires; TF-IDF at 0.5).
"""

from __future__ import annotations

import argparse
import math
import re
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from claims import rules
from claims.checkworthiness import score_document, sentence_exclusion, shipped
from claims.checkworthiness.datasets import Doc, load_corpus

NUMBER = re.compile(r"\d")
NAME = re.compile(r"(?<=\S\s)[A-Z][a-z]+")
GENRE_OF = {"debates": "debates", "claimbuster": "claimbuster", "biomedical": "biomedical"}


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
    parser.add_argument("--clef-train", required=True, help="CheckThat! 2020 Task 5 v2.0 training folder.")
    parser.add_argument("--clef-test", required=True, help="CheckThat! 2019 Task 1 test_annotated folder.")
    parser.add_argument("--claimbuster", required=True, help="ClaimBuster kfold_25ncs.json.")
    parser.add_argument("--biomedical", required=True, help="Folder with train/validation/test_labels.json.")
    args = parser.parse_args()
    corpus = load_corpus(args.clef_train, args.clef_test, args.claimbuster, args.biomedical)
    model = shipped()
    pooled_tfidf = tfidf_model([d for docs in corpus.train.values() for d in docs])
    in_genre = {g: tfidf_model(docs) for g, docs in corpus.train.items()}
    print(f"model {model.version}, threshold {model.threshold}")
    header = f"{'held-out set':<32} {'scorer':<20} {'sentences':>9} {'claims':>6} {'ROC-AUC':>7} {'AP':>6} {'P@10%/doc':>9} {'F1':>6}"
    print(header)
    print("-" * len(header))
    for name, docs in corpus.held_out.items():
        genre = name.split()[0]
        pooled = genre == "claimbuster"
        texts = [[s.text for s in d.sentences()] for d in docs]
        start = time.perf_counter()
        shipped_pairs = [score_document([[s.text for s in b] for b in d.blocks], model) for d in docs]
        elapsed = time.perf_counter() - start
        rows = {
            "shipped model": ([[p for p, _ in pairs] for pairs in shipped_pairs],
                              [c for pairs in shipped_pairs for _, c in pairs]),
            "number/name": ([[number_name(t) for t in ts] for ts in texts], 1.0),
            "hand weights": ([[hand_weights(t) for t in ts] for ts in texts], rules.CLAIM_THRESHOLD),
            "TF-IDF+LR in-genre": ([in_genre[GENRE_OF[genre]](ts) for ts in texts], 0.5),
            "TF-IDF+LR pooled": ([pooled_tfidf(ts) for ts in texts], 0.5),
        }
        n = sum(len(ts) for ts in texts)
        claims = sum(s.label for d in docs for s in d.sentences())
        for scorer, (scores, cut) in rows.items():
            decided = cut if isinstance(cut, list) else [x >= cut for ss in scores for x in ss]
            m = evaluate(docs, scores, decided, pooled)
            print(f"{name:<32} {scorer:<20} {n:>9} {claims:>6} {m['ROC-AUC']:>7.3f} {m['AP']:>6.3f} "
                  f"{m['P@10%/doc']:>9.3f} {m['F1']:>6.3f}")
        print(f"{'':<32} (shipped model: {n / elapsed:,.0f} sentences/s)")


if __name__ == "__main__":
    main()
