"""The chair's and the bidders' pages refuse bad input with a clear message and store nothing of it;
a person of another conference cannot reach its artifacts through them."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from sqlmodel import select

from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Assignment, Bid, Conflict, Decision, Paper, PhaseDate

C = "ppopp-2019"


def _csrf(client: Any, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def _artifact(people: Any, conference: str = C) -> str:
    with session_scope() as session:
        artifact = Artifact(conference=conference, title="<script>alert(1)</script>", source="x",
                            owner_id=people.ids["author"])
        session.add(artifact)
        session.flush()
        session.add(ArtifactVersion(artifact_id=artifact.id))
        return artifact.id


def _flash(response: Any, client: Any) -> str:
    assert response.status_code == 303, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r'<div class="flash (\w+)">([^<]*)</div>', page)
    assert found, page[:2000]
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def test_chair_inputs(app: Any, client: Any, people: Any) -> None:
    artifact = _artifact(people)
    people.sign_in(client, "chair")
    token = _csrf(client, f"/conferences/{C}")
    post = lambda path, **data: client.post(path, data={"csrf_token": token, **data})  # noqa: E731
    assert "Phase not changed: phase 'bidding' would end (2026-01-01) before it starts" in _flash(
        post(f"/conferences/{C}/phases", name="bidding", starts="2026-02-01", ends="2026-01-01"), client)
    assert "dates look like 2026-12-01" in _flash(
        post(f"/conferences/{C}/phases", name="bidding", starts="tomorrow"), client)
    assert "Not committed: 'x' is not an evaluator" in _flash(
        post(f"/conferences/{C}/assignment", pair=f"{artifact}:x"), client)
    assert "is in conflict with" in _flash(  # the fixture's people all share ae.test: a detected conflict
        post(f"/conferences/{C}/assignment", pair=f"{artifact}:{people.ids['evaluator']}"), client)
    assert "Not decided: a decision is accepted or rejected (got 'maybe')" in _flash(
        post(f"/conferences/{C}/decisions", artifact=artifact, outcome="maybe"), client)
    assert "Not decided: no artifact 'nope' in ppopp-2019" in _flash(
        post(f"/conferences/{C}/decisions", artifact="nope", outcome="rejected"), client)
    upload = client.post(f"/conferences/{C}/hotcrp", data={
        "csrf_token": token, "file": (io.BytesIO(b'[{"pid": 1, "title": "ok"}, {"pid": -1}]'), "h.json")},
        content_type="multipart/form-data")
    assert ("Not imported (nothing was changed): paper 2: pid must be a positive number"
            in _flash(upload, client))
    assert "choose HotCRP's JSON export" in _flash(post(f"/conferences/{C}/hotcrp"), client)
    with session_scope() as session:
        for table in (PhaseDate, Assignment, Decision, Paper):
            assert session.exec(select(table)).all() == [], table
    page = client.get(f"/conferences/{C}/assignment").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_bidder_and_author_inputs(app: Any, client: Any, people: Any) -> None:
    artifact = _artifact(people)
    elsewhere = _artifact(people, "other-2024")
    people.sign_in(client, "evaluator")
    token = _csrf(client, f"/conferences/{C}/bids")
    assert "Bids not saved: a bid is one of eager, willing, reluctant, conflict (got 'keen')" in _flash(
        client.post(f"/conferences/{C}/bids", data={"csrf_token": token, f"bid-{artifact}": "keen"}), client)
    stray = client.post(f"/conferences/{C}/bids", data={"csrf_token": token, f"bid-{elsewhere}": "eager"})
    assert "Bids not saved: no artifact" in _flash(stray, client)
    assert client.get("/conferences/other-2024/bids").status_code in (403, 404)
    client.post("/logout", data={"csrf_token": token})
    people.sign_in(client, "author")
    token = _csrf(client, f"/conferences/{C}/artifacts/{artifact}/conflicts")
    declared = client.post(f"/conferences/{C}/artifacts/{artifact}/conflicts",
                           data={"csrf_token": token, "pattern": "bob"})
    assert "Not declared: a conflict is an e-mail address" in _flash(declared, client)
    assert client.get(f"/conferences/other-2024/artifacts/{elsewhere}/conflicts").status_code == 404
    assert client.get(f"/conferences/{C}/artifacts/{elsewhere}/conflicts").status_code == 404
    with session_scope() as session:
        assert session.exec(select(Bid)).all() == [] and session.exec(select(Conflict)).all() == []


def test_the_dashboards_decision_issues_signed_by_the_chair_and_a_change_revokes(app: Any, client: Any,
                                                                               people: Any) -> None:
    from ae.storage.models import BadgeEvent, IssuedBadge

    artifact = _artifact(people)
    people.sign_in(client, "chair")
    token = _csrf(client, f"/conferences/{C}/dashboard")
    decide = lambda **data: client.post(f"/conferences/{C}/decisions",  # noqa: E731
                                        data={"csrf_token": token, "artifact": artifact, **data})
    unpinned = decide(outcome="accepted", badge="functional")
    assert "Not decided: version 1 of artifact" in _flash(unpinned, client)
    with session_scope() as session:
        assert session.exec(select(Decision)).all() == []  # the decision fell with its badge
        version = session.exec(select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact)).one()
        version.commit = "c" * 40
    assert ("info: Decision recorded. Issued Artifacts Evaluated – Functional." in
            _flash(decide(outcome="accepted", badge="functional", text="Works"), client))
    assert "info: Decision recorded. Revoked Artifacts Evaluated – Functional." in _flash(
        decide(outcome="rejected"), client)
    with session_scope() as session:
        row = session.exec(select(IssuedBadge)).one()
        trail = [(e.action, e.actor_id, e.note) for e in session.exec(select(BadgeEvent))]
    assert row.issued_by == row.revoked_by == people.ids["chair"]
    assert ("issued", people.ids["chair"], "the chair's decision: accepted — Works") in trail
    organizer = app.test_client()
    people.sign_in(organizer, "organizer")
    assert organizer.post(f"/conferences/{C}/decisions", data={"artifact": artifact, "outcome": "rejected"},
                          headers={"X-CSRFToken": _csrf(organizer, "/")}).status_code == 403
