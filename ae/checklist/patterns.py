"""Regular expressions compiled on their first use.

The check-list holds about 135 patterns and one appendix needs about a third of them: compiling
every one when `ae lint` starts cost more than the lint itself.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """A pattern compiled when one of its methods is first asked for; then as fast as the real one."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(*self._args), name)
        self.__dict__[name] = value  # later lookups find it without coming here
        return value


def lazy(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """Return a pattern that compiles on first use."""
    return cast("re.Pattern[str]", _Lazy(pattern, int(flags)))
