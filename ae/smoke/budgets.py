"""Compute budgets: CPU- and GPU-hours per pool, per artifact and per evaluator (the conference file).

Rule: what a run costs is what it recorded, never a wall clock read by the service: CPU-seconds
are the sum of its repetitions' `cpu_time` (the sandbox's measure of the whole process tree; the
wall time of a repetition that has none); GPU-seconds, on a pool that asks for a GPU, are the sum
of its repetitions' wall time (the GPU is held for the whole run). Work whose estimate does not fit
in what is left of a budget waits for a chair's approval; approved work is counted like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ae.errors import ConferenceError
from ae.smoke.times import hours

KEYS = ("cpu_hours_per_artifact", "gpu_hours_per_artifact", "cpu_hours_per_evaluator",
        "gpu_hours_per_evaluator")
_GPU_KEYS = ("gpu_vendor", "gpu_model", "min_gpu_memory_bytes", "min_compute_capability")


@dataclass(frozen=True)
class PoolBudget:
    """The budgets of one pool; None: no limit."""

    pool: str
    cpu_hours_per_artifact: float | None = None
    gpu_hours_per_artifact: float | None = None
    cpu_hours_per_evaluator: float | None = None
    gpu_hours_per_evaluator: float | None = None

    def limit(self, kind: str, per: str) -> float | None:
        """Return the limit in seconds of `kind` ("cpu"/"gpu") `per` "artifact"/"evaluator"."""
        hours_: float | None = getattr(self, f"{kind}_hours_per_{per}")
        return None if hours_ is None else hours_ * 3600


@dataclass(frozen=True)
class Cost:
    """CPU- and GPU-seconds."""

    cpu_s: float = 0.0
    gpu_s: float = 0.0
    wall_s: float = 0.0  # how long it takes (not budgeted: compared with the appendix's time)

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.cpu_s + other.cpu_s, self.gpu_s + other.gpu_s, self.wall_s + other.wall_s)

    def scaled(self, factor: float) -> Cost:
        """Return this cost times `factor`."""
        return Cost(self.cpu_s * factor, self.gpu_s * factor, self.wall_s * factor)

    def to_dict(self) -> dict[str, float]:
        """Return the cost as JSON-ready data."""
        return {"cpu_s": round(self.cpu_s, 6), "gpu_s": round(self.gpu_s, 6),
                "wall_s": round(self.wall_s, 6)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Cost:
        """Read a cost written by `to_dict`."""
        data = data or {}
        return cls(*(float(data.get(k) or 0.0) for k in ("cpu_s", "gpu_s", "wall_s")))


def parse_budgets(items: Any, pools: Iterable[str], *, source: str) -> tuple[PoolBudget, ...]:
    """Validate `[[budget]]` tables: a known pool each, non-negative hours, each pool once."""
    if not isinstance(items, list):
        raise ConferenceError(f"{source}: [[budget]] must be an array of tables")
    known, found = list(pools), []
    for item in items:
        if not isinstance(item, dict):
            raise ConferenceError(f"{source}: [[budget]] must be an array of tables")
        extra = sorted(set(item) - {"pool", *KEYS})
        if extra:
            raise ConferenceError(f"{source}: unknown key {extra[0]!r} in [[budget]] "
                                  f"(known: pool, {', '.join(KEYS)})")
        pool = item.get("pool")
        if pool not in known:
            raise ConferenceError(f"{source}: [[budget]] pool {pool!r} is not a pool of this "
                                  f"conference ({', '.join(known)})")
        values = {}
        for key in KEYS:
            value = item.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConferenceError(f"{source}: [[budget]] {pool!r} {key} must be a number of "
                                      f"hours, 0 or more (got {value!r})")
            values[key] = float(value)
        found.append(PoolBudget(pool=str(pool), **values))
    names = [b.pool for b in found]
    if len(set(names)) != len(names):
        raise ConferenceError(f"{source}: [[budget]] names pool "
                              f"{next(n for n in names if names.count(n) > 1)!r} twice")
    return tuple(found)


def is_gpu_pool(pool: Mapping[str, Any]) -> bool:
    """Tell whether a pool's constraints ask for a GPU."""
    return any(pool.get(key) for key in _GPU_KEYS)


def run_cost(samples: Iterable[Mapping[str, Any]], *, gpu: bool) -> Cost:
    """Return what a run's recorded repetitions cost."""
    cpu = wall = 0.0
    for sample in samples:
        seconds = sample.get("wall_time", sample.get("total_execution_time", 0.0)) or 0.0
        wall += float(seconds)
        cpu += float(sample.get("cpu_time", seconds) or 0.0)
    return Cost(cpu, wall if gpu else 0.0, wall)


def over(need: Cost, used: Cost, budget: PoolBudget | None, per: str) -> str | None:
    """Say what `need` lacks when it does not fit in what `used` left of the budget, else None.

    The sentence is the run's waiting status: "needs ~0.2 CPU-h, budget left 0.05 CPU-h".
    """
    if budget is None:
        return None
    for kind, needed, spent in (("cpu", need.cpu_s, used.cpu_s), ("gpu", need.gpu_s, used.gpu_s)):
        limit = budget.limit(kind, per)
        if limit is None or needed <= 0:
            continue
        left = max(0.0, limit - spent)
        if needed > left:
            unit = f"{kind.upper()}-h"
            return (f"needs ~{hours(needed)} {unit}, {per} budget left {hours(left)} {unit} "
                    f"of {hours(limit)} on pool {budget.pool}")
    return None
