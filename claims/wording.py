"""Counts in messages: "1 row", "2 rows", the same way everywhere."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``3 quotes``, ``1 quote``; ``plural_form`` for irregular words (``1 was``...)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
