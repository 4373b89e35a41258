"""`ae verdicts` and `ae diff`: what evaluators review."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from ae import conferences
from ae.cli.ready import ready
from ae.db import session_scope
from ae.errors import NotFound
from ae.evaluation import recompute, run_view
from ae.evaluators.diffs import run_diff
from ae.queries import find_artifact, get_run, latest_version


def _app() -> Any:
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]


@click.command()
@click.argument("artifact")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def verdicts(artifact: str, as_json: bool) -> None:
    """Judge every claim of ARTIFACT again from its stored samples and compare with the stored verdicts."""
    ready(_app())
    with session_scope() as session:
        found = find_artifact(session=session, prefix=artifact)
        version = latest_version(session=session, artifact_id=found.id)
        pairs = recompute(session=session, version=version,
                          conference=conferences.get(found.conference))
    rows = [{"claim": new.claim_id, "outcome": new.outcome, "stored": (old or {}).get("outcome"),
             "same": old is not None and old == new.to_dict(), "reason": new.reason,
             "measured_median": new.measured_median, "ratio_ci": new.ratio_ci, "n": new.n}
            for old, new in pairs]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = "same as stored" if row["same"] else f"STORED: {row['stored']}"
        click.echo(f"{row['claim']}: {row['outcome']} ({mark}) — {row['reason']}")
    same = sum(r["same"] for r in rows)
    click.echo(f"recomputed {len(rows)} verdicts from the stored samples: "
               f"{same} identical to the stored ones")


def _find_run(session: Any, prefix: str) -> Any:
    from sqlmodel import select

    from ae.models import Run

    matches = list(session.exec(select(Run).where(Run.id.startswith(prefix)).limit(2)))
    if len(matches) != 1:
        raise NotFound(f"no run with id {prefix!r}" if not matches else
                       f"run id {prefix!r} is ambiguous: type more characters")
    return get_run(session=session, run_id=matches[0].id)


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def diff(run_a: str, run_b: str, as_json: bool) -> None:
    """Compare two runs (ids or prefixes): samples, outputs, dependencies, platform, command."""
    ready(_app())
    with session_scope() as session:
        result = run_diff(run_view(_find_run(session, run_a)), run_view(_find_run(session, run_b)))
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    for row in result["samples"]:
        if row.get("status") != "same":
            click.echo(f"metric {row['metric']}: {row.get('status')} "
                       f"(median ratio {row.get('ratio', '—')})")
    for row in result["outputs"]:
        if row.get("status") != "same":
            click.echo(f"output {row['name']}: {row['status']} ({row.get('a')} -> {row.get('b')})")
    for section in ("deps", "platform", "env"):
        for row in result[section]:
            click.echo(f"{section} {row['key']}: {row['status']} "
                       f"({row.get('author')} -> {row.get('worker')})")
    if result["command"]["changed"]:
        click.echo(f"command changed: {result['command']['a']} -> {result['command']['b']}")
