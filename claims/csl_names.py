"""Initials as citeproc-js makes them, where citeproc-py 0.x differs.

A given name is initialised word by word ("Jane Ann" -> "J. A."), but a word that is already an
abbreviation -- it ends with a period, like "Sh.", "Th.", "Mr." or "Jaime." -- is kept as written,
and a lowercase word is a particle, kept without a mark ("W.M.P. van der" -> "W. M. P. van der").
citeproc-py cut "Sh." to "S." and printed the particles as "van . der .". With an empty mark
(Vancouver) the initials run together and an abbreviation keeps its letters: "ShY", "BJaime".

A name element with initialize="false" keeps given names whole (Chicago's bibliography); citeproc-py
initialised them anyway.

An organisation (a literal name) last in a list is joined by "&" alone, as citeproc-js joins an
institution: "OECD & UNDP", not APA's "OECD, & UNDP" for persons.
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
        if self.get("initialize") == "false":
            return given  # CSL 1.0.2: initialize="false" keeps full given names (Chicago)
        hyphen = bool(self.get_option("initialize-with-hyphen", context))
        if str(mark).endswith(" ") and str(mark).strip():
            return initials(str(given), str(mark), hyphen)
        if not str(mark) and not any(t[:1].islower() for t in str(given).split()):
            return initials(str(given), " ", hyphen).replace(".", "").replace(" ", "")  # "ShY", "BJaime" (Vancouver)
        return original(self, given, mark, context)

    model.Name.initialize = initialize

    original_process = model.Name.process

    def process(self, item, variable, context=None, sort_options=None, **kwargs):  # type: ignore[no-untyped-def]
        names = item.reference.get(variable) or []
        if sort_options or len(names) < 2 or "literal" not in names[-1]:
            return original_process(self, item, variable, context=context, sort_options=sort_options, **kwargs)
        own = self.get("delimiter-precedes-last")
        self.set("delimiter-precedes-last", "contextual")
        try:
            return original_process(self, item, variable, context=context, sort_options=sort_options, **kwargs)
        finally:
            if own is None:
                del self.attrib["delimiter-precedes-last"]
            else:
                self.set("delimiter-precedes-last", own)

    model.Name.process = process
    _PATCHED = True
