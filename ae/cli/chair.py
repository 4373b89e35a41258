"""`ae chair`: the chair's side of the review from the command line — the assignment proposal and
its commit, the dashboard, decisions, HotCRP's JSON in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ae.cli.app import current, ready, with_app


@click.group()
def chair() -> None:
    """A conference chair's work: assignment, dashboard, decisions, HotCRP import and export."""


def _conference(slug: str) -> Any:
    from ae import conferences

    ready(current())
    return conferences.get(slug)


@chair.command("assign")
@click.argument("slug")
@click.option("--propose", "mode", flag_value="propose", default=True,
              help="Print the solver's proposal (default).")
@click.option("--commit", "mode", flag_value="commit",
              help="Assign the proposal (or the one in --from) to the evaluators.")
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --commit: a proposal as printed by --propose --json, edited.")
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON (artifact id -> e-mails).")
@with_app
def assign(slug: str, mode: str, source: Path | None, as_json: bool) -> None:
    """Propose k evaluators per artifact from bids and conflicts, or commit a proposal."""
    from ae.errors import AeError
    from ae.review import assignment
    from ae.storage.db import session_scope

    conference = _conference(slug)
    with session_scope() as session:
        now, proposal = assignment.propose(session=session, conference=slug,
                                           k=conference.review.evaluators_per_artifact,
                                           most=conference.review.max_per_evaluator)
        emails = {p.user_id: p.email for p in now.evaluators}
        ids = {p.email: p.user_id for p in now.evaluators}
        titles = {a.id: a.title for a in now.artifacts}
        if mode == "commit":
            if source is None:
                chosen = proposal.pairs
            else:
                try:
                    loaded = json.loads(source.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise AeError(f"{source}: not a proposal (JSON artifact id -> e-mails): {exc}") from None
                if not isinstance(loaded, dict) or not all(isinstance(v, list) for v in loaded.values()):
                    raise AeError(f"{source}: a proposal is a JSON object: artifact id -> list of e-mails")
                unknown = sorted({e for v in loaded.values() for e in v if e not in ids})
                if unknown:
                    raise AeError(f"{source}: {unknown[0]!r} is not an evaluator of {slug}: "
                                  f"nothing was assigned")
                chosen = {a: [ids[e] for e in v] for a, v in loaded.items()}
            added = assignment.commit(session=session, conference=slug,
                                      pairs=[(a, u) for a, users in chosen.items() for u in users])
            click.echo(f"{added} assignment{'s' if added != 1 else ''} committed.")
            return
    if as_json:
        shown = {a: [emails[u] for u in users] for a, users in proposal.pairs.items()}
        click.echo(json.dumps(shown, indent=1))
        return
    for artifact_id, users in proposal.pairs.items():
        short = proposal.short.get(artifact_id)
        click.echo(f"{artifact_id[:8]}  {titles[artifact_id][:40]:<40}  "
                   f"{', '.join(emails[u] for u in users) or '—'}"
                   + (f"  ({short} too few: conflicts)" if short else ""))
    click.echo(f"loads: {', '.join(f'{emails[u]} {n}' for u, n in proposal.load.items())} "
               f"(at most {proposal.cap}); bid cost {proposal.cost:g}")


@chair.command("dashboard")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
@with_app
def dashboard_cmd(slug: str, fmt: str) -> None:
    """Every artifact's state, stuck jobs, missing reviews, disagreements and decision."""

    from ae.review import dashboard, phases, schedule
    from ae.storage.db import session_scope

    conference = _conference(slug)
    today = _today()
    with session_scope() as session:
        timeline = schedule.effective(session=session, conference=slug, filed=conference.phases)
        begun = [p.name for p in timeline if p.is_round and p.date <= today]
        rows = dashboard.rows(session=session, conference=slug, rounds_begun=begun)
    if fmt == "csv":
        click.echo(dashboard.as_csv(rows), nl=False)
    elif fmt == "json":
        click.echo(json.dumps({"conference": slug, "artifacts": dashboard.as_json(rows)}, indent=1))
    else:
        now = phases.current(timeline, today)
        click.echo(f"{conference.name}: phase {now.name if now else 'none under way'}")
        for r in rows:
            missing = "; ".join(f"{k}: {', '.join(v)}" for k, v in r.missing.items() if v)
            decision = r.decision["outcome"] if r.decision else "undecided"
            click.echo(f"{r.artifact_id[:8]}  {r.title[:40]:<40}  {r.status or '':<9} {decision:<9} "
                       f"{len(r.stuck)} stuck  missing: {missing or 'none'}")
            for line in [s.why for s in r.stuck] + r.disagreements:
                click.echo(f"    {line}")


@chair.command("decide")
@click.argument("slug")
@click.argument("artifact_id")
@click.option("--accept", "badges", multiple=True, help="Accept with this badge (repeat for several).")
@click.option("--reject", is_flag=True, help="Reject (no badge).")
@click.option("--text", default="", help="The decision's text for the authors.")
@click.option("--by", "email", required=True, help="The chair deciding (their account's e-mail).")
@with_app
def decide(slug: str, artifact_id: str, badges: tuple[str, ...], reject: bool, text: str, email: str) -> None:
    """Record the chair's decision on an artifact (by its id) and carry it out: the accepted badges
    are issued, signed for that chair; the others withheld or revoked."""
    from ae import awarding, issuance
    from ae.badges import schemes
    from ae.cli.badges import chair_id
    from ae.errors import AeError
    from ae.storage.db import session_scope
    from ae.storage.queries import get_artifact
    from ae.workers.reports import queue_latest

    conference = _conference(slug)
    if reject == bool(badges):
        raise AeError("give --reject, or --accept BADGE (one or more), not both")
    app = current()
    issuer = issuance.issuer_for(base_url=str(app.config["BASE_URL"]), instance_path=app.instance_path)
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        actor = chair_id(session, email, slug)
        done = awarding.decide(session=session, issuer=issuer, conference=conference, artifact_id=artifact.id,
                               outcome="rejected" if reject else "accepted", badges=list(badges), text=text,
                               actor_id=actor)
        row = done.decision
        said = done.summary({b.key: b.title for b in schemes.get(conference.badge_scheme).badges})
        badges_text = ": " + ", ".join(row.badges) if row.badges else ""
        click.echo(f"{artifact.title}: {row.outcome}{badges_text} ({said})")
    queue_latest(artifact.id)  # the report shows the decision and the badges


@chair.command("import-hotcrp")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_app
def import_hotcrp(slug: str, path: Path) -> None:
    """Attach HotCRP's submissions JSON (pid, title, authors, abstract) to the conference's artifacts."""
    from ae.review import hotcrp
    from ae.storage.db import session_scope

    _conference(slug)
    with session_scope() as session:
        done = hotcrp.import_papers(session=session, conference=slug, data=path.read_bytes())
    click.echo(f"{len(done.matched)} papers attached to artifacts")
    for pid, title in done.unmatched:
        click.echo(f"    #{pid} {title}: no artifact has this title")


@chair.command("export-hotcrp")
@click.argument("slug")
@with_app
def export_hotcrp(slug: str) -> None:
    """Print the conference's reviews and decisions as HotCRP-style JSON."""
    from ae.review import hotcrp
    from ae.storage.db import session_scope

    conference = _conference(slug)
    with session_scope() as session:
        body = hotcrp.export(session=session, conference=slug, fields=conference.review_fields())
    click.echo(json.dumps(body, indent=1))


@chair.command("budgets")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the budget use as JSON.")
@with_app
def budgets(slug: str, as_json: bool) -> None:
    """Show compute used per pool and artifact against the budgets and the AE calendar; runs waiting."""
    from ae.review import schedule
    from ae.storage.db import session_scope
    from ae.workers import smoke as gate

    conference = _conference(slug)
    with session_scope() as session:
        now = schedule.effective(session=session, conference=slug, filed=conference.phases)
        use = gate.usage(session=session, conference=conference, phases=now, today=_today())
    if as_json:
        click.echo(json.dumps(use, indent=1))
        return
    for pool in use["pools"]:
        limit = pool["limits"]["cpu/artifact"]
        click.echo(f"pool {pool['pool']}: used {pool['used']['cpu_s'] / 3600:.3g} CPU-h, "
                   f"{pool['used']['gpu_s'] / 3600:.3g} GPU-h; per artifact "
                   f"{'no limit' if limit is None else f'{limit / 3600:.3g} CPU-h'}")
    for row in use["calendar"]:
        used = ", ".join(f"{p} {c['cpu_s'] / 3600:.3g} CPU-h" for p, c in row["used"].items()) or "nothing"
        click.echo(f"phase {row['phase']} {row['starts']}{' (now)' if row['current'] else ''}: {used}")
    for artifact in use["artifacts"]:
        for why in artifact["waiting"]:
            click.echo(f"{artifact['id'][:12]} {artifact['title']}: {why}")
    for evaluator in use["evaluators"]:
        used = ", ".join(f"{p} {c['cpu_s'] / 3600:.3g} CPU-h"
                         for p, c in evaluator["used"].items()) or "nothing"
        click.echo(f"evaluator {evaluator['name']}: re-runs used {used}")
        for why in evaluator["waiting"]:
            click.echo(f"    {why}")


@chair.command("approve")
@click.argument("slug")
@click.argument("artifact_id")
@with_app
def approve(slug: str, artifact_id: str) -> None:
    """Let an artifact's runs that wait for approval go beyond its compute budget (by id or prefix)."""
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact
    from ae.workers import smoke as gate
    from ae.workers.jobs import queue_runs

    _conference(slug)
    with session_scope() as session:
        artifact = find_artifact(session=session, prefix=artifact_id)
        title = artifact.title
        released = gate.approve_artifact(session=session, conference=slug, artifact_id=artifact.id, by="cli")
    queue_runs(released)
    click.echo(f"{title}: {len(released)} run(s) approved beyond the budget and queued")


def _today() -> Any:
    """Return the day phases are read on: AE_TODAY, else today (UTC)."""
    from ae.review.phases import day

    return day(current().config.get("TODAY"))
