"""Run planning: targets × claims → (program, cmd_key, dataset, pool) rows, without a worker or database."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae import conferences
from ae.checklist.claims import Claim
from ae.errors import ConferenceError
from ae.evaluators.pipeline import Target
from ae.workers.jobs import _plan_runs

HEAD = """
[conference]
slug = "plan-2024"
name = "Planning 2024"
badge_scheme = "acm-1.1"
badges = ["available", "functional", "reproduced"]
"""
POOLS = """
[[pool]]
name = "default"

[[pool]]
name = "avx512"
arch = "x86_64"
cpu_flags = ["avx512f"]

[[pool]]
name = "big"
min_cores = 16

[[pool]]
name = "bigger"
min_cores = 32

[[pool]]
name = "gpu"
gpu_vendor = "nvidia"
min_gpu_memory_bytes = 17179869184
"""
PATH = Path("conferences/plan-2024.toml")


def conference(pools: str = POOLS) -> conferences.Conference:
    """Parse the test conference with the given [[pool]] tables."""
    return conferences.parse(PATH, HEAD + pools)


def claim(claim_id: str = "c1", **fields: object) -> Claim:
    """Return a claim on execution_time with the given fields."""
    return Claim(id=claim_id, text=f"claim {claim_id}", metric="execution_time", expected=1.0,
                 **fields)  # type: ignore[arg-type]


PI = [Target("pi", "default", None)]
TWO = [Target("pi", "default", None), Target("pi", "fast", None), Target("sort", "default", None)]
DATASETS = [Target("susan", "corners", "image-1"), Target("susan", "corners", "image-2")]


@pytest.mark.parametrize(("targets", "rows"), [
    ([], []),
    (PI, [("pi", "default", None, "default")]),
    (TWO, [("pi", "default", None, "default"), ("pi", "fast", None, "default"),
           ("sort", "default", None, "default")]),
    (DATASETS, [("susan", "corners", "image-1", "default"), ("susan", "corners", "image-2", "default")]),
    (list(reversed(TWO)), [("pi", "default", None, "default"), ("pi", "fast", None, "default"),
                           ("sort", "default", None, "default")]),
])
def test_without_claims_every_target_runs_once_on_the_default_pool(
        targets: list[Target], rows: list[tuple[str, str, str | None, str]]) -> None:
    assert _plan_runs(targets, [], conference()) == rows


def test_a_conference_without_a_pool_file_section_plans_on_its_implicit_default() -> None:
    assert _plan_runs(PI, [claim()], conference("")) == [("pi", "default", None, "default")]


def test_without_a_default_pool_runs_go_to_the_least_constrained_one() -> None:
    pools = '[[pool]]\nname = "gpu"\ngpu_vendor = "nvidia"\n\n[[pool]]\nname = "cpu"\narch = "x86_64"\n'
    assert _plan_runs(TWO[:2], [], conference(pools)) == [
        ("pi", "default", None, "cpu"), ("pi", "fast", None, "cpu")]


@pytest.mark.parametrize(("hardware", "pool"), [
    ("gpu", "gpu"),                                 # a pool name, as is
    ("avx512", "avx512"),
    ("gpu_vendor=nvidia", "gpu"),                   # key=value terms: the loosest pool that guarantees them
    ("min_cores=8", "big"),
    ("min_cores=20", "bigger"),
    ("min_cores=16, arch=x86_64", None),            # no single pool guarantees both
    ("cpu_flags=avx512f", "avx512"),
    ("arch=x86_64 cpu_flags=avx512f", "avx512"),
])
def test_a_claims_hardware_moves_the_runs_it_measures(hardware: str, pool: str | None) -> None:
    claims = [claim(program="pi", cmd_key="default", hardware=hardware, line=12)]
    if pool is None:
        with pytest.raises(ConferenceError) as caught:
            _plan_runs(TWO, claims, conference())
        assert str(caught.value) == (
            f"appendix line 12: claim 'c1': no pool guarantees hardware {hardware!r} "
            "(pools: avx512, big, bigger, default, gpu)")
        return
    assert _plan_runs(TWO, claims, conference()) == [
        ("pi", "default", None, pool), ("pi", "fast", None, "default"), ("sort", "default", None, "default")]


@pytest.mark.parametrize(("fields", "moved"), [
    ({}, {("pi", "default"), ("pi", "fast"), ("sort", "default")}),   # unset fields match every target
    ({"program": "pi"}, {("pi", "default"), ("pi", "fast")}),
    ({"cmd_key": "default"}, {("pi", "default"), ("sort", "default")}),
    ({"program": "pi", "cmd_key": "fast"}, {("pi", "fast")}),
    ({"program": "absent"}, set()),                                   # measures nothing: no run moves
])
def test_a_claim_moves_only_the_targets_it_names(fields: dict[str, str], moved: set[tuple[str, str]]) -> None:
    got = _plan_runs(TWO, [claim(hardware="gpu", **fields)], conference())
    assert got == [(p, k, None, "gpu" if (p, k) in moved else "default")
                   for p, k in [("pi", "default"), ("pi", "fast"), ("sort", "default")]]


def test_a_claim_without_hardware_leaves_a_moved_run_where_it_is() -> None:
    claims = [claim("c1", program="pi", hardware="gpu"), claim("c2", program="pi")]
    assert _plan_runs(PI, claims, conference()) == [("pi", "default", None, "gpu")]


def test_a_claim_naming_a_dataset_replaces_the_tag_chosen_run() -> None:
    claims = [claim(program="pi", cmd_key="default", dataset="digits-1000")]
    assert _plan_runs(TWO, claims, conference()) == [
        ("pi", "default", "digits-1000", "default"), ("pi", "fast", None, "default"),
        ("sort", "default", None, "default")]


def test_claims_naming_two_datasets_plan_a_run_for_each() -> None:
    claims = [claim("small", program="pi", dataset="digits-10"),
              claim("large", program="pi", dataset="digits-10000", hardware="min_cores=8")]
    assert _plan_runs(PI, claims, conference()) == [
        ("pi", "default", "digits-10", "default"), ("pi", "default", "digits-10000", "big")]


def test_a_dataset_claim_on_a_target_with_several_datasets_moves_that_one_only() -> None:
    claims = [claim(program="susan", dataset="image-2", hardware="gpu")]
    assert _plan_runs(DATASETS, claims, conference()) == [
        ("susan", "corners", "image-1", "default"), ("susan", "corners", "image-2", "gpu")]


def test_a_dataset_claim_adds_its_dataset_beside_the_fixed_ones() -> None:
    claims = [claim(program="susan", dataset="image-3")]
    assert _plan_runs(DATASETS, claims, conference()) == [
        ("susan", "corners", "image-1", "default"), ("susan", "corners", "image-2", "default"),
        ("susan", "corners", "image-3", "default")]


def test_the_last_of_two_conflicting_hardware_claims_decides_the_pool() -> None:
    """Today one run serves both claims, on the pool the later claim asks for."""
    claims = [claim("c1", program="pi", hardware="gpu"), claim("c2", program="pi", hardware="avx512")]
    assert _plan_runs(PI, claims, conference()) == [("pi", "default", None, "avx512")]


def test_a_hardware_requirement_survives_a_later_dataset_claim() -> None:
    claims = [claim("c1", program="pi", hardware="gpu"), claim("c2", program="pi", dataset="digits-10")]
    assert _plan_runs(PI, claims, conference()) == [("pi", "default", "digits-10", "gpu")]


def test_a_hardware_requirement_before_a_dataset_claim_in_the_other_order() -> None:
    claims = [claim("c2", program="pi", dataset="digits-10"), claim("c1", program="pi", hardware="gpu")]
    assert _plan_runs(PI, claims, conference()) == [("pi", "default", "digits-10", "gpu")]


@pytest.mark.parametrize(("hardware", "line", "source", "message"), [
    ("tpu", 12, "appendix",
     "appendix line 12: claim 'c1': hardware 'tpu' is not a pool of this conference "
     "(pools: avx512, big, bigger, default, gpu)"),
    ("tpu", None, "claims.toml",
     "claims.toml: claim 'c1': hardware 'tpu' is not a pool of this conference "
     "(pools: avx512, big, bigger, default, gpu)"),
    ("gpu_vendor=amd", 7, "ARTIFACT-APPENDIX.md",
     "ARTIFACT-APPENDIX.md line 7: claim 'c1': no pool guarantees hardware 'gpu_vendor=amd' "
     "(pools: avx512, big, bigger, default, gpu)"),
    ("min_cores=4 ram=64", 3, "appendix",
     "appendix line 3: claim 'c1': hardware requirement term 'ram=64' is not key=value with a pool "
     "key (arch, os, cpu_flags, min_cores, gpu_vendor, …)"),
    ("min_cores=many", 3, "appendix",
     "appendix line 3: claim 'c1': [[pool]] 'requirement': min_cores must be a whole number >= 0"),
])
def test_an_unmappable_requirement_names_the_claim_and_its_line(
        hardware: str, line: int | None, source: str, message: str) -> None:
    claims = [claim("c0", program="pi"), claim("c1", program="absent", hardware=hardware, line=line,
                                               source=source)]
    with pytest.raises(ConferenceError) as caught:
        _plan_runs(PI, claims, conference())
    assert str(caught.value) == message
