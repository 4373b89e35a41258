"""The author's whole path in a real browser (Playwright driving Debian's chromium) against a real
`ae serve` and a real worker: invite → sign up → submit → lint → watch the log stream while the run
goes → verdicts → report (HTML and PDF) → resubmit. A failing step leaves a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"
#: pi.py, slowed down: it says where it is twice a second for 8 s before the series (a run of three
#: repetitions lasts long enough for a loaded machine's page to reload and follow it).
TICKER = '''import time
for n in range(1, 17):
    print(f"tick {n} of 16", flush=True)
    time.sleep(0.5)
'''


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An operator's git config mirroring https://mirror.ae.test/ in a local directory; its URL base."""
    (tmp_path / "mirror").mkdir()
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{tmp_path / "mirror"}/"]\n\tinsteadOf = https://mirror.ae.test/\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return "https://mirror.ae.test/"


def ticker_repository(where: Path) -> str:
    """Make the slow sample artifact (pi-python printing ticks first) a git repository; its branch."""
    from ae.intake.git import init_repository

    shutil.copytree(ROOT / "examples" / "pi-python", where)
    script = where / "program" / "pi-python" / "pi.py"
    script.write_text(TICKER + script.read_text())
    init_repository(where, message="a slow pi")
    return subprocess.run(["git", "-C", str(where), "rev-parse", "--abbrev-ref", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


class Walk:
    """The steps of the walk: each named, a failing one leaving a screenshot named in the failure."""

    def __init__(self, page: Any, shots: Path, logs: list[Path]) -> None:
        self.page, self.shots, self.logs = page, shots, logs
        shots.mkdir(parents=True, exist_ok=True)

    def tails(self) -> str:
        """Return the end of each log the walk keeps (the worker's), for a failure message."""
        return "".join(f"\n--- end of {log.name} ---\n{log.read_text(errors='replace')[-3000:]}"
                       for log in self.logs if log.exists())

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run one step; on failure, screenshot the page and say where the picture is."""
        try:
            yield
        except Exception as exc:
            shot = self.shots / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
            try:
                self.page.screenshot(path=str(shot), full_page=True)
            except Exception as failed:  # the page itself may be gone
                shot = Path(f"(no screenshot: {failed})")
            raise AssertionError(f"step {name!r} failed: {exc}\nscreenshot: {shot}\nurl: {self.page.url}"
                                 f"{self.tails()}") from exc


@pytest.mark.slow
def test_the_authors_whole_path_in_a_browser(mirror: str, tmp_path: Path, ae_server: str, browser: Any,
                                             ae_env: dict[str, str], ae_process: Any) -> None:
    from playwright.sync_api import expect

    branch = ticker_repository(tmp_path / "mirror" / "slow-pi")
    page = browser.new_page()
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)  # a loaded 2-core machine: pages and the worker take their time
    worker_log = tmp_path / "worker.log"
    walk = Walk(page, tmp_path / "screenshots", [worker_log])
    worker = None
    log_file = worker_log.open("wb")
    try:
        with walk.step("invite"):
            invited = ae_process("conference", "invite", "new.author@ae.test", "--conference", "ppopp-2019",
                                 "--role", "author")
            assert invited.returncode == 0, invited.stderr[-2000:]
            link = re.search(r"https?://\S+(/invite/inv_\S+)", invited.stdout)
            assert link, invited.stdout

        with walk.step("sign up on the invitation page"):
            page.goto(ae_server + link.group(1))
            expect(page.locator("main")).to_contain_text("You are invited as author of ppopp-2019")
            page.fill("input[name=name]", "New Author")
            page.fill("input[name=password]", PASSWORD)
            page.get_by_role("button", name="Accept").click()
            page.wait_for_url(ae_server + "/")
            expect(page.get_by_role("link", name="account")).to_be_visible()

        with walk.step("submit from the form"):
            page.get_by_role("link", name="Submit an artifact").click()
            page.fill("input[name=title]", "A slow pi")
            page.fill("input[name=source]", f"{mirror}slow-pi")
            page.set_input_files("input[name=appendix]",
                                 str(ROOT / "examples" / "pi-python" / "ARTIFACT-APPENDIX.md"))
            page.get_by_label("Results Reproduced").check()
            page.get_by_role("button", name="Submit").click()
            page.wait_for_url(re.compile(r".*/artifacts/[0-9a-f]{32}$"))
            artifact_url = page.url

        with walk.step("see the lint"):
            expect(page.locator("h1")).to_have_text("A slow pi")
            expect(page.locator(".flash.info")).to_contain_text("The check-list of your appendix is below")
            expect(page.locator(".checklist-summary").first).to_contain_text("0 errors, 1 warning")
            row = page.locator("table.checklist tr.warning").first
            expect(row).to_contain_text("25")
            expect(row).to_contain_text("gives no DOI")

        with walk.step("watch the log stream while the run goes"):
            worker = subprocess.Popen([sys.executable, "-c", "from ae.cli import cli; cli()", "worker",
                                       "--burst"], env=ae_env, stdout=subprocess.DEVNULL,
                                      stderr=log_file)
            log = page.locator("#live-log")  # the page reloads as intake ends and follows the run
            expect(log).to_contain_text(re.compile(r"tick \d+ of 16"), timeout=120_000)
            expect(page.locator("#live-state")).to_have_text("(following)")
            expect(page.locator("td[data-status-of]").first).to_have_text("running")
            expect(page.locator("td[data-progress-of]").first).to_contain_text(
                re.compile(r"repetition [123] of 3 · \d+ s elapsed"))
            expect(log).to_contain_text("tick 16 of 16", timeout=60_000)

        with walk.step("verdicts"):
            verdicts = page.locator("table.verdicts")
            expect(verdicts).to_contain_text("not-reproduced", timeout=180_000)
            expect(verdicts.locator("tr", has_text="pi:")).to_contain_text("reproduced")
            expect(verdicts.locator("tr", has_text="fast:")).to_contain_text("not-reproduced")
            expect(page.locator("#badges-1")).to_contain_text("Results Reproduced")
            assert worker.wait(timeout=120) == 0, walk.tails()

        with walk.step("open the report"):
            pdf_href = page.get_by_role("link", name="PDF").get_attribute("href")
            page.get_by_role("link", name="HTML").click()
            expect(page.locator("h1")).to_have_text("Evaluation report: A slow pi")
            expect(page.locator("body")).to_contain_text("Claims and results")
            pdf = page.request.get(ae_server + str(pdf_href))
            assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
            assert pdf.body().startswith(b"%PDF")
            page.goto(artifact_url)

        with walk.step("resubmit"):
            page.fill("#resubmit-form input[name=ref]", branch)
            page.get_by_role("button", name="Resubmit as version 2").click()
            expect(page.locator(".flash.info")).to_contain_text("Resubmitted")
            expect(page.locator("details.version").first).to_contain_text("Version 2")
            expect(page.locator("details.version").first).to_contain_text(f"ref {branch}")
            expect(page.locator("details.version")).to_have_count(2)
    finally:
        page.close()
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        log_file.close()
