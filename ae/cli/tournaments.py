"""`ae tournament`: import CK experiment points, show the scoreboard, export it, publish it."""

from __future__ import annotations

from pathlib import Path

import click

from ae.cli.app import current, ready, with_app

FORMATS = ("csv", "json", "svg", "md", "html")


@click.group()
def tournament() -> None:
    """A conference's tournament: its points, scoreboard and Pareto fronts."""


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


@tournament.command("list")
@with_app
def list_tournaments() -> None:
    """List the conferences that run a tournament, with their metrics."""
    from ae.standings import standing, tournament_slugs
    from ae.storage.db import session_scope

    ready(current())
    with session_scope() as session:
        for slug in tournament_slugs():
            now = standing(session=session, conference=slug)
            state = "published" if now.published else "not published"
            edited = ", rules edited by an organizer" if now.edited else ""
            click.echo(f"{slug:<20} {now.rules.name} — metrics {', '.join(now.rules.metric_names())} "
                       f"({state}{edited})")


@tournament.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--conference", "slug", required=True, help="The conference whose tournament gets the points.")
@click.option("--entry", help="The entry the points belong to (default: the experiment's repo_uoa, else its "
                              "alias).")
@click.option("--artifact", "artifact_id", help="Attach the points to this artifact of the conference.")
@click.option("--tags", help="Import only experiment entries with all these tags (comma-separated).")
@click.option("--volunteer", is_flag=True,
              help="Mark the points volunteer-reported instead of author-reported.")
@with_app
def import_cmd(path: Path, slug: str, entry: str | None, artifact_id: str | None, tags: str | None,
               volunteer: bool) -> None:
    """Import the CK experiment entries under PATH as points (their stored ckp-*.flat.json, as recorded)."""
    from ae.standings import import_points
    from ae.storage.db import session_scope
    from ae.tournaments.definition import Provenance

    ready(current())
    with session_scope() as session:
        result = import_points(session=session, conference=slug, path=path, entry=entry,
                               tags=_names(tags) or (), artifact_id=artifact_id,
                               provenance=Provenance.VOLUNTEER if volunteer else Provenance.AUTHOR)
    entries = len({p.entry for p in result.points})
    click.echo(f"imported {len(result.points)} points of {entries} entries from {result.experiments} "
               f"experiment entries into {slug}")
    for note in result.notes:
        click.echo(f"note: {note}")


@tournament.command("show")
@click.argument("slug")
@click.option("--sort", help="Column to sort by (front, entry, a metric, an entry meta key…).")
@click.option("--desc/--asc", "descending", default=None, help="Sort direction (default: best first).")
@click.option("--fronts", help="Metrics of the Pareto fronts, comma-separated (default: the rules').")
@click.option("--limit", default=50, show_default=True, help="Rows shown (0: all).")
@with_app
def show(slug: str, sort: str | None, descending: bool | None, fronts: str | None, limit: int) -> None:
    """Print the scoreboard of a conference's tournament."""
    from ae.standings import board
    from ae.storage.db import session_scope

    ready(current())
    with session_scope() as session:
        now, scores = board(session=session, conference=slug, fronts=_names(fronts), sort=sort,
                            descending=descending)
    summary = scores.summary()
    click.echo(f"{now.rules.name} ({slug}; {'published' if now.published else 'not published'}): "
               f"{summary['points']} points of {summary['entries']} entries, {summary['ranked']} ranked, "
               f"{summary['fronts']} fronts over {', '.join(summary['front_metrics'])}")
    metrics = now.rules.metrics
    head = ["front", "entry", "configuration", "provenance", *(m.title for m in metrics),
            "not ranked because"]
    rows = []
    for row in scores.rows(0, limit or None):
        cells = []
        for m in metrics:
            c = row.cells[m.name]
            text = c.text + (f" [{c.claimed_text}]" if c.claimed_text else "") + (" ✗" if c.violates else "")
            cells.append(text)
        rows.append([str(row.front or "—"), row.point.entry, row.point.configuration,
                     str(row.point.provenance), *cells, "; ".join(row.reasons)])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for line in [head, ["-" * w for w in widths], *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
    if limit and len(scores) > limit:
        click.echo(f"… {len(scores) - limit} more (--limit 0 shows all)")
    click.echo("claimed values in [brackets]; ✗ breaks a constraint")


@tournament.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File (default: stdout).")
@click.option("--x", "x", help="Metric on the x axis of a plot (default: the second front metric).")
@click.option("--y", "y", help="Metric on the y axis of a plot (default: the first front metric).")
@click.option("--sort", help="Column to sort by.")
@click.option("--fronts", help="Metrics of the Pareto fronts, comma-separated.")
@with_app
def export(slug: str, fmt: str, output: Path | None, x: str | None, y: str | None, sort: str | None,
           fronts: str | None) -> None:
    """Export the scoreboard as CSV or JSON, a plot of two metrics as SVG, or the report (md, html)."""
    from ae.standings import board
    from ae.storage.db import session_scope
    from ae.tournaments import export as exporting

    ready(current())
    with session_scope() as session:
        now, scores = board(session=session, conference=slug, fronts=_names(fronts), sort=sort)
    if fmt == "csv":
        text = exporting.to_csv(scores)
    elif fmt == "json":
        text = exporting.to_json(scores)
    else:
        from ae.reports import tournament as report
        from ae.tournaments.plot import plot_svg

        names = [m.name for m in scores.front_metrics] or now.rules.metric_names()
        y = y or names[0]
        x = x or (names[1] if len(names) > 1 else names[0])
        svg = plot_svg(scores, x, y)
        data = exporting.to_report(scores, conference=slug, published=now.published,
                                   plots=[(f"{y} against {x}", svg)],
                                   notes=[n for p in scores.points for n in p.notes])
        text = {"svg": svg, "md": report.to_markdown(data), "html": report.to_html(data)}[fmt]
    if output is None:
        click.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.rename(output)
    click.echo(f"wrote {output}")


@tournament.command("publish")
@click.argument("slug")
@click.option("--undo", is_flag=True, help="Make the board private again.")
@with_app
def publish_cmd(slug: str, undo: bool) -> None:
    """Make a tournament's scoreboard public (what an organizer's page does too)."""
    from ae.standings import publish
    from ae.storage.db import session_scope

    ready(current())
    with session_scope() as session:
        now = publish(session=session, conference=slug, published=not undo, user_id=None)
    click.echo(f"{slug}: {'published' if now.published else 'not published'}")
