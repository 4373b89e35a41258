"""Badge images and pages in a real browser (Playwright driving Debian's chromium) against `ae serve`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.badges.helpers import evaluated


@pytest.mark.slow
def test_the_badge_svg_renders_on_the_public_page_and_carries_its_credential(
        browser: Any, ae_server: str, app: Any, runner: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort in the browser")
    result = runner.invoke(["badges", "issue", artifact, "replicated", "--by", "chair@ae.test"])
    assert result.exit_code == 0, result.output
    badge = result.output.split("badge ")[1].split(",")[0]
    page = browser.new_page()
    page.goto(f"{ae_server}/reproduced/ppopp-2019")
    row = page.locator(f"tr[id='{artifact}']")
    assert "Fast sort in the browser" in row.inner_text() and "2 reproduced" in row.inner_text()
    image = row.locator("img").first
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    size = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] > 100 and size[1] == 20  # the SVG decoded and laid out: not a broken image
    page.goto(f"{ae_server}/badges/{badge}.svg")
    svg = page.locator("svg")
    assert svg.get_attribute("aria-label") == "ACM v1.0: Results Replicated"
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] == 20
    baked = page.evaluate("() => document.getElementsByTagNameNS("
                          "'https://purl.imsglobal.org/ob/v3p0', 'credential')[0].textContent.trim()")
    token = app.test_client().get(f"/badges/{badge}.jwt").get_data(as_text=True)
    assert baked == token
    page.screenshot(path=str(app.instance_path) + "/badge.png")
    page.goto(f"{ae_server}/badges/{badge}")
    assert "Valid: signed by this service's key" in page.locator("#verdict").inner_text()
