"""Extraction time and peak memory as one article grows: 200 KB, 2 MB and 20 MiB.

The article is the bench corpus's articles (bench/scale.py) joined under one title, so it has
the example's mix of quotes, claims, links and headings at every size. Each size runs in a
fresh process (peak RSS is that process's). Prints seconds, seconds per MB, the ratio to the
linear extrapolation from the smallest size, and peak memory.

    .venv/bin/python bench/extract_scale.py [--sizes 200000,2000000,20971520]

Targets (issue 13): 20 MiB within 1.2x of linear from 200 KB, peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def article_of(size: int) -> str:
    import scale

    pool = scale.paragraphs()
    parts, total, i = [], 0, 0
    while total < size:
        text = scale.article(i, pool, random.Random(i), scale.PARAGRAPHS)
        parts.append(text if i == 0 else text.replace("# ", "## ", 1))
        total += len(text.encode("utf-8")) + 1
        i += 1
    return "\n".join(parts)


def measure(size: int) -> None:
    from claims.extract import extract
    from claims.readers import parse

    text = article_of(size)
    doc = parse(text, "markdown", "big.md")
    start, cpu = time.perf_counter(), time.process_time()
    found = extract(doc)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(text.encode('utf-8'))}\t{seconds:.3f}\t{peak:.0f}\t{len(found.quotes)}\t{len(found.claims)}\t{cpu:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200000,2000000,20971520", help="Article sizes in bytes, smallest first.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        size_bytes, seconds, peak, quotes, claims, cpu = done.stdout.strip().splitlines()[-1].split("\t")
        rows.append((int(size_bytes), float(seconds), float(peak), int(quotes), int(claims), float(cpu)))
        base_bytes, base_seconds, base_cpu = rows[0][0], rows[0][1], rows[0][5]
        linear = base_seconds * int(size_bytes) / base_bytes
        # CPU time too: on a shared machine the wall clock also measures the other processes.
        linear_cpu = base_cpu * int(size_bytes) / base_bytes
        print(f"{int(size_bytes) / 1e6:8.2f} MB: {float(seconds):8.1f}s ({float(seconds) / (int(size_bytes) / 1e6):.2f} s/MB), "
              f"{float(seconds) / linear:.2f}x linear from {base_bytes / 1e3:.0f} KB; CPU {float(cpu):.1f}s, "
              f"{float(cpu) / linear_cpu:.2f}x linear; peak {float(peak):.0f} MB; {quotes} quotes, {claims} claims; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
