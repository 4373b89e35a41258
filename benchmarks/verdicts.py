"""The verdict rule on 100 samples (2,000 bootstrap resamples): p95 of `decide()` (target < 50 ms).

Baseline, measured in the same run: the bare bootstrap a hand-written script would do — 2,000
resamples of the same 100 samples drawn with NumPy and their medians taken — so the ratio says
what the rule's bookkeeping (band, interval, relation, reason, noise flags) costs on top.
Prints a table and ends with one JSON line (DESIGN.md §12).

    python benchmarks/verdicts.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ae.checklist.claims import Claim  # noqa: E402
from ae.verdicts.rule import decide  # noqa: E402

TARGET_MS = 50.0
RESAMPLES = 2_000


def _times(work: Callable[[], object], rounds: int) -> list[float]:
    """Return the wall time of each of `rounds` calls of `work`, in ms."""
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    """Time the rule against the bare bootstrap and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    rng = random.Random(1)
    xs = [10.0 + rng.uniform(-0.5, 0.5) for _ in range(100)]
    claim = Claim.from_dict({"id": "c1", "text": "runs in 10 s", "metric": "execution_time",
                             "expected": 10.0, "unit": "s"})
    array, generator = np.asarray(xs), np.random.default_rng(1)

    def bare() -> object:
        picks = generator.integers(0, len(array), size=(RESAMPLES, len(array)))
        return np.quantile(np.median(array[picks], axis=1), [0.025, 0.975])

    ours = _times(lambda: decide(claim, xs), rounds)
    baseline = _times(bare, rounds)
    p95, base = _p95(ours), _p95(baseline)
    print(f"{'':28}{'p50 (ms)':>10}{'p95 (ms)':>10}")
    print(f"{'decide(), 100 samples':28}{statistics.median(ours):10.2f}{p95:10.2f}")
    print(f"{'bare NumPy bootstrap':28}{statistics.median(baseline):10.2f}{base:10.2f}")
    met = p95 < TARGET_MS
    print(f"  {'met' if met else 'NOT met'}  p95 < {TARGET_MS:.0f} ms ({p95 / base:.1f}x the bare bootstrap)")
    print(json.dumps({"benchmark": "verdicts", "ours": round(p95, 3), "baseline": round(base, 3),
                      "ratio": round(p95 / base, 2), "target": f"p95 < {TARGET_MS:.0f} ms", "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
