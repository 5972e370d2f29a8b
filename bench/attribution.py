"""Quote finding and attribution scored against the hand-annotated real articles.

    .venv/bin/python bench/attribution.py [--errors] [--split dev|heldout|all]

Reads every ``tests/articles/real/*.yml`` (see the README there), runs extraction on its text
and prints, for the dev split, the held-out split and both together (and the same rows again for
each later annotation set, the files with a ``set`` field, so new material is reported on its own):

- quote recall: gold source quotes extracted as ``source`` quotes;
- quote precision: extracted source quotes that are gold source quotes (those overlapping an
  ``ambiguous`` gold quotation are not counted either way);
- speaker accuracy over the source quotes found: overall, and by how the quotation's own
  sentence credits the speaker (a name, a pronoun, a description, no credit of its own, an
  unnamed source). An unnamed source is right when the quote is not ``named``; a named one
  when the speaker resolves to the same person or body (honorifics, case and a leading "the"
  aside; an acronym or a surname of the full name counts).

``--errors`` lists what went wrong, for the dev split only: the held-out split is for
measuring, never for tuning.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claims.extract import extract  # noqa: E402
from claims.models import Extraction  # noqa: E402
from claims.readers import read_path  # noqa: E402

REAL = ROOT / "tests" / "articles" / "real"
MENTIONS = {"n": "named", "p": "pronoun", "d": "description", "c": "no credit of its own",
            "v": "unnamed source", "o": "uncredited"}
HONORIFICS = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "sir", "dame", "lord", "lady",
              "emeritus", "md", "phd", "the"}
TRIM = " \t\n,.;:!?\"'“”‘’"


def _fold(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", text)
    return [w for w in words if w not in HONORIFICS]


def same_speaker(predicted: str, gold: str) -> bool:
    p, g = _fold(predicted), _fold(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    # An acronym of the full name ("KCNA" for Korean Central News Agency).
    initials = "".join(w[0] for w in g if w not in {"of", "and", "for", "on", "in"})
    if len(p) == 1 and p[0] == initials:
        return True
    # The surname, or the name without a middle name or initial.
    if p[-1] == g[-1] and set(p) <= set(g):
        return True
    # The same name spelt two ways in the article ("Kristin" / "Kristen Wilkins").
    return len(p) == len(g) >= 2 and p[-1] == g[-1] and fuzz.ratio(" ".join(p), " ".join(g)) >= 90


@dataclass
class Tally:
    gold_sources: int = 0
    found: int = 0
    extracted_sources: int = 0
    true_sources: int = 0
    speakers: Counter = field(default_factory=Counter)
    speakers_right: Counter = field(default_factory=Counter)
    articles: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in ("gold_sources", "found", "extracted_sources", "true_sources", "articles", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.speakers.update(other.speakers)
        self.speakers_right.update(other.speakers_right)


def _spans(text: str, quotes: list[dict]) -> list[tuple[int, int]]:
    out, cursor = [], 0
    for q in quotes:
        start = text.find(q["text"], cursor)
        if start < 0:
            start = text.find(q["text"])
        if start < 0:
            raise SystemExit(f"gold text not in the article: {q['text'][:60]!r}")
        out.append((start, start + len(q["text"])))
        cursor = start + 1
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _same_span(extracted: tuple[int, int], gold: tuple[int, int], text: str) -> bool:
    if text[extracted[0]:extracted[1]].strip(TRIM) == text[gold[0]:gold[1]].strip(TRIM):
        return True
    return _overlap(extracted, gold) * 10 >= 8 * max(gold[1] - gold[0], extracted[1] - extracted[0])


def predicted_speaker(extraction: Extraction, qi: int) -> str | None:
    quote = extraction.quotes[qi]
    if quote.attribution_kind != "named":
        return None
    index = getattr(quote, "speaker_index", None)
    speakers = getattr(extraction, "speakers", None)
    if index is not None and speakers:
        return speakers[index].name
    return quote.speaker


def score_article(path: Path, errors: list[str] | None) -> Tally:
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = read_path(ROOT / gold["article"])
    started = time.perf_counter()
    extraction = extract(doc)
    tally = Tally(articles=1, seconds=time.perf_counter() - started)
    text = doc.text
    spans = _spans(text, gold["quotes"])
    quotes = extraction.quotes
    matched: dict[int, int] = {}
    for qi, q in enumerate(quotes):
        for gi, span in enumerate(spans):
            if gi not in matched and _same_span((q.start, q.end), span, text):
                matched[gi] = qi
                break
    by_quote = {qi: gi for gi, qi in matched.items()}
    for gi, g in enumerate(gold["quotes"]):
        if g["kind"] != "source":
            continue
        tally.gold_sources += 1
        qi = matched.get(gi)
        if qi is None or quotes[qi].kind != "source":
            if errors is not None:
                got = "not found" if qi is None else f"found as {quotes[qi].kind}"
                errors.append(f"{path.stem}: missed ({got}): {g['text'][:70]!r}")
            continue
        tally.found += 1
        mention = MENTIONS[g.get("mention", "n")]
        tally.speakers[mention] += 1
        predicted = predicted_speaker(extraction, qi)
        expected = g.get("speaker")
        right = predicted is None if expected is None else predicted is not None and same_speaker(predicted, expected)
        tally.speakers_right[mention] += right
        if not right and errors is not None:
            errors.append(f"{path.stem}: speaker {predicted!r} (attribution {quotes[qi].attribution!r}), "
                          f"gold {expected!r} [{mention}]: {g['text'][:50]!r}")
    for qi, q in enumerate(quotes):
        if q.kind != "source":
            continue
        gi = by_quote.get(qi)
        if gi is not None and gold["quotes"][gi]["kind"] == "ambiguous":
            continue
        if gi is None and any(_overlap((q.start, q.end), s) for s, g in zip(spans, gold["quotes"], strict=True)
                              if g["kind"] == "ambiguous"):
            continue
        tally.extracted_sources += 1
        if gi is not None and gold["quotes"][gi]["kind"] == "source":
            tally.true_sources += 1
        elif errors is not None:
            what = "not a quotation" if gi is None else gold["quotes"][gi]["kind"]
            errors.append(f"{path.stem}: extra source quote ({what}): {q.text[:70]!r}")
    return tally


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a"


def report(name: str, tally: Tally) -> None:
    right = sum(tally.speakers_right.values())
    total = sum(tally.speakers.values())
    print(f"{name}: {tally.articles} articles, {tally.gold_sources} gold source quotes")
    print(f"  quote recall      {_ratio(tally.found, tally.gold_sources)}")
    print(f"  quote precision   {_ratio(tally.true_sources, tally.extracted_sources)}")
    print(f"  speaker accuracy  {_ratio(right, total)}")
    for mention in MENTIONS.values():
        if tally.speakers[mention]:
            print(f"    {mention:<22}{_ratio(tally.speakers_right[mention], tally.speakers[mention])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="List the dev split's mistakes.")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="all",
                        help="Which split to report (default: both, and their total).")
    args = parser.parse_args()
    tallies = {"dev": Tally(), "heldout": Tally()}
    # Files with a ``set`` field (e.g. ``set: 2026-12``) were annotated later, on material nobody
    # had tuned on: they count in the rows above and are also reported on their own.
    by_set: dict[str, dict[str, Tally]] = {}
    errors: list[str] = []
    for path in sorted(REAL.glob("*.yml")):
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        split = gold["split"]
        if args.split not in ("all", split):
            continue
        tally = score_article(path, errors if args.errors and split == "dev" else None)
        tallies[split].add(tally)
        if gold.get("set"):
            by_set.setdefault(str(gold["set"]), {"dev": Tally(), "heldout": Tally()})[split].add(tally)
    for line in errors:
        print(line)
    total = Tally()
    for split, tally in tallies.items():
        if tally.articles:
            report(split, tally)
            total.add(tally)
    if args.split == "all":
        report("all", total)
    for name, splits in sorted(by_set.items()):
        both = Tally()
        for split, tally in splits.items():
            if tally.articles:
                report(f"set {name} {split}", tally)
                both.add(tally)
        if args.split == "all":
            report(f"set {name} all", both)
    print(f"extraction time: {total.seconds:.2f} s for {total.articles} articles")


if __name__ == "__main__":
    main()
