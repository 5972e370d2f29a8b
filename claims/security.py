"""Server-wide protections: security headers on every response and limits on every connection.

- :func:`security_wrapper` (Datasette's ``asgi_wrapper`` hook) adds a Content-Security-Policy
  (only this server's own scripts and styles; no framing), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff`` and
  ``Referrer-Policy: same-origin`` to every HTTP response, Datasette's pages, JSON, exports and
  errors alike. It also drops ``Authorization: Basic`` headers: nothing here uses HTTP basic
  auth, and datasette-auth-passwords would otherwise hash the password in them on the event
  loop for any request.
- :func:`limit_anonymous` lets at most ``ANONYMOUS_CONCURRENCY`` anonymous requests be
  handled at once (logged-in reviewers are never queued behind them), and marks them so that
  their queries run on query threads of their own (:mod:`claims.sql_pools`).
- :func:`prepare_connection` gives each of Datasette's SQLite connections the project's busy
  timeout (so a write waits for ``claims ingest`` instead of failing) and caps the size of any
  one string or blob a query may build (``randomblob(1e9)`` fails at once instead of using a
  gigabyte).

See docs/SECURITY.md for the threat model and the limits.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

from datasette import hookimpl
from itsdangerous import BadSignature

from .connections import BUSY_TIMEOUT_MS
from .reviewers import CLAIMS_PLUGIN
from .sql_pools import ANONYMOUS

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Datasette's templates colour headings with style="" attributes; attributes cannot load
        # anything or select elements, <style> blocks and inline scripts stay refused.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_NAMES = {name for name, _ in SECURITY_HEADERS}
# The longest string or blob a server query may make or read. Above the largest text the
# project stores (source texts are capped at 100 MB of input), far below what would exhaust memory.
MAX_VALUE_BYTES = 128 * 1024 * 1024
# The server's writes wait at most this long for another process (e.g. `claims ingest`).
SERVER_BUSY_TIMEOUT_MS = max(BUSY_TIMEOUT_MS, 15_000)

ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def with_security_headers(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope, receive, send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        if any(k == b"authorization" and v[:6].lower() == b"basic " for k, v in headers):
            scope = {**scope, "headers": [(k, v) for k, v in headers if k != b"authorization"]}

        async def send_with_headers(message: dict) -> None:
            if message.get("type") == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers") or [] if k.lower() not in _NAMES]
                message = {**message, "headers": kept + SECURITY_HEADERS}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


# Anonymous requests handled at once; more wait their turn. Logged-in reviewers (a validly
# signed ds_actor cookie), the login form (rate-limited on its own) and static files are not
# counted, so a crowd of anonymous readers cannot crowd out the reviewers' flags.
ANONYMOUS_CONCURRENCY = 3
_UNGATED_PREFIXES = ("/-/login", "/-/static/", "/-/claims/static/")


def _has_login(datasette, scope: dict[str, Any]) -> bool:
    for key, value in scope.get("headers") or []:
        if key == b"cookie" and b"ds_actor=" in value:
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
                datasette.unsign(cookie["ds_actor"].value, "actor")
                return True
            except (KeyError, CookieError, BadSignature):
                return False
    return False


def limit_anonymous(datasette, app: ASGIApp, concurrency: int) -> ASGIApp:
    gate = asyncio.Semaphore(concurrency)

    async def wrapped(scope, receive, send) -> None:
        path = scope.get("path") or ""
        if scope.get("type") != "http" or path.startswith(_UNGATED_PREFIXES) or _has_login(datasette, scope):
            await app(scope, receive, send)
            return
        async with gate:
            # Their queries run on the anonymous query threads (claims.sql_pools).
            token = ANONYMOUS.set(True)
            try:
                await app(scope, receive, send)
            finally:
                ANONYMOUS.reset(token)

    return wrapped


@hookimpl(specname="asgi_wrapper")
def security_wrapper(datasette):
    # A hook of its own (not named asgi_wrapper), so it sits beside the plugin's other wrappers.
    config = datasette.plugin_config(CLAIMS_PLUGIN) or {}
    concurrency = int(config.get("anonymous_concurrency") or ANONYMOUS_CONCURRENCY)
    return lambda app: with_security_headers(limit_anonymous(datasette, app, concurrency))


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database, datasette):  # noqa: ARG001
    conn.execute(f"PRAGMA busy_timeout = {SERVER_BUSY_TIMEOUT_MS}")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
