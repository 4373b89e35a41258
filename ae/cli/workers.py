"""`ae workers`: the worker fleet, this machine's profile and pools, and lost-worker recovery."""

from __future__ import annotations

import json

import click

from ae.cli.app import current, ready, with_app
from ae.storage.states import WorkerState


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="Include stopped and lost workers.")
@click.pass_context
@with_app
def workers(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """List workers: name, host, pools, profile, current run, last heartbeat, alive."""
    if ctx.invoked_subcommand is not None:
        return
    from ae.storage.db import session_scope
    from ae.workers.heartbeat import list_workers

    ready(current())
    with session_scope() as session:
        rows = [w for w in list_workers(session=session) if show_all or w["state"] != WorkerState.STOPPED]
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("no workers registered: start one with `ae worker`")
    for w in rows:
        seen = w["last_heartbeat"].strftime("%Y-%m-%d %H:%M:%S") if w["last_heartbeat"] else "never"
        run = w["current_run"][:12] if w["current_run"] else "-"
        click.echo(f"{w['name']}  {'alive' if w['alive'] else w['state']:<7} host {w['host']}  "
                   f"pools {','.join(w['pools']) or '-'}  run {run}  heartbeat {seen} UTC"
                   f"{'  remote' if w['remote'] else ''}\n    {w['profile']}")


@workers.command("profile")
@with_app
def profile() -> None:
    """Show this machine's hardware profile and which pools it satisfies, and why not the others."""
    from ae.pools import unmet
    from ae.workers import worker as ae_worker

    app = current()
    found = ae_worker.detect_profile(app)
    click.echo(f"profile: {found.summary()}")
    for gpu in found.gpus:
        click.echo(f"  gpu: {gpu.name} ({gpu.vendor}), {round(gpu.memory_bytes / 2**30)} GiB, "
                   f"compute capability {gpu.compute_capability or '?'}")
    served = ae_worker.serving_pools(app, found)
    click.echo(f"serves (most specific first): {', '.join(served) or 'no pool'}")
    for pool in ae_worker.all_pools(app):
        if pool.name not in served:
            click.echo(f"  not {pool.name} ({pool.sources[0]}): {'; '.join(unmet(pool, found))}")


@workers.command("reap")
@with_app
def reap() -> None:
    """Mark workers whose heartbeat expired as lost and queue their runs again."""
    from ae.workers import worker as ae_worker

    app = current()
    ready(app)
    outcome = ae_worker.reap_lost(app, inline=True)
    click.echo(f"lost workers: {', '.join(outcome.workers) or 'none'}; runs queued again: "
               f"{len(outcome.requeue)}; runs failed after the last attempt: {len(outcome.gave_up)}")


@click.command("reconcile")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def reconcile_cmd(as_json: bool) -> None:
    """Make Redis and the workers agree with the database: requeue, retry, evaluate, give up.

    Queues again what the database says waits but Redis lacks (runs, intakes, evaluations), marks
    lost what dead workers held and retries it up to AE_MAX_ATTEMPTS (then fails it with the
    reason), and writes again the reports older than a review event they show. Workers run the
    same pass every AE_RECONCILE_INTERVAL seconds.
    """
    from dataclasses import asdict

    from ae.workers import reconcile

    app = current()
    ready(app)
    done = reconcile.reconcile(app, inline=True)
    click.echo(json.dumps(asdict(done), indent=2) if as_json else done.summary())
