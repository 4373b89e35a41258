"""Which runs make a version's smoke stage: one per (program, cmd_key), on its smallest dataset."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ae.ck.index import CkIndex
from ae.errors import CkError


def entry_bytes(path: Path) -> int:
    """Return the bytes of a CK entry's files (its `.cm` metadata left out), links not followed."""
    total = 0
    for item in path.rglob("*"):
        if ".cm" in item.relative_to(path).parts or item.is_symlink() or not item.is_file():
            continue
        total += item.stat().st_size
    return total


def dataset_sizes(repo_paths: Sequence[Path], names: Iterable[str]) -> dict[str, int]:
    """Return the size in bytes of each named dataset entry found in the repositories."""
    index = CkIndex.build([Path(p).resolve() for p in repo_paths])
    sizes = {}
    for name in sorted(set(names)):
        try:
            found = index.list(f"dataset:{name}")
        except CkError:
            found = []
        if found:
            sizes[name] = entry_bytes(found[0].path)
    return sizes


def smoke_plan(targets: Iterable[tuple[str, str, str | None]], sizes: dict[str, int],
               ) -> list[tuple[str, str, str | None]]:
    """Return one (program, cmd_key, dataset) per command: the smallest of its datasets (ties by name).

    A dataset of unknown size counts as largest; a command without a named dataset keeps None
    (the pipeline chooses its one dataset by tags).
    """
    chosen: dict[tuple[str, str], str | None] = {}
    for program, cmd_key, dataset in sorted(targets, key=str):
        key = (program, cmd_key)
        if key not in chosen:
            chosen[key] = dataset
            continue
        old = chosen[key]
        if old is None or dataset is None:
            continue
        if (sizes.get(dataset, 2**63), dataset) < (sizes.get(old, 2**63), old):
            chosen[key] = dataset
    return [(p, k, d) for (p, k), d in sorted(chosen.items())]
