"""`ae solution benchmark`: run a prepared solution's configurations through the pipeline, in the
sandbox, judge its claims with the verdict rule, and write the sealed result a volunteer submits."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ae import __version__
from ae.evaluators.pipeline import RunSpec, run_program
from ae.evaluators.record import RunRecord
from ae.solutions import result
from ae.solutions.setup import Prepared
from ae.verdicts.rule import Verdict

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Benchmarked:
    """A finished benchmark: the sealed result, where it was written, and the verdicts per claim."""

    path: Path
    sealed: dict[str, Any]
    records: list[RunRecord]
    verdicts: dict[str, Verdict]
    problems: dict[str, list[str]]


def _sample(sample: dict[str, Any]) -> dict[str, Any]:
    """Keep a sample's scalar values (what a result carries), strings cut to 200 characters."""
    out: dict[str, Any] = {}
    for key, value in sample.items():
        if isinstance(value, str):
            out[key] = value[:200]
        elif value is None or isinstance(value, bool | int | float):
            out[key] = value
    return out


def benchmark(prepared: Prepared, *, hardware: dict[str, Any], cmd_keys: Sequence[str] = (),
              repetitions: int | None = None, sandbox_mode: str = "auto",
              progress: Progress | None = None) -> Benchmarked:
    """Run the chosen configurations (default: the manifest's default ones) and write the result."""
    manifest = prepared.manifest
    chosen = ([manifest.configuration(k) for k in cmd_keys] if cmd_keys
              else [c for c in manifest.configurations() if c.default])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    work = prepared.root / "runs" / stamp
    records: list[RunRecord] = []
    runs: list[dict[str, Any]] = []
    for n, config in enumerate(chosen):
        spec = RunSpec(repo_paths=prepared.repos, program=config.program, cmd_key=config.cmd_key,
                       dataset=config.dataset, work_dir=work / f"{n:02d}-{config.cmd_key}",
                       repetitions=repetitions or manifest.repetitions, cache_dir=prepared.root / "cache",
                       references_dir=prepared.root / "cache" / "references", sandbox_mode=sandbox_mode,
                       python_environments=(prepared.venv,))
        say = (lambda m, c=config.cmd_key: progress(f"{c}: {m}")) if progress else None
        record = run_program(spec, progress=say)
        records.append(record)
        runs.append({"program": config.program, "cmd_key": config.cmd_key, "dataset": record.dataset,
                     "ok": record.ok, "failure_kind": record.failure_kind, "message": record.message[:2000],
                     "samples": [_sample(s) for s in record.samples], "outputs": dict(record.outputs)})
    claims = manifest.claims()
    verdicts: dict[str, Verdict] = {}
    problems: dict[str, list[str]] = {}
    for run in runs:
        valid, found = result.validation(manifest, run)
        problems[run["cmd_key"]] = found
        outputs_ok = valid if manifest.references(run["cmd_key"]) else None
        verdicts.update(result.judge(claims, run, outputs_ok=outputs_ok))
    environment = {name: str(d.get("version", "")) for r in records for name, d in r.deps.items()}
    body = {"solution": manifest.name, "manifest_digest": manifest.digest, "ae_version": __version__,
            "created_at": datetime.now(UTC).isoformat(), "hardware": hardware,
            "environment": dict(sorted(environment.items())),
            "verdicts": {k: str(v.outcome) for k, v in sorted(verdicts.items())}, "runs": runs}
    sealed = result.seal(body)
    path = prepared.root / "results" / f"{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sealed, indent=1, sort_keys=True))
    tmp.replace(path)
    return Benchmarked(path=path, sealed=sealed, records=records, verdicts=verdicts, problems=problems)


def latest(prepared: Prepared) -> Path:
    """Return the newest result file of a prepared solution."""
    from ae.errors import SolutionError

    found = sorted((prepared.root / "results").glob("*.json"))
    if not found:
        raise SolutionError(f"solution {prepared.manifest.name} has no result yet: run "
                            f"`ae solution benchmark {prepared.manifest.name}` first")
    return found[-1]
