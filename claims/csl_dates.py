"""Dates as citeproc-js renders them, where citeproc-py 0.x differs from CSL 1.0.2.

1. A range whose two ends are the same date (``[[2017], [2017]]``, as Better BibTeX writes a
   season range) is one date; citeproc-py failed on it and the whole date group vanished.
2. In a range both of whose ends are in the same era, the era is printed once, after the range
   ("12–13 B.C.E."), not on both ends.
3. A date part whose two ends render the same (a season on both ends) is printed once.
4. A literal date is the date as given: printed where the date's year would be, not again by a
   ``cs:date`` that shows only the month and day (APA's date macro printed it twice).
6. A month of 13-16 or 21-24 is a season (CSL-JSON's pseudo-months, as Better BibTeX writes
   EDTF seasons): "2017, Summer–Autumn"; citeproc-py printed nothing for it.
5. A ``raw`` date (CSL-JSON's unparsed form) that is not a date citeproc-js can read prints as a
   literal; citeproc-py ignored ``raw`` and dropped the date.
"""

from __future__ import annotations

from typing import Any

from .csl import DATE_VARIABLES

_PATCHED = False


def collapse_ranges(item: dict[str, Any]) -> dict[str, Any]:
    """The item with each date range whose ends are equal written as one date (rule 1), and a
    ``raw`` date no reader could parse ("Mar 3", "[In press]") given as the literal it is (rule 5)."""
    for name in DATE_VARIABLES:
        value = item.get(name)
        if isinstance(value, dict) and isinstance(value.get("raw"), str) and not value.get("date-parts") and not value.get("literal"):
            item[name] = {"literal": value["raw"]}
        elif isinstance(value, dict) and isinstance(value.get("date-parts"), list):
            parts = value["date-parts"]
            if len(parts) == 2 and parts[0] == parts[1]:
                item[name] = {**value, "date-parts": [parts[0]]}
    return item


def _era(year: int) -> str | None:
    return "bc" if year < 0 else "ad" if 0 < year < 1000 else None


def patch() -> None:
    """Teach citeproc-py rules 2-4 (rule 1 is data preparation: :func:`collapse_ranges`)."""
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model
    from citeproc.source import LiteralDate

    original_range = model.Date.render_date_range
    original_process = model.Date.process

    def render_date_range(self, date_range, show_parts=None, context=None):  # type: ignore[no-untyped-def]
        begin, end = date_range.begin, date_range.end
        if end.is_nil():
            return original_range(self, date_range, show_parts, context)
        shown = list(show_parts or [])
        first = self.render_single_date(begin, list(shown), context)
        last = self.render_single_date(end, list(shown), context)
        if first is not None and first == last:
            return first  # rule 3: "Spring–Spring" is "Spring"
        text = original_range(self, date_range, list(shown), context)
        era = _era(getattr(begin, "year", 0) or 0)
        if text and era and era == _era(getattr(end, "year", 0) or 0) and "year" in shown:
            term = (context if context is not None else self).get_single_term(name=era)
            head, sep, tail = str(text).partition(self.unicode_character("EN DASH"))
            if term and term.strip() and sep and term in head and term in tail:
                return head.replace(term, "", 1).rstrip() + sep + tail
        return text

    def process(self, item, variable=None, show_parts=None, context=None, **kwargs):  # type: ignore[no-untyped-def]
        if self.is_locale_date() or self.get("form") is None:
            name = (variable or self.get("variable") or "").replace("-", "_")
            try:
                value = item.reference[name]
            except Exception:
                value = None
            if isinstance(value, LiteralDate):
                wanted = show_parts if show_parts is not None else ["year", "month", "day"]
                names = [part.get("name") for part in self.iterchildren() if part.get("name") in wanted]
                if "year" not in names:
                    return None  # rule 4
        return original_process(self, item, variable=variable, show_parts=show_parts, context=context, **kwargs)

    original_part = model.Date_Part.process

    def date_part(self, date, context=None):  # type: ignore[no-untyped-def]
        month = getattr(date, "month", None) if self.get("name") == "month" and "month" in date else None
        if isinstance(month, int) and (13 <= month <= 16 or 21 <= month <= 24):
            season = month - 12 if month <= 16 else month - 20
            return (context if context is not None else self).get_single_term(name=f"season-{season:02}")
        return original_part(self, date, context)

    model.Date_Part.process = date_part
    model.Date.render_date_range = render_date_range
    model.Date.process = process
    _PATCHED = True
