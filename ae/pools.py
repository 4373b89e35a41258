"""Hardware pools and worker profiles: which machine may run which job (pure data, no Flask).

A pool is a named set of hardware constraints from a conference file's `[[pool]]` table. A worker
serves a pool when its profile meets every constraint the pool sets; an unset key is no constraint.
Queue names are global (`ae:pool:<name>`), so when several conferences define a pool with the same
name a worker serves it only if it satisfies every definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ae.errors import ConferenceError, ConfigError

#: Pool keys compared as "at least this much".
_MINIMUMS = ("min_cores", "min_memory_bytes", "min_gpu_memory_bytes")
_GPU_KEYS = ("gpu_vendor", "gpu_model", "min_gpu_memory_bytes", "min_compute_capability")


@dataclass(frozen=True)
class GpuProfile:
    """One accelerator of a worker."""

    vendor: str
    name: str
    memory_bytes: int
    compute_capability: str = ""


@dataclass(frozen=True)
class Profile:
    """What a worker offers: architecture, OS, CPU flags, cores, memory and GPUs."""

    arch: str
    os: str
    cores: int
    memory_bytes: int
    cpu_flags: frozenset[str] = frozenset()
    cpu_model: str = ""
    gpus: tuple[GpuProfile, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as JSON-ready data."""
        data = asdict(self)
        data["cpu_flags"] = sorted(self.cpu_flags)
        return data

    def summary(self) -> str:
        """Return a one-line description, e.g. `x86_64 linux 16 cores 128 GiB, 1x NVIDIA H100`."""
        text = f"{self.arch} {self.os} {self.cores} cores {round(self.memory_bytes / 2**30)} GiB"
        models: dict[str, int] = {}
        for gpu in self.gpus:
            models[gpu.name] = models.get(gpu.name, 0) + 1
        return text + "".join(f", {n}x {m}" for m, n in models.items())


@dataclass(frozen=True)
class Pool:
    """A named set of hardware constraints; None (or empty) means unconstrained."""

    name: str
    arch: str | None = None
    os: str | None = None
    cpu_flags: tuple[str, ...] = ()
    min_cores: int | None = None
    min_memory_bytes: int | None = None
    gpu_vendor: str | None = None
    gpu_model: str | None = None
    min_gpu_memory_bytes: int | None = None
    min_compute_capability: str | None = None
    sources: tuple[str, ...] = field(default=(), compare=False)

    def constraints(self) -> dict[str, Any]:
        """Return the keys this pool sets."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("name", "sources") and getattr(self, f.name) not in (None, ())}

    def specificity(self) -> int:
        """Rank pools for queue order: each constraint counts 1, GPU constraints 10."""
        return sum(10 if key in _GPU_KEYS else 1 for key in self.constraints())


def pool_from_mapping(data: Mapping[str, Any], *, source: str) -> Pool:
    """Validate one `[[pool]]` table; errors name the source file and the pool."""
    name = data.get("name")
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_." for c in name):
        raise ConferenceError(f"{source}: [[pool]] name must be letters, digits, '-', '_' or '.' "
                              f"(got {name!r})")
    where = f"{source}: [[pool]] {name!r}"
    values: dict[str, Any] = {"name": name, "sources": (source,)}
    for key in ("arch", "os", "gpu_vendor", "gpu_model"):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise ConferenceError(f"{where}: {key} must be a non-empty string")
            values[key] = data[key].lower() if key in ("os", "gpu_vendor") else data[key]
    for key in _MINIMUMS:
        if key in data:
            if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 0:
                raise ConferenceError(f"{where}: {key} must be a whole number >= 0")
            values[key] = data[key]
    if "cpu_flags" in data:
        flags = data["cpu_flags"]
        if not isinstance(flags, list) or not all(isinstance(f, str) and f for f in flags):
            raise ConferenceError(f"{where}: cpu_flags must be a list of flag names like [\"avx2\"]")
        values["cpu_flags"] = tuple(sorted(set(flags)))
    if "min_compute_capability" in data:
        value = str(data["min_compute_capability"])
        if _version(value) is None:
            raise ConferenceError(f"{where}: min_compute_capability must look like \"8.0\"")
        values["min_compute_capability"] = value
    return Pool(**values)


def merge_pools(definitions: Iterable[Pool]) -> dict[str, list[Pool]]:
    """Group pool definitions by name (queue names are global across conferences)."""
    merged: dict[str, list[Pool]] = {}
    for pool in definitions:
        if pool not in merged.setdefault(pool.name, []):
            merged[pool.name].append(pool)
    return merged


def _version(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return None


def _gpu_unmet(pool: Pool, gpu: GpuProfile) -> list[str]:
    reasons = []
    if pool.gpu_vendor and gpu.vendor.lower() != pool.gpu_vendor:
        reasons.append(f"GPU vendor {gpu.vendor} is not {pool.gpu_vendor}")
    if pool.gpu_model and pool.gpu_model.lower() not in gpu.name.lower():
        reasons.append(f"GPU {gpu.name} is not a {pool.gpu_model}")
    if pool.min_gpu_memory_bytes and gpu.memory_bytes < pool.min_gpu_memory_bytes:
        reasons.append(f"GPU memory {gpu.memory_bytes} < {pool.min_gpu_memory_bytes} bytes")
    if pool.min_compute_capability:
        have = _version(gpu.compute_capability) or (0,)
        if have < (_version(pool.min_compute_capability) or (0,)):
            reasons.append(f"compute capability {gpu.compute_capability or 'unknown'} "
                           f"< {pool.min_compute_capability}")
    return reasons


def unmet(pool: Pool, profile: Profile) -> list[str]:
    """Return why a profile does not satisfy a pool (empty when it does)."""
    reasons = []
    if pool.arch and profile.arch != pool.arch:
        reasons.append(f"arch {profile.arch} is not {pool.arch}")
    if pool.os and profile.os.lower() != pool.os:
        reasons.append(f"os {profile.os} is not {pool.os}")
    missing = [f for f in pool.cpu_flags if f not in profile.cpu_flags]
    if missing:
        reasons.append(f"CPU lacks {', '.join(missing)}")
    if pool.min_cores and profile.cores < pool.min_cores:
        reasons.append(f"{profile.cores} cores < {pool.min_cores}")
    if pool.min_memory_bytes and profile.memory_bytes < pool.min_memory_bytes:
        reasons.append(f"memory {profile.memory_bytes} < {pool.min_memory_bytes} bytes")
    if any(getattr(pool, key) for key in _GPU_KEYS):
        per_gpu = [_gpu_unmet(pool, gpu) for gpu in profile.gpus]
        if not profile.gpus:
            reasons.append("no GPU")
        elif all(per_gpu):
            reasons.append(min(per_gpu, key=len)[0])
    return reasons


def satisfies(profile: Profile, definitions: Iterable[Pool]) -> bool:
    """Tell whether a profile meets every definition of a pool."""
    return all(not unmet(pool, profile) for pool in definitions)


def matching_pools(profile: Profile, pools: Iterable[Pool]) -> list[str]:
    """Return the names of the pools a profile satisfies, most specific first."""
    merged = merge_pools(pools)
    names = [name for name, defs in merged.items() if satisfies(profile, defs)]
    return sorted(names, key=lambda n: (-max(p.specificity() for p in merged[n]), n))


def _implies(pool: Pool, need: Pool) -> bool:
    """Tell whether every machine in `pool` also meets `need`."""
    for key, wanted in need.constraints().items():
        have = getattr(pool, key)
        if have in (None, ()):
            return False
        if key == "cpu_flags" and not set(wanted) <= set(have):
            return False
        if key in _MINIMUMS and have < wanted:
            return False
        if key == "min_compute_capability" and (_version(have) or ()) < (_version(wanted) or ()):
            return False
        if key == "gpu_model" and wanted.lower() not in have.lower():
            return False
        if key in ("arch", "os", "gpu_vendor") and have != wanted:
            return False
    return True


def parse_requirement(text: str, *, source: str) -> Pool:
    """Parse a hardware requirement written as `key=value` terms, e.g. `gpu_vendor=nvidia min_cores=8`."""
    data: dict[str, Any] = {"name": "requirement"}
    for term in text.replace(",", " ").split():
        key, sep, value = term.partition("=")
        if not sep or key not in {f.name for f in fields(Pool)} - {"name", "sources"}:
            raise ConferenceError(f"{source}: hardware requirement term {term!r} is not key=value "
                                  "with a pool key (arch, os, cpu_flags, min_cores, gpu_vendor, …)")
        if key == "cpu_flags":
            data[key] = value.split("+")
        elif key in _MINIMUMS:
            data[key] = int(value) if value.isdigit() else value
        else:
            data[key] = value
    return pool_from_mapping(data, source=source)


#: Requirement terms that size a batch job (a Slurm pool's runs), not choose a pool.
RESOURCE_KEYS = {
    "nodes": re.compile(r"[1-9][0-9]*"), "ntasks": re.compile(r"[1-9][0-9]*"),
    "cpus_per_task": re.compile(r"[1-9][0-9]*"), "mem": re.compile(r"[1-9][0-9]*[KMGT]?"),
    "time": re.compile(r"([0-9]+-)?[0-9]+(:[0-9]+){0,2}"),
}


def split_requirement(text: str | None, *, source: str) -> tuple[str | None, dict[str, str]]:
    """Split a hardware requirement into its pool part and its job resources.

    `"cluster nodes=2 ntasks=8 mem=16G time=1:00:00"` is pool `cluster` with those Slurm resources
    (nodes, tasks, CPUs per task, memory per node, time limit in Slurm's formats).
    """
    if not text:
        return None, {}
    keep, resources = [], {}
    for term in text.replace(",", " ").split():
        key, sep, value = term.partition("=")
        if not sep or key not in RESOURCE_KEYS:
            keep.append(term)
        elif RESOURCE_KEYS[key].fullmatch(value):
            resources[key] = value
        else:
            raise ConferenceError(f"{source}: job resource {term!r} is not valid (nodes, ntasks and "
                                  "cpus_per_task are counts, mem like 16G, time like 30 or 1:00:00)")
    return " ".join(keep) or None, resources


def pool_for_requirement(requirement: str | None, pools: Iterable[Pool], *, source: str) -> str:
    """Map a claim's or artifact's hardware requirement to the pool its runs go to.

    No requirement goes to `default` (or the least constrained pool). A pool name is taken as is.
    Otherwise the requirement is `key=value` terms and the answer is the least constrained pool whose
    every machine meets them, so that as many workers as possible can serve it. Job resources
    (`split_requirement`) choose no pool.
    """
    written = requirement  # as the author wrote it, for the messages
    requirement, _ = split_requirement(requirement, source=source)
    merged = merge_pools(pools)
    if not merged:
        raise ConferenceError(f"{source}: the conference defines no pool")

    def looseness(name: str) -> tuple[int, str]:
        return (max(p.specificity() for p in merged[name]), name)

    if not requirement:
        return "default" if "default" in merged else min(merged, key=looseness)
    if requirement in merged:
        return requirement
    if "=" not in requirement:
        raise ConferenceError(f"{source}: hardware {written!r} is not a pool of this conference "
                              f"(pools: {', '.join(sorted(merged))})")
    need = parse_requirement(requirement, source=source)
    fits = [name for name, defs in merged.items() if all(_implies(p, need) for p in defs)]
    if not fits:
        raise ConferenceError(f"{source}: no pool guarantees hardware {written!r} "
                              f"(pools: {', '.join(sorted(merged))})")
    return min(fits, key=looseness)


def profile_from_platform(platform: Mapping[str, Any]) -> Profile:
    """Build a profile from the pipeline's platform record (NVML GPUs are NVIDIA's)."""
    gpus = tuple(GpuProfile(vendor=str(g.get("vendor", "nvidia")).lower(), name=str(g["name"]),
                            memory_bytes=int(g.get("memory_bytes", 0)),
                            compute_capability=str(g.get("compute_capability", "")))
                 for g in platform.get("gpus", []))
    return Profile(arch=str(platform["arch"]), os=str(platform["os"]).lower(),
                   cores=int(platform["cores"]), memory_bytes=int(platform["memory_bytes"]),
                   cpu_flags=frozenset(platform.get("cpu_flags", [])),
                   cpu_model=str(platform.get("cpu_model", "")), gpus=gpus)


def load_profile(path: Path) -> Profile:
    """Read a declared profile (JSON with the platform record's keys) instead of detecting one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return profile_from_platform(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"worker profile {path}: cannot be used ({type(exc).__name__}: {exc}); "
                          "it needs arch, os, cores, memory_bytes and optionally cpu_flags and gpus "
                          "[{name, memory_bytes, compute_capability, vendor}]") from exc
