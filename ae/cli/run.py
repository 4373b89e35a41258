"""`ae run`: run an artifact's CK programs locally through the same pipeline the workers use."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

import click

from ae.ck.repository import find_repos
from ae.cli.ck import user_cache_dir
from ae.errors import AeError, CkError
from ae.evaluators.pipeline import RunSpec, Target, list_targets, run_program
from ae.evaluators.record import RunRecord
from ae.intake.dependencies import DependencyRepo


def _repositories(source: str, ref: str | None, extra: tuple[Path, ...], cache: Path,
                  ) -> tuple[list[Path], list[Path], list[DependencyRepo]]:
    """Return the artifact's own CK repos, every repo to search (CK's order) and the fetched deps.

    A git URL is fetched into the cache's snapshot store; so is every `repo_deps` repository that
    neither the artifact nor a `--repo` holds, from its `repo_url`.
    """
    from ae.intake import dependencies
    from ae.intake.policy import author_policy

    policy = author_policy()

    def fetch(url: str, fetch_ref: str | None) -> dependencies.Fetched:
        from ae.intake.fetch import fetch_source  # git, tar: only when something is fetched

        return fetch_source(url, fetch_ref, store_root=cache, policy=policy)

    local = Path(source)
    root = local if local.is_dir() else fetch(source, ref).tree
    try:
        own = find_repos(root.resolve())
    except CkError as exc:
        raise CkError(f"{source}: {exc}") from exc
    extra_repos = [p.resolve() for p in extra]
    deps = dependencies.resolve(own, fetch=fetch, available=extra_repos)
    return own, dependencies.search_paths(own, deps, extra_repos), deps


def _median_time(record: RunRecord) -> str:
    times = [s["execution_time"] for s in record.samples if "execution_time" in s]
    return f"{statistics.median(times):.4g}" if times and record.ok else "-"


def _summary(records: list[RunRecord]) -> str:
    rows = [("program", "cmd_key", "dataset", "result", "time (s)", "message")]
    for r in records:
        rows.append((r.program, r.cmd_key, r.dataset or "-", "ok" if r.ok else r.failure_kind or "failed",
                     _median_time(r), "" if r.ok else r.message[:100]))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + row[5])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.command("run")
@click.argument("source")
@click.argument("program", required=False)
@click.option("--cmd-key", help="Command key of run_cmds (default: the only one, else 'default').")
@click.option("--dataset", help="Dataset UOA (default: chosen by the command's dataset_tags).")
@click.option("--dataset-file", help="The dataset file $#dataset_filename#$ names (default: the first).")
@click.option("--repetitions", default=3, show_default=True, type=click.IntRange(min=1))
@click.option("--repo", "extra_repos", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A further CK repository to search (datasets, shared programs); repeatable.")
@click.option("--ref", help="Git ref to run when SOURCE is a git URL (default: HEAD).")
@click.option("--cache-dir", type=click.Path(path_type=Path),
              help="Build, software and package cache (default: ~/.cache/ae).")
@click.option("--references-dir", type=click.Path(path_type=Path),
              help="Where reference outputs are recorded on the first run (default: in the cache).")
@click.option("--work-dir", type=click.Path(path_type=Path),
              help="Parent of the per-run work dirs (default: a new temporary directory).")
@click.option("--sandbox", "sandbox_mode", type=click.Choice(["auto", "bwrap", "podman", "none"]),
              default="auto", show_default=True,
              help="'podman': the whole pipeline in a container; 'none' runs unsandboxed (unsafe).")
@click.option("--json", "as_json", is_flag=True, help="Print the run records as JSON lines.")
def run_cmd(source: str, program: str | None, cmd_key: str | None, dataset: str | None,
            dataset_file: str | None, repetitions: int, extra_repos: tuple[Path, ...], ref: str | None,
            cache_dir: Path | None, references_dir: Path | None, work_dir: Path | None,
            sandbox_mode: str, as_json: bool) -> None:
    """Compile and run CK programs of a local artifact or git URL (what `ck run` did)."""
    cache = cache_dir or user_cache_dir()
    runs_root = work_dir or Path(tempfile.mkdtemp(prefix="ae-run-"))
    runs_root.mkdir(parents=True, exist_ok=True)
    own, repos, deps = _repositories(source, ref, extra_repos, cache)
    for dep in deps:
        click.echo(f"dependency {dep.repo}: {dep.url} at {dep.commit[:12]} ({dep.pinned_by})", err=True)
    if program:
        targets = [Target(program, cmd_key or "", dataset)]
    else:
        targets = [t for t in list_targets(repos, own=own, cache_dir=cache)
                   if (cmd_key is None or t.cmd_key == cmd_key)
                   and (dataset is None or t.dataset in (None, dataset))]
        if not targets:
            raise AeError(f"No program command in {source} matches the options given.")
    records: list[RunRecord] = []
    stage = {"text": ""}

    def show_stage(_: int | None) -> str:
        return stage["text"]

    with click.progressbar(length=len(targets), label="running", file=sys.stderr,
                           item_show_func=show_stage) as bar:
        for n, target in enumerate(targets):
            def progress(message: str, t: Target = target) -> None:
                stage["text"] = f"{t.program} {t.cmd_key}: {message}"
                bar.render_progress()

            spec = RunSpec(
                repo_paths=repos, program=target.program, cmd_key=target.cmd_key or None,
                dataset=target.dataset or dataset, work_dir=runs_root / f"run-{n:03d}",
                dataset_file=dataset_file, repetitions=repetitions, cache_dir=cache,
                references_dir=references_dir or cache / "references", sandbox_mode=sandbox_mode)
            if sandbox_mode == "podman":  # the whole pipeline in a container
                from ae.evaluators.container import runner

                records.append(runner.run_program(spec, progress=progress))
            else:
                records.append(run_program(spec, progress=progress))
            bar.update(1)
    if as_json:
        for record in records:
            click.echo(json.dumps(record.to_dict(), sort_keys=True))
    else:
        click.echo(_summary(records))
        click.echo(f"work dirs: {runs_root}")
    if not all(r.ok for r in records):
        raise SystemExit(1)
