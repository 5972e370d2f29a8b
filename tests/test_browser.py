"""A reviewer's whole workflow in a real Chromium against a real `claims serve`.

Log in, open the most check-worthy claim, flag it unsupported from the row actions menu, and
see the flag in the claim's history and on the annotated article page. Screenshots go to
test-artifacts/ (git ignores it).
"""

from __future__ import annotations

import os
from pathlib import Path

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
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            page.goto(f"{base}/-/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{base}/")
            expect(page.locator(".actor")).to_contain_text("alice")

            page.goto(f"{base}/claims/claims/{claim['id']}")
            expect(page.locator("#claims-evidence")).to_contain_text("Not flagged yet")
            page.screenshot(path=str(ARTIFACTS / "browser-1-claim.png"), full_page=True)
            page.click("details.actions-menu-links summary")
            page.get_by_role("menuitem", name="Flag this claim").click()
            page.wait_for_url(f"{base}/-/claims/flag/claims/{claim['id']}")

            page.check("input[name=verdict][value=unsupported]")
            page.fill("textarea[name=reason]", REASON)
            page.select_option("select[name=source_id]", index=1)
            page.screenshot(path=str(ARTIFACTS / "browser-2-flag-form.png"), full_page=True)
            page.click("input[type=submit]")
            page.wait_for_url(f"{base}/claims/claims/{claim['id']}#claims-history")
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
        finally:
            context.close()
    (flag,) = flag_rows(built_db)
    assert (flag["claim_id"], flag["reviewer"], flag["verdict"], flag["reason"]) == (claim["id"], "alice", "unsupported", REASON)
    assert flag["source_id"] is not None
