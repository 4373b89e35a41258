"""Reviews per round: drafts, submission, edits kept, what each audience reads, badge opinions.

Rules (DESIGN §1, §3 step 5):
- a review is one assigned evaluator's, per artifact and round (the conference's rounds:
  kick-the-tires, full-evaluation); only assigned evaluators write one;
- a draft may be incomplete; submitting needs every required answer; a submitted review stays
  submitted, and every submitted state (the submission, then each later edit) is kept as a
  `ReviewEdit` row, so nothing said is ever overwritten;
- chairs read every field of every review, with names; an evaluator reads their own review (draft
  too) and the others' submitted ones, fields meant for evaluators, the others as "Evaluator B";
  authors read submitted reviews only, fields meant for authors, every evaluator as a pseudonym.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ae.accounts.roster import evaluators_of, pseudonym
from ae.badges.opinions import Opinion
from ae.errors import ReviewError
from ae.review.forms import FormField
from ae.storage.models import Artifact, Review, ReviewEdit, User, utcnow

MAX_TEXT = 20_000
AUDIENCES = ("authors", "evaluators", "chairs")
FORMER = "a former evaluator"
#: Recommendation levels that are opinions on a badge (the others, "not-requested", are not).
OPINION_LEVELS = ("yes", "weak", "no")


@dataclass(frozen=True)
class Reader:
    """Who reads reviews: their audience (authors, evaluators, chairs) and their user id."""

    audience: str
    user_id: str | None = None


def clean_answers(fields: Sequence[FormField], raw: Mapping[str, Any], *, complete: bool) -> dict[str, str]:
    """Return the answers of `raw` the form knows, checked; `complete` also needs every required one."""
    known = {f.key: f for f in fields}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ReviewError(f"the review form has no field {unknown[0]!r}")
    answers: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ReviewError(f"{known[key].label}: the answer must be text")
        text = value.strip()
        if not text:
            continue
        field = known[key]
        if field.kind != "text" and text not in field.values():
            raise ReviewError(f"{field.label}: {text!r} is not one of {', '.join(field.values())}")
        if len(text) > MAX_TEXT:
            raise ReviewError(f"{field.label}: at most {MAX_TEXT} characters (got {len(text)})")
        answers[key] = text
    if complete:
        missing = [f.label for f in fields if f.required and f.key not in answers]
        if missing:
            raise ReviewError(f"to submit, answer: {'; '.join(missing)}")
    return answers


def save(*, session: Session, artifact: Artifact, version_id: str, user_id: str, round_name: str,
         raw: Mapping[str, Any], submit: bool, fields: Sequence[FormField],
         rounds: Sequence[str]) -> Review:
    """Save an assigned evaluator's review of a round: a draft, its submission, or a later edit."""
    if round_name not in rounds:
        raise ReviewError(f"no review round {round_name!r} here (rounds: {', '.join(rounds)})")
    if user_id not in evaluators_of(session=session, artifact_ids=[artifact.id]).get(artifact.id, []):
        raise ReviewError("only an evaluator assigned to this artifact writes its reviews")
    review = session.exec(select(Review).where(Review.artifact_id == artifact.id, Review.user_id == user_id,
                                               Review.round == round_name)).first()
    submitted = review is not None and review.submitted_at is not None
    answers = clean_answers(fields, raw, complete=submit or submitted)
    now = utcnow()
    if review is None:
        review = Review(artifact_id=artifact.id, version_id=version_id, user_id=user_id, round=round_name)
        session.add(review)
    elif submitted and review.answers == answers and review.version_id == version_id:
        return review  # nothing changed: no edit to record
    review.answers, review.version_id, review.updated_at = answers, version_id, now
    if submit or submitted:
        review.submitted_at = review.submitted_at or now
        session.flush()
        session.add(ReviewEdit(review_id=review.id, version_id=version_id, answers=answers, edited_at=now))
    session.flush()
    return review


def labels_of(*, session: Session, artifact_id: str) -> dict[str, str]:
    """Return each assigned evaluator's pseudonym on an artifact (user id -> "Evaluator A")."""
    assigned = evaluators_of(session=session, artifact_ids=[artifact_id]).get(artifact_id, [])
    return {user_id: pseudonym(n) for n, user_id in enumerate(assigned)}


def readable(*, session: Session, artifact_id: str, fields: Sequence[FormField], reader: Reader,
             rounds: Sequence[str]) -> list[dict[str, Any]]:
    """Return the reviews of an artifact that `reader` may read, each cut to the fields meant for them."""
    if reader.audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    reviews = session.exec(select(Review).where(Review.artifact_id == artifact_id)
                           .order_by(col(Review.created_at), col(Review.id))).all()
    labels = labels_of(session=session, artifact_id=artifact_id)
    chair = reader.audience == "chairs"
    names = dict(session.exec(select(User.id, User.name).where(
        col(User.id).in_([r.user_id for r in reviews]))).all()) if chair and reviews else {}
    order = {name: n for n, name in enumerate(rounds)}
    shown = []
    ranked = sorted(reviews, key=lambda r: (order.get(r.round, len(order)), labels.get(r.user_id, FORMER)))
    for review in ranked:
        mine = review.user_id == reader.user_id
        if review.submitted_at is None and not (mine or chair):
            continue
        label = labels.get(review.user_id, FORMER)
        edits = session.exec(select(ReviewEdit).where(ReviewEdit.review_id == review.id)
                             .order_by(col(ReviewEdit.id))).all()
        shown.append({
            "id": review.id, "round": review.round, "evaluator": label,
            "name": names.get(review.user_id) if chair else None, "mine": mine,
            "submitted": review.submitted_at is not None, "submitted_at": review.submitted_at,
            "updated_at": review.updated_at, "version_id": review.version_id,
            "answers": _visible(fields, review.answers, reader.audience if not mine else "chairs"),
            "raw": dict(review.answers) if mine else None,
            "edits": [{"at": e.edited_at, "answers": _visible(fields, e.answers, reader.audience)}
                      for e in edits] if chair or mine else [],
            "edit_count": len(edits),
        })
    return shown


def _visible(fields: Sequence[FormField], answers: Mapping[str, Any], audience: str) -> list[dict[str, Any]]:
    rows = []
    for field in fields:
        if audience not in field.visible_to or field.key not in answers:
            continue
        value = str(answers[field.key])
        label = next((c.label for c in field.choices if c.value == value), None)
        rows.append({"key": field.key, "label": field.label, "kind": field.kind, "value": value,
                     "value_label": label, "badge": field.badge})
    return rows


def opinions_from(reviews: Sequence[tuple[str, str, Mapping[str, Any]]]) -> list[Opinion]:
    """Turn submitted reviews, as (evaluator label, round, answers), into badge opinions in that order."""
    found = []
    for label, round_name, answers in reviews:
        for key, value in answers.items():
            if key.startswith("badge:") and value in OPINION_LEVELS:
                found.append(Opinion(badge=key.removeprefix("badge:"), evaluator=label, level=str(value),
                                     round=round_name))
    return found


def opinions(*, session: Session, version_id: str, rounds: Sequence[str] = ()) -> list[Opinion]:
    """Return the badge opinions of the submitted reviews of a version, earlier rounds first.

    Evaluators are named by their pseudonym on the artifact ("Evaluator A"), so the opinions can
    be shown to anyone; a recommendation of "not-requested" is no opinion.
    """
    return opinions_of(session=session, version_ids=[version_id], rounds=rounds).get(version_id, [])


def opinions_of(*, session: Session, version_ids: Sequence[str],
                rounds: Sequence[str] = ()) -> dict[str, list[Opinion]]:
    """Return the badge opinions of the submitted reviews of several versions (two queries in all)."""
    if not version_ids:
        return {}
    reviews = session.exec(select(Review).where(col(Review.version_id).in_(list(version_ids)),
                                                col(Review.submitted_at).is_not(None))).all()
    assigned = evaluators_of(session=session, artifact_ids=sorted({r.artifact_id for r in reviews}))
    order = {name: n for n, name in enumerate(rounds)}
    found: dict[str, list[Opinion]] = {}
    for version_id in version_ids:
        mine = sorted((r for r in reviews if r.version_id == version_id),
                      key=lambda r: (order.get(r.round, len(order)), r.submitted_at or r.created_at))
        if not mine:
            continue
        labels = {user_id: pseudonym(n) for n, user_id in enumerate(assigned.get(mine[0].artifact_id, []))}
        found[version_id] = opinions_from([(labels.get(r.user_id, FORMER), r.round, r.answers) for r in mine])
    return found
