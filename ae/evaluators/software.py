"""Detected software (compilers, tools, libraries) and the per-worker detection cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ae.ck.versions import split_version

DEFAULT_SEARCH_PATH = ("/usr/local/bin", "/usr/bin", "/bin")
HOST_TAGS = ("host-os-linux-64", "target-os-linux-64", "64bits")
CACHE_FORMAT = 2


@dataclass
class Software:
    """One usable piece of software, described the way a CK `env` entry describes it."""

    name: str
    tags: list[str]
    version: str
    path: str = ""
    env: dict[str, str] = field(default_factory=dict)
    include_dirs: list[str] = field(default_factory=list)
    lib_dirs: list[str] = field(default_factory=list)
    libs: list[str] = field(default_factory=list)
    origin: str = "detected"

    @property
    def version_split(self) -> list[int]:
        """Return the version split by CK's rules."""
        return split_version(self.version)

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Software:
        """Rebuild from `to_dict` output."""
        return cls(**d)


def ck_tags(base: Iterable[str], version: str) -> list[str]:
    """Add the tags CK puts on every env entry: host/target OS, bits and `v12`, `v12.2`, `v12.2.0`."""
    tags = list(dict.fromkeys(base))
    parts = [p for p in version.replace("-", ".").split(".") if p]
    for n in range(1, len(parts) + 1):
        tags.append("v" + ".".join(parts[:n]))
    tags.extend(HOST_TAGS)
    return list(dict.fromkeys(tags))


def detect_software(
    *,
    search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
    cache_path: Path | None = None,
    detectors: Sequence[str] | None = None,
) -> list[Software]:
    """Run every registered detector (or those named) once; reuse `cache_path` while it is fresh.

    The cache is keyed by the search path, the detector names and the modification times of the
    search directories (installing or removing a binary changes them), so it stays valid across
    runs on one worker and is redone when the machine's software changes.
    """
    from ae.evaluators.detectors import REGISTRY, pkg_config_dirs

    names = list(detectors) if detectors is not None else sorted(REGISTRY)
    key = _cache_key(search_path, names, pkg_config_dirs())
    if cache_path is not None:
        cached = _read_cache(cache_path, key)
        if cached is not None:
            return cached
    found: list[Software] = []
    for name in names:
        found.extend(REGISTRY[name].detect(search_path))
    if cache_path is not None:
        _write_cache(cache_path, key, found)
    return found


def _cache_key(search_path: Sequence[str], names: Sequence[str], extra_dirs: Sequence[str]) -> str:
    stamps = []
    for d in [*search_path, *extra_dirs]:
        try:
            stamps.append((d, os.stat(d).st_mtime_ns))
        except OSError:
            stamps.append((d, 0))
    blob = json.dumps([CACHE_FORMAT, list(names), stamps]).encode()
    return hashlib.sha256(blob).hexdigest()


def _read_cache(path: Path, key: str) -> list[Software] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        return [Software.from_dict(d) for d in data["software"]]
    except (KeyError, TypeError):
        return None


def _write_cache(path: Path, key: str, found: list[Software]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".software-")
    with os.fdopen(fd, "w") as fh:
        json.dump({"key": key, "software": [s.to_dict() for s in found]}, fh)
    os.replace(tmp, path)
