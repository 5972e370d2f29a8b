"""Name spans: where a person's or body's name starts and ends in running text, what kind of
name it is, its gender cue, and which words around it are a title or a description (not the name)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import rules
from ..models import SpeakerKind
from . import lexicon as lx

# Abbreviations that end in a full stop inside a name or title, never a sentence's end.
ABBREVIATIONS = ("Dr", "Mr", "Mrs", "Ms", "Prof", "Jr", "Sr", "St", "Sen", "Rep", "Gov", "Gen", "Lt", "Col",
                 "Capt", "Sgt", "Rev", "Adm", "Maj", "Mt", "Ft", "Supt", "Det", "Insp", "Cmdr", "Hon")
# One capitalised token of a name: "Smith", "O'Brien", "al-Amr", "J.", "U.S.", "McDonald".
_TOKEN = r"(?:[A-Z]\.(?:[A-Z]\.)*|(?:" + "|".join(ABBREVIATIONS) + r")\.|[A-Z][\w'’-]*|(?:al|el|bin|ibn|de|van|von|da|di|du|le|la|del|della|der|den|dos|das|ter)-?[A-Z][\w'’-]*)"
_PARTICLE = r"(?:(?:de|van|von|da|di|du|del|della|der|den|dos|das|bin|ibn|al|el|le|la|ter)\s+)"
NAME_RUN_RE = re.compile(r"(?<![\w’'])" + _TOKEN + r"(?:\s+" + _PARTICLE + r"?" + _TOKEN + r")*")
WORD_RE = re.compile(r"[A-Za-z][\w’'.-]*")
ORG_TAIL_RE = re.compile(r"\s+(?:of|for|on|and|de|du|des)\s+(?:the\s+)?" + _TOKEN + r"(?:\s+" + _TOKEN + r")*")
ACRONYM_DEF_RE = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.]{1,9})\s*\)")
PREPOSITIONS = frozenset("""of for at in on to from with by about into via per than toward towards under over
against among between across through after before like near behind within without including
despite during since until upon amid around outside inside beyond""".split())
COMMON_WORDS = (frozenset(w.capitalize() for w in rules.STOPWORDS) | rules.NOT_A_NAME | frozenset(
    "However Meanwhile Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday "
    "Sunday January February March April May June July August September October November December "
    "After Before During Since Although Though Despite Regarding Following Citing Discussing "
    "Speaking Asked Writing According Image Photo Credit Source Sources Also".split())) - lx.HONORIFICS - {"Sir", "Dame"}
_GENERIC = re.compile(rules.SOURCE_NOUN + "|" + rules.GENERIC_SPEAKER + r"|officials|critics|analysts|observers|witnesses|residents|police|sources", re.IGNORECASE)
_CROWD = re.compile(r"officials|critics|analysts|observers|witnesses|residents|police|sources|authorities|scientists|"
                    r"experts|doctors|organi[sz]ers|activists|protesters|advocates|campaigners|supporters|opponents|"
                    r"investigators|lawmakers|legislators|diplomats|economists|volunteers|workers|parents|teachers|"
                    r"students|patients|survivors|families|relatives|neighbou?rs|locals|villagers|aides|staff",
                    re.IGNORECASE)


# An office not yet taken up: "State-designate", "President-elect".
DESIGNATE_RE = re.compile(r"-(?:designate|elect)$")
# Lower-case words inside a body's name ("Council on Foreign Relations"); never at its end.
CONNECTORS = frozenset("of for on and the de du des &".split())
# A US politician's party and state: "D-N.Y.", "R-Texas", "I-Vt.".
PARTY_RE = re.compile(r"[DRI]-(?:(?:[A-Z]\.)+|[A-Z][a-z]+\.?)(?![\w-])")
# "Food and Drug Administration", "Johnson & Johnson": a body's name joined by "and".
AND_TAIL_RE = re.compile(r"\s+(?:and|&)\s+" + _TOKEN + r"(?:\s+" + _TOKEN + r")*")


def _surname_after(tokens: list[str]) -> bool:
    """Whether the last token, a title word, is a surname here: "Tom Green", "Dr. Martin King"."""
    if len(tokens) < 2 or tokens[-1] not in lx.SURNAME_TITLES:
        return False
    before = tokens[-2]
    return before in lx.HONORIFICS or before.casefold() in lx.FEMALE_NAMES or before.casefold() in lx.MALE_NAMES \
        or bool(re.fullmatch(r"[A-Z]\.", before))


def name_run_end(text: str, start: int, end: int) -> int:
    """Where a name run that starts at ``start`` ends, letting a body's name run on through
    "of", "for", "on" ("Department of Agriculture", "Council on Foreign Relations") and, when
    the words after "and" name a body, through "and" ("Food and Drug Administration")."""
    while True:
        tokens = text[start:end].split()
        if _classify(tokens) != "person":
            more = ORG_TAIL_RE.match(text, end)
            if more is None:
                return end
            end = more.end()
            continue
        joined = AND_TAIL_RE.match(text, end)
        if joined is None or _first_gender(tokens) is not None or any(t in lx.HONORIFICS for t in tokens):
            return end
        tail = text[joined.start() : joined.end()].split()[1:]
        if _classify(tail) != "organization":
            return end
        end = joined.end()


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
    plain = [t for t in tokens if t not in lx.TITLES and t not in lx.HONORIFICS and t not in lx.CREDENTIALS]
    if len(plain) < 2:
        return None  # "Dr. Chen", "Smith": a surname alone says nothing of gender
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
    while i < len(tokens) - 1 and (tokens[i] in lx.TITLES or tokens[i].rstrip(".") in lx.TITLES
                                   or DESIGNATE_RE.search(tokens[i])):
        i += 1
    return tokens[:i], tokens[i:]


def parse_name(text: str, start: int, end: int) -> _Name | None:
    """The name in ``text[start:end]`` without sentence openers, possessors and titles (they go to
    the description), with its kind and gender cue; None when nothing there is a name."""
    tokens = text[start:end].split()
    # A sentence's first word ("After", "The", "On") is no part of a name, except "The" in a
    # publication's title.
    while tokens and tokens[0] in COMMON_WORDS and not (tokens[0] == "The" and len(tokens) > 1
                                                         and _classify(tokens[1:]) == "publication"):
        start = text.index(tokens[0], start) + len(tokens[0])
        tokens = tokens[1:]
    while tokens and (tokens[-1] in COMMON_WORDS or tokens[-1] in CONNECTORS
                      or tokens[-1].rstrip(".") in lx.TITLES and len(tokens) > 1
                      and tokens[-1] not in lx.ORG_WORDS and not _surname_after(tokens)):
        tokens = tokens[:-1]  # "Food and Drug Administration on Tuesday": the day is no part of it
    if all(t in lx.CREDENTIALS for t in tokens):
        return None  # "M.D.", "PhD": a credential, part of the description
    # A party and state after a name ("Chuck Schumer, D-N.Y.", "(R-Texas)") is a description.
    if not tokens or PARTY_RE.fullmatch(tokens[0].strip("(),")):
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
    if all(t in lx.TITLES or t.rstrip(".") in lx.TITLES for t in tokens) and not (
            len(tokens) == 1 and tokens[0] in lx.SURNAME_TITLES):
        return None
    if len(tokens) == 1 and (_GENERIC.fullmatch(tokens[0]) or _CROWD.fullmatch(tokens[0])):
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



def _words(text: str, start: int, end: int) -> list[re.Match[str]]:
    return list(WORD_RE.finditer(text, start, end))


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
