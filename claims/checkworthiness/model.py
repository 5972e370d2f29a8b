"""The shipped check-worthiness model: a logistic regression over :mod:`.features`, stored as plain
JSON (weights by feature name), so loading it runs no code and takes milliseconds.

``model.json`` holds ``format`` and ``version`` (checked on load), the ``intercept``, the
``readable`` and ``ngram`` weights, the ``threshold`` on the probability above which a sentence is
a claim (chosen on held-out data by :mod:`.train`), and the ``training`` record: which data sets,
their licences and sizes, and the validation figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .features import Feature, ngrams

MODEL_PATH = Path(__file__).with_name("model.json")
FORMAT = "claims-checkworthiness"
FORMAT_VERSION = 1
# How many n-grams a reason lists.
REASON_NGRAMS = 3


@dataclass(frozen=True)
class Model:
    version: str
    intercept: float
    readable: dict[str, float]
    ngrams: dict[str, float]
    threshold: float

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"not a {FORMAT} v{FORMAT_VERSION} model file")
        return cls(str(data["version"]), float(data["intercept"]),
                   {k: float(v) for k, v in data["readable"].items()},
                   {k: float(v) for k, v in data["ngrams"].items()}, float(data["threshold"]))

    def logit(self, own: str, features: list[Feature]) -> tuple[float, list[tuple[float, Feature]],
                                                                 list[tuple[float, str]]]:
        """The log-odds for one sentence given its readable ``features``, with each readable
        feature's and n-gram's contribution."""
        total = self.intercept
        parts: list[tuple[float, Feature]] = []
        for feature in features:
            weight = self.readable.get(feature.name)
            if weight:
                contribution = weight * feature.value
                total += contribution
                parts.append((contribution, feature))
        words: list[tuple[float, str]] = []
        for gram in ngrams(own):
            weight = self.ngrams.get(gram)
            if weight:
                total += weight
                words.append((weight, gram))
        return total, parts, words

    def probability(self, own: str, features: list[Feature]) -> float:
        return sigmoid(self.logit(own, features)[0])

    def explain(self, own: str, features: list[Feature], prior: float = 0.0) -> tuple[float, list[str]]:
        """The probability (with ``prior`` log-odds added) and the reasons: every readable
        feature that fired, the ones that raised the score most first, then the words that
        raised it most."""
        total, parts, words = self.logit(own, features)
        total += prior
        parts.sort(key=lambda p: -p[0])
        reasons = [f.reason for c, f in parts if c > 0 or f.name in _ALWAYS_SHOWN]
        reasons += [f.reason for c, f in parts if c <= 0 and f.name not in _ALWAYS_SHOWN
                    and f.name not in _POSITION]
        top = [gram for weight, gram in sorted(words, reverse=True)[:REASON_NGRAMS] if weight > 0]
        if top:
            reasons.append("wording: " + ", ".join(f"'{g[2:]}'" for g in top))
        return sigmoid(total), reasons


# Place and length say why a score moved but are not something to check; they are listed only
# when they raised it.
_POSITION = frozenset({"length", "paragraph_length", "short", "first_in_paragraph", "last_in_paragraph",
                       "alone_in_paragraph", "doc_end"})
_ALWAYS_SHOWN: frozenset[str] = frozenset()


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def load(path: Path | str = MODEL_PATH) -> Model:
    return Model.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def shipped() -> Model:
    """The model in the package, loaded once."""
    return load(MODEL_PATH)
