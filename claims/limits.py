"""Small guards for what a URL can carry into SQL: ids within SQLite's range, safe FTS terms."""

from __future__ import annotations

import re

from datasette.utils.asgi import NotFound

SQLITE_MAX_INT = 2**63 - 1
# Control characters (NUL included) and double quotes cannot be part of an FTS term here.
_NOT_TERM = re.compile(r'[\x00-\x1f\x7f"]+')


def sqlite_id(value: object) -> int:
    """A row id from a URL; ValueError if it is not a whole number SQLite can store."""
    number = int(str(value))
    if not 0 <= number <= SQLITE_MAX_INT:
        raise ValueError(f"id {value} is out of range")
    return number


def route_id(value: object, what: str) -> int:
    """A row id from a route (``\\d+``): out of range is simply not found."""
    try:
        return sqlite_id(value)
    except ValueError:
        raise NotFound(f"No {what} with id {value}") from None


def fts_terms(q: str) -> str:
    """User text as an FTS5 query of quoted terms (all must match), never FTS syntax; '' if
    nothing searchable is left."""
    return " ".join(f'"{word}"' for word in _NOT_TERM.sub(" ", q).split())
