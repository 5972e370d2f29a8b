"""An editor accepts and rejects traced candidates in a real Chromium against a real `claims serve`."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from claims.cli import cli
from claims.db import open_db
from claims.trace.run import trace
from tests.reviewing import claims_server
from tests.test_browser import ARTIFACTS, logged_in_page, pytestmark  # noqa: F401

PASSWORD = "editor-password-1"


def test_editor_accepts_and_rejects_in_the_browser(built_db: Path, tmp_path: Path, runner):
    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "home"
    (tmp_path / "pw.txt").write_text(PASSWORD)
    result = runner.invoke(cli, ["reviewers", "add", "erin", "--role", "editor", "--password-file", str(tmp_path / "pw.txt"), "--home", str(home)])
    assert result.exit_code == 0, result.output
    db = open_db(built_db)
    trace(db, quote_ids=[6], offline=True)
    first, second = db.execute("select id, source_id from trace_candidates where quote_id = 6 order by rank limit 2").fetchall()
    db.close()
    ARTIFACTS.mkdir(exist_ok=True)
    with claims_server(built_db, home) as base, sync_playwright() as pw:
        with logged_in_page(pw, base, tmp_path / "chromium-profile", "erin", PASSWORD) as page:
            page.goto(f"{base}/claims/quotes/6")
            section = page.locator("#claims-traced")
            expect(section).to_contain_text("Traced candidates")
            page.screenshot(path=str(ARTIFACTS / "trace-1-candidates.png"), full_page=True)
            page.locator(f"form[action='/-/claims/trace/{first[0]}/accept'] button").click()
            page.wait_for_url(f"{base}/claims/quotes/6#claims-traced")
            expect(section.locator("tr.claims-traced-accepted")).to_contain_text("accepted by erin")
            page.locator(f"form[action='/-/claims/trace/{second[0]}/reject'] button").click()
            page.wait_for_url(f"{base}/claims/quotes/6#claims-traced")
            expect(section.locator("tr.claims-traced-rejected")).to_contain_text("rejected by erin")
            page.screenshot(path=str(ARTIFACTS / "trace-2-decided.png"), full_page=True)
    rows = sqlite_utils.Database(built_db)
    assert next(rows.query("select relation from citations where quote_id = 6 and source_id = ?", [first[1]]))["relation"] == "attributed"
    assert next(rows.query("select status, decided_by from trace_candidates where id = ?", [second[0]])) == {
        "status": "rejected", "decided_by": "erin"
    }
