"""Detected software (compilers, tools, libraries), described the way CK env entries are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ae.ck.versions import split_version

HOST_TAGS = ("host-os-linux-64", "target-os-linux-64", "64bits")


@dataclass
class Software:
    """One usable piece of software, described the way a CK `env` entry describes it."""

    name: str
    tags: list[str]
    version: str
    path: str = ""
    env: dict[str, str] = field(default_factory=dict)
    include_dirs: list[str] = field(default_factory=list)
    lib_dirs: list[str] = field(default_factory=list)
    libs: list[str] = field(default_factory=list)
    origin: str = "detected"
    mounts: list[str] = field(default_factory=list)  # host dirs outside /usr the sandbox must see

    @property
    def version_split(self) -> list[int]:
        """Return the version split by CK's rules."""
        return split_version(self.version)

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Software:
        """Rebuild from `to_dict` output."""
        return cls(**d)


def ck_tags(base: Iterable[str], version: str) -> list[str]:
    """Add the tags CK puts on every env entry: host/target OS, bits and `v12`, `v12.2`, `v12.2.0`."""
    tags = list(dict.fromkeys(base))
    parts = [p for p in version.replace("-", ".").split(".") if p]
    for n in range(1, len(parts) + 1):
        tags.append("v" + ".".join(parts[:n]))
    tags.extend(HOST_TAGS)
    return list(dict.fromkeys(tags))
