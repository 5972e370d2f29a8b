"""Reviewer and editor logins for the Datasette interface.

Accounts (name, role, PBKDF2 password hash) live in ``.claims/reviewers.json`` (mode 600, in a
folder git ignores) or in environment variables, never in the repository. ``claims serve`` turns
them into datasette-auth-passwords configuration whose hashes are ``$env`` references, so the
generated config file holds no secret either; the hashes travel only in the server's environment.

The Datasette signing secret is generated once into ``.claims/secret`` so that login cookies
survive a restart. A cookie only names the login: the Datasette plugin checks on every request
that the name is still a configured account and takes the role from the configuration, and the
server re-reads the accounts file when it changes, so after ``claims reviewers remove`` (or a
role change) old cookies lose their powers at the next request, without a restart.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from datasette_auth_passwords.utils import hash_password
from pydantic import Field, ValidationError

from .clock import now
from .models import Record, first_error

Role = Literal["reviewer", "editor"]
ROLES: tuple[Role, ...] = ("reviewer", "editor")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MIN_PASSWORD = 8
ACCOUNTS_FILE = "reviewers.json"
SECRET_FILE = "secret"
SERVE_CONFIG_FILE = "datasette.serve.json"
HASH_ENV_PREFIX = "CLAIMS_PASSWORD_HASH_"
ROLE_ENV_PREFIX = "CLAIMS_ROLE_"
AUTH_PLUGIN = "datasette-auth-passwords"
CLAIMS_PLUGIN = "claims-tracker"


class ReviewerError(ValueError):
    """Bad input: one line naming the file, account or field at fault."""


class Account(Record):
    name: str = Field(pattern=NAME_RE.pattern)
    role: Role = "reviewer"
    password_hash: str = Field(min_length=1)
    created_at: str | None = None


def default_home() -> Path:
    return Path(os.environ.get("CLAIMS_HOME", ".claims"))


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise ReviewerError(
            f"reviewer name {name!r}: use 1-32 lowercase letters, digits or underscores, starting with a letter"
        )
    return name


def check_password(password: str, where: str = "password") -> str:
    password = password.strip()
    if len(password) < MIN_PASSWORD:
        raise ReviewerError(f"{where}: must be at least {MIN_PASSWORD} characters")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def hash_env_var(name: str) -> str:
    # Names are lowercase [a-z0-9_], so upper-casing them cannot make two accounts collide.
    return HASH_ENV_PREFIX + name.upper()


def _private_dir(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically (readers never see half a file)."""
    _private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_accounts(home: Path) -> dict[str, Account]:
    """Accounts from ``home/reviewers.json``; a missing file means no accounts yet."""
    path = home / ACCOUNTS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ReviewerError(f"{path} line {e.lineno}: not valid JSON ({e.msg})") from None
    entries = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ReviewerError(f"{path}: expected an object with an 'accounts' object")
    accounts = {}
    for name, entry in entries.items():
        try:
            accounts[name] = Account.model_validate({**entry, "name": name} if isinstance(entry, dict) else entry)
        except ValidationError as e:
            raise ReviewerError(f"{path}: account {name!r}: {first_error(e, 'entry')}") from None
    return accounts


def accounts_from_env(environ: Mapping[str, str]) -> dict[str, Account]:
    """Accounts a deployment supplies as ``CLAIMS_PASSWORD_HASH_<NAME>`` (+ ``CLAIMS_ROLE_<NAME>``)."""
    accounts = {}
    for key, value in environ.items():
        if not key.startswith(HASH_ENV_PREFIX) or not value:
            continue
        suffix = key[len(HASH_ENV_PREFIX) :]
        name = suffix.lower()
        role = environ.get(ROLE_ENV_PREFIX + suffix, "reviewer")
        try:
            accounts[name] = Account(name=name, role=role, password_hash=value)  # type: ignore[arg-type]
        except ValidationError as e:
            raise ReviewerError(f"environment variable {key}: {e.errors()[0]['msg']}") from None
    return accounts


def all_accounts(home: Path, environ: Mapping[str, str] | None = None) -> dict[str, Account]:
    """File accounts, overridden by environment accounts of the same name."""
    environ = os.environ if environ is None else environ
    return {**load_accounts(home), **accounts_from_env(environ)}


def save_accounts(home: Path, accounts: Mapping[str, Account]) -> Path:
    path = home / ACCOUNTS_FILE
    data = {
        "accounts": {
            name: account.model_dump(exclude={"name"}) for name, account in sorted(accounts.items())
        }
    }
    _write_private(path, json.dumps(data, indent=2) + "\n")
    return path


def add_account(home: Path, name: str, password: str, role: Role = "reviewer") -> Account:
    """Create or replace an account (replacing is how a password or role is changed)."""
    check_name(name)
    check_password(password)
    accounts = load_accounts(home)
    account = Account(
        name=name,
        role=role,
        password_hash=hash_password(password.strip()),
        created_at=now(),
    )
    accounts[name] = account
    save_accounts(home, accounts)
    return account


def remove_account(home: Path, name: str) -> None:
    accounts = load_accounts(home)
    if name not in accounts:
        raise ReviewerError(f"{home / ACCOUNTS_FILE}: no account named {name!r}")
    del accounts[name]
    save_accounts(home, accounts)


def ensure_secret(home: Path) -> str:
    """The Datasette signing secret, generated on first use and then reused."""
    path = home / SECRET_FILE
    if path.exists():
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
    secret = secrets.token_hex(32)
    _write_private(path, secret + "\n")
    return secret


def serve_config(
    base: Mapping[str, Any],
    accounts: Mapping[str, Account],
    *,
    private: bool = False,
    database_file: str | Path | None = None,
    accounts_file: str | Path | None = None,
    environment_accounts: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    """datasette.yaml plus the login accounts (as ``$env`` references) and, if asked, privacy.

    ``database_file`` is the file being served: the plugin serves it under the database name
    datasette.yaml and metadata.yml use (``claims``), whatever the file is called.
    """
    config = copy.deepcopy(dict(base))
    plugins = config.setdefault("plugins", {}) or {}
    config["plugins"] = plugins
    plugin = dict(plugins.get(CLAIMS_PLUGIN) or {})
    if database_file is not None:
        plugin["database_file"] = str(Path(database_file).resolve())
    if accounts_file is not None:
        # The server re-reads this file when it changes (claims.accounts): `claims reviewers
        # add/remove` take effect without a restart. Environment logins stay as they were.
        plugin["accounts_file"] = str(Path(accounts_file).resolve())
        plugin["environment_accounts"] = sorted(environment_accounts)
    if plugin:
        plugins[CLAIMS_PLUGIN] = plugin
    auth = dict(plugins.get(AUTH_PLUGIN) or {})
    actors = dict(auth.get("actors") or {})
    for name, account in sorted(accounts.items()):
        auth[f"{name}_password_hash"] = {"$env": hash_env_var(name)}
        # The actor a login issues. The plugin re-reads it on every request (the cookie's copy of
        # the role is ignored), and permissions in datasette.yaml match on its role.
        actors[name] = {"id": name, "role": account.role}
    auth["actors"] = actors
    plugins[AUTH_PLUGIN] = auth
    if private:
        # Every view-* permission then needs a logged-in actor; /-/login stays open.
        config["allow"] = {"id": "*"}
    return config


# The checkout claims is installed from (editable installs): its metadata.yml and datasette.yaml
# are the defaults when the current folder has none.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def serve_file(given: str | None, default: str, option: str) -> Path:
    """The file an option names, else ``default`` in the current folder, else in the project."""
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise ReviewerError(f"{given}: no such file")
        return path.resolve()
    for candidate in (Path.cwd() / default, PROJECT_ROOT / default):
        if candidate.is_file():
            return candidate.resolve()
    raise ReviewerError(
        f"{default}: not in the current folder ({Path.cwd()}) nor in the claims project ({PROJECT_ROOT}); "
        f"pass {option} FILE"
    )


def serve_env(accounts: Mapping[str, Account], secret: str) -> dict[str, str]:
    env = {hash_env_var(name): account.password_hash for name, account in accounts.items()}
    env["DATASETTE_SECRET"] = secret
    return env


def write_serve_config(home: Path, config: Mapping[str, Any]) -> Path:
    path = home / SERVE_CONFIG_FILE
    _write_private(path, json.dumps(config, indent=2) + "\n")
    return path
