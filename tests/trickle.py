"""Slow-loris responses for the local HTTP servers that test deadlines."""

from __future__ import annotations

import time
from typing import BinaryIO


def trickle(wfile: BinaryIO, byte: bytes, times: int, every: float = 0.2) -> None:
    """Write ``byte`` ``times`` times, ``every`` seconds apart; stop quietly when the client hangs
    up (a client that gives up at its deadline closes the socket mid-write)."""
    try:
        for _ in range(times):
            wfile.write(byte)
            wfile.flush()
            time.sleep(every)
    except OSError:
        pass
