"""Runtime estimates from the smoke stage: per planned run, per claim and per pool.

Rule: a full run of (program, cmd_key) is estimated as its smoke run's cost per repetition times
the run's repetitions, scaled by its dataset's size over the smoke dataset's when both are known
(linear in the input: a first guess, said as such). "At most" uses the conference's maximum
repetitions, which an inconclusive claim may reach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ae.smoke.budgets import Cost


@dataclass(frozen=True)
class Planned:
    """A full run to estimate."""

    program: str
    cmd_key: str
    dataset: str | None
    pool: str
    repetitions: int


def per_repetition(smoke: Mapping[tuple[str, str], Mapping[str, Any]]) -> dict[tuple[str, str], Cost]:
    """Return the cost of one repetition per (program, cmd_key) from the smoke rows that succeeded."""
    return {key: Cost.from_dict(row.get("cost")) for key, row in smoke.items() if row.get("ok")}


def estimate_run(run: Planned, unit: Mapping[tuple[str, str], Cost],
                 smoke: Mapping[tuple[str, str], Mapping[str, Any]], sizes: Mapping[str, int],
                 repetitions: int | None = None) -> Cost | None:
    """Estimate a full run (None when its command's smoke run did not succeed)."""
    key = (run.program, run.cmd_key)
    if key not in unit:
        return None
    factor = float(repetitions or run.repetitions)
    small = smoke[key].get("dataset")
    if run.dataset and small and sizes.get(small) and sizes.get(run.dataset):
        factor *= sizes[run.dataset] / sizes[small]
    return unit[key].scaled(factor)


def by_claim(claims: Sequence[Mapping[str, Any]], costs: Mapping[Planned, Cost]) -> list[dict[str, Any]]:
    """Return, per claim, the estimated cost of the full runs that measure it, per pool."""
    rows = []
    for claim in claims:
        pools: dict[str, Cost] = {}
        for run, cost in costs.items():
            if (claim.get("program") in (None, run.program) and claim.get("cmd_key") in (None, run.cmd_key)
                    and claim.get("dataset") in (None, run.dataset)):
                pools[run.pool] = pools.get(run.pool, Cost()) + cost
        rows.append({"claim": claim["id"], "pools": {p: c.to_dict() for p, c in sorted(pools.items())}})
    return rows


def by_pool(costs: Mapping[Planned, Cost]) -> dict[str, Cost]:
    """Return the estimated cost of all planned runs per pool."""
    pools: dict[str, Cost] = {}
    for run, cost in costs.items():
        pools[run.pool] = pools.get(run.pool, Cost()) + cost
    return dict(sorted(pools.items()))
