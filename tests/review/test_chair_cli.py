"""`ae chair`: propose and commit an assignment (as proposed, or edited in a file), the dashboard,
decisions, HotCRP import and export — against the real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Assignment, BadgeEvent, Decision, IssuedBadge, User

C = "ppopp-2019"


def _world(people: Any) -> list[str]:
    with session_scope() as session:
        for name, uid in people.ids.items():  # an institution each: no conflict by shared domain
            user = session.get(User, uid)
            assert user is not None
            user.email = f"{name}@{name.replace('_', '-')}.example.org"
        ids = []
        for title in ("Alpha", "Beta"):
            artifact = Artifact(conference=C, title=title, source="x", owner_id=people.ids["author"])
            session.add(artifact)
            session.flush()
            session.add(ArtifactVersion(artifact_id=artifact.id))
            ids.append(artifact.id)
    return ids


def test_propose_then_commit_an_edited_file(runner: Any, people: Any, tmp_path: Path) -> None:
    alpha, beta = _world(people)
    shown = runner.invoke(["chair", "assign", C])
    assert shown.exit_code == 0, shown.output
    assert "Alpha" in shown.output and "evaluator@evaluator.example.org" in shown.output
    proposal = json.loads(runner.invoke(["chair", "assign", C, "--json"]).output)
    assert sorted(proposal) == sorted([alpha, beta])
    assert all(len(v) == 2 for v in proposal.values())  # only two evaluators: both on each (k = 3)
    edited = tmp_path / "proposal.json"
    edited.write_text(json.dumps({alpha: ["evaluator@evaluator.example.org"]}))
    done = runner.invoke(["chair", "assign", C, "--commit", "--from", str(edited)])
    assert done.exit_code == 0 and "1 assignment committed" in done.output
    edited.write_text(json.dumps({alpha: ["chair@chair.example.org"]}))
    refused = runner.invoke(["chair", "assign", C, "--commit", "--from", str(edited)])
    assert refused.exit_code == 2
    assert ("'chair@chair.example.org' is not an evaluator of ppopp-2019: nothing was assigned"
            in refused.output)
    edited.write_text("{not json")
    assert "not a proposal" in runner.invoke(["chair", "assign", C, "--commit", "--from", str(edited)]).output
    rest = runner.invoke(["chair", "assign", C, "--commit"])
    assert rest.exit_code == 0 and "3 assignments committed" in rest.output
    with session_scope() as session:
        assert len(session.exec(select(Assignment)).all()) == 4


def _pin(artifact_id: str) -> None:
    with session_scope() as session:
        query = select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact_id)
        version = session.exec(query).one()
        version.commit, version.snapshot_digest = "c" * 40, "sha256:" + "d" * 64


def test_dashboard_decide_and_hotcrp(runner: Any, people: Any, tmp_path: Path) -> None:
    alpha, beta = _world(people)
    by = ["--by", "chair@chair.example.org"]
    unpinned = runner.invoke(["chair", "decide", C, alpha, "--accept", "available", *by])
    assert unpinned.exit_code == 2 and "has no pinned commit yet" in unpinned.output  # nothing to sign
    _pin(alpha)
    accepted = runner.invoke(["chair", "decide", C, alpha, "--accept", "available", "--text", "Nice", *by])
    assert accepted.exit_code == 0, accepted.output
    assert "Alpha: accepted: available (issued Artifacts Available)" in accepted.output
    both = runner.invoke(["chair", "decide", C, beta, "--reject", "--accept", "available", *by])
    assert both.exit_code == 2 and "not both" in both.output
    bad = runner.invoke(["chair", "decide", C, beta, "--accept", "shiny", *by])
    assert bad.exit_code == 2 and "badge 'shiny' is not offered" in bad.output
    other = runner.invoke(["chair", "decide", C, beta, "--reject", "--by", "evaluator@evaluator.example.org"])
    assert other.exit_code == 2 and "does not chair ppopp-2019" in other.output
    with session_scope() as session:
        assert [d.outcome for d in session.exec(select(Decision))] == ["accepted"]
    text = runner.invoke(["chair", "dashboard", C])
    assert text.exit_code == 0 and "accepted" in text.output and "undecided" in text.output
    rows = json.loads(runner.invoke(["chair", "dashboard", C, "--format", "json"]).output)["artifacts"]
    assert rows[0]["decision"]["badges"] == ["available"]
    assert runner.invoke(["chair", "dashboard", C, "--format", "csv"]).output.startswith("artifact_id,title")
    papers = tmp_path / "hotcrp.json"
    papers.write_text(json.dumps([{"pid": 4, "title": "beta", "abstract": "B."},
                                  {"pid": 5, "title": "Gamma"}]))
    imported = runner.invoke(["chair", "import-hotcrp", C, str(papers)])
    assert imported.exit_code == 0 and "1 papers attached" in imported.output
    assert "#5 Gamma: no artifact has this title" in imported.output
    papers.write_text('[{"pid": 0}]')
    refused = runner.invoke(["chair", "import-hotcrp", C, str(papers)])
    assert refused.exit_code == 2 and "pid must be a positive number" in refused.output
    exported = json.loads(runner.invoke(["chair", "export-hotcrp", C]).output)
    assert [(e["pid"], e.get("decision")) for e in exported] == [
        (None, "Artifact passed evaluation with at least one badge"), (4, None)]


def test_a_decision_issues_as_its_chair_and_a_changed_one_revokes_and_withholds(runner: Any,
                                                                                people: Any) -> None:
    alpha, _ = _world(people)
    _pin(alpha)
    with session_scope() as session:
        artifact = session.get(Artifact, alpha)
        assert artifact is not None
        artifact.requested_badges = ["available", "functional", "replicated"]
    by = ["--by", "chair@chair.example.org"]
    first = runner.invoke(["chair", "decide", C, alpha, "--accept", "available", "--accept", "replicated",
                           *by])
    assert "(issued Artifacts Available, Results Replicated; withheld Artifacts Evaluated – Functional)" \
        in first.output, first.output
    again = runner.invoke(["chair", "decide", C, alpha, "--accept", "available", *by])  # replicated dropped
    assert "(revoked Results Replicated)" in again.output, again.output
    rejected = runner.invoke(["chair", "decide", C, alpha, "--reject", "--text", "Copied results", *by])
    assert "Alpha: rejected (revoked Artifacts Available)" in rejected.output, rejected.output
    assert "no badge changed" in runner.invoke(["chair", "decide", C, alpha, "--reject", *by]).output
    with session_scope() as session:
        issued = {r.badge: r for r in session.exec(select(IssuedBadge))}
        trail = [(e.badge, e.action, e.actor_id) for e in session.exec(select(BadgeEvent).order_by(
            BadgeEvent.id))]  # type: ignore[arg-type]
    assert set(issued) == {"available", "replicated"} and all(r.revoked_at for r in issued.values())
    assert issued["available"].issued_by == people.ids["chair"]
    assert issued["available"].revoked_reason == "the chair's decision changed: rejected — Copied results"
    chair = people.ids["chair"]
    assert trail == [("available", "issued", chair), ("replicated", "issued", chair),
                     ("functional", "withheld", chair), ("replicated", "revoked", chair),
                     ("available", "revoked", chair)]
