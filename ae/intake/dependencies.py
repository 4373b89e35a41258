"""CK dependency repositories: fetch what an artifact's `.ckr.json` `repo_deps` name, in CK's order.

Real CK artifacts keep programs in one repository and datasets (or packages) in others, naming them
in `repo_deps` with a `repo_url`. Each is fetched by that URL through git, so an operator can mirror
with git's own `url.<base>.insteadOf`, under the artifact's source policy and caps, pinned to one
commit (a conference pin, else the item's `checkout`, else its `branch`, else HEAD) and stored as a
snapshot by digest. The search order is CK's: the artifact's own repositories first, then their
dependencies breadth first, each repository once. A dependency that is missing, unreachable or not
the repository it claims to be is one error naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.ck.entry import CkRepo
from ae.ck.repository import RepoDep, read_repo, repo_dependencies
from ae.errors import AeError, CkError, SourceError
from ae.intake.policy import redact

#: At most this many dependency repositories per artifact (a chain of repo_deps is user data).
MAX_REPOS = 16


@dataclass(frozen=True)
class Pin:
    """A conference's pin of one dependency repository: its URL and/or commit."""

    repo: str
    url: str | None = None
    commit: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A fetched source: the commit it was pinned to, its snapshot digest and unpacked tree."""

    commit: str
    digest: str | None
    tree: Path


Fetch = Callable[[str, str | None], Fetched]


@dataclass(frozen=True)
class DependencyRepo:
    """One dependency repository of an artifact version, pinned and stored."""

    repo: str
    alias: str
    uid: str
    url: str
    ref: str | None
    commit: str
    digest: str | None
    required_by: str
    pinned_by: str
    tree: Path = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return what a version records about this dependency (no local paths)."""
        return {"repo": self.repo, "alias": self.alias, "uid": self.uid, "url": self.url,
                "ref": self.ref, "commit": self.commit, "digest": self.digest,
                "required_by": self.required_by, "pinned_by": self.pinned_by}


def _ref(dep: RepoDep, pin: Pin | None) -> tuple[str | None, str]:
    if pin and pin.commit:
        return pin.commit, "conference"
    if dep.checkout:
        return dep.checkout, "repo_deps checkout"
    if dep.branch:
        return dep.branch, "repo_deps branch"
    return None, "latest"


def _matches(repo: CkRepo, dep: RepoDep) -> bool:
    return bool(dep.names() & {repo.alias, repo.uid})


def _fetch_one(dep: RepoDep, required_by: str, pin: Pin | None, fetch: Fetch) -> DependencyRepo:
    url = pin.url if pin and pin.url else dep.url
    shown = redact(url)
    where = f"dependency repository {dep.uoa!r} (repo_deps of {required_by!r})"
    if not url:
        raise SourceError(f"{where} has no repo_url, and the conference file does not pin it")
    ref, pinned_by = _ref(dep, pin)
    try:
        fetched = fetch(url, ref)
    except AeError as exc:
        raise SourceError(f"{where}: {exc}") from exc
    try:
        repo = read_repo(fetched.tree)
    except CkError as exc:
        raise SourceError(f"{where}: {shown} is not a CK repository (no .ckr.json at its root)") from exc
    if not _matches(repo, dep):
        raise SourceError(f"{where}: {shown} holds CK repository {repo.alias!r}, not {dep.uoa!r}")
    return DependencyRepo(repo=dep.uoa, alias=repo.alias, uid=repo.uid, url=shown, ref=ref,
                          commit=fetched.commit, digest=fetched.digest, required_by=required_by,
                          pinned_by=pinned_by, tree=fetched.tree)


def resolve(roots: Sequence[Path], *, fetch: Fetch, pins: Mapping[str, Pin] | None = None,
            available: Sequence[Path] = (), limit: int = MAX_REPOS) -> list[DependencyRepo]:
    """Fetch every repository the roots' `repo_deps` name (recursively) that is not at hand.

    `roots` are the artifact's own CK repositories; `available` are further local repositories
    (`ae run --repo`) that satisfy a dependency by alias or UID without fetching it. Returns the
    fetched dependencies in CK's search order (breadth first).
    """
    pins = pins or {}
    local = [read_repo(p) for p in [*roots, *available]]
    queue: list[CkRepo] = local[:len(roots)]
    fetched: list[DependencyRepo] = []
    seen: list[CkRepo] = list(local)
    while queue:
        current = queue.pop(0)
        for dep in repo_dependencies(current):
            if any(_matches(r, dep) for r in seen):
                continue
            if len(fetched) >= limit:
                raise SourceError(f"more than {limit} dependency repositories (repo_deps of "
                                  f"{current.alias!r} names {dep.uoa!r}); refusing to fetch more")
            pin = pins.get(dep.uoa) or (pins.get(dep.uid) if dep.uid else None)
            found = _fetch_one(dep, current.alias, pin, fetch)
            repo = read_repo(found.tree)
            fetched.append(found)
            seen.append(repo)
            queue.append(repo)
    return fetched


def search_paths(roots: Sequence[Path], deps: Sequence[DependencyRepo],
                 available: Sequence[Path] = ()) -> list[Path]:
    """Return every repository to index, in CK's order: own, local extras, then dependencies."""
    return [*dict.fromkeys([*roots, *available, *(d.tree for d in deps)])]
