"""Initials as citeproc-js makes them, where citeproc-py 0.x differs.

A given name is initialised word by word ("Jane Ann" -> "J. A."), but a word that is already an
abbreviation -- it ends with a period, like "Sh.", "Th.", "Mr." or "Jaime." -- is kept as written,
and a lowercase word is a particle, kept without a mark ("W.M.P. van der" -> "W. M. P. van der").
citeproc-py cut "Sh." to "S." and printed the particles as "van . der .". With an empty mark
(Vancouver) the initials run together and an abbreviation keeps its letters: "ShY", "BJaime".
"""

from __future__ import annotations

import re

_PATCHED = False
_TOKEN = re.compile(r"[^\s.]+\.?")


def initials(given: str, mark: str, hyphen: bool) -> str:
    """``given`` initialised with a ``mark`` that ends in a space (". "); ``hyphen`` keeps "J.-P."."""
    pieces = given.split("-") if hyphen else [given.replace("-", " ")]
    out = []
    for piece in pieces:
        words = []
        for token in _TOKEN.findall(piece):
            bare = token.rstrip(".")
            if not bare:
                continue
            if bare[0].islower():
                words.append(bare)  # a particle
            elif token.endswith(".") and len(bare) > 1:
                words.append(token)  # already an abbreviation
            else:
                words.append(bare[0] + mark.rstrip())
        out.append(" ".join(words))
    return "-".join(out)


def patch() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model

    original = model.Name.initialize

    def initialize(self, given, mark, context):  # type: ignore[no-untyped-def]
        hyphen = bool(self.get_option("initialize-with-hyphen", context))
        if str(mark).endswith(" ") and str(mark).strip():
            return initials(str(given), str(mark), hyphen)
        if not str(mark) and not any(t[:1].islower() for t in str(given).split()):
            return initials(str(given), " ", hyphen).replace(".", "").replace(" ", "")  # "ShY", "BJaime" (Vancouver)
        return original(self, given, mark, context)

    model.Name.initialize = initialize
    _PATCHED = True
