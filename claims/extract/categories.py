"""What a claim is about, for `claims.category`.

The health categories (:data:`claims.rules.CATEGORIES`: safety, comparison, efficacy, mechanism,
anatomy) are tried first, as before. A claim none of them fits was ``other``; three more are tried
on it, because most check-worthy sentences outside health writing are of these kinds (on the
ClaimBuster debate sentences labelled check-worthy, 71% fell to ``other`` with the health
categories alone):

* ``attribution`` — a claim about what someone other than the speaker said, believes or did
  ("Some researchers believe…", "The senator said…", "according to the report");
* ``statistic`` — a claim that rests on a figure: a quantity, percentage or sum of money;
* ``policy`` — a claim about laws, votes, government, jobs, taxes or other public affairs.
"""

from __future__ import annotations

import re

from .. import rules
from ..checkworthiness.features import MONEY, PERCENT, POLICY, QUANTITY, tokens
from ..models import ClaimCategory

# A third party credited with words or a belief: a name ("Smith said"), a pronoun, someone named
# by a common noun ("the senator said") or a source noun ("researchers believe"); not "I think" or "we believe", and a capitalised function word that
# opens the sentence ("The report is…", "It shows…") is no name.
_NOT_A_NAME = (r"(?!(?-i:We|You|It|This|That|There|These|Those|Our|Your|My|The|A|An|Some|Many|Most|One|In|On|"
               r"At|If|When|And|But|So|What|Here)\b)")
ATTRIBUTION = re.compile(
    r"\b(?:" + _NOT_A_NAME + r"(?-i:[A-Z][A-Za-z'’-]*[a-z])|he|she|they|(?:the|a|an|his|her|their)\s+[a-z][\w-]*|"
    + rules.SOURCE_NOUN + r")\s+(?:[\w-]+\s+){0,2}?(?:" + rules.SPEECH_VERB
    + r"|believes?|believed|thinks?|thought|estimates?|estimated|predicts?|predicted|agrees?|agreed|"
    r"claims?|claimed)\b|\baccording\s+to\b",
    re.IGNORECASE,
)


# Identifiers and links carry digits that are no figure: "(doi:10.1186/s12906-021-03297-z)".
IDENTIFIER = re.compile(r"\b(?:doi:\s*|https?://|www\.)\S+|\b10\.\d{4,9}/\S+", re.IGNORECASE)


def category(own: str) -> ClaimCategory:
    """The category of a claim's own words (quotations masked): the health category with the
    most keyword hits (ties to the earlier), else attribution, statistic or policy, else other."""
    best: ClaimCategory = "other"
    best_hits = 0
    for name, pattern in rules.CATEGORIES:
        hits = len(pattern.findall(own))
        if hits > best_hits:
            best, best_hits = name, hits
    if best != "other":
        return best
    if ATTRIBUTION.search(own):
        return "attribution"
    figures = IDENTIFIER.sub(" ", own)
    if any(c.isdigit() for c in figures) and (QUANTITY.search(figures) or PERCENT.search(figures)
                                              or MONEY.search(figures)):
        return "statistic"
    if POLICY.find(tokens(own)):
        return "policy"
    return "other"
