"""`ae report artifact|conference ID`: write a report (Markdown, HTML, PDF; CSV and JSON for a
conference) from the data as it stands now, and print the paths."""

from __future__ import annotations

from pathlib import Path

import click

from ae.cli.app import current, ready, with_app

OUTPUT = click.option("--output", type=click.Path(file_okay=False, path_type=Path),
                      help="Folder to write to (default: the instance's reports folder).")
PDF = click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write the PDF.")


@click.group()
def report() -> None:
    """Write the report of an artifact or a conference and print where."""


def _now() -> str:
    from ae.storage.models import utcnow

    return utcnow().strftime("%Y-%m-%d %H:%M UTC")


def _print(paths: dict[str, Path]) -> None:
    for kind in sorted(paths):
        click.echo(f"{kind}: {paths[kind]}")


@report.command("artifact")
@click.argument("artifact_id")
@click.option("--version", "number", type=click.IntRange(min=1), help="Version number (default: the latest).")
@OUTPUT
@PDF
@with_app
def artifact_cmd(artifact_id: str, number: int | None, output: Path | None, pdf: bool) -> None:
    """Write an artifact version's report (id or id prefix) as it stands now: evidence, reviews, badges."""
    from ae import conferences
    from ae.reporting.artifact import artifact_report, pick_version
    from ae.reports.artifact import write
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact

    app = current()
    ready(app)
    with session_scope() as session:
        found = find_artifact(session=session, prefix=artifact_id)
        version = pick_version(session=session, artifact_id=found.id, number=number)
        data = artifact_report(session=session, artifact_id=found.id, number=version.number,
                               conference=conferences.get(found.conference),
                               base_url=str(app.config["BASE_URL"]), generated_at=_now())
        out = output or Path(app.config["DATA_DIR"]) / "reports" / version.id
    _print(write(data, out, pdf=pdf))


@report.command("conference")
@click.argument("slug")
@OUTPUT
@PDF
@with_app
def conference_cmd(slug: str, output: Path | None, pdf: bool) -> None:
    """Write a conference's report: badge counts, timeline, results (with CSV and JSON), one line each."""
    from ae import conferences
    from ae.reporting.conference import conference_report
    from ae.reports.conference import write
    from ae.review.phases import day as phase_day
    from ae.storage.db import session_scope

    app = current()
    ready(app)
    conference = conferences.get(slug)
    with session_scope() as session:
        data = conference_report(session=session, conference=conference, generated_at=_now(),
                                 today=phase_day(app.config.get("TODAY")))
    _print(write(data, output or Path(app.config["DATA_DIR"]) / "reports" / f"conference-{conference.slug}",
                 pdf=pdf))
