"""Where a run's pipeline runs: in this worker (sandboxed, or in podman), or as a Slurm batch job.

`reproduce_run` calls `run_program(run_id, spec)` instead of the pipeline's own: for a run of a
Slurm pool (`ae.workers.slurm`) it writes the plan beside the work dir, submits it, follows the
job and returns the record the compute node wrote, so the job stores it like a local one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from ae import clusters, conferences
from ae.checklist.claims import Claim
from ae.evaluators.pipeline import Progress, RunSpec, Streams
from ae.evaluators.pipeline import run_program as run_here
from ae.evaluators.plan import Plan, target, write_atomically
from ae.evaluators.record import RunRecord
from ae.files.trees import remove_tree
from ae.pools import split_requirement
from ae.storage.db import session_scope
from ae.storage.queries import claims_of, get_run, get_version
from ae.workers import slurm

#: The follower stops this long before the worker's job timeout, to cancel and say so itself.
TIMEOUT_MARGIN_S = 60.0


def run_program(run_id: str, spec: RunSpec, *, progress: Progress | None = None,
                streams: Streams | None = None) -> RunRecord:
    """Run `spec` where the run's pool runs: as a Slurm job for a Slurm pool, else here."""
    settings = _settings(run_id)
    if settings is None and spec.sandbox_mode == "podman":  # the whole pipeline in a container
        from ae.evaluators.container import runner

        return runner.run_program(spec, progress=progress, streams=streams)
    if settings is None:
        return run_here(spec, progress=progress, streams=streams)
    config = current_app.config
    follow = slurm.Follow(settings, progress or (lambda _msg: None),
                          deadline=time.monotonic() + float(config["JOB_TIMEOUT"]) - TIMEOUT_MARGIN_S,
                          max_jobs=max(1, int(config["MAX_ATTEMPTS"])))
    return run_on_cluster(run_id, spec, follow, resources(run_id, settings), streams)


def _settings(run_id: str) -> clusters.Settings | None:
    """Return the Slurm settings of the run's pool, None for a pool that runs here."""
    pools = clusters.pool_settings(conferences.all_conferences())
    if not pools:
        return None  # no query at all where no conference has a Slurm pool
    with session_scope() as session:
        pool = get_run(session=session, run_id=run_id).pool
    return pools.get(pool)


def resources(run_id: str, settings: clusters.Settings) -> clusters.Resources:
    """Return a run's job size: the pool's defaults, then the appendix, then its claims."""
    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        version = get_version(session=session, version_id=run.version_id)
        items = list(version.checklist.get("items") or [])
        claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version.id)]
        program, cmd_key, dataset = run.program, run.cmd_key, run.dataset
    found = settings.resources.over(clusters.from_checklist(items))
    for claim in claims:
        if (claim.program in (None, program) and claim.cmd_key in (None, cmd_key)
                and claim.dataset in (None, dataset)):
            _, wanted = split_requirement(claim.hardware, source=f"claim {claim.id!r}")
            found = found.over(dict(wanted))
    return found


def _plan(spec: RunSpec) -> Plan:
    limits = dataclasses.asdict(spec.limits) if spec.limits else {}
    return Plan(repo_paths=[str(Path(p).resolve()) for p in spec.repo_paths],
                targets=[target(spec.program, spec.cmd_key, spec.dataset)],
                work_root=str(spec.work_dir.resolve()), repetitions=spec.repetitions, limits=limits,
                network=spec.network, optimization=spec.optimization,
                sandbox_mode="auto" if spec.sandbox_mode == "podman" else spec.sandbox_mode,
                cache_dir=str(spec.cache_dir) if spec.cache_dir else None,
                references_dir=str(spec.references_dir) if spec.references_dir else None)


def run_on_cluster(run_id: str, spec: RunSpec, follow: slurm.Follow, size: clusters.Resources,
                   streams: Streams | None = None) -> RunRecord:
    """Submit the run as a batch job, again when Slurm loses it; return the record it wrote."""
    name = slurm.job_name(run_id)
    slurm.cancel(name=name)  # an earlier attempt's job (its worker was lost) must not write here
    jobs_dir = spec.work_dir.with_name(f"{spec.work_dir.name}.slurm")
    remove_tree(jobs_dir)
    notes: list[str] = []
    for n in range(1, follow.max_jobs + 1):
        job_dir = jobs_dir / f"job-{n}"
        job_dir.mkdir(parents=True)
        if n > 1:  # the lost job's leftovers: each job starts from an empty work dir
            remove_tree(spec.work_dir)
            spec.work_dir.mkdir(parents=True)
        plan_path, record_path, script = job_dir / "plan.json", job_dir / "record.json", job_dir / "job.sh"
        write_atomically(plan_path, _plan(spec).to_json())
        script.write_text(slurm.job_script(slurm.python_of(follow.settings), plan_path, record_path,
                                           f"ae: run {run_id}, job {n}"))
        script.chmod(0o755)
        job_id = slurm.submit(script, name=name, output=job_dir / "job.out",
                              options=[*follow.settings.sbatch_options(), *size.options()])
        follow.say(f"submitted as Slurm job {job_id}")
        try:
            end = follow.wait(job_id)
        except BaseException:
            slurm.cancel(job_id=job_id)  # the worker stops following: the job must not run on
            raise
        where = f"Slurm job {job_id} ({size.describe()}{f'; node {end.nodes}' if end.nodes else ''})"
        found = slurm.read_record(record_path)
        if found is not None:
            return _stored(found, notes + [f"ran as {where}"], spec, streams)
        if end.state in clusters.LOST and n < follow.max_jobs:
            notes.append(f"{where} was lost ({end.state}: {end.reason}); submitted again")
            follow.say(notes[-1])
            continue
        return _failed(spec, job_id, end, size, job_dir / "job.out", notes, n)
    raise AssertionError("unreachable: the last job returns")


def _stored(data: dict[str, Any], notes: list[str], spec: RunSpec, streams: Streams | None) -> RunRecord:
    logs = data.pop("logs", None) or {}
    record = RunRecord(**data)
    record.notes.extend(notes)
    if streams is not None and logs:
        work = spec.work_dir.resolve()
        streams(work / logs["stdout"], work / logs["stderr"], work)
    return record


def _failed(spec: RunSpec, job_id: str, end: slurm.JobState, size: clusters.Resources, out: Path,
            notes: list[str], jobs: int) -> RunRecord:
    """Return the record of a job that ended without one: cancelled, out of time or memory, lost."""
    said: dict[str, Callable[[], str]] = {
        "cancelled": lambda: "was cancelled before it finished (scancel)",
        "timeout": lambda: f"ran out of time ({end.reason or 'limit ' + (size.time or 'of the partition')})",
        "memory": lambda: f"ran out of memory (mem={size.mem or 'the default'})",
        "lost": lambda: f"was lost ({end.state}: {end.reason}); gave up after {jobs} jobs",
    }
    kind = "lost" if end.state in clusters.LOST else clusters.FAILED_KINDS.get(end.state, "job-failed")
    if kind == "job-failed":
        tail = out.read_text(errors="replace")[-600:].strip() if out.is_file() else ""
        message = (f"Slurm job {job_id} ended {end.state} (exit code {end.exit_code or '?'}) "
                   f"without a record{': ' + tail if tail else ''}")
    else:
        message = f"Slurm job {job_id} {said[kind]()}"
    return RunRecord(ok=False, failure_kind=kind, message=message, program=spec.program,
                     cmd_key=spec.cmd_key or "", dataset=spec.dataset, notes=notes)
