"""The chair's dashboard data (stuck jobs, missing reviews, disagreements, decisions), its CSV/JSON
exports, and HotCRP's JSON in and out — on the real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from ae import conferences
from ae.errors import AeError
from ae.review import dashboard, decisions, hotcrp
from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Assignment, Paper, Review, Run
from ae.storage.states import RunState, VersionState

C = "ppopp-2019"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _setup(people: Any) -> tuple[str, str]:
    with session_scope() as session:
        a = Artifact(conference=C, title="Fast Sorting, Revisited", source="x")
        b = Artifact(conference=C, title="=cmd|' /C calc'!A0", source="x")
        session.add_all([a, b])
        session.flush()
        va = ArtifactVersion(artifact_id=a.id, status=VersionState.RUNNING, recommended_badges={
            "scheme": "acm-1.0", "badges": [{"badge": "functional", "status": "recommended"},
                                            {"badge": "reproduced", "status": "not-recommended"}]})
        vb = ArtifactVersion(artifact_id=b.id, status=VersionState.INTAKE, attempt=1, retry_at=NOW)
        session.add_all([va, vb])
        session.flush()
        session.add_all([
            Run(version_id=va.id, program="sort", cmd_key="a", status=RunState.QUEUED,
                created_at=NOW - timedelta(hours=2)),
            Run(version_id=va.id, program="sort", cmd_key="b", status=RunState.QUEUED, attempt=1,
                retry_at=NOW + timedelta(minutes=5)),
            Run(version_id=va.id, program="sort", cmd_key="c", status=RunState.QUEUED, created_at=NOW),
        ])
        lost = Run(version_id=va.id, program="sort", cmd_key="d", status=RunState.QUEUED)
        session.add(lost)
        session.flush()
        lost.status = RunState.RUNNING
        session.flush()
        lost.status, lost.worker = RunState.LOST, "w1"
        for name in ("evaluator", "other_evaluator"):
            session.add(Assignment(artifact_id=a.id, user_id=people.ids[name]))
        session.add(Review(artifact_id=a.id, version_id=va.id, user_id=people.ids["evaluator"],
                           round="kick-the-tires", answers={"badge:functional": "yes"}, submitted_at=NOW))
        session.add(Review(artifact_id=a.id, version_id=va.id, user_id=people.ids["evaluator"],
                           round="full-evaluation", submitted_at=NOW,
                           answers={"badge:functional": "yes", "badge:reproduced": "yes", "comments": "ok"}))
        session.add(Review(artifact_id=a.id, version_id=va.id, user_id=people.ids["other_evaluator"],
                           round="full-evaluation", answers={"badge:functional": "no"}, submitted_at=None))
        return a.id, b.id


def test_dashboard_rows_and_exports(app: Any, people: Any) -> None:
    a, b = _setup(people)
    with session_scope() as session:
        rows = dashboard.rows(session=session, conference=C, now=NOW,
                              rounds_begun=["kick-the-tires", "full-evaluation"])
    first, second = rows
    assert first.runs == {"queued": 3, "lost": 1}
    assert sorted(s.why.split(":")[1].strip()[:14] for s in first.stuck) == [
        "lost (worker w", "queued 120 min", "retrying, atte"]
    assert [s.why for s in second.stuck] == ["intake retrying (attempt 2)"]
    assert first.missing == {"kick-the-tires": ["Other_Evaluator"], "full-evaluation": ["Other_Evaluator"]}
    assert first.submitted == {"kick-the-tires": 1, "full-evaluation": 1}
    assert first.disagreements == ["reproduced: Evaluator says yes, the evidence says not-recommended"]
    assert second.missing == {"kick-the-tires": [], "full-evaluation": []}
    with session_scope() as session:  # the second evaluator submits: now they disagree on functional
        review = session.exec(select(Review).where(Review.user_id == people.ids["other_evaluator"])).one()
        review.submitted_at = NOW
        decisions.decide(session=session, conference=C, offered=["functional"], artifact_id=a,
                         outcome="accepted", badges=["functional"], text="ok", decided_by=None)
    with session_scope() as session:
        rows = dashboard.rows(session=session, conference=C, rounds_begun=["full-evaluation"], now=NOW)
    assert rows[0].disagreements[0] == "functional: evaluators disagree (Evaluator yes, Other_Evaluator no)"
    assert "functional: Other_Evaluator says no, the evidence says recommended" in rows[0].disagreements
    assert rows[0].decision is not None and rows[0].decision["badges"] == ["functional"]
    table = list(csv.DictReader(io.StringIO(dashboard.as_csv(rows))))
    assert table[0]["decision"] == "accepted" and table[0]["badges_awarded"] == "functional"
    assert table[1]["title"] == "'=cmd|' /C calc'!A0"  # no formula for the spreadsheet
    assert json.loads(json.dumps(dashboard.as_json(rows)))[0]["recommendations"]["functional"] == {
        "Evaluator": "yes", "Other_Evaluator": "no"}


HOTCRP = [
    {"pid": 12, "title": "Fast sorting — revisited!", "abstract": "We sort.",
     "authors": [{"first": "Ada", "last": "L", "email": "Ada@Uni.edu", "affiliation": "Uni"}]},
    {"pid": 13, "title": "Not an artifact here", "authors": []},
]


def test_hotcrp_import_and_export(app: Any, people: Any) -> None:
    a, _ = _setup(people)
    with session_scope() as session:
        done = hotcrp.import_papers(session=session, conference=C, data=json.dumps({"papers": HOTCRP}))
    assert done.matched == [(12, a)] and done.unmatched == [(13, "Not an artifact here")]
    with session_scope() as session:
        paper = session.get(Paper, a)
        assert paper is not None and paper.abstract == "We sort."
        assert paper.authors == [{"name": "Ada L", "email": "ada@uni.edu", "affiliation": "Uni"}]
        decisions.decide(session=session, conference=C, offered=["functional"], artifact_id=a,
                         outcome="accepted", badges=["functional"], text="Congratulations", decided_by=None)
    with session_scope() as session:  # the second import finds it by pid, though renamed in HotCRP
        renamed = [dict(HOTCRP[0], title="A new title", abstract="We sort faster.")]
        again = hotcrp.import_papers(session=session, conference=C, data=json.dumps(renamed))
        assert again.matched == [(12, a)]
        exported = hotcrp.export(session=session, conference=C,
                                 fields=conferences.get(C).review_fields())
    first = exported[0]
    assert (first["pid"], first["decision"], first["tags"]) == (
        12, "Artifact passed evaluation with at least one badge", ["badge:functional"])
    assert [r["round"] for r in first["reviews"]] == ["kick-the-tires", "full-evaluation"]
    assert first["reviews"][1]["Artifacts Evaluated – Functional?"] == "yes"
    assert first["reviews"][1]["reviewer_email"] == people.emails["evaluator"]


@pytest.mark.parametrize("data, message", [
    ("{", "not JSON"),
    ('{"paper": []}', "a list of papers"),
    ("[1]", "paper 1: not an object"),
    ('[{"pid": "1", "title": "x"}]', "pid must be a positive number"),
    ('[{"pid": 1, "title": "x"}, {"pid": 1, "title": "y"}]', "pid 1 appears twice"),
    ('[{"pid": 1, "title": " "}]', "needs a title"),
    ('[{"pid": 1, "title": "x", "authors": {}}]', "authors must be a list"),
    ('[{"pid": 1, "title": "x", "authors": [{"email": "nope"}]}]', "is not an address"),
    (json.dumps([HOTCRP[0], {"pid": 2}]), "paper 2 \\(pid 2\\): needs a title"),
])
def test_bad_hotcrp_files_are_refused_whole(app: Any, people: Any, data: str, message: str) -> None:
    _setup(people)
    with pytest.raises(AeError, match=message), session_scope() as session:
        hotcrp.import_papers(session=session, conference=C, data=data)
    with session_scope() as session:
        assert session.exec(select(Paper)).all() == []
