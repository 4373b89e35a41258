"""Build CK `experiment` entries in the public format (ReQuEST'18's validated entries) for tests.

The layout is CK's (`<repo>/.ckr.json`, `experiment/<alias>/.cm/{meta,info,desc}.json`, alias
files, `ckp-<uid>.{features,features_flat,flat,0001}.json` per point); the fields are those of
`ctuning/ck-request-asplos18-results` (platform_price, platform_peak_power, repo_uoa, …); the
numbers are made up. `python tests/tournaments/ckdata.py DIR` writes the set shipped as
`examples/request-results`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPERIMENT_MODULE_UID = "bc0409fb61f0aa82"
PROGRAM_MODULE_UID = "b0ac08fe1d3c2615"


@dataclass
class PointSpec:
    """One point: repetitions of accuracy and latency, and CK choices."""

    uid: str
    top1: Sequence[float]
    latency: Sequence[float]
    batch_size: int = 1
    edited_min: float | None = None  # a stored #min edited after recording (not min of #all)
    flat: bool = True                # False: the point has sub-points but no .flat.json


@dataclass
class ExperimentSpec:
    """One experiment entry of a workflow, with its meta and points."""

    alias: str
    uid: str
    repo_uoa: str
    meta: dict[str, Any]
    points: list[PointSpec]
    declared_points: str | None = None  # the meta's `points` (default: the real count)
    tags: list[str] = field(default_factory=lambda: ["request", "request-asplos18"])


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _stats(values: Sequence[float]) -> dict[str, Any]:
    low, high = min(values), max(values)
    return {"all": list(values), "all_unique": list(dict.fromkeys(values)), "min": low, "max": high,
            "mean": sum(values) / len(values), "center": (low + high) / 2, "halfrange": (high - low) / 2,
            "range": high - low, "repeats": len(values)}


def _flat(point: PointSpec) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, values in (("accuracy_top1", point.top1), ("execution_time", point.latency)):
        for statistic, value in _stats(values).items():
            flat[f"##characteristics#run#{name}#{statistic}"] = value
    if point.edited_min is not None:
        flat["##characteristics#run#execution_time#min"] = point.edited_min
    for statistic, value in _stats([point.batch_size] * len(point.latency)).items():
        flat[f"##features#batch_size#{statistic}"] = value
    flat["##characteristics#run#run_success#all"] = ["yes"] * len(point.latency)
    flat["##choices#env#CK_BATCH_SIZE#min"] = point.batch_size
    return flat


def write_repo(root: Path, experiments: Sequence[ExperimentSpec], *, alias: str = "request-results") -> Path:
    """Write a CK repository holding `experiments` under `root`; return `root`."""
    _dump(root / ".ckr.json", {"data_alias": alias, "data_uoa": alias, "data_uid": "7a3c5e9b1d2f4068",
                               "data_name": "ReQuEST-style results (made-up numbers)",
                               "dict": {"shared": "git", "repo_deps": []}})
    (root / ".cm").mkdir(parents=True, exist_ok=True)
    (root / ".cm" / "alias-a-experiment").write_text(EXPERIMENT_MODULE_UID + "\n")
    (root / ".cm" / f"alias-u-{EXPERIMENT_MODULE_UID}").write_text("experiment\n")
    module = root / "experiment"
    for spec in experiments:
        entry = module / spec.alias
        (module / ".cm").mkdir(parents=True, exist_ok=True)
        (module / ".cm" / f"alias-a-{spec.alias}").write_text(spec.uid + "\n")
        (module / ".cm" / f"alias-u-{spec.uid}").write_text(spec.alias + "\n")
        declared = spec.declared_points if spec.declared_points is not None else str(len(spec.points))
        _dump(entry / ".cm" / "meta.json", {
            "added": {"engine": "CK", "iso_datetime": "2018-03-20T10:00:00", "version": ["1", "9", "4"]},
            "meta": {**spec.meta, "repo_uoa": spec.repo_uoa, "request_version": 1,
                     "deps_summary": {"lib": {"name": "a library", "version": "1.0"}}},
            "pipeline_uid": PROGRAM_MODULE_UID, "pipeline_uoa": "program", "points": declared,
            "tags": spec.tags})
        _dump(entry / ".cm" / "info.json", {
            "backup_data_uid": spec.uid, "backup_module_uid": EXPERIMENT_MODULE_UID,
            "backup_module_uoa": "experiment", "data_name": spec.alias,
            "control": {"author": "ReQuEST-style sample", "engine": "CK"}})
        _dump(entry / ".cm" / "desc.json", {})
        for point in spec.points:
            choices = {"cmd_key": "classify", "env": {"CK_BATCH_SIZE": point.batch_size}}
            features = {"choices": choices, "choices_order": [["##choices#env#CK_BATCH_SIZE"]],
                        "features": {"batch_size": point.batch_size}}
            _dump(entry / f"ckp-{point.uid}.features.json", {**features, "sub_points": 1})
            _dump(entry / f"ckp-{point.uid}.features_flat.json",
                  {"##choices#cmd_key": "classify", "##choices#env#CK_BATCH_SIZE": point.batch_size})
            _dump(entry / f"ckp-{point.uid}.0001.json", {**features, "characteristics_list": [
                {"run": {"accuracy_top1": a, "execution_time": t}} for a, t in zip(point.top1, point.latency,
                                                                                    strict=True)]})
            if point.flat:
                _dump(entry / f"ckp-{point.uid}.flat.json", _flat(point))
    return root


def request_like() -> list[ExperimentSpec]:
    """Return four ReQuEST-style workflows with every quirk of real CK data once."""
    return [
        ExperimentSpec(
            alias="validated-request-caffe-intel-xeon-resnet50-fp32", uid="1a2b3c4d5e6f7081",
            repo_uoa="ck-request-asplos18-caffe-intel",
            meta={"platform_species": "server", "plat_name": "Xeon E5-2650 v3", "farm": "private",
                  "platform": "Xeon E5-2650 v3 server", "cpu_name": "Intel Xeon E5-2650 v3",
                  "model_design_name": "ResNet-50", "model_precision": "fp32", "dataset_species": "ImageNet",
                  "platform_price": 1200, "platform_price_date": "20180404", "platform_peak_power": 180},
            points=[PointSpec("a1b2c3d4e5f60718", [0.7514] * 3, [0.091, 0.094, 0.093], batch_size=1),
                    PointSpec("b1c2d3e4f5a60718", [0.7514] * 3, [0.031, 0.033, 0.032], batch_size=8,
                              edited_min=0.0305)]),
        ExperimentSpec(
            alias="validated-request-mobilenets-armcl-hikey960-224-1.0", uid="2b3c4d5e6f708192",
            repo_uoa="ck-request-asplos18-mobilenets-armcl-opencl",
            meta={"platform_species": "embedded", "plat_name": "HiKey960", "platform": "HiKey960 (Mali-G71)",
                  "model_design_name": "MobileNets 1.0 224", "model_precision": "fp32",
                  "platform_price": "240", "platform_peak_power": 10},
            points=[PointSpec("c1d2e3f4a5b60718", [0.7056] * 3, [0.061, 0.060, 0.063]),
                    PointSpec("d1e2f3a4b5c60718", [0.6621] * 3, [0.030, 0.031, 0.029], batch_size=2),
                    PointSpec("e1f2a3b4c5d60718", [0.5720] * 3, [0.012, 0.013, 0.012], batch_size=4)]),
        ExperimentSpec(
            alias="validated-request-iot-farm-alexnet-rpi-cpu", uid="3c4d5e6f708192a3",
            repo_uoa="ck-request-asplos18-iot-farm",
            meta={"platform_species": "embedded", "plat_name": "Raspberry Pi 3", "platform": "Raspberry Pi 3",
                  "cpu_name": "BCM2709\x00\x00", "model_design_name": "AlexNet",
                  "platform_price": 35, "platform_peak_power": 4.0},
            points=[PointSpec("f1a2b3c4d5e60718", [0.0] * 3, [1.92, 1.95, 1.90])]),
        ExperimentSpec(
            alias="validated-request-tvm-fpga-pynq-resnet18-int8", uid="4d5e6f708192a3b4",
            repo_uoa="ck-request-asplos18-resnet-tvm-fpga", declared_points="3",
            meta={"platform_species": "embedded", "plat_name": "PYNQ-Z1", "platform": "PYNQ-Z1 FPGA",
                  "model_design_name": "ResNet-18", "model_precision": "int8",
                  "platform_price": 65, "platform_peak_power": 2.5},
            points=[PointSpec("0a1b2c3d4e5f6071", [0.6110] * 3, [0.432, 0.429, 0.429]),
                    PointSpec("1b2c3d4e5f607182", [0.6110] * 3, [0.44, 0.45, 0.43], flat=False)]),
    ]


if __name__ == "__main__":
    write_repo(Path(sys.argv[1]), request_like())
