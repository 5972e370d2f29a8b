"""Check-worthiness as a measured model: readable features and wording, weights fitted on
human-labelled sentences from political debates and speeches and biomedical abstracts.

* :mod:`.features` — what the model reads from a sentence, each feature with a reason in words;
* :mod:`.model` — the shipped weights (``model.json``, plain JSON) and how a sentence is scored;
* :mod:`.datasets` — readers for the training data and its fixed splits (``DATA.md``);
* :mod:`.train` — the offline training script (``python -m claims.checkworthiness.train``).

Extraction (:mod:`claims.extract.claims`) applies the exclusions first (questions, calls to action,
asides, lead-ins, talk about the post) and then this model; :func:`score_document` does the same
for a document given as sentences, which is how ``bench/checkworthiness.py`` measures it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import rules
from .features import Context, checkable, document_features
from .model import Model, shipped

__all__ = ["Context", "Model", "score_document", "sentence_exclusion", "shipped"]

_CLOSING = re.compile(r"[\s\"'”’»)\]]+$")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def sentence_exclusion(own: str) -> str | None:
    """Why a sentence is never a claim by its own words, whatever the genre: a question, an
    instruction or call to action, an aside, talk about the post itself, page furniture, or a
    fragment of under three words. (Extraction adds the exclusions that need the article's
    structure: lead-ins to quotations, headings, list fragments.)"""
    if _CLOSING.sub("", own).endswith("?"):
        return rules.QUESTION_REASON
    for rule in rules.EXCLUSIONS:
        match = rule.find(own.lstrip(" \"'([-—–*•"))
        if match:
            return rule.explain(match)
    if len(_WORD.findall(own)) < 3:
        return rules.FRAGMENT_REASON
    return None


def score_document(blocks: Sequence[Sequence[str]], model: Model | None = None) -> list[tuple[float, bool]]:
    """Each sentence's check-worthiness (0..1) and whether it is a claim, for a document given as
    paragraphs of sentences, as extraction decides: an excluded sentence scores 0; a claim scores
    at least the model's threshold and names something checkable (:func:`.features.checkable`)."""
    model = model or shipped()
    out = []
    for own, features in document_features([[rules.fold(s) for s in block] for block in blocks]):
        if sentence_exclusion(own):
            out.append((0.0, False))
            continue
        p = model.probability(own, features)
        out.append((p, p >= model.threshold and checkable(features)))
    return out
