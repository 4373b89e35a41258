"""The states of versions, runs and workers and the moves between them: one place, imported without
loading the database layer.

Rule (DESIGN §11): a row's state changes only along the transition tables below, and every writer
goes through `check` (the models call it on each assignment of `status`; conditional UPDATEs take
their `WHERE status IN …` from `sources`). A finished run or a settled version never moves again:
a late or repeated job finds it finished and leaves it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ae.errors import IllegalTransition


class VersionState(StrEnum):
    """Where a submitted version of an artifact stands."""

    SUBMITTED = "submitted"
    INTAKE = "intake"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunState(StrEnum):
    """Where one reproduction run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    LOST = "lost"
    HELD = "held"  # planned but not queued: waiting for the smoke stage or a chair's approval


class WorkerState(StrEnum):
    """Whether a registered worker process is serving."""

    ALIVE = "alive"
    STOPPED = "stopped"
    LOST = "lost"


class Role(StrEnum):
    """What a person does in one conference (site administrators are marked on the user)."""

    AUTHOR = "author"
    EVALUATOR = "evaluator"
    CHAIR = "chair"
    ORGANIZER = "organizer"


#: A version that will change no more without a resubmission.
VERSION_SETTLED = frozenset({VersionState.DONE, VersionState.FAILED})
#: Runs that a worker will not pick up again.
RUN_FINISHED = frozenset({RunState.SUCCEEDED, RunState.FAILED})
#: Runs waiting for a worker.
RUN_WAITING = frozenset({RunState.QUEUED, RunState.LOST})
#: Why a held run waits (`Run.held_reason` starts with one of these).
HELD_FOR_SMOKE = "waiting for the smoke stage"
HELD_FOR_APPROVAL = "waiting for approval"


#: Where each run state may go. `queued`/`lost` -> `succeeded`/`failed`: the late result of an
#: attempt the service had already given up on (a lost worker that was only slow) is kept.
#: `held` -> `queued`: released by the smoke stage or a chair's approval; `held` -> `failed`: its
#: target's smoke run failed, so the full run is not started; `queued` -> `held`: a planned run
#: (an evaluator's re-run) whose estimate exceeds the budget left, before any worker saw it.
RUN_MOVES: Mapping[RunState, frozenset[RunState]] = {
    RunState.QUEUED: frozenset({RunState.QUEUED, RunState.RUNNING, RunState.SUCCEEDED, RunState.FAILED,
                                RunState.HELD}),
    RunState.RUNNING: frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.LOST, RunState.QUEUED}),
    RunState.LOST: frozenset({RunState.LOST, RunState.QUEUED, RunState.RUNNING, RunState.SUCCEEDED,
                              RunState.FAILED}),
    RunState.HELD: frozenset({RunState.HELD, RunState.QUEUED, RunState.FAILED}),
    RunState.SUCCEEDED: frozenset(),
    RunState.FAILED: frozenset(),
}
#: Where each version state may go. `intake` -> `submitted`: intake handed back or lost, to be retried.
VERSION_MOVES: Mapping[VersionState, frozenset[VersionState]] = {
    VersionState.SUBMITTED: frozenset({VersionState.SUBMITTED, VersionState.INTAKE, VersionState.FAILED}),
    VersionState.INTAKE: frozenset({VersionState.SUBMITTED, VersionState.QUEUED, VersionState.FAILED}),
    VersionState.QUEUED: frozenset({VersionState.QUEUED, VersionState.RUNNING, VersionState.DONE,
                                    VersionState.FAILED}),
    VersionState.RUNNING: frozenset({VersionState.RUNNING, VersionState.DONE, VersionState.FAILED}),
    VersionState.DONE: frozenset(),
    VersionState.FAILED: frozenset(),
}
_MACHINES: dict[str, tuple[type[StrEnum], Mapping[StrEnum, frozenset[StrEnum]]]] = {
    "run": (RunState, RUN_MOVES),  # type: ignore[dict-item]  # Mapping is invariant in its key
    "version": (VersionState, VERSION_MOVES),  # type: ignore[dict-item]
}


def check(kind: str, old: str | None, new: str) -> str:
    """Return `new` if a `kind` row ("run" or "version") may move from `old` to it, else raise.

    `old` None is a row being created: any state of the machine may start it.
    """
    states, moves = _MACHINES[kind]
    if new not in states.__members__.values():
        raise IllegalTransition(f"{kind} state {str(new)!r} does not exist "
                                f"({', '.join(s.value for s in states)})")
    if old is None or new in moves[states(old)]:
        return new
    old, new = str(old), str(new)
    allowed = ", ".join(sorted(moves[states(old)])) or "none: it is final"
    raise IllegalTransition(f"a {kind} cannot go from {old!r} to {new!r} (from {old!r}: {allowed})")


def sources(kind: str, new: str) -> list[str]:
    """Return the states a `kind` row may move to `new` from (for a conditional UPDATE's WHERE)."""
    _, moves = _MACHINES[kind]
    return sorted(str(old) for old, targets in moves.items() if new in targets)
