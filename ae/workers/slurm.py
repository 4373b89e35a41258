"""Slurm pools: runs submitted with `sbatch`, followed with `squeue`/`scontrol`, cancelled with
`scancel` (the only module that calls them).

A pool whose conference table has a `[pool.slurm]` table is served by `ae worker --pool NAME` on a
machine that can submit (a login node). Its job, `reproduce_run`, writes the run's plan next to
its work dir (which must be on a file system the compute nodes share, with the snapshots) and
submits one batch job that runs the same pipeline in the sandbox on the compute node
(`python -m ae.evaluators.plan`); the worker follows the job until it ends and stores the record
into the same run row, so heartbeats, lost workers and retries work as for any run.

Rules: resources come from the pool's defaults, then the appendix's check-list (experiment time,
hardware: nodes, tasks, memory), then the claims measuring the run (`hardware = "cluster nodes=2
time=1:00:00"`). A job Slurm cancels, times out or kills for memory fails the run with that kind.
A job Slurm loses (node failure, boot failure, preemption, or gone without a record) is recovered
like a lost worker: submitted again, up to AE_MAX_ATTEMPTS jobs, then the run fails as `lost`.
"""

from __future__ import annotations

import json
import logging
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.clusters import ACTIVE, Settings
from ae.errors import ClusterError

log = logging.getLogger(__name__)

JOB_PREFIX = "ae-"


def _slurm(args: list[str], *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a Slurm command (which finds its cluster the usual way: slurm.conf, SLURM_CONF)."""
    if shutil.which(args[0]) is None:
        raise ClusterError(f"{args[0]} is not on PATH: a Slurm pool's worker must run where jobs can "
                           "be submitted (a login node with the Slurm client commands)")
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ClusterError(f"{args[0]} did not answer within {timeout:g} s") from exc


def submit(script: Path, *, name: str, output: Path, options: list[str]) -> str:
    """Submit a batch script; return the job id."""
    done = _slurm(["sbatch", "--parsable", f"--job-name={name}", f"--output={output}",
                   f"--chdir={script.parent}", "--export=NONE", "--no-requeue", *options, str(script)])
    if done.returncode != 0:
        raise ClusterError(f"sbatch refused the job: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip().split(";")[0]


@dataclass(frozen=True)
class JobState:
    """Where a job stands: Slurm's state, its reason and (once it ended) its exit code."""

    state: str
    reason: str = ""
    exit_code: str = ""
    nodes: str = ""


def state(job_id: str) -> JobState:
    """Return a job's state from `squeue`, or from `scontrol` once it left the queue."""
    done = _slurm(["squeue", "--noheader", "--jobs", job_id, "--states=all", "--format=%T|%r|%N"])
    line = done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""
    if line:
        name, reason, nodes = (line.split("|") + ["", ""])[:3]
        if name in ACTIVE:
            return JobState(name, reason, nodes=nodes)
    shown = _slurm(["scontrol", "--oneliner", "show", "job", job_id])
    if shown.returncode != 0:
        return JobState("VANISHED", "neither squeue nor scontrol knows the job")
    info = dict(item.partition("=")[::2] for item in shown.stdout.split())
    return JobState(info.get("JobState", "VANISHED"), info.get("Reason", ""),
                    info.get("ExitCode", ""), info.get("NodeList", ""))


def cancel(*, job_id: str | None = None, name: str | None = None) -> bool:
    """Cancel a job by id, or every job of ours with a name; tell whether scancel accepted it."""
    args = ["scancel", job_id] if job_id else ["scancel", f"--name={name}"]
    return _slurm(args).returncode == 0


def jobs(prefix: str = JOB_PREFIX) -> list[dict[str, str]]:
    """Return the queued and running jobs whose name starts with `prefix` (ours)."""
    done = _slurm(["squeue", "--noheader", "--format=%i|%j|%T|%r|%N|%M"])
    rows = []
    for line in done.stdout.splitlines():
        parts = (line.split("|") + [""] * 6)[:6]
        if parts[1].startswith(prefix):
            rows.append(dict(zip(("job", "name", "state", "reason", "nodes", "time"), parts, strict=True)))
    return rows


def job_name(run_id: str) -> str:
    """Return the Slurm job name of a run."""
    return f"{JOB_PREFIX}{run_id}"


def job_script(python: str, plan: Path, record: Path, header: str) -> str:
    """Return the batch script that runs a plan on the compute node."""
    return (f"#!/bin/sh\n# {header}\nexec {shlex.quote(python)} -m ae.evaluators.plan "
            f"{shlex.quote(str(plan))} --out {shlex.quote(str(record))}\n")


@dataclass
class Follow:
    """One run's batch jobs, followed until one ends: what to say and when to give up."""

    settings: Settings
    say: Callable[[str], None]
    deadline: float
    max_jobs: int
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    notes: list[str] = field(default_factory=list)

    def wait(self, job_id: str) -> JobState:
        """Poll the job until it ends (or the deadline passes: then it is cancelled)."""
        last = ""
        while True:
            now = state(job_id)
            if now.state not in ACTIVE:
                return now
            shown = f"Slurm job {job_id}: {now.state.lower()}" + (
                f" ({now.reason})" if now.reason and now.reason != "None" else "")
            if shown != last:
                self.say(shown)
                last = shown
            if self.clock() > self.deadline:
                cancel(job_id=job_id)
                return JobState("DEADLINE", "the worker's job timeout (AE_JOB_TIMEOUT) came first")
            self.sleep(self.settings.poll_s)


def python_of(settings: Settings) -> str:
    """Return the interpreter the compute nodes run `ae` with (default: this worker's)."""
    return settings.python or sys.executable


def read_record(path: Path) -> dict[str, Any] | None:
    """Return the record the job wrote (ae's own file, next to the work dir), or None."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return records[0] if records else None
