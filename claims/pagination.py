"""Keyset pages for the reviewers' lists and the home page (issue 13).

Every review list (a stored query in ``datasette.yaml``) returns REVIEW_PAGE_SIZE rows (its SQL
says ``limit 100``) from where its ``after`` parameter says the previous page ended, through an
index on the list's order: page 1,000 costs what page 1 does, unlike an OFFSET. The home page's
article list pages the same way on ``articles.id``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

REVIEW_PAGE_SIZE = 100
HOME_PAGE_SIZE = 100
# not_supported and disputed order by (article_id, kind, id): `after` packs the three into one
# number, article_id * 2^32 + (kind = 'quote') * 2^31 + id, as their SQL unpacks it.
_PACK = {"claim": 0, "quote": 1 << 31}


def _packed(row: dict[str, Any]) -> int:
    return (row["article_id"] << 32) + _PACK[row["kind"]] + (row["claim_id"] or row["quote_id"])


# The `after` value each list's SQL expects, from the last row shown.
REVIEW_LIST_AFTER: dict[str, Callable[[dict[str, Any]], int]] = {
    "needs_review": lambda r: r["claim_id"],
    "not_supported": _packed,
    "disputed": _packed,
    "vague_attributions": lambda r: (r["article_id"] << 32) + r["quote_id"],
    "misquotes": lambda r: r["check_id"],
    "population_mismatch": lambda r: r["finding_id"],
    "my_flags": lambda r: r["flag_id"],
}


def next_page_url(list_url: str, stored_query: str | None, columns: list[str], rows: list[Any]) -> str | None:
    """The link to a review list's next page, or None on its last page (or for another query).
    ``rows`` are the query page's display rows: cells as rendered (ids are links), so the text
    of each cell is read back."""
    after = REVIEW_LIST_AFTER.get(stored_query or "")
    if after is None or len(rows) < REVIEW_PAGE_SIZE:
        return None
    last: dict[str, Any] = {}
    for column, cell in zip(columns, rows[-1], strict=False):
        text = Markup(str(cell)).striptags().strip()
        last[column] = int(text) if text.isdigit() else (text or None)
    try:
        return f"{list_url}?after={after(last)}"
    except (KeyError, TypeError):
        return None
