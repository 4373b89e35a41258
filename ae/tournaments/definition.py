"""A tournament's rules: the `[tournament]` table of a conference file, validated.

```toml
[tournament]
name = "Image classification"
constraints = ["top1 >= 0.7"]            # a point that breaks one is shown, marked, never ranked
fronts = ["top1", "latency"]             # the metrics of the Pareto fronts (default: all)
pools = ["default"]                      # runs on these pools count (default: every pool)
entry_meta = ["platform", "platform_price"]   # meta shown next to each point
ranked = ["independently-reproduced", "author-reported"]   # who may rank (default: these two)
sort = "front"                           # the board's default column

[tournament.repetitions]                 # which repetitions of a run count
skip_first = 1                           #   warm-up repetitions dropped from each run
last = 0                                 #   then only the last N (0: all)

[[tournament.metric]]
name = "latency"
key = "##characteristics#run#execution_time#min"   # a CK flat key with its statistic suffix,
direction = "min"                        # or key = "execution_time" + statistic = "min"
unit = "s"
precision = 4

[[tournament.metric]]
name = "price"
meta = "platform_price"                  # a number from the entry's meta, not a measurement
direction = "min"

[tournament.pool_meta.default]           # meta of the machines of a pool, given to its points
platform_price = 35
```
Every mistake is one sentence naming the table and key, with a did-you-mean where one fits.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ae.ck.flat import STATISTICS, split_statistic
from ae.errors import TournamentError


class Direction(StrEnum):
    """Which way a metric is better."""

    MIN = "min"
    MAX = "max"

    @property
    def arrow(self) -> str:
        """Return the arrow a column header shows: ↓ lower is better, ↑ higher is better."""
        return "↓" if self is Direction.MIN else "↑"

    @property
    def words(self) -> str:
        """Return the direction in words."""
        return "lower is better" if self is Direction.MIN else "higher is better"


class Provenance(StrEnum):
    """Who measured a point."""

    REPRODUCED = "independently-reproduced"  # our workers ran the artifact
    AUTHOR = "author-reported"               # the authors' own records (imported CK experiments)
    VOLUNTEER = "volunteer-reported"         # a volunteer's machine (solutions; later)


DIRECTIONS = {"min": Direction.MIN, "lower": Direction.MIN, "minimise": Direction.MIN,
              "minimize": Direction.MIN, "max": Direction.MAX, "higher": Direction.MAX,
              "maximise": Direction.MAX, "maximize": Direction.MAX}
#: CK statistics that are one number per point (`#all`, `#all_unique` are lists; `#…_imp` are
#: ratios to a reference point; `#exp_*` are the KDE's internals).
SCALAR_STATISTICS = ("min", "max", "mean", "center", "halfrange", "range", "range_percent", "repeats",
                     "exp")
#: Statistics that place a value (an interval of the repetitions means something for them).
LOCATION_STATISTICS = frozenset({"min", "max", "mean", "center", "exp"})
ROOTS = ("##characteristics#", "##features#")
RUN_ROOT = "##characteristics#run#"
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
DEFAULT_RANKED = frozenset({Provenance.REPRODUCED, Provenance.AUTHOR})
BOARD_COLUMNS = ("front", "entry", "configuration", "provenance", "status")

_KEYS = {
    "tournament": {"name", "description", "metric", "constraints", "fronts", "pools", "entry_meta",
                   "ranked", "sort", "repetitions", "pool_meta"},
    "metric": {"name", "label", "key", "statistic", "meta", "direction", "unit", "precision"},
    "repetitions": {"skip_first", "last"},
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(>=|<=|>|<|≥|≤)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Metric:
    """One column of the scoreboard: a measured CK key with its statistic, or an entry meta value."""

    name: str
    key: str                # a CK flat key without statistic (`##characteristics#run#t`), or a meta key
    statistic: str | None   # None for a meta metric
    direction: Direction
    unit: str = ""
    precision: int = 3
    label: str = ""

    @property
    def from_meta(self) -> bool:
        """Tell whether the value comes from the entry's meta rather than from measurements."""
        return self.statistic is None

    @property
    def flat_key(self) -> str:
        """Return the CK flat key with its statistic (`##characteristics#run#t#min`)."""
        return self.key if self.statistic is None else f"{self.key}#{self.statistic}"

    @property
    def sample_key(self) -> str | None:
        """Return the key of one repetition's sample in our run records (`run_time_state.pi`)."""
        if self.statistic is None or not self.key.startswith(RUN_ROOT):
            return None
        return self.key[len(RUN_ROOT):].replace("#", ".")

    @property
    def title(self) -> str:
        """Return the column header: label, unit and direction arrow."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.label or self.name}{unit} {self.direction.arrow}"

    def format(self, value: float | None) -> str:
        """Show a value with the metric's display precision ("—" when absent)."""
        if value is None or not math.isfinite(value):
            return "—"
        return f"{value:.{self.precision}f}"

    def to_dict(self) -> dict[str, Any]:
        """Return the metric as JSON-ready data."""
        return {"name": self.name, "label": self.label or self.name, "key": self.flat_key,
                "source": "meta" if self.from_meta else "measured", "statistic": self.statistic,
                "direction": str(self.direction), "arrow": self.direction.arrow, "unit": self.unit,
                "precision": self.precision}


@dataclass(frozen=True)
class Constraint:
    """A condition every ranked point meets, e.g. `top1 >= 0.7`."""

    metric: str
    op: str
    value: float

    def holds(self, measured: float) -> bool:
        """Tell whether a measured value meets the constraint."""
        return OPERATORS[self.op](measured, self.value)

    @property
    def text(self) -> str:
        """Return the constraint as written (`top1 >= 0.7`)."""
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Tournament:
    """The rules of one conference's tournament."""

    name: str
    metrics: tuple[Metric, ...]
    description: str = ""
    constraints: tuple[Constraint, ...] = ()
    fronts: tuple[str, ...] = ()
    pools: tuple[str, ...] | None = None
    entry_meta: tuple[str, ...] = ()
    ranked: frozenset[Provenance] = DEFAULT_RANKED
    sort: str = "front"
    skip_first: int = 0
    last: int = 0
    pool_meta: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def metric(self, name: str) -> Metric:
        """Return metric `name`, or raise TournamentError with a did-you-mean."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise TournamentError(f"unknown metric {name!r}{_hint(name, self.metric_names())} "
                              f"(metrics: {', '.join(self.metric_names())})")

    def metric_names(self) -> list[str]:
        """Return the metric names in column order."""
        return [m.name for m in self.metrics]

    def columns(self) -> list[str]:
        """Return every column the board can be sorted by."""
        return [*BOARD_COLUMNS, *self.metric_names(), *self.entry_meta]

    def check_column(self, name: str) -> str:
        """Return `name` if the board has that column, else raise TournamentError."""
        if name not in self.columns():
            raise TournamentError(f"unknown column {name!r}{_hint(name, self.columns())} "
                                  f"(columns: {', '.join(self.columns())})")
        return name

    def front_metrics(self, names: Sequence[str] | None = None) -> tuple[Metric, ...]:
        """Return the metrics of the fronts: `names` (validated), else the rules', else all."""
        chosen = list(names) if names else list(self.fronts) or self.metric_names()
        metrics = tuple(self.metric(n) for n in dict.fromkeys(chosen))
        if not metrics:
            raise TournamentError("the fronts need at least one metric")
        return metrics

    def counted(self, repetitions: Sequence[float]) -> list[float]:
        """Return the repetitions of one run that count: warm-ups dropped, then the last N."""
        kept = list(repetitions)[self.skip_first:]
        return kept[-self.last:] if self.last else kept

    def with_rules(self, **changes: Any) -> Tournament:
        """Return a copy with some rules changed (validated like the conference file)."""
        data = {**self.to_table(), **changes}
        return parse_tournament(data, where="[tournament]", pools=None)

    def to_table(self) -> dict[str, Any]:
        """Return the rules as the TOML table they can be written as (`to_toml`)."""
        table: dict[str, Any] = {"name": self.name}
        if self.description:
            table["description"] = self.description
        if self.constraints:
            table["constraints"] = [c.text for c in self.constraints]
        if self.fronts:
            table["fronts"] = list(self.fronts)
        if self.pools is not None:
            table["pools"] = list(self.pools)
        if self.entry_meta:
            table["entry_meta"] = list(self.entry_meta)
        if self.ranked != DEFAULT_RANKED:
            table["ranked"] = sorted(self.ranked)
        if self.sort != "front":
            table["sort"] = self.sort
        if self.skip_first or self.last:
            table["repetitions"] = {"skip_first": self.skip_first, "last": self.last}
        if self.pool_meta:
            table["pool_meta"] = {pool: dict(meta) for pool, meta in self.pool_meta.items()}
        table["metric"] = [_metric_table(m) for m in self.metrics]
        return table

    def to_toml(self) -> str:
        """Return the rules as a `[tournament]` TOML table (what the organizer's page edits)."""
        return to_toml(self.to_table())

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as JSON-ready data."""
        return {"name": self.name, "description": self.description,
                "metrics": [m.to_dict() for m in self.metrics],
                "constraints": [c.text for c in self.constraints],
                "fronts": [m.name for m in self.front_metrics()],
                "pools": None if self.pools is None else list(self.pools),
                "entry_meta": list(self.entry_meta), "ranked": sorted(self.ranked), "sort": self.sort,
                "repetitions": {"skip_first": self.skip_first, "last": self.last},
                "pool_meta": {pool: dict(meta) for pool, meta in self.pool_meta.items()}}


def _metric_table(metric: Metric) -> dict[str, Any]:
    table: dict[str, Any] = {"name": metric.name}
    if metric.label:
        table["label"] = metric.label
    if metric.from_meta:
        table["meta"] = metric.key
    else:
        table["key"] = metric.flat_key
    table["direction"] = str(metric.direction)
    if metric.unit:
        table["unit"] = metric.unit
    table["precision"] = metric.precision
    return table


def _hint(word: str, choices: Sequence[str]) -> str:
    found = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {found[0]!r}?)" if found else ""


def _unknown(where: str, table: str, keys: Sequence[str]) -> None:
    extra = sorted(set(keys) - _KEYS[table])
    if extra:
        raise TournamentError(f"{where}: unknown key {extra[0]!r}{_hint(extra[0], sorted(_KEYS[table]))}")


def _text(where: str, value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise TournamentError(f"{where} must be a{'' if empty else ' non-empty'} string (got {value!r})")
    return value


def _names(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TournamentError(f"{where} must be a list of strings (got {value!r})")
    return list(value)


def _count(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TournamentError(f"{where} must be a whole number >= 0 (got {value!r})")
    return value


def parse_tournament(data: Any, *, where: str = "[tournament]",
                     pools: Sequence[str] | None = None) -> Tournament:
    """Validate a `[tournament]` table; `pools`: the conference's pool names, if known."""
    if not isinstance(data, Mapping):
        raise TournamentError(f"{where} must be a table")
    _unknown(where, "tournament", list(data))
    name = _text(f"{where} name", data.get("name"))
    raw_metrics = data.get("metric")
    if not isinstance(raw_metrics, list) or not raw_metrics:
        raise TournamentError(f"{where} needs at least one [[tournament.metric]] table")
    metrics = tuple(_parse_metric(f"{where} metric {n + 1}", item) for n, item in enumerate(raw_metrics))
    seen: set[str] = set()
    for metric in metrics:
        if metric.name in seen:
            raise TournamentError(f"{where}: metric {metric.name!r} is defined twice")
        seen.add(metric.name)
    tournament = Tournament(name=name, metrics=metrics,
                            description=_text(f"{where} description", data.get("description", ""),
                                              empty=True))
    names = tournament.metric_names()
    constraints = tuple(_parse_constraint(f"{where} constraints", text, names)
                        for text in _names(f"{where} constraints", data.get("constraints", [])))
    fronts = _names(f"{where} fronts", data.get("fronts", []))
    for front in fronts:
        if front not in names:
            raise TournamentError(f"{where} fronts: unknown metric {front!r}{_hint(front, names)}")
    chosen_pools = None
    if "pools" in data:
        chosen_pools = tuple(_names(f"{where} pools", data["pools"]))
        for pool in chosen_pools:
            if pools is not None and pool not in pools:
                raise TournamentError(f"{where} pools: {pool!r} is not a [[pool]] of this conference"
                                      f"{_hint(pool, pools)}")
    ranked = frozenset(_provenance(f"{where} ranked", v)
                       for v in _names(f"{where} ranked", data.get("ranked", sorted(DEFAULT_RANKED))))
    if not ranked:
        raise TournamentError(f"{where} ranked must name at least one provenance")
    repetitions = data.get("repetitions", {})
    if not isinstance(repetitions, Mapping):
        raise TournamentError(f"{where} repetitions must be a table")
    _unknown(f"{where} repetitions", "repetitions", list(repetitions))
    pool_meta = _pool_meta(f"{where} pool_meta", data.get("pool_meta", {}), pools)
    tournament = replace(
        tournament, constraints=constraints, fronts=tuple(fronts), pools=chosen_pools,
        entry_meta=tuple(_names(f"{where} entry_meta", data.get("entry_meta", []))), ranked=ranked,
        skip_first=_count(f"{where} repetitions skip_first", repetitions.get("skip_first", 0)),
        last=_count(f"{where} repetitions last", repetitions.get("last", 0)), pool_meta=pool_meta)
    sort = _text(f"{where} sort", data.get("sort", "front"))
    if sort not in tournament.columns():
        raise TournamentError(f"{where} sort: unknown column {sort!r}{_hint(sort, tournament.columns())}")
    return replace(tournament, sort=sort)


def _provenance(where: str, value: str) -> Provenance:
    try:
        return Provenance(value)
    except ValueError:
        names = [str(p) for p in Provenance]
        raise TournamentError(f"{where}: unknown provenance {value!r}{_hint(value, names)} "
                              f"(one of {', '.join(Provenance)})") from None


def _pool_meta(where: str, value: Any, pools: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        raise TournamentError(f"{where} must be a table of pool tables")
    out = {}
    for pool, meta in value.items():
        if pools is not None and pool not in pools:
            raise TournamentError(f"{where}: {pool!r} is not a [[pool]] of this conference"
                                  f"{_hint(pool, pools)}")
        if not isinstance(meta, Mapping) or not all(
                isinstance(v, str | int | float) and not isinstance(v, bool) for v in meta.values()):
            raise TournamentError(f"{where}.{pool} must be a table of numbers and strings")
        out[str(pool)] = dict(meta)
    return out


def _parse_metric(where: str, item: Any) -> Metric:
    if not isinstance(item, Mapping):
        raise TournamentError(f"{where} must be a table")
    _unknown(where, "metric", list(item))
    name = _text(f"{where} name", item.get("name"))
    if not _NAME.match(name):
        raise TournamentError(f"{where}: name {name!r} must start with a letter and hold only letters, "
                              "digits, '-' and '_' (at most 40)")
    where = f"{where} ({name})"
    raw_direction = _text(f"{where} direction", item.get("direction"))
    direction = DIRECTIONS.get(raw_direction.lower())
    if direction is None:
        raise TournamentError(f"{where}: direction {raw_direction!r} is not min or max"
                              f"{_hint(raw_direction.lower(), list(DIRECTIONS))}")
    precision = item.get("precision", 3)
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 12:
        raise TournamentError(f"{where}: precision must be a whole number from 0 to 12 (got {precision!r})")
    unit = _text(f"{where} unit", item.get("unit", ""), empty=True)
    label = _text(f"{where} label", item.get("label", ""), empty=True)
    if ("key" in item) == ("meta" in item):
        raise TournamentError(f"{where} needs either key (a CK characteristic or flat key) or meta "
                              "(an entry meta value), not both")
    if "meta" in item:
        if "statistic" in item:
            raise TournamentError(f"{where}: a meta value has no statistic")
        key, statistic = _text(f"{where} meta", item["meta"]), None
    else:
        key, statistic = _measured_key(where, _text(f"{where} key", item["key"]), item.get("statistic"))
    return Metric(name=name, key=key, statistic=statistic, direction=direction, unit=unit,
                  precision=precision, label=label)


def _measured_key(where: str, key: str, given: Any) -> tuple[str, str]:
    """Return (flat key without statistic, statistic) of a metric's key."""
    if not key.startswith("#"):
        if not _PLAIN_KEY.match(key):
            raise TournamentError(f"{where}: key {key!r} is neither a CK flat key (##characteristics#…) "
                                  "nor a characteristic name such as execution_time or run_time_state.pi")
        base, statistic = RUN_ROOT + key.replace(".", "#"), None
    else:
        if not key.startswith(ROOTS):
            root = "#".join(key.split("#")[:3]) + "#"
            raise TournamentError(f"{where}: key {key!r} must start with {' or '.join(ROOTS)}"
                                  f"{_hint(root, ROOTS)}")
        base, statistic = split_statistic(key)
        last = base.rpartition("#")[2]
        close = difflib.get_close_matches(last, SCALAR_STATISTICS, n=1, cutoff=0.65)
        if statistic is None and close and "#" in base[len("##"):]:
            raise TournamentError(f"{where}: unknown statistic '#{last}' (did you mean '#{close[0]}'?)")
    if given is not None:
        given = _text(f"{where} statistic", given).lstrip("#")
        if statistic is not None and given != statistic:
            raise TournamentError(f"{where}: key says #{statistic} but statistic says {given!r}")
        statistic = given
    statistic = statistic or "mean"
    if statistic not in SCALAR_STATISTICS:
        kind = ("a list of every repetition" if statistic in ("all", "all_unique")
                else "not one number per point" if statistic in STATISTICS else "unknown")
        raise TournamentError(f"{where}: statistic '#{statistic}' is {kind}"
                              f"{_hint(statistic, SCALAR_STATISTICS)}; use one of "
                              f"{', '.join('#' + s for s in SCALAR_STATISTICS)}")
    if base in ("##characteristics", "##features") or base.endswith("#"):
        raise TournamentError(f"{where}: key {key!r} names no characteristic")
    return base, statistic


def _parse_constraint(where: str, text: str, names: Sequence[str]) -> Constraint:
    match = _CONSTRAINT.match(text)
    if not match:
        raise TournamentError(f"{where}: {text!r} is not like \"top1 >= 0.7\" (a metric, one of >= <= > <, "
                              "a number)")
    metric, op, raw = match.groups()
    op = {"≥": ">=", "≤": "<="}.get(op, op)
    if metric not in names:
        raise TournamentError(f"{where}: {text!r} names an unknown metric {metric!r}{_hint(metric, names)}")
    try:
        value = float(raw)
    except ValueError:
        raise TournamentError(f"{where}: {text!r}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise TournamentError(f"{where}: {text!r}: the bound must be a finite number")
    return Constraint(metric=metric, op=op, value=value)


def to_toml(table: Mapping[str, Any]) -> str:
    """Write a tournament table as TOML (`[tournament]`, its sub-tables and metric array)."""
    lines = ["[tournament]"]
    nested: list[tuple[str, Mapping[str, Any]]] = []
    metrics: list[Mapping[str, Any]] = []
    for key, value in table.items():
        if key == "metric":
            metrics = value
        elif key == "pool_meta":
            nested += [(f"tournament.pool_meta.{_toml_key(pool)}", meta) for pool, meta in value.items()]
        elif isinstance(value, Mapping):
            nested.append((f"tournament.{key}", value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, sub in nested:
        lines += ["", f"[{name}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in sub.items())]
    for metric in metrics:
        lines += ["", "[[tournament.metric]]", *(f"{k} = {_toml_value(v)}" for k, v in metric.items())]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\t", "\\t"))
        return '"' + "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in escaped) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")
