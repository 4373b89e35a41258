"""Claims: the measurable statements an artifact makes, read from a ```claims TOML block.

A claim says which metric of which program run should come out at which value, and how close is
close enough. Authors write them as an array of ``[[claim]]`` tables in a fenced ```` ```claims ````
block of the appendix (or in ``claims.toml`` at the artifact root). Every validation error names the
line of the whole appendix, so an author can jump straight to it.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import asdict, dataclass
from typing import Any

from ae.checklist.patterns import lazy
from ae.checklist.tolerance import Tolerance
from ae.errors import ClaimsError

RELATIONS = ("approx", "at_most", "at_least", "equal")
NUMERIC_RELATIONS = ("approx", "at_most", "at_least")
OUTPUT_METRIC = "output"
KEYS = (
    "id", "text", "metric", "expected", "relation", "tolerance", "unit", "program", "cmd_key",
    "dataset", "hardware", "min_repetitions",
)
_STRING_KEYS = ("text", "unit", "program", "cmd_key", "dataset", "hardware")
_ID_RE = lazy(r"[A-Za-z0-9][A-Za-z0-9_.:-]*\Z")
_FENCE_OPEN_RE = lazy(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*claims\b[^`]*$")
_TABLE_RE = lazy(r"^[ \t]*\[\[[ \t]*\"?claim\"?[ \t]*\]\]")
_ANY_TABLE_RE = lazy(r"^[ \t]*\[")
_TOML_POS_RE = lazy(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_EOF_RE = lazy(r"\s*\(at end of document\)\s*$")


@dataclass(frozen=True)
class Claim:
    """One claim: a metric, an expected value and the relation a measurement must satisfy."""

    id: str
    text: str
    metric: str
    expected: float | None
    relation: str = "approx"
    tolerance: Tolerance | None = None
    unit: str | None = None
    program: str | None = None
    cmd_key: str | None = None
    dataset: str | None = None
    hardware: str | None = None
    min_repetitions: int | None = None
    line: int | None = None
    source: str = "appendix"

    def to_dict(self) -> dict[str, Any]:
        """Return the claim as JSON-ready data (what the database and the API store)."""
        data = asdict(self)
        data["tolerance"] = self.tolerance.to_data() if self.tolerance else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        """Read what `to_dict` wrote; rows of before the Tolerance type held two numbers instead."""
        data = dict(data)
        legacy_abs = data.pop("tolerance_abs", None)
        tolerance = data.get("tolerance")
        if isinstance(tolerance, dict):
            data["tolerance"] = Tolerance.from_data(tolerance)
        elif isinstance(tolerance, int | float):
            data["tolerance"] = Tolerance(relative=float(tolerance))
        elif legacy_abs is not None:
            data["tolerance"] = Tolerance(absolute=float(legacy_abs))
        return cls(**data)


def find_claims_blocks(text: str, *, source: str = "appendix") -> list[tuple[str, int]]:
    """Return every ```claims fenced block as (body, 1-based line of its first body line)."""
    blocks: list[tuple[str, int]] = []
    if "claims" not in text:
        return blocks
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN_RE.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match.group("fence")
        char, width = re.escape(fence[0]), len(fence)
        close = re.compile(rf"^[ \t]{{0,3}}{char}{{{width},}}[ \t]*$")
        start = i + 1
        end = start
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        if end == len(lines):
            raise ClaimsError(
                f"{source} line {i + 1}: the claims block opened here is never closed "
                f"(add a line {fence} after the last claim)"
            )
        blocks.append(("\n".join(lines[start:end]), start + 1))
        i = end + 1
    return blocks


def find_claims_block(text: str) -> tuple[str, int] | None:
    """Return the first ```claims fenced block as (body, line of its first body line), or None."""
    blocks = find_claims_blocks(text)
    return blocks[0] if blocks else None


def parse_claims(text: str, *, source: str = "appendix") -> list[Claim]:
    """Parse every ```claims block of a whole appendix; [] when it has none."""
    claims: list[Claim] = []
    seen: dict[str, int | None] = {}
    for body, first_line in find_claims_blocks(text, source=source):
        for claim in parse_claims_toml(body, source=source, line_offset=first_line - 1):
            if claim.id in seen:
                raise ClaimsError(
                    f'{source} line {claim.line}: claim "{claim.id}": duplicate id, already used '
                    f"on line {seen[claim.id]} (give each claim its own id)"
                )
            seen[claim.id] = claim.line
            claims.append(claim)
    return claims


def parse_claims_toml(
    toml_text: str, *, source: str = "claims.toml", line_offset: int = 0
) -> list[Claim]:
    """Parse TOML holding ``[[claim]]`` tables; line numbers are shifted by `line_offset`."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ClaimsError(_toml_error_message(exc, toml_text, source, line_offset)) from exc
    lines = toml_text.splitlines()
    for key in data:
        if key != "claim":
            hint = " (write each claim as a [[claim]] table)" if key == "claims" else ""
            line = _key_line(lines, 0, len(lines), key)
            raise ClaimsError(
                f'{source} line {line + line_offset}: unknown top-level key "{key}"; only '
                f"[[claim]] tables are allowed{hint}"
            )
    tables = data.get("claim", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        line = _key_line(lines, 0, len(lines), "claim")
        raise ClaimsError(
            f"{source} line {line + line_offset}: claim must be an array of tables, written as "
            f"[[claim]] headers"
        )
    spans = _table_spans(lines, len(tables))
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for index, (table, (start, end)) in enumerate(zip(tables, spans, strict=True)):
        where = _Where(source, lines, start, end, line_offset, f"claim #{index + 1}")
        claim = _build_claim(table, where)
        if claim.id in seen:
            raise ClaimsError(
                f'{source} line {claim.line}: claim "{claim.id}": duplicate id, already used on '
                f"line {seen[claim.id]} (give each claim its own id)"
            )
        seen[claim.id] = claim.line or 0
        claims.append(claim)
    return claims


class _Where:
    """Locate keys of one claim table inside the TOML text, for line-accurate errors."""

    def __init__(
        self, source: str, lines: list[str], start: int, end: int, offset: int, label: str
    ) -> None:
        self.source, self.lines, self.start, self.end = source, lines, start, end
        self.offset, self.label = offset, label

    @property
    def line(self) -> int:
        return self.start + 1 + self.offset

    def error(self, message: str, key: str | None = None) -> ClaimsError:
        line = self.line
        if key is not None:
            line = _key_line(self.lines, self.start, self.end, key) + self.offset
        return ClaimsError(f"{self.source} line {line}: {self.label}: {message}")


def _build_claim(table: dict[str, Any], where: _Where) -> Claim:
    for key in table:
        if key not in KEYS:
            raise where.error(
                f'unknown key "{key}" (allowed: {", ".join(KEYS)})', key=key
            )
    claim_id = table.get("id")
    if claim_id is None:
        raise where.error('id is missing (add id = "c1")')
    if not isinstance(claim_id, str) or not _ID_RE.match(claim_id):
        raise where.error(
            f"id must be a string of letters, digits, '_', '.', ':' or '-' (got {claim_id!r})",
            key="id",
        )
    where.label = f'claim "{claim_id}"'
    for key in _STRING_KEYS:
        if key in table and not isinstance(table[key], str):
            raise where.error(f"{key} must be a string (got {_show(table[key])})", key=key)
    metric = table.get("metric")
    if metric is None:
        raise where.error('metric is missing (add metric = "execution_time" or "output")')
    if not isinstance(metric, str) or not metric.strip() or re.search(r"\s", metric):
        raise where.error(
            f"metric must be a non-empty name without spaces (got {_show(metric)})", key="metric"
        )
    relation = table.get("relation", "approx")
    if relation not in RELATIONS:
        raise where.error(
            f"relation must be one of {', '.join(RELATIONS)} (got {_show(relation)})",
            key="relation",
        )
    if metric == OUTPUT_METRIC and relation != "equal":
        raise where.error(
            f'metric "output" can only be checked with relation = "equal" (got "{relation}")',
            key="relation" if "relation" in table else "metric",
        )
    expected = _expected(table, relation, where)
    tolerance = _tolerance(table, where)
    min_reps = table.get("min_repetitions")
    if min_reps is not None and (
        isinstance(min_reps, bool) or not isinstance(min_reps, int) or min_reps < 1
    ):
        raise where.error(
            f"min_repetitions must be a whole number of at least 1 (got {_show(min_reps)})",
            key="min_repetitions",
        )
    return Claim(
        id=claim_id,
        text=table.get("text", ""),
        metric=metric,
        expected=expected,
        relation=relation,
        tolerance=tolerance,
        unit=table.get("unit"),
        program=table.get("program"),
        cmd_key=table.get("cmd_key"),
        dataset=table.get("dataset"),
        hardware=table.get("hardware"),
        min_repetitions=min_reps,
        line=where.line,
        source=where.source,
    )


def _expected(table: dict[str, Any], relation: str, where: _Where) -> float | None:
    value = table.get("expected")
    if value is None:
        if relation in NUMERIC_RELATIONS:
            raise where.error(f'expected is missing; relation "{relation}" needs a number')
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(f"expected must be a number (got {_show(value)})", key="expected")
    if not math.isfinite(value):
        raise where.error(f"expected must be a finite number (got {value})", key="expected")
    return float(value)


def _tolerance(table: dict[str, Any], where: _Where) -> Tolerance | None:
    """Read `tolerance`: a "10%" string is relative (0.10), a bare number is absolute."""
    value = table.get("tolerance")
    if value is None:
        return None
    try:
        return Tolerance.parse(value)
    except ValueError as exc:
        message = str(exc)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            message = message.replace(f"(got {value!r})", f"(got {_show(value)})")
        raise where.error(f"tolerance {message}", key="tolerance") from None


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _table_spans(lines: list[str], count: int) -> list[tuple[int, int]]:
    """Return (start, end) 0-based line ranges of the [[claim]] headers, one per table."""
    headers = [i for i, line in enumerate(lines) if _TABLE_RE.match(line)]
    if len(headers) != count:
        # Inline arrays (claim = [{...}]) or headers inside strings: point at the claim key.
        at = next((i for i, line in enumerate(lines) if re.match(r"\s*claim\s*=", line)), 0)
        return [(at, len(lines))] * count
    spans = []
    for n, start in enumerate(headers):
        end = headers[n + 1] if n + 1 < count else len(lines)
        nxt = next((i for i in range(start + 1, end) if _ANY_TABLE_RE.match(lines[i])), end)
        spans.append((start, nxt))
    return spans


def _key_line(lines: list[str], start: int, end: int, key: str) -> int:
    """Return the 1-based line where `key = ...` is set between start and end, else start + 1."""
    pattern = re.compile(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*[=.]")
    for i in range(start, min(end, len(lines))):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1


def _toml_error_message(
    exc: tomllib.TOMLDecodeError, toml_text: str, source: str, offset: int
) -> str:
    message = str(exc)
    match = _TOML_POS_RE.search(message)
    if match:
        line = int(match.group(1))
        message = message[: match.start()]
    else:
        line = max(1, toml_text.count("\n") + (0 if toml_text.endswith("\n") else 1))
        message = _TOML_EOF_RE.sub("", message)
    return f"{source} line {line + offset}: invalid TOML in the claims block: {message}"
