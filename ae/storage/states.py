"""The states of versions, runs and workers: one place, imported without loading the database layer."""

from __future__ import annotations

from enum import StrEnum


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
