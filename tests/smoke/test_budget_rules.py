"""The smoke stage's plain rules: the stated time, budgets in the conference file, the smallest
dataset, estimates and what a budget lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae import conferences
from ae.errors import ConferenceError
from ae.smoke import estimates, times
from ae.smoke.budgets import Cost, PoolBudget, over, run_cost
from ae.smoke.targets import smoke_plan

HEAD = """
[conference]
slug = "b-2026"
name = "B"
badge_scheme = "usenix"
badges = ["available"]

[[pool]]
name = "default"

[[pool]]
name = "gpu"
gpu_vendor = "nvidia"
"""


@pytest.mark.parametrize(("text", "seconds", "bound"), [
    ("seconds", 60, True), ("under a minute", 60, True), ("about 2 hours", 7200, False),
    ("1-2 days", 172800, False), ("30 min", 1800, False), ("a few minutes", 180, True),
    ("less than 10 minutes", 600, True),
])
def test_stated_times_are_read(text: str, seconds: float, bound: bool) -> None:
    stated = times.parse(text)
    assert stated is not None and (stated.seconds, stated.bound) == (seconds, bound)


@pytest.mark.parametrize("text", ["", "n/a", "depends on the machine", None])
def test_no_time_is_no_time(text: str | None) -> None:
    assert times.parse(text) is None


def test_a_large_mismatch_is_flagged_either_way() -> None:
    assert times.mismatch(0.4, times.parse("seconds")) is None
    assert "more than 5× the appendix's \u201cunder a minute\u201d" in str(
        times.mismatch(301, times.parse("under a minute")))
    assert "less than a 5th" in str(times.mismatch(60, times.parse("about 2 hours")))
    assert times.mismatch(60, times.parse("under 2 hours")) is None  # a bound: faster is fine


def test_budgets_are_read_per_pool() -> None:
    conference = conferences.parse(Path("b-2026.toml"), HEAD + """
[evaluation]
smoke = true

[[budget]]
pool = "gpu"
gpu_hours_per_artifact = 2
cpu_hours_per_evaluator = 0.5
""")
    assert conference.smoke and conference.budget_for("default") is None
    assert conference.budget_for("gpu") == PoolBudget("gpu", gpu_hours_per_artifact=2.0,
                                                      cpu_hours_per_evaluator=0.5)


@pytest.mark.parametrize(("table", "message"), [
    ('pool = "cpu"\ncpu_hours_per_artifact = 1', "[[budget]] pool 'cpu' is not a pool of this conference"),
    ('pool = "gpu"\ncpu_hours_per_artifact = -1', "'gpu' cpu_hours_per_artifact must be a number of hours"),
    ('pool = "gpu"\ncpu_hours_per_artifact = "1h"', "must be a number of hours, 0 or more (got '1h')"),
    ('pool = "gpu"\ncpu_hour = 1', "unknown key 'cpu_hour' in [[budget]]"),
    ('pool = "gpu"\n[[budget]]\npool = "gpu"', "[[budget]] names pool 'gpu' twice"),
])
def test_bad_budgets_are_refused_with_the_reason(table: str, message: str) -> None:
    with pytest.raises(ConferenceError) as caught:
        conferences.parse(Path("b-2026.toml"), HEAD + "\n[[budget]]\n" + table + "\n")
    assert message in str(caught.value) and str(caught.value).startswith("b-2026.toml: ")


def test_smoke_is_a_boolean() -> None:
    with pytest.raises(ConferenceError, match=r"\[evaluation\] smoke has the wrong type"):
        conferences.parse(Path("b-2026.toml"), HEAD + '\n[evaluation]\nsmoke = "yes"\n')


def test_the_smoke_plan_takes_each_commands_smallest_dataset() -> None:
    targets = [("p", "a", "big"), ("p", "a", "small"), ("p", "a", "unknown"), ("p", "b", None),
               ("q", "a", "x"), ("q", "a", "w")]
    assert smoke_plan(targets, {"big": 900, "small": 10, "x": 5, "w": 5}) == [
        ("p", "a", "small"), ("p", "b", None), ("q", "a", "w")]


def test_estimates_scale_the_smoke_by_repetitions_and_dataset_size() -> None:
    smoke = {("p", "a"): {"ok": True, "dataset": "small", "cost": Cost(2.0, 0.0, 3.0).to_dict()},
             ("p", "b"): {"ok": False, "dataset": None, "cost": None}}
    unit = estimates.per_repetition(smoke)
    big = estimates.Planned("p", "a", "big", "default", 3)
    assert estimates.estimate_run(big, unit, smoke, {"small": 10, "big": 40}) == Cost(24.0, 0.0, 36.0)
    assert estimates.estimate_run(big, unit, smoke, {}, repetitions=5) == Cost(10.0, 0.0, 15.0)
    assert estimates.estimate_run(estimates.Planned("p", "b", None, "default", 3), unit, smoke, {}) is None


def test_what_a_run_costs_is_what_it_recorded() -> None:
    samples = [{"wall_time": 2.0, "cpu_time": 3.5}, {"wall_time": 1.0}]
    assert run_cost(samples, gpu=False) == Cost(4.5, 0.0, 3.0)
    assert run_cost(samples, gpu=True) == Cost(4.5, 3.0, 3.0)


def test_over_says_what_is_needed_and_left() -> None:
    budget = PoolBudget("gpu", cpu_hours_per_artifact=1.0, gpu_hours_per_artifact=0.5)
    assert over(Cost(1800.0), Cost(0.0), budget, "artifact") is None
    assert over(Cost(1800.0), Cost(2700.0), budget, "artifact") == (
        "needs ~0.5 CPU-h, artifact budget left 0.25 CPU-h of 1.0 on pool gpu")
    assert over(Cost(0.0, 3600.0), Cost(), budget, "artifact") == (
        "needs ~1.0 GPU-h, artifact budget left 0.5 GPU-h of 0.5 on pool gpu")
    assert over(Cost(9e9, 9e9), Cost(), budget, "evaluator") is None  # no evaluator limit
    assert over(Cost(9e9), Cost(), None, "artifact") is None
