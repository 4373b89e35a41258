"""An evaluator's re-run: more repetitions of a run's target, on its pool or another of the conference's.

Rule: the new run repeats the same program, command and dataset of the same version; it asks for
1 to the conference's `max_repetitions` repetitions, on a pool the conference names. A settled
version keeps its verdicts; the new run's samples stand next to the old ones for the evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from ae.errors import ReviewError
from ae.storage.models import ArtifactVersion, Run


def plan_rerun(*, session: Session, artifact_id: str, run_id: str, repetitions: int, pool: str | None,
               pools: Sequence[str], max_repetitions: int) -> Run:
    """Add (not commit) a queued run repeating run `run_id` of the artifact; the caller enqueues it."""
    run = session.get(Run, run_id)
    version = session.get(ArtifactVersion, run.version_id) if run is not None else None
    if run is None or version is None or version.artifact_id != artifact_id:
        raise ReviewError("this artifact has no such run to repeat")
    if not 1 <= repetitions <= max_repetitions:
        raise ReviewError(f"ask for 1 to {max_repetitions} repetitions (got {repetitions})")
    chosen = pool or run.pool
    if chosen not in pools:
        raise ReviewError(f"no pool {chosen!r} in this conference (pools: {', '.join(pools)})")
    again = Run(version_id=run.version_id, program=run.program, cmd_key=run.cmd_key, dataset=run.dataset,
                pool=chosen, repetitions=repetitions)
    session.add(again)
    session.flush()
    return again

