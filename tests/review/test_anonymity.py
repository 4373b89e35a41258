"""Anonymity: an author walks every page, API answer, report and notification they can reach for an
artifact with reviews and threads, and finds no evaluator's name, e-mail address or user id."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.review.conftest import Mailbox
from tests.review.helpers import make_artifact

EVALUATORS = {"grace": ("Grace Quillfeather", "grace.q@evaluators.example"),
              "linus": ("Linus Marblethorpe", "linus.m@evaluators.example")}
#: Route parameters the author's walk fills in; a rule needing another one is not the author's to reach.
UNREACHABLE = {"token", "digest", "token_id", "badge_id", "conflict_id", "thread_id", "fmt"}


@pytest.fixture
def config(config: dict[str, Any], mailbox: Mailbox) -> dict[str, Any]:
    """The test configuration, sending mail to the test's SMTP server."""
    return {**config, "MAIL_URL": mailbox.url, "MAIL_FROM": "ae@ae.test"}


def _evaluators(app: Any, artifact_id: str) -> dict[str, str]:
    from ae.accounts import users
    from ae.storage.db import session_scope
    from ae.storage.models import Assignment
    from ae.storage.states import Role
    from tests.conftest import password_hash

    ids = {}
    with app.app_context(), session_scope() as session:
        for key, (name, email) in EVALUATORS.items():
            user = users.create_user(session=session, email=email, name=name)
            user.password_hash = password_hash()
            session.flush()
            users.grant(session=session, user=user, conference="ppopp-2019", role=Role.EVALUATOR)
            session.add(Assignment(artifact_id=artifact_id, user_id=user.id))
            session.flush()
            ids[key] = user.id
    return ids


def _signed_in(app: Any, email: str) -> tuple[Any, str]:
    from tests.conftest import PASSWORD

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token
    assert client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": token.group(1)}).status_code == 302
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))
    assert csrf
    return client, csrf.group(1)


def _text(response: Any, tmp_path: Path) -> str:
    data = response.get_data()
    if data.startswith(b"%PDF"):
        pdf = tmp_path / "walked.pdf"
        pdf.write_bytes(data)
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    return html.unescape(data.decode("utf-8", errors="replace"))


def _values(made: Any, name_values: dict[str, list[str]]) -> dict[str, list[Any]]:
    return {"artifact_id": [made.artifact], "run_id": [made.run], "other_id": [made.run], "number": [1],
            "other": [1], "kind": ["html", "pdf"], "name": name_values["name"],
            "stream": ["stdout", "stderr"], "slug": ["ppopp-2019"], "round_name": ["kick-the-tires"]}


def _walk(app: Any, client: Any, made: Any, headers: dict[str, str], tmp_path: Path,
          only_api: bool) -> dict[str, str]:
    """GET every route the author can name, with every value of its parameters; return url -> text."""
    seen: dict[str, str] = {}
    values = _values(made, {"name": ["stdout", "stderr", "result.txt"]})
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or set(rule.arguments) & UNREACHABLE:
            continue
        if only_api != rule.rule.startswith("/api/"):
            continue
        combos: list[dict[str, Any]] = [{}]
        for arg in sorted(rule.arguments):
            combos = [{**c, arg: v} for c in combos for v in values[arg]]
        for combo in combos:
            try:
                url = adapter.build(rule.endpoint, combo)
            except Exception:  # a value the rule's converter refuses (e.g. a log name as an output path)
                continue
            response = client.get(url, headers=headers)
            if response.status_code == 200:
                seen[url] = _text(response, tmp_path)
            response.close()
    return seen


def test_an_author_never_learns_who_evaluated(app: Any, people: Any, mailbox: Mailbox,
                                              tmp_path: Path) -> None:
    made = make_artifact(app, people.ids["author"], data_dir=Path(app.config["DATA_DIR"]), evaluated=True)
    ids = _evaluators(app, made.artifact)
    page = f"/artifacts/{made.artifact}"

    grace, grace_csrf = _signed_in(app, EVALUATORS["grace"][1])
    answers = {f"badge:{b}": "yes" for b in ("available", "functional", "reusable", "reproduced")}
    assert grace.post(f"{page}/reviews/kick-the-tires", data={
        "csrf_token": grace_csrf, "action": "submit", "expertise": "expert",
        "badge:replicated": "not-requested",
        "comments": "Reproduced on our worker; see the log thread.", "committee": "Only for the committee.",
        **answers}).status_code == 303
    linus, linus_csrf = _signed_in(app, EVALUATORS["linus"][1])
    assert linus.post(f"{page}/threads", data={
        "csrf_token": linus_csrf, "kind": "log", "run": made.run, "stream": "stdout", "line": "1",
        "body": "Which seed gives this line?"}).status_code == 303
    author, author_csrf = _signed_in(app, people.emails["author"])
    thread = re.search(r'id="thread-([0-9a-f]{32})"', author.get(page).get_data(as_text=True))
    assert thread
    assert author.post(f"{page}/threads/{thread.group(1)}", data={
        "csrf_token": author_csrf, "body": "Seed 42, as the appendix says."}).status_code == 303
    assert grace.post(f"{page}/threads/{thread.group(1)}", data={
        "csrf_token": grace_csrf, "body": "Thanks, confirmed."}).status_code == 303

    walked = _walk(app, author, made, {}, tmp_path, only_api=False)
    walked |= {f"{url} (token)": text for url, text in _walk(
        app, app.test_client(), made, people.headers("author"), tmp_path, only_api=True).items()}
    mails = [text for message, text in zip(mailbox.messages, mailbox.texts(), strict=True)
             if message["To"] == people.emails["author"]]
    reached = {**walked, **{f"mail {n}": text for n, text in enumerate(mails)}}

    # the walk reached what matters: the page with the review and thread, the API's copies, the reports
    for must in (page, f"/api/artifacts/{made.artifact}/reviews (token)",
                 f"/api/artifacts/{made.artifact}/threads (token)", f"{page}/versions/1/report.pdf",
                 f"{page}/versions/1/report.html", f"/api/artifacts/{made.artifact} (token)"):
        assert must in reached, f"the author could not reach {must}"
    assert "Reproduced on our worker" in reached[page] and "Evaluator A" in reached[page]
    assert "Evaluator B" in reached[f"/api/artifacts/{made.artifact}/threads (token)"]
    assert len(mails) == 2 and all("Evaluator" in text for text in mails)
    assert all("Only for the committee." not in text for text in reached.values())

    secrets = [s for key in EVALUATORS for s in (*EVALUATORS[key], ids[key])]
    secrets += [EVALUATORS[key][1].split("@")[0] for key in EVALUATORS]
    leaks = [f"{where}: {secret!r}" for where, text in reached.items() for secret in secrets
             if secret.lower() in text.lower()]
    assert not leaks, "an evaluator's identity reached the author:\n" + "\n".join(leaks)
    assert len(reached) >= 15, sorted(reached)
