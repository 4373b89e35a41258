"""`ae verdicts` and `ae diff`: what evaluators review."""

from __future__ import annotations

import json
from typing import Any

import click

from ae.cli.app import current, ready, with_app
from ae.errors import NotFound


@click.command()
@click.argument("artifact")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def verdicts(artifact: str, as_json: bool) -> None:
    """Judge every claim of ARTIFACT again from its stored samples and compare with the stored verdicts."""
    from ae import conferences
    from ae.evaluation import recompute
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact, latest_version

    ready(current())
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
    same = sum(1 for r in rows if r["same"])
    click.echo(f"recomputed {len(rows)} verdicts from the stored samples: "
               f"{same} identical to the stored ones")


def _find_run(session: Any, prefix: str) -> Any:
    from sqlmodel import select

    from ae.storage.models import Run
    from ae.storage.queries import get_run

    matches = list(session.exec(select(Run).where(Run.id.startswith(prefix)).limit(2)))
    if len(matches) != 1:
        raise NotFound(f"no run with id {prefix!r}" if not matches else
                       f"run id {prefix!r} is ambiguous: type more characters")
    return get_run(session=session, run_id=matches[0].id)


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def diff(run_a: str, run_b: str, as_json: bool) -> None:
    """Compare two runs (ids or prefixes): samples, outputs, dependencies, platform, command."""
    from ae.evaluation import run_view
    from ae.storage.db import session_scope
    from ae.verdicts.diffs import TOO_FEW, run_diff

    ready(current())
    with session_scope() as session:
        result = run_diff(run_view(_find_run(session, run_a)), run_view(_find_run(session, run_b)))
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    for row in result["samples"]:
        if row.get("status") == TOO_FEW:
            click.echo(f"metric {row['metric']}: {row['note']} (median ratio {_ratio(row)})")
        elif row.get("status") != "same":
            click.echo(f"metric {row['metric']}: {row.get('status')} (median ratio {_ratio(row)})")
    for row in result["outputs"]:
        if row.get("status") != "same":
            click.echo(f"output {row['name']}: {row['status']} ({row.get('a')} -> {row.get('b')})")
    for section in ("deps", "platform", "env"):
        for row in result[section]:
            click.echo(f"{section} {row['key']}: {row['status']} "
                       f"({row.get('author')} -> {row.get('worker')})")
    if result["command"]["changed"]:
        click.echo(f"command changed: {result['command']['a']} -> {result['command']['b']}")


@click.command("diff-versions")
@click.argument("artifact")
@click.argument("older", required=False, type=int)
@click.argument("newer", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def diff_versions(artifact: str, older: int | None, newer: int | None, as_json: bool) -> None:
    """Compare two versions of ARTIFACT (default: the last two): verdicts and each target's runs."""
    from ae.evaluation import version_diff
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact, versions_of

    ready(current())
    with session_scope() as session:
        found = find_artifact(session=session, prefix=artifact)
        versions = {v.number: v for v in versions_of(session=session, artifact_id=found.id)}
        numbers = sorted(versions)
        if older is None:
            older, newer = (numbers[-2], numbers[-1]) if len(numbers) > 1 else (None, None)
        elif newer is None:
            newer = numbers[-1]
        if older not in versions or newer not in versions:
            raise NotFound(f"artifact {found.id[:12]} has versions {numbers}: name two of them")
        result = version_diff(session=session, older=versions[older], newer=versions[newer])
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    a, b = result["a"], result["b"]
    click.echo(f"version {a['number']} ({str(a['commit'])[:12]}) -> {b['number']} ({str(b['commit'])[:12]})")
    for row in result["claims"]:
        click.echo(f"claim {row['claim']}: {row['a'] or '—'} -> {row['b'] or '—'}"
                   f"{'  (changed)' if row['changed'] else ''}")
    for row in result["targets"]:
        name = f"{row['program']}:{row['cmd_key']}{'@' + row['dataset'] if row['dataset'] else ''}"
        if row["status"] != "compared":
            click.echo(f"run {name}: {row['status']}")
            continue
        for metric in row["diff"]["samples"]:
            if metric.get("status") != "same":
                click.echo(f"run {name} {metric['metric']}: {metric.get('note') or metric.get('status')} "
                           f"(median ratio {_ratio(metric)})")


def _ratio(row: dict[str, Any]) -> str:
    return "—" if row.get("ratio") is None else f"{row['ratio']:.3g}"
