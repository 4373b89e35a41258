"""What the index hands out: CK entries, repository descriptors and the problems it found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NOT_UID = re.compile(r"[^.a-f0-9]")


def is_uid(s: str) -> bool:
    """Tell whether `s` is a CK UID.

    CK's rule (kernel `is_uid`): exactly 16 characters of `[.a-f0-9]` after lower-casing, so
    dots are accepted and case is ignored. Names that pass are looked up via `alias-u-<uid>`.
    """
    return len(s) == 16 and _NOT_UID.search(s.lower()) is None


@dataclass(frozen=True)
class Problem:
    """One defect found while reading a repository: the file and a sentence about it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class CkRepo:
    """A repository descriptor read from `.ckr.json`."""

    alias: str
    uid: str
    name: str
    path: Path
    repo_deps: tuple[str, ...] = ()
    dict: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class CkEntry:
    """One CK entry (`<repo>/<module>/<entry>/` with its `.cm/` files)."""

    repo_alias: str
    repo_uid: str
    module: str
    alias: str | None
    uid: str
    path: Path
    meta: dict[str, Any]
    info: dict[str, Any]
    module_uid: str = ""

    @property
    def uoa(self) -> str:
        """Return the alias, or the UID when the entry has no alias (CK's `data_uoa`)."""
        return self.alias or self.uid

    @property
    def tags(self) -> list[str]:
        """Return the entry's `tags` list (empty when absent or not a list of strings)."""
        tags = self.meta.get("tags")
        if not isinstance(tags, list):
            return []
        return [t for t in tags if isinstance(t, str)]

    @property
    def name(self) -> str:
        """Return the human name (`info.data_name`, else `meta.data_name`, else the UOA)."""
        for source in (self.info, self.meta):
            value = source.get("data_name")
            if isinstance(value, str) and value:
                return value
        return self.uoa

    @property
    def cid(self) -> str:
        """Return the full CID `repo:module:data` as `ck search` prints it."""
        return f"{self.repo_alias or self.repo_uid}:{self.module}:{self.uoa}"
