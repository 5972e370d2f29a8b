"""Server hardening (issue 11): security headers, anonymous SQL and export limits, and the
rate-limited login with its HttpOnly, expiring cookie."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.utils import baseconv
from datasette_auth_passwords.utils import hash_password

from claims import login as login_lib
from claims import renderers
from claims.reviewers import Account, serve_config
from tests.conftest import load_yaml
from tests.reviewing import ALICE, JSON, make_ds

PAGES = [
    "/", "/claims", "/claims/claims", "/claims/claims/3", "/claims/claims.json", "/claims/sources.bib",
    "/claims/needs_review", "/-/claims/articles/1", "/-/claims/search?q=microcurrent", "/-/login",
    "/-/claims/static/claims.css", "/no/such/page", "/-/claims/flag/claims/3",
]  # fmt: skip


@pytest.fixture
def ds(built_db: Path) -> Datasette:
    return make_ds(built_db)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", PAGES)
async def test_every_response_carries_the_security_headers(ds, path):
    response = await ds.client.get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] + csp["style-src"] + csp["default-src"]


@pytest.mark.asyncio
async def test_the_flag_form_needs_no_inline_script(ds):
    page = (await ds.client.get("/-/claims/flag/claims/3", actor=ALICE)).text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    ours = [attrs for attrs, _ in scripts if "review-form.js" in attrs]
    assert ours, "the form's script is a file"
    assert (await ds.client.get("/-/claims/static/review-form.js")).status_code == 200


@pytest.mark.asyncio
async def test_anonymous_visitors_cannot_run_arbitrary_sql_but_keep_stored_queries(ds):
    for path in ("/claims/-/query.json?sql=select+1", "/claims/claims.json?_where=1=1"):
        assert (await ds.client.get(path)).status_code == 403, path
        assert (await ds.client.get(path, actor=ALICE)).status_code == 200, path
    assert (await ds.client.get("/claims/needs_review.json")).status_code == 200
    assert (await ds.client.get("/claims/search.json?q=microcurrent")).status_code == 200


@pytest.mark.asyncio
async def test_huge_values_fail_at_once_even_for_a_login(ds):
    response = await ds.client.get("/claims/-/query.json?sql=select+length(randomblob(1e9))", actor=ALICE)
    assert response.status_code == 400
    assert "too big" in response.json()["error"]


@pytest.mark.asyncio
async def test_basic_auth_headers_are_ignored_not_hashed(ds):
    # Garbage and real-looking credentials alike: no 500, no password check, no actor.
    for value in ("Basic !!!not-base64", "Basic YWxpY2U6d3Jvbmc="):
        response = await ds.client.get("/-/actor.json", headers={"Authorization": value})
        assert response.status_code == 200 and response.json()["actor"] is None


@pytest.mark.asyncio
async def test_anonymous_exports_are_capped_and_logins_are_not(ds, monkeypatch):
    monkeypatch.setattr(renderers, "ANONYMOUS_EXPORT_ROWS", 5)
    refused = await ds.client.get("/claims/sources.bib?_size=2")
    assert refused.status_code == 400 and "limited to 5 rows" in refused.text and "has 9" in refused.text
    whole = await ds.client.get("/claims/sources.bib?_size=2", actor=ALICE)
    assert whole.status_code == 200 and whole.text.count("\n@") + whole.text.startswith("@") == 9
    # Within the cap, anonymous exports work as before.
    monkeypatch.setattr(renderers, "ANONYMOUS_EXPORT_ROWS", 100)
    assert (await ds.client.get("/claims/sources.csljson?_size=2")).json().__len__() == 9


@pytest.mark.asyncio
async def test_a_truncated_stored_query_is_counted_before_an_anonymous_export(built_db, monkeypatch):
    config = serve_config(load_yaml("datasette.yaml"), {}, private=False)
    config["settings"] = {**config["settings"], "max_returned_rows": 2}
    small = Datasette([str(built_db)], metadata=load_yaml("metadata.yml"), config=config)
    full = await small.client.get("/claims/citation_list.csljson?article_id=1")
    assert full.status_code == 200 and len(full.json()) > 2
    monkeypatch.setattr(renderers, "ANONYMOUS_EXPORT_ROWS", 2)
    refused = await small.client.get("/claims/citation_list.ris?article_id=1")
    assert refused.status_code == 400 and "anonymous exports are limited to 2 rows" in refused.text


# --- logins -----------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture
def login_ds(built_db: Path) -> Datasette:
    # Real hashes (few iterations, so the suite stays fast); the work factor is still read from them.
    hashed = hash_password(PASSWORD, iterations=2_000)
    accounts = {n: Account(name=n, role="reviewer", password_hash=hashed) for n in ("alice", "bob")}
    config = serve_config(load_yaml("datasette.yaml"), accounts)
    auth = config["plugins"]["datasette-auth-passwords"]
    for name in accounts:
        auth[f"{name}_password_hash"] = hashed  # in place of the $env reference
    return Datasette([str(built_db)], metadata=load_yaml("metadata.yml"), config=config)


async def _login(ds: Datasette, username: str, password: str):
    return await ds.client.post("/-/login", data={"username": username, "password": password})


@pytest.mark.asyncio
async def test_login_cookie_is_httponly_samesite_and_expires(login_ds):
    response = await _login(login_ds, "alice", PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("ds_actor=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "max-age", "path"} <= attributes
    assert "samesite=lax" in cookie.lower() and f"Max-Age={login_lib.SESSION_SECONDS}" in cookie
    # The signed value expires too, so a copied cookie stops working.
    value = cookie.split(";")[0].split("=", 1)[1].strip('"')
    signed = login_ds.unsign(value, "actor")
    assert signed["a"]["id"] == "alice"
    expires = int(baseconv.base62.decode(signed["e"]))
    assert abs(expires - (time.time() + login_lib.SESSION_SECONDS)) < 60
    me = await login_ds.client.get("/-/actor.json", cookies={"ds_actor": value})
    assert me.json()["actor"]["id"] == "alice"
    # The return-to-page wrapper and the security headers both apply to this login view.
    back = await login_ds.client.post("/-/login?next=/claims/claims/3", data={"username": "alice", "password": PASSWORD})
    assert back.status_code == 302 and back.headers["location"] == "/claims/claims/3"
    assert back.headers["x-frame-options"] == "DENY" and "httponly" in back.headers["set-cookie"].lower()


@pytest.mark.asyncio
async def test_wrong_and_unknown_logins_get_the_same_answer(login_ds):
    wrong = await _login(login_ds, "alice", "not the password")
    unknown = await _login(login_ds, "mallory", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Invalid username or password" in wrong.text and "Invalid username or password" in unknown.text
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers


@pytest.mark.asyncio
async def test_unknown_names_cost_a_hash_with_the_accounts_work_factor(login_ds, monkeypatch):
    checked: list[str] = []
    real = login_lib._check

    def spy(password: str, password_hash: str) -> bool:
        checked.append(password_hash)
        return real(password, password_hash)

    monkeypatch.setattr(login_lib, "_check", spy)
    await _login(login_ds, "alice", "nope")
    await _login(login_ds, "nobody_at_all", "nope")
    assert len(checked) == 2
    assert checked[0].split("$")[1] == checked[1].split("$")[1] == "2000"
    assert checked[0] != checked[1]


@pytest.mark.asyncio
async def test_failed_logins_are_limited_per_user_name(login_ds):
    for _ in range(login_lib.NAME_FAILURES):
        assert (await _login(login_ds, "alice", "guess")).status_code == 200
    limited = await _login(login_ds, "alice", PASSWORD)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "set-cookie" not in limited.headers
    # Another account is not locked by guesses at alice.
    assert (await _login(login_ds, "bob", PASSWORD)).status_code == 302


@pytest.mark.asyncio
async def test_failed_logins_are_limited_per_client_address(login_ds):
    for i in range(login_lib.ADDRESS_FAILURES):
        assert (await _login(login_ds, f"name{i}", "guess")).status_code == 200
    assert (await _login(login_ds, "bob", PASSWORD)).status_code == 429


@pytest.mark.asyncio
async def test_successful_logins_do_not_count_against_the_limits(login_ds):
    for _ in range(login_lib.ADDRESS_FAILURES + 5):
        assert (await _login(login_ds, "alice", PASSWORD)).status_code == 302


@pytest.mark.asyncio
async def test_password_checks_run_off_the_event_loop(login_ds, monkeypatch):
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_check(password: str, password_hash: str) -> bool:
        # Blocks its thread until the test has been served another page meanwhile.
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(timeout=10)
        return False

    monkeypatch.setattr(login_lib, "_check", slow_check)
    pending = asyncio.create_task(_login(login_ds, "alice", "guess"))
    page = await asyncio.wait_for(login_ds.client.get("/claims/claims.json", headers=JSON), timeout=10)
    assert page.status_code == 200 and not pending.done()
    release.set()
    assert (await pending).status_code == 200


# --- the anonymous gate -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_anonymous_requests_queue_but_logged_in_ones_do_not(ds):
    from claims.security import limit_anonymous

    release = asyncio.Event()
    served: list[str] = []

    async def app(scope, receive, send) -> None:
        served.append(scope["path"])
        if scope["path"] == "/slow":
            await release.wait()

    gated = limit_anonymous(ds, app, 1)
    cookie = ("ds_actor=" + ds.client.actor_cookie(ALICE)).encode()
    forged = b"ds_actor=eyJhIjp7ImlkIjoiYWxpY2UifX0.forged"

    def scope(path: str, cookie_header: bytes | None = None) -> dict:
        return {"type": "http", "path": path, "headers": [(b"cookie", cookie_header)] if cookie_header else []}

    slow = asyncio.create_task(gated(scope("/slow"), None, None))
    await asyncio.sleep(0.01)
    queued = asyncio.create_task(gated(scope("/anonymous"), None, None))
    forged_task = asyncio.create_task(gated(scope("/forged", forged), None, None))
    await asyncio.wait_for(gated(scope("/reviewer", cookie), None, None), timeout=5)
    await asyncio.wait_for(gated(scope("/-/login"), None, None), timeout=5)
    assert served == ["/slow", "/reviewer", "/-/login"]
    release.set()
    await asyncio.wait_for(asyncio.gather(slow, queued, forged_task), timeout=5)
    assert set(served) == {"/slow", "/reviewer", "/-/login", "/anonymous", "/forged"}


@pytest.mark.asyncio
async def test_concurrent_guesses_are_limited_and_concurrent_logins_are_not(login_ds, monkeypatch):
    checked: list[str] = []
    real = login_lib._check

    def counting(password: str, password_hash: str) -> bool:
        checked.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(login_lib, "_check", counting)
    # A class behind one address logs in at once: more correct logins than the failure limit.
    correct = await asyncio.gather(*(_login(login_ds, "alice", PASSWORD) for _ in range(login_lib.ADDRESS_FAILURES + 5)))
    assert [r.status_code for r in correct] == [302] * (login_lib.ADDRESS_FAILURES + 5)
    # Forty guesses at once: only as many are checked as the address may fail; the rest are 429s.
    checked.clear()
    guesses = await asyncio.gather(*(_login(login_ds, f"user{i}", "guess") for i in range(40)))
    statuses = [r.status_code for r in guesses]
    assert statuses.count(200) == len(checked) == login_lib.ADDRESS_FAILURES
    assert statuses.count(429) == 40 - login_lib.ADDRESS_FAILURES
