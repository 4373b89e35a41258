"""The evaluator's side in the browser's HTTP: review forms, threads, re-runs and diff pages."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlmodel import select

from tests.review.helpers import Made, make_artifact


def _csrf(client: Any, url: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def made(app: Any, people: Any, tmp_path: Any) -> Made:
    from pathlib import Path

    found = make_artifact(app, people.ids["author"], data_dir=Path(app.config["DATA_DIR"]))
    people.assign(found.artifact, "evaluator")
    return found


def _client(app: Any, people: Any, name: str) -> tuple[Any, str]:
    client = app.test_client()
    assert people.sign_in(client, name).status_code == 302
    return client, _csrf(client, "/")


def test_an_evaluator_drafts_submits_and_the_author_reads_only_what_is_meant_for_authors(
        app: Any, people: Any, made: Made) -> None:
    evaluator, token = _client(app, people, "evaluator")
    page = f"/artifacts/{made.artifact}"
    assert 'id="review-kick-the-tires"' in evaluator.get(page).get_data(as_text=True)
    draft = evaluator.post(f"{page}/reviews/kick-the-tires", data={
        "csrf_token": token, "action": "save", "comments": "So far so good", "committee": "secret note"})
    assert draft.status_code == 303 and draft.headers["Location"].endswith("#review-kick-the-tires")
    refused = evaluator.post(f"{page}/reviews/kick-the-tires", data={
        "csrf_token": token, "action": "submit", "comments": "So far so good"}, follow_redirects=True)
    assert "Kept as a draft, not submitted: to submit, answer:" in refused.get_data(as_text=True)
    answers = {f"badge:{b}": "yes" for b in ("available", "functional", "reusable", "reproduced")}
    done = evaluator.post(f"{page}/reviews/kick-the-tires", data={
        "csrf_token": token, "action": "submit", "comments": "Reproduced pi.", "expertise": "expert",
        "committee": "secret note", "badge:replicated": "not-requested", **answers}, follow_redirects=True)
    assert "Review submitted." in done.get_data(as_text=True)
    bad = evaluator.post(f"{page}/reviews/rebuttal", data={"csrf_token": token, "action": "save"})
    assert bad.status_code == 400

    author, _ = _client(app, people, "author")
    text = author.get(page).get_data(as_text=True)
    assert "Evaluator A" in text and "Reproduced pi." in text
    assert "secret note" not in text and "Evaluator</" not in text
    assert people.emails["evaluator"] not in text


def test_threads_reruns_and_diffs(app: Any, people: Any, made: Made) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import Run, ThreadMessage

    evaluator, token = _client(app, people, "evaluator")
    page = f"/artifacts/{made.artifact}"
    posted = evaluator.post(f"{page}/threads", data={
        "csrf_token": token, "kind": "log", "run": made.run, "stream": "stdout", "line": "2",
        "body": "Where is the **result**?"})
    assert posted.status_code == 303
    with app.app_context(), session_scope() as session:
        thread = session.exec(select(ThreadMessage)).one()
    assert thread.anchor == {"kind": "log", "run": made.run, "stream": "stdout", "line": 2}
    author, author_token = _client(app, people, "author")
    assert author.post(f"{page}/threads/{thread.id}", data={
        "csrf_token": author_token, "body": "In tmp/result.txt"}).status_code == 303
    text = author.get(page).get_data(as_text=True)
    assert f"About line 2 of the stdout of run {made.run[:12]}" in text
    assert '<pre class="quote">done</pre>' in text, "the line itself is quoted"
    assert "<strong>result</strong>" in text and "Evaluator A" in text

    queued = evaluator.post(f"{page}/rerun", data={"csrf_token": token, "run": made.run, "repetitions": "5",
                                                   "pool": "default"})
    assert queued.status_code == 303
    for body, message in (({"repetitions": "99"}, "ask for 1 to 15 repetitions"),
                          ({"repetitions": "2", "pool": "gpu-a100"}, "no pool 'gpu-a100'"),
                          ({"repetitions": "two"}, "whole number")):
        refused = evaluator.post(f"{page}/rerun", data={"csrf_token": token, "run": made.run, **body})
        assert refused.status_code == 400 and message in html.unescape(refused.get_data(as_text=True))
    with app.app_context(), session_scope() as session:
        runs = session.exec(select(Run).where(Run.version_id == made.version)).all()
    again = next(r for r in runs if r.id != made.run)
    assert (again.repetitions, again.pool, again.status, again.program) == (5, "default", "queued", "pi")
    assert len(runs) == 2, "refused re-runs store nothing"

    diff = evaluator.get(f"{page}/diff/runs/{made.run}/{made.run}")
    assert diff.status_code == 200 and "identical after normalising" in diff.get_data(as_text=True)
    assert evaluator.get(f"{page}/diff/versions/1/1").status_code == 200
    assert evaluator.get(f"{page}/diff/versions/1/3").status_code == 404
    assert author.get(f"{page}/diff/runs/{made.run}/{again.id}").status_code == 200
    assert "claim-plot" in evaluator.get(page).get_data(as_text=True)


def test_outputs_against_their_references_side_by_side(app: Any, people: Any, made: Made) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import Run
    from ae.verdicts.diffs import text_diff

    work = f"{app.config['DATA_DIR']}/runs/{made.run}"
    diff = text_diff(b"pi = 3.14159265\nat /ref\n", f"pi = 3.14159999\nat {work}/tmp\n".encode(),
                     name="result.txt")["diff"]
    with app.app_context(), session_scope() as session:
        run = session.get(Run, made.run)
        assert run is not None
        run.record = {**run.record, "output_check": {
            "result.txt": {"ok": False, "diff": diff, "reference": "shipped"},
            "log.txt": {"ok": False, "diff": "log.txt was not produced by the run.", "reference": None}}}
    evaluator, _ = _client(app, people, "evaluator")
    page = f"/artifacts/{made.artifact}"
    assert f"{page}/runs/{made.run}/check" in evaluator.get(page).get_data(as_text=True)
    text = html.unescape(evaluator.get(f"{page}/runs/{made.run}/check").get_data(as_text=True))
    assert "<pre>pi = 3.142</pre>" in text and "<pre>at <work>/tmp</pre>" in text, "noise normalised"
    assert "(reference: shipped)" in text and "log.txt was not produced by the run." in text
    assert "Environment: declared by the author vs this run" in text
