"""Train the check-worthiness model offline and write ``model.json``. Needs scikit-learn
(``pip install -e '.[train]'``); extraction itself never imports this module.

    python -m claims.checkworthiness.train \\
        --claimbuster DATA/claimbuster/kfold_25ncs.json \\
        [--csabstruct DATA/CSAbstruct] \\
        [--research-data --clef-train DATA/clef2020-task5/v2.0/training \\
         --biomedical DATA/detecting-scientific-claim/dataset] \\
        [--clef-test DATA/clef2019-task1/test_annotated] [--out claims/checkworthiness/model.json]

Each set is read from its own path and used when given. ClaimBuster (CC BY 4.0) and CSAbstruct
(Apache 2.0) are openly licensed; the CheckThat! 2020 debates and the biomedical claim set are not
and are refused unless ``--research-data`` is given (the model records which it used). Where each
comes from: ``DATA.md`` and :data:`.datasets.SOURCES`. The CheckThat! 2019 test debates are only
read to drop their sentences from training; no official test split is trained or tuned on. Steps:

1. Features (:mod:`.features`) for every sentence, in its document's context; n-grams seen in
   fewer than ``--min-df`` training sentences are dropped.
2. A logistic regression (L2) per regularisation strength in ``--c``; each genre weighs the same
   in total and, within a genre, claims weigh as much as non-claims, so the score ranks alike
   whatever a genre's share of claims. The strength with the best mean validation ROC-AUC over
   the genres wins.
3. The claim threshold is the highest probability at which the claim decision (as extraction
   makes it: not excluded, something checkable named, probability at least the threshold) keeps
   ``--recall`` of every genre's validation claims, or as many as any threshold keeps where the
   exclusions already lose more (see ``DATA.md``).
4. The ``--max-ngrams`` n-grams with the largest weights are kept, and the model is written.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from . import score_document
from .datasets import SOURCES, Corpus, Doc, load_corpus
from .features import document_features, ngrams
from .model import FORMAT, FORMAT_VERSION, MODEL_PATH, Model

VERSION = "2026.12.1"


# Features whose effect differs by genre: an abstract states its claims last, a debate anywhere.
# In training each also gets a copy per genre (``g:<genre>:<name>``), which soaks up the genre's
# own effect; only the shared weight ships, so the model carries what holds across genres.
GENRE_SPECIFIC = frozenset({"length", "paragraph_length", "short", "first_in_paragraph",
                            "last_in_paragraph", "alone_in_paragraph", "doc_end"})


def examples(docs: Sequence[Doc], by_genre: bool = False) -> tuple[list[dict[str, float]], list[int]]:
    """Feature dicts and labels for the sentences of ``docs``; with
    ``by_genre``, the genre's own copies of :data:`GENRE_SPECIFIC` features and its offset."""
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for doc in docs:
        blocks = [[s.text for s in block] for block in doc.blocks]
        flat = doc.sentences()
        for (own, features), sentence in zip(document_features(blocks), flat, strict=True):
            row = {f"r:{f.name}": f.value for f in features}
            if by_genre:
                row[f"g:{doc.genre}"] = 1.0
                row.update({f"g:{doc.genre}:{f.name}": f.value for f in features if f.name in GENRE_SPECIFIC})
            row.update(dict.fromkeys(ngrams(own), 1.0))
            rows.append(row)
            labels.append(sentence.label)
    return rows, labels


def sample_weights(labels_by_genre: dict[str, list[int]]) -> list[float]:
    """Each genre weighs 1 in total; within it, claims and non-claims weigh half each."""
    weights: list[float] = []
    for labels in labels_by_genre.values():
        pos = sum(labels) or 1
        neg = (len(labels) - sum(labels)) or 1
        weights += [0.5 / pos if y else 0.5 / neg for y in labels]
    scale = len(weights) / sum(weights)
    return [w * scale for w in weights]


def recall_threshold(scored: dict[str, tuple[list[tuple[float, bool]], list[int]]],
                     target: float) -> tuple[float, dict[str, dict[str, float]]]:
    """The highest probability cut at which the claim decision keeps at least ``target`` of every
    genre's validation claims (or, where no cut does, as many as any cut does), with each genre's
    recall, precision and F1 there. Recall first: a claim left out is never reviewed, while one
    too many is ranked low."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    def at(cut: float) -> dict[str, dict[str, float]]:
        out = {}
        for genre, (pairs, y) in scored.items():
            pred = [p >= cut and claim_like for p, claim_like in pairs]
            out[genre] = {"recall": recall_score(y, pred, zero_division=0.0),
                          "precision": precision_score(y, pred, zero_division=0.0),
                          "f1": f1_score(y, pred, zero_division=0.0)}
        return out

    floor = at(0.0)
    for step in range(95, 0, -1):
        cut = step / 100
        figures = at(cut)
        if all(figures[g]["recall"] >= min(target, floor[g]["recall"]) for g in figures):
            return cut, figures
    return 0.01, at(0.01)


def _int32(matrix):  # noqa: ANN001, ANN202 - a scipy sparse matrix
    """liblinear accepts only 32-bit sparse indices; DictVectorizer may give 64-bit ones."""
    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype("int32")
    matrix.indptr = matrix.indptr.astype("int32")
    return matrix


def fit(corpus: Corpus, cs: Sequence[float], min_df: int, max_ngrams: int, recall: float,
        research_data: bool = False) -> dict:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    closed = [g for g in corpus.train if not SOURCES[g]["open"]]
    if closed and not research_data:
        raise ValueError(f"not openly licensed: {', '.join(closed)}; pass --research-data to train on it "
                         "anyway (see DATA.md)")
    train_rows: list[dict[str, float]] = []
    labels_by_genre: dict[str, list[int]] = {}
    for genre, docs in corpus.train.items():
        rows, labels = examples(docs, by_genre=True)
        train_rows += rows
        labels_by_genre[genre] = labels
    df: dict[str, int] = {}
    for row in train_rows:
        for key in row:
            if not key.startswith(("r:", "g:")):
                df[key] = df.get(key, 0) + 1
    keep = {k for k, n in df.items() if n >= min_df}
    train_rows = [{k: v for k, v in row.items() if k.startswith(("r:", "g:")) or k in keep} for row in train_rows]
    vectorizer = DictVectorizer()
    x = _int32(vectorizer.fit_transform(train_rows))
    y = np.array([lab for labels in labels_by_genre.values() for lab in labels])
    weights = np.array(sample_weights(labels_by_genre))
    validation = {g: examples(docs) for g, docs in corpus.validation.items()}
    x_val = {g: _int32(vectorizer.transform(rows)) for g, (rows, _) in validation.items()}

    best: tuple[float, float, LogisticRegression | None, dict[str, float]] = (-1.0, 0.0, None, {})
    for c in cs:
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=2000)
        clf.fit(x, y, sample_weight=weights)
        aucs = {g: float(roc_auc_score(validation[g][1], clf.predict_proba(x_val[g])[:, 1]))
                for g in validation if 0 < sum(validation[g][1]) < len(validation[g][1])}
        mean = sum(aucs.values()) / max(len(aucs), 1)
        print(f"C={c:g}: validation ROC-AUC " + ", ".join(f"{g} {a:.3f}" for g, a in aucs.items())
              + f"; mean {mean:.3f}")
        if mean > best[0]:
            best = (mean, c, clf, aucs)
    _, c, clf, aucs = best
    assert clf is not None
    names = vectorizer.get_feature_names_out()
    coefs = clf.coef_[0]
    readable_w = {n[2:]: round(float(w), 4) for n, w in zip(names, coefs, strict=True) if n.startswith("r:")}
    grams = sorted(((float(w), n) for n, w in zip(names, coefs, strict=True)
                    if not n.startswith(("r:", "g:")) and abs(w) >= 1e-3), key=lambda p: -abs(p[0]))[:max_ngrams]
    # The genres' offsets average out: a sentence of unknown genre gets the mean.
    offsets = [float(w) for n, w in zip(names, coefs, strict=True) if n.startswith("g:") and n.count(":") == 1]
    intercept = float(clf.intercept_[0]) + (sum(offsets) / len(offsets) if offsets else 0.0)
    model_dict = {
        # A model fitted on the openly licensed sets alone says so in its version.
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "version": VERSION + ("+open" if all(SOURCES[g]["open"] for g in corpus.train) else ""),
        "intercept": round(intercept, 4),
        "readable": dict(sorted(readable_w.items())),
        "ngrams": {n: round(w, 4) for w, n in sorted(grams, key=lambda p: p[1])},
        "threshold": 0.0,
    }
    # The threshold is chosen on the model as shipped (pruned, rounded), scored like extraction.
    model = Model.from_dict(model_dict)
    scored = {}
    for genre, docs in corpus.validation.items():
        pairs: list[tuple[float, bool]] = []
        ys: list[int] = []
        for doc in docs:
            # At threshold 0 the decision is "not excluded and checkable"; recall_threshold cuts.
            pairs += score_document([[s.text for s in block] for block in doc.blocks], model)
            ys += [s.label for s in doc.sentences()]
        scored[genre] = (pairs, ys)
    threshold, figures = recall_threshold(scored, recall)
    model_dict["threshold"] = threshold
    model_dict["training"] = {
        "sources": {g: SOURCES[g] for g in corpus.train},
        "open_data_only": all(SOURCES[g]["open"] for g in corpus.train),
        "sentences": {g: len(labels) for g, labels in labels_by_genre.items()},
        "claims": {g: sum(labels) for g, labels in labels_by_genre.items()},
        "C": c, "min_df": min_df, "ngrams_kept": len(model_dict["ngrams"]),
        "validation_roc_auc": {g: round(a, 4) for g, a in aucs.items()},
        "recall_target": recall,
        "validation_at_threshold": {g: {k: round(v, 4) for k, v in m.items()} for g, m in figures.items()},
        "note": "threshold on the probability; see claims/checkworthiness/DATA.md",
    }
    return model_dict


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claimbuster", required=True, help="ClaimBuster kfold_25ncs.json (CC BY 4.0).")
    parser.add_argument("--csabstruct", help="CSAbstruct folder with train.jsonl, dev.jsonl, test.jsonl (Apache 2.0).")
    parser.add_argument("--clef-train", help="CheckThat! 2020 Task 5 v2.0 training folder (research use only).")
    parser.add_argument("--biomedical", help="Folder with train/validation/test_labels.json (no licence stated).")
    parser.add_argument("--research-data", action="store_true",
                        help="Allow training on the sets that are not openly licensed.")
    parser.add_argument("--clef-test", help="CheckThat! 2019 Task 1 test_annotated folder: only to drop overlaps.")
    parser.add_argument("--out", default=str(MODEL_PATH), help="Where to write the model JSON.")
    parser.add_argument("--c", default="0.03,0.1,0.3,1", help="Regularisation strengths to try.")
    parser.add_argument("--min-df", type=int, default=3, help="Drop n-grams in fewer training sentences.")
    parser.add_argument("--recall", type=float, default=0.9,
                        help="Claims the threshold must keep in every genre's validation set.")
    parser.add_argument("--max-ngrams", type=int, default=20000, help="Keep this many n-grams.")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.claimbuster, args.csabstruct, args.clef_train, args.clef_test, args.biomedical)
    try:
        model = fit(corpus, [float(c) for c in args.c.split(",")], args.min_df, args.max_ngrams, args.recall,
                    args.research_data)
    except ValueError as error:
        parser.error(str(error))  # one line and exit status 2, no traceback
    Path(args.out).write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    t = model["training"]
    print(f"wrote {args.out}: C={t['C']}, {t['ngrams_kept']} n-grams, threshold {model['threshold']}, "
          f"validation {t['validation_at_threshold']}")


if __name__ == "__main__":
    main()
