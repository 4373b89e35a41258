"""CK flat keys (`##a#b@0#c`) and the per-key statistics CK stores in experiment points.

A flat key starts with `#` (the root), then `#name` for a dict step and `@N` for a list index:
`{"characteristics": {"run": {"t": [1, 2]}}}` flattens to `##characteristics#run#t@0 = 1` and
`…@1 = 2`. Empty dicts and lists produce no keys. Statistics append a suffix to the flat key of the
measured value: `#all #all_unique #min #max #mean #center #halfrange #range #range_percent
#repeats` (CK adds `#exp…` only when SciPy is installed; we never write them).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Any

from ae.errors import CkError

STATISTICS = (
    "all", "all_unique", "min", "max", "mean", "center", "halfrange", "range", "range_percent",
    "repeats", "exp", "exp_allx", "exp_ally", "exp_warning",
    "min_imp", "max_imp", "mean_imp", "center_imp", "exp_imp",
)
EXPERIMENT_PRUNE = ("##characteristics#*", "##features#*", "##choices#*", "##pipeline_state#*")

_STEP = re.compile(r"([#@])([^#@]*)")


def flatten(d: Any, *, prefix: str = "#", prune: Sequence[str] = ()) -> dict[str, Any]:
    """Flatten a nested dict/list into CK flat keys (`prune`: keep only keys matching globs)."""
    out: dict[str, Any] = {}
    _flatten_into(d, prefix, out, tuple(prune))
    return out


def _flatten_into(value: Any, prefix: str, out: dict[str, Any], prune: tuple[str, ...]) -> None:
    if isinstance(value, dict):
        items = ((prefix + "#" + str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((prefix + "@" + str(n), v) for n, v in enumerate(value))
    else:
        if _keep(prefix, prune):
            out[prefix] = value
        return
    for key, item in items:
        if isinstance(item, (dict, list)):
            _flatten_into(item, key, out, prune)
        elif _keep(key, prune):
            out[key] = item


def _keep(key: str, prune: tuple[str, ...]) -> bool:
    if not prune:
        return True
    for pattern in prune:
        if "*" in pattern or "?" in pattern:
            if fnmatch.fnmatch(key, pattern):
                return True
        elif key == pattern:
            return True
    return False


def parse_key(key: str) -> list[str | int]:
    """Split a flat key into dict keys (str) and list indexes (int); `##a@0#b` → `['a', 0, 'b']`."""
    if not key.startswith("#"):
        raise CkError(f"Flat key {key!r} must start with '#'.")
    steps: list[str | int] = []
    for kind, name in _STEP.findall(key[1:]):
        if kind == "@":
            if not name.isdigit():
                raise CkError(f"Flat key {key!r} has a list index {name!r} that is not a number.")
            steps.append(int(name))
        else:
            steps.append(name)
    return steps


def split_statistic(key: str) -> tuple[str, str | None]:
    """Split `##a#b#min` into (`##a#b`, `min`); without a statistic suffix: (key, None)."""
    base, sep, last = key.rpartition("#")
    if sep and base not in ("", "#") and last in STATISTICS:
        return base, last
    return key, None


def get(flat_or_nested: dict[str, Any], key: str, default: Any = None) -> Any:
    """Look a flat key up in a flat dict, or walk a nested dict (CK's `get_by_flat_key`)."""
    if key in flat_or_nested:
        return flat_or_nested[key]
    node: Any = flat_or_nested
    for step in parse_key(key):
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return default
        elif not isinstance(node, dict) or step not in node:
            return default
        node = node[step]
    return node


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Rebuild the nested dict from flat keys (CK's `restore_flattened_dict`)."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        steps = parse_key(key)
        node: Any = root
        for step, nxt in zip(steps, [*steps[1:], None], strict=True):
            if nxt is None:
                _assign(node, step, value)
                break
            child = _child(node, step)
            if child is None:
                child = [] if isinstance(nxt, int) else {}
                _assign(node, step, child)
            node = child
    return root


def _child(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if step < len(node) else None
    return node.get(step)


def _assign(node: Any, step: str | int, value: Any) -> None:
    if isinstance(step, int):
        while len(node) <= step:
            node.append(None)
    node[step] = value


def _is_number(v: Any) -> bool:
    # CK tests `type(v) == int or float`: booleans are not numbers there.
    return type(v) in (int, float)


def add_statistics(
    stats: dict[str, Any], sample: dict[str, Any], *, skip_min_max: bool = False
) -> dict[str, Any]:
    """Fold one flat sample into `stats` exactly as CK's `experiment.stat_analysis` does."""
    for key, raw in sample.items():
        values = raw if isinstance(raw, list) else [raw]
        for v in values:
            repeats = stats.get(key + "#repeats", 0) + 1
            stats[key + "#repeats"] = repeats
            every = stats.setdefault(key + "#all", [])
            every.append(v)
            unique = stats.setdefault(key + "#all_unique", [])
            if v not in unique:
                unique.append(v)
            if not skip_min_max and _is_number(v):
                _numeric_statistics(stats, key, v, every, repeats)
            elif stats.get(key + "#min", "") == "":
                stats[key + "#min"] = v
    return stats


def _numeric_statistics(stats: dict[str, Any], key: str, v: Any, every: list[Any], repeats: int) -> None:
    vmin = stats.get(key + "#min", v)
    vmax = stats.get(key + "#max", v)
    for b in every:
        vmin = b if b < vmin else vmin
        vmax = b if b > vmax else vmax
    vmin = v if v < vmin else vmin
    vmax = v if v > vmax else vmax
    vrange = vmax - vmin
    stats[key + "#min"] = vmin
    stats[key + "#max"] = vmax
    stats[key + "#range"] = vrange
    stats[key + "#halfrange"] = vrange / 2
    stats[key + "#center"] = vmin + vrange / 2
    if vmin != 0:
        stats[key + "#range_percent"] = (vmax - vmin) / vmin
    stats[key + "#mean"] = sum(every) / float(repeats)


def with_statistics(
    samples: Sequence[dict[str, Any]],
    *,
    prune: Sequence[str] = (),
    into: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Flatten each sample (one repetition, a nested dict); return CK statistics over them all.

    Mirrors CK's `multi_stat_analysis`: min/max/mean are refreshed on the first and the last sample
    only (they are computed over every value so far, so the result covers all samples); `into`
    continues an existing flat dict (a further sub-point of the same experiment point).
    """
    stats: dict[str, Any] = {} if into is None else into
    last = len(samples)
    for n, sample in enumerate(samples, start=1):
        flat = flatten(sample, prune=prune)
        for key, value in list(flat.items()):
            if isinstance(value, str) and value.startswith("@@"):
                flat[key] = [_maybe_float(x) for x in value[2:].split(",")]
        add_statistics(stats, flat, skip_min_max=n not in (1, last))
    return stats


def _maybe_float(s: str) -> float | str:
    try:
        return float(s)
    except ValueError:
        return s


def subpoint_statistics(
    subpoints: Sequence[dict[str, Any]], pipeline_state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Compute a point's `ckp-<uid>.flat.json` from its sub-points as `ck` records it.

    `ck` also folds the pipeline's final state (`repetitions`, `fail`, `fail_bool`, `fail_reason`)
    into every sample; sub-point files do not store it, so pass it when it is known.
    """
    stats: dict[str, Any] = {}
    for sub in subpoints:
        if pipeline_state is not None:
            sub = {**sub, "pipeline_state": pipeline_state}
        skip = ("characteristics", "characteristics_list")
        base = {k: v for k, v in sub.items() if k not in skip}
        runs = list(sub.get("characteristics_list") or [])
        if sub.get("characteristics"):
            runs.append(sub["characteristics"])
        samples = [{**base, "characteristics": run} for run in runs]
        with_statistics(samples, prune=EXPERIMENT_PRUNE, into=stats)
    return stats
