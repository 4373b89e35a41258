"""End to end: the smoke stage of real artifacts on a real worker, what the author sees as soon as it
ends (the page and the mail), runtime estimates, and a full run that waits for the chair's approval."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, make_git_repo, worker_env
from tests.review.conftest import Mailbox


def burst(config: dict[str, Any], **extra: str) -> str:
    """Run a real `ae worker --burst` (with the mail server) until the queues are empty."""
    env = {**worker_env(config), "AE_MAIL_URL": config["MAIL_URL"], "AE_TODAY": config["TODAY"], **extra}
    done = subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", "worker", "--burst"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def broken_matmul(tmp_path: Path) -> Path:
    """Return a git repository of matmul-c whose kernel no longer compiles."""
    src = tmp_path / "matmul-broken-src"
    shutil.copytree(EXAMPLES / "matmul-c", src)
    kernel = src / "program" / "matmul-c" / "matmul.c"
    kernel.write_text(kernel.read_text() + "\nint broken(void) { return undeclared_name }\n")
    dest = tmp_path / "repos" / "matmul-broken"
    make_git_repo(src, dest)
    return dest


def submit(app: Any, conference: str, title: str, repo: Path, owner: str) -> str:
    """Submit a local repository as `owner`; return the artifact id."""
    from ae.submission import submit as submit_

    with app.app_context():
        return submit_(conference=conference, title=title, source=str(repo), owner_id=owner).artifact_id


def version_and_runs(app: Any, artifact_id: str) -> tuple[Any, list[Any]]:
    """Return the latest version and its runs, detached."""
    from ae.storage.db import session_scope
    from ae.storage.queries import latest_version, runs_of

    with app.app_context(), session_scope() as session:
        version = latest_version(session=session, artifact_id=artifact_id)
        runs = runs_of(session=session, version_id=version.id)
        session.expunge_all()
    return version, runs


def page(client: Any, people: Any, artifact_id: str) -> str:
    """Return the artifact page as its author reads it."""
    people.sign_in(client, "author")
    text = client.get(f"/artifacts/{artifact_id}").get_data(as_text=True)
    client.get("/logout")
    return text


def mail_to(box: Mailbox, address: str, title: str) -> str:
    """Return the one smoke-stage message about `title` sent to `address`."""
    found = [t for t in box.texts() if t.startswith(f"To: {address}") and f"\u201c{title}\u201d" in t
             and "Smoke test" in t]
    assert len(found) == 1, box.texts()
    return found[0]


@pytest.mark.slow
def test_smoke_pass_and_compile_error(app, client, people, mailbox, example_repo, tmp_path,  # type: ignore[no-untyped-def]
                                      runner) -> None:
    author = people.ids["author"]
    good = submit(app, "ppopp-2019", "Pi", example_repo("pi-python"), author)
    bad = submit(app, "ppopp-2019", "Broken matmul", broken_matmul(tmp_path), author)
    burst(app.config)

    version, runs = version_and_runs(app, good)
    smoke = [r for r in runs if r.stage == "smoke"]
    full = [r for r in runs if r.stage == "full"]
    assert [(r.program, r.repetitions, r.status) for r in smoke] == [("pi-python", 1, "succeeded")]
    assert full and all(r.status == "succeeded" and r.repetitions == 2 for r in full)
    assert version.status == "done" and version.smoke["stage"] == "done" and version.smoke["ok"]
    # the author heard of the smoke stage before any full run started
    finished = version.smoke["finished_at"]
    assert all(r.started_at.isoformat()[:26] >= finished[:26] for r in full)
    [command] = version.smoke["commands"]
    assert command["ok"] and command["cost"]["cpu_s"] > 0
    estimate = {row["claim"]: row["pools"] for row in version.smoke["claims"]}
    assert set(estimate) == {"pi", "fast"} and estimate["pi"]["default"]["cpu_s"] == \
        2 * command["cost"]["cpu_s"]
    assert version.smoke["stated"] == "seconds" and version.smoke["mismatch"] is None
    text = mail_to(mailbox, "author@ae.test", "Pi")
    assert "all 1 command built and ran" in text and "pi-python default: built and ran once" in text
    shown = page(client, people, good)
    assert "Smoke test" in shown and "Every program built and each command ran once" in shown
    status = runner.invoke(["status", good[:12]])
    assert "smoke test: every command ran" in status.output
    assert "run pi-python:default (smoke) x1 succeeded" in status.output

    version, runs = version_and_runs(app, bad)
    smoke = [r for r in runs if r.stage == "smoke"]
    full = [r for r in runs if r.stage == "full"]
    assert [(r.status, r.failure_kind) for r in smoke] == [("failed", "compile-error")]
    assert full and all(r.status == "failed" and r.started_at is None and r.attempt == 0 for r in full)
    assert all(r.message.startswith("not started: its smoke run failed (compile-error") for r in full)
    assert version.status == "done" and version.smoke["ok"] is False
    text = mail_to(mailbox, "author@ae.test", "Broken matmul")
    assert "1 of 1 command failed" in text and "FAILED (compile-error)" in text
    shown = page(client, people, bad)
    assert "Some commands failed the smoke test" in shown and "compile-error" in shown
    status = runner.invoke(["status", bad[:12]])
    assert "smoke test: some commands failed" in status.output and "FAILED (compile-error)" in status.output


@pytest.mark.slow
def test_full_run_beyond_budget_waits_for_approval(app, client, people, mailbox, example_repo,  # type: ignore[no-untyped-def]
                                                   runner) -> None:
    from ae.accounts import users
    from ae.status import artifact_status
    from ae.storage.db import session_scope
    from ae.storage.models import User
    from ae.storage.states import Role

    with app.app_context(), session_scope() as session:
        for name, role in (("author", Role.AUTHOR), ("chair", Role.CHAIR)):
            user = session.get(User, people.ids[name])
            users.grant(session=session, user=user, conference="tight-2019", role=role)
    artifact = submit(app, "tight-2019", "Pi on a budget", example_repo("pi-python"), people.ids["author"])
    burst(app.config)

    version, runs = version_and_runs(app, artifact)
    full = [r for r in runs if r.stage == "full"]
    assert version.status == "running" and version.smoke["ok"]
    assert full and all(r.status == "held" and r.started_at is None for r in full)
    why = full[0].held_reason
    assert re.fullmatch(r"waiting for approval: needs ~\S+ CPU-h, artifact budget left 0 CPU-h of "
                        r"1e-06 on pool default", why), why
    with app.app_context(), session_scope() as session:
        status = artifact_status(session=session, artifact_id=artifact)
    assert {r["waiting"] for r in status["runs"] if r["stage"] == "full"} == {why}
    assert why.removeprefix("waiting for approval: ") in mail_to(mailbox, "author@ae.test", "Pi on a budget")
    [asked] = [t for t in mailbox.texts() if t.startswith("To: chair@ae.test")]
    assert "Approval needed: \u201cPi on a budget\u201d version 1" in asked
    assert why.removeprefix("waiting for approval: ") in asked and "/conferences/tight-2019/budgets" in asked
    shown = page(client, people, artifact)
    assert html.escape(why) in shown and "Approve" not in shown

    # the chair sees it on the budget page (and the CLI), and approves it on the web
    people.sign_in(client, "chair")
    shown = client.get("/conferences/tight-2019/budgets").get_data(as_text=True)
    assert html.escape(why) in shown and "Approve beyond the budget" in shown
    assert "artifact-submission (now)" in shown  # AE_TODAY 2018-12-01 on the calendar
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown).group(1)  # type: ignore[union-attr]
    listed = runner.invoke(["chair", "budgets", "tight-2019"])
    assert listed.exit_code == 0 and why in listed.output
    answer = client.post("/conferences/tight-2019/budgets/approve",
                         data={"artifact": artifact, "csrf_token": token})
    assert answer.status_code == 303
    version, runs = version_and_runs(app, artifact)
    assert all(r.status == "queued" and r.approved_by == people.ids["chair"] for r in runs
               if r.stage == "full")
    again = runner.invoke(["chair", "approve", "tight-2019", artifact[:12]])
    assert again.exit_code == 2 and "nothing of this artifact waits for approval" in again.output

    burst(app.config)
    version, runs = version_and_runs(app, artifact)
    assert version.status == "done" and all(r.status == "succeeded" for r in runs)

    # an evaluator's re-run beyond their own budget waits too; the chair approves it from the CLI
    with app.app_context(), session_scope() as session:
        users.grant(session=session, user=session.get(User, people.ids["evaluator"]), conference="tight-2019",
                    role=Role.EVALUATOR)
    people.assign(artifact, "evaluator")
    client.get("/logout")
    people.sign_in(client, "evaluator")
    shown = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown).group(1)  # type: ignore[union-attr]
    full = [r for r in runs if r.stage == "full"]
    answer = client.post(f"/artifacts/{artifact}/rerun", data={"run": full[0].id, "repetitions": "2",
                                                               "csrf_token": token})
    assert answer.status_code in (302, 303)
    _, runs = version_and_runs(app, artifact)
    [rerun] = [r for r in runs if r.requested_by == people.ids["evaluator"]]
    assert rerun.status == "held" and re.fullmatch(
        r"waiting for approval: needs ~\S+ CPU-h, evaluator budget left 1e-06 CPU-h of 1e-06 on pool default",
        rerun.held_reason), rerun.held_reason
    client.get("/logout")
    people.sign_in(client, "chair")
    shown = client.get("/conferences/tight-2019/budgets").get_data(as_text=True)
    assert "<td>Evaluator</td>" in shown and html.escape(rerun.held_reason or "") in shown
    approved = runner.invoke(["chair", "approve", "tight-2019", artifact[:12]])
    assert approved.exit_code == 0 and "1 run(s) approved beyond the budget" in approved.output
    _, runs = version_and_runs(app, artifact)
    assert [(r.status, r.approved_by) for r in runs if r.id == rerun.id] == [("queued", "cli")]


@pytest.mark.slow
def test_gpu_hours_are_counted_on_a_gpu_pool(app, people, mailbox, example_repo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ae.submission import submit as submit_

    appendix = (EXAMPLES / "pi-python" / "ARTIFACT-APPENDIX.md").read_text()
    appendix = appendix.replace('program = "pi-python"', 'program = "pi-python"\nhardware = "gpu"')
    profile = tmp_path / "gpu.json"  # a declared NVIDIA machine: the run's wall time is its GPU time
    profile.write_text(json.dumps({"arch": "x86_64", "os": "linux", "cores": 2, "memory_bytes": 4 << 30,
                                   "cpu_flags": ["sse2"], "cpu_model": "Test EPYC",
                                   "gpus": [{"name": "NVIDIA A100", "memory_bytes": 40 << 30,
                                             "compute_capability": "8.0"}]}))
    with app.app_context():
        artifact = submit_(conference="gpu-2019", title="Pi on a GPU", source=str(example_repo("pi-python")),
                           appendix_name="ARTIFACT-APPENDIX.md", appendix_text=appendix).artifact_id
    burst(app.config, AE_WORKER_PROFILE=str(profile))
    version, runs = version_and_runs(app, artifact)
    [smoke] = [r for r in runs if r.stage == "smoke"]
    assert (smoke.pool, smoke.status) == ("gpu", "succeeded")
    [command] = version.smoke["commands"]
    assert command["cost"]["gpu_s"] == command["cost"]["wall_s"] > 0
    full = [r for r in runs if r.stage == "full"]
    assert full and all(r.status == "held" and r.pool == "gpu" for r in full)
    assert re.fullmatch(r"waiting for approval: needs ~\S+ GPU-h, artifact budget left 0 GPU-h of 1e-06 "
                        r"on pool gpu", full[0].held_reason or ""), full[0].held_reason
