"""The volunteer's hardware: a stable fingerprint and a readable class that groups results."""

from __future__ import annotations

from typing import Any

from ae.evaluators.platform import Gpu, Platform, detect_platform, hardware_fingerprint
from ae.pools import Profile, load_profile, profile_from_platform


def describe(profile: Profile) -> str:
    """Return the hardware class of a profile, e.g. `x86_64 Test Xeon, 8 cores, 32 GiB, 1x A100`."""
    text = (f"{profile.arch} {profile.cpu_model or 'CPU'}, {profile.cores} cores, "
            f"{round(profile.memory_bytes / 2**30)} GiB")
    models: dict[str, int] = {}
    for gpu in profile.gpus:
        models[gpu.name] = models.get(gpu.name, 0) + 1
    return text + "".join(f", {n}x {m}" for m, n in models.items())


def fingerprint(profile: Profile) -> str:
    """Return the pipeline's hardware fingerprint of a profile (arch, CPU, cores, memory, GPUs)."""
    platform = Platform(arch=profile.arch, os=profile.os, distro="", kernel="", cpu_model=profile.cpu_model,
                        cpu_flags=sorted(profile.cpu_flags), cores=profile.cores,
                        memory_bytes=profile.memory_bytes,
                        gpus=[Gpu(index=n, name=g.name, memory_bytes=g.memory_bytes, uuid="",
                                  driver_version="", compute_capability=g.compute_capability)
                              for n, g in enumerate(profile.gpus)])
    return hardware_fingerprint(platform)


def this_machine(declared: str | None = None) -> dict[str, Any]:
    """Return the hardware of this machine (or the declared profile file): fingerprint, class, profile."""
    from pathlib import Path

    if declared:
        profile = load_profile(Path(declared))
    else:
        profile = profile_from_platform(detect_platform().to_dict())
    return {"fingerprint": fingerprint(profile), "class": describe(profile), "declared": bool(declared),
            "profile": profile.to_dict()}
