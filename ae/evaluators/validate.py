"""Compare `run_correctness_output_files` with reference outputs, as CK's `program.output` does.

References live in a `program.output` entry (`program-uid-<program UID>`, or the run command's
`program_output_uoa`), in a sub-directory named `<cmd_key>[-<dataset UID>][-<dataset file>]
[-<repeat>]` (repeat left out with `output_invariant_of_repeat: yes`). One shipped in the artifact
wins; otherwise the first run records them into the references dir passed in and later runs
compare against those. Unlike CK a mismatch fails the run, and a unified diff is kept.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae.ck import CkIndex
from ae.ck import files as repo_files
from ae.errors import CkError
from ae.evaluators.paths import UnreadableFile, contained, read_file

MAX_DIFF_LINES = 400
MAX_DIFF_BYTES = 1 << 20  # larger files get a size/hash summary: difflib is quadratic
COMPARE_CAP = 64 << 20  # the largest output (and reference) compared; larger ones fail


@dataclass
class ReferenceKey:
    """Where a run's reference outputs are filed."""

    entry_uoa: str
    subdir: str


def reference_key(*, program_uid: str, cmd_key: str, run_time: Mapping[str, Any],
                  dataset_uid: str | None, dataset_file: str | None, repeat: int,
                  env: Mapping[str, str]) -> ReferenceKey:
    """Return the CK `program.output` entry and sub-directory holding this run's references."""
    parts = [cmd_key]
    if dataset_uid:
        parts.append(dataset_uid)
        if dataset_file:
            parts.append(dataset_file)
    if str(run_time.get("output_invariant_of_repeat", "")).lower() != "yes":
        parts.append(str(repeat))
    for var in run_time.get("run_correctness_vars") or []:
        parts.append(str(env.get(str(var), "")))
    uoa = str(run_time.get("program_output_uoa") or f"program-uid-{program_uid}")
    return ReferenceKey(uoa, "-".join(parts))


def shipped_reference(index: CkIndex, key: ReferenceKey) -> Path | None:
    """Return the reference directory shipped in the repositories, if any."""
    try:
        entry = index.load(key.entry_uoa, module="program.output")
    except CkError:
        return None
    path = contained(entry.path, key.subdir, "The reference directory name")
    return path if path.is_dir() else None


def check_outputs(run_dir: Path, files: Sequence[str], *, shipped: Path | None,
                  references_dir: Path | None, key: ReferenceKey,
                  root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compare each file with its reference; record references that do not exist yet.

    Each result has `ok`, `diff` (None when equal), `reference` (`shipped`, `recorded`,
    `recorded-now` or `none`).
    """
    results: dict[str, dict[str, Any]] = {}
    recorded = (contained(references_dir, os.path.join(key.entry_uoa, key.subdir),
                          "The reference directory name") if references_dir else None)
    for name in files:
        try:
            actual = read_file(run_dir / name, root or run_dir, COMPARE_CAP)
        except FileNotFoundError:
            results[name] = {"ok": False, "diff": f"{name} was not produced by the run.",
                             "reference": "none"}
            continue
        except UnreadableFile as exc:
            results[name] = {"ok": False, "diff": f"{name} could not be read back: it {exc}.",
                             "reference": "none"}
            continue
        try:
            from_shipped = _shipped(shipped, name) if shipped is not None else None
            from_recorded = _recorded(recorded, name) if recorded is not None else None
        except UnreadableFile as exc:
            results[name] = {"ok": False, "diff": f"The reference {name} cannot be used: it {exc}.",
                             "reference": "shipped" if shipped is not None else "recorded"}
            continue
        if from_shipped is not None:
            expected, origin = from_shipped, "shipped"
        elif from_recorded is not None:
            expected, origin = from_recorded, "recorded"
        elif recorded is not None:
            target = contained(recorded, name, "run_correctness_output_files")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(actual)
            results[name] = {"ok": True, "diff": None, "reference": "recorded-now"}
            continue
        else:
            results[name] = {"ok": True, "diff": None, "reference": "none"}
            continue
        diff = file_diff(expected, actual, name)
        results[name] = {"ok": diff is None, "diff": diff, "reference": origin}
    return results


def _shipped(folder: Path, name: str) -> bytes | None:
    """Return a reference shipped in a repository (links inside it allowed), None if absent."""
    path = contained(folder, name, "run_correctness_output_files")
    return repo_files.read_small(str(path), str(folder.resolve()), COMPARE_CAP)


def _recorded(folder: Path, name: str) -> bytes | None:
    """Return a reference the worker recorded earlier, None if absent."""
    try:
        return read_file(folder / name, folder, COMPARE_CAP)
    except FileNotFoundError:
        return None


def file_diff(expected: bytes, actual: bytes, name: str) -> str | None:
    """Return None when the contents are identical, else a unified diff (or a binary summary)."""
    if expected == actual:
        return None
    try:
        if max(len(expected), len(actual)) > MAX_DIFF_BYTES:
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "too large to diff")
        a, b = expected.decode(), actual.decode()
    except UnicodeDecodeError:
        return (f"Files differ: reference {name} ({len(expected)} bytes, sha256 "
                f"{hashlib.sha256(expected).hexdigest()[:16]}) vs produced ({len(actual)} bytes, "
                f"sha256 {hashlib.sha256(actual).hexdigest()[:16]}).")
    lines = list(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                      fromfile=f"reference/{name}", tofile=f"produced/{name}"))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... {len(lines) - MAX_DIFF_LINES} more lines\n"]
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    return text or "The files differ only in line endings."
