"""The one timestamp format for records the tool writes: ISO 8601, UTC, to the second."""

from __future__ import annotations

import datetime


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
