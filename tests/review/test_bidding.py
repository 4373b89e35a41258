"""Bids, declared and detected conflicts, the proposal from stored bids, committing it, decisions
and the chair's phase dates — on the real database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from ae.errors import AeError, NotFound
from ae.review import assignment, bidding, decisions, phases, schedule
from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Assignment, Bid, Conflict, Decision, Paper
from ae.storage.states import Role
from tests.conftest import password_hash

C = "ppopp-2019"


def _artifacts(people: Any, n: int = 3) -> list[str]:
    """Make n artifacts of `author`; everyone gets an address of their own institution (the
    fixture's shared @ae.test would put every evaluator in conflict with every author)."""
    from ae.storage.models import User

    ids = []
    with session_scope() as session:
        for name, uid in people.ids.items():
            user = session.get(User, uid)
            if user is not None and user.email.endswith("@ae.test"):
                user.email = f"{name}@{name.replace('_', '-')}.example.org"
        for i in range(n):
            artifact = Artifact(conference=C, title=f"Paper {i}", source="x", owner_id=people.ids["author"])
            session.add(artifact)
            session.flush()
            checklist = {"items": [{"label": "Hardware", "value": "any"}],
                         "sections": [{"key": "abstract", "text": f"Abstract {i}"}]}
            session.add(ArtifactVersion(artifact_id=artifact.id, checklist=checklist,
                                        appendix_text=f"# A\n**Authors:** Someone {i}\n"))
            ids.append(artifact.id)
    return ids


def _evaluators(people: Any, names: list[str]) -> None:
    from ae.accounts import users
    from ae.storage.models import User

    with session_scope() as session:
        for name in names:
            user = users.create_user(session=session, email=f"{name}@lab-{name}.org", name=name.title())
            user.password_hash = password_hash()
            session.flush()
            users.grant(session=session, user=session.get(User, user.id), conference=C, role=Role.EVALUATOR)
            people.ids[name] = user.id


def test_bids_sheet_and_their_refusals(app: Any, people: Any) -> None:
    a, b, c = _artifacts(people)
    ev = people.ids["evaluator"]
    with session_scope() as session:
        assert bidding.place_many(session=session, conference=C, user_id=ev,
                                  levels={a: "eager", b: "reluctant", c: ""}) == 2
    with session_scope() as session:
        bidding.place(session=session, conference=C, artifact_id=b, user_id=ev, level="willing")
        rows = bidding.sheet(session=session, conference=C, user_id=ev)
    assert [(r.title, r.abstract, r.bid) for r in rows] == [("Paper 0", "Abstract 0", "eager"),
                                                            ("Paper 1", "Abstract 1", "willing"),
                                                            ("Paper 2", "Abstract 2", None)]
    assert rows[0].checklist == [("Hardware", "any")]
    for who, artifact, level, error in [
        (ev, a, "keen", "a bid is one of eager, willing, reluctant, conflict"),
        (people.ids["author"], a, "eager", "only evaluators of ppopp-2019 bid"),
        (people.ids["chair"], a, "eager", "only evaluators"),
    ]:
        with pytest.raises(AeError, match=error), session_scope() as session:
            bidding.place(session=session, conference=C, artifact_id=artifact, user_id=who, level=level)
    with pytest.raises(AeError, match="only evaluators of other-2024"), session_scope() as session:
        bidding.place(session=session, conference="other-2024", artifact_id=a, user_id=ev, level="eager")
    with pytest.raises(NotFound), session_scope() as session:
        bidding.place(session=session, conference=C, artifact_id="nope", user_id=ev, level="eager")
    with session_scope() as session:  # nothing of the refused bids was stored; a withdrawn bid is gone
        bidding.place(session=session, conference=C, artifact_id=b, user_id=ev, level="")
        assert {x.level for x in session.exec(select(Bid))} == {"eager"}


def test_declared_conflicts(app: Any, people: Any) -> None:
    (a,) = _artifacts(people, 1)
    with session_scope() as session:
        bidding.declare(session=session, conference=C, artifact_id=a,
                        pattern=" Evaluator@Evaluator.example.ORG ", reason="my advisor",
                        declared_by=people.ids["author"])
        bidding.declare(session=session, conference=C, artifact_id=a, pattern="@lab-x.org", declared_by=None)
    for pattern, error in [("evaluator@evaluator.example.org", "already declared"),
                           ("not an address", "e-mail address"),
                           ("@localhost", "e-mail address"), ("a@b@c.org", "e-mail address")]:
        with pytest.raises(AeError, match=error), session_scope() as session:
            bidding.declare(session=session, conference=C, artifact_id=a, pattern=pattern, declared_by=None)
    with session_scope() as session:
        assert sorted(c.pattern for c in session.exec(select(Conflict))) == ["@lab-x.org",
                                                                             "evaluator@evaluator.example.org"]
        now = assignment.situation(session=session, conference=C)
        assert now.conflicts == {(a, people.ids["evaluator"]): ["declared by the authors or a chair "
                                                                "(evaluator@evaluator.example.org)"]}


def test_propose_edit_commit(app: Any, people: Any) -> None:
    _evaluators(people, ["x", "y"])  # with evaluator and other_evaluator: four
    a, b, c = _artifacts(people)
    with session_scope() as session:
        session.add(Paper(artifact_id=c, abstract="From HotCRP",
                          authors=[{"name": "Q", "email": "q@lab-x.org"}]))
        bidding.place(session=session, conference=C, artifact_id=a, user_id=people.ids["x"], level="eager")
        bidding.place(session=session, conference=C, artifact_id=a, user_id=people.ids["y"], level="conflict")
    with session_scope() as session:
        now, proposal = assignment.propose(session=session, conference=C, k=2, most=None)
        assert now.conflicts[(c, people.ids["x"])] == ["same institution as an author (@lab-x.org)"]
        assert now.conflicts[(a, people.ids["y"])] == ["declared by the evaluator"]
        sheet = bidding.sheet(session=session, conference=C, user_id=people.ids["y"])
        assert sheet[2].abstract == "From HotCRP"
    assert all(len(proposal.pairs[i]) == 2 for i in (a, b, c)) and proposal.short == {}
    assert people.ids["x"] in proposal.pairs[a] and people.ids["y"] not in proposal.pairs[a]
    assert people.ids["x"] not in proposal.pairs[c]
    assert max(proposal.load.values()) == 2
    pairs = [(i, u) for i, users in proposal.pairs.items() for u in users]
    with pytest.raises(AeError, match="is in conflict with 'Paper 0' \\(declared by the evaluator\\): "
                                      "nothing was assigned"), session_scope() as session:
        assignment.commit(session=session, conference=C, pairs=[*pairs, (a, people.ids["y"])])
    with pytest.raises(AeError, match="is not an evaluator"), session_scope() as session:
        assignment.commit(session=session, conference=C, pairs=[(a, people.ids["chair"])])
    with session_scope() as session:
        assert session.exec(select(Assignment)).all() == []
        assert assignment.commit(session=session, conference=C, pairs=pairs[:3]) == 3
    with session_scope() as session:
        assert assignment.commit(session=session, conference=C, pairs=pairs) == len(pairs) - 3
        _, again = assignment.propose(session=session, conference=C, k=2, most=None)
    assert again.pairs == proposal.pairs  # the committed assignments are kept as they are


def test_decisions(app: Any, people: Any) -> None:
    a, b, _ = _artifacts(people)
    offered = ["available", "functional", "reproduced"]
    with session_scope() as session:
        decisions.decide(session=session, conference=C, offered=offered, artifact_id=a, outcome="accepted",
                         badges=["reproduced", "available"], text="Well done", decided_by=people.ids["chair"])
        decisions.decide(session=session, conference=C, offered=offered, artifact_id=b, outcome="rejected",
                         badges=[], text="", decided_by=people.ids["chair"])
    for outcome, badges, error in [("maybe", [], "accepted or rejected"),
                                   ("accepted", [], "at least one badge"),
                                   ("rejected", ["available"], "no badge"),
                                   ("accepted", ["shiny"], "badge 'shiny' is not offered")]:
        with pytest.raises(AeError, match=error), session_scope() as session:
            decisions.decide(session=session, conference=C, offered=offered, artifact_id=a, outcome=outcome,
                             badges=badges, text="", decided_by=None)
    with session_scope() as session:
        found = decisions.decisions_of(session=session, artifact_ids=[a, b])
        assert (found[a].outcome, found[a].badges, found[a].text) == ("accepted", ["available", "reproduced"],
                                                                      "Well done")
        assert found[b].outcome == "rejected" and len(session.exec(select(Decision)).all()) == 2


def test_phase_dates_set_by_the_chair(app: Any) -> None:
    filed = [phases.Phase("bidding", dt.date(2026, 1, 1)), phases.Phase("decision", dt.date(2026, 3, 1))]
    with session_scope() as session:
        schedule.set_dates(session=session, conference=C, name="kick-the-tires", starts="2026-02-01",
                           ends="2026-02-07", by=None)
        schedule.set_dates(session=session, conference=C, name="bidding", starts="2026-01-10", by=None)
    for name, starts, ends, error in [("bidding", "soon", "", "dates look like 2026-12-01"),
                                      ("bidding", "2026-01-10", "2026-01-01", "would end"),
                                      ("Bid ding!", "2026-01-10", "", "lower-case letters")]:
        with pytest.raises(AeError, match=error), session_scope() as session:
            schedule.set_dates(session=session, conference=C, name=name, starts=starts, ends=ends, by=None)
    with session_scope() as session:
        now = schedule.effective(session=session, conference=C, filed=filed)
    assert [(p.name, p.date) for p in now] == [("bidding", dt.date(2026, 1, 10)),
                                               ("kick-the-tires", dt.date(2026, 2, 1)),
                                               ("decision", dt.date(2026, 3, 1))]
    assert phases.current(now, dt.date(2026, 2, 8)) is None
    assert phases.current(now, dt.date(2026, 2, 3)) == now[1]
