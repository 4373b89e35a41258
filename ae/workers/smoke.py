"""The smoke stage as workers carry it out (the gate): plan a version's smoke and held full runs,
release or hold them when its smoke runs end, a chair's approval, and budget use. Functions take a
keyword-only session; the caller owns the transaction and queues the runs they return after committing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from ae.conferences import Conference
from ae.errors import BudgetError
from ae.smoke import estimates, times
from ae.smoke.budgets import Cost, is_gpu_pool, over, run_cost
from ae.smoke.targets import smoke_plan
from ae.storage.models import Artifact, ArtifactVersion, Membership, Run, User, utcnow
from ae.storage.states import HELD_FOR_APPROVAL, HELD_FOR_SMOKE, RUN_FINISHED, Role, RunState

SMOKE, FULL = "smoke", "full"
#: Failures of the service, not of the artifact: a smoke run ending so says nothing about the
#: full runs, which then go ahead (unestimated) instead of failing unstarted.
NOT_THE_ARTIFACT = frozenset({"lost", "internal-error", "disk-full", "sandbox-unavailable",
                              "service-unavailable", "cancelled"})
#: version.smoke["stage"] while its smoke runs go, and once the gate has decided.
RUNNING, DONE = "running", "done"


def plan_runs(*, version_id: str, plan: Sequence[tuple[str, str, str | None, str]], repetitions: int,
              sizes: dict[str, int]) -> list[Run]:
    """Return the smoke runs (queued, one repetition each) and the full runs (held until they end)."""
    pools = {(p, k, d): pool for p, k, d, pool in plan}
    smoke = [Run(version_id=version_id, program=p, cmd_key=k, dataset=d, pool=pools[(p, k, d)],
                 repetitions=1, stage=SMOKE)
             for p, k, d in smoke_plan(list(pools), sizes)]
    full = [Run(version_id=version_id, program=p, cmd_key=k, dataset=d, pool=pool,
                repetitions=repetitions, status=RunState.HELD, held_reason=HELD_FOR_SMOKE)
            for p, k, d, pool in plan]
    return [*smoke, *full]


def smoke_pending(version: ArtifactVersion, runs: Sequence[Run]) -> bool:
    """Tell whether the version's smoke runs have all finished and the gate has not decided yet."""
    smoke = [r for r in runs if r.stage == SMOKE]
    return (version.smoke.get("stage") == RUNNING and bool(smoke)
            and all(r.status in RUN_FINISHED for r in smoke))


def _pool_of(conference: Conference, name: str) -> dict[str, Any]:
    return next((dict(p) for p in conference.pools if p.get("name") == name), {"name": name})


def _smoke_rows(runs: Sequence[Run], conference: Conference) -> dict[tuple[str, str], dict[str, Any]]:
    rows = {}
    for run in runs:
        gpu = is_gpu_pool(_pool_of(conference, run.pool))
        cost = run_cost(run.samples, gpu=gpu).scaled(1 / max(1, len(run.samples)))
        rows[(run.program, run.cmd_key)] = {
            "program": run.program, "cmd_key": run.cmd_key, "run": run.id, "pool": run.pool,
            "dataset": run.dataset or run.record.get("dataset"), "ok": run.status == RunState.SUCCEEDED,
            "failure_kind": run.failure_kind, "message": run.message,
            "build_s": (run.record.get("build") or {}).get("seconds"),
            "cost": cost.to_dict() if run.status == RunState.SUCCEEDED else None}
    return rows


def used_by_artifact(*, session: Session, artifact_id: str, conference: Conference) -> dict[str, Cost]:
    """Return the compute an artifact's runs (every version) recorded, per pool."""
    runs = session.exec(select(Run).join(ArtifactVersion, col(ArtifactVersion.id) == col(Run.version_id))
                        .where(ArtifactVersion.artifact_id == artifact_id)).all()
    return _per_pool(runs, conference)


def _per_pool(runs: Sequence[Any], conference: Conference) -> dict[str, Cost]:
    used: dict[str, Cost] = {}
    for run in runs:
        if run.samples:
            cost = run_cost(run.samples, gpu=is_gpu_pool(_pool_of(conference, run.pool)))
            used[run.pool] = used.get(run.pool, Cost()) + cost
    return used


def stated_time(version: ArtifactVersion) -> times.Stated | None:
    """Return the appendix's "time needed to complete experiments", if it states one."""
    for item in (version.checklist or {}).get("items") or []:
        if item.get("key") == "experiments_time" and not item.get("empty"):
            return times.parse(str(item.get("value") or ""))
    return None


def finish_smoke(*, session: Session, version: ArtifactVersion, artifact: Artifact, runs: Sequence[Run],
                 claims: Sequence[dict[str, Any]], conference: Conference) -> list[tuple[str, str]]:
    """Decide the held full runs once the smoke runs have ended; return the (run id, pool) to queue.

    A full run whose command failed its smoke run fails with that reason, unstarted; the others
    are estimated and queued when their pool's estimate fits in the artifact's budget, else they
    wait for a chair's approval with the numbers in their status.
    """
    rows = _smoke_rows([r for r in runs if r.stage == SMOKE], conference)
    held = [r for r in runs if r.stage != SMOKE and r.status == RunState.HELD
            and (r.held_reason or "").startswith(HELD_FOR_SMOKE)]
    unit = estimates.per_repetition(rows)
    sizes = dict(version.smoke.get("sizes") or {})
    planned = {r.id: estimates.Planned(r.program, r.cmd_key, r.dataset, r.pool, r.repetitions) for r in held}
    costs, most = {}, {}
    for run in held:
        cost = estimates.estimate_run(planned[run.id], unit, rows, sizes)
        if cost is not None:
            costs[planned[run.id]] = cost
            most[planned[run.id]] = estimates.estimate_run(planned[run.id], unit, rows, sizes,
                                                           conference.max_repetitions) or cost
    now = utcnow()
    for run in held:
        row = rows.get((run.program, run.cmd_key))
        if row is None or row["ok"] or row["failure_kind"] in NOT_THE_ARTIFACT:
            continue
        run.status, run.failure_kind, run.finished_at = RunState.FAILED, row["failure_kind"], now
        run.held_reason = None
        run.message = f"not started: its smoke run failed ({row['failure_kind']}: {row['message']})"
    pools = estimates.by_pool(costs)
    used = used_by_artifact(session=session, artifact_id=artifact.id, conference=conference)
    waits = {pool: over(need, used.get(pool, Cost()), conference.budget_for(pool), "artifact")
             for pool, need in pools.items()}
    to_queue = []
    for run in held:
        if run.status != RunState.HELD:
            continue
        why = waits.get(run.pool)
        if why:
            run.held_reason = f"{HELD_FOR_APPROVAL}: {why}"
        else:
            run.status, run.held_reason = RunState.QUEUED, None
            to_queue.append((run.id, run.pool))
    total = sum(pools.values(), Cost())
    stated = stated_time(version)
    version.smoke = {
        **version.smoke, "stage": DONE, "finished_at": now.isoformat(),
        "commands": [rows[k] for k in sorted(rows)],
        "ok": all(r["ok"] or r["failure_kind"] in NOT_THE_ARTIFACT for r in rows.values()),
        "claims": estimates.by_claim(claims, costs),
        "claims_at_most": estimates.by_claim(claims, most),
        "pools": {p: c.to_dict() for p, c in pools.items()},
        "total": total.to_dict(), "at_most": sum(most.values(), Cost()).to_dict(),
        "stated": stated.text if stated else None,
        "mismatch": times.mismatch(total.wall_s, stated),
        "waiting": {p: w for p, w in waits.items() if w},
    }
    return to_queue


def approve(*, session: Session, version_id: str, by: str) -> list[tuple[str, str]]:
    """Let a version's runs waiting for approval go beyond the budget; return the (run id, pool) to queue."""
    runs = session.exec(select(Run).where(Run.version_id == version_id, Run.status == RunState.HELD)).all()
    waiting = [r for r in runs if (r.held_reason or "").startswith(HELD_FOR_APPROVAL)]
    if not waiting:
        raise BudgetError("nothing of this artifact waits for approval")
    for run in waiting:
        run.status, run.held_reason, run.approved_by = RunState.QUEUED, None, by
        session.add(run)
    version = session.get(ArtifactVersion, version_id)
    if version is not None:
        version.smoke = {**version.smoke, "approved_by": by, "approved_at": utcnow().isoformat(),
                         "waiting": {}}
        session.add(version)
    return [(r.id, r.pool) for r in waiting]


def owner_address(*, session: Session, artifact: Artifact) -> str | None:
    """Return the e-mail address of an artifact's owner (None for the operator's CLI submissions)."""
    if artifact.owner_id is None:
        return None
    user = session.get(User, artifact.owner_id)
    return user.email if user is not None and user.active else None


def usage(*, session: Session, conference: Conference, phases: Sequence[Any], today: date,
          ) -> dict[str, Any]:
    """Return a conference's budget use: per pool and artifact, per phase of the AE calendar, and waits."""
    artifacts = session.execute(columns(col(Artifact.id), col(Artifact.title))
                                .where(col(Artifact.conference) == conference.slug)).all()
    found = session.execute(columns(  # the columns needed, not the run records: one query for all
        col(Run.pool), col(Run.samples), col(Run.status), col(Run.held_reason), col(Run.finished_at),
        col(Run.created_at), col(ArtifactVersion.artifact_id))
        .join(ArtifactVersion, col(ArtifactVersion.id) == col(Run.version_id))
        .join(Artifact, col(Artifact.id) == col(ArtifactVersion.artifact_id))
        .where(col(Artifact.conference) == conference.slug)).all()
    runs_of: dict[str, list[Any]] = {}
    for row in found:
        runs_of.setdefault(row.artifact_id, []).append(row)
    days: dict[date, str | None] = {}
    gpu = {name: is_gpu_pool(_pool_of(conference, name)) for name in conference.pool_names()}
    rows: list[dict[str, Any]] = []
    totals: dict[str, Cost] = {}
    by_phase: dict[str, dict[str, Cost]] = {p.name: {} for p in phases}
    for artifact in artifacts:
        runs = runs_of.get(artifact.id, [])
        used = _per_pool(runs, conference)
        waiting = sorted({r.held_reason or "" for r in runs if r.status == RunState.HELD
                          and (r.held_reason or "").startswith(HELD_FOR_APPROVAL)})
        rows.append({"id": artifact.id, "title": artifact.title,
                     "used": {p: c.to_dict() for p, c in used.items()}, "waiting": waiting})
        for pool, cost in used.items():
            totals[pool] = totals.get(pool, Cost()) + cost
        for run in runs:
            day = (run.finished_at or run.created_at).date()
            phase = days[day] if day in days else days.setdefault(day, _phase_on(phases, day))
            if phase is not None and run.samples:
                cost = run_cost(run.samples, gpu=gpu.get(run.pool, False))
                by_phase[phase][run.pool] = by_phase[phase].get(run.pool, Cost()) + cost
    budgets = {b.pool: b for b in conference.budgets}
    pools = []
    for name in conference.pool_names():
        budget = budgets.get(name)
        per = {k: budget.limit(*k.split("/")) if budget else None
               for k in ("cpu/artifact", "gpu/artifact", "cpu/evaluator", "gpu/evaluator")}
        pools.append({"pool": name, "used": totals.get(name, Cost()).to_dict(),
                      "limits": per, "artifacts": len(artifacts),
                      "committed": {k: (v * len(artifacts) if v is not None else None)
                                    for k, v in per.items() if k.endswith("artifact")}})
    calendar = [{"phase": p.name, "starts": p.date.isoformat(), "ends": p.end.isoformat() if p.end else None,
                 "current": _phase_on(phases, today) == p.name,
                 "used": {pool: c.to_dict() for pool, c in by_phase[p.name].items()}} for p in phases]
    return {"conference": conference.slug, "today": today.isoformat(), "pools": pools,
            "artifacts": sorted(rows, key=lambda r: r["title"]), "calendar": calendar,
            "evaluators": _evaluators(session=session, conference=conference)}


def _evaluators(*, session: Session, conference: Conference) -> list[dict[str, Any]]:
    """Return what each evaluator's re-runs used per pool, with what waits (for the chair's eyes)."""
    runs = session.exec(select(Run).join(ArtifactVersion, col(ArtifactVersion.id) == col(Run.version_id))
                        .join(Artifact, col(Artifact.id) == col(ArtifactVersion.artifact_id))
                        .where(col(Run.requested_by).is_not(None),
                               Artifact.conference == conference.slug)).all()
    mine: dict[str, list[Run]] = {}
    for run in runs:
        mine.setdefault(str(run.requested_by), []).append(run)
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(list(mine)))).all()) \
        if mine else {}
    return [{"id": user_id, "name": names.get(user_id, user_id),
             "used": {p: c.to_dict() for p, c in _per_pool(its, conference).items()},
             "waiting": sorted({r.held_reason or "" for r in its if r.status == RunState.HELD})}
            for user_id, its in sorted(mine.items(), key=lambda i: names.get(i[0], i[0]))]


def _phase_on(phases: Sequence[Any], day: date) -> str | None:
    from ae.review.phases import current

    found = current(phases, day)
    return found.name if found is not None else None


def approve_artifact(*, session: Session, conference: str, artifact_id: str,
                     by: str) -> list[tuple[str, str]]:
    """Approve the waiting runs of an artifact's latest version in `conference`; see `approve`."""
    artifact = session.get(Artifact, artifact_id)
    if artifact is None or artifact.conference != conference:
        raise BudgetError(f"{conference} has no artifact {artifact_id!r}")
    latest = session.exec(select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact.id)
                          .order_by(col(ArtifactVersion.number).desc())).first()
    if latest is None:
        raise BudgetError(f"artifact {artifact_id!r} has no version")
    return approve(session=session, version_id=latest.id, by=by)


def used_by_evaluator(*, session: Session, conference: Conference, user_id: str) -> dict[str, Cost]:
    """Return the compute the re-runs an evaluator asked for in a conference recorded, per pool."""
    runs = session.exec(select(Run).join(ArtifactVersion, col(ArtifactVersion.id) == col(Run.version_id))
                        .join(Artifact, col(Artifact.id) == col(ArtifactVersion.artifact_id))
                        .where(Run.requested_by == user_id, Artifact.conference == conference.slug)).all()
    return _per_pool(runs, conference)


def hold_rerun(*, session: Session, rerun: Run, like: Run, conference: Conference,
               user_id: str) -> str | None:
    """Hold an evaluator's re-run for approval when its estimate exceeds what is left of their budget.

    The estimate is the repeated run's recorded cost per repetition times the repetitions asked
    for; a run that recorded nothing is not estimated (and not held). Return why it waits, or None.
    """
    rerun.requested_by = user_id
    if not like.samples:
        return None
    gpu = is_gpu_pool(_pool_of(conference, rerun.pool))
    need = run_cost(like.samples, gpu=gpu).scaled(rerun.repetitions / len(like.samples))
    used = used_by_evaluator(session=session, conference=conference, user_id=user_id)
    why = over(need, used.get(rerun.pool, Cost()), conference.budget_for(rerun.pool), "evaluator")
    if why:
        rerun.status, rerun.held_reason = RunState.HELD, f"{HELD_FOR_APPROVAL}: {why}"
        session.add(rerun)
    return why


def hold_more(*, session: Session, artifact: Artifact, runs: Sequence[Run], new_runs: Sequence[Run],
              conference: Conference) -> list[Run]:
    """Hold the extra repetitions of inconclusive claims that do not fit in the artifact's budget.

    Each new run is estimated from the recorded cost per repetition of the runs of its target;
    per pool, what does not fit waits for a chair's approval. Return the new runs to queue.
    """
    need: dict[str, Cost] = {}
    for new in new_runs:
        done = [s for r in runs if (r.program, r.cmd_key, r.dataset, r.pool) ==
                (new.program, new.cmd_key, new.dataset, new.pool) for s in r.samples]
        if done:
            gpu = is_gpu_pool(_pool_of(conference, new.pool))
            cost = run_cost(done, gpu=gpu).scaled(new.repetitions / len(done))
            need[new.pool] = need.get(new.pool, Cost()) + cost
    used = used_by_artifact(session=session, artifact_id=artifact.id, conference=conference)
    waits = {pool: over(cost, used.get(pool, Cost()), conference.budget_for(pool), "artifact")
             for pool, cost in need.items()}
    queued = []
    for new in new_runs:
        why = waits.get(new.pool)
        if why:
            new.status, new.held_reason = RunState.HELD, f"{HELD_FOR_APPROVAL}: {why}"
        else:
            queued.append(new)
    return queued


def chair_addresses(*, session: Session, conference: str) -> list[str]:
    """Return the e-mail addresses of a conference's active chairs."""
    found = session.exec(select(User.email).join(Membership, col(Membership.user_id) == col(User.id))
                         .where(Membership.conference == conference, Membership.role == Role.CHAIR,
                                col(User.active).is_(True))).all()
    return sorted(set(found))
