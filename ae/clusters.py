"""Batch clusters a pool can run on (Slurm): the `[pool.slurm]` table and job sizes, as plain data.

`ae.workers.slurm` submits and follows the jobs; this module only reads configuration and prose:
a pool's defaults, the appendix check-list's experiment time and hardware line, and the job
resources a claim's hardware requirement names (`ae.pools.split_requirement`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ae.errors import ConferenceError
from ae.pools import RESOURCE_KEYS

#: Slurm job states: still going, lost by Slurm (retried like a lost worker), and failure kinds.
ACTIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
          "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"}
LOST = {"NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "VANISHED"}
FAILED_KINDS = {"CANCELLED": "cancelled", "TIMEOUT": "timeout", "DEADLINE": "timeout",
                "OUT_OF_MEMORY": "memory"}
_SETTING_TYPES: dict[str, type] = {"partition": str, "account": str, "qos": str, "python": str,
                                   "poll_s": float, "extra": list}


@dataclass(frozen=True)
class Resources:
    """A job's size: nodes, tasks, CPUs per task, memory per node, time limit (Slurm formats)."""

    nodes: str | None = None
    ntasks: str | None = None
    cpus_per_task: str | None = None
    mem: str | None = None
    time: str | None = None

    def over(self, other: Mapping[str, str | None]) -> Resources:
        """Return these resources with every value `other` sets taking precedence."""
        return replace(self, **{k: v for k, v in other.items() if v is not None})

    def options(self) -> list[str]:
        """Return the sbatch options that request these resources."""
        return [f"--{f.name.replace('_', '-')}={getattr(self, f.name)}" for f in fields(self)
                if getattr(self, f.name) is not None]

    def describe(self) -> str:
        """Say the resources in a few words."""
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                         if getattr(self, f.name) is not None) or "Slurm's defaults"


@dataclass(frozen=True)
class Settings:
    """A Slurm pool's `[pool.slurm]` table: where to submit, default resources, the nodes' Python."""

    pool: str
    resources: Resources = Resources()
    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    python: str | None = None
    poll_s: float = 5.0
    extra: tuple[str, ...] = field(default=())

    def sbatch_options(self) -> list[str]:
        """Return the options every job of this pool gets."""
        named = [f"--{key}={getattr(self, key)}" for key in ("partition", "account", "qos")
                 if getattr(self, key)]
        return [*named, *self.extra]


def settings_from_mapping(pool: str, data: Any, *, source: str) -> Settings:
    """Validate a `[pool.slurm]` table; errors name the file, the pool and the key."""
    where = f"{source}: [pool.slurm] of pool {pool!r}"
    if not isinstance(data, dict):
        raise ConferenceError(f"{where} must be a table")
    values: dict[str, Any] = {}
    resources: dict[str, str] = {}
    for key, value in data.items():
        if key in RESOURCE_KEYS:
            text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
            if not RESOURCE_KEYS[key].fullmatch(text):
                raise ConferenceError(f"{where}: {key} = {value!r} is not valid (counts for nodes, "
                                      "ntasks, cpus_per_task; mem like \"4G\"; time like 30 or \"1:00:00\")")
            resources[key] = text
        elif key in _SETTING_TYPES:
            kind = _SETTING_TYPES[key]
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0 \
                if kind is float else isinstance(value, kind) and bool(value)
            if not ok or (kind is list and not all(isinstance(v, str) and v.startswith("-") for v in value)):
                raise ConferenceError(f"{where}: {key} has the wrong type or value ({value!r})")
            values[key] = tuple(value) if kind is list else value
        else:
            known = ", ".join([*RESOURCE_KEYS, *_SETTING_TYPES])
            raise ConferenceError(f"{where}: unknown key {key!r} (known: {known})")
    return Settings(pool=pool, resources=Resources(**resources), **values)


def pool_settings(conferences: Mapping[str, Any]) -> dict[str, Settings]:
    """Return the Slurm settings of every Slurm pool of the loaded conferences, by pool name."""
    found: dict[str, Settings] = {}
    for conference in conferences.values():
        for pool in conference.pools:
            if "slurm" not in pool:
                continue
            settings = settings_from_mapping(pool["name"], pool["slurm"], source=str(conference.path))
            if found.setdefault(settings.pool, settings) != settings:
                raise ConferenceError(f"{conference.path}: pool {settings.pool!r} is a Slurm pool with "
                                      "other settings in another conference (pool names are global)")
    return found


_TIME = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
                   re.IGNORECASE)
_NODES = re.compile(r"(\d+)\s*(?:compute\s+|cluster\s+)?nodes?\b", re.IGNORECASE)
_TASKS = re.compile(r"(\d+)\s*(?:MPI\s+)?(?:tasks|ranks|processes)\b", re.IGNORECASE)
_MEM = re.compile(r"(\d+)\s*([KMGT])i?B\s*(?:of\s+)?(?:RAM|memory|main memory)", re.IGNORECASE)
_MINUTES = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}


def from_checklist(items: list[dict[str, Any]]) -> dict[str, str | None]:
    """Read job resources from an appendix check-list: experiment time (doubled), nodes, tasks, memory.

    The check-list is prose ("about 2 hours", "4 nodes with 64 GB RAM each"); what cannot be read
    is left to the pool's defaults.
    """
    values = {str(i.get("key")): str(i.get("value") or "") for i in items}
    found: dict[str, str | None] = {}
    said = values.get("experiments_time", "")
    spent = [float(n) * _MINUTES[unit[0].lower()] for n, unit in _TIME.findall(said)]
    if spent or "a minute" in said.lower():
        found["time"] = str(max(1, math.ceil(2 * max(spent or [1.0]))))
    hardware = values.get("hardware", "")
    for key, pattern in (("nodes", _NODES), ("ntasks", _TASKS)):
        match = pattern.search(hardware)
        if match and int(match.group(1)) > 0:
            found[key] = match.group(1)
    mem = _MEM.search(hardware)
    if mem and int(mem.group(1)) > 0:
        found["mem"] = f"{mem.group(1)}{mem.group(2).upper()}"
    return found
