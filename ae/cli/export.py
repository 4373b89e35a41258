"""`ae export`: an artifact as an OCI container that runs the same pipeline where it lands.

`ae export container ID|PATH` writes a build context (Containerfile, `ae`, the pinned snapshot and
its dependency repositories, the run plan); `--build` builds it with podman, `--run` runs it and
prints the records and the claims' verdicts as a worker would store them (more repetitions while a
verdict is inconclusive, as the service asks). `ae export base-image` makes the base image from a
local Debian root file system.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ae.cli.app import current, ready, with_app
from ae.evaluators.container import base as base_image

#: More repetitions are asked at most this many times, whatever the verdict rule says.
MAX_ROUNDS = 10


@click.group()
def export() -> None:
    """Export artifacts: an OCI container that runs the pipeline where it lands."""


@dataclass
class _Source:
    """What an export needs from the service (an artifact id) or a local checkout (a path)."""

    name: str
    export: Any  # recipe.Export
    claims: list[Any]  # Claim
    conference: Any  # Conference
    header: list[str]


def _targets(rows: list[tuple[str, str, str | None]]) -> list[dict[str, str | None]]:
    from ae.evaluators.plan import target

    return [target(p, k, d) for p, k, d in dict.fromkeys(rows)]


def _from_service(ident: str) -> _Source:
    """Read a submitted artifact (id or id prefix) or version id: its pinned snapshot and runs."""
    from ae import conferences
    from ae.checklist.claims import Claim
    from ae.ck.repository import find_repos
    from ae.errors import AeError, NotFound
    from ae.evaluators.container.recipe import Export
    from ae.storage.db import session_scope
    from ae.storage.models import ArtifactVersion
    from ae.storage.queries import claims_of, find_artifact, get_artifact, latest_version, runs_of
    from ae.workers.jobs import snapshot_tree

    ready(current())
    with session_scope() as session:
        version = session.get(ArtifactVersion, ident)
        if version is None:
            version = latest_version(session=session,
                                     artifact_id=find_artifact(session=session, prefix=ident).id)
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        if version.snapshot_digest is None:
            raise AeError(f"version {version.number} of artifact {artifact.id} has no snapshot yet "
                          f"({version.status}): export it once it has been taken in")
        rows = [(r.program, r.cmd_key, r.dataset) for r in runs_of(session=session, version_id=version.id)]
        claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version.id)]
        digest, deps = version.snapshot_digest, list(version.dependencies)
        header = [f"artifact {artifact.id} version {version.number}: {artifact.title}",
                  f"commit {version.commit or '(archive)'}, snapshot sha256 {digest}"]
        slug, name = artifact.conference, artifact.id[:12]
    if not rows:
        raise NotFound(f"artifact {name} has no runs to export")
    conference = conferences.get(slug)
    root = snapshot_tree(digest)
    dependencies = [(f"{n:02d}-{d.get('alias') or d.get('repo')}", snapshot_tree(str(d["digest"])))
                    for n, d in enumerate(deps)]
    export = Export(artifact_root=root, own_repos=find_repos(root), dependencies=dependencies,
                    targets=_targets(rows), repetitions=conference.repetitions,
                    limits=dict(conference.limits), network=conference.network, header=header)
    return _Source(name=name, export=export, claims=claims, conference=conference, header=header)


def _from_path(path: Path, conference_slug: str | None) -> _Source:
    """Read a local checkout as intake would: dependency repositories, claims, the worker's runs."""
    from ae import conferences
    from ae.cli.ck import user_cache_dir
    from ae.cli.run import _repositories
    from ae.evaluators.container.recipe import Export
    from ae.evaluators.pipeline import list_targets
    from ae.intake import appendix
    from ae.workers.jobs import _plan_runs, _read_claims, _recorded_claims

    conference = conferences.get(conference_slug or str(current().config["CONFERENCE"]))
    root = path.resolve()
    own, repos, deps = _repositories(str(root), None, (), user_cache_dir())
    found = appendix.find(root, None)
    name, text = found if found else (None, None)
    claims = _read_claims(root, text, name or "appendix")
    targets = list_targets(repos, own=own)
    claims += _recorded_claims(own, targets, text, {c.id for c in claims})
    rows = [(p, k, d) for p, k, d, _ in _plan_runs(targets, claims, conference)]
    header = [f"local artifact {root.name} (not pinned: exported from the working tree)"]
    export = Export(artifact_root=root, own_repos=own,
                    dependencies=[(f"{n:02d}-{d.alias}", d.tree) for n, d in enumerate(deps)],
                    targets=_targets(rows), repetitions=conference.repetitions,
                    limits=dict(conference.limits), network=conference.network, header=header)
    return _Source(name=root.name.lower(), export=export, claims=claims, conference=conference,
                   header=header)


def _runs(records: list[dict[str, Any]], targets: list[dict[str, str | None]]) -> list[Any]:
    """Turn records into run rows that are never stored, for the verdict rule to read."""
    from ae.storage.models import Run
    from ae.storage.states import RunState

    return [Run(version_id="export", program=str(t["program"]), cmd_key=r["cmd_key"],
                dataset=t["dataset"], repetitions=len(r["samples"]) or 1,
                status=RunState.SUCCEEDED if r["ok"] else RunState.FAILED,
                failure_kind=r["failure_kind"], message=r["message"], samples=r["samples"], record=r)
            for r, t in zip(records, targets, strict=True)]


def _run_image(tag: str, source: _Source) -> tuple[list[dict[str, Any]], list[Any]]:
    """Run the image, then again for more repetitions while a verdict asks for them."""
    from ae.evaluation import judge, matches, policy_for
    from ae.storage.states import RunState
    from ae.verdicts.rule import Outcome

    export = source.export
    records = _container_records(tag, [], export.repetitions, export.limits)
    runs = _runs(records, export.targets)
    policy = policy_for(source.conference)
    for _ in range(MAX_ROUNDS):
        verdicts = [judge(claim, runs, policy) for claim in source.claims]
        more: dict[tuple[str, str, str | None], int] = {}
        for claim, verdict in zip(source.claims, verdicts, strict=True):
            if verdict.outcome != Outcome.INCONCLUSIVE or verdict.more_repetitions <= 0:
                continue
            for run in runs:
                if matches(claim, run) and run.status == RunState.SUCCEEDED:
                    key = (run.program, run.cmd_key, run.dataset)
                    more[key] = max(more.get(key, 0), verdict.more_repetitions)
        if not more:
            return records, verdicts
        for (program, cmd_key, dataset), repetitions in sorted(more.items(), key=str):
            wanted = [{"program": program, "cmd_key": cmd_key, "dataset": dataset}]
            extra = _container_records(tag, wanted, repetitions, export.limits)
            records += extra
            runs += _runs(extra, wanted)
    return records, [judge(claim, runs, policy) for claim in source.claims]


def _container_records(tag: str, targets: list[dict[str, str | None]], repetitions: int,
                       limits: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the exported image (for `targets` only, when given); return the records it printed."""
    from ae.errors import ContainerError
    from ae.evaluators.container import podman
    from ae.evaluators.container.recipe import PLAN
    from ae.evaluators.sandbox import Limits

    argv = ["python3", "-m", "ae.evaluators.plan", str(PLAN), "--repetitions", str(repetitions)]
    if targets:
        argv += ["--targets", json.dumps(targets)]
    wall = Limits.from_mapping(limits).wall_s
    done = podman.run(tag, argv, name=f"ae-export-{os.getpid()}",
                      timeout=wall * (repetitions + 2) * max(1, len(targets) or 8) + 600)
    lines = [line for line in done.stdout.decode(errors="replace").splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.decode(errors="replace").strip().splitlines()[-10:])
        raise ContainerError(f"the container {tag} exited with {done.returncode}: {tail}")
    return [json.loads(line) for line in lines]


@export.command("container")
@click.argument("source")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="New directory for the build context (default: ./ae-container-<name>).")
@click.option("--conference", help="For a PATH: the conference whose limits and repetitions apply "
              "(default: AE_CONFERENCE).")
@click.option("--base", "base_tag", default=base_image.DEFAULT_TAG, show_default=True,
              help="Base image (local: no registry is pulled); make it with `ae export base-image`.")
@click.option("--tag", help="Image name (default: localhost/ae-artifact:<name>).")
@click.option("--build", is_flag=True, help="Build the image with podman.")
@click.option("--run", "run_it", is_flag=True, help="Build and run it; print records and verdicts.")
@click.option("--json", "as_json", is_flag=True, help="With --run: print one JSON document.")
@with_app
def container(source: str, output: Path | None, conference: str | None, base_tag: str,
              tag: str | None, build: bool, run_it: bool, as_json: bool) -> None:
    """Write a Containerfile for artifact ID (or a local PATH) that runs its runs where it lands."""
    from ae.evaluators.container import podman
    from ae.evaluators.container.recipe import write_export

    found = _from_path(Path(source), conference) if Path(source).is_dir() else _from_service(source)
    context = output or Path.cwd() / f"ae-container-{found.name}"
    containerfile = write_export(context, found.export, base=base_tag)
    meta = {"source": source, "header": found.header, "base": base_tag,
            "targets": found.export.targets, "claims": [c.to_dict() for c in found.claims],
            "conference": found.conference.slug}
    (context / "export.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    click.echo(f"wrote {containerfile}", err=True)
    if not (build or run_it):
        return
    if podman.image_id(base_tag) is None:
        raise click.ClickException(f"there is no image {base_tag} on this machine: make it with "
                                   "`ae export base-image` (or name another with --base)")
    image = tag or f"localhost/ae-artifact:{found.name}"
    podman.build(context, image)
    click.echo(f"built {image}", err=True)
    if run_it:
        records, verdicts = _run_image(image, found)
        _show(image, records, verdicts, as_json)
        if not all(r["ok"] for r in records):
            raise SystemExit(1)


def _show(image: str, records: list[dict[str, Any]], verdicts: list[Any], as_json: bool) -> None:
    from ae.cli.run import _summary
    from ae.evaluators.record import RunRecord

    if as_json:
        click.echo(json.dumps({"image": image, "records": records,
                               "verdicts": [v.to_dict() for v in verdicts]}, sort_keys=True))
        return
    shown = [RunRecord(**{k: v for k, v in r.items() if k != "logs"}) for r in records]
    click.echo(_summary(shown))
    for verdict in verdicts:
        click.echo(f"{verdict.claim_id}: {verdict.outcome} — {verdict.reason}")


@export.command("base-image")
@click.option("--tag", default=base_image.DEFAULT_TAG, show_default=True)
@click.option("--suite", default=base_image.DEFAULT_SUITE, show_default=True)
@click.option("--mirror", help="Debian mirror URL (default: the one this machine's apt uses).")
@click.option("--package", "packages", multiple=True,
              help=f"Packages to install (repeatable; default: {' '.join(base_image.DEFAULT_PACKAGES)}).")
@click.option("--rebuild", is_flag=True, help="Build it again even if the image exists.")
def base_image_cmd(tag: str, suite: str, mirror: str | None, packages: tuple[str, ...],
                   rebuild: bool) -> None:
    """Make the base image of ae's containers with debootstrap and `podman import` (no registry)."""
    from ae.evaluators.container import podman

    if not rebuild and podman.image_id(tag):
        click.echo(f"{tag} exists already (--rebuild makes it again)")
        return
    image = base_image.build_base(tag, suite=suite, mirror=mirror,
                                  packages=packages or base_image.DEFAULT_PACKAGES)
    click.echo(f"built {tag} ({image[:12]})")
