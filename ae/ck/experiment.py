"""CK `experiment` entries: points (`ckp-<uid>.*.json`) read, and our run records written alike.

An experiment entry holds, per point, `ckp-<uid>.features.json` (choices, features, `sub_points`),
`.features_flat.json` (the same, flattened), `.flat.json` (statistics over every repetition, see
`ae.ck.flat`) and one `.NNNN.json` per sub-point (`characteristics_list`: one dict per repetition).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.ck.entry import CkEntry
from ae.ck.files import UnreadableFile, read_json
from ae.ck.flat import flatten, subpoint_statistics
from ae.errors import CkError

POINT_CAP = 64 * 1024 * 1024
_POINT_FILE = re.compile(
    r"^ckp-([0-9a-f.]{16})\.(features|features_flat|flat|desc|deps|\d{4})\.json$"
)


@dataclass(frozen=True)
class ExperimentMeta:
    """An `experiment` entry's meta."""

    tags: list[str]
    meta: dict[str, Any]
    pipeline_uoa: str
    pipeline_uid: str
    points: int
    added: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> ExperimentMeta:
        """Read experiment meta (`points` is stored as a string by CK)."""
        if not isinstance(d, Mapping):
            raise CkError(f"{where}: meta must be a JSON object.")
        known = ("tags", "meta", "pipeline_uoa", "pipeline_uid", "points", "added")
        try:
            points = int(d.get("points", 0) or 0)
        except (TypeError, ValueError) as exc:
            raise CkError(f"{where}: points must be a number, not {d.get('points')!r}.") from exc
        tags = d.get("tags", [])
        if not isinstance(tags, list):
            raise CkError(f"{where}: tags must be a list of strings.")
        return cls(
            tags=[t for t in tags if isinstance(t, str)],
            meta=dict(d.get("meta") or {}), pipeline_uoa=str(d.get("pipeline_uoa", "")),
            pipeline_uid=str(d.get("pipeline_uid", "")), points=points,
            added=dict(d.get("added") or {}), extra={k: v for k, v in d.items() if k not in known},
        )


@dataclass(frozen=True)
class ExperimentPoint:
    """One recorded point of an experiment."""

    uid: str
    features: dict[str, Any]
    features_flat: dict[str, Any]
    flat: dict[str, Any]
    subpoints: list[dict[str, Any]]

    @property
    def choices(self) -> dict[str, Any]:
        """Return the point's `choices` (cmd_key, dataset_uoa, compiler flags, …)."""
        return dict(self.features.get("choices") or {})

    def samples(self) -> list[dict[str, Any]]:
        """Return every repetition's characteristics, sub-point by sub-point."""
        out: list[dict[str, Any]] = []
        for sub in self.subpoints:
            out.extend(sub.get("characteristics_list") or [])
        return out


def _load(path: Path, root: str) -> Any:
    try:
        return read_json(str(path), root, POINT_CAP)
    except FileNotFoundError:
        return None
    except UnreadableFile as exc:
        raise CkError(f"{path}: {exc}") from exc


def read_experiment(entry: CkEntry) -> list[ExperimentPoint]:
    """Read every point of an experiment entry (sorted by point UID)."""
    root = os.path.realpath(entry.path)
    try:
        names = os.listdir(entry.path)
    except OSError as exc:
        raise CkError(f"{entry.path}: experiment entry cannot be listed ({exc.strerror}).") from exc
    files: dict[str, dict[str, str]] = {}
    for name in names:
        m = _POINT_FILE.match(name)
        if m:
            files.setdefault(m.group(1), {})[m.group(2)] = name
    points = []
    for uid in sorted(files):
        kinds = files[uid]
        loaded = {k: _load(entry.path / kinds[k], root) if k in kinds else None
                  for k in ("features", "features_flat", "flat")}
        for kind, value in loaded.items():
            if value is not None and not isinstance(value, dict):
                raise CkError(f"{entry.path / kinds[kind]}: must be a JSON object.")
        subs = []
        for kind in sorted(k for k in kinds if k.isdigit()):
            sub = _load(entry.path / kinds[kind], root)
            if not isinstance(sub, dict):
                raise CkError(f"{entry.path / kinds[kind]}: must be a JSON object.")
            subs.append(sub)
        points.append(ExperimentPoint(uid, loaded["features"] or {}, loaded["features_flat"] or {},
                                      loaded["flat"] or {}, subs))
    return points


def write_point(
    directory: Path,
    *,
    choices: Mapping[str, Any],
    features: Mapping[str, Any],
    characteristics_list: Sequence[Mapping[str, Any]],
    pipeline_state: Mapping[str, Any] | None = None,
    choices_order: Sequence[Any] = (),
    uid: str | None = None,
) -> str:
    """Write one point of our run record in CK's experiment layout; return the point UID.

    The files are those `ck benchmark --record` writes (one sub-point), so that CK-era tools (`ck
    replay`, dashboards reading `ckp-*.flat.json`) can read our results.
    """
    uid = uid or secrets.token_hex(8)
    directory.mkdir(parents=True, exist_ok=True)
    base = {"choices": dict(choices), "choices_order": list(choices_order),
            "features": dict(features)}
    sub = {**base, "characteristics_list": [dict(c) for c in characteristics_list]}
    head = {**base, "sub_points": 1}
    state = dict(pipeline_state) if pipeline_state is not None else None
    outputs = {
        "features": head,
        "features_flat": flatten({k: v for k, v in head.items() if k != "sub_points"}),
        "0001": sub,
        "flat": subpoint_statistics([sub], state),
    }
    for kind, data in outputs.items():
        target = directory / f"ckp-{uid}.{kind}.json"
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    return uid
