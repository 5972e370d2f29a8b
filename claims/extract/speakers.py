"""Who said it: the speaker of every source quotation, resolved to one record per person or body.

For each quotation the credit is read from its own sentence, with the quotations masked out:

- after the quotation: ``“…,” said Ambassador Mohib`` (verb, speaker), ``“…,” Khaled Al-Maeena,
  editor at large at the Saudi Gazette, said`` (speaker, verb), ``“…,” according to the Herald``,
  ``“…” — Matthew Ingram``;
- before it: ``Jeff Rathke, the State Department Spokesperson, said, “…”``, ``she continued:
  “…”``, ``Galantino has called the sentence “dangerous”`` (a partial quote);
- none in the sentence: a lead-in ending the previous sentence or paragraph ("X issued a
  statement." / "X said:"), else the last speaker of the same or the previous paragraph (news
  convention for follow-on quotations).

The speaker of a reporting verb is its subject: the pronoun right before it, else the nearest
capitalised name before it that is not the object of a preposition ("Edward Alden of the
Council on Foreign Relations said" names Alden), not a possessor ("Malaysia's Prime Minister,
Najib Razak said"), never a word after the verb ("told Reuters"), else a description ("the
agency said"). Titles before a name ("Vice President Joe Biden") and appositives after it go to
the description.

Coreference: a surname ("Smith"), an acronym ("KCNA"), or a full name resolves to the first full
name the article gives; a pronoun to the most recent compatible person (gender from honorifics,
role nouns, first names and the pronouns already resolved to them) or body ("it", "they"); a
definite description ("the agency", "the senator") to the most recent body or person of that
kind. What cannot be resolved stays ``vague`` with its words as the attribution.

Name spans live in :mod:`.names`, the speaker records and coreference in :mod:`.coreference`;
this module reads the credit around each quotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import rules
from . import lexicon as lx
from .coreference import Speaker, SpeakerIndex
from .names import (
    _CROWD,
    _GENERIC,
    ABBREVIATIONS,
    COMMON_WORDS,
    PREPOSITIONS,
    _classify,
    _first_gender,
    _Name,
    _preceded_by_preposition,
    _words,
)
from .reporting_verbs import AMBIGUOUS_FORMS, NAMING_FORMS, REPORTING_FORMS

__all__ = ["Credit", "Speaker", "SpeakerIndex", "credit_after", "credit_before", "is_naming"]

# Irregular past participles that end a noun phrase ("a letter seen by", "a report written by").
PARTICIPLES = frozenset("seen written given taken sent made shown known held led told obtained quoted cited "
                        "published released issued".split())
# Words that may sit between a subject and its verb: "he also said", "she has since told".
AUXILIARIES = frozenset("""also later then has have had will would could should may might
previously recently further again once first finally simply only just since earlier still
even often frequently repeatedly quickly calmly flatly bluntly firmly cautiously added himself
herself themselves itself myself ourselves""".split())
POSSESSIVES = {"his": "he", "her": "she", "its": "it", "their": "they"}
# Nouns for what someone said: "the words of X", "a line from X", "his last words were:".
SPEECH_NOUNS = frozenset("words word line lines quote quotation verse verses motto saying phrase remark remarks "
                         "advice dictum reply response answer comment comments message speech address".split())
QUOTED_FROM_RE = re.compile(r"\b(?:words?|lines?|quote|quotation|verses?|motto|saying|phrase|remarks?|"
                            r"advice|dictum|poem)\s+(?:of|from|by)\s+$|\b(?:words?|lines?|quote|quotation|verses?|"
                            r"poem)\s+(?:of|from|by)\s+(?:the\s+)?(?=[A-Z])", re.IGNORECASE)
# A full stop that ends a sentence, not an abbreviation ("Dr.", "Sen.", "J.", "N.Y.").
_STOP = "".join(rf"(?<!\b{a})" for a in ABBREVIATIONS) + r"(?<!\b[A-Z])\."
CLAUSE_BREAK_RE = re.compile(r"[;:—–]|\s--?\s|" + _STOP + r"\s|,\s+(?:but|and|while|although|though|whereas|as|with|where|when)\s", re.IGNORECASE)
# A full stop run into the next sentence without a space ("the enterprise.Looking ahead") ends it too.
CLAUSE_END_RE = re.compile(r"[;:!?]|" + _STOP + r"(?=\s|$)|(?<=[a-z]{2})\.(?=[A-Z][a-z])")


# A transcript's speaker label before a quotation: "JACOB ZUMA: “…”".
SPEAKER_LABEL_RE = re.compile(r"\s*((?:Dr\.|Prof\.|Mr\.|Mrs\.|Ms\.)?\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*:\s*")
# The speaker "index" of an outright unnamed source.
UNNAMED = -1


@dataclass
class Credit:
    """What a quotation's credit says: a resolved speaker (index) or only words."""

    attribution: str
    speaker: int | None
    partial: bool = False
    # The credit names an unnamed source outright ("Researchers at X said"): vague, whatever a
    # name elsewhere in it.
    unnamed: bool = False
    # The quotation is the reporting verb's speech ("said the plan was “…”"), not its topic.
    reported: bool = True

    @classmethod
    def of(cls, attribution: str, found: tuple[str, int | None], partial: bool = False) -> Credit:
        speaker = found[1]
        return cls(attribution, None if speaker == UNNAMED else speaker, partial, speaker == UNNAMED)



# ---------------------------------------------------------------------------------------------
# Reading a credit
# ---------------------------------------------------------------------------------------------




def _is_verb(word: str, strict: bool) -> bool:
    w = word.casefold().rstrip(".,")
    return w in REPORTING_FORMS and not (strict and w in AMBIGUOUS_FORMS)


def _verb_at(text: str, word: re.Match[str], strict: bool) -> bool:
    """A reporting verb, unless a capitalised form right after a capitalised word: part of a
    name ("United States", "Consumer Reports")."""
    if not _is_verb(word.group(0), strict):
        return False
    return not (word.group(0)[:1].isupper() and re.search(r"[A-Z][\w'’.-]*\s+$", text[max(0, word.start() - 40) : word.start()]))


def _subject_before(index: SpeakerIndex, start: int, verb_at: int) -> tuple[str, int | None] | None:
    """The subject of the reporting verb at ``verb_at``, looked for in ``text[start:verb_at]``.

    Returns (the words that credit, speaker index or None for an unnamed source), or None if
    nothing there reads as a subject.
    """
    text = index.text
    words = _words(text, start, verb_at)
    # "he also said": a pronoun right before the verb (auxiliaries between).
    j = len(words) - 1
    while j >= 0 and (words[j].group(0).casefold() in AUXILIARIES or words[j].group(0).endswith("ly")):
        j -= 1
    if j >= 0 and words[j].group(0).casefold() in lx.PRONOUNS:
        pronoun = words[j].group(0)
        return pronoun, index.resolve_pronoun(pronoun, words[j].start())
    if words and words[0].group(0).casefold() in POSSESSIVES and any(
            w.group(0).casefold() in lx.DOCUMENT_NOUNS | SPEECH_NOUNS for w in words[1:4]):
        pronoun = POSSESSIVES[words[0].group(0).casefold()]
        return " ".join(w.group(0) for w in words[:4]), index.resolve_pronoun(pronoun, words[0].start())
    names = index.names_in(start, verb_at)
    for ni, name in enumerate(names):
        if _preceded_by_preposition(text, name.start, start) or text[max(0, name.start - 1) : name.start] == "(":
            continue  # "of the Council", "(Italian Episcopal Conference)": not the subject
        if ni + 1 < len(names) and (_modifies_role(text, name.end, names[ni + 1].start)
                                    or _role_before(text, name.start, names[ni + 1])):
            continue  # "White House press secretary Sarah Sanders": the body qualifies her role
        after = text[name.end : name.end + 3]
        rest = [w.group(0).casefold() for w in _words(text, name.end, verb_at)]
        if after.startswith(("'s", "’s", "' ", "’ ")):
            if not any(w in lx.DOCUMENT_NOUNS or w[:-1] in lx.DOCUMENT_NOUNS for w in rest[:4]):
                continue
        else:
            gap = text[name.end : verb_at]
            head = rest[0] if rest and not gap.lstrip().startswith((",", "(")) else ""
            singular = head[:-1] if head.endswith("s") else head
            if head and not (head in lx.DOCUMENT_NOUNS and len(rest) <= 3) and (
                    {head, singular} & (lx.PERSON_NOUNS | lx.ORG_NOUNS | lx.DOCUMENT_NOUNS)
                    or _GENERIC.fullmatch(head)):
                if head in lx.BODY_HEADS and len(rest) <= 3 and ni + 1 == len(names):
                    # "the Obama campaign calls", "the Trump administration said": that body.
                    body = f"{name.name} {text[name.end : verb_at].split()[0]}"
                    return " ".join(text[name.start : verb_at].split()), index.add(
                        body, "organization", None, None, name.start)
                continue  # a name modifying a noun ("Harvard researchers found")
        credit = text[name.start : verb_at]
        gap = text[name.end : verb_at]
        lead = text[start : name.start]
        lead = lead[lead.rfind(",") + 1 :] if "," in lead.rstrip(" ,") else lead.rstrip(" ,")
        role = lead if 0 < len(lead.split()) <= 8 and not lead.split()[0].endswith("ing") else ""
        if name.description:
            role = " ".join(role.split()) + (" " if role else "") + name.description if name.description not in role else role
        described = gap if gap.lstrip().startswith(",") or re.match(r"\s+(?:of|at|from|with)\s", gap) else role
        return " ".join(credit.split()).strip(" ,"), index.resolve_name(name, described)
    if j >= 0 and (_CROWD.fullmatch(words[j].group(0)) or re.fullmatch(rules.SOURCE_NOUN, words[j].group(0), re.IGNORECASE)):
        # "Experts say", "critics said": unnamed; "Harvard researchers found" is left to the
        # phrase rules (a body names them), "a user labelled" is no subject and verb.
        before = words[j - 1].group(0) if j else ""
        crowd = words[j].group(0).endswith("s") and not before[:1].isupper() and before.casefold() not in {
            "a", "an", "one", "by"}
        return " ".join(w.group(0) for w in words[max(0, j - 2) : j + 1]), UNNAMED if crowd else None
    if words and words[0].group(0).endswith("s") and (
            _CROWD.fullmatch(words[0].group(0)) or re.fullmatch(rules.SOURCE_NOUN, words[0].group(0), re.IGNORECASE)):
        # "Researchers at Johns Hopkins University said": a crowd whose place is named, unnamed.
        return " ".join(w.group(0) for w in words[:5]), UNNAMED
    # A description: "the agency", "one poster", "the report's authors".
    if words and words[0].group(0).casefold() in {"a", "an", "one", "some", "another", "many", "several"}:
        phrase = []
        for w in words[:5]:
            if w.group(0).casefold() in PREPOSITIONS:
                # "A spokesman for the Food and Drug Administration said": the body speaks.
                body = next((n for n in index.names_in(w.end(), verb_at) if n.kind != "person"), None)
                if body is not None and not _words(text, w.end(), body.start)[1:] and _role(phrase[-1:]):
                    return " ".join(text[words[0].start() : body.end].split()), index.resolve_name(body)
                break
            if phrase and len(phrase) > 1 and (w.group(0).endswith("ed") or w.group(0) in PARTICIPLES):
                # "A leaked internal letter seen by Sky News says": the letter speaks, unnamed.
                documents = phrase[-1].casefold() in lx.DOCUMENT_NOUNS
                return " ".join(phrase), UNNAMED if documents else _described(index, phrase, verb_at)
            phrase.append(w.group(0))
        return " ".join(phrase), _described(index, phrase, verb_at)
    tail = [w.group(0) for w in words[-4:]]
    for k in range(len(tail) - 1, -1, -1):  # the last determiner: "In The Lancet, the authors"
        if tail[k].casefold() in {"the", "a", "an", "one", "some", "another", "this", "that", "many",
                                  "several", "other"}:
            phrase = tail[k:]
            while len(phrase) > 2 and (phrase[-1].casefold() in AUXILIARIES or phrase[-1].endswith("ly")):
                phrase = phrase[:-1]  # "The organization also states"
            return " ".join(phrase), _described(index, phrase, verb_at)
    if tail and (tail[-1].casefold().rstrip("s") in lx.PERSON_NOUNS or tail[-1].casefold() in lx.PERSON_NOUNS):
        return " ".join(tail[-2:]), None
    # "The patient, a 52-year-old woman from Ohio, told doctors": the clause opens with its subject.
    if words and words[0].group(0).casefold() in {"the", "this", "that"}:
        phrase: list[str] = []
        for w in words[:6]:
            if w.group(0).casefold() in PREPOSITIONS:
                break
            phrase.append(w.group(0))
            if text[w.end() : w.end() + 1] in {",", "("}:
                break
        head = phrase[-1].casefold() if phrase else ""
        if len(phrase) > 1 and {head, head[:-1]} & (lx.PERSON_NOUNS | lx.FEMALE_NOUNS | lx.MALE_NOUNS | lx.ORG_NOUNS
                                                 | lx.PUBLICATION_NOUNS):
            return " ".join(phrase), _described(index, phrase, verb_at)
    return None


def _role(words: list[str]) -> bool:
    """Whether a word names a person's role ("spokesman", "officials"): one who speaks for a body."""
    head = words[-1].casefold() if words else ""
    return head in lx.PERSON_NOUNS or head[:-1] in lx.PERSON_NOUNS


def _described(index: SpeakerIndex, phrase: list[str], at: int) -> int | None:
    """The speaker a description subject refers to; an unresolved description of people ("the
    authors", "the doctor") is an unnamed source, whatever name the clause holds elsewhere."""
    resolved = index.resolve_description(phrase, at)
    if resolved is not None:
        return resolved
    head = phrase[-1].casefold().strip(",.") if phrase else ""
    people = lx.PERSON_NOUNS | lx.FEMALE_NOUNS | lx.MALE_NOUNS
    if head in people or head[:-1] in people or _CROWD.fullmatch(head):
        return UNNAMED
    return None


def _modifies_role(text: str, end: int, next_name: int) -> bool:
    """Whether the lower-case words between a name and the next one are a role the first name
    qualifies ("Chinese Foreign Ministry spokesman Zhao Lijian", "HHS press secretary X")."""
    gap = text[end:next_name]
    if re.search(r"[,;:()—–]|\b(?:and|or|with|to|told|said)\b", gap):
        return False
    words = [w.casefold() for w in re.findall(r"[A-Za-z][\w-]*", gap)]
    return bool(words) and all(w.islower() for w in re.findall(r"[A-Za-z][\w-]*", gap)) and any(
        w in lx.PERSON_NOUNS or w.split("-")[-1] in lx.PERSON_NOUNS for w in words)


def _role_before(text: str, start: int, name: _Name) -> bool:
    """Whether ``text[start:name.start]`` is a role set off by a comma before the person's name:
    "Senate Majority Leader, Nevada Democrat Harry Reid said"."""
    if name.kind != "person":
        return False
    match = re.fullmatch(r"(.*?\S)\s*,\s*(?:[A-Z][\w.'’-]*\s+)*", text[start : name.start], re.DOTALL)
    if match is None or "," in match.group(1):
        return False
    last = match.group(1).split()[-1]
    return last in lx.TITLES or last.casefold() in lx.PERSON_NOUNS


def _subject_after(index: SpeakerIndex, verb_end: int, end: int) -> tuple[str, int | None] | None:
    """The subject after an inverted verb: "“…,” said Ambassador Mohib of Afghanistan."""
    text = index.text
    words = _words(text, verb_end, end)
    if words and words[0].group(0).casefold() in lx.PRONOUNS:
        pronoun = words[0].group(0)
        return pronoun, index.resolve_pronoun(pronoun, words[0].start())
    names = index.names_in(verb_end, end)
    if names and not _words(text, verb_end, names[0].start)[:2] == []:
        lead = [w.group(0) for w in _words(text, verb_end, names[0].start)]
        if lead and lead[-1].casefold() in PREPOSITIONS and not (
                lead[-1] in {"of", "for"} and len(lead) >= 2 and lead[-2] in lx.TITLES):
            names = []  # "said in Washington": a place; "Secretary of Defense X" is a title
    while len(names) > 1 and _modifies_role(text, names[0].end, names[1].start):
        names = names[1:]
    if names:
        name = names[0]
        credit = " ".join(text[name.start : end].split()).strip(" ,.")
        return credit, index.resolve_name(name, text[name.end : end])
    phrase = [w.group(0) for w in words[:4]]
    if phrase and phrase[0].casefold() in {"the", "a", "an", "one", "some", "another"}:
        stop = next((k for k, w in enumerate(words[:4]) if text[w.end() : w.end() + 1] == ","
                     or w.group(0).casefold() in PREPOSITIONS), len(phrase) - 1)
        if phrase[stop].casefold() in PREPOSITIONS:
            # "said a spokesman for the Food and Drug Administration": the body speaks.
            body = next((n for n in index.names_in(words[stop].end(), end) if n.kind != "person"), None)
            if body is not None and not _words(text, words[stop].end(), body.start)[1:] and _role(phrase[stop - 1 : stop]):
                return " ".join(text[words[0].start() : body.end].split()), index.resolve_name(body)
            phrase = phrase[:stop]
        else:
            phrase = phrase[: stop + 1]
        return " ".join(phrase).strip(","), _described(index, [w.strip(",") for w in phrase], verb_end)
    return None


def credit_after(index: SpeakerIndex, start: int, end: int) -> Credit | None:
    """A credit right after a quotation: ``text[start:end]`` runs to the sentence's end or the
    next quotation."""
    text = index.text
    head = text[start:end]
    before = text[max(0, start - 3) : start]
    if not re.search(r"[,.!?…][\"'”’»]*$", before) and not re.match(r"\s*[,—–-]", head):
        return None  # “protégé” he wrote, “…”: the credit belongs to the next quotation
    if head[:1].isalnum() and re.search(r"[.!?][\"'”’»]*$", before):
        return None  # ‘…other."Senate Minority Leader…’: a new paragraph run on without a break
    lead = len(head) - len(head.lstrip(" ,.;:!?\"'”’»)"))
    at = start + lead
    dash = re.match(r"\s*(?:[—–]|--|-\s)\s*", text[start:end])
    words = _words(text, at, end)
    if not words:
        return None
    first = words[0].group(0).casefold()
    if dash:
        names = index.names_in(start, end)
        if names and names[0].start - start < 6:
            return Credit(" ".join(text[names[0].start : end].split()).strip(" ,."), index.resolve_name(names[0]))
    if (first == "according" and len(words) > 1 and words[1].group(0).casefold() == "to") or first == "per":
        # "“…,” according to the agency" and its short form "“…,” per Dr. Smith".
        found = _subject_after(index, words[1 if first == "according" else 0].end(), end)
        if found:
            return Credit.of(" ".join(text[words[0].start() : end].split()).strip(" ,."), found)
        return None
    if _is_verb(first, strict=False):
        found = _subject_after(index, words[0].end(), _clause_end(text, words[0].end(), end))
        if found:
            return Credit.of(" ".join(text[words[0].start() : _clause_end(text, words[0].end(), end)].split()).strip(" ,."), found)
        return None
    for k, word in enumerate(words[:25]):
        if k == 0:
            continue
        if CLAUSE_BREAK_RE.search(text, words[k - 1].end(), word.start()):
            break
        if _verb_at(text, word, strict=False):
            found = _subject_before(index, at, word.start())
            if found:
                credit = " ".join(text[at : word.end()].split()).strip(" ,.")
                return Credit.of(credit, found)
            return None
    return None


def _clause_end(text: str, start: int, end: int) -> int:
    match = CLAUSE_END_RE.search(text, start, end)
    cut = match.start() if match else end
    # "said Edward Alden, who ... ." keeps the name; a later "and said" clause is another credit.
    return cut


def credit_before(index: SpeakerIndex, start: int, end: int, strict: bool = False) -> Credit | None:
    """A credit before a quotation in ``text[start:end]`` (the quotation opens at ``end``)."""
    text = index.text
    label = SPEAKER_LABEL_RE.fullmatch(text, start, end)
    if label is not None:
        found = _labelled_speaker(index, label.group(1), label.start(1))
        if found is not None:
            return Credit(label.group(1), found)
    names = index.names_in(start, end)
    if names and not _words(text, names[-1].end, end):
        source_of = QUOTED_FROM_RE.search(text, max(start, names[-1].start - 30), names[-1].start)
        if source_of is not None and source_of.end() == names[-1].start:
            return Credit(" ".join(text[source_of.start() : names[-1].end].split()), index.resolve_name(names[-1]))
    trimmed = end
    while trimmed > start and text[trimmed - 1] in " ,:;—–-\"'“‘":
        trimmed -= 1
    for m in CLAUSE_BREAK_RE.finditer(text, start, trimmed):
        if not text[m.start() : m.end()].startswith(","):
            start = m.end()
    words = _words(text, start, end)
    for k in range(len(words) - 1, -1, -1):
        word = words[k].group(0)
        low = word.casefold().rstrip(".,")
        if low == "according" and k + 1 < len(words) and words[k + 1].group(0).casefold() == "to":
            found = _subject_after(index, words[k + 1].end(), end)
            if found:
                return Credit.of(" ".join(text[words[k].start() : end].split()).strip(" ,:"), found)
            continue
        if not _verb_at(text, words[k], strict):
            continue
        clause_start = start
        for m in CLAUSE_BREAK_RE.finditer(text, start, words[k].start()):
            clause_start = m.end()
        if low in NAMING_FORMS:
            # "McCain has increased what the Obama campaign calls “…”": the subject follows "what".
            whats = list(re.finditer(r"\bwhat\s+", text[clause_start : words[k].start()]))
            clause_start += whats[-1].end() if whats else 0
        found = None
        if k and words[k - 1].group(0).casefold() in {"was", "were", "is", "are", "been", "be"} \
                and k + 1 < len(words) and words[k + 1].group(0).casefold() == "by":
            found = _subject_after(index, words[k + 1].end(), end)
        after = index.names_in(words[k].end(), end)
        if found is None and k and len(words) - k <= 6 and text[: words[k].start()].rstrip().endswith(",") \
                and after and re.fullmatch(r"\s*", text[words[k].end() : after[0].start]) \
                and re.fullmatch(r"[\s.]*", text[after[0].end : end]) and text[:end].rstrip().endswith("."):
            # "The risk was low, said McTiernan.": an inverted credit closing reported speech.
            found = _subject_after(index, words[k].end(), end)
        found = found or _subject_before(index, clause_start, words[k].start())
        if found is None and k == 0:
            found = _subject_after(index, words[k].end(), end)  # "Said Park: “…”"
        if found is None:
            continue
        gap = [w.group(0).casefold() for w in words[k + 1 :]]
        partial = _partial(gap, low)
        credit = " ".join(text[clause_start : words[k].end()].split()).strip(" ,:")
        result = Credit.of(credit, found, partial)
        result.reported = _reports_speech(gap, low)
        return result
    colon = re.search(r":\s*[\"'“‘]?\s*$", text[start:end])
    if colon is not None:
        # "Dr. Francis Collins, the NIH director, put it simply: “…”": a named subject handing
        # over with a colon, whatever its verb.
        lead = [n for n in index.names_in(start, start + colon.start())
                if not _preceded_by_preposition(text, n.start, start)]
        if lead and not _words(text, start, lead[0].start) and (
                lead[0].kind != "person" or index._personlike(lead[0], None)):  # not "Note:"
            return Credit(" ".join(text[start : start + colon.start()].split()).strip(" ,"),
                          index.resolve_name(lead[0], text[lead[0].end : start + colon.start()]))
    return None


SPEECH_COMPLEMENT = frozenset("that is was were are be been being would will could should can may might must "
                              "has have had".split())


def _reports_speech(gap: list[str], verb: str) -> bool:
    """Whether the words between a reporting verb and a quotation make the quotation the verb's
    speech: nothing between ("warned “…”"), a reported clause ("said the plan was “…”", "said
    that"), an infinitive ("urged residents to “…”") or a label ("described it as “…”"); not a
    thing the verb is about ("discussed the “…”", "pointed to the table with “…”")."""
    if not gap or verb in NAMING_FORMS:
        return True
    return gap[-1] in {"to", "as"} or bool(SPEECH_COMPLEMENT & set(gap))


def _labelled_speaker(index: SpeakerIndex, label: str, at: int) -> int | None:
    """The speaker a transcript label names ("JACOB ZUMA:", "Dr. Fauci:"), or None when the label
    is no name ("Note:", "Update:", "Q:")."""
    tokens = label.split()
    if any(t in COMMON_WORDS or t.capitalize() in COMMON_WORDS for t in tokens):
        return None
    if label.isupper():
        tokens = [t.capitalize() if len(t) > 2 or not t.endswith(".") else t for t in tokens]
    if len(tokens) == 1 and not (label.isupper() and len(label) >= 3) and tokens[0] not in index.full_names:
        return None
    kind = _classify(tokens)
    return index.add(" ".join(tokens), kind, None, _first_gender(tokens) if kind == "person" else None, at)


def _partial(gap: list[str], verb: str) -> bool:
    """Whether words between the verb and the quotation make it a partial quote."""
    gap = [w for w in gap if w not in {"that", "this", "these", "those", "as", "it", "them", "him", "her",
                                       "in", "a", "an", "statement", "saying", "writing"}]
    if verb in NAMING_FORMS:
        return True
    return len(gap) >= 2


def is_naming(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` ends with a naming verb ("called it", "described her as")."""
    words = [w.group(0).casefold() for w in _words(text, start, end)][-5:]
    return any(w in NAMING_FORMS for w in words)


def pronoun_credit(attribution: str) -> bool:
    return attribution.split()[0].casefold() in lx.PRONOUNS if attribution else False
