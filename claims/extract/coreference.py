"""Coreference: the article's speakers as records, and every later mention of them (a surname, an
acronym, a pronoun, "the agency", "the senator") resolved to the right one."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from .. import rules
from ..models import SpeakerKind
from . import lexicon as lx
from .names import (
    _CROWD,
    ACRONYM_DEF_RE,
    DESIGNATE_RE,
    NAME_RUN_RE,
    PARTY_RE,
    _description,
    _first_gender,
    _key,
    _Name,
    _preceded_by_preposition,
    _words,
    name_run_end,
    parse_name,
)

# The role an appositive gives right after a name: ", a spokeswoman for the county,".
APPOSITIVE_RE = re.compile(r"\s*,\s*((?:a|an|the|its|his|her|their)\s+[^,;:.]{2,80}),")
# A title with its "of" phrase right before a name's run: "Secretary of ", "Minister for ".
TITLE_OF_RE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){1,3}(?:of|for)\s+(?:the\s+)?$")
# Abbreviated titles and the role noun they stand for.
TITLE_NOUNS = {"sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
               "dr": "doctor", "prof": "professor", "supt": "superintendent", "insp": "inspector",
               "det": "detective", "lt": "lieutenant", "col": "colonel", "capt": "captain", "sgt": "sergeant"}


def _has_role(words: str, noun: str) -> bool:
    """Whether a description names the role ``noun``: "Governor" or "Gov." for "governor"."""
    found = {TITLE_NOUNS.get(w, w) for w in re.findall(r"[a-z]+", words.casefold())}
    return noun in found or noun.rstrip("s") in found


@dataclass
class Speaker:
    name: str
    kind: SpeakerKind
    description: str | None = None
    gender: str | None = None
    keys: set[str] = field(default_factory=set)



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
            party = PARTY_RE.match(text, match.start())
            if party is not None:
                skip_until = party.end()  # "D-N.Y.": a description, not a name
                continue
            end = name_run_end(text, match.start(), match.end())
            skip_until = end
            parsed = parse_name(text, match.start(), end)
            if parsed is None:
                continue
            title_of = TITLE_OF_RE.search(text, max(0, parsed.start - 60), parsed.start)
            if title_of is not None and title_of.group(0).split()[0] in lx.TITLES and parsed.kind == "person":
                # "Secretary of State-designate Hillary Clinton": the title runs on before "of".
                parsed.description = " ".join((title_of.group(0) + (parsed.description or "")).split())
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
            if candidate.kind == "person" and "person" not in want and "organization" in want \
                    and len(candidate.name.split()) == 1 and candidate.gender is None \
                    and self.by_key.get(_key(self.full_name(candidate.name, "person"))) is None \
                    and not self._personlike(candidate, None):
                # "Tesla did not respond. ... it said": a one-word name with nothing of a person.
                best = (candidate.start, replace(candidate, kind="organization"))
                break
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
        titles = (name.description or "").split()
        if titles and titles[-1] in lx.TITLES and titles[-1] not in lx.FIELD_TITLES:
            return True  # an office before a surname: "President Bush", "Sen. Warren"
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

    def _common_subject(self, at: int, plural: bool = False) -> bool:
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
            if plural and words and words[0].endswith("s") and (_CROWD.fullmatch(words[0]) or re.fullmatch(
                    rules.SOURCE_NOUN, words[0], re.IGNORECASE)):
                return True  # "Officials from the Department of Energy visited ... they said"
            return bool(words) and words[0].casefold() in {"the", "these", "those", "many", "some", "most"} \
                and len(words) > 1 and words[1][:1].islower()
        return False

    def resolve_pronoun(self, pronoun: str, at: int) -> int | None:
        reading = lx.PRONOUNS[pronoun.casefold()]
        target: _Name | int | None
        if reading in ("male", "female", "self"):
            target = self._recent_person(at, reading if reading != "self" else None)
        else:
            if self._common_subject(at, reading == "plural"):
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
        noun = DESIGNATE_RE.sub("", words[-1].casefold().strip(".,"))  # "the secretary-designate"
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
            found_person = self._described_person(noun, at)
            if found_person is None:
                return None
            index = found_person if isinstance(found_person, int) else self.resolve_name(found_person)
        else:
            found = self._recent(at, want, gender)
            if found is None:
                return None
            target = found[1]
            index = target if isinstance(target, int) else self.resolve_name(target)
        self.last_mention[index] = at
        return index

    def _described_person(self, noun: str, at: int) -> _Name | int | None:
        """The most recent person the article gives the role ``noun`` ("the governor" after
        "Governor Gavin Newsom" or "Sarah Jones, a spokeswoman for ..."), speaker or mention."""
        best: tuple[int, _Name | int] | None = None
        for i, sp in enumerate(self.speakers):
            position = self.last_mention.get(i, -1)
            if sp.kind == "person" and position < at and _has_role(sp.description or "", noun):
                best = max(best, (position, i), key=lambda pair: pair[0]) if best else (position, i)
        si = bisect_right(self.sent_starts, at) - 1
        floor = self.sents[max(0, si - 8)][0] if self.sents else 0
        for name in self.names_in(floor, at):
            if name.kind != "person" or (best is not None and name.start <= best[0]) \
                    or _preceded_by_preposition(self.text, name.start):
                continue  # "On North Korea, the president said": a topic, no appositive host
            appositive = APPOSITIVE_RE.match(self.text, name.end)
            role = (name.description or "") + " " + (appositive.group(1) if appositive else "")
            if _has_role(role, noun):
                best = (name.start, name)
        return best[1] if best else None

    def names_in(self, start: int, end: int) -> list[_Name]:
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.names) and self.names[i].start < end:
            if self.names[i].end <= end:
                out.append(self.names[i])
            i += 1
        return out
