"""Flags and resolutions: reviewers' verdicts on claims and quotes, and editors' rulings.

In Datasette these rows are written by the ``flag_*`` / ``resolve_*`` stored queries in
``datasette.yaml``; these functions are the same writes for scripts and tests. Either way the
triggers from migration m020 have the last word (append-only, known ids, verdict vocabulary).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Literal

import sqlite_utils
from pydantic import Field, model_validator

from .db import transaction
from .models import Record

Verdict = Literal["supported", "unsupported", "misquoted", "misattributed", "overstated", "needs_source"]
VERDICTS: tuple[Verdict, ...] = (
    "supported",
    "unsupported",
    "misquoted",
    "misattributed",
    "overstated",
    "needs_source",
)
# What each verdict means, for the flag form and the docs.
VERDICT_LABELS: dict[str, str] = {
    "supported": "Supported: the sources back it as worded",
    "unsupported": "Unsupported: the sources do not back it",
    "misquoted": "Misquoted: the words differ from the source",
    "misattributed": "Misattributed: credited to the wrong person or work",
    "overstated": "Overstated: the sources say something weaker",
    "needs_source": "Needs a source: nothing cited to check it against",
}
# "needs re-review": the text changed in a new version since it was last reviewed (claims.versions).
Status = Literal["not reviewed", "needs re-review", "supported", "not supported", "disputed"]
STATUSES: tuple[Status, ...] = ("not reviewed", "needs re-review", "supported", "not supported", "disputed")


def now() -> str:
    # Same shape as Datasette's :_now_datetime_utc, so both kinds of rows sort together.
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Flag(Record):
    claim_id: int | None = None
    quote_id: int | None = None
    verdict: Verdict
    reason: str | None = None
    source_id: int | None = None
    reviewer: str = Field(min_length=1)
    created_at: str = Field(default_factory=now)

    @model_validator(mode="after")
    def _rules(self) -> Flag:
        if (self.claim_id is None) == (self.quote_id is None):
            raise ValueError("exactly one of claim_id or quote_id is required")
        if self.verdict != "supported" and not (self.reason or "").strip():
            raise ValueError("a reason is required unless the verdict is supported")
        return self


class Resolution(Record):
    flag_id: int
    verdict: Verdict
    note: str | None = None
    editor: str = Field(min_length=1)
    created_at: str = Field(default_factory=now)

    @model_validator(mode="after")
    def _rules(self) -> Resolution:
        if self.verdict != "supported" and not (self.note or "").strip():
            raise ValueError("a note is required unless the verdict is supported")
        return self


def save_flags(db: sqlite_utils.Database, flags: Iterable[Flag]) -> int:
    """Append flags in one transaction; returns how many were written."""
    rows = [Flag.model_validate(flag).model_dump() for flag in flags]
    with transaction(db):
        db["flags"].insert_all(rows)
    return len(rows)


def save_resolutions(db: sqlite_utils.Database, resolutions: Iterable[Resolution]) -> int:
    rows = [Resolution.model_validate(r).model_dump() for r in resolutions]
    with transaction(db):
        db["resolutions"].insert_all(rows)
    return len(rows)


def latest_flag_id(db: sqlite_utils.Database, *, claim_id: int | None = None, quote_id: int | None = None) -> int | None:
    """The flag a resolution made now would cover."""
    column, value = ("claim_id", claim_id) if claim_id is not None else ("quote_id", quote_id)
    row = db.execute(f"select max(id) from flags where {column} = ?", [value]).fetchone()
    return row[0] if row else None
