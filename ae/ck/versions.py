"""Version strings split and compared the way CK's `soft` module does it."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SEPARATORS = re.compile(r"\.|-|_")


def split_version(s: str) -> list[int]:
    """Split a version string into integers as CK does.

    CK splits on `.`, `-` and `_`; every part that `int()` rejects becomes 0, so
    `"12.2.0-rc1"` gives `[12, 2, 0, 0]` and the empty string gives `[]`.
    """
    if s == "":
        return []
    parts: list[int] = []
    for part in _SEPARATORS.split(s):
        try:
            parts.append(int(part))
        except ValueError:
            parts.append(0)
    return parts


def compare_versions(a: str | Sequence[int | str], b: str | Sequence[int | str]) -> int:
    """Compare two versions (strings or split lists); return -1, 0 or 1.

    CK pads the shorter list with zeros and compares element by element; when the two elements have
    different types, the integer one is greater.
    """
    v1 = split_version(a) if isinstance(a, str) else list(a)
    v2 = split_version(b) if isinstance(b, str) else list(b)
    pad = len(v2) - len(v1)
    if pad > 0:
        v1 = v1 + [0] * pad
    else:
        v2 = v2 + [0] * -pad
    for x, y in zip(v1, v2, strict=True):
        if type(x) is not type(y):
            if type(x) is int:
                return 1
            if type(y) is int:
                return -1
        elif isinstance(x, int) and isinstance(y, int):
            if x != y:
                return -1 if x < y else 1
        elif isinstance(x, str) and isinstance(y, str) and x != y:
            return -1 if x < y else 1
    return 0


def version_in_range(
    version: Sequence[int], version_from: Sequence[int] | None, version_to: Sequence[int] | None
) -> bool:
    """Tell whether `version` lies within CK's inclusive `version_from`/`version_to` bounds."""
    if version_from and compare_versions(version_from, version) > 0:
        return False
    return not (version_to and compare_versions(version, version_to) > 0)
