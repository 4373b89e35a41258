"""Resolve a program's `compile_deps` / `run_deps` / `deps` against detected software.

CK's rules (its `env` module): a candidate must carry every tag of `tags`, none of `no_tags`, satisfy
one of the `;`-separated conjunctions of `or_tags` (`~tag` negates), and have a version within the
inclusive `version_from`/`version_to` bounds. Dependencies are resolved in ascending `sort` order.
Where CK prompts among several candidates we choose deterministically: highest version first,
then name, then path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ae.ck.versions import compare_versions, split_version, version_in_range
from ae.errors import PipelineError
from ae.evaluators.software import Software

Provider = Callable[["Dependency", Mapping[str, Software]], Software | None]


def _csv(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in str(value).split(",") if t.strip()]


def _version(value: Any) -> list[int] | None:
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return [int(v) if str(v).isdigit() else 0 for v in value]
    return split_version(str(value))


@dataclass
class Dependency:
    """One entry of a program's dependency dict."""

    key: str
    tags: list[str]
    no_tags: list[str]
    or_tags: list[list[str]]
    version_from: list[int] | None
    version_to: list[int] | None
    sort: int
    name: str

    @classmethod
    def from_meta(cls, key: str, d: Mapping[str, Any]) -> Dependency:
        """Read one dependency from meta."""
        or_tags = [_csv(part) for part in str(d.get("or_tags") or "").split(";")]
        try:
            sort = int(d.get("sort", 0))
        except (TypeError, ValueError):
            sort = 0
        return cls(key=key, tags=_csv(d.get("tags")), no_tags=_csv(d.get("no_tags")),
                   or_tags=[c for c in or_tags if c], version_from=_version(d.get("version_from")),
                   version_to=_version(d.get("version_to")), sort=sort,
                   name=str(d.get("name") or key))

    def describe(self) -> str:
        """Say which software the dependency asks for (tags, exclusions, version range)."""
        text = f"tags '{','.join(self.tags)}'"
        if self.no_tags:
            text += f" without '{','.join(self.no_tags)}'"
        if self.or_tags:
            text += " and one of " + " | ".join(",".join(c) for c in self.or_tags)
        if self.version_from or self.version_to:
            lo = ".".join(map(str, self.version_from or [])) or "any"
            hi = ".".join(map(str, self.version_to or [])) or "any"
            text += f", version {lo} to {hi}"
        return text

    def matches(self, sw: Software) -> bool:
        """Tell whether `sw` satisfies the tags, exclusions and version range."""
        tags = set(sw.tags)
        if not set(self.tags) <= tags or tags & set(self.no_tags):
            return False
        if self.or_tags and not any(_conjunction(c, tags) for c in self.or_tags):
            return False
        return version_in_range(sw.version_split, self.version_from, self.version_to)


def _conjunction(terms: list[str], tags: set[str]) -> bool:
    return all((t[1:] not in tags) if t.startswith("~") else (t in tags) for t in terms)


def parse_deps(meta_deps: Mapping[str, Any] | None) -> list[Dependency]:
    """Read a dependency dict into `Dependency` objects in resolution order (`sort`, then key)."""
    deps = [Dependency.from_meta(k, v) for k, v in (meta_deps or {}).items() if isinstance(v, dict)]
    return sorted(deps, key=lambda d: (d.sort, d.key))


def _prefer(a: Software, b: Software) -> int:
    by_version = compare_versions(b.version_split, a.version_split)
    if by_version:
        return by_version
    ka, kb = (a.name, a.path), (b.name, b.path)
    return (ka > kb) - (ka < kb)


def candidates(dep: Dependency, available: Sequence[Software]) -> list[Software]:
    """Return the software matching `dep`, best first."""
    return sorted((s for s in available if dep.matches(s)), key=functools.cmp_to_key(_prefer))


def resolve_deps(
    deps: Sequence[Dependency],
    available: Sequence[Software],
    *,
    provide: Provider | None = None,
    resolved: Mapping[str, Software] | None = None,
) -> dict[str, Software]:
    """Choose one software per dependency; `provide` builds a built-in package when none is found.

    `resolved` holds dependencies already chosen (compile deps when resolving run deps); a key
    present there is reused. A dependency nothing satisfies raises a `missing-dependency` error
    naming its tags and version range.
    """
    chosen: dict[str, Software] = dict(resolved or {})
    for dep in deps:
        if dep.key in chosen and dep.matches(chosen[dep.key]):
            continue
        found = candidates(dep, available)
        pick = found[0] if found else (provide(dep, chosen) if provide else None)
        if pick is None:
            raise PipelineError(
                f"Dependency '{dep.key}' ({dep.name}) is missing: no software with "
                f"{dep.describe()} was found on this worker.",
                kind="missing-dependency",
            )
        chosen[dep.key] = pick
    return chosen
