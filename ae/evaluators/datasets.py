"""Choosing the dataset of a run: by UOA when named, else by the run command's `dataset_tags`.

CK prompts when several datasets carry the tags; we never prompt, so ambiguity is an error naming
the candidates, and the caller names one (`RunSpec.dataset`, `ae run --dataset`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ae.ck import CkEntry, CkIndex
from ae.errors import CkError, PipelineError


@dataclass
class ChosenDataset:
    """The dataset entry of a run and the values it substitutes into commands."""

    entry: CkEntry
    files: list[str]

    @property
    def path(self) -> str:
        """Return the entry directory with a trailing slash (CK's `$#dataset_path#$`)."""
        return str(self.entry.path) + "/"

    def substitutions(self) -> dict[str, str]:
        """Return `dataset_path`, `dataset_filename`, `_1`, `_2`… and the `cm_properties` keys."""
        values = {"dataset_path": self.path, "dataset_uoa": self.entry.uoa,
                  "dataset_uid": self.entry.uid}
        if self.files:
            values["dataset_filename"] = self.files[0]
        for n, name in enumerate(self.files[1:], start=1):
            values[f"dataset_filename_{n}"] = name
        props: Any = self.entry.meta.get("cm_properties", {})
        run_cmd = props.get("run_time", {}).get("run_cmd_main", {}) if isinstance(props, dict) else {}
        if isinstance(run_cmd, dict):
            values.update({str(k): str(v) for k, v in run_cmd.items()})
        return values


def dataset_tags(run_cmd: dict[str, Any]) -> list[str]:
    """Return a run command's dataset tags (empty when the command takes no dataset)."""
    tags = run_cmd.get("dataset_tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(t) for t in tags]


def candidates(index: CkIndex, tags: Sequence[str]) -> list[CkEntry]:
    """Return the dataset entries carrying every tag, deduplicated by UID in search order."""
    seen: dict[str, CkEntry] = {}
    for entry in index.search("dataset", list(tags)):
        seen.setdefault(entry.uid, entry)
    return list(seen.values())


def choose_dataset(index: CkIndex, run_cmd: dict[str, Any], uoa: str | None,
                   where: str, dataset_file: str | None = None) -> ChosenDataset | None:
    """Return the dataset a run uses, or None when its command takes no dataset.

    `dataset_file` (CK's `--dataset_file`) becomes `$#dataset_filename#$`; unlike CK the other
    files stay available as `_1`, `_2`… in meta order. Without it the first file is used, where
    CK would prompt.
    """
    tags = dataset_tags(run_cmd)
    if uoa:
        try:
            entry = index.load(uoa) if ":" in uoa else index.load(uoa, module="dataset")
        except CkError as exc:
            raise PipelineError(f"Dataset {uoa!r} named for {where} was not found: {exc}",
                                kind="missing-dataset") from exc
    elif not tags:
        return None
    else:
        found = candidates(index, tags)
        if not found:
            raise PipelineError(
                f"No dataset has all the tags {','.join(tags)} required by {where}.",
                kind="missing-dataset")
        if len(found) > 1:
            names = ", ".join(sorted(e.uoa for e in found))
            raise PipelineError(
                f"{len(found)} datasets have the tags {','.join(tags)} required by {where}: "
                f"{names}; name one.", kind="ambiguous-dataset")
        entry = found[0]
    raw = entry.meta.get("dataset_files") or []
    files = [str(f) for f in raw] if isinstance(raw, list) else []
    if dataset_file is not None:
        if dataset_file not in files:
            raise PipelineError(
                f"Dataset {entry.uoa} has no file {dataset_file!r} (it has: "
                f"{', '.join(files) or 'none'}).", kind="missing-dataset")
        files = [dataset_file, *(f for f in files if f != dataset_file)]
    return ChosenDataset(entry, files)
