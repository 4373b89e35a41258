"""Badge recommendations: every badge of every scheme over combinations of evidence, with reasons."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ae.badges import schemes
from ae.badges.opinions import Opinion
from ae.badges.recommend import (
    Evidence,
    Reason,
    Recommendation,
    Support,
    as_dicts,
    combine,
    recommend,
    with_reviews,
)

GOOD = Evidence(pinned_commit="0123456789abcdef0123456789abcdef01234567", doi="10.5281/zenodo.1234567",
                programs=("bench", "pi"), programs_ok=("bench", "pi"), claims=3, reproduced=3,
                not_reproduced=0, inconclusive=0, checklist_ok=True)

#: Evidence combinations, each a change to GOOD.
CASES: dict[str, Evidence] = {
    "all-good": GOOD,
    "no-commit": replace(GOOD, pinned_commit=None),
    "empty-commit": replace(GOOD, pinned_commit=""),
    "no-commit-no-doi": replace(GOOD, pinned_commit=None, doi=None),
    "no-doi": replace(GOOD, doi=None),
    "one-program": replace(GOOD, programs=("pi",), programs_ok=("pi",)),
    "no-program": replace(GOOD, programs=(), programs_ok=()),
    "one-failed": replace(GOOD, programs_ok=("pi",)),
    "all-failed": replace(GOOD, programs=("c", "a", "b"), programs_ok=()),
    "checklist-errors": replace(GOOD, checklist_ok=False),
    "checklist-not-run": replace(GOOD, checklist_ok=None),
    "failed-and-checklist-errors": replace(GOOD, programs_ok=("bench",), checklist_ok=False),
    "no-program-and-checklist-errors": replace(GOOD, programs=(), programs_ok=(), checklist_ok=False),
    "one-not-reproduced": replace(GOOD, reproduced=2, not_reproduced=1),
    "not-reproduced-and-inconclusive": replace(GOOD, reproduced=1, not_reproduced=1, inconclusive=1),
    "inconclusive": replace(GOOD, reproduced=1, inconclusive=2),
    "no-claims": replace(GOOD, claims=0, reproduced=0),
    "one-claim": replace(GOOD, claims=1, reproduced=1),
}

OK_AVAILABLE = ("recommended", "DOI 10.5281/zenodo.1234567 and commit 0123456789ab are pinned")
OK_FUNCTIONAL = ("recommended", "all 2 programs built and ran on our workers")
OK_REPRODUCED = ("recommended", "all 3 claims reproduced on our workers")
BY_REVIEW = ("needs-review", "decided by the evaluators' reviews")

#: The expected (status, why) of each automatic rule where it differs from its all-good answer.
AVAILABLE = {
    "no-commit": ("not-recommended", "no commit could be pinned"),
    "empty-commit": ("not-recommended", "no commit could be pinned"),
    "no-commit-no-doi": ("not-recommended", "no commit could be pinned"),
    "no-doi": ("needs-review", "commit 0123456789ab is pinned but the appendix names no DOI"),
}
FUNCTIONAL = {
    "one-program": ("recommended", "the program built and ran on our workers"),
    "no-program": ("not-recommended", "no CK program could be run"),
    "one-failed": ("not-recommended", "programs without a successful run: bench"),
    "all-failed": ("not-recommended", "programs without a successful run: a, b, c"),
    "checklist-errors": ("needs-review", "every program ran, but the check-list has errors"),
    "failed-and-checklist-errors": ("not-recommended", "programs without a successful run: pi"),
    "no-program-and-checklist-errors": ("not-recommended", "no CK program could be run"),
}
REPRODUCED = {
    "one-not-reproduced": ("not-recommended", "1 of 3 claims not reproduced"),
    "not-reproduced-and-inconclusive": ("not-recommended", "1 of 3 claims not reproduced"),
    "inconclusive": ("needs-review", "2 of 3 claims inconclusive"),
    "no-claims": ("needs-review", "the appendix states no machine-checkable claims"),
    "one-claim": ("recommended", "all 1 claims reproduced on our workers"),
}


def expected(badge: str, case: str) -> tuple[str, str]:
    """Return the (status, why) a badge must get for an evidence case."""
    if badge == "available":
        return AVAILABLE.get(case, OK_AVAILABLE)
    if badge == "functional":
        return FUNCTIONAL.get(case, OK_FUNCTIONAL)
    if badge == "reproduced":
        return REPRODUCED.get(case, OK_REPRODUCED)
    return BY_REVIEW


def _params() -> list[tuple[str, str, str]]:
    return [(name, badge, case) for name, scheme in schemes.SCHEMES.items() for badge in scheme.keys()
            for case in CASES]


#: The rule each badge follows in each scheme, by meaning (acm-1.0 swaps Reproduced and Replicated).
RULE = {
    schemes.Meaning.AVAILABLE: "available", schemes.Meaning.FUNCTIONAL: "functional",
    schemes.Meaning.RERUN: "reproduced", schemes.Meaning.REUSABLE: "review",
    schemes.Meaning.INDEPENDENT: "review",
}


@pytest.mark.parametrize(("scheme_name", "badge", "case"), _params())
def test_each_badge_of_each_scheme_over_each_evidence_case(scheme_name: str, badge: str, case: str) -> None:
    scheme = schemes.get(scheme_name)
    status, why = expected(RULE[scheme.badge(badge).meaning], case)
    assert recommend(scheme, [badge], CASES[case]) == [
        Recommendation(badge=badge, title=scheme.title(badge), status=status, why=why)]


@pytest.mark.parametrize("scheme_name", ["acm-1.1", "usenix", "ndss"])
def test_every_offered_badge_is_answered_in_the_order_offered(scheme_name: str) -> None:
    scheme = schemes.get(scheme_name)
    offered = list(reversed(scheme.keys()))
    got = recommend(scheme, offered, CASES["no-doi"])
    assert [(r.badge, r.status, r.why) for r in got] == [
        (badge, *expected(badge, "no-doi")) for badge in offered]


def test_only_the_offered_badges_are_answered() -> None:
    scheme = schemes.get("acm-1.1")
    assert [r.badge for r in recommend(scheme, ["functional"], GOOD)] == ["functional"]
    assert recommend(scheme, [], GOOD) == []


def test_reusable_and_replicated_are_never_automatic_even_on_perfect_evidence() -> None:
    got = recommend(schemes.get("acm-1.1"), ["reusable", "replicated"], GOOD)
    assert [(r.title, r.status, r.why) for r in got] == [
        ("Artifacts Evaluated – Reusable", *BY_REVIEW), ("Results Replicated", *BY_REVIEW)]


def test_as_dicts_gives_json_ready_rows_with_reasons_and_their_support() -> None:
    evidence = replace(CASES["inconclusive"], version_id="v1", verdicts=(("c1", "reproduced"),
                       ("c2", "inconclusive"), ("c3", "inconclusive")))
    got = recommend(schemes.get("usenix"), ["available", "reproduced"], evidence)
    assert as_dicts(got) == [
        {"badge": "available", "title": "Artifact Available", "status": OK_AVAILABLE[0],
         "why": OK_AVAILABLE[1], "reasons": [{"text": OK_AVAILABLE[1], "support": [
             {"kind": "version", "ref": "v1"}, {"kind": "checklist", "ref": "doi"}]}]},
        {"badge": "reproduced", "title": "Results Reproduced", "status": "needs-review",
         "why": "2 of 3 claims inconclusive", "reasons": [{"text": "2 of 3 claims inconclusive", "support": [
             {"kind": "verdict", "ref": "c2"}, {"kind": "verdict", "ref": "c3"}]}]},
    ]


def test_acm_1_0_reproduced_and_replicated_swap_meanings() -> None:
    got = recommend(schemes.get("acm-1.0"), ["reproduced", "replicated"], GOOD)
    assert [(r.badge, r.title, r.status, r.why) for r in got] == [
        ("reproduced", "Results Reproduced", *BY_REVIEW),
        ("replicated", "Results Replicated", *OK_REPRODUCED)]


def test_acm_1_1_gives_the_re_run_evidence_to_reproduced() -> None:
    got = recommend(schemes.get("acm-1.1"), ["reproduced", "replicated"], GOOD)
    assert [(r.badge, r.status, r.why) for r in got] == [
        ("reproduced", *OK_REPRODUCED), ("replicated", *BY_REVIEW)]


RUNS = (("r1", "bench", True), ("r2", "pi", False))


@pytest.mark.parametrize(("evidence", "badge", "support"), [
    (replace(GOOD, version_id="v1", pinned_commit=None), "available", (Support("version", "v1"),)),
    (replace(GOOD, programs_ok=("bench",), runs=RUNS), "functional", (Support("run", "r2"),)),
    (replace(GOOD, runs=(("r1", "bench", True), ("r3", "pi", True))), "functional",
     (Support("run", "r1"), Support("run", "r3"))),
    (replace(GOOD, checklist_ok=False, checklist_errors=("missing-section",)), "functional",
     (Support("checklist", "missing-section"),)),
    (replace(GOOD, reproduced=2, not_reproduced=1, verdicts=(("a", "reproduced"), ("b", "not-reproduced"))),
     "reproduced", (Support("verdict", "b"),)),
])
def test_each_reason_links_to_what_supports_it(evidence: Evidence, badge: str,
                                               support: tuple[Support, ...]) -> None:
    [got] = recommend(schemes.get("acm-1.1"), [badge], evidence)
    assert got.reasons[0].support == support


#: Review combinations: the evaluators' last opinions on one badge.
REVIEWS: dict[str, tuple[str, ...]] = {
    "none": (), "yes": ("yes",), "yes-yes": ("yes", "yes"), "yes-weak": ("yes", "weak"),
    "weak": ("weak",), "weak-weak": ("weak", "weak"), "no": ("no",), "no-no": ("no", "no"),
    "yes-no": ("yes", "no"), "weak-no": ("weak", "no"),
}
#: combine(automatic status, reviews) -> status; automatic None: a badge only reviews decide.
COMBINED = {
    "recommended": {"none": "recommended", "yes": "recommended", "yes-yes": "recommended",
                    "yes-weak": "recommended", "weak": "recommended", "weak-weak": "recommended",
                    "no": "needs-review", "no-no": "needs-review", "yes-no": "needs-review",
                    "weak-no": "needs-review"},
    "needs-review": {"none": "needs-review", "yes": "recommended", "yes-yes": "recommended",
                     "yes-weak": "recommended", "weak": "needs-review", "weak-weak": "needs-review",
                     "no": "not-recommended", "no-no": "not-recommended", "yes-no": "needs-review",
                     "weak-no": "needs-review"},
    "not-recommended": {"none": "not-recommended", "yes": "needs-review", "yes-yes": "needs-review",
                        "yes-weak": "not-recommended", "weak": "not-recommended",
                        "weak-weak": "not-recommended", "no": "not-recommended", "no-no": "not-recommended",
                        "yes-no": "not-recommended", "weak-no": "not-recommended"},
}
COMBINED[None] = COMBINED["needs-review"]  # type: ignore[index]

#: An evidence case giving each automatic status to every automatic rule.
EVIDENCE_FOR = {"recommended": GOOD,
                "needs-review": replace(GOOD, doi=None, checklist_ok=False, inconclusive=1, reproduced=2),
                "not-recommended": replace(GOOD, pinned_commit=None, programs=(), programs_ok=(),
                                           not_reproduced=1, reproduced=2)}


def _opinions(badge: str, review: str) -> list[Opinion]:
    return [Opinion(badge, f"Evaluator {chr(65 + i)}", level, "full")
            for i, level in enumerate(REVIEWS[review])]


def _review_params() -> list[tuple[str, str, str, str]]:
    return [(name, badge, status, review) for name, scheme in schemes.SCHEMES.items()
            for badge in scheme.keys() for status in EVIDENCE_FOR for review in REVIEWS]


@pytest.mark.parametrize(("scheme_name", "badge", "evidence", "review"), _review_params())
def test_each_badge_of_each_scheme_over_evidence_and_reviews(scheme_name: str, badge: str, evidence: str,
                                                            review: str) -> None:
    scheme = schemes.get(scheme_name)
    automatic = evidence if RULE[scheme.badge(badge).meaning] != "review" else None
    [got] = recommend(scheme, [badge], EVIDENCE_FOR[evidence], _opinions(badge, review))
    assert got.status == COMBINED[automatic][review]  # type: ignore[index]
    assert [r.support for r in got.reasons[1:]] == [
        (Support("review", f"full/Evaluator {chr(65 + i)}"),) for i in range(len(REVIEWS[review]))]


def test_only_each_evaluators_last_opinion_on_that_badge_counts() -> None:
    opinions = [Opinion("reusable", "Evaluator A", "no", "kick-the-tires"),
                Opinion("functional", "Evaluator A", "no", "full"),
                Opinion("reusable", "Evaluator B", "weak", "kick-the-tires"),
                Opinion("reusable", "Evaluator A", "yes", "full")]
    [got] = recommend(schemes.get("acm-1.1"), ["reusable"], GOOD, opinions)
    assert (got.status, got.why) == ("recommended", f"{BY_REVIEW[1]}; reviews: 1 yes, 1 weak")
    assert got.reasons == (Reason(BY_REVIEW[1]),
                           Reason("Evaluator B (kick-the-tires): weak",
                                  (Support("review", "kick-the-tires/Evaluator B"),)),
                           Reason("Evaluator A (full): yes", (Support("review", "full/Evaluator A"),)))


def test_an_unknown_opinion_level_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="opinion level 'maybe' is not one of yes, weak, no"):
        recommend(schemes.get("acm-1.1"), ["reusable"], GOOD, [Opinion("reusable", "A", "maybe", "full")])


def test_a_badge_outside_the_scheme_is_refused() -> None:
    with pytest.raises(KeyError, match="badge 'code-reviewed' is not in scheme acm-1.1"):
        recommend(schemes.get("acm-1.1"), ["code-reviewed"], GOOD)


def test_combine_without_evidence_or_reviews_leaves_it_to_the_chair() -> None:
    assert combine(None, []) == "needs-review"


def test_stored_evidence_combines_with_reviews_given_later() -> None:
    stored = as_dicts(recommend(schemes.get("acm-1.0"), ["available", "replicated", "reusable"],
                                replace(GOOD, version_id="v1", verdicts=(("c1", "reproduced"),))))
    opinions = [Opinion("replicated", "Evaluator A", "no", "full"),
                Opinion("reusable", "Evaluator A", "yes", "full")]
    offered = ["available", "replicated", "reusable", "functional"]
    got = {r.badge: r for r in with_reviews(schemes.get("acm-1.0"), offered, stored, opinions)}
    assert got["available"].status == "recommended" and got["available"].reasons[0].support == (
        Support("version", "v1"), Support("checklist", "doi"))
    assert (got["replicated"].status, got["replicated"].why) == (
        "needs-review", "all 3 claims reproduced on our workers; reviews: 1 no")
    assert got["reusable"].status == "recommended"
    assert (got["functional"].status, got["functional"].why) == BY_REVIEW  # evidence not stored yet
