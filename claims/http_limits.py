"""HTTP requests with an overall deadline and a byte cap, whatever the server does.

httpx's timeouts bound each network wait, not a request: a server that sends one byte every
few seconds (in its headers or its body) holds a request for as long as it likes. Here:

- :class:`DeadlineTransport` is httpx's own transport with every socket operation (connect,
  TLS, each read and write) bounded by the time left before the deadline of the request in
  progress on that thread, headers included;
- :func:`get` runs one GET under such a deadline, reads at most ``max_bytes`` of (decoded) body
  and returns a complete ``httpx.Response``; :class:`TooSlow` / :class:`TooLarge` say which limit
  it hit. With any other transport (the tests' recorded responses) the body is still checked
  against the deadline chunk by chunk.

Used by the article fetches (claims.readers) and the Crossref/NCBI lookups (claims.lookup).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()


class TooSlow(Exception):
    """The whole response did not arrive before the deadline."""


class TooLarge(Exception):
    """The response body is larger than the cap."""


def _bounded(timeout: float | None) -> float | None:
    give_up = getattr(_local, "give_up", None)
    if give_up is None:
        return timeout
    left = give_up - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):  # type: ignore[no-untyped-def]
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str):  # type: ignore[no-untyped-def]
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        return _Stream(self._backend.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # type: ignore[no-untyped-def]
        return _Stream(self._backend.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport, its sockets bounded by the current request's deadline (see :func:`deadline`)."""

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        # httpx takes no network backend; give its httpcore pool ours (what httpcore's
        # ConnectionPool(network_backend=...) is for) for every connection it opens.
        self._pool._network_backend = _Backend()


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound every socket operation on this thread for ``seconds`` (nested: the earlier wins);
    yields the monotonic time of the deadline."""
    previous = getattr(_local, "give_up", None)
    give_up = time.monotonic() + seconds
    if previous is not None:
        give_up = min(previous, give_up)
    _local.give_up = give_up
    try:
        yield give_up
    finally:
        _local.give_up = previous


def client(**kwargs) -> httpx.Client:  # type: ignore[no-untyped-def]
    """An ``httpx.Client`` whose requests :func:`get` can hold to a deadline, headers included."""
    return httpx.Client(transport=DeadlineTransport(), **kwargs)


# Headers that describe the body as it came over the wire, not the decoded bytes kept here.
_WIRE_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding"}


def get(
    http: httpx.Client,
    url: str,
    *,
    deadline_s: float,
    max_bytes: int,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """GET ``url``: the whole response within ``deadline_s`` seconds and at most ``max_bytes``
    of body, or :class:`TooSlow` / :class:`TooLarge` (httpx errors pass through)."""
    with deadline(deadline_s) as give_up:
        try:
            with http.stream("GET", url, params=params, headers=headers) as response:
                chunks, total = [], 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise TooLarge(f"the response is over the size limit of {max_bytes:,} bytes")
                    chunks.append(chunk)
                    if time.monotonic() > give_up:
                        raise TooSlow(f"gave up after {deadline_s:g}s: the server is sending too slowly")
        except httpx.TimeoutException:
            if time.monotonic() >= give_up:
                raise TooSlow(f"gave up after {deadline_s:g}s: the server is sending too slowly") from None
            raise
    kept = [(k, v) for k, v in response.headers.raw if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code, headers=kept, content=b"".join(chunks), request=response.request,
        extensions={"reason_phrase": response.reason_phrase.encode("ascii", "replace")},
    )  # fmt: skip
