"""The assignment proposal (SciPy's MILP) and conflict detection, on plain data."""

from __future__ import annotations

import itertools

import pytest

from ae.review import conflicts, solver
from ae.review.conflicts import Authorship, Person


def test_every_artifact_gets_k_distinct_evaluators_balanced_and_bids_followed() -> None:
    artifacts = [f"a{i}" for i in range(6)]
    evaluators = [f"e{j}" for j in range(4)]
    bids = {("a0", "e0"): "eager", ("a0", "e1"): "reluctant", ("a1", "e1"): "eager",
            ("a5", "e3"): "reluctant", ("a5", "e2"): "eager"}
    found = solver.propose(artifacts, evaluators, k=2, bids=bids, conflicts={("a2", "e0"), ("a2", "e1")})
    assert all(len(set(found.pairs[a])) == 2 for a in artifacts)
    assert found.cap == 3 and sorted(found.load.values()) == [3, 3, 3, 3]
    assert "e0" in found.pairs["a0"] and "e1" not in found.pairs["a0"]
    assert "e1" in found.pairs["a1"] and "e2" in found.pairs["a5"] and "e3" not in found.pairs["a5"]
    assert sorted(found.pairs["a2"]) == ["e2", "e3"]
    assert found.short == {}


def test_the_proposal_is_the_cheapest() -> None:
    """Against every possible assignment of a small case: the solver's cost is the least."""
    artifacts, evaluators = ["a", "b", "c"], ["x", "y", "z"]
    bids = {("a", "x"): "reluctant", ("a", "y"): "eager", ("b", "y"): "eager", ("b", "z"): "willing",
            ("c", "x"): "eager", ("c", "y"): "eager"}
    found = solver.propose(artifacts, evaluators, k=1, bids=bids, conflicts={("c", "x")})
    best = min(sum(solver.COSTS.get(bids.get((a, e), ""), solver.NO_BID)
                   for a, e in zip(artifacts, pick, strict=True))
               for pick in itertools.permutations(evaluators) if ("c", pick[2]) != ("c", "x"))
    assert found.cost == best == 4.0  # a→y, c→z or a→z, c→y: the conflict c–x costs the eager bid
    assert found.pairs["c"] != ["x"] and sorted(sum(found.pairs.values(), [])) == evaluators


def test_conflict_bids_fixed_assignments_and_shortfalls() -> None:
    found = solver.propose(["a", "b"], ["x", "y", "z"], k=2, bids={("a", "z"): "conflict"},
                           conflicts={("a", "y")}, fixed={("b", "z")})
    assert found.pairs["a"] == ["x"] and found.short == {"a": 1}
    assert "z" in found.pairs["b"] and len(found.pairs["b"]) == 2


def test_cap_from_the_conference_and_no_evaluators() -> None:
    eager = {("a", "x"): "eager", ("b", "x"): "eager"}
    found = solver.propose(["a", "b", "c"], ["x", "y", "z"], k=1, bids=eager, conflicts=set(), most=1)
    assert sorted(found.load.values()) == [1, 1, 1]
    with pytest.raises(solver.NoProposal, match="invite evaluators first"):
        solver.propose(["a"], [], k=1, bids={}, conflicts=set())
    assert solver.propose([], ["x"], k=1, bids={}, conflicts=set()).pairs == {}


ALICE = Person("u1", "Alice Martin", "alice@cs.uni-a.edu")
BOB = Person("u2", "Bob Stone", "bob@gmail.com")
CAROL = Person("u3", "Carol Diaz", "carol@uni-b.org")
OWNER = Person("u9", "Dana Owner", "dana@uni-a.edu")


@pytest.mark.parametrize("person, authorship, expected", [
    (ALICE, Authorship(owner=OWNER), ["same institution as an author (@uni-a.edu)"]),
    (BOB, Authorship(owner=Person("u8", "Eve", "eve@gmail.com")), []),
    (OWNER, Authorship(owner=OWNER), ["is the artifact's author"]),
    (CAROL, Authorship(authors=(("Carol  diaz", ""),)), ["is an author of the paper (name)"]),
    (CAROL, Authorship(authors=(("C", "CAROL@uni-b.org"),)),
     ["is an author of the paper (e-mail)", "same institution as an author (@uni-b.org)"]),
    (CAROL, Authorship(appendix="# A\n\n**Authors:** Zed Ax, Carol Diaz and Yu Li\n"),
     ["is an author of the paper (name)"]),
    (CAROL, Authorship(appendix="\\author{Carol Diaz \\and Yu Li}"), ["is an author of the paper (name)"]),
    (CAROL, Authorship(appendix="Contact carol@uni-b.org for access."),
     ["is an author of the paper (e-mail)"]),
    (CAROL, Authorship(appendix="We thank Carol Diaz for comments."), []),
    (CAROL, Authorship(declared=("@uni-b.org",)), ["declared by the authors or a chair (@uni-b.org)"]),
    (ALICE, Authorship(declared=("@uni-a.edu",)), ["declared by the authors or a chair (@uni-a.edu)"]),
    (BOB, Authorship(declared=("@gmail.com",)), []),
    (BOB, Authorship(declared=("bob@gmail.com",)), ["declared by the authors or a chair (bob@gmail.com)"]),
])
def test_conflicts_are_detected_with_their_reason(person: Person, authorship: Authorship,
                                                  expected: list[str]) -> None:
    assert conflicts.reasons(person, authorship) == expected


def test_public_mail_domains_come_from_the_library() -> None:
    assert conflicts.is_public_mail("gmail.com") and conflicts.is_public_mail("163.com")
    assert not conflicts.is_public_mail("mit.edu")
