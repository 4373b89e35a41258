"""A whole small artifact evaluation in a real browser (Playwright driving Debian's chromium) against
a real `ae serve` and real workers: 3 artifacts, 4 evaluators, 1 chair — bidding → assignment →
kick-the-tires → an author answers in a thread → resubmission → full round → decisions.
A failing step leaves a screenshot."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import password_hash

ROOT = Path(__file__).resolve().parents[2]
C = "ppopp-2019"
PASSWORD = "a long enough password"
CHAIR = ("Chris Chair", "chris@chairs-uni.org")
EVALUATORS = [("Eva One", "eva1@lab-one.org"), ("Eva Two", "eva2@lab-two.org"),
              ("Eva Three", "eva3@lab-three.org"), ("Eva Four", "eva4@lab-four.org")]
AUTHORS = [("Ann First", "ann@uni-one.edu"), ("Ben Second", "ben@uni-two.edu"),
           ("Cy Third", "cy@uni-three.edu")]
TITLES = ["Pi one", "Pi two", "Pi three"]


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The test configuration with ppopp-2019 asking 2 evaluators per artifact."""
    folder = tmp_path / "conferences"
    folder.mkdir()
    text = (ROOT / "conferences" / f"{C}.toml").read_text()
    (folder / f"{C}.toml").write_text(text + "\n[review]\nevaluators_per_artifact = 2\n")
    return {**config, "CONFERENCES_DIR": str(folder)}


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operator's git config mirroring https://mirror.ae.test/ in a local directory (returned)."""
    (tmp_path / "mirror").mkdir()
    settings = tmp_path / "gitconfig"
    settings.write_text(f'[url "{tmp_path / "mirror"}/"]\n\tinsteadOf = https://mirror.ae.test/\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(settings))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return tmp_path / "mirror"


class Walk:
    """The steps of the walk: each named, a failing one leaving a screenshot of the page it was on."""

    def __init__(self, shots: Path) -> None:
        self.shots, self.page = shots, None
        shots.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def step(self, name: str, page: Any) -> Iterator[Any]:
        """Run one step on `page`; on failure, screenshot it and say where the picture is."""
        try:
            yield page
        except Exception as exc:
            shot = self.shots / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as failed:  # the page itself may be gone
                shot = Path(f"(no screenshot: {failed})")
            raise AssertionError(f"step {name!r} failed: {exc}\nscreenshot: {shot}\nurl: {page.url}") from exc


def _people() -> dict[str, str]:
    """Make the chair, the evaluators and the authors, each of their own institution; their ids by e-mail."""
    from ae.accounts import users
    from ae.storage.db import session_scope
    from ae.storage.states import Role

    ids = {}
    with session_scope() as session:
        for (name, email), role in [(CHAIR, Role.CHAIR), *[(e, Role.EVALUATOR) for e in EVALUATORS],
                                    *[(a, Role.AUTHOR) for a in AUTHORS]]:
            user = users.create_user(session=session, email=email, name=name)
            user.password_hash = password_hash(PASSWORD)
            session.flush()
            users.grant(session=session, user=user, conference=C, role=role)
            ids[email] = user.id
    return ids


def _repository(mirror: Path, name: str, title: str) -> str:
    """Make a pi-python repository in the mirror, its appendix naming the artifact; its branch."""
    from ae.intake.git import init_repository

    where = mirror / name
    shutil.copytree(ROOT / "examples" / "pi-python", where)
    appendix = where / "ARTIFACT-APPENDIX.md"
    appendix.write_text(appendix.read_text().replace("pi by the Leibniz series in Python", title, 1))
    init_repository(where, message="first")
    return subprocess.run(["git", "-C", str(where), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


def _own(artifact_id: str, user_id: str) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact

    with session_scope() as session:
        artifact = session.get(Artifact, artifact_id)
        assert artifact is not None
        artifact.owner_id = user_id


def _signed_in(browser: Any, base: str, email: str) -> Any:
    """Return a new page of a new browser context signed in as `email` through the sign-in form."""
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.set_default_timeout(30_000)
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="account")).to_be_visible()
    return page


def _set_phase(page: Any, base: str, name: str, starts: dt.date) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/conferences/{C}")
    form = page.locator("#phase-form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=starts]").fill(starts.isoformat())
    form.get_by_role("button", name="Save the phase").click()
    expect(page.locator(".flash.info")).to_contain_text(f"Phase {name} saved.")
    expect(page.locator("#current-phase")).to_contain_text(f"Now: {name}")


def _review(page: Any, base: str, artifact_id: str, round_name: str, levels: dict[str, str],
            text: str) -> None:
    """Fill and submit the signed-in evaluator's review of a round: a level per badge, expertise, text."""
    from playwright.sync_api import expect

    page.goto(f"{base}/artifacts/{artifact_id}")
    form = page.locator(f"#review-{round_name}")
    for select in form.locator("select[name^='badge:']").all():
        badge = str(select.get_attribute("name")).removeprefix("badge:")
        select.select_option(levels.get(badge, "not-requested"))
    form.locator("select[name=expertise]").select_option("knowledgeable")
    form.locator("textarea[name=comments]").fill(text)
    form.get_by_role("button", name="Submit review").click()
    expect(page.locator(".flash.info")).to_contain_text("Review submitted.")


@pytest.mark.slow
def test_a_whole_small_ae_in_a_browser(mirror: Path, tmp_path: Path, ae_server: str, browser: Any,
                                      ae_process: Any, burst_worker: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # a loaded 2-core machine: pages take their time
    walk = Walk(tmp_path / "screenshots")
    today = dt.datetime.now(dt.UTC).date()
    ids = _people()
    artifacts, branches = [], []
    for n, (title, (_, author)) in enumerate(zip(TITLES, AUTHORS, strict=True)):
        branches.append(_repository(mirror, f"pi-{n}", title))
        submitted = ae_process("submit", f"https://mirror.ae.test/pi-{n}", "--title", title,
                               "--conference", C)
        assert submitted.returncode == 0, submitted.stderr[-2000:]
        found = re.search(r"\b([0-9a-f]{32})\b", submitted.stdout)
        assert found, submitted.stdout
        artifacts.append(found.group(1))
        _own(found.group(1), ids[author])
    burst_worker()  # intake (check-lists, abstracts) and the runs of the three versions
    one, two, three = artifacts

    chair = _signed_in(browser, ae_server, CHAIR[1])
    with walk.step("the chair opens bidding", chair) as page:
        _set_phase(page, ae_server, "bidding", today)

    bids = {0: {one: "eager", two: "eager"}, 1: {one: "eager", three: "reluctant"},
            2: {two: "eager", three: "eager"}, 3: {one: "conflict", two: "willing", three: "eager"}}
    for n, (name, email) in enumerate(EVALUATORS):
        with walk.step(f"{name} bids", _signed_in(browser, ae_server, email)) as page:
            page.goto(f"{ae_server}/conferences/{C}/bids")
            sheet = page.locator("#bids-form")
            expect(sheet.locator("section.bid")).to_have_count(3)
            expect(sheet.locator("section.bid[data-artifact='Pi one']")).to_contain_text(
                "estimates pi with 200,000 terms")  # the appendix's abstract
            for artifact_id, level in bids[n].items():
                sheet.locator(f"select[name='bid-{artifact_id}']").select_option(level)
            sheet.get_by_role("button", name="Save my bids").click()
            expect(page.locator(".flash.info")).to_contain_text(f"{len(bids[n])} bids saved.")
            page.context.close()

    author = _signed_in(browser, ae_server, AUTHORS[0][1])
    with walk.step("the first author declares a conflict", author) as page:
        page.goto(f"{ae_server}/conferences/{C}/artifacts/{one}/conflicts")
        page.fill("#conflict-form input[name=pattern]", EVALUATORS[2][1])
        page.fill("#conflict-form input[name=reason]", "my former student")
        page.get_by_role("button", name="Declare").click()
        expect(page.locator("table.conflicts")).to_contain_text(EVALUATORS[2][1])

    with walk.step("the chair edits and commits the proposal", chair) as page:
        page.goto(f"{ae_server}/conferences/{C}/assignment")
        table = page.locator("table.assignment")
        row = table.locator("tr", has_text="Pi one")
        expect(row).to_contain_text("declared by the evaluator")
        expect(row).to_contain_text(f"declared by the authors or a chair ({EVALUATORS[2][1]})")
        proposed = {(str(b.get_attribute("data-artifact")), str(b.get_attribute("data-evaluator")))
                    for b in table.locator("input[name=pair]:checked").all()}
        assert proposed == {("Pi one", "Eva One"), ("Pi one", "Eva Two"), ("Pi two", "Eva One"),
                            ("Pi two", "Eva Three"), ("Pi three", "Eva Three"), ("Pi three", "Eva Four")}
        table.locator("input[data-artifact='Pi three'][data-evaluator='Eva Three']").uncheck()
        table.locator("input[data-artifact='Pi three'][data-evaluator='Eva Two']").check()
        page.get_by_role("button", name="Commit the assignment").click()
        expect(page.locator(".flash.info")).to_contain_text("6 assignments committed.")
        expect(page.locator("#dashboard tr[data-artifact='Pi three']")).to_contain_text("Eva Two")
        expect(page.locator("#dashboard tr[data-artifact='Pi three']")).not_to_contain_text("Eva Three")

    with walk.step("kick-the-tires: a review and a question", chair) as page:
        _set_phase(page, ae_server, "kick-the-tires", today)
        first = _signed_in(browser, ae_server, EVALUATORS[0][1])
        _review(first, ae_server, one, "kick-the-tires", {"functional": "weak"},
                "Installs and runs; the timing claim needs a note on the machine.")
        first.locator("#new-thread textarea[name=body]").fill("Which Python version did you measure with?")
        first.locator("#new-thread").get_by_role("button", name="Post").click()
        expect(first.locator("#threads")).to_contain_text("Which Python version")
        first.context.close()
        page.goto(f"{ae_server}/conferences/{C}/dashboard")
        expect(page.locator("#dashboard tr[data-artifact='Pi one'] td.missing")).to_contain_text(
            "kick-the-tires: 1 in, missing Eva Two")

    with walk.step("the author answers in the thread, anonymously", author) as page:
        page.goto(f"{ae_server}/artifacts/{one}")
        thread = page.locator("#threads article.thread").first
        expect(thread).to_contain_text(re.compile(r"Evaluator [AB]"))
        thread.locator("textarea[name=body]").fill("Python 3.11; the appendix now says so.")
        thread.get_by_role("button", name="Answer").click()
        expect(page.locator("#threads")).to_contain_text("Python 3.11; the appendix now says so.")
        body = page.locator("body").inner_text()
        for name, email in EVALUATORS:
            assert name not in body and email not in body, f"the author's page names {name}"

    with walk.step("the author resubmits", author) as page:
        where = mirror / "pi-0"
        appendix = where / "ARTIFACT-APPENDIX.md"
        appendix.write_text(appendix.read_text() + "\nMeasured with Python 3.11.\n")
        subprocess.run(["git", "-C", str(where), "commit", "-qam", "say the Python version"], check=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@uni-one.edu",
                            "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@uni-one.edu"})
        page.goto(f"{ae_server}/artifacts/{one}")
        page.fill("#resubmit-form input[name=ref]", branches[0])
        page.get_by_role("button", name="Resubmit as version 2").click()
        expect(page.locator(".flash.info")).to_contain_text("Resubmitted")
        burst_worker()
        page.goto(f"{ae_server}/artifacts/{one}")
        expect(page.locator("details.version")).to_have_count(2)

    with walk.step("the full round: two evaluators disagree", chair) as page:
        _set_phase(page, ae_server, "full-evaluation", today)
        for (_, email), functional in [(EVALUATORS[0], "yes"), (EVALUATORS[1], "no")]:
            evaluator = _signed_in(browser, ae_server, email)
            _review(evaluator, ae_server, one, "full-evaluation",
                    {"available": "no", "functional": functional}, f"Full round: functional {functional}.")
            evaluator.context.close()
        page.goto(f"{ae_server}/conferences/{C}/dashboard")
        row = page.locator("#dashboard tr[data-artifact='Pi one']")
        expect(row.locator("td.disagreements")).to_contain_text(
            "functional: evaluators disagree (Eva One yes, Eva Two no)")
        expect(row.locator("td.missing")).to_contain_text("full-evaluation: 2 in")
        expect(page.locator("#dashboard tr[data-artifact='Pi two'] td.missing")).to_contain_text(
            re.compile(r"full-evaluation: 0 in, missing Eva (One|Three), Eva (One|Three)"))

    with walk.step("decisions", chair) as page:
        _set_phase(page, ae_server, "decision", today)
        page.goto(f"{ae_server}/conferences/{C}/dashboard")
        form = page.locator("#dashboard tr[data-artifact='Pi one'] form.decide")
        form.locator("select[name=outcome]").select_option("accepted")
        form.locator("input[name=badge][value=functional]").check()
        form.locator("textarea[name=text]").fill("Functional: the chair sides with Eva One.")
        form.get_by_role("button", name="Decide").click()
        expect(page.locator(".flash.info")).to_contain_text("Decision recorded.")
        form = page.locator("#dashboard tr[data-artifact='Pi two'] form.decide")
        form.locator("select[name=outcome]").select_option("accepted")
        form.get_by_role("button", name="Decide").click()
        expect(page.locator(".flash.error")).to_contain_text(
            "an accepted artifact is awarded at least one badge")
        form = page.locator("#dashboard tr[data-artifact='Pi two'] form.decide")
        form.locator("select[name=outcome]").select_option("rejected")
        form.get_by_role("button", name="Decide").click()
        expect(page.locator("#dashboard tr[data-artifact='Pi one'] td.decision")).to_contain_text(
            "accepted: functional")
        expect(page.locator("#dashboard tr[data-artifact='Pi two'] td.decision")).to_contain_text("rejected")
        exported = page.request.get(f"{ae_server}/conferences/{C}/hotcrp.json")
        assert exported.status == 200
        papers = {p["title"]: p for p in json.loads(exported.body())}
        assert papers["Pi one"]["tags"] == ["badge:functional"]
        assert [r["round"] for r in papers["Pi one"]["reviews"]] == ["kick-the-tires", "full-evaluation",
                                                                     "full-evaluation"]
        assert papers["Pi two"]["decision"] == "Artifact did not pass evaluation"
        assert "decision" not in papers["Pi three"]
