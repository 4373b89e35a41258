"""The automatic assignment proposal: k evaluators per artifact, loads balanced, bids followed,
conflicts respected — solved as a 0/1 program by SciPy's MILP solver (HiGHS), not a hand search.

Rule: x[a, e] = 1 when evaluator e reviews artifact a. Each artifact gets k evaluators (fewer
only when conflicts leave too few: the shortfall is reported, and each missing one costs far
more than any bid); nobody takes more than `cap` artifacts (the conference's `max_per_evaluator`,
else the even share ceil(n·k / m)); a conflict is x = 0; an assignment the chair already made is
x = 1 and counts towards the load. Among these, the proposal follows the bids: the sum of bid
costs (eager 0, willing 1, no bid 2, reluctant 4) is least.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

from ae.errors import AeError

#: What each bid costs the objective; an evaluator with no bid costs NO_BID.
COSTS = {"eager": 0.0, "willing": 1.0, "reluctant": 4.0}
NO_BID = 2.0
_MISSING = 1000.0  # one evaluator too few on an artifact: worse than any choice of bids


class NoProposal(AeError):
    """No assignment can be proposed (no evaluators, or the solver failed)."""


@dataclass(frozen=True)
class Proposal:
    """Who reviews what, each artifact's shortfall below k, and each evaluator's load."""

    pairs: dict[str, list[str]]  # artifact id -> evaluator ids, in the input's order
    short: dict[str, int] = field(default_factory=dict)  # artifact id -> evaluators missing
    load: dict[str, int] = field(default_factory=dict)
    cap: int = 0
    cost: float = 0.0


def capacity(artifacts: int, evaluators: int, k: int, most: int | None) -> int:
    """Return the most artifacts one evaluator may get: the conference's limit, else an even share."""
    return most if most is not None else max(1, math.ceil(artifacts * k / max(evaluators, 1)))


def propose(artifacts: Sequence[str], evaluators: Sequence[str], *, k: int,
            bids: Mapping[tuple[str, str], str], conflicts: set[tuple[str, str]] | frozenset[tuple[str, str]],
            fixed: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
            most: int | None = None) -> Proposal:
    """Return the assignment of least bid cost that gives every artifact k evaluators within the caps."""
    if not artifacts:
        return Proposal(pairs={})
    if not evaluators:
        raise NoProposal("no evaluators to assign: invite evaluators first")
    n, m = len(artifacts), len(evaluators)
    cap = capacity(n, m, k, most)
    fixed_load = {e: sum(1 for a in artifacts if (a, e) in fixed) for e in evaluators}
    cap_of = [max(cap, fixed_load[e]) for e in evaluators]
    # variables: x[a, e] (n·m binaries), then s[a] (n shortfalls, integer 0..k)
    cost = np.zeros(n * m + n)
    lower, upper = np.zeros(n * m + n), np.ones(n * m + n)
    for i, a in enumerate(artifacts):
        for j, e in enumerate(evaluators):
            v = i * m + j
            bid = bids.get((a, e))
            cost[v] = COSTS.get(bid, NO_BID) if bid is not None else NO_BID
            if (a, e) in fixed:
                lower[v] = 1.0
            elif (a, e) in conflicts or bid == "conflict":
                upper[v] = 0.0
        cost[n * m + i] = _MISSING
        upper[n * m + i] = k
    rows = lil_array((n + m, n * m + n))
    for i in range(n):
        for j in range(m):
            rows[i, i * m + j] = 1.0
            rows[n + j, i * m + j] = 1.0
        rows[i, n * m + i] = 1.0
    want = max(k, max((sum(1 for e in evaluators if (a, e) in fixed) for a in artifacts), default=0))
    lo = np.array([float(want)] * n + [0.0] * m)
    hi = np.array([float(want)] * n + [float(c) for c in cap_of])
    result = milp(cost, constraints=LinearConstraint(rows.tocsr(), lo, hi),
                  integrality=np.ones(n * m + n, dtype=np.int_), bounds=Bounds(lower, upper))
    if result.x is None:
        raise NoProposal(f"the assignment solver found no proposal: {result.message}")
    x = np.rint(result.x).astype(int)
    pairs = {a: [e for j, e in enumerate(evaluators) if x[i * m + j]] for i, a in enumerate(artifacts)}
    short = {a: int(x[n * m + i]) for i, a in enumerate(artifacts) if x[n * m + i]}
    load = {e: int(sum(x[i * m + j] for i in range(n))) for j, e in enumerate(evaluators)}
    spent = float(sum(cost[v] * x[v] for v in range(n * m)))
    return Proposal(pairs=pairs, short=short, load=load, cap=cap, cost=spent)
