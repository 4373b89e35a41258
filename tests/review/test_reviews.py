"""Reviews per round: drafts, submission, kept edits, per-field visibility, badge opinions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from ae.badges.opinions import Opinion
from ae.errors import ReviewError
from ae.review import reviews
from ae.review.reviews import Reader
from tests.review.helpers import make_artifact

FULL = {"badge:available": "yes", "badge:functional": "weak", "badge:reusable": "no",
        "badge:reproduced": "yes", "badge:replicated": "not-requested", "expertise": "expert",
        "comments": "Works as described.", "committee": "Between us: the README is thin.",
        "distinguished": "nominate"}


def _setup(app: Any, people: Any) -> tuple[Any, Any]:
    from ae import conferences

    made = make_artifact(app, people.ids["author"])
    people.assign(made.artifact, "evaluator")
    people.assign(made.artifact, "other_evaluator")
    return made, conferences.get("ppopp-2019")


def _save(app: Any, made: Any, conference: Any, user_id: str, raw: dict[str, str], *, submit: bool,
          round_name: str = "kick-the-tires") -> Any:
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact

    with app.app_context(), session_scope() as session:
        artifact = session.get(Artifact, made.artifact)
        review = reviews.save(session=session, artifact=artifact, version_id=made.version, user_id=user_id,
                              round_name=round_name, raw=raw, submit=submit,
                              fields=conference.review_fields(), rounds=conference.rounds)
        return review.id


def _read(app: Any, made: Any, conference: Any, reader: Reader) -> list[dict[str, Any]]:
    from ae.storage.db import session_scope

    with app.app_context(), session_scope() as session:
        return reviews.readable(session=session, artifact_id=made.artifact, fields=conference.review_fields(),
                                reader=reader, rounds=conference.rounds)


def test_draft_submit_and_every_later_edit_is_kept(app: Any, people: Any) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import Review, ReviewEdit

    made, conference = _setup(app, people)
    evaluator = people.ids["evaluator"]
    review_id = _save(app, made, conference, evaluator, {"comments": "half-way"}, submit=False)
    with pytest.raises(ReviewError, match="to submit, answer: .*Available"):
        _save(app, made, conference, evaluator, {"comments": "half-way"}, submit=True)
    assert _save(app, made, conference, evaluator, FULL, submit=True) == review_id
    edited = {**FULL, "badge:reproduced": "weak", "comments": "One figure is off by 3 %."}
    _save(app, made, conference, evaluator, edited, submit=False)  # a submitted review stays submitted
    _save(app, made, conference, evaluator, edited, submit=False)  # unchanged: no new edit
    with pytest.raises(ReviewError, match="to submit, answer"):  # nor may an edit empty it
        _save(app, made, conference, evaluator, {"comments": "oops"}, submit=False)
    with app.app_context(), session_scope() as session:
        review = session.get(Review, review_id)
        assert review is not None and review.submitted_at is not None and review.answers == edited
        history = session.exec(select(ReviewEdit).where(ReviewEdit.review_id == review_id)
                               .order_by(col(ReviewEdit.id))).all()
        assert [h.answers["comments"] for h in history] == ["Works as described.",
                                                            "One figure is off by 3 %."]


@pytest.mark.parametrize(("raw", "message"), [
    ({"badge:available": "maybe"}, "'maybe' is not one of yes, weak, no, not-requested"),
    ({"nonsense": "x"}, "no field 'nonsense'"),
    ({"comments": "x" * 20_001}, "at most 20000 characters"),
    ({"comments": ["a", "list"]}, "must be text"),
])
def test_bad_answers_are_refused_and_nothing_is_stored(app: Any, people: Any, raw: dict[str, Any],
                                                       message: str) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import Review

    made, conference = _setup(app, people)
    with pytest.raises(ReviewError, match=message):
        _save(app, made, conference, people.ids["evaluator"], raw, submit=False)
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Review)).all() == []


def test_only_assigned_evaluators_write_and_only_in_the_rounds(app: Any, people: Any) -> None:
    made, conference = _setup(app, people)
    with pytest.raises(ReviewError, match="only an evaluator assigned"):
        _save(app, made, conference, people.ids["chair"], FULL, submit=True)
    with pytest.raises(ReviewError, match="no review round 'rebuttal'.*kick-the-tires, full-evaluation"):
        _save(app, made, conference, people.ids["evaluator"], FULL, submit=True, round_name="rebuttal")


def test_each_audience_reads_only_what_is_meant_for_it(app: Any, people: Any) -> None:
    made, conference = _setup(app, people)
    _save(app, made, conference, people.ids["evaluator"], FULL, submit=True)
    _save(app, made, conference, people.ids["other_evaluator"], {"comments": "draft, not yet"}, submit=False)

    author = _read(app, made, conference, Reader("authors", people.ids["author"]))
    assert [(r["evaluator"], r["round"]) for r in author] == [("Evaluator A", "kick-the-tires")]
    keys = {a["key"] for a in author[0]["answers"]}
    assert "comments" in keys and "badge:reproduced" in keys
    assert not keys & {"committee", "distinguished"}, "committee fields never reach authors"
    assert author[0]["name"] is None and author[0]["edits"] == []

    peer = _read(app, made, conference, Reader("evaluators", people.ids["other_evaluator"]))
    assert [(r["evaluator"], r["mine"], r["submitted"]) for r in peer] == [
        ("Evaluator A", False, True), ("Evaluator B", True, False)]
    assert "committee" in {a["key"] for a in peer[0]["answers"]}
    assert peer[1]["raw"] == {"comments": "draft, not yet"} and peer[0]["raw"] is None

    chair = _read(app, made, conference, Reader("chairs", people.ids["chair"]))
    assert [(r["evaluator"], r["name"]) for r in chair] == [("Evaluator A", "Evaluator"),
                                                            ("Evaluator B", "Other_Evaluator")]
    assert len(chair[0]["edits"]) == 1


def test_submitted_reviews_become_badge_opinions(app: Any, people: Any) -> None:
    from ae.storage.db import session_scope

    made, conference = _setup(app, people)
    _save(app, made, conference, people.ids["other_evaluator"], {**FULL, "badge:reproduced": "no"},
          submit=True, round_name="full-evaluation")
    _save(app, made, conference, people.ids["evaluator"], FULL, submit=True)
    _save(app, made, conference, people.ids["evaluator"], {"comments": "draft"}, submit=False,
          round_name="full-evaluation")  # a draft is no opinion
    with app.app_context(), session_scope() as session:
        found = reviews.opinions(session=session, version_id=made.version, rounds=conference.rounds)
    reproduced = [o for o in found if o.badge == "reproduced"]
    assert reproduced == [Opinion("reproduced", "Evaluator A", "yes", "kick-the-tires"),
                          Opinion("reproduced", "Evaluator B", "no", "full-evaluation")]
    assert not any(o.badge == "replicated" for o in found), "not-requested is no opinion"
    assert {o.level for o in found} <= {"yes", "weak", "no"}
