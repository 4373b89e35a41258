"""Anonymous threads: anchors checked, writers labelled as the reader may know them, the other side mailed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from ae.errors import ThreadError
from ae.review import threads
from tests.review.conftest import Mailbox
from tests.review.helpers import Made, make_artifact


@pytest.fixture
def config(config: dict[str, Any], mailbox: Mailbox) -> dict[str, Any]:
    """The test configuration, sending mail to the test's SMTP server."""
    return {**config, "MAIL_URL": mailbox.url, "MAIL_FROM": "ae@ae.test"}


def _post(app: Any, made: Made, user_id: str, body: Any, anchor: dict[str, Any] | None = None,
          thread_id: str | None = None, notify: bool = False) -> str:
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact

    with app.app_context(), session_scope() as session:
        artifact = session.get(Artifact, made.artifact)
        assert artifact is not None
        message = threads.post(session=session, artifact=artifact, author_id=user_id, body=body,
                               anchor=anchor, thread_id=thread_id)
        if notify:
            threads.notify(session=session, config=app.config, artifact=artifact, message=message,
                           link=f"http://ae.test/artifacts/{artifact.id}#thread-{message.thread_id}")
        return message.thread_id


def _threads(app: Any, made: Made, reader: str | None, names: bool = False) -> list[dict[str, Any]]:
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact

    with app.app_context(), session_scope() as session:
        artifact = session.get(Artifact, made.artifact)
        assert artifact is not None
        return threads.threads_of(session=session, artifact=artifact, reader_id=reader, names=names)


@pytest.fixture
def made(app: Any, people: Any) -> Made:
    found = make_artifact(app, people.ids["author"])
    people.assign(found.artifact, "evaluator")
    people.assign(found.artifact, "other_evaluator")
    return found


def test_a_thread_on_a_log_line_with_replies_shows_pseudonyms(app: Any, people: Any, made: Made,
                                                                mailbox: Mailbox) -> None:
    thread = _post(app, made, people.ids["other_evaluator"], "Line 2 says done, but no result file?",
                   {"kind": "log", "run": made.run, "stream": "stdout", "line": "2"}, notify=True)
    _post(app, made, people.ids["author"], "It is in tmp/result.txt.", thread_id=thread, notify=True)
    _post(app, made, people.ids["chair"], "Noted by the chair.", thread_id=thread, notify=True)

    seen = _threads(app, made, people.ids["author"])
    assert len(seen) == 1 and seen[0]["about"] == f"line 2 of the stdout of run {made.run[:12]}"
    assert [(m["by"], m["mine"]) for m in seen[0]["messages"]] == [
        ("Evaluator B", False), ("Author", True), ("Chair", False)]
    chair = _threads(app, made, people.ids["chair"], names=True)
    assert [m["by"] for m in chair[0]["messages"]] == [
        "Evaluator B (Other_Evaluator)", "Author (Author)", "Chair (Chair)"]

    to = [m["To"] for m in mailbox.messages]
    assert to == ["author@ae.test", "evaluator@ae.test", "other_evaluator@ae.test",
                  "author@ae.test", "evaluator@ae.test", "other_evaluator@ae.test"]
    first = mailbox.texts()[0]
    assert "Evaluator B wrote about line 2 of the stdout" in first and "no result file?" in first
    for text in mailbox.texts():
        for secret in ("Other_Evaluator", "other_evaluator@", people.ids["other_evaluator"],
                       people.ids["evaluator"]):
            assert secret not in text.split("\n", 1)[1] or text.startswith(f"To: {secret}")


def test_claims_and_runs_are_anchors_of_this_artifact_only(app: Any, people: Any, made: Made) -> None:
    other = make_artifact(app, people.ids["other_author"], title="another")
    _post(app, made, people.ids["evaluator"], "Is 3.14159 the median?", {"kind": "claim", "claim": "pi"})
    _post(app, made, people.ids["evaluator"], "Why 3 repetitions?", {"kind": "run", "run": made.run})
    assert [t["about"] for t in _threads(app, made, None)] == ["claim pi", f"run {made.run[:12]}"]
    with pytest.raises(ThreadError, match="no run"):
        _post(app, made, people.ids["evaluator"], "x", {"kind": "run", "run": other.run})
    with pytest.raises(ThreadError, match="no claim 'tau'"):
        _post(app, made, people.ids["evaluator"], "x", {"kind": "claim", "claim": "tau"})
    with pytest.raises(ThreadError, match="no such thread"):
        _post(app, other, people.ids["other_author"], "x",
              thread_id=_threads(app, made, None)[0]["id"])


@pytest.mark.parametrize(("body", "anchor", "message"), [
    ("", None, "the message is empty"),
    ("x" * 10_001, None, "at most 10000 characters"),
    ("x", {"kind": "figure"}, "one of: artifact, claim, run, log"),
    ("x", {"kind": "log", "run": "r", "stream": "stdin", "line": 1}, "stdout or stderr"),
    ("x", {"kind": "log", "run": "r", "line": "zero"}, "needs its line number"),
    ("x", {"kind": "log", "run": "r", "line": 0}, "numbered from 1"),
    ("x", {"kind": "claim"}, "name the claim"),
])
def test_bad_messages_are_refused_and_nothing_is_stored(app: Any, people: Any, made: Made, body: str,
                                                        anchor: dict[str, Any] | None, message: str) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import ThreadMessage

    with pytest.raises(ThreadError, match=message):
        _post(app, made, people.ids["author"], body, anchor)
    with app.app_context(), session_scope() as session:
        assert session.exec(select(ThreadMessage)).all() == []
