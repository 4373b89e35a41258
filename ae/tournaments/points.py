"""A point: one configuration of one entry, with what was measured or reported for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ae.tournaments.definition import Provenance


class PointStatus(StrEnum):
    """Whether a point has measurements yet."""

    MEASURED = "measured"
    PENDING = "pending"   # its runs are queued or running
    FAILED = "failed"     # every run of it failed


@dataclass(frozen=True)
class Point:
    """One configuration of an entry: (program, cmd_key, dataset, pool) of an artifact, or one point
    of an imported CK experiment.

    `samples` maps a run-sample key (`execution_time`, `run_time_state.pi`) to the values of the
    repetitions that count; `flat` holds the CK statistics an imported point stored
    (`##characteristics#run#execution_time#min` …, read as stored, never recomputed); `claimed`
    maps a CK flat key without statistic to the value the authors claim for it.
    """

    id: str
    entry: str
    configuration: str
    provenance: Provenance
    status: PointStatus = PointStatus.MEASURED
    samples: Mapping[str, Sequence[float]] = field(default_factory=dict)
    flat: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)
    claimed: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    entry_id: str | None = None
    zero_is_missing: bool = False  # imported CK data: a recorded 0.0 means "not measured"
    message: str | None = None     # why it failed
