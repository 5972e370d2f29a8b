"""Split an article's text into segments for highlighting overlapping claims and quotes.

Claims and quotes overlap and nest (a claim sentence often contains a quotation), so the text
is cut at every span boundary; each segment then carries the spans that cover all of it. One
sweep over the sorted boundaries keeps this O(n log n) in the number of spans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    kind: str  # "claim" or "quote"; "heading" marks a heading's text (no badge, no link)
    id: int
    start: int
    end: int
    status: str = "not reviewed"

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


@dataclass
class Segment:
    start: int
    end: int
    text: str
    # Spans covering this segment, outermost first (so the last is the innermost).
    spans: list[Span] = field(default_factory=list)
    # Spans that begin at this segment's start, outermost first: where their badges go.
    opening: list[Span] = field(default_factory=list)
    # True inside a heading (spans of kind "heading" mark structure, not records).
    heading: bool = False


def _outer_first(span: Span) -> tuple[int, int, str, int]:
    return (span.start, -span.end, span.kind, span.id)


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cover ``text`` completely with segments; spans are clipped to the text."""
    n = len(text)
    clipped = []
    for span in spans:
        start, end = max(0, min(span.start, n)), max(0, min(span.end, n))
        if end > start:
            clipped.append(Span(span.kind, span.id, start, end, span.status))
    starts: dict[int, list[Span]] = defaultdict(list)
    ends: dict[int, list[Span]] = defaultdict(list)
    for span in clipped:
        starts[span.start].append(span)
        ends[span.end].append(span)
    bounds = sorted({0, n, *starts, *ends})
    active: dict[str, Span] = {}
    result = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        for span in ends.get(a, ()):
            active.pop(span.key, None)
        opening = sorted(starts.get(a, ()), key=_outer_first)
        for span in opening:
            active[span.key] = span
        covering = sorted(active.values(), key=_outer_first)
        result.append(
            Segment(
                start=a,
                end=b,
                text=text[a:b],
                spans=[sp for sp in covering if sp.kind != "heading"],
                opening=[sp for sp in opening if sp.kind != "heading"],
                heading=any(sp.kind == "heading" for sp in covering),
            )
        )
    return result
