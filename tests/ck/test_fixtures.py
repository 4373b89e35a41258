"""The real CK meta files in /work/shared/fixtures/ck: indexed, typed, and compared with `ck`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ae.ck import CkEntry, CkIndex
from ae.ck.flat import subpoint_statistics
from ae.ck.meta import (
    DatasetMeta,
    EnvMeta,
    ExperimentMeta,
    PackageMeta,
    ProgramMeta,
    SoftMeta,
    read_experiment,
)

from .oracle import MISSING, CkOracle, available, rows

PUBLIC = ["ctuning-programs", "ck-autotuning", "ck-tensorflow", "ck-mlperf", "ck-env",
          "ctuning-datasets-min", "ck-rpi-optimization-results"]
TYPED = {"program": ProgramMeta, "dataset": DatasetMeta, "soft": SoftMeta,
         "package": PackageMeta, "env": EnvMeta, "experiment": ExperimentMeta}


@pytest.fixture(scope="module")
def index(ck_fixtures: Path) -> CkIndex:
    paths = [ck_fixtures / name for name in PUBLIC] + [ck_fixtures / "local-generated-ck2.6.4"]
    return CkIndex.build(paths, verify_aliases=True)


def test_every_fixture_entry_is_indexed_without_problems(index: CkIndex) -> None:
    cids = {e.cid for e in index.entries()}
    assert "ctuning-programs:program:cbench-automotive-susan" in cids
    assert "ctuning-datasets-min:dataset:image-pgm-0001" in cids
    assert "local:env:6046d9b4a6e4df03" in cids  # an entry named by UID only
    assert len(cids) == 16
    assert index.problems == []


def test_typed_meta_reads_every_fixture(index: CkIndex) -> None:
    seen = set()
    for entry in index.entries():
        cls = TYPED.get(entry.module)
        if cls is not None:
            cls.from_dict(entry.meta, str(entry.path))
            seen.add(entry.module)
    assert seen == set(TYPED)


def test_susan_program_meta(index: CkIndex) -> None:
    meta = ProgramMeta.from_dict(index.load("program:cbench-automotive-susan").meta)
    assert meta.source_files == ["susan.c"]
    assert meta.build_compiler_vars == {"XOPENME": ""}
    assert [d.tags for d in meta.compile_deps.values()] == [["compiler", "lang-c"],
                                                             ["lib", "xopenme"]]
    corners = meta.run_cmds["corners"]
    assert corners.dataset_tags == ["image", "pgm", "dataset"]
    assert corners.run_time.run_cmd_main.endswith("tmp-output.tmp -c")
    assert corners.run_time.fine_grain_timer_file == "tmp-ck-timer.json"
    assert corners.extra["hot_functions"][0]["name"] == "susan_corners"
    assert meta.extra_ld_vars == "$<<CK_EXTRA_LIB_M>>$"


def test_env_version_and_dataset_files(index: CkIndex) -> None:
    env = EnvMeta.from_dict(index.load("env:6046d9b4a6e4df03").meta)
    assert env.version == [3, 11, 2]
    dataset = DatasetMeta.from_dict(index.search("dataset", ["image", "pgm"])[0].meta)
    assert dataset.dataset_files == ["data.pgm"]


@pytest.mark.parametrize("cid", ["experiment:hello-bench",
                                 "experiment:rpi3-susan-corners-clang381-main-o3"])
def test_flat_statistics_match_what_ck_recorded(index: CkIndex, cid: str) -> None:
    """Recomputing ckp-*.flat.json from the sub-points gives ck's own numbers."""
    point = read_experiment(index.load(cid))[0]
    state = {k[len("##pipeline_state#"):-len("#min")]: v for k, v in point.flat.items()
             if k.startswith("##pipeline_state#") and k.endswith("#min")}
    ours = subpoint_statistics(point.subpoints, state)
    recorded = {k: v for k, v in point.flat.items() if not k.endswith("_imp")}
    assert ours == recorded
    assert len(point.samples()) == sum(len(s["characteristics_list"]) for s in point.subpoints)


def _ours(entries: list[CkEntry], uids: set[str]) -> set[tuple[str, ...]]:
    return {(e.repo_alias, e.module, e.uoa, e.uid, os.path.realpath(e.path))
            for e in entries if e.repo_uid in uids}


@pytest.mark.skipif(not available(), reason=MISSING)
def test_fixture_answers_match_ck(index: CkIndex, ck_fixtures: Path, tmp_path: Path) -> None:
    oracle = CkOracle(tmp_path / "home")
    oracle.register(*[ck_fixtures / name for name in PUBLIC])
    uids = {r.uid for r in index.repos if r.alias in PUBLIC}
    patterns = ["*:*:*", "program:*", "ck-env:*:*", "soft:compiler.*", "*:*-py"]
    searches = [("program", "lang-c"), ("program", "lang-python"), ("dataset", "image,pgm"),
                ("soft", "compiler"), ("package", "lib"), ("experiment", "crowdtuning,tmp")]
    loads = [e.cid for e in index.entries() if e.repo_alias in PUBLIC]
    answers = oracle.batch(
        [{"action": "list", "cid": p, "time_out": "-1"} for p in patterns]
        + [{"action": "search", "cid": m, "tags": t, "time_out": "-1"} for m, t in searches]
        + [{"action": "load", "cid": c} for c in loads])
    for pattern, answer in zip(patterns, answers, strict=False):
        assert _ours(index.list(pattern), uids) == rows(answer["lst"], uids), pattern
    for (module, tags), answer in zip(searches, answers[len(patterns):], strict=False):
        assert _ours(index.search(module, tags.split(",")), uids) == rows(answer["lst"], uids), module
    for cid, answer in zip(loads, answers[len(patterns) + len(searches):], strict=True):
        entry = index.load(cid)
        assert answer["return"] == 0, answer
        assert (entry.uid, entry.meta) == (answer["data_uid"], answer["dict"]), cid
