"""Fronts and places against a brute-force dominance check, on random data with ties, both
directions, constraints, unranked points, chosen metric subsets and rule changes (Hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ae.tournaments import pareto
from ae.tournaments.definition import Provenance, Tournament, parse_tournament
from ae.tournaments.points import Point, PointStatus
from ae.tournaments.scoreboard import Scoreboard, build

METRICS = ["m0", "m1", "m2", "m3"]
OPS = [">=", "<=", ">", "<"]
small = st.integers(min_value=0, max_value=4).map(float)  # few values: many ties and duplicates


def brute_fronts(values: list[list[float]], maximise: list[bool]) -> list[int]:
    """Peel the non-dominated points off, one front at a time, comparing every pair."""
    left, front, result = set(range(len(values))), 0, [0] * len(values)
    while left:
        front += 1
        top = {i for i in left if not any(pareto.dominates(values[j], values[i], maximise)
                                          for j in left if j != i)}
        for i in top:
            result[i] = front
        left -= top
    return result


@st.composite
def tournaments(draw: Any) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=4))
    metrics = [{"name": name, "meta": name, "direction": draw(st.sampled_from(["min", "max"]))}
               for name in METRICS[:count]]
    constraints = draw(st.lists(st.tuples(st.sampled_from(METRICS[:count]), st.sampled_from(OPS), small),
                                max_size=2))
    fronts = draw(st.lists(st.sampled_from(METRICS[:count]), unique=True, max_size=count))
    ranked = draw(st.sets(st.sampled_from(list(Provenance)), min_size=1))
    return {"name": "random", "metric": metrics, "constraints": [f"{m} {op} {v}" for m, op, v in constraints],
            "fronts": fronts, "ranked": sorted(ranked)}


@st.composite
def points(draw: Any) -> list[Point]:
    n = draw(st.integers(min_value=0, max_value=30))
    out = []
    for i in range(n):
        meta = {name: draw(st.one_of(small, small, small, st.none())) for name in METRICS}
        out.append(Point(id=f"p{i}", entry=f"e{i % 3}", configuration=f"c{i}",
                         provenance=draw(st.sampled_from(list(Provenance))),
                         status=draw(st.sampled_from([PointStatus.MEASURED] * 4 + list(PointStatus))),
                         meta={k: v for k, v in meta.items() if v is not None}))
    return out


def expected_ranked(t: Tournament, pts: list[Point], front_names: list[str]) -> list[bool]:
    out = []
    for p in pts:
        ok = p.status is PointStatus.MEASURED and p.provenance in t.ranked
        for c in t.constraints:
            value = p.meta.get(c.metric)
            ok = ok and value is not None and c.holds(value)
        ok = ok and all(p.meta.get(name) is not None for name in front_names)
        out.append(ok)
    return out


def check(board: Scoreboard, t: Tournament, pts: list[Point]) -> None:
    names = [m.name for m in board.front_metrics]
    ranked = expected_ranked(t, pts, names)
    assert board.ranked.tolist() == ranked
    chosen = [i for i, ok in enumerate(ranked) if ok]
    maximise = [m.direction == "max" for m in board.front_metrics]
    want = brute_fronts([[pts[i].meta[name] for name in names] for i in chosen], maximise)
    got = [int(board.front[i]) for i in chosen]
    assert got == want
    assert all(board.front[i] == 0 for i, ok in enumerate(ranked) if not ok)
    for row in board.rows():  # a broken constraint is shown, never hidden
        for c in t.constraints:
            value = row.point.meta.get(c.metric)
            if value is not None and not c.holds(value):
                assert row.cells[c.metric].violates is not None
                assert any(r.startswith("breaks ") for r in row.reasons)
    for metric in t.metrics:  # places: 1 + ranked points strictly better (meta values: no interval)
        up = metric.direction == "max"
        for i in chosen:
            value = pts[i].meta.get(metric.name)
            if value is None:
                continue
            others = [pts[j].meta.get(metric.name) for j in chosen]
            better = sum(1 for v in others if v is not None and ((v > value) if up else (v < value)))
            assert board.row(i).cells[metric.name].place == better + 1


@settings(max_examples=150, deadline=None)
@given(tournaments(), points(), st.data())
@pytest.mark.slow
def test_fronts_match_brute_force_before_and_after_a_rule_change(table: dict[str, Any], pts: list[Point],
                                                                data: Any) -> None:
    t = parse_tournament(table)
    board = build(t, pts)
    check(board, t, pts)
    # the organizer flips a direction, adds a constraint and picks other metrics: re-ranked at once
    flip = {"min": "max", "max": "min"}
    flipped = [{**m, "direction": flip[m["direction"]]} if data.draw(st.booleans()) else m
               for m in table["metric"]]
    extra = data.draw(st.lists(st.tuples(st.sampled_from([m["name"] for m in flipped]), st.sampled_from(OPS),
                                         small), max_size=1))
    changed = t.with_rules(metric=flipped, constraints=[*table["constraints"],
                                                        *(f"{m} {op} {v}" for m, op, v in extra)])
    subset = data.draw(st.lists(st.sampled_from(changed.metric_names()), unique=True, min_size=1))
    check(build(changed, pts, fronts=subset), changed, pts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(small, min_size=3, max_size=3), max_size=40), st.lists(st.booleans(), min_size=3,
                                                                                  max_size=3))
def test_library_fronts_equal_the_definition(values: list[list[float]], maximise: list[bool]) -> None:
    for width in (1, 2, 3):
        cut = [row[:width] for row in values]
        got = pareto.fronts(np.array(cut).reshape(len(cut), width), maximise[:width]).tolist()
        assert got == brute_fronts(cut, maximise[:width])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(min_value=0.1, max_value=10, allow_nan=False), min_size=1, max_size=7),
                min_size=1, max_size=25), st.sampled_from(["min", "max"]))
def test_places_follow_interval_overlap(samples: list[list[float]], direction: str) -> None:
    from ae.tournaments.measures import median_interval

    t = parse_tournament({"name": "t", "metric": [{"name": "time", "key": "execution_time",
                                                   "statistic": "mean", "direction": direction}]})
    pts = [Point(id=str(i), entry="e", configuration=str(i), provenance=Provenance.REPRODUCED,
                 samples={"execution_time": s}) for i, s in enumerate(samples)]
    board = build(t, pts)
    intervals = []
    for s in samples:
        low, high = median_interval(s)
        mean = sum(s) / len(s)
        intervals.append((min(low, mean), max(high, mean)))
    for i, (low, high) in enumerate(intervals):
        cell = board.row(i).cells["time"]
        assert cell.low is not None and cell.high is not None
        assert np.isclose(cell.low, low) and np.isclose(cell.high, high)
        better = sum(1 for lo, hi in intervals if (hi < cell.low if direction == "min" else lo > cell.high))
        overlapping = sum(1 for lo, hi in intervals if lo <= cell.high and hi >= cell.low) - 1
        assert cell.place == better + 1
        assert cell.ties == overlapping
