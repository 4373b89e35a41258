"""Containerfiles (OCI) and their build contexts: `ae` installed on a base image, plus an artifact.

Why this shape: the pipeline needs nothing but the standard library and `ae`'s own pure-Python
package, so installing `ae` is copying that package and byte-compiling it (which also checks the
image's Python is new enough) — no index, no network. The artifact's pinned snapshot and its
dependency repositories are copied as they are, and the image's command runs the plan with the
same pipeline a worker runs, detecting the platform and resolving dependencies when it starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ae
from ae.evaluators.plan import Plan

#: Where things live inside the image.
AE_LIB = Path("/opt/ae/lib")
ARTIFACT = Path("/ae/artifact")
DEPS = Path("/ae/deps")
WORK = Path("/ae/work")
REFERENCES = Path("/ae/references")
PLAN = Path("/ae/plan.json")
#: The unprivileged user the exported image runs as.
USER = "65534:65534"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def package_dir() -> Path:
    """Return the directory of the running `ae` package."""
    return Path(ae.__file__).resolve().parent


@cache
def package_digest() -> str:
    """Return a sha256 over the `ae` package's files (names and contents), to tag images by."""
    sha = hashlib.sha256()
    root = package_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix not in (".pyc", ".pyo")):
        sha.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def install_lines(base: str) -> list[str]:
    """Return the Containerfile lines that start from `base` and install `ae` into it."""
    check = ("import sys; sys.exit(0 if sys.version_info >= (3, 11) else "
             "'ae needs Python 3.11 or newer in the image')")
    return [
        f"FROM {base}",
        f"COPY ae {AE_LIB}/ae",
        f"ENV PYTHONPATH={AE_LIB} LANG=C.UTF-8",
        f"RUN python3 -c {json.dumps(check)} && python3 -m compileall -q {AE_LIB}/ae",
    ]


def copy_package(context: Path) -> None:
    """Copy the `ae` package (sources and data files, no byte code) into a build context."""
    shutil.copytree(package_dir(), context / "ae", ignore=_IGNORED)


@dataclass(frozen=True)
class Export:
    """What `ae export container` puts in an image: the artifact, its dependencies and a plan."""

    artifact_root: Path
    own_repos: list[Path]
    dependencies: list[tuple[str, Path]]
    targets: list[dict[str, str | None]]
    repetitions: int
    limits: dict[str, Any]
    network: bool
    header: list[str]

    def plan(self) -> Plan:
        """Return the plan as the image sees it (paths inside the image)."""
        repos = [ARTIFACT / p.relative_to(self.artifact_root) for p in self.own_repos]
        repos += [DEPS / name for name, _ in self.dependencies]
        return Plan(repo_paths=[str(p) for p in repos], targets=self.targets, work_root=str(WORK),
                    repetitions=self.repetitions, limits=self.limits, network=self.network,
                    sandbox_mode="container", references_dir=str(REFERENCES))


def export_containerfile(base: str, header: Sequence[str]) -> str:
    """Return the Containerfile of an exported artifact."""
    lines = [*(f"# {line}" for line in header), *install_lines(base),
             f"COPY artifact {ARTIFACT}",
             f"COPY deps {DEPS}",
             f"COPY plan.json {PLAN}",
             f"RUN mkdir -p {WORK} {REFERENCES} && chown {USER} {WORK} {REFERENCES}",
             f"USER {USER}",
             f"WORKDIR {WORK}",
             f'CMD ["python3", "-m", "ae.evaluators.plan", "{PLAN}"]']
    return "\n".join(lines) + "\n"


def write_export(context: Path, export: Export, *, base: str) -> Path:
    """Write a build context: Containerfile, `ae`, the artifact, its dependencies and the plan."""
    context.mkdir(parents=True, exist_ok=True)
    if any(context.iterdir()):
        raise FileExistsError(f"{context} is not empty; give a new directory")
    copy_package(context)
    shutil.copytree(export.artifact_root, context / "artifact", symlinks=True)
    (context / "deps").mkdir()
    for name, tree in export.dependencies:
        shutil.copytree(tree, context / "deps" / name, symlinks=True)
    (context / "plan.json").write_text(export.plan().to_json() + "\n", encoding="utf-8")
    (context / "Containerfile").write_text(export_containerfile(base, export.header), encoding="utf-8")
    (context / ".containerignore").write_text("export.json\n", encoding="utf-8")
    _writable(context)
    return context / "Containerfile"


def _writable(root: Path) -> None:
    """Give the owner write access to the copied (read-only) snapshot trees, so the context can go."""
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o700)


def runner_containerfile(base: str) -> str:
    """Return the Containerfile of a worker's runner image: `base` with `ae` installed."""
    return "\n".join(["# ae's container runner: the pipeline installed on a base image",
                      *install_lines(base)]) + "\n"
