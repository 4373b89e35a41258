"""`ae demo`: the sample artifacts of examples/ as real git repositories, submitted for evaluation."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ae.config import PROJECT_ROOT
from ae.intake.git import init_repository

EXAMPLES = PROJECT_ROOT / "examples"


@dataclass(frozen=True)
class Example:
    """One sample artifact of examples/."""

    name: str
    path: Path


def examples(root: Path = EXAMPLES) -> list[Example]:
    """Return the sample artifacts (directories holding a .ckr.json)."""
    return [Example(p.name, p) for p in sorted(root.iterdir()) if (p / ".ckr.json").is_file()]


def as_git_repository(example: Example, dest_root: Path) -> Path:
    """Copy an example into a fresh git repository with one commit; return its path."""
    dest = dest_root / example.name
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(example.path, dest, ignore=shutil.ignore_patterns("tmp", "__pycache__"))
    init_repository(dest, message=f"Sample artifact {example.name}")
    return dest
