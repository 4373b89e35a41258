"""The worker's software inventory: every registered detector run once, cached while fresh."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ae.evaluators.detectors import REGISTRY, PythonPackageDetector, pkg_config_dirs, python_environments
from ae.evaluators.software import Software

DEFAULT_SEARCH_PATH = ("/usr/local/bin", "/usr/bin", "/bin")
CACHE_FORMAT = 3


def detect_software(
    *,
    search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
    cache_path: Path | None = None,
    detectors: Sequence[str] | None = None,
    environments: Sequence[Path] = (),
) -> list[Software]:
    """Run every registered detector (or those named) once; reuse `cache_path` while it is fresh.

    The cache is keyed by the search path, the detector names and the modification times of the
    search directories and of the worker's own environment's site-packages (installing or removing a
    binary or a package changes them), so it stays valid across
    runs on one worker and is redone when the machine's software changes. `environments`: the
    Python environments whose packages are offered instead of the worker's own (a solution's).
    """
    names = list(detectors) if detectors is not None else sorted(REGISTRY)
    site = [str(p) for root in python_environments(environments)
            for p in sorted(root.glob("lib/python*/site-packages"))]
    key = _cache_key(search_path, [*names, *map(str, environments)], [*pkg_config_dirs(), *site])
    if cache_path is not None:
        cached = _read_cache(cache_path, key)
        if cached is not None:
            return cached
    found: list[Software] = []
    for name in names:
        detector = PythonPackageDetector(environments) if name == "python-package" else REGISTRY[name]
        found.extend(detector.detect(search_path))
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
