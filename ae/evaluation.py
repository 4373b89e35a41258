"""A version's evaluation once its runs finish: verdicts, more repetitions, badges and report."""

from __future__ import annotations

__all__ = ["build_report", "evaluate", "evidence", "judge", "matches", "policy_for", "recompute",
           "run_view", "version_diff"]

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ae.badges import schemes
from ae.badges.recommend import Evidence, as_dicts, recommend
from ae.checklist.claims import OUTPUT_METRIC, Claim
from ae.conferences import Conference
from ae.errors import VerdictError
from ae.reporting.evidence import build_report, matches
from ae.reporting.evidence import dataset_of as _dataset_of
from ae.reports import artifact as artifact_report
from ae.storage.models import Artifact, ArtifactVersion, Run, utcnow
from ae.storage.queries import replace_verdicts
from ae.storage.states import RunState, VersionState
from ae.verdicts.rule import Outcome, Verdict, VerdictPolicy, decide, samples_for


@dataclass
class PassResult:
    """What one evaluation pass decided."""

    verdicts: list[Verdict]
    new_runs: list[Run] = field(default_factory=list)
    report: dict[str, Path] = field(default_factory=dict)


def _outputs_ok(runs: Sequence[Run]) -> bool | None:
    checks = [c for r in runs for c in (r.record.get("output_check") or {}).values()]
    if not checks and not any(r.failure_kind == "output-mismatch" for r in runs):
        return None
    return all(c.get("ok") for c in checks) and not any(
        r.failure_kind == "output-mismatch" for r in runs)


def judge(claim: Claim, runs: Sequence[Run], policy: VerdictPolicy) -> Verdict:
    """Decide one claim from the stored samples of the runs that measure it."""
    mine = [r for r in runs if matches(claim, r)]
    runs_ok = bool(mine) and all(r.status == RunState.SUCCEEDED for r in mine)
    if not mine:
        return _unmeasured(claim, "no run measures this claim (check its program, cmd_key and dataset)")
    samples: list[float] = []
    if claim.metric != OUTPUT_METRIC and runs_ok:
        try:
            samples = samples_for(claim, [s for r in mine for s in r.samples])
        except VerdictError as exc:
            return _unmeasured(claim, str(exc))
    return decide(claim, samples, runs_ok=runs_ok, outputs_ok=_outputs_ok(mine), policy=policy)


def _unmeasured(claim: Claim, reason: str) -> Verdict:
    return Verdict(claim_id=claim.id, outcome=Outcome.NOT_REPRODUCED, reason=reason, n=0,
                   measured_median=None, ratio_median=None, ratio_ci=None, band=None, noise=(),
                   more_repetitions=0)


def policy_for(conference: Conference) -> VerdictPolicy:
    """Return the verdict policy of a conference."""
    return VerdictPolicy(default_tolerance=conference.tolerance,
                         min_repetitions=min(conference.repetitions, conference.max_repetitions),
                         max_repetitions=conference.max_repetitions)


def _more_runs(claim: Claim, verdict: Verdict, runs: Sequence[Run], version_id: str) -> list[Run]:
    if verdict.outcome != Outcome.INCONCLUSIVE or verdict.more_repetitions <= 0:
        return []
    targets = {(r.program, r.cmd_key, r.dataset, r.pool) for r in runs
               if matches(claim, r) and r.status == RunState.SUCCEEDED}
    return [Run(version_id=version_id, program=p, cmd_key=k, dataset=d, pool=pool,
                repetitions=verdict.more_repetitions) for p, k, d, pool in sorted(targets, key=str)]


def evaluate(*, session: Session, version: ArtifactVersion, artifact: Artifact, runs: Sequence[Run],
             claims: Sequence[Claim], conference: Conference, data_dir: Path) -> PassResult:
    """Store verdicts; enqueue-ready new runs when inconclusive, else badges and the report."""
    policy = policy_for(conference)
    verdicts = [judge(claim, runs, policy) for claim in claims]
    replace_verdicts(session=session, version_id=version.id, verdicts=[v.to_dict() for v in verdicts])
    new_runs: dict[tuple[Any, ...], Run] = {}
    for claim, verdict in zip(claims, verdicts, strict=True):
        for run in _more_runs(claim, verdict, runs, version.id):
            new_runs.setdefault((run.program, run.cmd_key, run.dataset, run.pool), run)
    outcome = PassResult(verdicts=verdicts, new_runs=list(new_runs.values()))
    if outcome.new_runs:
        session.add_all(outcome.new_runs)
        version.status, version.updated_at = VersionState.RUNNING, utcnow()
        return outcome
    recommendations = recommend(schemes.get(conference.badge_scheme), conference.badges,
                                evidence(version, runs, verdicts))
    version.recommended_badges = {"scheme": conference.badge_scheme,
                                  "badges": as_dicts(recommendations)}
    as_of = utcnow()
    report = build_report(artifact, version, runs, claims, verdicts, plots=True,
                          generated_at=as_of.strftime("%Y-%m-%d %H:%M UTC"))
    outcome.report = artifact_report.write(report, data_dir / "reports" / version.id)
    version.report_path = str(outcome.report.get("pdf") or outcome.report["html"])
    version.report_written_at = as_of
    version.status, version.updated_at = VersionState.DONE, utcnow()
    return outcome


def evidence(version: ArtifactVersion, runs: Sequence[Run], verdicts: Sequence[Verdict]) -> Evidence:
    """Collect the badge evidence of a version."""
    programs = tuple(sorted({r.program for r in runs}))
    programs_ok = tuple(sorted({r.program for r in runs if r.status == RunState.SUCCEEDED}))
    count = {o: sum(v.outcome == o for v in verdicts) for o in Outcome}
    dois = [d["value"] for d in version.checklist.get("dois") or [] if not d.get("placeholder")]
    return Evidence(pinned_commit=version.commit, doi=dois[0] if dois else None, programs=programs,
                    programs_ok=programs_ok, claims=len(verdicts), reproduced=count[Outcome.REPRODUCED],
                    not_reproduced=count[Outcome.NOT_REPRODUCED], inconclusive=count[Outcome.INCONCLUSIVE],
                    checklist_ok=version.checklist.get("ok"), version_id=version.id,
                    runs=tuple((r.id, r.program, r.status == RunState.SUCCEEDED) for r in runs),
                    verdicts=tuple((v.claim_id, str(v.outcome)) for v in verdicts),
                    checklist_errors=tuple(str(f.get("code")) for f in version.checklist.get("findings") or []
                                           if f.get("severity") == "error"))


def recompute(*, session: Session, version: ArtifactVersion, conference: Conference,
              ) -> list[tuple[dict[str, Any] | None, Verdict]]:
    """Judge every claim again from the stored samples; pair each with its stored verdict."""
    from ae.storage.queries import claims_of, runs_of, verdicts_of

    runs = runs_of(session=session, version_id=version.id)
    stored = {v.claim_id: v.data for v in verdicts_of(session=session, version_id=version.id)}
    policy = policy_for(conference)
    pairs = []
    for record in claims_of(session=session, version_id=version.id):
        claim = Claim.from_dict(record.data)
        pairs.append((stored.get(claim.id), judge(claim, runs, policy)))
    return pairs


def run_view(run: Run, *more: Run) -> dict[str, Any]:
    """Return runs of one target in the shape `diffs.run_diff` compares (samples pooled by metric)."""
    metrics: dict[str, list[float]] = {}
    for sample in [s for r in (run, *more) for s in r.samples]:
        for key, value in sample.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics.setdefault(key, []).append(float(value))
    record = (more[-1] if more else run).record or {}
    return {"samples": metrics, "outputs": record.get("outputs") or {},
            "deps": record.get("deps") or {}, "platform": record.get("platform") or {},
            "env": record.get("env") or {}, "command": record.get("commands") or []}


def version_diff(*, session: Session, older: ArtifactVersion, newer: ArtifactVersion) -> dict[str, Any]:
    """Compare two versions of an artifact: commits, each claim's verdict, and each target's runs."""
    from ae.storage.queries import runs_of, verdicts_of
    from ae.verdicts.diffs import run_diff

    def outcomes(version: ArtifactVersion) -> dict[str, str]:
        return {v.claim_id: v.outcome for v in verdicts_of(session=session, version_id=version.id)}

    def targets(version: ArtifactVersion) -> dict[tuple[str, str, str | None], list[Run]]:
        grouped: dict[tuple[str, str, str | None], list[Run]] = {}
        for run in runs_of(session=session, version_id=version.id):
            grouped.setdefault((run.program, run.cmd_key, _dataset_of(run)), []).append(run)
        return grouped

    va, vb = outcomes(older), outcomes(newer)
    ta, tb = targets(older), targets(newer)
    rows = []
    for key in sorted(set(ta) | set(tb), key=str):
        row: dict[str, Any] = {"program": key[0], "cmd_key": key[1], "dataset": key[2]}
        if key in ta and key in tb:
            row.update(status="compared", diff=run_diff(run_view(*ta[key]), run_view(*tb[key])))
        else:
            row["status"] = "added" if key in tb else "removed"
        rows.append(row)
    return {
        "a": {"number": older.number, "commit": older.commit, "status": older.status},
        "b": {"number": newer.number, "commit": newer.commit, "status": newer.status},
        "claims": [{"claim": c, "a": va.get(c), "b": vb.get(c), "changed": va.get(c) != vb.get(c)}
                   for c in sorted(set(va) | set(vb))],
        "targets": rows,
    }
