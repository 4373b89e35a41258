"""The evaluator's artifact page in a real browser (Playwright driving Debian's chromium) against a real
`ae serve` and real workers: the claim's plot, a re-run, the run-vs-run diff view, a thread on a log
line that the author answers, and a review saved as a draft, then submitted."""

from __future__ import annotations

import re
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context().new_page()
    page.set_default_timeout(30_000)  # a loaded 2-core machine
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


@pytest.mark.slow
def test_the_evaluators_page(browser: Any, ae_server: str, example_repo: Any, app: Any, burst_worker: Any,
                             people: Any) -> None:
    from playwright.sync_api import expect

    from ae.submission import submit

    expect.set_options(timeout=30_000)
    ids = submit(conference="ppopp-2019", title="Pi to review", source=str(example_repo("pi-python")),
                 badges=["reproduced"], owner_id=people.ids["author"])
    burst_worker()
    people.assign(ids.artifact_id, "evaluator")
    url = f"{ae_server}/artifacts/{ids.artifact_id}"

    page = _sign_in(browser, ae_server, people.emails["evaluator"])
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Pi to review")
    expect(page.locator("img.claim-plot").first).to_be_visible()  # samples against the claimed band

    # re-run the first run with 4 repetitions, let a worker take it, then compare the two runs
    first = page.locator("form.rerun").first
    first.locator("input[name=repetitions]").fill("4")
    first.get_by_role("button", name="Re-run").click()
    expect(page.locator(".flash.info")).to_contain_text("Queued 4 more repetitions on pool default")
    burst_worker()
    page.goto(url)
    page.get_by_role("link", name="compare with the first run").first.click()
    expect(page.locator("h1")).to_contain_text("vs run")
    expect(page.locator("table.samples")).to_contain_text("Metric")
    expect(page.locator("main")).to_contain_text("Outputs: expected (left) vs actual (right)")
    expect(page.locator("main")).to_contain_text("Dependencies")
    page.go_back()

    # the environment the author declared beside the worker's
    page.get_by_role("link", name="environment").first.click()
    expect(page.locator("table.environment")).to_contain_text("Linux with Python 3")
    expect(page.locator("table.environment")).to_contain_text("cores")
    page.go_back()

    # a thread on the first line of a run's log
    form = page.locator("#new-thread")
    form.locator("select[name=kind]").select_option("log")
    form.locator("select[name=run]").select_option(index=1)
    form.locator("input[name=line]").fill("1")
    form.locator("textarea[name=body]").fill("Which seed gives **this** line?")
    form.get_by_role("button", name="Post").click()
    thread = page.locator("article.thread").first
    expect(thread).to_contain_text(re.compile(r"About line 1 of the stdout of run [0-9a-f]{12}"))
    expect(thread.locator("strong", has_text="this")).to_be_visible()
    expect(thread).to_contain_text("Evaluator A (you)")

    # a draft, then the submission (first without every required answer: kept as a draft)
    review = page.locator("#review-kick-the-tires")
    review.locator("textarea[name=comments]").fill("It builds and runs; pi is right.")
    review.locator("textarea[name=committee]").fill("Between us: the README is thin.")
    review.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash.info")).to_contain_text("Draft saved")
    expect(page.locator("#reviews article.review").first).to_contain_text("draft")
    review = page.locator("#review-kick-the-tires")
    review.get_by_role("button", name="Submit review").click()
    expect(page.locator(".flash.error")).to_contain_text("Kept as a draft, not submitted: to submit, answer")
    review = page.locator("#review-kick-the-tires")
    for badge in ("available", "functional", "reusable", "reproduced"):
        review.locator(f"select[name='badge:{badge}']").select_option("yes")
    review.locator("select[name='badge:replicated']").select_option("not-requested")
    review.locator("select[name=expertise]").select_option("expert")
    expect(review.locator("textarea[name=comments]")).to_have_value("It builds and runs; pi is right.")
    review.get_by_role("button", name="Submit review").click()
    expect(page.locator(".flash.info")).to_contain_text("Review submitted.")
    expect(page.locator("#reviews article.review").first).to_contain_text("submitted")

    # the author reads the review's author fields and answers the thread; no name, no committee note
    author = _sign_in(browser, ae_server, people.emails["author"])
    author.goto(url)
    reviews = author.locator("#reviews")
    expect(reviews).to_contain_text("Evaluator A")
    expect(reviews).to_contain_text("It builds and runs; pi is right.")
    expect(reviews).not_to_contain_text("README is thin")
    answer = author.locator("article.thread").first
    answer.locator("textarea[name=body]").fill("Seed 42, as the appendix says.")
    answer.get_by_role("button", name="Answer").click()
    expect(author.locator("article.thread").first).to_contain_text("Author (you)")
    assert "Evaluator</" not in author.content() and people.emails["evaluator"] not in author.content()
