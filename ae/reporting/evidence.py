"""The evidence part of an artifact report, from a version's rows in memory (no query of its own).

The evaluation pass writes its report from this; `ae.reporting.artifact` adds what the review
process stored (reviews, threads, the decision, issued badges) and the change since the last version.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from ae.checklist.claims import OUTPUT_METRIC, Claim
from ae.errors import VerdictError
from ae.evaluators.record import TIME_SOURCES, describe_time_sources
from ae.intake.policy import redact
from ae.reports.artifact import ArtifactReport
from ae.storage.models import Artifact, ArtifactVersion, Run
from ae.storage.states import RunState, VersionState
from ae.verdicts.diffs import environment_diff
from ae.verdicts.plot import claim_svg
from ae.verdicts.rule import Verdict, samples_for

#: Samples listed per claim in a report; the rest are counted.
MAX_SAMPLES = 30
#: Check-list items that declare the environment an artifact needs, in the order shown.
DECLARED = ("hardware", "run_time_environment", "compilation", "software_dependencies",
            "hardware_dependencies", "disk_space", "experiments_time")
RELATIONS = {"approx": "≈", "at_most": "≤", "at_least": "≥", "equal": "="}


def dataset_of(run: Run) -> str | None:
    """Return the dataset a run used (the one named, else the one it recorded)."""
    return run.dataset or run.record.get("dataset")


def matches(claim: Claim, run: Run) -> bool:
    """Tell whether a run measures what a claim is about (unset claim fields match anything)."""
    return (claim.program in (None, run.program) and claim.cmd_key in (None, run.cmd_key)
            and claim.dataset in (None, dataset_of(run)))


def fmt(value: float | None, unit: str | None = None) -> str:
    """Format a number in 4 significant digits with its unit ("—" for none)."""
    if value is None:
        return "—"
    return f"{value:.4g}{' ' + unit if unit else ''}"


def build_report(artifact: Artifact, version: ArtifactVersion, runs: Sequence[Run],
                 claims: Sequence[Claim], verdicts: Sequence[Verdict], *, plots: bool = False,
                 generated_at: str = "") -> ArtifactReport:
    """Assemble the report data of a version; `plots` adds each claim's samples and SVG plot."""
    claim_rows = [_claim_row(claim, verdict, runs, plots) for claim, verdict in
                  zip(claims, verdicts, strict=True)]
    run_rows = []
    for run in runs:
        times = [s["execution_time"] for s in run.samples if "execution_time" in s]
        run_rows.append({
            "program": run.program, "cmd_key": run.cmd_key, "dataset": dataset_of(run) or "—",
            "repetitions": run.repetitions, "status": run.status,
            "median_time": fmt(statistics.median(times)) if times else "—",
            "time_source": describe_time_sources(run.record.get("time_sources")),
            "failure": f"{run.failure_kind}: {run.message}" if run.failure_kind else "",
        })
    platform: dict[str, Any] = next(
        (r.record["platform"] for r in runs if r.record.get("platform")), {})
    shown = {k: v for k, v in platform.items() if not isinstance(v, dict | list)}
    dois = [d["value"] for d in version.checklist.get("dois") or [] if not d.get("placeholder")]
    return ArtifactReport(
        title=artifact.title, conference=artifact.conference, source=redact(artifact.source),
        version=version.number, commit=version.commit, snapshot_digest=version.snapshot_digest,
        status=VersionState.DONE, claims=claim_rows, runs=run_rows,
        badges=(version.recommended_badges or {}).get("badges", []), platform=shown,
        checklist=version.checklist, dependencies=list(version.dependencies),
        artifact_id=artifact.id, doi=dois[0] if dois else None, failures=failures(runs),
        environment=environment(version, runs), generated_at=generated_at,
        headline=headline(artifact.requested_badges, (version.recommended_badges or {}).get("badges", [])),
    )


def _claim_row(claim: Claim, verdict: Verdict, runs: Sequence[Run], plots: bool) -> dict[str, Any]:
    relation = RELATIONS[claim.relation]
    claimed = ("reference output" if claim.expected is None
               else f"{relation} {fmt(claim.expected, claim.unit)}")
    ci = verdict.ratio_ci
    row: dict[str, Any] = {
        "id": claim.id, "text": claim.text, "metric": claim.metric, "claimed": claimed,
        "measured": fmt(verdict.measured_median, claim.unit),
        "ci": f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "—",
        "outcome": verdict.outcome, "reason": verdict.reason,
    }
    if plots and claim.metric != OUTPUT_METRIC:
        found = claim_samples(claim, runs)
        row["samples"] = found[:MAX_SAMPLES]
        row["samples_left_out"] = max(0, len(found) - MAX_SAMPLES)
        values = [s["raw"] for s in found]
        if values:
            row["svg"] = claim_svg(values, claimed=claim.expected, band=verdict.band, scale=verdict.scale,
                                   measured_ci=verdict.measured_ci,
                                   label=f"{claim.metric}{f' ({claim.unit})' if claim.unit else ''}")
    return row


def claim_samples(claim: Claim, runs: Sequence[Run]) -> list[dict[str, Any]]:
    """Return each sample of a claim's metric with its run, repetition and time source."""
    found: list[dict[str, Any]] = []
    for run in runs:
        if not matches(claim, run) or run.status != RunState.SUCCEEDED:
            continue
        sources = run.record.get("time_sources") or []
        for n, sample in enumerate(run.samples):
            try:
                values = samples_for(claim, [sample])
            except VerdictError:
                continue
            source = TIME_SOURCES.get(sources[n], sources[n]) if n < len(sources) else "not recorded"
            found.extend({"run": run.id[:12], "repetition": n + 1, "value": fmt(v, claim.unit), "raw": v,
                          "source": source} for v in values)
    return found


def failures(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """Group the failed runs by failure class, largest class first."""
    classes: dict[str, list[str]] = {}
    for run in runs:
        if run.status == RunState.SUCCEEDED or not run.failure_kind:
            continue
        where = f"{run.program} {run.cmd_key}" + (f" on {dataset_of(run)}" if dataset_of(run) else "")
        classes.setdefault(run.failure_kind, []).append(f"{where}: {run.message or 'no message'}")
    return [{"kind": kind, "count": len(found), "runs": found}
            for kind, found in sorted(classes.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def environment(version: ArtifactVersion, runs: Sequence[Run]) -> dict[str, Any]:
    """Return the environment the authors declared and where the workers' platforms differ."""
    items = {i.get("key"): i for i in version.checklist.get("items") or [] if not i.get("empty")}
    declared = [{"label": items[key].get("label") or key, "value": items[key].get("value", "")}
                for key in DECLARED if key in items and str(items[key].get("value", "")).strip()]
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for run in runs:
        platform = run.record.get("platform") or {}
        if platform:
            key = str(platform.get("fingerprint") or sorted(map(str, platform.items())))
            seen.setdefault(key, (str(run.worker or f"run {run.id[:12]}"), platform))
    found: dict[str, Any] = {"declared": declared}
    platforms = list(seen.values())
    if len(platforms) > 1:
        (first, a), (other, b) = platforms[0], platforms[1]
        found.update(first=first, other=other, between=f"{len(platforms)} distinct platforms; the first two",
                     differences=environment_diff(a, b))
    return found


def headline(requested: Sequence[str], recommended: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the outcome per badge from the recommendations alone (no decision yet)."""
    rows = []
    for badge in recommended:
        status = str(badge.get("status", ""))
        outcome = {"recommended": "recommended, pending the chair's decision"}.get(
            status, status.replace("-", " "))
        rows.append({"badge": badge.get("badge"), "title": badge.get("title") or badge.get("badge"),
                     "requested": not requested or badge.get("badge") in requested, "outcome": outcome,
                     "basis": badge.get("why", "")})
    return rows
