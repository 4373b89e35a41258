"""Badge recommendations from evidence; a chair issues or withholds, never this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ae.badges.schemes import Scheme


@dataclass(frozen=True)
class Evidence:
    """What the service observed about one artifact version."""

    pinned_commit: str | None
    doi: str | None
    programs: tuple[str, ...]
    programs_ok: tuple[str, ...]
    claims: int
    reproduced: int
    not_reproduced: int
    inconclusive: int
    checklist_ok: bool | None = None


@dataclass(frozen=True)
class Recommendation:
    """One badge: recommended, not recommended, or left to the evaluators, and why."""

    badge: str
    title: str
    status: str  # "recommended" | "not-recommended" | "needs-review"
    why: str


def _available(e: Evidence) -> tuple[str, str]:
    if not e.pinned_commit:
        return "not-recommended", "no commit could be pinned"
    if not e.doi:
        return "needs-review", f"commit {e.pinned_commit[:12]} is pinned but the appendix names no DOI"
    return "recommended", f"DOI {e.doi} and commit {e.pinned_commit[:12]} are pinned"


def _functional(e: Evidence) -> tuple[str, str]:
    missing = sorted(set(e.programs) - set(e.programs_ok))
    if not e.programs:
        return "not-recommended", "no CK program could be run"
    if missing:
        return "not-recommended", f"programs without a successful run: {', '.join(missing)}"
    if e.checklist_ok is False:
        return "needs-review", "every program ran, but the check-list has errors"
    count = "the program" if len(e.programs) == 1 else f"all {len(e.programs)} programs"
    return "recommended", f"{count} built and ran on our workers"


def _reproduced(e: Evidence) -> tuple[str, str]:
    if e.claims == 0:
        return "needs-review", "the appendix states no machine-checkable claims"
    if e.not_reproduced:
        return "not-recommended", f"{e.not_reproduced} of {e.claims} claims not reproduced"
    if e.inconclusive:
        return "needs-review", f"{e.inconclusive} of {e.claims} claims inconclusive"
    return "recommended", f"all {e.claims} claims reproduced on our workers"


def recommend(scheme: Scheme, offered: Sequence[str], evidence: Evidence) -> list[Recommendation]:
    """Recommend each offered badge from evidence.

    Available needs a pinned commit and a DOI; Functional needs every declared program to build
    and run; Reproduced needs every claim reproduced by our workers. Reusable and Replicated are
    never automatic: evaluators judge documentation and independent replication.
    """
    rules = {"available": _available, "functional": _functional, "reproduced": _reproduced}
    out = []
    for badge in offered:
        rule = rules.get(badge)
        status, why = rule(evidence) if rule else ("needs-review", "decided by the evaluators' reviews")
        out.append(Recommendation(badge, scheme.title(badge), status, why))
    return out


def as_dicts(recommendations: Sequence[Recommendation]) -> list[dict[str, str]]:
    """Return recommendations as JSON-ready dicts."""
    return [asdict(r) for r in recommendations]
