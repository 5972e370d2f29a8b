"""Quote verification speed: Q quotations against generated sources totalling N megabytes.

Each quotation is checked against the one source it is linked to, as `claims verify` does.
The quotations are a realistic mix: copied word for word (some across a line break), with
typographic changes (case, straight quotes, a word hyphenated across a line), with one or two
words changed, shortened with an ellipsis, and absent.

Prints seconds for `claims.verify.check_quote` over all of them, and the ratio to two
baselines measured in the same run on the same texts:

- the floor: one exact ``str.find`` per quotation in its own source (finds only verbatim
  quotes), walking the quotations in the same order, grouped by source, and best of the same
  number of runs;
- the naive way: ``difflib.SequenceMatcher`` aligning each quotation against its whole source,
  timed on a small sample and extrapolated to all Q.

    .venv/bin/python bench/verify.py [--quotes 2000] [--mb 5] [--source-kb 250] [--sample 3] [--repeat 3]
    .venv/bin/python bench/verify.py --quotes 10000 --mb 50      # the issue's largest run
    .venv/bin/python bench/verify.py --end-to-end               # and through the database
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import random
import time
from collections import Counter

from claims.verify import PreparedSource, check_quote

SYLLABLES = ["ka", "lo", "mi", "ne", "tur", "sa", "vel", "dor", "pi", "qua", "ren", "tis", "mo", "bra", "zen", "ul"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def make_source(rng: random.Random, words: list[str], weights: list[float], chars: int) -> str:
    """Sentences of Zipf-distributed words, wrapped into ~80-character lines as PDF text is,
    with the odd word hyphenated across a line break and the odd curly-quoted phrase."""
    lines: list[str] = []
    line: list[str] = []
    length = 0
    total = 0
    sentence_left = rng.randint(8, 25)
    # Drawn in batches: random.choices with cumulative weights is the costly part.
    batch: list[str] = []
    while total < chars:
        if not batch:
            batch = rng.choices(words, cum_weights=weights, k=4096)
        word = batch.pop() if len(line) % 7 else rng.choice(words)
        sentence_left -= 1
        if sentence_left == 0:
            word += "."
            sentence_left = rng.randint(8, 25)
        if rng.random() < 0.01:
            word = f"\u201c{word}\u201d"
        if length + len(word) > 80:
            if len(word) > 6 and rng.random() < 0.15:
                cut = len(word) // 2
                line.append(word[:cut] + "-")
                lines.append(" ".join(line))
                line, length = [word[cut:]], len(word) - cut
            else:
                lines.append(" ".join(line))
                line, length = [word], len(word)
        else:
            line.append(word)
            length += len(word) + 1
        total += len(word) + 1
    lines.append(" ".join(line))
    return "\n".join(lines)


def make_quote(rng: random.Random, text: str, words: list[str]) -> tuple[str, str]:
    """(intended result, quotation) taken from ``text``."""
    tokens = text.split(" ")
    n = rng.randint(10, 30)
    i = rng.randrange(0, max(len(tokens) - n, 1))
    # A slice of the original text, line breaks and all, as an article would quote it.
    start = len(" ".join(tokens[:i])) + (1 if i else 0)
    end = start + len(" ".join(tokens[i : i + n]))
    original = text[start:end]
    # As an article prints it: one line, words hyphenated across a PDF line joined again.
    flat = " ".join(original.replace("-\n", "").split())
    kind = rng.choices(["verbatim", "normalised", "altered", "ellipsis", "absent"], [40, 15, 20, 10, 15])[0]
    if kind == "verbatim":
        # Line breaks and spacing aside, word for word; a rejoined hyphenation is typographic.
        if rng.random() < 0.5:
            return kind, original
        return ("normalised" if "-\n" in original else kind), flat
    if kind == "normalised":
        # Typography only: straight quotes, and the first letter's case flipped as quoting does.
        return kind, (flat[0].swapcase() + flat[1:]).replace("\u201c", '"').replace("\u201d", '"')
    parts = flat.split()
    if kind == "altered":
        for _ in range(rng.randint(1, 2)):
            parts[rng.randrange(len(parts))] = rng.choice(words)
        return kind, " ".join(parts)
    if kind == "ellipsis":
        cut = len(parts) // 3
        return kind, " ".join(parts[:cut]) + "\u2026 " + " ".join(parts[2 * cut :])
    return kind, " ".join(rng.choice(words) for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=2000, help="Number of quotations (Q).")
    parser.add_argument("--mb", type=float, default=5.0, help="Total source text in megabytes (N).")
    parser.add_argument("--source-kb", type=int, default=250, help="Size of each source in kilobytes.")
    parser.add_argument("--sample", type=int, default=3, help="Quotations timed with difflib, then extrapolated.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each; the best counts.")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--end-to-end", action="store_true", help="Also time compute_checks + save_checks on a SQLite database.")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    n_sources = max(1, round(args.mb * 1024 / args.source_kb))
    t0 = time.perf_counter()
    sources = [make_source(rng, words, weights, args.source_kb * 1024) for _ in range(n_sources)]
    quotes = []
    for q in range(args.quotes):
        s = q % n_sources
        intended, text = make_quote(rng, sources[s], words)
        quotes.append((s, intended, text))
    total_mb = sum(len(s) for s in sources) / 1e6
    print(f"generated {len(sources)} sources, {total_mb:.1f} MB, {len(quotes):,} quotations "
          f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip

    # Both timed loops walk the quotations grouped by source, as compute_checks does, so each
    # source's text is as warm in the CPU cache for the floor as for claims.verify; each is
    # run --repeat times, alternately, and the best run of each counts (as timeit does).
    by_source: dict[int, list[tuple[str, str]]] = {}
    for s, intended, text in quotes:
        by_source.setdefault(s, []).append((intended, text))
    groups = [(sources[s], items) for s, items in by_source.items()]

    def run_floor() -> int:
        """Exact str.find of every quotation in its own source: finds only verbatim quotes."""
        return sum(source.find(text) != -1 for source, items in groups for _, text in items)

    def run_ours() -> Counter[tuple[str, str]]:
        """claims.verify, each source prepared (and folded, when needed) once per run."""
        results: Counter[tuple[str, str]] = Counter()
        for source, items in groups:
            prepared = PreparedSource(source)
            for intended, text in items:
                results[(intended, check_quote(text, prepared).result)] += 1
        return results

    floors, ours_runs = [], []
    for _ in range(max(args.repeat, 1)):
        t0 = time.perf_counter()
        found = run_floor()
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        results = run_ours()
        ours_runs.append(time.perf_counter() - t0)
    floor, ours = min(floors), min(ours_runs)

    # The naive way: difflib aligning a quotation against its whole source.
    sample = quotes[: args.sample]
    t0 = time.perf_counter()
    for s, _, text in sample:
        matcher = difflib.SequenceMatcher(None, text, sources[s], autojunk=False)
        matcher.find_longest_match(0, len(text), 0, len(sources[s]))
        matcher.get_matching_blocks()
    naive = (time.perf_counter() - t0) / max(len(sample), 1) * len(quotes)

    print(f"best of {len(floors)} runs each; all runs (s): floor {' '.join(f'{t:.3f}' for t in floors)}, "
          f"claims.verify {' '.join(f'{t:.3f}' for t in ours_runs)}")  # fmt: skip
    print(f"{'method':<34} {'seconds':>10} {'quotes/s':>10} {'vs floor':>9}")
    print(f"{'str.find (floor, exact only)':<34} {floor:>10.3f} {len(quotes) / floor:>10,.0f} {1:>8.1f}x")
    print(f"{'claims.verify.check_quote':<34} {ours:>10.3f} {len(quotes) / ours:>10,.0f} {ours / floor:>8.1f}x")
    print(f"{'difflib (naive, extrapolated)':<34} {naive:>10.1f} {len(quotes) / naive:>10,.1f} {naive / floor:>8.0f}x")
    print(f"claims.verify is {naive / ours:,.0f}x faster than the naive way; str.find found {found:,} of "
          f"{len(quotes):,} quotations, claims.verify placed "
          f"{sum(n for (i, r), n in results.items() if r != 'not_found'):,}")  # fmt: skip
    print("intended -> result: " + ", ".join(f"{i}->{r} {n}" for (i, r), n in sorted(results.items())))
    if args.end_to_end:
        end_to_end(sources, quotes, ours)


def end_to_end(sources: list[str], quotes: list[tuple[int, str, str]], ours: float) -> None:
    """What `claims verify` adds around check_quote: reading the links, quotes and source texts
    from SQLite, and writing quote_checks in one transaction."""
    import hashlib
    import tempfile
    from pathlib import Path

    from claims.db import open_db, transaction
    from claims.verify import compute_checks, save_checks

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        stamp = "2026-01-01T00:00:00Z"
        with transaction(db):
            db["articles"].insert({"id": 1, "title": "Bench", "location": "bench", "text": "", "sha256": "-",
                                   "format": "text", "version": 1, "ingested_at": stamp})  # fmt: skip
            db["sources"].insert_all(
                ({"id": i + 1, "key": f"s{i}", "type": "article-journal", "csl": "{}"} for i in range(len(sources))),
                batch_size=1000,
            )
            db["source_texts"].insert_all(
                ({"source_id": i + 1, "text": text, "sha256": hashlib.sha256(text.encode()).hexdigest(),
                  "format": "text", "file_name": f"s{i}.txt", "chars": len(text), "extracted_at": stamp}
                 for i, text in enumerate(sources)),  # fmt: skip
                batch_size=50,
            )
            db["quotes"].insert_all(
                ({"id": q + 1, "article_id": 1, "text": text, "start": 0, "end": 0, "kind": "source",
                  "attribution_kind": "vague"} for q, (_, _, text) in enumerate(quotes)),  # fmt: skip
                batch_size=1000,
            )
            db["citations"].insert_all(
                ({"quote_id": q + 1, "source_id": s + 1, "relation": "candidate", "added_by": "bench",
                  "added_at": stamp} for q, (s, _, _) in enumerate(quotes)),  # fmt: skip
                batch_size=1000,
            )
        t0 = time.perf_counter()
        checks = compute_checks(db)
        t1 = time.perf_counter()
        with transaction(db):
            written = save_checks(db, checks)
        t2 = time.perf_counter()
        db.close()
    total = t2 - t0
    print(f"end to end (compute_checks + save_checks on SQLite): {total:.3f} s for {written:,} rows "
          f"(read and check {t1 - t0:.3f} s, write {t2 - t1:.3f} s); {total / ours:.2f}x check_quote alone")


if __name__ == "__main__":
    main()
