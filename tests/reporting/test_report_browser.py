"""The reports in a real browser (Playwright driving Debian's chromium) against `ae serve`: the
artifact report with its plot decoded under the report's CSP, the chairs' conference report, and no
table wider than the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.review.helpers import make_artifact

PASSWORD = "correct horse battery staple"


@pytest.mark.slow
def test_the_reports_open_in_a_browser(browser: Any, ae_server: str, app: Any, runner: Any,
                                       people: Any) -> None:
    made = make_artifact(app, people.ids["author"], title="Pi <in> the browser",
                         data_dir=Path(app.config["DATA_DIR"]), evaluated=True)
    assert runner.invoke(["report", "artifact", made.artifact, "--no-pdf"]).exit_code == 0
    page = browser.new_context(viewport={"width": 900, "height": 800}).new_page()
    page.set_default_timeout(30_000)  # a loaded 2-core machine
    page.goto(ae_server + "/login")
    page.fill("input[name=email]", people.emails["chair"])
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(ae_server + "/")

    page.goto(f"{ae_server}/artifacts/{made.artifact}/versions/1/report.html")
    assert page.locator("h1").inner_text() == "Evaluation report: Pi <in> the browser"
    assert page.locator("h2").all_inner_texts()[:3] == ["Outcome", "Identity", "Check-list"]
    figure = page.locator("figure img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    assert "Figure 1: claim pi" in page.locator("figcaption").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{ae_server}/conferences/ppopp-2019/report.html")
    assert page.locator("h1").inner_text() == "Conference report: PPoPP 2019 Artifact Evaluation"
    results = page.locator("h2:has-text('Results') + table tbody tr")
    assert results.count() == 1 and "Pi <in> the browser" in results.first.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
