"""A lint finding: severity, code, why, how to fix, and where."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, what and where, why it matters, and how to fix it."""

    severity: str
    code: str
    message: str
    hint: str
    line: int | None = None
    where: str | None = None

    def format(self, filename: str) -> str:
        """Return "file:line: severity [code] message" and the fix on a second line."""
        place = f"{filename}:{self.line}" if self.line else filename
        return f"{place}: {self.severity} [{self.code}] {self.message}\n    fix: {self.hint}"
