"""A run plan as plain JSON, and the program that carries it out wherever it lands.

Why: the pipeline runs in three places besides a worker's own process — inside a container
(`ae export container`, the podman runner) and on a Slurm compute node — and each of them must run
the *same* pipeline, detecting the platform and resolving dependencies where it lands. The plan
says what to run (repositories, targets, repetitions, limits); `python -m ae.evaluators.plan
PLAN.json` runs it with nothing but the standard library and `ae` itself, and writes one record
per target: JSON lines on stdout, or one JSON document renamed into place (`--out`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.errors import AeError


@dataclass(frozen=True)
class Plan:
    """What to run: repositories in search order, (program, cmd_key, dataset) targets, limits."""

    repo_paths: list[str]
    targets: list[dict[str, str | None]]
    work_root: str
    repetitions: int = 3
    limits: dict[str, Any] = field(default_factory=dict)
    network: bool = False
    sandbox_mode: str = "auto"
    cache_dir: str | None = None
    references_dir: str | None = None
    optimization: str = "-O3"

    def to_json(self) -> str:
        """Return the plan as JSON text."""
        return json.dumps(dataclasses.asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read a plan; unknown keys or a missing one are an error naming them."""
        try:
            data = json.loads(text)
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise AeError(f"not a run plan: {exc}") from exc

    def with_targets(self, targets: list[dict[str, str | None]], repetitions: int) -> Plan:
        """Return the plan for other targets and repetitions (more repetitions of some targets)."""
        return dataclasses.replace(self, targets=targets, repetitions=repetitions)


def target(program: str, cmd_key: str | None, dataset: str | None) -> dict[str, str | None]:
    """Return one target of a plan."""
    return {"program": program, "cmd_key": cmd_key, "dataset": dataset}


def work_dir(plan: Plan, index: int) -> Path:
    """Return the work dir of target `index`: the work root itself when the plan has one target."""
    root = Path(plan.work_root)
    return root if len(plan.targets) == 1 else root / f"run-{index:03d}"


def run(plan: Plan) -> Iterator[dict[str, Any]]:
    """Run every target through the pipeline; yield each record as data, with its `logs`."""
    from ae.evaluators import sandbox
    from ae.evaluators.pipeline import RunSpec, run_program

    limits = sandbox.Limits.from_mapping(plan.limits)
    for index, wanted in enumerate(plan.targets):
        logs: dict[str, str] = {}

        def streams(stdout: Path, stderr: Path, root: Path, into: dict[str, str] = logs) -> None:
            into.update(stdout=str(stdout.relative_to(root)), stderr=str(stderr.relative_to(root)))

        spec = RunSpec(
            repo_paths=[Path(p) for p in plan.repo_paths], program=str(wanted["program"]),
            cmd_key=wanted.get("cmd_key"), dataset=wanted.get("dataset"),
            work_dir=work_dir(plan, index), repetitions=plan.repetitions, limits=limits,
            cache_dir=Path(plan.cache_dir) if plan.cache_dir else None,
            references_dir=Path(plan.references_dir) if plan.references_dir else None,
            sandbox_mode=plan.sandbox_mode, network=plan.network, optimization=plan.optimization)
        record = run_program(spec, streams=streams)
        yield {**record.to_dict(), "logs": logs}


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary name beside `path`, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a plan file (or `-` for stdin); print records as JSON lines, or write them to --out."""
    parser = argparse.ArgumentParser(prog="python -m ae.evaluators.plan", description=main.__doc__)
    parser.add_argument("plan", help="the plan's JSON file, or - to read it from stdin")
    parser.add_argument("--out", type=Path, help="write {\"records\": [...]} here, renamed into place")
    parser.add_argument("--repetitions", type=int, help="override the plan's repetitions")
    parser.add_argument("--targets", type=json.loads, metavar="JSON",
                        help='run these targets instead: [{"program": …, "cmd_key": …, "dataset": …}]')
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if args.plan == "-" else Path(args.plan).read_text(encoding="utf-8")
        plan = Plan.from_json(text)
        if args.targets or args.repetitions:
            plan = plan.with_targets(args.targets or plan.targets,
                                     args.repetitions or plan.repetitions)
        records = []
        for record in run(plan):
            if args.out is None:
                sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
                sys.stdout.flush()
            records.append(record)
    except (AeError, OSError) as exc:
        sys.stderr.write(f"ae: {exc}\n")
        return 2
    if args.out is not None:
        write_atomically(args.out, json.dumps({"records": records}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
