"""The web pages in a real browser (Playwright driving Debian's chromium) against `ae serve`."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_artifact_list_and_page_after_a_real_evaluation(browser, ae_server, example_repo, app,  # type: ignore[no-untyped-def]
                                                         burst_worker, people) -> None:
    from ae.submission import submit

    ids = submit(conference="ppopp-2019", title="Pi in the browser",
                 source=str(example_repo("pi-python")), badges=["reproduced"])
    burst_worker()
    page = browser.new_page()
    page.goto(ae_server + "/")
    page.get_by_role("link", name="Sign in", exact=True).first.click()
    page.fill("input[name=email]", people.emails["chair"])
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(ae_server + "/")
    assert page.title() == "ae"
    row = page.locator("tr", has_text="Pi in the browser")
    assert "done" in row.inner_text()
    assert "pi: reproduced" in row.inner_text() and "fast: not-reproduced" in row.inner_text()
    row.get_by_role("link", name="Pi in the browser").click()
    page.wait_for_url(f"**/artifacts/{ids.artifact_id}")
    assert page.locator("h1").inner_text() == "Pi in the browser"
    verdicts = page.locator("table").first.inner_text()
    assert "not-reproduced" in verdicts and "reproduced" in verdicts
    assert "Results Reproduced" in page.locator("#badges-1").inner_text()
    page.screenshot(path=str(app.instance_path) + "/artifact.png")
