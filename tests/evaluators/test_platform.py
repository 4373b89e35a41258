"""Platform description and hardware fingerprint."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ae.evaluators.platform import detect_platform, hardware_fingerprint


def test_this_machine_is_described() -> None:
    p = detect_platform()
    assert p.arch and p.os == "linux" and p.kernel and p.cores >= 1
    assert p.memory_bytes > 0 and p.cpu_model
    assert len(p.fingerprint) == 16
    # a machine without an NVIDIA driver has no GPUs and says why, without failing
    assert p.gpus or p.gpu_error
    json.dumps(p.to_dict())


def test_fingerprint_is_stable_and_ignores_software_changes() -> None:
    p = detect_platform(with_gpus=False)
    assert detect_platform(with_gpus=False).fingerprint == p.fingerprint
    upgraded = replace(p, kernel="9.9.9", distro="Other 1")
    assert hardware_fingerprint(upgraded) == p.fingerprint
    assert hardware_fingerprint(replace(p, cores=p.cores + 1)) != p.fingerprint
    more_memory = replace(p, memory_bytes=p.memory_bytes + 8 * 2**30)
    assert hardware_fingerprint(more_memory) != p.fingerprint


def test_cpu_and_distro_are_read_from_the_files_given(tmp_path: Path) -> None:
    (tmp_path / "cpuinfo").write_text("processor\t: 0\nmodel name\t: Test CPU 3000\n"
                                      "flags\t\t: fpu sse2 avx2\n")
    (tmp_path / "meminfo").write_text("MemTotal:       2048 kB\n")
    release = tmp_path / "os-release"
    release.write_text('NAME="Test"\nPRETTY_NAME="Test Linux 1"\n')
    p = detect_platform(proc_dir=tmp_path, os_release=release, with_gpus=False)
    assert p.cpu_model == "Test CPU 3000" and p.cpu_flags == ["fpu", "sse2", "avx2"]
    assert p.memory_bytes == 2048 * 1024 and p.distro == "Test Linux 1"
