"""The machine a run happens on: CPU, memory, OS, GPUs and a stable hardware fingerprint."""

from __future__ import annotations

import hashlib
import json
import os
import platform as _stdlib_platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Gpu:
    """One GPU as NVML reports it."""

    index: int
    name: str
    memory_bytes: int
    uuid: str
    driver_version: str
    compute_capability: str


@dataclass
class Platform:
    """What we record about the machine in every run."""

    arch: str
    os: str
    distro: str
    kernel: str
    cpu_model: str
    cpu_flags: list[str]
    cores: int
    memory_bytes: int
    gpus: list[Gpu] = field(default_factory=list)
    gpu_error: str | None = None
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the platform as plain JSON-ready data."""
        return asdict(self)


def detect_platform(*, proc_dir: Path = Path("/proc"), os_release: Path = Path("/etc/os-release"),
                    with_gpus: bool = True) -> Platform:
    """Describe this machine; GPUs come from NVML when the library and a driver are present."""
    uname = _stdlib_platform.uname()
    model, flags = _cpu_info(proc_dir / "cpuinfo")
    gpus: list[Gpu] = []
    gpu_error: str | None = None
    if with_gpus:
        gpus, gpu_error = _nvml_gpus()
    found = Platform(
        arch=uname.machine,
        os=uname.system.lower(),
        distro=_distro(os_release),
        kernel=uname.release,
        cpu_model=model or uname.processor or uname.machine,
        cpu_flags=flags,
        cores=os.cpu_count() or 1,
        memory_bytes=_memory_bytes(proc_dir / "meminfo"),
        gpus=gpus,
        gpu_error=gpu_error,
    )
    found.fingerprint = hardware_fingerprint(found)
    return found


def hardware_fingerprint(p: Platform) -> str:
    """Hash what identifies the hardware class (not the kernel or distro, which change on updates).

    Memory is rounded to whole GiB so that firmware reservations moving by a few MiB keep the
    fingerprint stable.
    """
    ident = {
        "arch": p.arch,
        "cpu_model": p.cpu_model,
        "cpu_flags": sorted(p.cpu_flags),
        "cores": p.cores,
        "memory_gib": round(p.memory_bytes / 2**30),
        "gpus": sorted((g.name, round(g.memory_bytes / 2**30)) for g in p.gpus),
    }
    blob = json.dumps(ident, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _cpu_info(path: Path) -> tuple[str, list[str]]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "", []
    model = ""
    flags: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if not model and key in ("model name", "Model", "cpu model", "Hardware"):
            model = value.strip()
        elif not flags and key in ("flags", "Features"):
            flags = value.split()
        if model and flags:
            break
    return model, flags


def _memory_bytes(path: Path) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _distro(path: Path) -> str:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return ""
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    return values.get("PRETTY_NAME", values.get("NAME", "")).strip('"')


NVIDIA_DRIVER = "/proc/driver/nvidia"


def _nvml_gpus() -> tuple[list[Gpu], str | None]:
    """List GPUs through NVML; a missing library or driver is normal and gives no GPUs."""
    if not os.path.isdir(NVIDIA_DRIVER):  # no driver loaded: NVML would only cost ~30 ms to say so
        return [], f"no NVIDIA driver ({NVIDIA_DRIVER} is absent)"
    try:
        import pynvml
    except ImportError:
        return [], "pynvml is not installed"
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        return [], f"NVML unavailable: {exc}"
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        gpus = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
            gpus.append(Gpu(
                index=index,
                name=_text(pynvml.nvmlDeviceGetName(handle)),
                memory_bytes=int(pynvml.nvmlDeviceGetMemoryInfo(handle).total),
                uuid=_text(pynvml.nvmlDeviceGetUUID(handle)),
                driver_version=driver,
                compute_capability=f"{major}.{minor}",
            ))
        return gpus, None
    except pynvml.NVMLError as exc:
        return [], f"NVML query failed: {exc}"
    finally:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
