"""`ae slurm`: the batch jobs of Slurm pools (run on a machine with the Slurm client commands)."""

from __future__ import annotations

import json

import click


@click.group()
def slurm() -> None:
    """Follow and cancel the Slurm jobs that runs of Slurm pools were submitted as."""


@slurm.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def jobs_cmd(as_json: bool) -> None:
    """List ae's queued and running Slurm jobs: job id, run, state, reason, nodes, time."""
    from ae.workers import slurm as batch

    rows = batch.jobs()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no Slurm job of ae is queued or running")
    for row in rows:
        run = row["name"].removeprefix(batch.JOB_PREFIX)
        click.echo(f"{row['job']}  run {run}  {row['state'].lower()}  {row['reason']}  "
                   f"nodes {row['nodes'] or '-'}  {row['time']}")


@slurm.command("cancel")
@click.argument("run_id")
def cancel_cmd(run_id: str) -> None:
    """Cancel the Slurm job of a run (scancel); the run fails as `cancelled`."""
    from ae.workers import slurm as batch

    name = batch.job_name(run_id)
    if not any(row["name"] == name for row in batch.jobs()):
        raise click.ClickException(f"no queued or running Slurm job for run {run_id}")
    batch.cancel(name=name)
    click.echo(f"cancelled the Slurm job of run {run_id}")
