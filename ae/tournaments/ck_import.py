"""CK `experiment` entries as tournament points (how ReQuEST and cKnowledge.io recorded results).

Each point of an experiment entry becomes one point: its stored `ckp-<uid>.flat.json` is read as
it is — real repositories edited those statistics after recording, so they are never recomputed
from the sub-points (`ckp-<uid>.NNNN.json`) — and its numbers under `##characteristics#…` and
`##features#…` are kept (scalars, and the `#all` lists of repetitions). The entry's `meta.meta`
scalars (platform, price, power …) become the point's meta.

Real data has quirks; each is tolerated and reported, never silently fixed:
- NUL characters in meta strings (PostgreSQL refuses them): removed;
- a statistic recorded as 0.0, which in these repositories means "not measured": kept as recorded,
  read as no value by the scoreboard;
- a `points` count in the meta that disagrees with the point files present: the files win;
- a point without its `.flat.json`: skipped (only the sub-points would remain, and they are not
  what was published).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.ck.entry import CkEntry
from ae.ck.files import UnreadableFile, read_json
from ae.ck.index import CkIndex
from ae.ck.repository import find_repos
from ae.errors import CkError, TournamentError
from ae.tournaments.definition import ROOTS

FLAT_CAP = 64 * 1024 * 1024
_POINT = re.compile(r"^ckp-([0-9a-f.]{16})\.(features|features_flat|flat|desc|deps|\d{4})\.json$")
_SHOWN_ZEROS = 4


@dataclass(frozen=True)
class ImportedPoint:
    """One point read from a CK experiment entry."""

    experiment: str
    uid: str
    entry: str
    configuration: str
    flat: dict[str, Any]
    meta: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Return the point's stable id: experiment and point UID."""
        return f"{self.experiment}/{self.uid}"


@dataclass
class ImportResult:
    """What an import read: points, and a sentence for every quirk met."""

    points: list[ImportedPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    experiments: int = 0


def import_experiments(path: Path, *, entry: str | None = None, tags: Sequence[str] = (),
                       watched: Collection[str] = ()) -> ImportResult:
    """Read every `experiment` entry (with all `tags`) of the CK repositories under `path`.

    `watched`: the flat keys the tournament's metrics read; a 0.0 recorded there is reported.
    """
    try:
        index = CkIndex.build(find_repos(path))
    except CkError as exc:
        raise TournamentError(f"{path}: {exc}") from exc
    result = ImportResult(notes=[str(p) for p in index.problems])
    experiments = index.search("experiment", list(tags))
    if not experiments:
        raise TournamentError(f"{path}: no CK experiment entries"
                              f"{' tagged ' + ','.join(tags) if tags else ''} to import")
    for experiment in sorted(experiments, key=lambda e: e.uoa):
        result.experiments += 1
        points, notes = read_points(experiment, entry=entry, watched=watched)
        result.points += points
        result.notes += notes
    return result


def read_points(experiment: CkEntry, *, entry: str | None = None,
                watched: Collection[str] = ()) -> tuple[list[ImportedPoint], list[str]]:
    """Return the points of one experiment entry and the notes on its quirks."""
    name = clean_text(experiment.uoa)
    notes: list[str] = []
    meta, nul_keys = _scalars(experiment.meta.get("meta"))
    if nul_keys:
        notes.append(f"{name}: NUL characters removed from meta {', '.join(sorted(nul_keys))} "
                     "(PostgreSQL refuses them)")
    try:
        names = os.listdir(experiment.path)
    except OSError as exc:
        raise TournamentError(f"{experiment.path}: cannot be listed ({exc.strerror})") from exc
    files: dict[str, set[str]] = {}
    for file_name in names:
        match = _POINT.match(file_name)
        if match:
            files.setdefault(match.group(1), set()).add(match.group(2))
    declared = _declared(experiment.meta.get("points"))
    if declared is None:
        notes.append(f"{name}: meta points {experiment.meta.get('points')!r} is not a count; the files "
                     f"present ({len(files)}) are read")
    elif declared != len(files):
        notes.append(f"{name}: meta says {declared} point{'s' * (declared != 1)} but {len(files)} "
                     f"{'is' if len(files) == 1 else 'are'} present; the files present are read")
    owner = entry or clean_text(str(meta.get("repo_uoa") or "")) or name
    points = []
    single = sum("flat" in kinds for kinds in files.values()) == 1
    for uid in sorted(files):
        if "flat" not in files[uid]:
            notes.append(f"{name}: point {uid} has no ckp-{uid}.flat.json and is skipped (statistics are "
                         "read as stored, never recomputed from sub-points)")
            continue
        flat, point_notes = _read_flat(experiment.path / f"ckp-{uid}.flat.json", f"{name}: point {uid}",
                                       watched)
        configuration = name if single else f"{name} · {uid[:8]}"
        points.append(ImportedPoint(experiment=name, uid=uid, entry=owner, configuration=configuration,
                                    flat=flat, meta={**meta, "experiment": name, "point": uid},
                                    notes=tuple(point_notes)))
        notes += point_notes
    return points, notes


def _declared(raw: Any) -> int | None:
    if raw is None:
        return 0
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def clean_text(text: str) -> str:
    """Remove NUL characters (PostgreSQL stores no NUL in text)."""
    return text.replace("\x00", "")


def _scalars(meta: Any) -> tuple[dict[str, Any], set[str]]:
    """Return the scalar values of an experiment's `meta.meta`, NUL removed, and the keys that had NUL."""
    out: dict[str, Any] = {}
    had_nul: set[str] = set()
    if not isinstance(meta, Mapping):
        return out, had_nul
    for raw_key, value in meta.items():
        key = clean_text(str(raw_key))
        if "\x00" in str(raw_key):
            had_nul.add(key)
        if isinstance(value, str):
            if "\x00" in value:
                had_nul.add(key)
            out[key] = clean_text(value)
        elif isinstance(value, bool | int | float) or value is None:
            out[key] = value
    return out, had_nul


def _read_flat(path: Path, where: str, watched: Collection[str]) -> tuple[dict[str, Any], list[str]]:
    try:
        data = read_json(str(path), os.path.realpath(path.parent), FLAT_CAP)
    except (UnreadableFile, FileNotFoundError, ValueError) as exc:
        raise TournamentError(f"{path}: cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise TournamentError(f"{path}: must be a JSON object")
    flat: dict[str, Any] = {}
    zeros: list[str] = []
    for raw_key, value in data.items():
        key = clean_text(str(raw_key))
        if not key.startswith(ROOTS):
            continue
        if _is_number(value):
            flat[key] = value
            if value == 0 and key in watched:
                zeros.append(key)
        elif isinstance(value, list) and value and all(_is_number(v) for v in value):
            flat[key] = value
    notes = []
    if zeros:
        shown = ", ".join(sorted(zeros)[:_SHOWN_ZEROS]) + (" …" if len(zeros) > _SHOWN_ZEROS else "")
        notes.append(f"{where}: {len(zeros)} statistic{'s' * (len(zeros) != 1)} recorded 0.0, read as not "
                     f"measured ({shown})")
    return flat, notes


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarise(notes: Iterable[str]) -> list[str]:
    """Return the notes without repeats, in order."""
    return list(dict.fromkeys(notes))
