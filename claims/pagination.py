"""Keyset pages for the reviewers' lists and the home page (issue 13).

Every review list (a stored query in ``datasette.yaml``) returns REVIEW_PAGE_SIZE rows (its SQL
says ``limit 100``) from where its ``after`` parameter says the previous page ended, through an
index on the list's order: page 1,000 costs what page 1 does, unlike an OFFSET. Needs review,
whose order is computed per row (quote checks, findings), pages by number instead. The home page's
article list pages the same way on ``articles.id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

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
    "not_supported": _packed,
    "disputed": _packed,
    "vague_attributions": lambda r: (r["article_id"] << 32) + r["quote_id"],
    "misquotes": lambda r: r["check_id"],
    "population_mismatch": lambda r: r["finding_id"],
    "my_flags": lambda r: r["flag_id"],
}


# Lists whose order is computed per row (Needs review: quote checks, findings) page by number.
NUMBERED_LISTS = {"needs_review"}


def next_page_url(
    list_url: str, stored_query: str | None, columns: list[str], rows: list[Any], params: dict[str, Any] | None = None
) -> str | None:
    """The link to a review list's next page, or None on its last page (or for another query).
    ``rows`` are the query page's display rows: cells as rendered (ids are links), so the text
    of each cell is read back; ``params`` the page's own parameters (kept, bar the position)."""
    if len(rows) < REVIEW_PAGE_SIZE:
        return None
    if stored_query in NUMBERED_LISTS:
        page = str((params or {}).get("page") or "1")
        kept = {k: v for k, v in (params or {}).items() if k != "page" and v not in (None, "")}
        return f"{list_url}?{urlencode({**kept, 'page': int(page) + 1 if page.isdigit() else 2})}"
    after = REVIEW_LIST_AFTER.get(stored_query or "")
    if after is None:
        return None
    last = {column: _cell_value(column, cell) for column, cell in zip(columns, rows[-1], strict=False)}
    try:
        return f"{list_url}?after={after(last)}"
    except (KeyError, TypeError):
        return None


def _cell_value(column: str, cell: Any) -> Any:
    """A display cell's value: an article cell shows the title and links to the article page, so
    its id is read from the link; an id cell's text is the id."""
    text = str(cell)
    if column == "article_id" and (found := re.search(r"/-/claims/articles/(\d+)", text)):
        return int(found.group(1))
    plain = Markup(text).striptags().strip()
    return int(plain) if plain.isdigit() else (plain or None)
