"""CK experiment entries as points: stored statistics read as stored, every real-data quirk reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ae.errors import TournamentError
from ae.tournaments.ck_import import import_experiments
from ae.tournaments.definition import Provenance, parse_tournament
from ae.tournaments.points import Point
from ae.tournaments.scoreboard import build
from tests.tournaments.ckdata import ExperimentSpec, PointSpec, request_like, write_repo

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ck"
LATENCY = "##characteristics#run#execution_time#min"
TOP1 = "##characteristics#run#accuracy_top1#mean"
RULES = parse_tournament({"name": "T", "constraints": ["top1 >= 0.7"], "entry_meta": ["platform"], "metric": [
    {"name": "top1", "key": TOP1, "direction": "max"},
    {"name": "latency", "key": LATENCY, "direction": "min", "unit": "s"},
    {"name": "price", "meta": "platform_price", "direction": "min"}]})


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_dir():
        pytest.skip(f"the real CK data of ../shared/fixtures/ck/{name} is absent (CI always has it)")
    return path


def as_points(path: Path) -> tuple[list[Point], list[str]]:
    result = import_experiments(path, watched=[TOP1, LATENCY])
    return [Point(id=p.key, entry=p.entry, configuration=p.configuration, provenance=Provenance.AUTHOR,
                  flat=p.flat, meta=p.meta, notes=p.notes, zero_is_missing=True)
            for p in result.points], result.notes


def test_a_real_experiment_is_read_as_stored() -> None:
    path = fixture("ck-rpi-optimization-results")
    result = import_experiments(path, watched=[LATENCY])
    (point,) = result.points
    stored = json.loads((path / "experiment" / "rpi3-susan-corners-clang381-main-o3"
                         / "ckp-a63f42ac837e38d0.flat.json").read_text())
    assert point.uid == "a63f42ac837e38d0" and point.entry == "rpi3-susan-corners-clang381-main-o3"
    assert point.flat[LATENCY] == stored[LATENCY]  # read, not recomputed from #all or the sub-points
    assert point.flat[LATENCY.replace("#min", "#all")] == stored[LATENCY.replace("#min", "#all")]
    assert point.meta["cpu_name"] == "BCM2709" and point.meta["experiment"] == point.experiment
    assert "deps_summary" not in point.meta  # nested meta is not a column
    assert not any(k.startswith("##choices") for k in point.flat)
    assert result.notes == []
    latency = RULES.metric("latency")
    board = build(RULES.with_rules(constraints=[]), as_points(path)[0], fronts=["latency"])
    cell = board.row(0).cells[latency.name]
    assert cell.value == stored[LATENCY] and cell.n == 6
    assert cell.low is not None and cell.high is not None and cell.low <= cell.value <= cell.high


def test_ck_2_6_4_output_is_read() -> None:
    result = import_experiments(fixture("local-generated-ck2.6.4"), watched=[LATENCY])
    (point,) = result.points
    assert point.configuration == "hello-bench" and point.flat[LATENCY] > 0


def test_every_quirk_is_reported_and_tolerated(tmp_path: Path) -> None:
    points, notes = as_points(write_repo(tmp_path / "results", request_like()))
    assert len(points) == 7
    assert notes == [
        "validated-request-iot-farm-alexnet-rpi-cpu: NUL characters removed from meta cpu_name (PostgreSQL "
        "refuses them)",
        "validated-request-iot-farm-alexnet-rpi-cpu: point f1a2b3c4d5e60718: 1 statistic recorded 0.0, "
        f"read as not measured ({TOP1})",
        "validated-request-tvm-fpga-pynq-resnet18-int8: meta says 3 points but 2 are present; the files "
        "present are read",
        "validated-request-tvm-fpga-pynq-resnet18-int8: point 1b2c3d4e5f607182 has no "
        "ckp-1b2c3d4e5f607182.flat.json and is skipped (statistics are read as stored, never recomputed from "
        "sub-points)",
    ]
    assert all("\x00" not in json.dumps(p.meta) for p in points)
    board = build(RULES, points)
    rows = {r.point.configuration: r for r in board.rows()}
    iot = rows["validated-request-iot-farm-alexnet-rpi-cpu"]
    assert iot.cells["top1"].value is None and "read as not measured" in (iot.cells["top1"].note or "")
    assert not iot.ranked and "top1 has no value, so top1 >= 0.7 cannot be checked" in iot.reasons
    edited = rows["validated-request-caffe-intel-xeon-resnet50-fp32 · b1c2d3e4"]
    assert edited.cells["latency"].value == 0.0305  # the edited #min, not min(#all) = 0.031
    assert edited.front == 1
    fpga = rows["validated-request-tvm-fpga-pynq-resnet18-int8"]
    assert fpga.cells["top1"].violates == "top1 >= 0.7" and fpga.front is None
    hikey = rows["validated-request-mobilenets-armcl-hikey960-224-1.0 · c1d2e3f4"]
    assert hikey.cells["price"].value == 240.0
    assert {r.point.entry for r in board.rows()} == {
        "ck-request-asplos18-caffe-intel", "ck-request-asplos18-mobilenets-armcl-opencl",
        "ck-request-asplos18-iot-farm", "ck-request-asplos18-resnet-tvm-fpga"}


def test_the_shipped_example_is_the_built_set(tmp_path: Path) -> None:
    built = write_repo(tmp_path / "results", request_like())
    shipped = ROOT / "examples" / "request-results"
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
    assert all((built / f).read_bytes() == (shipped / f).read_bytes() for f in files)


def test_odd_counts_and_missing_meta(tmp_path: Path) -> None:
    spec = ExperimentSpec(alias="odd", uid="5e6f708192a3b4c5", repo_uoa="", meta={},
                          points=[PointSpec("2c3d4e5f60718293", [0.8], [0.1])], declared_points="many")
    result = import_experiments(write_repo(tmp_path / "r", [spec]), entry="My entry")
    assert result.notes == ["odd: meta points 'many' is not a count; the files present (1) are read"]
    assert result.points[0].entry == "My entry"


def test_not_a_repository_or_no_experiments(tmp_path: Path) -> None:
    with pytest.raises(TournamentError, match="not a CK repository"):
        import_experiments(tmp_path)
    shutil.copytree(ROOT / "examples" / "pi-python", tmp_path / "pi")
    with pytest.raises(TournamentError, match="no CK experiment entries to import"):
        import_experiments(tmp_path / "pi")
    with pytest.raises(TournamentError, match="no CK experiment entries tagged nope to import"):
        import_experiments(ROOT / "examples" / "request-results", tags=["nope"])
