"""Reviews and threads through the JSON API, with API tokens: what each side writes and reads."""

from __future__ import annotations

from typing import Any

import pytest

from tests.review.helpers import Made, make_artifact

ANSWERS = {"badge:available": "yes", "badge:functional": "yes", "badge:reusable": "weak",
           "badge:reproduced": "yes", "badge:replicated": "not-requested", "expertise": "knowledgeable",
           "comments": "Runs as described.", "committee": "A note for the committee."}


@pytest.fixture
def made(app: Any, people: Any) -> Made:
    found = make_artifact(app, people.ids["author"])
    people.assign(found.artifact, "evaluator")
    return found


def test_an_evaluator_reviews_and_the_author_answers_through_the_api(client: Any, people: Any,
                                                                     made: Made) -> None:
    base = f"/api/artifacts/{made.artifact}"
    evaluator, author = people.headers("evaluator"), people.headers("author")
    draft = client.post(f"{base}/reviews/kick-the-tires", json={"answers": {"comments": "so far"}},
                        headers=evaluator)
    assert draft.status_code == 200 and draft.json["submitted"] is False and draft.json["mine"]
    incomplete = client.post(f"{base}/reviews/kick-the-tires", json={"answers": {}, "submit": True},
                             headers=evaluator)
    assert incomplete.status_code == 400 and "to submit, answer" in incomplete.json["detail"]
    done = client.post(f"{base}/reviews/kick-the-tires", json={"answers": ANSWERS, "submit": True},
                       headers=evaluator)
    assert done.status_code == 200 and done.json["submitted"] and done.json["edit_count"] == 1

    read = client.get(f"{base}/reviews", headers=author).json
    assert read["audience"] == "authors"
    [review] = read["reviews"]
    assert review["evaluator"] == "Evaluator A" and review["name"] is None
    keys = {a["key"] for a in review["answers"]}
    assert "comments" in keys and "committee" not in keys and "distinguished" not in keys

    started = client.post(f"{base}/threads", headers=evaluator,
                          json={"body": "Line 1?", "about": {"kind": "log", "run": made.run, "line": 1}})
    assert started.status_code == 201 and started.json["about"].startswith("line 1 of the stdout")
    answered = client.post(f"{base}/threads/{started.json['id']}", json={"body": "Yes."}, headers=author)
    assert answered.status_code == 201
    assert [(m["by"], m["mine"]) for m in answered.json["messages"]] == [("Evaluator A", False),
                                                                         ("Author", True)]
    assert [t["id"] for t in client.get(f"{base}/threads", headers=author).json] == [started.json["id"]]


@pytest.mark.parametrize(("path", "body", "detail"), [
    ("reviews/kick-the-tires", {"answers": {"badge:available": "maybe"}}, "'maybe' is not one of"),
    ("reviews/kick-the-tires", {"answers": ["comments"]}, "answers must be an object"),
    ("reviews/kick-the-tires", {"answers": {}, "submit": "yes"}, "submit true or false"),
    ("reviews/kick-the-tires", {"answers": {}, "extra": 1}, "unknown field 'extra'"),
    ("reviews/rebuttal", {"answers": {}}, "no review round 'rebuttal'"),
    ("reviews/kick-the-tires", [1, 2], "send a JSON object"),
    ("threads", {"body": ""}, "the message is empty"),
    ("threads", {"body": "x", "about": {"kind": "figure"}}, "one of: artifact, claim, run, log"),
    ("threads", {"body": "x", "about": "the run"}, "about must be an object"),
    ("threads", {"body": "x", "about": {"kind": "run", "run": "0" * 32}}, "this artifact has no run"),
])
def test_bad_bodies_get_a_clear_problem_and_store_nothing(app: Any, client: Any, people: Any, made: Made,
                                                          path: str, body: Any, detail: str) -> None:
    from sqlmodel import select

    from ae.storage.db import session_scope
    from ae.storage.models import Review, ThreadMessage

    answer = client.post(f"/api/artifacts/{made.artifact}/{path}", json=body,
                         headers=people.headers("evaluator"))
    assert answer.status_code == 400 and detail in answer.json["detail"]
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Review)).all() == [] and session.exec(select(ThreadMessage)).all() == []


def test_a_browser_session_cannot_write_through_the_api(client: Any, people: Any, made: Made) -> None:
    people.sign_in(client, "evaluator")
    refused = client.post(f"/api/artifacts/{made.artifact}/threads", json={"body": "from a cookie"})
    assert refused.status_code == 401 and "need an API token" in refused.json["detail"]
