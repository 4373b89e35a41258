"""Scoreboard + Pareto fronts for 10,000 points: p95 of a full board build (DESIGN §12, < 150 ms).

Builds 10,000 synthetic points the shape the service gathers them in (2,000 entries × 5
configurations; 5 repetitions each of accuracy and latency, platform price and power in the meta;
10 % imported CK points with stored statistics, a few pending or failed), then times, per round,
what a scoreboard request computes: every metric's value and interval, the constraint, the fronts
over four metrics (ReQuEST's accuracy, latency, price, power), the places and ties, the sort, and
the first page of rows as plain data. A rule change (another sort and a subset of front metrics)
is timed too. Prints a table and ends with one JSON line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ae.tournaments.definition import Provenance, parse_tournament  # noqa: E402
from ae.tournaments.points import Point, PointStatus  # noqa: E402
from ae.tournaments.scoreboard import build  # noqa: E402

POINTS = 10_000
ROUNDS = 30
TARGET_MS = 150.0
RULES = parse_tournament({
    "name": "bench", "constraints": ["top1 >= 0.6"], "entry_meta": ["platform", "platform_price"],
    "metric": [
        {"name": "top1", "key": "##characteristics#run#accuracy_top1#mean", "direction": "max"},
        {"name": "latency", "key": "##characteristics#run#execution_time#min", "direction": "min"},
        {"name": "price", "meta": "platform_price", "direction": "min", "unit": "$"},
        {"name": "power", "meta": "platform_peak_power", "direction": "min", "unit": "W"}]})


def make_points(seed: int = 11) -> list[Point]:
    """Return the synthetic points (deterministic)."""
    rng = random.Random(seed)
    points = []
    for i in range(POINTS):
        entry, config = divmod(i, 5)
        top1 = round(rng.uniform(0.4, 0.8), 3)
        latency = rng.lognormvariate(-3 + 2 * top1, 0.5)
        meta = {"platform": f"board-{entry % 40}", "platform_price": rng.choice([35, 65, 240, 1200]),
                "platform_peak_power": rng.choice([2.5, 4.0, 10.0, 180.0])}
        status = (PointStatus.PENDING if i % 97 == 0 else PointStatus.FAILED if i % 89 == 0
                  else PointStatus.MEASURED)
        if i % 10 == 0:
            times = [latency * rng.uniform(1, 1.05) for _ in range(5)]
            flat = {"##characteristics#run#accuracy_top1#mean": top1,
                    "##characteristics#run#execution_time#min": min(times),
                    "##characteristics#run#execution_time#all": times}
            points.append(Point(id=f"ck/{i}", entry=f"entry-{entry}", configuration=f"config-{config}",
                                provenance=Provenance.AUTHOR, flat=flat, meta=meta, zero_is_missing=True))
            continue
        samples = {"accuracy_top1": [top1] * 5,
                   "execution_time": [latency * rng.uniform(1, 1.05) for _ in range(5)]}
        points.append(Point(id=f"run/{i}", entry=f"entry-{entry}", configuration=f"config-{config}",
                            provenance=Provenance.REPRODUCED, status=status, samples=samples, meta=meta,
                            claimed={"##characteristics#run#accuracy_top1": top1}))
    return points


def timed(fn: Callable[[], None], rounds: int) -> tuple[list[float], list[float]]:
    """Return the wall and CPU times (ms) of `rounds` calls."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    """Return the 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    points = make_points()

    def default_board() -> None:
        board = build(RULES, points)
        board.rows(0, 100)

    def changed_rules() -> None:
        board = build(RULES.with_rules(constraints=["top1 >= 0.7"]), points, fronts=["top1", "latency"],
                      sort="latency")
        board.rows(0, 100)

    default_board()  # warm-up: imports, caches
    board = build(RULES, points)
    rows = {"board (4 metrics, 4-D fronts, first 100 rows)": timed(default_board, ROUNDS),
            "rules changed (2-D fronts, sort by latency)": timed(changed_rules, ROUNDS)}
    print(f"{POINTS} points, {board.summary()['ranked']} ranked, {board.front_count} fronts, "
          f"{board.summary()['frontier']} on the frontier; {ROUNDS} rounds each")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (CPU time is what a build "
          "costs; wall time is what a request waits, the target)")
    print(f"{'what':<50} {'median ms':>10} {'p95 ms':>10} {'p95 CPU ms':>11}")
    for name, (wall, cpu) in rows.items():
        print(f"{name:<50} {statistics.median(wall):>10.1f} {p95(wall):>10.1f} {p95(cpu):>11.1f}")
    ours = max(p95(wall) for wall, _ in rows.values())
    print(json.dumps({"benchmark": "scoreboard", "ours": round(ours, 1), "baseline": None,
                      "ratio": round(ours / TARGET_MS, 3),
                      "target": f"p95 < {TARGET_MS:g} ms for {POINTS} points",
                      "met": ours < TARGET_MS}))


if __name__ == "__main__":
    main()
