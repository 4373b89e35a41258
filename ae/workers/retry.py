"""One decision for every faulted attempt: try the row again (after a backoff) or give up, with
the reason a person reads on the run's or version's page.

Used by the job that met a passing fault, by the worker that saw its work horse die, by the
reaper of lost workers and by `ae reconcile`, so that they all count attempts the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ae.storage.models import ArtifactVersion, Run, utcnow
from ae.storage.states import RunState, VersionState
from ae.workers.faults import Policy


def retry_run(run: Run, *, reason: str, kind: str, policy: Policy, lost: bool = False,
              now: datetime | None = None) -> bool:
    """Queue a run again after its backoff, or fail it past the last attempt; True when it failed.

    `lost`: its worker died (state `lost`, queued again at once: the machine failed, not the run).
    """
    now = now or utcnow()
    told = f"attempt {run.attempt}/{policy.max_attempts}: {reason}"
    if run.attempt >= policy.max_attempts:
        run.status, run.failure_kind, run.finished_at = RunState.FAILED, kind, now
        run.message, run.retry_at = f"{told}; gave up after {policy.max_attempts} attempts", None
        return True
    wait = 0.0 if lost else policy.wait_after(run.attempt)
    run.status = RunState.LOST if lost else RunState.QUEUED
    run.retry_at = now + timedelta(seconds=wait) if wait else None
    run.message = f"{told}; queued again" + (f" (in {wait:.0f} s)" if wait else "")
    return False


def hand_back_run(run: Run, *, reason: str) -> None:
    """Queue a run again at once without counting the attempt (a worker shutting down gave it back)."""
    run.status, run.retry_at = RunState.QUEUED, None
    run.attempt = max(0, run.attempt - 1)
    run.message = f"{reason}; queued again"


def retry_intake(version: ArtifactVersion, *, reason: str, policy: Policy, lost: bool = False,
                 now: datetime | None = None) -> bool:
    """Take a version in again after its backoff, or fail it past the last attempt; True when failed."""
    now = now or utcnow()
    told = f"intake attempt {version.attempt}/{policy.max_attempts}: {reason}"
    version.updated_at = now
    if version.attempt >= policy.max_attempts:
        version.status, version.retry_at = VersionState.FAILED, None
        version.error = f"{told}; gave up after {policy.max_attempts} attempts"
        return True
    wait = 0.0 if lost else policy.wait_after(version.attempt)
    version.status = VersionState.SUBMITTED
    version.retry_at = now + timedelta(seconds=wait) if wait else None
    version.error = f"{told}; queued again" + (f" (in {wait:.0f} s)" if wait else "")
    return False


def hand_back_intake(version: ArtifactVersion, *, reason: str) -> None:
    """Queue a version's intake again at once without counting the attempt."""
    version.status, version.retry_at, version.updated_at = VersionState.SUBMITTED, None, utcnow()
    version.attempt = max(0, version.attempt - 1)
    version.error = f"{reason}; queued again"
