"""`ae submit`, `ae resubmit` and `ae status`: on the instance's machine as its operator, or on
any machine through a remote service's API (AE_REMOTE_URL and AE_TOKEN, `ae.cli.remote`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ae.cli import remote
from ae.cli.app import current, ready, with_app
from ae.config import remote_from_env
from ae.storage.states import RunState


@click.command()
@click.argument("source")
@click.option("--ref", help="Branch, tag or commit to pin (default: HEAD).")
@click.option("--title", help="Paper title (default: the source's name).")
@click.option("--conference", help="Conference slug (default: AE_CONFERENCE; with AE_REMOTE_URL: the one you "
              "submit to).")
@click.option("--badge", "badges", multiple=True, help="Requested badge (repeatable).")
@click.option("--appendix", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Artifact Appendix file (default: found in the repository).")
def submit(source: str, ref: str | None, title: str | None, conference: str | None,
           badges: tuple[str, ...], appendix: Path | None) -> None:
    """Submit SOURCE for evaluation: a git URL or directory, or an archive file (.tar[.gz|.xz|.bz2], .zip)."""
    service = _remote()
    if service is not None:
        ids = remote.submit(service, source=source, ref=ref, title=title or _name(source),
                            conference=conference, badges=badges, appendix=appendix)
    else:
        ids = _submit_here(source, ref, title, conference, badges, appendix)
    click.echo(f"submitted artifact {ids['artifact']} (version {ids['version']}); "
               "a worker (`ae worker`) will reproduce it; follow it with `ae status`")
    if ids["checklist"] is not None:
        counts = ids["checklist"]["counts"]
        click.echo(f"check-list of {appendix}: {counts.get('error', 0)} errors, "
                   f"{counts.get('warning', 0)} warnings (details: `ae lint {appendix}`)")
        for finding in ids["checklist"]["findings"]:
            if finding["severity"] == "error":
                where = f" line {finding['line']}" if finding.get("line") else ""
                click.echo(f"  error{where}: {finding['message']}")


@with_app
def _submit_here(source: str, ref: str | None, title: str | None, conference: str | None,
                 badges: tuple[str, ...], appendix: Path | None) -> dict[str, Any]:
    """Submit on this machine, as the instance's operator."""
    from ae.intake import appendix as appendix_file
    from ae.submission import submit as submit_artifact

    app = current()
    ready(app)
    text = appendix_file.decode(appendix.read_bytes(), appendix.name) if appendix else None
    archive = Path(source) if Path(source).is_file() else None  # a file, not a directory: an archive
    ids = submit_artifact(
        conference=conference or app.config["CONFERENCE"], title=title or _name(source),
        source="" if archive else source, ref=ref, archive=archive, badges=badges,
        appendix_name=appendix.name if appendix else None, appendix_text=text)
    return {"artifact": ids.artifact_id, "version": ids.version_id, "checklist": ids.checklist}


def _remote() -> remote.Remote | None:
    """Return the remote service the CLI talks to (AE_REMOTE_URL and AE_TOKEN), or None: this machine."""
    found = remote_from_env()
    return None if found is None else remote.Remote(*found)


def _name(source: str) -> str:
    """Return a default title: the source's last name without .git or an archive suffix."""
    name = Path(source.rstrip("/")).name
    for suffix in (".git", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


@click.command()
@click.argument("artifact")
@click.option("--ref", help="Branch, tag or commit of the artifact's source (default: HEAD).")
@click.option("--archive", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A new archive of an artifact submitted as an archive.")
@click.option("--appendix", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Artifact Appendix file (default: found in the repository).")
def resubmit(artifact: str, ref: str | None, archive: Path | None, appendix: Path | None) -> None:
    """Submit a new version of ARTIFACT (id prefix): its source again, at REF."""
    service = _remote()
    if service is not None:
        ids = remote.resubmit(service, artifact=artifact, ref=ref, archive=archive, appendix=appendix)
    else:
        ids = _resubmit_here(artifact, ref, archive, appendix)
    click.echo(f"submitted version {ids['version']} of artifact {ids['artifact']}; "
               "compare versions with `ae diff-versions`")


@with_app
def _resubmit_here(artifact: str, ref: str | None, archive: Path | None,
                   appendix: Path | None) -> dict[str, Any]:
    """Add a version on this machine, as the instance's operator."""
    from ae.intake import appendix as appendix_file
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact
    from ae.submission import resubmit as resubmit_artifact

    ready(current())
    with session_scope() as session:
        artifact_id = find_artifact(session=session, prefix=artifact).id
    text = appendix_file.decode(appendix.read_bytes(), appendix.name) if appendix else None
    ids = resubmit_artifact(artifact_id=artifact_id, ref=ref, archive=archive,
                            appendix_name=appendix.name if appendix else None, appendix_text=text)
    return {"artifact": ids.artifact_id, "version": ids.version_id}


def echo_status(item: dict[str, Any]) -> None:
    """Print one artifact's status: runs, verdicts, badge recommendations, issued badges, report."""
    click.echo(f"{item['id'][:12]}  {item['status']:<8} {item['title']}  [{item['conference']}]")
    if item["error"]:
        click.echo(f"    error: {item['error']}")
    smoke = item.get("smoke") or {}
    if smoke:
        done = smoke.get("stage") == "done"
        click.echo("    smoke test: " + ("running" if not done else "every command ran" if smoke.get("ok")
                                         else "some commands failed"))
        for line in smoke.get("sentences") or []:
            click.echo(f"      {line}")
    for run in item["runs"]:
        failure = f"  {run['failure_kind']}: {run['message']}" if run["failure_kind"] else ""
        stage = " (smoke)" if run.get("stage") == "smoke" else ""
        click.echo(f"    run {run['program']}:{run['cmd_key']}{stage}"
                   f"{'@' + run['dataset'] if run['dataset'] else ''} x{run['repetitions']} "
                   f"{run['status']}{failure}")
        if run.get("waiting") or run["status"] == RunState.LOST:
            click.echo(f"      waiting: {run.get('waiting') or run['message']}")
    for verdict in item["verdicts"]:
        click.echo(f"    claim {verdict['claim']}: {verdict['outcome']} — {verdict['reason']}")
    for badge in item["badges"]:
        click.echo(f"    badge {badge['title']}: {badge['status']} — {badge['why']}")
    for issued in item.get("issued") or []:
        state = (f"revoked {issued['revoked_at'][:10]}: {issued['revoked_reason']}"
                 if issued["status"] == "revoked" else "valid")
        click.echo(f"    issued {issued['title']} on {issued['issued_at'][:10]} "
                   f"(version {issued['version']}): {state} — {issued['url']} · verify at {issued['verify']}")
    if item["report"]:
        click.echo(f"    report: {item['report']}")


@click.command()
@click.argument("artifact", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(artifact: str | None, as_json: bool) -> None:
    """Show artifacts (or one, by id prefix) with runs, verdicts and badges."""
    service = _remote()
    items = remote.status(service, artifact) if service is not None else _status_here(artifact)
    if as_json:
        click.echo(json.dumps(items, indent=2, default=str))
        return
    if not items:
        click.echo("no artifacts yet: submit one with `ae submit <git-url-or-path>`")
    for item in items:
        echo_status(item)


@with_app
def _status_here(artifact: str | None) -> list[dict[str, Any]]:
    """Return the status of this instance's artifacts (or of one, by id prefix)."""
    from ae.status import all_status, artifact_status
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact

    ready(current())
    base = str(current().config["BASE_URL"])
    with session_scope() as session:
        if artifact:
            return [artifact_status(session=session, base_url=base,
                                    artifact_id=find_artifact(session=session, prefix=artifact).id)]
        return all_status(session=session, base_url=base)
