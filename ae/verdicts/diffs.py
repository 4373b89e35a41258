"""Diffs as data: claimed vs measured, expected vs actual files, author vs worker environments.

Everything here takes plain data and returns plain JSON-ready dicts and lists (no inf, no bytes),
so the web pages, the reports and the API render the same rows. Nothing reads files or the clock.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ae.checklist.claims import Claim
from ae.verdicts.rule import Verdict

NOT_RUN = "not-run"
MAX_DIFF_LINES = 200
MAX_DIFF_BYTES = 64 * 1024
MAX_DIFF_INPUT = 1024 * 1024
RUN_THRESHOLD = 0.08
TOO_FEW = "too-few-repetitions"
SIDE_BY_SIDE_ROWS = 400
_HASH = re.compile(r"\b(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b")
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:[eE][-+]?\d+)?(?![\w.])")
_SIGNIFICANCE = 0.05


def claim_rows(claims: Sequence[Claim], verdicts: Iterable[Verdict]) -> list[dict[str, Any]]:
    """Return one row per claim: what was claimed next to what was measured, with the CI."""
    by_id = {v.claim_id: v for v in verdicts}
    rows = [_claim_row(claim, by_id.pop(claim.id, None)) for claim in claims]
    rows.extend(_claim_row(None, verdict) for verdict in by_id.values())
    return rows


def _claim_row(claim: Claim | None, verdict: Verdict | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "claim_id": claim.id if claim else verdict.claim_id if verdict else None,
        "text": claim.text if claim else None,
        "metric": claim.metric if claim else None,
        "unit": claim.unit if claim else None,
        "relation": claim.relation if claim else None,
        "claimed": claim.expected if claim else None,
        "tolerance": _tolerance_text(claim) if claim else None,
        "line": claim.line if claim else None,
        "outcome": NOT_RUN, "reason": "No repetitions have been decided for this claim yet.",
        "n": 0, "measured_median": None, "measured_ci": None, "ratio_median": None,
        "ratio_ci": None, "band": None, "scale": None, "noise": [], "more_repetitions": 0,
    }
    if verdict is not None:
        data = verdict.to_dict()
        row.update({key: data[key] for key in (
            "outcome", "reason", "n", "measured_median", "measured_ci", "ratio_median",
            "ratio_ci", "band", "scale", "noise", "more_repetitions")})
    return row


def _tolerance_text(claim: Claim) -> str | None:
    return claim.tolerance.describe(claim.unit) if claim.tolerance else None


def text_diff(expected: bytes, actual: bytes, *, name: str, max_lines: int = MAX_DIFF_LINES,
              max_bytes: int = MAX_DIFF_BYTES, max_input: int = MAX_DIFF_INPUT) -> dict[str, Any]:
    """Compare two file contents: a capped unified diff for text, a summary for binary data."""
    result: dict[str, Any] = {
        "name": name,
        "identical": expected == actual,
        "kind": "text",
        "expected_size": len(expected),
        "actual_size": len(actual),
        "expected_sha256": hashlib.sha256(expected).hexdigest(),
        "actual_sha256": hashlib.sha256(actual).hexdigest(),
        "first_difference": _first_difference(expected, actual),
        "diff": None, "added": 0, "removed": 0, "truncated": False, "note": None,
    }
    old, new = as_text(expected), as_text(actual)
    if old is None or new is None:
        result["kind"] = "binary"
        return result
    if result["identical"]:
        return result
    result["note"] = _whitespace_note(old, new)
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    result["first_difference_line"] = _first_line_difference(old_lines, new_lines)
    if max(len(expected), len(actual)) > max_input:
        result["truncated"] = True
        result["note"] = result["note"] or (
            f"too large for a line diff (over {max_input} bytes); compare the checksums and the "
            "first differing line")
        return result
    result.update(_unified(old_lines, new_lines, name, max_lines, max_bytes))
    return result


def as_text(data: bytes) -> str | None:
    """Return `data` as UTF-8 text, or None when it is binary (a NUL early on, or not UTF-8)."""
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _first_difference(a: bytes, b: bytes) -> int | None:
    if a == b:
        return None
    for offset, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return offset
    return min(len(a), len(b))


def _first_line_difference(a: list[str], b: list[str]) -> int | None:
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return number
    return min(len(a), len(b)) + 1 if len(a) != len(b) else None


def _whitespace_note(old: str, new: str) -> str | None:
    if old.replace("\r\n", "\n") == new.replace("\r\n", "\n"):
        return "differs only in line endings (CRLF vs LF)"
    if [s.rstrip() for s in old.splitlines()] == [s.rstrip() for s in new.splitlines()]:
        return "differs only in trailing whitespace"
    return None


def _unified(old: list[str], new: list[str], name: str, max_lines: int,
             max_bytes: int) -> dict[str, Any]:
    kept: list[str] = []
    size, added, removed, truncated = 0, 0, 0, False
    for line in difflib.unified_diff(old, new, f"expected/{name}", f"actual/{name}"):
        if line.startswith("+") and not line.startswith("+++ "):
            added += 1
        elif line.startswith("-") and not line.startswith("--- "):
            removed += 1
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        if truncated or len(kept) >= max_lines or size + len(line) > max_bytes:
            truncated = True
            continue
        kept.append(line)
        size += len(line)
    return {"diff": "".join(kept), "added": added, "removed": removed, "truncated": truncated}


def environment_diff(author_env: Mapping[str, Any], worker_env: Mapping[str, Any], *,
                     include_same: bool = False) -> list[dict[str, Any]]:
    """List keys whose values differ between the author's and the worker's environment.

    Nested mappings are compared key by key under dotted names (``compiler_flags.base_opt``).
    Values are compared after normalising scalars, because CK records numbers as strings: "4",
    4 and 4.0 are the same value. Status is "added" (only the worker has it), "removed" (only
    the author had it), "changed", or "same" (listed only with `include_same`).
    """
    old, new = _flatten(author_env), _flatten(worker_env)
    rows = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            status = "removed"
        elif key not in old:
            status = "added"
        elif _normal(old[key]) == _normal(new[key]):
            status = "same"
        else:
            status = "changed"
        if status != "same" or include_same:
            rows.append({"key": key, "author": _json(old.get(key)), "worker": _json(new.get(key)),
                         "status": status})
    return rows


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            return _number_text(float(text))
        except ValueError:
            return text.lower() if text.lower() in ("true", "false") else text
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _normal(v)) for k, v in value.items()))
    return repr(value)


def _number_text(value: float) -> str:
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(value)


def _json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def run_diff(a: Mapping[str, Any], b: Mapping[str, Any], *,
             threshold: float = RUN_THRESHOLD) -> dict[str, Any]:
    """Compare two run records: samples per metric, output digests, dependencies, platform.

    A run record is a plain mapping with any of: ``samples`` ({metric: [value per repetition]}),
    ``outputs`` ({file: sha256 or {"sha256": ...}}), ``deps`` ({name: version or
    {"version": ...}}), ``platform``, ``env`` (mappings) and ``command``. A metric is "changed"
    when the ratio of medians b/a leaves [1 - threshold, 1 + threshold] (CK replay's rule, 8 %);
    a two-sided Mann–Whitney U p-value (normal approximation with tie correction) says whether
    the two sets of samples differ beyond noise. Where the sample sizes cannot reach significance
    at all (3 vs 3: the smallest attainable p is 0.10), a changed metric is "too-few-repetitions"
    rather than a verdict the test could never give — unless neither side varies at all (a count,
    a deterministic output), which needs no test.
    """
    return {
        "samples": _samples_diff(a.get("samples") or {}, b.get("samples") or {}, threshold),
        "outputs": _outputs_diff(a.get("outputs") or {}, b.get("outputs") or {}),
        "deps": environment_diff(_versions(a.get("deps") or {}), _versions(b.get("deps") or {})),
        "platform": environment_diff(a.get("platform") or {}, b.get("platform") or {}),
        "env": environment_diff(a.get("env") or {}, b.get("env") or {}),
        "command": {"a": _json(a.get("command")), "b": _json(b.get("command")),
                    "changed": _normal(a.get("command")) != _normal(b.get("command"))},
    }


def _samples_diff(a: Mapping[str, Sequence[float]], b: Mapping[str, Sequence[float]],
                  threshold: float) -> list[dict[str, Any]]:
    rows = []
    for metric in sorted(a.keys() | b.keys()):
        xs = [float(v) for v in a.get(metric, ()) if math.isfinite(float(v))]
        ys = [float(v) for v in b.get(metric, ()) if math.isfinite(float(v))]
        row: dict[str, Any] = {"metric": metric, "a": _summary(xs), "b": _summary(ys), "ratio": None,
                               "p_value": None, "smallest_p": None, "status": "same", "note": None}
        if not xs or not ys:
            row["status"] = "added" if not xs else "removed"
            rows.append(row)
            continue
        ma, mb = statistics.median(xs), statistics.median(ys)
        if ma:
            row["ratio"] = mb / ma
            changed = abs(row["ratio"] - 1) > threshold
        else:
            changed = mb != 0
        row["p_value"] = mann_whitney_p(xs, ys)
        row["smallest_p"] = smallest_p(len(xs), len(ys))
        significant = row["p_value"] is not None and row["p_value"] < _SIGNIFICANCE
        if changed and len(set(xs)) == 1 and len(set(ys)) == 1:
            row["status"] = "changed"  # no noise on either side: a deterministic difference needs no test
        elif changed and row["smallest_p"] >= _SIGNIFICANCE:
            row["status"] = TOO_FEW
            row["note"] = too_few_note(len(xs), len(ys))
        elif changed:
            row["status"] = "changed" if significant or row["p_value"] is None else "changed-noisy"
        rows.append(row)
    return rows


def smallest_p(n1: int, n2: int) -> float:
    """Return the smallest two-sided p-value a Mann–Whitney test of n1 vs n2 samples can reach.

    Rule: the most extreme ranking (every sample of one side below every sample of the other) has
    probability 1 / C(n1 + n2, n1) under the null hypothesis, and the two-sided test counts both
    tails; no data can do better, so where this is at least alpha the test cannot tell.
    """
    if n1 < 1 or n2 < 1:
        return 1.0
    return min(1.0, 2 / math.comb(n1 + n2, n1))


def repetitions_to_tell(n1: int, n2: int, alpha: float = _SIGNIFICANCE) -> int:
    """Return the fewest repetitions per side (at least the larger of n1, n2) that could reach alpha."""
    m = max(n1, n2, 1)
    while smallest_p(m, m) >= alpha:
        m += 1
    return m


def too_few_note(n1: int, n2: int, alpha: float = _SIGNIFICANCE) -> str:
    """Say why n1 vs n2 repetitions cannot tell a difference, and how many could."""
    need = repetitions_to_tell(n1, n2, alpha)
    return (f"too few repetitions to tell: {n1} vs {n2} can never reach p < {alpha:g} (the smallest "
            f"attainable p is {smallest_p(n1, n2):.3g}); {need} vs {need} could")


def _summary(values: Sequence[float]) -> dict[str, Any] | None:
    if not values:
        return None
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"n": len(values), "median": statistics.median(values), "min": min(values),
            "max": max(values), "mean": mean, "cv": sd / abs(mean) if mean else None}


def mann_whitney_p(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return the two-sided Mann–Whitney U p-value (normal approximation), None if undefined."""
    n1, n2 = len(xs), len(ys)
    if not n1 or not n2:
        return None
    pooled = sorted([(v, 0) for v in xs] + [(v, 1) for v in ys])
    ranks: list[float] = [0.0] * len(pooled)
    ties = 0.0
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        for k in range(start, end + 1):
            ranks[k] = (start + end) / 2 + 1
        size = end - start + 1
        ties += size ** 3 - size
        start = end + 1
    rank_sum = sum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    total = n1 + n2
    variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return None
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, 2 * (1 - statistics.NormalDist().cdf(max(z, 0.0))))


def _outputs_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(a.keys() | b.keys()):
        da, db = _digest(a.get(name)), _digest(b.get(name))
        if da is None or db is None:
            status = "added" if da is None else "removed"
        else:
            status = "same" if da == db else "changed"
        rows.append({"name": name, "a": da, "b": db, "status": status})
    return rows


def _digest(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("sha256") or value.get("digest")
    return None if value is None else str(value)


def _versions(deps: Mapping[str, Any]) -> dict[str, Any]:
    return {name: (dep.get("version") if isinstance(dep, Mapping) else dep)
            for name, dep in deps.items()}


def readable(text: str, *, paths: Mapping[str, str] | None = None) -> str:
    """Return `text` with run noise normalised away, for reading a diff.

    Each given path (a snapshot or run work directory) becomes its placeholder (``{"/srv/runs/1f…":
    "<work>"}``), hex digests (MD5, SHA-1, SHA-256, run ids) become ``<hash>``, and numbers with
    five decimals or more are rounded to four significant digits (3.14159265 -> 3.142).
    """
    for path, placeholder in sorted((paths or {}).items(), key=lambda item: -len(item[0])):
        if path:
            text = text.replace(path, placeholder)
    text = _HASH.sub("<hash>", text)
    return _LONG_NUMBER.sub(lambda m: f"{float(m.group()):.4g}", text)


def side_by_side(expected: str, actual: str, *, context: int = 3,
                 max_rows: int = SIDE_BY_SIDE_ROWS) -> dict[str, Any]:
    """Pair the lines of two texts for a side-by-side view: equal, changed, removed and added rows.

    Runs of equal lines longer than twice `context` are cut to their ends around a "skipped" row;
    at most `max_rows` rows are kept (`truncated` then says so).
    """
    old, new = expected.splitlines(), actual.splitlines()
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs = list(zip(range(i1, i2), range(j1, j2), strict=True))
            if len(pairs) > 2 * context + 1:
                cut = len(pairs) - 2 * context
                pairs = [*pairs[:context], (-cut, -cut), *pairs[-context:]]
            for i, j in pairs:
                rows.append({"tag": "skipped", "count": -i} if i < 0 else
                            {"tag": "equal", "left_no": i + 1, "left": old[i], "right_no": j + 1,
                             "right": new[j]})
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            rows.append({"tag": tag if i < i2 and j < j2 else ("delete" if i < i2 else "insert"),
                         "left_no": i + 1 if i < i2 else None, "left": old[i] if i < i2 else None,
                         "right_no": j + 1 if j < j2 else None, "right": new[j] if j < j2 else None})
    return {"rows": rows[:max_rows], "truncated": len(rows) > max_rows,
            "identical": old == new}


_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def unified_rows(diff: str, *, paths: Mapping[str, str] | None = None,
                 max_rows: int = SIDE_BY_SIDE_ROWS) -> dict[str, Any]:
    """Turn a unified diff (expected, then actual) into side-by-side rows like `side_by_side`'s.

    A block of removed lines followed by added ones pairs up as changed rows; each hunk after the
    first starts with a "skipped" row; text is made `readable` (paths, hashes, long numbers).
    """
    rows: list[dict[str, Any]] = []
    left = right = 0
    in_hunk = False
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        nonlocal left, right
        for k in range(max(len(removed), len(added))):
            a = removed[k] if k < len(removed) else None
            b = added[k] if k < len(added) else None
            tag = "replace" if a is not None and b is not None else ("delete" if a is not None else "insert")
            rows.append({"tag": tag, "left_no": left + 1 if a is not None else None, "left": a,
                         "right_no": right + 1 if b is not None else None, "right": b})
            left += a is not None
            right += b is not None
        removed.clear()
        added.clear()

    for line in diff.splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            flush()
            if rows:
                rows.append({"tag": "skipped", "count": None})
            left, right = int(hunk.group(1)) - 1, int(hunk.group(2)) - 1
            in_hunk = True
        elif not in_hunk:
            continue  # the "--- expected" / "+++ actual" header
        elif line.startswith("-"):
            removed.append(readable(line[1:], paths=paths))
        elif line.startswith("+"):
            added.append(readable(line[1:], paths=paths))
        elif line.startswith(" "):
            flush()
            text = readable(line[1:], paths=paths)
            rows.append({"tag": "equal", "left_no": left + 1, "left": text, "right_no": right + 1,
                         "right": text})
            left, right = left + 1, right + 1
    flush()
    return {"rows": rows[:max_rows], "truncated": len(rows) > max_rows, "identical": not rows}
