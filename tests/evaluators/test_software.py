"""Software detection on this machine, its CK variables, and the per-worker cache."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

from ae.evaluators.detectors import REGISTRY, find_executables
from ae.evaluators.inventory import detect_software


def test_gcc_is_detected_with_the_variables_ck_programs_expect() -> None:
    found = detect_software(detectors=["gcc"])
    assert found, "this machine has gcc"
    gcc = found[0]
    assert {"compiler", "gcc", "lang-c", "lang-cpp", "host-os-linux-64"} <= set(gcc.tags)
    assert f"v{gcc.version_split[0]}" in gcc.tags
    for key, value in {"CK_CC": Path(gcc.path).name, "CK_OPT_SPEED": "-O3",
                       "CK_FLAGS_CREATE_OBJ": "-c", "CK_EXTRA_LIB_M": "-lm",
                       "CK_FLAG_PREFIX_INCLUDE": "-I", "CK_OBJ_EXT": ".o"}.items():
        assert gcc.env[key] == value
    assert gcc.env["CK_ENV_COMPILER_GCC_FILE"] == gcc.path


def test_python_and_tools_are_detected() -> None:
    found = {s.name: s for s in detect_software(detectors=["python", "make"])}
    assert found["python"].env["CK_ENV_COMPILER_PYTHON_FILE"].startswith("/")
    assert "lang-python" in found["python"].tags
    assert {"tool", "make"} <= set(found["make"].tags)


def test_a_missing_tool_is_not_an_error(tmp_path: Path) -> None:
    assert REGISTRY["clang"].detect([str(tmp_path)]) == []
    assert REGISTRY["nvcc"].detect([str(tmp_path / "absent")]) == []


def test_versioned_names_are_found_once_per_real_file(tmp_path: Path) -> None:
    real = tmp_path / "gcc-12"
    real.write_text("#!/bin/sh\necho 12.2.0\n")
    real.chmod(real.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "gcc").symlink_to(real)
    (tmp_path / "gcc-notes").write_text("not a compiler")
    found = find_executables([str(tmp_path)], r"gcc(-\d+)?")
    assert [p.name for p in found] == ["gcc"]
    detected = REGISTRY["gcc"].detect([str(tmp_path)])
    assert [(s.version, s.env["CK_CC"]) for s in detected] == [("12.2.0", "gcc")]


def test_pkg_config_libraries_come_with_include_and_lib_dirs() -> None:
    libs = {s.name: s for s in detect_software(detectors=["pkg-config"])}
    if not libs:
        return  # a machine without .pc files has nothing to check
    lib = libs.get("zlib") or next(iter(libs.values()))
    assert "lib" in lib.tags and lib.version
    assert any(k.startswith("CK_ENV_LIB_") for k in lib.env)


def test_cache_is_reused_and_refreshed_when_the_search_path_changes(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "cmake"
    tool.write_text("#!/bin/sh\necho cmake version 3.1.4\n")
    tool.chmod(0o755)
    cache = tmp_path / "software.json"
    first = detect_software(search_path=[str(bindir)], cache_path=cache, detectors=["cmake"])
    assert [s.version for s in first] == ["3.1.4"]
    data = json.loads(cache.read_text())
    data["software"][0]["version"] = "9.9.9"  # proves the second call reads the cache
    cache.write_text(json.dumps(data))
    again = detect_software(search_path=[str(bindir)], cache_path=cache, detectors=["cmake"])
    assert [s.version for s in again] == ["9.9.9"]
    time.sleep(0.01)
    (bindir / "make").write_text("")  # installing something changes the directory
    os.utime(bindir, None)
    fresh = detect_software(search_path=[str(bindir)], cache_path=cache, detectors=["cmake"])
    assert [s.version for s in fresh] == ["3.1.4"]
