from __future__ import annotations

import itertools
import json
import math
import random
import statistics
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ae.checklist.claims import Claim
from ae.errors import AeError, VerdictError
from ae.verdicts import rule as verdicts
from ae.verdicts.rule import (
    Outcome,
    Verdict,
    VerdictPolicy,
    decide,
    samples_for,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
SUSAN = FIXTURES / "ck" / "ck-rpi-optimization-results" / "experiment" / \
    "rpi3-susan-corners-clang381-main-o3"


def claim(**kw) -> Claim:
    base = {"id": "c1", "text": "runs in 10 s", "metric": "execution_time", "expected": 10.0,
            "unit": "s"}
    base.update(kw)
    return Claim.from_dict(base)  # tolerance= (relative) and tolerance_abs= as rows once held


def around(center: float, spread: float, n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [center + rng.uniform(-spread, spread) for _ in range(n)]


# --- approx ---------------------------------------------------------------------------------------

def test_inside_band_is_reproduced_with_numbers_in_reason():
    v = decide(claim(), around(10.1, 0.2, 7))
    assert v.outcome == Outcome.REPRODUCED
    assert v.more_repetitions == 0
    assert v.band == pytest.approx((0.92, 1.08))
    assert 0.92 <= v.ratio_ci[0] <= v.ratio_median <= v.ratio_ci[1] <= 1.08
    assert v.measured_ci[0] <= v.measured_median <= v.measured_ci[1]
    assert "median of 7 runs" in v.reason and "10 s" in v.reason and "±8 %" in v.reason
    assert v.noise == ()


@pytest.mark.parametrize("center", [13.0, 7.0])
def test_outside_band_either_side_is_not_reproduced(center):
    v = decide(claim(), around(center, 0.2, 5))
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert v.more_repetitions == 0
    assert "entirely outside" in v.reason


def test_straddling_band_edge_asks_for_more_runs():
    v = decide(claim(), [9.8, 10.9, 10.2, 11.0, 9.9])
    assert v.outcome == Outcome.INCONCLUSIVE
    assert v.ratio_ci[0] < 1.08 < v.ratio_ci[1]
    assert 1 <= v.more_repetitions <= 15 - 5
    assert f"{v.more_repetitions} more repetition" in v.reason


def test_more_runs_grow_as_the_median_nears_the_edge():
    close = decide(claim(), [10.7, 10.9, 10.6, 11.0, 10.75])
    far = decide(claim(), [9.6, 10.9, 10.0, 9.7, 10.1])
    assert close.outcome == far.outcome == Outcome.INCONCLUSIVE
    assert close.more_repetitions >= far.more_repetitions


def test_max_repetitions_reached_stays_inconclusive_without_more():
    xs = [10.0, 11.5] * 7 + [10.8]
    v = decide(claim(), xs)
    assert len(xs) == 15
    assert v.outcome == Outcome.INCONCLUSIVE
    assert v.more_repetitions == 0
    assert "maximum of 15" in v.reason


def test_more_runs_never_exceed_the_maximum():
    policy = VerdictPolicy(max_repetitions=6)
    v = decide(claim(), [9.0, 11.5, 10.0, 11.0, 9.2], policy=policy)
    assert v.outcome == Outcome.INCONCLUSIVE
    assert v.more_repetitions == 1


# --- tolerances -----------------------------------------------------------------------------------

def test_relative_tolerance_from_the_claim_widens_the_band():
    xs = around(11.5, 0.1, 5)
    assert decide(claim(), xs).outcome == Outcome.NOT_REPRODUCED
    v = decide(claim(tolerance=0.2), xs)
    assert v.outcome == Outcome.REPRODUCED
    assert v.band == pytest.approx((0.8, 1.2))
    assert "tolerance ±20 %" in v.reason


def test_absolute_tolerance_converts_through_expected():
    xs = around(10.65, 0.05, 5)   # 6.5 % off: inside the 8 % default, outside ±0.5 s
    assert decide(claim(), xs).outcome == Outcome.REPRODUCED
    v = decide(claim(tolerance_abs=0.5), xs)
    assert v.band == pytest.approx((0.95, 1.05))
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "±0.5 s = ±5 %" in v.reason


def test_policy_default_tolerance_applies_without_a_claim_tolerance():
    xs = around(10.65, 0.05, 5)
    v = decide(claim(), xs, policy=VerdictPolicy(default_tolerance=0.05))
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "default tolerance ±5 %" in v.reason


# --- one-sided ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("relation", "center", "outcome"), [
    ("at_most", 5.0, Outcome.REPRODUCED),        # far faster than claimed: fine for "at most"
    ("at_most", 10.5, Outcome.REPRODUCED),       # within the 8 % slack
    ("at_most", 12.0, Outcome.NOT_REPRODUCED),
    ("at_least", 20.0, Outcome.REPRODUCED),
    ("at_least", 9.5, Outcome.REPRODUCED),
    ("at_least", 8.0, Outcome.NOT_REPRODUCED),
])
def test_one_sided_relations(relation, center, outcome):
    v = decide(claim(relation=relation), around(center, 0.1, 5))
    assert v.outcome == outcome, v.reason


def test_one_sided_straddle_is_inconclusive():
    v = decide(claim(relation="at_most"), [10.0, 11.6, 10.5, 11.4, 10.9])
    assert v.outcome == Outcome.INCONCLUSIVE
    assert v.band[0] == -math.inf and v.band[1] == pytest.approx(1.08)
    assert "allowed maximum 1.080×" in v.reason


def test_negative_expected_flips_one_sided_direction():
    # "log-likelihood at least -100": -90 is better, -120 is worse.
    better = decide(claim(expected=-100.0, relation="at_least", unit=None), around(-90, 0.5, 5))
    worse = decide(claim(expected=-100.0, relation="at_least", unit=None), around(-120, 0.5, 5))
    assert better.outcome == Outcome.REPRODUCED
    assert worse.outcome == Outcome.NOT_REPRODUCED
    assert decide(claim(expected=-100.0), around(-101, 0.5, 5)).outcome == Outcome.REPRODUCED


# --- repetitions ----------------------------------------------------------------------------------

def test_too_few_samples_by_policy():
    v = decide(claim(), [10.0, 10.0])
    assert v.outcome == Outcome.INCONCLUSIVE
    assert v.more_repetitions == 1
    assert "2 repetitions of at least 3" in v.reason


def test_too_few_samples_by_claim_minimum():
    v = decide(claim(min_repetitions=5), [10.0, 10.1, 9.9])
    assert (v.outcome, v.more_repetitions) == (Outcome.INCONCLUSIVE, 2)


def test_no_samples_at_all():
    v = decide(claim(), [])
    assert (v.outcome, v.n, v.more_repetitions, v.measured_median) == (Outcome.INCONCLUSIVE, 0, 3, None)


def test_claim_minimum_above_conference_maximum():
    v = decide(claim(min_repetitions=20), [10.0] * 15)
    assert (v.outcome, v.more_repetitions) == (Outcome.INCONCLUSIVE, 0)
    assert "maximum of 15" in v.reason


# --- failures and outputs -------------------------------------------------------------------------

def test_failed_run_is_never_reproduced():
    v = decide(claim(), [10.0] * 5, runs_ok=False)
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "failed" in v.reason


def test_output_mismatch_is_never_reproduced():
    v = decide(claim(), [10.0] * 5, outputs_ok=False)
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "outputs differ" in v.reason


def test_non_finite_measurement_is_not_reproduced():
    v = decide(claim(), [10.0, math.nan, 10.0, 10.0])
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "1 of 4" in v.reason


@pytest.mark.parametrize(("outputs_ok", "outcome"), [
    (True, Outcome.REPRODUCED), (False, Outcome.NOT_REPRODUCED), (None, Outcome.INCONCLUSIVE)])
def test_equal_on_outputs_depends_only_on_the_comparison(outputs_ok, outcome):
    c = claim(metric="output", expected=None, relation="equal", unit=None)
    v = decide(c, [1.0, 2.0, 3.0], outputs_ok=outputs_ok)
    assert v.outcome == outcome
    assert v.more_repetitions == 0


def test_equal_on_a_number_needs_every_repetition_equal():
    c = claim(metric="return_code", expected=0.0, relation="equal", unit=None)
    assert decide(c, [0, 0, 0]).outcome == Outcome.REPRODUCED
    v = decide(c, [0, 1, 0])
    assert v.outcome == Outcome.NOT_REPRODUCED
    assert "1 of 3" in v.reason


# --- expected 0 -----------------------------------------------------------------------------------

def test_expected_zero_uses_an_absolute_band():
    c = claim(metric="error", expected=0.0, tolerance_abs=0.01, unit=None)
    v = decide(c, [0.001, -0.002, 0.003, 0.0])
    assert v.outcome == Outcome.REPRODUCED
    assert v.scale == "absolute" and v.ratio_median is None and v.ratio_ci is None
    assert v.band == (-0.01, 0.01)
    assert "ratios are undefined" in v.reason
    assert "high-cv" not in v.noise
    assert decide(c, [0.5, 0.6, 0.55]).outcome == Outcome.NOT_REPRODUCED


def test_expected_zero_without_absolute_tolerance_accepts_only_zero():
    c = claim(metric="error", expected=0.0, unit=None)
    assert decide(c, [0.0, 0.0, 0.0]).outcome == Outcome.REPRODUCED
    v = decide(c, [0.0, 0.1, 0.0])
    assert v.outcome != Outcome.REPRODUCED
    assert "relative tolerance of 0 is 0" in v.reason


# --- noise ----------------------------------------------------------------------------------------

def test_high_cv_is_flagged_but_does_not_decide():
    v = decide(claim(tolerance=0.5), [7.0, 13.0, 10.0, 8.0, 12.0, 10.5, 9.5])
    assert "high-cv" in v.noise
    assert "coefficient of variation" in v.reason


def test_bimodal_samples_are_flagged():
    xs = around(10.0, 0.05, 6, seed=2) + around(13.0, 0.05, 6, seed=3)
    v = decide(claim(), xs)
    assert "multimodal" in v.noise
    assert "two groups of samples around 10" in v.reason


def test_unimodal_and_skewed_samples_are_rarely_flagged():
    rng = random.Random(7)
    flagged = 0
    for _ in range(300):
        normal = [rng.gauss(10, 0.3) for _ in range(10)]
        skewed = [10 * rng.lognormvariate(0, 0.05) for _ in range(12)]
        flagged += "multimodal" in decide(claim(), normal).noise
        flagged += "multimodal" in decide(claim(), skewed).noise
    assert flagged / 600 < 0.03


def test_timer_quantisation_is_not_a_mode():
    xs = [10.00, 10.01, 10.00, 10.01, 10.00, 10.01, 10.01, 10.00]
    assert decide(claim(), xs).noise == ()


# --- bootstrap ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [4, 5])
def test_bootstrap_medians_follow_the_exact_resampling_law(n):
    ordered = [1.0, 2.0, 4.0, 8.0, 16.0][:n]
    exact: Counter[float] = Counter()
    for draw in itertools.product(ordered, repeat=n):
        exact[statistics.median(draw)] += 1
    total = n ** n
    draws = 40_000
    got = Counter(verdicts._bootstrap_medians(ordered, draws, random.Random(3)))
    distance = sum(abs(got[k] / draws - exact[k] / total) for k in exact | got) / 2
    assert distance < 0.02
    assert set(got) <= set(exact)


def test_bootstrap_ci_matches_brute_force_resampling():
    rng = random.Random(11)
    xs = [rng.gauss(10, 1) for _ in range(20)]
    brute = []
    for _ in range(20_000):
        brute.append(statistics.median(rng.choices(xs, k=len(xs))))
    brute.sort()
    v = decide(claim(tolerance=0.5), xs, policy=VerdictPolicy(bootstrap_resamples=20_000))
    low, high = v.measured_ci
    assert low == pytest.approx(brute[500], abs=0.15)
    assert high == pytest.approx(brute[19_499], abs=0.15)


# --- determinism and storage ----------------------------------------------------------------------

def test_same_seed_same_verdict_and_round_trip():
    xs = around(10.5, 0.8, 9, seed=4)
    first, again = decide(claim(), xs), decide(claim(), list(xs))
    assert first == again
    assert Verdict.from_dict(json.loads(json.dumps(first.to_dict()))) == first


def test_one_sided_band_serialises_open_end_as_null():
    v = decide(claim(relation="at_most"), around(9, 0.1, 5))
    data = v.to_dict()
    assert data["band"][0] is None
    assert json.loads(json.dumps(data, allow_nan=False))["band"][1] == pytest.approx(1.08)
    assert Verdict.from_dict(data) == v


def test_seed_changes_only_the_resampling():
    xs = around(10.5, 0.8, 9, seed=4)
    other = decide(claim(), xs, policy=VerdictPolicy(seed=99))
    assert other.measured_median == decide(claim(), xs).measured_median


@pytest.mark.parametrize("kw", [
    {"confidence": 1.0}, {"min_repetitions": 0}, {"min_repetitions": 20},
    {"bootstrap_resamples": 0}, {"default_tolerance": -0.1}])
def test_invalid_policy_is_refused(kw):
    with pytest.raises(VerdictError):
        VerdictPolicy(**kw)


def test_unknown_relation_is_an_error():
    with pytest.raises(AeError, match="unknown relation"):
        decide(claim(relation="roughly"), [10.0] * 3)


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    samples=st.lists(finite, max_size=20),
    expected=st.one_of(st.none(), finite),
    relation=st.sampled_from(["approx", "at_most", "at_least", "equal"]),
    tolerance=st.one_of(st.none(), st.floats(min_value=0, max_value=2)),
    tolerance_abs=st.one_of(st.none(), st.floats(min_value=0, allow_infinity=False)),
    runs_ok=st.booleans(),
    outputs_ok=st.sampled_from([None, True, False]),
)
def test_decide_never_raises_on_finite_floats(samples, expected, relation, tolerance,
                                               tolerance_abs, runs_ok, outputs_ok):
    c = claim(expected=expected, relation=relation, tolerance=tolerance,
              tolerance_abs=tolerance_abs)
    v = decide(c, samples, runs_ok=runs_ok, outputs_ok=outputs_ok,
               policy=VerdictPolicy(bootstrap_resamples=200))
    assert v.outcome in set(Outcome)
    assert 0 <= v.more_repetitions <= 15
    assert (v.more_repetitions > 0) <= (v.outcome == Outcome.INCONCLUSIVE)
    if not runs_ok or outputs_ok is False:
        assert v.outcome == Outcome.NOT_REPRODUCED
    json.dumps(v.to_dict(), allow_nan=False)


# --- samples_for ----------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", [
    "execution_time", "##characteristics#run#execution_time", "##run#execution_time",
    "##characteristics#run#execution_time#min"])
def test_samples_for_nested_and_flat_metric_names(metric):
    reps = [{"compile": {"compilation_time": 1.0}, "run": {"execution_time": t}}
            for t in (0.5, 0.6, 0.7)]
    assert samples_for(claim(metric=metric), reps) == [0.5, 0.6, 0.7]


def test_samples_for_plain_keys_strings_and_missing_repetitions():
    reps = [{"execution_time": 1}, {"execution_time": "2.5"}, {"other": 3}, {}]
    assert samples_for(claim(), reps) == [1.0, 2.5]


def test_samples_for_flat_point_with_all_list():
    point = {"##characteristics#run#execution_time#all": [1.0, 2.0],
             "##characteristics#run#execution_time#min": 1.0}
    c = claim(metric="##characteristics#run#execution_time")
    assert samples_for(c, [point]) == [1.0, 2.0]
    assert samples_for(replace(c, metric=c.metric + "#min"), [point]) == [1.0]


def test_samples_for_missing_metric_names_the_keys():
    with pytest.raises(VerdictError, match='"exec_time" is in none of the 2 run records'):
        samples_for(claim(metric="exec_time"), [{"execution_time": 1.0}] * 2)
    assert samples_for(claim(), []) == []


def test_samples_for_ambiguous_or_non_numeric_metric():
    with pytest.raises(VerdictError, match="ambiguous"):
        samples_for(claim(metric="time"), [{"a": {"time": 1}, "b": {"time": 2}}])
    with pytest.raises(VerdictError, match="not a number"):
        samples_for(claim(), [{"execution_time": True}])
    with pytest.raises(VerdictError, match="not a number"):
        samples_for(claim(), [{"execution_time": "fast"}])


def test_recorded_ck_experiment_reproduces_its_own_claim():
    if not SUSAN.is_dir():
        pytest.skip(f"CK fixtures not found at {SUSAN}")
    flat = json.loads((SUSAN / "ckp-a63f42ac837e38d0.flat.json").read_text())
    key = "##characteristics#run#execution_time"
    c = claim(metric=key, expected=flat[key + "#center"], unit="s", min_repetitions=4)
    reps = []
    for sub in sorted(SUSAN.glob("ckp-a63f42ac837e38d0.0*.json")):
        reps.extend(json.loads(sub.read_text())["characteristics_list"])
    samples = samples_for(c, reps)
    assert sorted(samples) == sorted(flat[key + "#all"])
    v = decide(c, samples)
    assert v.outcome == Outcome.REPRODUCED, v.reason
    slower = decide(replace(c, expected=flat[key + "#center"] / 1.3), samples)
    assert slower.outcome == Outcome.NOT_REPRODUCED
