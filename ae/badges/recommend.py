"""Badge recommendations from evidence and reviews; a chair issues or withholds, never this module."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ae.badges.opinions import Opinion
from ae.badges.schemes import Meaning, Scheme

LEVELS = ("yes", "weak", "no")


@dataclass(frozen=True)
class Support:
    """What a reason rests on: a run, a verdict, a check-list finding, a review or the version."""

    kind: str  # "version" | "run" | "verdict" | "checklist" | "review"
    ref: str   # the run id, claim id, finding code, "<round>/<evaluator>" or version id


@dataclass(frozen=True)
class Reason:
    """One sentence of a recommendation and what supports it."""

    text: str
    support: tuple[Support, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """What the service observed about one artifact version (ids, where known, link the reasons)."""

    pinned_commit: str | None
    doi: str | None
    programs: tuple[str, ...]
    programs_ok: tuple[str, ...]
    claims: int
    reproduced: int
    not_reproduced: int
    inconclusive: int
    checklist_ok: bool | None = None
    version_id: str | None = None
    runs: tuple[tuple[str, str, bool], ...] = ()  # (run id, program, succeeded)
    verdicts: tuple[tuple[str, str], ...] = ()    # (claim id, outcome)
    checklist_errors: tuple[str, ...] = ()        # codes of the check-list's error findings


@dataclass(frozen=True)
class Recommendation:
    """One badge: recommended, not recommended, or left to the chair, and why."""

    badge: str
    title: str
    status: str  # "recommended" | "not-recommended" | "needs-review"
    why: str
    reasons: tuple[Reason, ...] = field(default=(), compare=False)


def _version(e: Evidence) -> tuple[Support, ...]:
    return (Support("version", e.version_id),) if e.version_id else ()


def _runs(e: Evidence, *, ok: bool | None = None) -> tuple[Support, ...]:
    return tuple(Support("run", rid) for rid, _, good in e.runs if ok is None or good == ok)


def _verdicts(e: Evidence, *outcomes: str) -> tuple[Support, ...]:
    return tuple(Support("verdict", cid) for cid, outcome in e.verdicts if outcome in outcomes)


def _available(e: Evidence) -> tuple[str, Reason]:
    if not e.pinned_commit:
        return "not-recommended", Reason("no commit could be pinned", _version(e))
    if not e.doi:
        return "needs-review", Reason(
            f"commit {e.pinned_commit[:12]} is pinned but the appendix names no DOI",
            (*_version(e), Support("checklist", "doi")))
    return "recommended", Reason(f"DOI {e.doi} and commit {e.pinned_commit[:12]} are pinned",
                                 (*_version(e), Support("checklist", "doi")))


def _functional(e: Evidence) -> tuple[str, Reason]:
    missing = sorted(set(e.programs) - set(e.programs_ok))
    if not e.programs:
        return "not-recommended", Reason("no CK program could be run", _version(e))
    if missing:
        return "not-recommended", Reason(f"programs without a successful run: {', '.join(missing)}",
                                         _runs(e, ok=False))
    if e.checklist_ok is False:
        return "needs-review", Reason("every program ran, but the check-list has errors",
                                      tuple(Support("checklist", c) for c in e.checklist_errors))
    count = "the program" if len(e.programs) == 1 else f"all {len(e.programs)} programs"
    return "recommended", Reason(f"{count} built and ran on our workers", _runs(e, ok=True))


def _rerun(e: Evidence) -> tuple[str, Reason]:
    if e.claims == 0:
        return "needs-review", Reason("the appendix states no machine-checkable claims", _version(e))
    if e.not_reproduced:
        return "not-recommended", Reason(f"{e.not_reproduced} of {e.claims} claims not reproduced",
                                         _verdicts(e, "not-reproduced"))
    if e.inconclusive:
        return "needs-review", Reason(f"{e.inconclusive} of {e.claims} claims inconclusive",
                                      _verdicts(e, "inconclusive"))
    return "recommended", Reason(f"all {e.claims} claims reproduced on our workers",
                                 _verdicts(e, "reproduced"))


_RULES = {Meaning.AVAILABLE: _available, Meaning.FUNCTIONAL: _functional, Meaning.RERUN: _rerun}
_BY_REVIEW = "decided by the evaluators' reviews"


def latest(opinions: Sequence[Opinion], badge: str) -> list[Opinion]:
    """Return each evaluator's last opinion on `badge` (opinions come in the order they were given)."""
    last: dict[str, Opinion] = {}
    for opinion in opinions:
        if opinion.badge == badge:
            if opinion.level not in LEVELS:
                raise ValueError(f"opinion level {opinion.level!r} is not one of {', '.join(LEVELS)}")
            last.pop(opinion.evaluator, None)
            last[opinion.evaluator] = opinion
    return list(last.values())


def combine(automatic: str | None, views: Sequence[Opinion]) -> str:
    """Combine the evidence's status (None: no automatic rule) with the evaluators' last opinions.

    Evidence for and no evaluator against: recommended. Evidence against: not recommended unless
    every evaluator says yes, which leaves it to the chair. Without evidence: recommended when some
    say yes and none no, not recommended when some say no and none yes or weak; else the chair decides.
    """
    yes = sum(v.level == "yes" for v in views)
    weak = sum(v.level == "weak" for v in views)
    no = sum(v.level == "no" for v in views)
    if automatic == "recommended":
        return "needs-review" if no else "recommended"
    if automatic == "not-recommended":
        return "needs-review" if views and yes == len(views) else "not-recommended"
    if yes and not no:
        return "recommended"
    if no and not (yes or weak):
        return "not-recommended"
    return "needs-review"


def _review_reason(opinion: Opinion) -> Reason:
    return Reason(f"{opinion.evaluator} ({opinion.round}): {opinion.level}",
                  (Support("review", f"{opinion.round}/{opinion.evaluator}"),))


def _summary(views: Sequence[Opinion]) -> str:
    counts = [f"{sum(v.level == level for v in views)} {level}" for level in LEVELS
              if any(v.level == level for v in views)]
    return "reviews: " + ", ".join(counts)


def recommend(scheme: Scheme, offered: Sequence[str], evidence: Evidence,
              opinions: Sequence[Opinion] = ()) -> list[Recommendation]:
    """Recommend each offered badge from evidence and the evaluators' opinions, with reasons.

    The rule follows the badge's meaning, not its name: Available needs a pinned commit and a DOI;
    Functional every declared program built and run; results obtained with the authors' artifact
    (acm-1.1 Reproduced, acm-1.0 Replicated) every claim reproduced by our workers. Reusable and
    independent replication are never automatic: only the evaluators' reviews speak for them.
    """
    out = []
    for key in offered:
        badge = scheme.badge(key)
        rule = _RULES.get(badge.meaning)
        automatic, reason = rule(evidence) if rule else (None, Reason(_BY_REVIEW))
        views = latest(opinions, key)
        status = combine(automatic, views)
        why = reason.text if not views else f"{reason.text}; {_summary(views)}"
        reasons = (reason, *(_review_reason(v) for v in views))
        out.append(Recommendation(key, badge.title, status, why, reasons))
    return out


def as_dicts(recommendations: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """Return recommendations as JSON-ready dicts, reasons and their support included."""
    return [json.loads(json.dumps(asdict(r))) for r in recommendations]


def with_reviews(scheme: Scheme, offered: Sequence[str], stored: Sequence[Mapping[str, Any]],
                 opinions: Sequence[Opinion]) -> list[Recommendation]:
    """Combine recommendations stored from evidence (as_dicts rows) with the evaluators' opinions.

    A badge whose evidence is not computed yet counts as one only the reviews decide.
    """
    rows = {str(row.get("badge")): row for row in stored}
    out = []
    for key in offered:
        badge = scheme.badge(key)
        row = rows.get(key)
        automatic = str(row["status"]) if row is not None and badge.meaning in _RULES else None
        first = (row.get("reasons") or [{}])[0] if row is not None else {}
        reason = Reason(str(row["why"]) if row is not None else _BY_REVIEW,
                        tuple(Support(str(s["kind"]), str(s["ref"])) for s in first.get("support", [])))
        views = latest(opinions, key)
        why = reason.text if not views else f"{reason.text}; {_summary(views)}"
        out.append(Recommendation(key, badge.title, combine(automatic, views), why,
                                  (reason, *(_review_reason(v) for v in views))))
    return out
