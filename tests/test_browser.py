"""A reviewer's whole workflow in a real Chromium against a real `claims serve`.

Log in, open the most check-worthy claim, flag it unsupported from the row actions menu, and
see the flag in the claim's history and on the annotated article page. Screenshots go to
test-artifacts/ (git ignores it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from claims.cli import cli
from tests.conftest import ROOT
from tests.reviewing import claims_server, flag_rows

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
# Without the background-networking switches Chromium's own connections get refused in the
# sandbox and slow every page down; the rest are the usual headless-in-a-container switches.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium at /usr/bin/chromium (make system-packages installs it; required on CI)",
    ),
]

@contextmanager
def logged_in_page(pw, base: str, profile: Path, username: str, password: str) -> Iterator[Any]:
    """A page in a fresh Chromium profile, logged in through the real login form."""
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/-/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/")
        yield page
    finally:
        context.close()


PASSWORD = "browser-password-1"
REASON = "The cited study was on mouse cells, not human faces."


@pytest.fixture
def home(tmp_path: Path, runner) -> Path:
    home = tmp_path / "home"
    password_file = tmp_path / "pw.txt"
    password_file.write_text(PASSWORD)
    result = runner.invoke(cli, ["reviewers", "add", "alice", "--password-file", str(password_file), "--home", str(home)])
    assert result.exit_code == 0, result.output
    return home


def test_reviewer_flags_a_claim_in_the_browser(built_db, home, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    claim = next(sqlite_utils.Database(built_db).query("select id, text from claims order by checkworthiness desc, id limit 1"))
    ARTIFACTS.mkdir(exist_ok=True)
    with claims_server(built_db, home) as base, sync_playwright() as pw:
        with logged_in_page(pw, base, tmp_path / "chromium-profile", "alice", PASSWORD) as page:
            expect(page.locator(".actor")).to_contain_text("alice")

            page.goto(f"{base}/claims/claims/{claim['id']}")
            expect(page.locator("#claims-evidence")).to_contain_text("Not flagged yet")
            page.screenshot(path=str(ARTIFACTS / "browser-1-claim.png"), full_page=True)
            page.locator("#claims-evidence a.claims-button", has_text="Flag this claim").click()
            page.wait_for_url(f"{base}/-/claims/flag/claims/{claim['id']}")

            page.check("input[name=verdict][value=unsupported]")
            page.fill("textarea[name=reason]", REASON)
            page.select_option("select[name=source_id]", index=1)
            page.screenshot(path=str(ARTIFACTS / "browser-2-flag-form.png"), full_page=True)
            page.click("input[type=submit]")
            page.wait_for_url(f"{base}/claims/claims/{claim['id']}?claims_saved=flag#claims-history")
            expect(page.locator(".claims-saved")).to_contain_text("Flag saved")
            history = page.locator("ol.claims-history li")
            expect(history).to_have_count(1)
            expect(history.first).to_contain_text("alice")
            expect(history.first).to_contain_text("unsupported")
            expect(history.first).to_contain_text(REASON)
            page.screenshot(path=str(ARTIFACTS / "browser-3-flagged.png"), full_page=True)

            page.goto(f"{base}/-/claims/articles/1")
            badge = page.locator(f"#claim-{claim['id']}")
            expect(badge).to_have_attribute("data-status", "not-supported")
            expect(page.locator('td[data-kind=claim][data-status=not-supported]')).to_have_text("1")
            badge.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "browser-4-article.png"), full_page=True)
            # The highlight links to the claim's row page.
            badge.click()
            page.wait_for_url(f"{base}/claims/claims/{claim['id']}")
    (flag,) = flag_rows(built_db)
    assert (flag["claim_id"], flag["reviewer"], flag["verdict"], flag["reason"]) == (claim["id"], "alice", "unsupported", REASON)
    assert flag["source_id"] is not None


# --- screenshots of every page a reviewer reads, looked at, not assumed ------------------------

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
REVIEW_LISTS = ("needs_review", "not_supported", "disputed", "vague_attributions", "misquotes", "population_mismatch")


def _pages(db_path: Path, quote_id: int) -> list[tuple[str, str, str]]:
    """(name, path, what the curated heading says) for each page."""
    db = sqlite_utils.Database(db_path)
    # A claim that leans on a quotation, so its page has someone (or something) credited.
    claim = next(db.query("select id from claims where quote_id is not null order by quote_id = ? desc, checkworthiness desc limit 1",
                          [quote_id]))["id"]  # fmt: skip
    source = next(db.query("select source_id from citations where quote_id = ? order by id limit 1", [quote_id]))["source_id"]
    title = db["articles"].get(1)["title"]
    return [
        ("home", "/", "Review lists"),
        ("article", "/-/claims/articles/1", title),
        ("claim", f"/claims/claims/{claim}", f"Claim {claim}"),
        ("quote", f"/claims/quotes/{quote_id}", f"Quote {quote_id}"),
        ("source", f"/claims/sources/{source}", "Source: "),
        ("findings", "/claims/findings?article_id=1", "What the tool found"),
        *((name, f"/claims/{name}", "") for name in REVIEW_LISTS),
    ]


def _check_page(page, name: str, heading: str, viewport: dict) -> None:
    from playwright.sync_api import expect

    fold = viewport["height"]
    # No horizontal overflow: nothing is cut off at this width.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        # Name what sticks out: elements, or text that does not wrap, outside scrolling boxes.
        wide = page.evaluate("""() => {
            const w = document.documentElement.clientWidth, out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
            while (walker.nextNode() && out.length < 5) {
                const n = walker.currentNode, el = n.nodeType === 1 ? n : n.parentElement;
                if (el.closest('.claims-scroll, .table-wrapper')) continue;
                const range = document.createRange(); range.selectNodeContents(n);
                const right = n.nodeType === 1 ? n.getBoundingClientRect().right
                    : Math.max(0, ...[...range.getClientRects()].map(r => r.right));
                if (right > w + 1) out.push(el.tagName + '.' + el.className + ': ' + (n.textContent || '').slice(0, 40));
            }
            return out; }""")
        raise AssertionError(f"{name}: {overflow}px wider than the {viewport['width']}px window: {wide}")
    # A visible Log in / Log out link on every page.
    expect(page.locator(".claims-account a.claims-login, .claims-account .claims-logout-button")).to_be_visible()
    if name == "home":
        target = page.get_by_role("heading", name=heading)
    elif name == "article":
        target = page.locator("h1").first
    else:
        target = page.locator(".claims-record-heading").first
    expect(target).to_be_visible()
    if heading:
        expect(target).to_contain_text(heading)
    assert target.bounding_box()["y"] < fold, f"{name}: heading below the fold"
    raw = page.locator("details.claims-raw")
    if raw.count():
        assert not raw.first.evaluate("el => el.open"), f"{name}: raw record not collapsed"
        assert raw.first.bounding_box()["y"] > target.bounding_box()["y"]
    if name in ("claim", "quote"):
        credit = page.locator(".claims-credit")
        expect(credit).to_contain_text("Credited to")
        box = credit.bounding_box()
        assert box["y"] + box["height"] <= fold, f"{name}: the credited speaker is below the fold"
        assert box["y"] < raw.first.bounding_box()["y"]
    if name in REVIEW_LISTS:
        expect(page.locator("input[type=submit][value='Run SQL']")).to_have_count(0)
        expect(page.locator("a.stored-query-edit-sql")).to_have_count(0)
        expect(page.locator("#claims-review-list")).to_be_visible()


def test_screenshots_of_every_reviewer_page_for_each_role(built_db, home, tmp_path, runner):
    from playwright.sync_api import expect, sync_playwright

    from tests.test_pages import altered_quote

    quote = altered_quote(built_db, tmp_path, runner)
    password_file = tmp_path / "erin.txt"
    password_file.write_text(PASSWORD)
    added = runner.invoke(cli, ["reviewers", "add", "erin", "--role", "editor", "--password-file", str(password_file),
                                "--home", str(home)])  # fmt: skip
    assert added.exit_code == 0, added.output
    pages = _pages(built_db, quote["id"])
    ARTIFACTS.mkdir(exist_ok=True)
    with claims_server(built_db, home) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for role, user in (("anonymous", None), ("reviewer", "alice"), ("editor", "erin")):
                context = browser.new_context(viewport=DESKTOP)
                context.set_default_timeout(15_000)
                page = context.new_page()
                if user:
                    # From a claim page's Log in link, and back to that page afterwards.
                    page.goto(f"{base}{pages[2][1]}")
                    page.click(".claims-account a.claims-login")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("input[type=submit]")
                    page.wait_for_url(f"{base}{pages[2][1]}")
                    expect(page.locator(".claims-account .claims-logout-button")).to_be_visible()
                for name, path, heading in [*pages, *([("my_flags", "/claims/my_flags", "My flags")] if user else [])]:
                    page.goto(f"{base}{path}")
                    _check_page(page, name, heading, DESKTOP)
                    page.screenshot(path=str(ARTIFACTS / f"{role}-{name}.png"), full_page=True)
                if role == "anonymous":
                    # The same pages on a phone.
                    page.set_viewport_size(PHONE)
                    for name, path, heading in pages:
                        page.goto(f"{base}{path}")
                        _check_page(page, name, heading, PHONE)
                        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
                if role == "editor":
                    # The altered quote: marked on the article page, warned about in the forms.
                    page.goto(f"{base}/-/claims/articles/1")
                    badge = page.locator(f"#quote-{quote['id']}")
                    expect(badge).to_have_attribute("data-check", "altered")
                    assert "quote altered" in badge.get_attribute("title")
                    expect(page.locator("details.claims-findings li").first).to_have_attribute("data-kind", "quote_altered")
                    page.goto(f"{base}/-/claims/flag/quotes/{quote['id']}")
                    expect(page.locator("#claims-supported-warning")).to_be_visible()
                    page.screenshot(path=str(ARTIFACTS / "editor-flag-form-altered.png"), full_page=True)
                context.close()
        finally:
            browser.close()
