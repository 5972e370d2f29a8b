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
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .. import rules
from ..models import SpeakerKind
from . import lexicon as lx
from .reporting_verbs import AMBIGUOUS_FORMS, NAMING_FORMS, REPORTING_FORMS

# One capitalised token of a name: "Smith", "O'Brien", "al-Amr", "J.", "U.S.", "McDonald".
_TOKEN = r"(?:[A-Z]\.(?:[A-Z]\.)*|(?:Dr|Mr|Mrs|Ms|Prof|Jr|Sr|St|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Rev|Adm|Maj|Mt|Ft)\.|[A-Z][\w'’-]*|(?:al|el|bin|ibn|de|van|von|da|di|du|le|la|del|della|der|den|dos|das|ter)-?[A-Z][\w'’-]*)"
_PARTICLE = r"(?:(?:de|van|von|da|di|du|del|della|der|den|dos|das|bin|ibn|al|el|le|la|ter)\s+)"
NAME_RUN_RE = re.compile(r"(?<![\w’'])" + _TOKEN + r"(?:\s+" + _PARTICLE + r"?" + _TOKEN + r")*")
WORD_RE = re.compile(r"[A-Za-z][\w’'.-]*")
ORG_TAIL_RE = re.compile(r"\s+(?:of|for|on|and|de|du|des)\s+(?:the\s+)?" + _TOKEN + r"(?:\s+" + _TOKEN + r")*")
ACRONYM_DEF_RE = re.compile(r"\(\s*([A-Z][A-Za-z&.]{1,9})\s*\)")
PREPOSITIONS = frozenset("""of for at in on to from with by about into via per than toward towards under over
against among between across through after before like near behind within without including
despite during since until upon amid around outside inside beyond""".split())
# Words that may sit between a subject and its verb: "he also said", "she has since told".
AUXILIARIES = frozenset("""also later then has have had will would could should may might
previously recently further again once first finally simply only just since earlier still
even often frequently repeatedly quickly calmly flatly bluntly firmly cautiously added himself
herself themselves itself myself ourselves""".split())
COMMON_WORDS = (frozenset(w.capitalize() for w in rules.STOPWORDS) | rules.NOT_A_NAME | frozenset(
    "However Meanwhile Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday "
    "Sunday January February March April May June July August September October November December "
    "After Before During Since Although Though Despite Regarding Following Citing Discussing "
    "Speaking Asked Writing According Image Photo Credit Source Sources Also".split())) - lx.HONORIFICS - {"Sir", "Dame"}
_GENERIC = re.compile(rules.SOURCE_NOUN + "|" + rules.GENERIC_SPEAKER + r"|officials|critics|analysts|observers|witnesses|residents|police|sources", re.IGNORECASE)
_CROWD = re.compile(r"officials|critics|analysts|observers|witnesses|residents|police|sources|authorities|scientists|experts|doctors", re.IGNORECASE)
POSSESSIVES = {"his": "he", "her": "she", "its": "it", "their": "they"}
# Nouns for what someone said: "the words of X", "a line from X", "his last words were:".
SPEECH_NOUNS = frozenset("words word line lines quote quotation verse verses motto saying phrase remark remarks "
                         "advice dictum reply response answer comment comments message speech address".split())
QUOTED_FROM_RE = re.compile(r"\b(?:words?|lines?|quote|quotation|verses?|motto|saying|phrase|remarks?|"
                            r"advice|dictum|poem)\s+(?:of|from|by)\s+$|\b(?:words?|lines?|quote|quotation|verses?|"
                            r"poem)\s+(?:of|from|by)\s+(?:the\s+)?(?=[A-Z])", re.IGNORECASE)
CLAUSE_BREAK_RE = re.compile(r"[;:—–]|\s--?\s|(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bSt)(?<!\bJr)(?<!\bMrs)\.\s|,\s+(?:but|and|while|although|though|whereas|as|with|where|when)\s", re.IGNORECASE)


@dataclass
class Speaker:
    name: str
    kind: SpeakerKind
    description: str | None = None
    gender: str | None = None
    keys: set[str] = field(default_factory=set)


@dataclass
class Credit:
    """What a quotation's credit says: a resolved speaker (index) or only words."""

    attribution: str
    speaker: int | None
    partial: bool = False


@dataclass
class _Name:
    start: int
    end: int
    name: str  # without titles
    kind: SpeakerKind
    description: str | None
    gender: str | None


def _key(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", rules.fold(name).casefold())
    return " ".join(w for w in words if w not in {"the", "dr", "prof", "professor", "mr", "mrs", "ms", "miss"})


def _first_gender(tokens: list[str]) -> str | None:
    for token in tokens:
        if token in lx.MALE_HONORIFICS:
            return "male"
        if token in lx.FEMALE_HONORIFICS:
            return "female"
    for token in tokens:
        word = token.strip(".").casefold()
        if word in lx.FEMALE_NAMES and word not in lx.MALE_NAMES:
            return "female"
        if word in lx.MALE_NAMES and word not in lx.FEMALE_NAMES:
            return "male"
        if token not in lx.TITLES and token not in lx.HONORIFICS:
            break
    return None


def _classify(tokens: list[str]) -> SpeakerKind:
    if any(t in lx.PUBLICATION_WORDS for t in tokens) and not any(t in lx.HONORIFICS for t in tokens):
        return "publication"
    if any(t.rstrip(".") in lx.ORG_WORDS or t in lx.ORG_WORDS for t in tokens):
        return "organization"
    if len(tokens) == 1 and re.fullmatch(r"[A-Z]{2,6}|[A-Z](?:\.[A-Z])+\.?", tokens[0]):
        return "organization"
    return "person"


def _split_title(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(title tokens, name tokens): "Vice President Joe Biden" -> (Vice President, Joe Biden)."""
    i = 0
    while i < len(tokens) - 1 and (tokens[i] in lx.TITLES or tokens[i].rstrip(".") in lx.TITLES):
        i += 1
    return tokens[:i], tokens[i:]


class SpeakerIndex:
    """The article's speakers plus every name mention, for resolving later references."""

    def __init__(self, text: str, masked: list[tuple[int, int]], sentences: list[tuple[int, int]]):
        self.text = text
        self.sents = sentences
        self.sent_starts = [a for a, _ in sentences]
        self.speakers: list[Speaker] = []
        self.by_key: dict[str, int] = {}
        self.names: list[_Name] = []
        self.full_names: dict[str, str] = {}  # surname / first name / acronym -> full name
        self.counts: dict[str, int] = {}  # how often each one-word name occurs
        # Capitalised words of the quotation being credited: a speaker rarely names themself.
        self.talked_about: set[str] = set()
        self._scan(masked)
        self.starts = [n.start for n in self.names]
        self.last_mention: dict[int, int] = {}

    # -- the article's names -------------------------------------------------------------------

    def _scan(self, masked: list[tuple[int, int]]) -> None:
        """Every capitalised name outside quotations, with what it seems to be."""
        text = self.text
        mi = 0
        skip_until = -1
        for match in NAME_RUN_RE.finditer(text):
            if match.start() < skip_until:
                continue
            while mi < len(masked) and masked[mi][1] <= match.start():
                mi += 1
            if mi < len(masked) and masked[mi][0] <= match.start() < masked[mi][1]:
                continue
            end = match.end()
            # "Department of Agriculture", "Council on Foreign Relations": a body's name runs on.
            while _classify(text[match.start() : end].split()) != "person":
                more = ORG_TAIL_RE.match(text, end)
                if more is None:
                    break
                end = more.end()
            skip_until = end
            parsed = self.parse_name(match.start(), end)
            if parsed is None:
                continue
            self.names.append(parsed)
            tokens = parsed.name.split()
            if len(tokens) == 1:
                self.counts[tokens[0]] = self.counts.get(tokens[0], 0) + 1
            if parsed.kind == "person" and len(tokens) >= 2:
                self.full_names.setdefault(tokens[-1], parsed.name)
                first = tokens[0].casefold()
                if first in lx.FEMALE_NAMES or first in lx.MALE_NAMES:
                    self.full_names.setdefault(tokens[0], parsed.name)
            acronym = ACRONYM_DEF_RE.match(text, parsed.end)
            if acronym and parsed.kind != "person":
                self.full_names.setdefault(acronym.group(1), parsed.name)

    def parse_name(self, start: int, end: int) -> _Name | None:
        text = self.text
        tokens = text[start:end].split()
        # A sentence's first word ("After", "The", "On") is no part of a name, except "The" in a
        # publication's title.
        while tokens and tokens[0] in COMMON_WORDS and not (tokens[0] == "The" and len(tokens) > 1
                                                             and _classify(tokens[1:]) == "publication"):
            start = text.index(tokens[0], start) + len(tokens[0])
            tokens = tokens[1:]
        while tokens and (tokens[-1] in COMMON_WORDS or tokens[-1].rstrip(".") in lx.TITLES and len(tokens) > 1
                          and tokens[-1] not in lx.ORG_WORDS):
            tokens = tokens[:-1]
        if not tokens:
            return None
        start = text.index(tokens[0], start)
        end = text.index(tokens[-1], start) + len(tokens[-1])
        if tokens[-1].endswith(".") and tokens[-1] not in rules.NAME_ABBREVIATIONS and len(tokens[-1]) > 2 \
                and not re.fullmatch(r"(?:[A-Z]\.)+", tokens[-1]):
            tokens[-1] = tokens[-1].rstrip(".")
            end -= 1
        if tokens[-1].endswith(("'s", "’s")):
            tokens[-1] = tokens[-1][:-2]
            end -= 2
        # "Labour's Shadow Home Secretary Yvette Cooper": the possessor is no part of the name.
        for k in range(len(tokens) - 1, -1, -1):
            if tokens[k].endswith(("'s", "’s")) and k < len(tokens) - 1:
                tokens = tokens[k + 1 :]
                start = text.index(tokens[0], start)
                break
        if all(t in lx.TITLES or t.rstrip(".") in lx.TITLES for t in tokens):
            return None
        if len(tokens) == 1 and _GENERIC.fullmatch(tokens[0]):
            return None  # "Dermatologists said", "Experts say": a crowd, not a name
        titles, name_tokens = _split_title(tokens)
        while len(name_tokens) > 1 and name_tokens[0].casefold() in lx.PERSON_NOUNS \
                and name_tokens[0] not in lx.HONORIFICS:
            titles, name_tokens = titles + name_tokens[:1], name_tokens[1:]
        # "NASA Administrator Bill Nelson", "Refugee Council Enver Solomon": the name follows the
        # last title or body word.
        cut = max((k for k, t in enumerate(name_tokens[:-1])
                   if t in lx.TITLES or t.rstrip(".") in lx.ORG_WORDS), default=-1)
        if cut >= 0:
            tail = name_tokens[cut + 1 :]
            # "of the Refugee Council Enver Solomon" splits; "Council on Foreign Relations" does not.
            if not any(t in {"of", "on", "for", "and", "the", "de", "du", "des"} for t in tail) \
                    and _classify(tail) == "person" and all(t[:1].isupper() for t in tail):
                titles, name_tokens = titles + name_tokens[: cut + 1], name_tokens[cut + 1 :]
        kind = _classify(name_tokens)
        if kind == "person" and len([t for t in name_tokens if t not in lx.HONORIFICS
                                     and not re.fullmatch(r"[A-Z]\.", t)]) > 3:
            titles, name_tokens = titles + name_tokens[:-2], name_tokens[-2:]
        if kind != "person":
            titles, name_tokens = [], tokens
        honorific = [t for t in name_tokens if t in lx.HONORIFICS]
        gender = _first_gender(titles + name_tokens)
        before = text[max(0, start - 40) : start].split()
        role = before[-1].casefold().strip(",") if before else ""
        if gender is None and role in lx.FEMALE_NOUNS:
            gender = "female"
        elif gender is None and role in lx.MALE_NOUNS:
            gender = "male"
        description = " ".join(titles) or None
        if len(name_tokens) == 1 and name_tokens[0].isupper() and len(name_tokens[0]) > 6:
            return None  # a dateline or a shouted word ("WASHINGTON --"), not a name
        if kind == "person" and not honorific and not titles and len(name_tokens) == 1 \
                and name_tokens[0].isupper() and len(name_tokens[0]) > 1:
            kind = "organization"
        return _Name(start, end, " ".join(name_tokens), kind, description, gender)

    def full_name(self, name: str, kind: SpeakerKind) -> str:
        """The fullest form of ``name`` the article gives: "Mohib" -> "Hamdullah Mohib"."""
        tokens = name.split()
        plain = [t for t in tokens if t not in lx.HONORIFICS]
        if len(plain) == 1 and plain[0] in self.full_names:
            full = self.full_names[plain[0]]
            if kind == "person" and any(t in lx.HONORIFICS for t in tokens) and not any(
                    t in lx.HONORIFICS for t in full.split()):
                return full
            return full
        return name

    # -- speakers ------------------------------------------------------------------------------

    def add(self, name: str, kind: SpeakerKind, description: str | None, gender: str | None, at: int) -> int:
        name = self.full_name(name, kind)
        keys = {_key(name)}
        tokens = [t for t in name.split() if t not in lx.HONORIFICS]
        if kind == "person" and tokens:
            keys.add(_key(tokens[-1]))
        for alias, full in self.full_names.items():
            if full == name:
                keys.add(_key(alias))
        keys.discard("")
        for key in list(keys):
            if key in self.by_key:
                index = self.by_key[key]
                speaker = self.speakers[index]
                speaker.description = speaker.description or description
                speaker.gender = speaker.gender or gender
                self.last_mention[index] = at
                return index
        index = len(self.speakers)
        self.speakers.append(Speaker(name, kind, description, gender, keys))
        for key in keys:
            self.by_key.setdefault(key, index)
        self.last_mention[index] = at
        return index

    def _recent(self, at: int, want: set[str], gender: str | None) -> tuple[int, _Name | int] | None:
        """The most recent name mention or speaker before ``at`` of a wanted kind and gender."""
        best: tuple[int, _Name | int] | None = None
        i = bisect_left(self.starts, at) - 1
        seen = 0
        while i >= 0 and seen < 40:
            candidate = self.names[i]
            i -= 1
            seen += 1
            if candidate.kind not in want:
                continue
            if candidate.kind == "person":
                speaker = self.by_key.get(_key(self.full_name(candidate.name, "person")))
                known = self.speakers[speaker].gender if speaker is not None else None
                cue = candidate.gender or known or _first_gender(self.full_name(candidate.name, "person").split())
                if gender and cue and cue != gender:
                    continue
                if not self._personlike(candidate, speaker):
                    continue
            best = (candidate.start, candidate)
            break
        for index, position in self.last_mention.items():
            speaker = self.speakers[index]
            if position >= at or speaker.kind not in want or (gender and speaker.gender and speaker.gender != gender):
                continue
            if best is None or position > best[0]:
                best = (position, index)
        return best

    def _personlike(self, name: _Name, speaker: int | None) -> bool:
        tokens = name.name.split()
        full = self.full_name(name.name, "person").split()
        if speaker is not None or name.gender is not None or any(t in lx.HONORIFICS for t in tokens):
            return True
        if _first_gender(full) is not None:
            return True
        first = tokens[0].casefold()
        if re.search(r"(?:an|ian|ese|ish|ic|i)$", first) and len(tokens) > 1:
            return False  # "American YouTube", "Italian Episcopal": a nationality, not a first name
        if len(tokens) == 1 and self.counts.get(tokens[0], 0) >= 3:
            return True  # a surname the article keeps using ("Byron finally returned")
        # Two or more words (or a surname the article gives in full): a person's name, unless the
        # only cue is a title word that also names a field ("Environment Canada").
        return len(full) >= 2 and not (len(tokens) == 1 and name.description)

    def resolve_name(self, name: _Name, description: str | None = None) -> int:
        described = _description(description)
        if name.description and described and name.description not in described:
            described = f"{name.description}, {described}"
        return self.add(name.name, name.kind, described or name.description, name.gender, name.start)

    def _recent_person(self, at: int, gender: str | None, depth: int = 0) -> _Name | int | None:
        """The subject-most person of the pronoun's sentence (before it), else of the sentences
        before: a pronoun subject usually continues the last sentence's subject."""
        si = bisect_right(self.sent_starts, at) - 1
        for k in range(si, max(-1, si - 6), -1):
            s0, s1 = self.sents[k]
            hi = min(s1, at)
            found: list[tuple[int, _Name | int]] = [(n.start, n) for n in self.names_in(s0, hi) if n.kind == "person"]
            found += [(pos, idx) for idx, pos in self.last_mention.items()
                      if s0 <= pos < hi and self.speakers[idx].kind == "person"]
            # A sentence that opens with the same pronoun ("He went up to Cambridge, where he met
            # John Edleston.") is about the same person: follow it back.
            opening = _words(self.text, s0, min(s1, at))[:4]
            first_name = min((p for p, _ in found), default=s1)
            for w in opening:
                if w.start() >= first_name:
                    break
                if lx.PRONOUNS.get(w.group(0).casefold()) == gender and depth < 3 and w.start() < at:
                    return self._recent_person(w.start(), gender, depth + 1)
            ranked = sorted(found, key=lambda pair: (not isinstance(pair[1], int)
                                                     and _preceded_by_preposition(self.text, pair[1].start), pair[0]))
            fallback: _Name | int | None = None
            for _, candidate in ranked:
                if isinstance(candidate, int):
                    cue = self.speakers[candidate].gender
                else:
                    speaker = self.by_key.get(_key(self.full_name(candidate.name, "person")))
                    if not self._personlike(candidate, speaker):
                        continue
                    known = self.speakers[speaker].gender if speaker is not None else None
                    cue = candidate.gender or known or _first_gender(self.full_name(candidate.name, "person").split())
                if gender and cue and cue != gender:
                    continue
                name = self.speakers[candidate].name if isinstance(candidate, int) else candidate.name
                if name.split()[-1] in self.talked_about:
                    continue  # named in the quotation itself: talked about, not talking
                if gender and not cue:
                    fallback = fallback or candidate  # a person of the pronoun's gender comes first
                    continue
                return candidate
            if fallback is not None:
                return fallback
        return None

    def _common_subject(self, at: int) -> bool:
        """Whether the last sentence before ``at`` opens with a common noun phrase ("The authors
        say"): then "they" or "it" refers to it, an unnamed source."""
        si = bisect_right(self.sent_starts, at) - 1
        for k in (si, si - 1):
            if k < 0:
                continue
            s0, s1 = self.sents[k]
            if s0 >= at - 1:
                continue
            words = [w.group(0) for w in _words(self.text, s0, min(s1, at))][:3]
            if s0 <= at < s1 and words and words[0].casefold() in lx.PRONOUNS:
                continue
            return bool(words) and words[0].casefold() in {"the", "these", "those", "many", "some", "most"} \
                and len(words) > 1 and words[1][:1].islower()
        return False

    def resolve_pronoun(self, pronoun: str, at: int) -> int | None:
        reading = lx.PRONOUNS[pronoun.casefold()]
        target: _Name | int | None
        if reading in ("male", "female", "self"):
            target = self._recent_person(at, reading if reading != "self" else None)
        else:
            if self._common_subject(at):
                return None
            kinds = {"organization", "publication", "document"} if reading == "thing" else {
                "organization", "group", "publication"}
            found = self._recent(at, kinds, None)
            target = found[1] if found else None
        if target is None:
            return None
        index = target if isinstance(target, int) else self.resolve_name(target)
        speaker = self.speakers[index]
        if reading in ("male", "female") and speaker.gender is None:
            speaker.gender = reading
        self.last_mention[index] = at
        return index

    def resolve_description(self, words: list[str], at: int) -> int | None:
        """ "the agency" -> the most recent body; "the senator" -> the most recent person."""
        if not words or words[0].casefold() not in {"the", "this", "that"}:
            return None
        noun = words[-1].casefold().strip(".,")
        if noun in lx.ORG_NOUNS:
            want = {"organization", "group"}
        elif noun in lx.PUBLICATION_NOUNS:
            want = {"publication", "organization"}
        elif noun in lx.PERSON_NOUNS:
            want = {"person"}
        else:
            return None
        gender = "female" if noun in lx.FEMALE_NOUNS else "male" if noun in lx.MALE_NOUNS else None
        if want == {"person"}:
            described = [i for i, sp in enumerate(self.speakers)
                         if sp.kind == "person" and noun in (sp.description or "").casefold()]
            if not described:
                return None
            index = max(described, key=lambda i: self.last_mention.get(i, -1))
        else:
            found = self._recent(at, want, gender)
            if found is None:
                return None
            target = found[1]
            index = target if isinstance(target, int) else self.resolve_name(target)
        self.last_mention[index] = at
        return index

    def names_in(self, start: int, end: int) -> list[_Name]:
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.names) and self.names[i].start < end:
            if self.names[i].end <= end:
                out.append(self.names[i])
            i += 1
        return out


# ---------------------------------------------------------------------------------------------
# Reading a credit
# ---------------------------------------------------------------------------------------------


def _words(text: str, start: int, end: int) -> list[re.Match[str]]:
    return list(WORD_RE.finditer(text, start, end))


def _is_verb(word: str, strict: bool) -> bool:
    w = word.casefold().rstrip(".,")
    return w in REPORTING_FORMS and not (strict and w in AMBIGUOUS_FORMS)


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
    for name in index.names_in(start, verb_at):
        if _preceded_by_preposition(text, name.start, start) or text[max(0, name.start - 1) : name.start] == "(":
            continue  # "of the Council", "(Italian Episcopal Conference)": not the subject
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
        return " ".join(w.group(0) for w in words[max(0, j - 2) : j + 1]), None  # "Experts say", "critics said"
    # A description: "the agency", "one poster", "the report's authors".
    if words and words[0].group(0).casefold() in {"a", "an", "one", "some", "another", "many", "several"}:
        phrase = []
        for w in words[:5]:
            if w.group(0).casefold() in PREPOSITIONS or (phrase and w.group(0).endswith("ed") and len(phrase) > 1):
                break
            phrase.append(w.group(0))
        return " ".join(phrase), None
    tail = [w.group(0) for w in words[-4:]]
    for k in range(len(tail)):
        if tail[k].casefold() in {"the", "a", "an", "one", "some", "another", "this", "that", "many",
                                  "several", "other"}:
            phrase = tail[k:]
            resolved = index.resolve_description(phrase, verb_at)
            return " ".join(phrase), resolved
    if tail and (tail[-1].casefold().rstrip("s") in lx.PERSON_NOUNS or tail[-1].casefold() in lx.PERSON_NOUNS):
        return " ".join(tail[-2:]), None
    return None


def _subject_after(index: SpeakerIndex, verb_end: int, end: int) -> tuple[str, int | None] | None:
    """The subject after an inverted verb: "“…,” said Ambassador Mohib of Afghanistan."""
    text = index.text
    words = _words(text, verb_end, end)
    if words and words[0].group(0).casefold() in lx.PRONOUNS:
        pronoun = words[0].group(0)
        return pronoun, index.resolve_pronoun(pronoun, words[0].start())
    names = index.names_in(verb_end, end)
    if names and not _words(text, verb_end, names[0].start)[:2] == []:
        lead = [w.group(0).casefold() for w in _words(text, verb_end, names[0].start)]
        if lead and lead[-1] in PREPOSITIONS:
            names = []
    if names:
        name = names[0]
        credit = " ".join(text[name.start : end].split()).strip(" ,.")
        return credit, index.resolve_name(name, text[name.end : end])
    phrase = [w.group(0) for w in words[:4]]
    if phrase and phrase[0].casefold() in {"the", "a", "an", "one", "some", "another"}:
        stop = next((k for k, w in enumerate(phrase) if w.endswith(",")), len(phrase) - 1)
        phrase = phrase[: stop + 1]
        return " ".join(phrase).strip(","), index.resolve_description(phrase, verb_end)
    return None


def credit_after(index: SpeakerIndex, start: int, end: int) -> Credit | None:
    """A credit right after a quotation: ``text[start:end]`` runs to the sentence's end or the
    next quotation."""
    text = index.text
    head = text[start:end]
    before = text[max(0, start - 3) : start]
    if not re.search(r"[,.!?…][\"'”’»]*$", before) and not re.match(r"\s*[,—–-]", head):
        return None  # “protégé” he wrote, “…”: the credit belongs to the next quotation
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
    if first == "according" and len(words) > 1 and words[1].group(0).casefold() == "to":
        found = _subject_after(index, words[1].end(), end)
        if found:
            return Credit(" ".join(text[words[0].start() : end].split()).strip(" ,."), found[1])
        return None
    if _is_verb(first, strict=False):
        found = _subject_after(index, words[0].end(), _clause_end(text, words[0].end(), end))
        if found:
            return Credit(" ".join(text[words[0].start() : _clause_end(text, words[0].end(), end)].split()).strip(" ,."), found[1])
        return None
    for k, word in enumerate(words[:25]):
        if k == 0:
            continue
        if CLAUSE_BREAK_RE.search(text, words[k - 1].end(), word.start()):
            break
        if _is_verb(word.group(0), strict=False):
            found = _subject_before(index, at, word.start())
            if found:
                credit = " ".join(text[at : word.end()].split()).strip(" ,.")
                return Credit(credit, found[1])
            return None
    return None


def _clause_end(text: str, start: int, end: int) -> int:
    match = re.search(r"[;:!?]|\.(?=\s|$)(?<!\b[A-Z]\.)", text[start:end])
    cut = start + match.start() if match else end
    # "said Edward Alden, who ... ." keeps the name; a later "and said" clause is another credit.
    return cut


def credit_before(index: SpeakerIndex, start: int, end: int, strict: bool = False) -> Credit | None:
    """A credit before a quotation in ``text[start:end]`` (the quotation opens at ``end``)."""
    text = index.text
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
                return Credit(" ".join(text[words[k].start() : end].split()).strip(" ,:"), found[1])
            continue
        if not _is_verb(word, strict):
            continue
        clause_start = start
        for m in CLAUSE_BREAK_RE.finditer(text, start, words[k].start()):
            clause_start = m.end()
        found = None
        if k and words[k - 1].group(0).casefold() in {"was", "were", "is", "are", "been", "be"} \
                and k + 1 < len(words) and words[k + 1].group(0).casefold() == "by":
            found = _subject_after(index, words[k + 1].end(), end)
        found = found or _subject_before(index, clause_start, words[k].start())
        if found is None and k == 0:
            found = _subject_after(index, words[k].end(), end)
        if found is None:
            continue
        gap = [w.group(0).casefold() for w in words[k + 1 :]]
        partial = _partial(gap, low)
        credit = " ".join(text[clause_start : words[k].end()].split()).strip(" ,:")
        return Credit(credit, found[1], partial)
    return None


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


def _preceded_by_preposition(text: str, at: int, floor: int = 0) -> bool:
    before = _words(text, max(floor, at - 40), at)
    if len(before) >= 2 and before[-1].group(0) in {"of", "for"} and before[-2].group(0) in lx.TITLES:
        return False  # "Minister of Education Stefania Giannini": a title, not a phrase
    prev = [w.group(0).casefold() for w in before[-2:]]
    return bool(prev) and (prev[-1] in PREPOSITIONS or (len(prev) == 2 and prev[-1] in {"the", "a", "an"}
                                                        and prev[0] in PREPOSITIONS))


def _description(words: str | None) -> str | None:
    """The role an appositive gives: ", a New York-based dermatologist," -> that phrase."""
    if not words:
        return None
    phrase = " ".join(words.split()).strip(" ,.;:")
    phrase = re.split(r",\s+(?:who|which|said|says|told|in\s+a|in\s+an|on|at\s+a)\b|\s+(?:said|says|told)\b", phrase)[0]
    phrase = phrase.strip(" ,")
    if not phrase or len(phrase.split()) > 15 or phrase.casefold() in lx.PRONOUNS or re.match(
            r"(?:in|on|at|during|after|before|when|while|speaking|writing|adding|with)\b", phrase, re.IGNORECASE):
        return None
    return phrase
