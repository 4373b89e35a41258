"""ae.pools: pool tables, matching profiles, queue order, requirements mapped to pools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ae.errors import ConferenceError, ConfigError
from ae.evaluators.platform import detect_platform
from ae.pools import (
    GpuProfile,
    Profile,
    load_profile,
    matching_pools,
    pool_for_requirement,
    pool_from_mapping,
    profile_from_platform,
    unmet,
)

GIB = 2**30
A100 = GpuProfile(vendor="nvidia", name="NVIDIA A100-SXM4-40GB", memory_bytes=40 * GIB,
                  compute_capability="8.0")
T4 = GpuProfile(vendor="nvidia", name="Tesla T4", memory_bytes=16 * GIB, compute_capability="7.5")
CPU = Profile(arch="x86_64", os="linux", cores=4, memory_bytes=16 * GIB,
              cpu_flags=frozenset({"sse2", "avx2"}))
GPU = Profile(arch="x86_64", os="linux", cores=32, memory_bytes=256 * GIB,
              cpu_flags=frozenset({"sse2", "avx2", "avx512f"}), gpus=(T4, A100))
ARM = Profile(arch="aarch64", os="linux", cores=64, memory_bytes=128 * GIB,
              cpu_flags=frozenset({"neon", "sve"}))


def pools(*tables: dict) -> list:
    return [pool_from_mapping(t, source="conf.toml") for t in tables]


FLEET = pools(
    {"name": "default"},
    {"name": "x86", "arch": "x86_64"},
    {"name": "avx512", "arch": "x86_64", "cpu_flags": ["avx512f"]},
    {"name": "big", "min_cores": 16, "min_memory_bytes": 64 * GIB},
    {"name": "gpu", "gpu_vendor": "NVIDIA", "min_gpu_memory_bytes": 16 * GIB},
    {"name": "a100", "gpu_vendor": "nvidia", "gpu_model": "A100", "min_compute_capability": "8.0"},
    {"name": "hopper", "gpu_vendor": "nvidia", "min_compute_capability": "9.0"},
    {"name": "macos", "os": "Darwin"},
)


@pytest.mark.parametrize("profile, expected", [
    (CPU, ["x86", "default"]),
    (GPU, ["a100", "gpu", "avx512", "big", "x86", "default"]),
    (ARM, ["big", "default"]),
])
def test_matching_pools_most_specific_first(profile: Profile, expected: list[str]) -> None:
    assert matching_pools(profile, FLEET) == expected


def test_unmet_says_why() -> None:
    by_name = {p.name: p for p in FLEET}
    assert unmet(by_name["gpu"], CPU) == ["no GPU"]
    assert unmet(by_name["hopper"], GPU) == ["compute capability 7.5 < 9.0"]
    assert unmet(by_name["avx512"], ARM) == ["arch aarch64 is not x86_64", "CPU lacks avx512f"]
    assert unmet(by_name["big"], CPU) == ["4 cores < 16", f"memory {16 * GIB} < {64 * GIB} bytes"]
    assert unmet(by_name["macos"], CPU) == ["os linux is not darwin"]


def test_one_gpu_must_meet_every_gpu_constraint() -> None:
    pool = pool_from_mapping({"name": "p", "gpu_model": "T4", "min_compute_capability": "8.0"},
                             source="c")
    assert unmet(pool, GPU), "the T4 is 7.5 and the A100 is no T4: no single GPU fits"


def test_same_pool_name_in_two_conferences_needs_both() -> None:
    two = pools({"name": "gpu", "gpu_vendor": "nvidia"},
                {"name": "gpu", "gpu_vendor": "nvidia", "min_gpu_memory_bytes": 32 * GIB})
    t4_only = Profile(arch="x86_64", os="linux", cores=8, memory_bytes=32 * GIB, gpus=(T4,))
    assert matching_pools(t4_only, two) == [] and matching_pools(GPU, two) == ["gpu"]


@pytest.mark.parametrize("requirement, expected", [
    (None, "default"),
    ("", "default"),
    ("a100", "a100"),
    ("gpu_vendor=nvidia", "gpu"),
    ("gpu_vendor=nvidia min_gpu_memory_bytes=8589934592", "gpu"),
    ("gpu_vendor=nvidia, gpu_model=A100", "a100"),
    ("min_compute_capability=8.0", "hopper"),  # a100 guarantees it too, with more constraints
    ("cpu_flags=avx512f", "avx512"),
    ("arch=x86_64", "x86"),
    ("min_cores=8", "big"),
])
def test_requirement_maps_to_the_least_constrained_pool_that_guarantees_it(
        requirement: str | None, expected: str) -> None:
    assert pool_for_requirement(requirement, FLEET, source="appendix") == expected


@pytest.mark.parametrize("requirement, message", [
    ("tpu", "hardware 'tpu' is not a pool of this conference"),
    ("min_compute_capability=10.0", "no pool guarantees hardware"),
    ("gpu=yes", "is not key=value with a pool key"),
    ("min_cores=many", "min_cores must be a whole number"),
])
def test_unmappable_requirements_are_errors(requirement: str, message: str) -> None:
    with pytest.raises(ConferenceError, match=message):
        pool_for_requirement(requirement, FLEET, source="appendix")


def test_without_default_pool_no_requirement_goes_to_the_loosest() -> None:
    assert pool_for_requirement(None, FLEET[1:], source="c") == "macos"


@pytest.mark.parametrize("table, message", [
    ({}, "name must be letters"),
    ({"name": "a b"}, "name must be letters"),
    ({"name": "p", "min_cores": "8"}, "min_cores must be a whole number"),
    ({"name": "p", "min_cores": True}, "min_cores must be a whole number"),
    ({"name": "p", "cpu_flags": "avx2"}, "cpu_flags must be a list"),
    ({"name": "p", "arch": ""}, "arch must be a non-empty string"),
    ({"name": "p", "min_compute_capability": "eight"}, "min_compute_capability must look like"),
])
def test_bad_pool_tables_name_the_file_and_pool(table: dict, message: str) -> None:
    with pytest.raises(ConferenceError, match=message) as caught:
        pool_from_mapping(table, source="conferences/x.toml")
    assert str(caught.value).startswith("conferences/x.toml: [[pool]]")


def test_profile_from_the_pipeline_platform_stage_round_trips() -> None:
    detected = profile_from_platform(detect_platform().to_dict())
    assert detected.cores >= 1 and detected.memory_bytes > 0 and detected.arch
    assert profile_from_platform(GPU.to_dict()) == GPU
    assert "2x" not in GPU.summary() and "NVIDIA A100-SXM4-40GB" in GPU.summary()


def test_declared_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"arch": "x86_64", "os": "Linux", "cores": 2, "memory_bytes": GIB,
                                "gpus": [{"name": "Tesla T4", "memory_bytes": 16 * GIB,
                                          "compute_capability": "7.5"}]}))
    profile = load_profile(path)
    assert profile.os == "linux" and profile.gpus[0].vendor == "nvidia"
    path.write_text(json.dumps({"arch": "x86_64"}))
    with pytest.raises(ConfigError, match="needs arch, os, cores, memory_bytes"):
        load_profile(path)
