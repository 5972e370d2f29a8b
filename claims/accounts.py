"""Logins as a running server sees them: accounts re-read while it runs, and a way back after
logging in.

Accounts: ``claims serve`` names the accounts file (``HOME/reviewers.json``) and the logins
that came from the environment in the plugin setting; :func:`refresh_accounts` runs on every
request, re-reads the file when its size or modification time changed, and rewrites the
datasette-auth-passwords configuration in memory (hashes included: they never reach a file).
``claims reviewers add`` therefore works at the next request, and ``claims reviewers remove``
ends the login and every cookie issued to it, without a restart. The plugin still checks the
actor against these accounts on every request (``current_actor``).

Return after login: the "Log in" links carry ``?next=<the page>``; the login form keeps it in
its action, and :func:`login_redirect` rewrites the plugin's redirect to "/" into that page,
if it is a path on this server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import BaseLoader, TemplateNotFound

from .reviewers import AUTH_PLUGIN, CLAIMS_PLUGIN, ReviewerError, accounts_from_env, load_accounts

LOGIN_PATH = "/-/login"
# Templates of Datasette or its plugins this package replaces; each extends the original.
OVERRIDES = {"base.html": "claims_base.html", "password_login.html": "claims_login.html"}


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def refresh_accounts(datasette) -> None:
    """Bring the login configuration up to date with the accounts file, if it changed."""
    config = (datasette.config or {}).get("plugins", {}).get(CLAIMS_PLUGIN) or {}
    accounts_file = config.get("accounts_file")
    if not accounts_file:
        return
    path = Path(accounts_file)
    signature = _signature(path)
    state = datasette.__dict__.setdefault("_claims_accounts_state", {})
    if state.get("signature", "unset") == signature:
        return
    try:
        accounts = load_accounts(path.parent) if signature is not None else {}
        env_names = set(config.get("environment_accounts") or [])
        accounts.update({n: a for n, a in accounts_from_env(os.environ).items() if n in env_names})
    except ReviewerError:
        # Half-written or broken file: keep the accounts we had, try again next request.
        return
    plugins = datasette.config.setdefault("plugins", {})
    auth = {k: v for k, v in (plugins.get(AUTH_PLUGIN) or {}).items() if not k.endswith("_password_hash")}
    for name, account in accounts.items():
        auth[f"{name}_password_hash"] = account.password_hash
    auth["actors"] = {name: {"id": name, "role": account.role} for name, account in sorted(accounts.items())}
    plugins[AUTH_PLUGIN] = auth
    state["signature"] = signature


def configured_actors(datasette) -> dict[str, dict[str, Any]]:
    """The accounts this server knows now (see refresh_accounts): name -> the actor a login issues."""
    auth = datasette.plugin_config(AUTH_PLUGIN) or {}
    actors = auth.get("actors") or {}
    return {name: actor for name, actor in actors.items() if isinstance(actor, dict)}


def current_actor(datasette, actor: Any) -> dict[str, Any] | None:
    """The actor as the configuration says it is now, or None if it is no longer an account.

    A login cookie lasts 12 hours (claims.login), so the role in it may be stale: the role
    always comes from the configured account. API tokens carry no role and keep none.
    """
    if not isinstance(actor, dict):
        return None
    account = configured_actors(datasette).get(str(actor.get("id")))
    if account is None:
        return None
    if actor.get("token"):
        return {key: value for key, value in actor.items() if key != "role"}
    return dict(account)


def safe_next(value: str | None) -> str | None:
    """A path on this server to return to, or None (no open redirects, no login loops)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ch in value for ch in "\r\n") or value.split("?")[0] in (LOGIN_PATH, "/-/logout"):
        return None
    return value


def next_param(request) -> str:
    """``?next=<this page>`` for a "Log in" link on the current page."""
    if request is None:
        return ""
    here = request.path + (f"?{request.query_string}" if request.query_string else "")
    return "?next=" + quote(here, safe="") if safe_next(here) else ""


def login_redirect(app):
    """ASGI wrapper: after a successful login posted with ``?next=``, go there instead of "/"."""

    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "POST" or scope.get("path") != LOGIN_PATH:
            return await app(scope, receive, send)
        wanted = safe_next((parse_qs(scope.get("query_string", b"").decode("latin-1")).get("next") or [None])[0])
        if wanted is None:
            return await app(scope, receive, send)

        async def redirecting(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start" and message.get("status") in (301, 302, 303):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"location"]
                headers.append((b"location", wanted.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, redirecting)

    return wrapped


class OverrideLoader(BaseLoader):
    """Serves this package's versions of a few templates (:data:`OVERRIDES`) under their
    original names. Placed after any --template-dir and before Datasette's and its plugins' own
    folders; ``claims_base.html`` extends Datasette's through its ``default:`` prefix."""

    def __init__(self, templates_dir: Path):
        self.templates_dir = templates_dir

    def get_source(self, environment, template):  # type: ignore[no-untyped-def]
        if template not in OVERRIDES:
            raise TemplateNotFound(template)
        path = self.templates_dir / OVERRIDES[template]
        mtime = path.stat().st_mtime
        return path.read_text(encoding="utf-8"), str(path), lambda: path.stat().st_mtime == mtime

    def list_templates(self) -> list[str]:
        return sorted(OVERRIDES)
