"""The run record: everything one pipeline run observed, as plain data and as CK flat JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ae.ck.flat import EXPERIMENT_PRUNE, flatten, with_statistics

FAILURE_KINDS = (
    "missing-dependency", "missing-dataset", "ambiguous-dataset", "meta-error", "compile-error",
    "run-error", "timeout", "memory", "cpu", "output-limit", "signal", "sandbox-violation",
    "output-mismatch", "internal-error",
)
TIME_SOURCES = {"timer": "program timer", "wall": "wall clock", "none": "not measured"}


@dataclass
class RunRecord:
    """One run of one (program, cmd_key, dataset): inputs, environment, samples, outputs, logs."""

    ok: bool
    failure_kind: str | None
    message: str
    program: str
    cmd_key: str
    dataset: str | None
    platform: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    samples: list[dict[str, float]] = field(default_factory=list)
    time_sources: list[str] = field(default_factory=list)  # per sample: timer, wall or none
    outputs: dict[str, str] = field(default_factory=dict)
    output_check: dict[str, Any] = field(default_factory=dict)
    stdout_tail: str = ""
    stderr_tail: str = ""
    compile_log: str = ""
    program_uid: str = ""
    dataset_file: str | None = None
    build: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fail(self, kind: str, message: str) -> RunRecord:
        """Mark the record failed (the first failure wins) and return it."""
        if self.ok or self.failure_kind is None:
            self.ok = False
            self.failure_kind = kind
            self.message = message
        return self

    def add_sample(self, sample: dict[str, float], time_source: str) -> None:
        """Append one repetition's sample and where its execution time came from."""
        self.samples.append(sample)
        self.time_sources.append(time_source)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        return asdict(self)

    def characteristics(self, sample: dict[str, float]) -> dict[str, Any]:
        """Return one repetition in CK's nested `characteristics` shape."""
        run: dict[str, Any] = {}
        for key, value in sample.items():
            head, dot, sub = key.partition(".")
            if dot:
                run.setdefault(head, {})[sub] = value
            else:
                run[key] = value
        run["run_success"] = "yes" if self.ok else "no"
        if not self.ok:
            run["fail_reason"] = self.message
        run["output_check_failed"] = "yes" if self.failure_kind == "output-mismatch" else "no"
        compile_ = {"compilation_success": "no" if self.failure_kind == "compile-error" else "yes"}
        if self.build.get("seconds") is not None:
            compile_["compilation_time"] = self.build["seconds"]
        return {"run": run, "compile": compile_}

    def to_ck_flat(self) -> dict[str, Any]:
        """Return the record as a CK experiment point's flat dict (`##characteristics#run#…#min`)."""
        samples = self.samples or [{}]
        features: dict[str, Any] = {
            "platform": {k: v for k, v in self.platform.items() if k != "cpu_flags"},
            "deps": {k: d.get("version", "") for k, d in self.deps.items()},
        }
        compiler = self.deps.get("compiler")
        if compiler:  # CK's own feature: the compiler's version string
            features["compiler_version"] = {"str": compiler.get("version", "")}
        shared = {
            "choices": {"data_uoa": self.program, "cmd_key": self.cmd_key,
                        "dataset_uoa": self.dataset or "", "dataset_file": self.dataset_file or ""},
            "features": features,
        }
        points = [{**shared, "characteristics": self.characteristics(s)} for s in samples]
        flat = with_statistics(points, prune=EXPERIMENT_PRUNE)
        flat.update(flatten({"misc": {"run_success": "yes" if self.ok else "no",
                                      "fail_reason": self.message if not self.ok else "",
                                      "failure_kind": self.failure_kind or ""}}))
        return flat


def describe_time_sources(sources: list[str] | None) -> str:
    """Say in a few words where a run's times came from ("program timer", "wall clock ×2", …)."""
    counts: dict[str, int] = {}
    for source in sources or []:
        name = TIME_SOURCES.get(source, source)
        counts[name] = counts.get(name, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{name} ×{n}" for name, n in counts.items()) or "—"
