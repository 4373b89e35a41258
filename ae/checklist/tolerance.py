"""How far a measurement may be from a claimed value: one type, read and written in one place.

A tolerance is relative ("10%" → ±10 % of the claimed value) or absolute (a bare number, in the
metric's unit). Claims (`tolerance = "10%"` or `tolerance = 0.5`), conference files
(`tolerance = "8%"`) and recorded experiments (the appendix's "maximum allowable variation") all
give one; verdicts, diffs and reports describe it with `describe`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_PERCENT = re.compile(r"\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*%\s*")


@dataclass(frozen=True)
class Tolerance:
    """A relative tolerance (0.08 is ±8 %) or an absolute one (in the metric's unit)."""

    relative: float | None = None
    absolute: float | None = None

    @classmethod
    def parse(cls, value: Any) -> Tolerance:
        """Read "10%" (relative) or a number (absolute); raise ValueError saying what is expected."""
        if isinstance(value, str):
            match = _PERCENT.fullmatch(value)
            if not match:
                raise ValueError(f'must be a percentage like "10%" or a number in the metric\'s unit '
                                 f"(got {value!r})")
            percent = float(match.group(1))
            if percent < 0:
                raise ValueError(f"must not be negative (got {value.strip()!r})")
            return cls(relative=percent / 100.0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f'must be a percentage like "10%" or a number (got {value!r})')
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"must be a finite number that is not negative (got {value})")
        return cls(absolute=float(value))

    @classmethod
    def from_data(cls, data: Any) -> Tolerance | None:
        """Read what `to_data` wrote (None stays None)."""
        if data is None:
            return None
        return cls(relative=data.get("relative"), absolute=data.get("absolute"))

    def to_data(self) -> dict[str, float | None]:
        """Return the tolerance as JSON-ready data."""
        return {"relative": self.relative, "absolute": self.absolute}

    def relative_to(self, expected: float) -> float:
        """Return the tolerance as a fraction of `expected` (which must not be 0 for an absolute one)."""
        if self.relative is not None:
            return self.relative
        return (self.absolute or 0.0) / abs(expected)

    def allowed(self, expected: float) -> float:
        """Return the largest allowed absolute difference from `expected`."""
        return max(self.absolute or 0.0, (self.relative or 0.0) * abs(expected))

    def describe(self, unit: str | None = None) -> str:
        """Return "±10 %" or "±0.5 s"."""
        if self.relative is not None:
            return f"±{self.relative * 100:.4g} %"
        return f"±{self.absolute or 0.0:.4g}" + (f" {unit}" if unit else "")
