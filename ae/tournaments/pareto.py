"""Non-dominated sorting: which points no other point beats on every chosen metric, then the next.

A point dominates another when it is at least as good on every metric and strictly better on one
(directions honoured). Front 1 holds the points nothing dominates; front k + 1 those that only
points of fronts 1..k dominate. Equal points are on the same front.

The sorting is moocore's `pareto_rank` (C, LGPL; Jensen's O(n log n) sweep for two metrics,
front-by-front dimension sweeps above): a maintained library of multi-objective optimisation that
takes a maximise flag per metric. Checked against this module's brute-force `dominates` on random
data in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import moocore  # type: ignore[import-untyped]  # ships no type hints
import numpy as np
import numpy.typing as npt


def fronts(values: npt.ArrayLike, maximise: Sequence[bool]) -> npt.NDArray[np.int64]:
    """Return each row's front (1 = non-dominated); `values` has one column per metric, no NaN."""
    matrix = np.asarray(values, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(maximise):
        raise ValueError(f"values must have one column per metric ({len(maximise)}), got {matrix.shape}")
    if not len(matrix):
        return np.zeros(0, np.int64)
    if np.isnan(matrix).any():
        raise ValueError("a point without a value has no front")
    if matrix.shape[1] == 1:  # one metric: the fronts are the distinct values, best first
        column = -matrix[:, 0] if maximise[0] else matrix[:, 0]
        return np.unique(column, return_inverse=True)[1].astype(np.int64) + 1
    ranks = moocore.pareto_rank(matrix, maximise=[bool(m) for m in maximise])
    return np.asarray(ranks, dtype=np.int64) + 1


def dominates(a: Sequence[float], b: Sequence[float], maximise: Sequence[bool]) -> bool:
    """Tell whether point `a` dominates point `b` (the definition, one pair at a time)."""
    better = False
    for x, y, up in zip(a, b, maximise, strict=True):
        if (x < y) if up else (x > y):
            return False
        if x != y:
            better = True
    return better
