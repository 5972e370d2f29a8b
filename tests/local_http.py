"""Local HTTP servers for the network tests: a handler served on a free loopback port, and
slow-loris responses for the tests of deadlines."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 in a background thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True  # a trickling answer must not hold shutdown
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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
