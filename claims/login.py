"""The reviewers' login form, replacing datasette-auth-passwords' ``/-/login`` view.

It accepts the same accounts (the ``*_password_hash`` and ``actors`` settings ``claims serve``
writes) and the same form, and adds what a server on a network needs:

- the PBKDF2 check runs in a worker thread, one at a time, so hashing never blocks the event
  loop and at most one core is spent on it;
- failed logins are rate-limited per user name and per client address (sliding windows), and a
  login that is refused for the rate answers at once, without hashing;
- an unknown user name is checked against a dummy hash with the same work factor, so it takes
  as long as a wrong password for a real one;
- the ``ds_actor`` cookie is HttpOnly, SameSite=Lax (Secure over https) and expires, both in
  the browser (Max-Age) and in the signed value (Datasette's ``e`` field), so a copied cookie
  stops working too.

The limits are documented in docs/SECURITY.md.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import weakref
from collections import deque
from typing import Any

from datasette import hookimpl
from datasette.utils import baseconv
from datasette.utils.asgi import Response
from datasette_auth_passwords.utils import hash_password, verify_password

from .reviewers import AUTH_PLUGIN

LOGIN_PATH = "^/-/login$"
# How long a login lasts (browser cookie and signed expiry).
SESSION_SECONDS = 12 * 60 * 60
# Failed logins allowed in each window before further attempts are refused with a 429.
NAME_FAILURES, NAME_WINDOW_S = 10, 15 * 60
ADDRESS_FAILURES, ADDRESS_WINDOW_S = 20, 60
# Keys remembered at most (oldest forgotten first), so a flood of names cannot exhaust memory.
MAX_TRACKED = 10_000
DEFAULT_ITERATIONS = 480_000


class SlidingWindow:
    """Counts events per key in the last ``window`` seconds; thread-safe, bounded in size."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def full(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 if it may now)."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) < self.limit:
                return 0.0
            return max(0.0, events[0] + self.window - now)

    def add(self, key: str) -> float:
        """Record one event; returns its timestamp."""
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._events) > MAX_TRACKED:
                for old in list(self._events)[: len(self._events) - MAX_TRACKED]:
                    del self._events[old]
        return now



class LoginGuard:
    """Rate limits and the hashing lane for one Datasette instance."""

    def __init__(self) -> None:
        self.names = SlidingWindow(NAME_FAILURES, NAME_WINDOW_S)
        self.addresses = SlidingWindow(ADDRESS_FAILURES, ADDRESS_WINDOW_S)
        self.hashing = asyncio.Semaphore(1)
        self._dummy: dict[int, str] = {}

    def dummy_hash(self, iterations: int) -> str:
        # A hash of a random password with the accounts' work factor: checking an unknown name
        # against it costs what checking a real one does.
        if iterations not in self._dummy:
            self._dummy[iterations] = hash_password(secrets.token_hex(16), iterations=iterations)
        return self._dummy[iterations]


_guards: weakref.WeakKeyDictionary[Any, LoginGuard] = weakref.WeakKeyDictionary()


def guard_for(datasette) -> LoginGuard:
    if datasette not in _guards:
        _guards[datasette] = LoginGuard()
    return _guards[datasette]


def _accounts(datasette) -> tuple[dict[str, str], dict[str, Any]]:
    config = datasette.plugin_config(AUTH_PLUGIN) or {}
    hashes = {
        key[: -len("_password_hash")]: value
        for key, value in config.items()
        if key.endswith("_password_hash") and isinstance(value, str)
    }
    return hashes, config.get("actors") or {}


def _iterations(password_hash: str) -> int:
    parts = password_hash.split("$")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else DEFAULT_ITERATIONS


def _check(password: str, password_hash: str) -> bool:
    try:
        return verify_password(password, password_hash)
    except (AssertionError, ValueError):
        # A malformed hash in the configuration: no password matches it.
        return False


def client_address(request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def set_login_cookie(datasette, request, response: Response, actor: dict[str, Any]) -> None:
    expires_at = int(time.time()) + SESSION_SECONDS
    value = datasette.sign({"a": actor, "e": baseconv.base62.encode(expires_at)}, "actor")
    response.set_cookie(
        "ds_actor", value, max_age=SESSION_SECONDS, httponly=True, samesite="lax",
        secure=request.scheme == "https",
    )  # fmt: skip


async def _form(datasette, request, error: str | None, status: int = 200) -> Response:
    html = await datasette.render_template("password_login.html", {"error": error}, request=request)
    return Response.html(html, status=status)


def _too_many(datasette, wait: float) -> Response:
    # A plain page, not the rendered form: a flood of refused guesses must cost next to nothing.
    seconds = int(wait) + 1
    return Response.html(
        f"<!DOCTYPE html><title>Too many failed logins</title><p>Too many failed logins: try again in "
        f'{seconds} seconds. <a href="{datasette.urls.path("/-/login")}">Log in</a></p>',
        status=429,
        headers={"Retry-After": str(seconds)},
    )


async def login(request, datasette) -> Response:
    hashes, actors = _accounts(datasette)
    if request.method != "POST":
        error = None if hashes else "This instance does not have any configured accounts"
        return await _form(datasette, request, error)
    post = await request.post_vars()
    username = str(post.get("username") or "")[:200]
    password = str(post.get("password") or "")[:1000]
    guard = guard_for(datasette)
    address = client_address(request)
    known = hashes.get(username)
    iterations = max((_iterations(h) for h in hashes.values()), default=DEFAULT_ITERATIONS)
    # Refused at once if already over a limit; otherwise checked again when its turn comes.
    wait = max(guard.names.full(username), guard.addresses.full(address))
    if wait:
        return _too_many(datasette, wait)
    async with guard.hashing:
        # Checked once this login's turn to hash comes: checks run one at a time, so concurrent
        # guesses see the failures of those before them and cannot all slip under the limit,
        # while concurrent correct logins (a class behind one address) never count against it.
        wait = max(guard.names.full(username), guard.addresses.full(address))
        if not wait:
            target = known or await asyncio.to_thread(guard.dummy_hash, iterations)
            ok = await asyncio.to_thread(_check, password, target)
    if wait:
        return _too_many(datasette, wait)
    if ok and known:
        actor = actors.get(username) or {"id": username}
        response = Response.redirect(datasette.urls.path("/"))
        set_login_cookie(datasette, request, response, actor)
        return response
    guard.names.add(username)
    guard.addresses.add(address)
    return await _form(datasette, request, "Invalid username or password")


@hookimpl(specname="register_routes", wrapper=True)
def login_route(datasette):  # noqa: ARG001
    # datasette-auth-passwords registers /-/login too; whichever plugin loads first would win,
    # so this wrapper removes theirs and puts this view in its place.
    results = yield
    kept = [[(regex, view) for regex, view in routes or [] if regex != LOGIN_PATH] for routes in results]
    return [[(LOGIN_PATH, login)], *kept]
