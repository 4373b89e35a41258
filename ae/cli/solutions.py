"""`ae solution …`: portable solutions for volunteers (init, benchmark, submit) and the service's side
(publish, list).

`init`, `benchmark` and `submit` run on the volunteer's machine and load nothing of the service
(Flask, SQLAlchemy, RQ): `init NAME` reads the manifest from the service at AE_REMOTE_URL, `submit`
sends the result there with AE_TOKEN. `publish` runs on the service's machine, as its operator;
`list` asks the service at AE_REMOTE_URL when it is set, else the local instance.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

import click

from ae.errors import AeError, SolutionError

HOME_HELP = "Where solutions are set up (default: ~/.cache/ae/solutions; env AE_SOLUTIONS_HOME)."
MAX_MANIFEST_BYTES = 256 << 10


def _home(home: Path | None) -> Path:
    return home or Path.home() / ".cache" / "ae" / "solutions"


def _service() -> tuple[str, str] | None:
    """Return AE_REMOTE_URL and AE_TOKEN (the token may be empty for reading), or None."""
    url = os.environ.get("AE_REMOTE_URL", "").strip().rstrip("/")
    return (url, os.environ.get("AE_TOKEN", "").strip()) if url else None


def _read_manifest(what: str) -> bytes:
    """Return a manifest's bytes: a local file, an http(s) URL, or a name published on AE_REMOTE_URL."""
    path = Path(what)
    if path.is_file():
        return path.read_bytes()[:MAX_MANIFEST_BYTES + 1]
    if what.startswith(("https://", "http://")):
        url = what
    else:
        service = _service()
        if service is None:
            raise AeError(f"{what} is no file or URL: set AE_REMOTE_URL to the service that publishes it")
        url = f"{service[0]}/api/solutions/{what}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data: bytes = response.read(MAX_MANIFEST_BYTES + 1)
            return data
    except OSError as exc:
        raise AeError(f"cannot read the manifest at {url}: {exc}") from exc


@click.group("solution")
def solution() -> None:
    """Portable solutions: set up, benchmark and submit a published workflow from this machine."""


@solution.command("init")
@click.argument("what", metavar="NAME|URL|FILE")
@click.option("--home", type=click.Path(path_type=Path), envvar="AE_SOLUTIONS_HOME", help=HOME_HELP)
@click.option("--reuse-packages", is_flag=True,
              help="Let the solution's environment read this interpreter's packages and install only what "
                   "is missing (a machine without network).")
def init_cmd(what: str, home: Path | None, reuse_packages: bool) -> None:
    """Fetch a solution's artifact at its commit, make its environment, install and check its pins."""
    from ae.solutions import manifest as manifests
    from ae.solutions import setup

    found = manifests.load(_read_manifest(what))
    prepared = setup.init(found, _home(home), reuse_packages=reuse_packages)
    click.echo(f"solution {found.name} ready in {prepared.root}")
    click.echo(f"  artifact {found.source} at {found.commit}")
    click.echo(f"  environment {prepared.venv}: " + (", ".join(f"{n} {v}" for n, v in
                                                         sorted(prepared.packages.items())) or "no pins"))
    click.echo(f"  software: {', '.join(prepared.software) or 'none detected'}")


@solution.command("benchmark")
@click.argument("name")
@click.option("--home", type=click.Path(path_type=Path), envvar="AE_SOLUTIONS_HOME", help=HOME_HELP)
@click.option("--configuration", "cmd_keys", multiple=True,
              help="A configuration (cmd_key) to run; repeatable (default: the manifest's default ones).")
@click.option("--repetitions", type=click.IntRange(1, 100), help="Repetitions (default: the manifest's).")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False), envvar="AE_WORKER_PROFILE",
              help="A JSON file declaring this machine's hardware instead of detecting it.")
@click.option("--sandbox", "sandbox_mode", type=click.Choice(["auto", "bwrap", "none"]), default="auto",
              show_default=True, help="'none' runs unsandboxed (unsafe: trusted code only).")
@click.option("--json", "as_json", is_flag=True, help="Print the sealed result as JSON.")
def benchmark_cmd(name: str, home: Path | None, cmd_keys: tuple[str, ...], repetitions: int | None,
                  profile: str | None, sandbox_mode: str, as_json: bool) -> None:
    """Run the solution's configurations in the sandbox, judge its claims, write the sealed result."""
    from ae.solutions import bench, hardware, setup

    prepared = setup.load(_home(home), name)
    machine = hardware.this_machine(profile)
    done = bench.benchmark(prepared, hardware=machine, cmd_keys=cmd_keys, repetitions=repetitions,
                           sandbox_mode=sandbox_mode,
                           progress=lambda message: click.echo(message, err=True))
    if as_json:
        click.echo(json.dumps(done.sealed, sort_keys=True))
    else:
        click.echo(f"hardware: {machine['class']} (fingerprint {machine['fingerprint']})")
        for record in done.records:
            state = "ok" if record.ok else f"{record.failure_kind}: {record.message[:120]}"
            problems = done.problems.get(record.cmd_key) or []
            click.echo(f"  {record.cmd_key}: {len(record.samples)} repetitions, {state}"
                       + (f"; {'; '.join(problems)}" if problems and record.ok else ""))
        for claim, verdict in sorted(done.verdicts.items()):
            click.echo(f"  claim {claim}: {verdict.outcome}")
        click.echo(f"result: {done.path}")
    if not all(r.ok for r in done.records):
        sys.exit(1)


@solution.command("submit")
@click.argument("name")
@click.option("--home", type=click.Path(path_type=Path), envvar="AE_SOLUTIONS_HOME", help=HOME_HELP)
@click.option("--result", "result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The result file to send (default: the newest of the solution).")
def submit_cmd(name: str, home: Path | None, result_file: Path | None) -> None:
    """Sign a result with AE_TOKEN and send it to the service at AE_REMOTE_URL."""
    from ae.cli.remote import Remote
    from ae.config import remote_from_env
    from ae.solutions import bench, result, setup

    found = remote_from_env()
    if found is None:
        raise AeError("set AE_REMOTE_URL (the service) and AE_TOKEN (your API token) to submit")
    url, token = found
    path = result_file or bench.latest(setup.load(_home(home), name))
    try:
        sealed = json.loads(path.read_text())
        submission = result.sign(sealed, token)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SolutionError(f"{path} is not a result file: {exc}") from exc
    answer: dict[str, Any] = Remote(url, token).post(f"/api/solutions/{name}/results", submission)
    click.echo(f"result {answer['id']} received: {answer['hardware']} "
               f"({'valid' if answer['valid'] else 'FAILED VALIDATION'})")
    for cmd_key, problems in sorted(answer["problems"].items()):
        click.echo(f"  {cmd_key}: {'; '.join(problems)}")
    for claim, verdict in sorted(answer["verdicts"].items()):
        click.echo(f"  claim {claim}: {verdict['outcome']} (judged by the service)")


@solution.command("publish")
@click.argument("manifest_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", help="The artifact's source to pin (default: the manifest's).")
@click.option("--ref", help="The ref to pin (default: the manifest's commit or ref, else HEAD).")
def publish_cmd(manifest_file: Path, source: str | None, ref: str | None) -> None:
    """Publish a solution on this service (its commit pinned from the source)."""
    from ae.cli.app import with_app

    @with_app
    def run() -> None:
        from ae import crowd
        from ae.solutions import manifest as manifests
        from ae.storage.db import session_scope

        found = manifests.load(manifest_file.read_bytes())
        data = json.loads(json.dumps(found.data))
        if source or found.commit is None:
            wanted = ref or found.commit or data["artifact"].get("ref")
            data["artifact"] = _pin(source or found.source, wanted)
        pinned = manifests.from_data(data)
        with session_scope() as session:
            row = crowd.publish(session=session, manifest=pinned, user_id=None)
            click.echo(f"published solution {row.name} ({row.conference}) at {pinned.commit}, "
                       f"manifest {row.digest[:12]}")

    run()


def _pin(source: str, ref: str | None) -> dict[str, str]:
    """Return the manifest's artifact table with the commit `source` has at `ref` (fetched to pin it)."""
    import tempfile

    from ae.intake.fetch import fetch_source
    from ae.intake.policy import author_policy

    local = Path(source)
    if local.is_dir():
        source = str(local.resolve())
    with tempfile.TemporaryDirectory(prefix="ae-publish-") as store:
        fetched = fetch_source(source, ref, store_root=Path(store), policy=author_policy())
    return {"source": source, "commit": fetched.commit}


@solution.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """List the published solutions (of the service at AE_REMOTE_URL, else of this instance)."""
    service = _service()
    if service is not None:
        from ae.cli.remote import Remote

        found: list[dict[str, Any]] = list(Remote(*service).get("/api/solutions"))
    else:
        found = _local_solutions()
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    for item in found:
        click.echo(f"{item['name']}  {item['conference']}  {item['results']} results  {item['title']}")


def _local_solutions() -> list[dict[str, Any]]:
    from ae.cli.app import with_app

    @with_app
    def run() -> list[dict[str, Any]]:
        from ae import crowd
        from ae.storage.db import session_scope

        with session_scope() as session:
            counts = crowd.counts(session=session)
            return [crowd.summary(s, results=counts.get(s.name, 0))
                    for s in crowd.all_solutions(session=session)]

    return run()
