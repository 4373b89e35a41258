"""The run record: everything one pipeline run observed, as plain data and as CK flat JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ae.ck.flat import EXPERIMENT_PRUNE, flatten, with_statistics

FAILURE_KINDS = (
    "missing-dependency", "missing-dataset", "ambiguous-dataset", "meta-error", "compile-error",
    "run-error", "timeout", "output-mismatch",
)


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
        shared = {
            "choices": {"data_uoa": self.program, "cmd_key": self.cmd_key,
                        "dataset_uoa": self.dataset or "", "dataset_file": self.dataset_file or ""},
            "features": {"platform": {k: v for k, v in self.platform.items() if k != "cpu_flags"},
                         "deps": {k: d.get("version", "") for k, d in self.deps.items()}},
        }
        compiler = self.deps.get("compiler")
        if compiler:  # CK's own feature: the compiler's version string
            shared["features"]["compiler_version"] = {"str": compiler.get("version", "")}
        points = [{**shared, "characteristics": self.characteristics(s)} for s in samples]
        flat = with_statistics(points, prune=EXPERIMENT_PRUNE)
        flat.update(flatten({"misc": {"run_success": "yes" if self.ok else "no",
                                      "fail_reason": self.message if not self.ok else "",
                                      "failure_kind": self.failure_kind or ""}}))
        return flat
