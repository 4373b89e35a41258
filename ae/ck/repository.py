"""Repository descriptors (`.ckr.json`) and the search order over an artifact and its deps."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae.ck.entry import CkRepo, Problem, is_uid
from ae.ck.files import UnreadableFile, read_json
from ae.errors import CkError

DESCRIPTOR = ".ckr.json"


@dataclass(frozen=True)
class RepoDep:
    """One `repo_deps` item of a `.ckr.json`: which repository, and where and at what to get it."""

    uoa: str
    uid: str = ""
    url: str = ""
    branch: str = ""
    checkout: str = ""

    def names(self) -> set[str]:
        """Return the alias/UID this dependency may be matched by."""
        return {n for n in (self.uoa, self.uid) if n}


def read_repo(path: Path, problems: list[Problem] | None = None) -> CkRepo:
    """Read a repository's `.ckr.json`; raise CkError when there is none.

    A descriptor that exists but is unreadable is recorded in `problems` (when given) and the
    directory name stands in for the alias, so that indexing can go on.
    """
    path = Path(path)
    descriptor = path / DESCRIPTOR
    root = os.path.realpath(path)
    if not path.is_dir() or not os.path.lexists(descriptor):
        raise CkError(f"{path}: not a CK repository (no {DESCRIPTOR})")
    try:
        data: Any = read_json(str(descriptor), root)
    except (UnreadableFile, FileNotFoundError) as exc:
        if problems is None:
            raise CkError(f"{descriptor}: {exc}") from exc
        problems.append(Problem(descriptor, str(exc)))
        data = {}
    if not isinstance(data, dict):
        if problems is None:
            raise CkError(f"{descriptor}: is not a JSON object")
        problems.append(Problem(descriptor, "is not a JSON object"))
        data = {}
    body = data.get("dict") if isinstance(data.get("dict"), dict) else {}
    alias = str(data.get("data_alias") or data.get("data_uoa") or path.name)
    deps = []
    for dep in body.get("repo_deps") or []:
        if isinstance(dep, dict) and isinstance(dep.get("repo_uoa"), str):
            deps.append(dep["repo_uoa"])
        elif problems is not None:
            problems.append(Problem(descriptor, f"repo_deps item {dep!r} has no repo_uoa"))
    repo_uid = str(data.get("data_uid") or "")
    if problems is not None and data and not is_uid(repo_uid):
        problems.append(Problem(descriptor, f"data_uid {repo_uid!r} is not a 16-hex-digit UID"))
    if problems is not None and "split_all_dirs" in body:
        problems.append(Problem(descriptor,
                                "split_all_dirs is not supported; entries may be missed"))
    return CkRepo(
        alias=alias,
        uid=repo_uid,
        name=str(data.get("data_name") or alias),
        path=path,
        repo_deps=tuple(deps),
        dict=body,
    )


def repo_dependencies(repo: CkRepo) -> list[RepoDep]:
    """Return the repository's well-formed `repo_deps` items with their URL, branch and checkout."""
    deps = []
    for item in repo.dict.get("repo_deps") or []:
        if not isinstance(item, dict) or not isinstance(item.get("repo_uoa"), str):
            continue
        values = {k: item.get(k) for k in ("repo_uid", "repo_url", "branch", "checkout")}
        text = {k: v if isinstance(v, str) else "" for k, v in values.items()}
        deps.append(RepoDep(item["repo_uoa"], text["repo_uid"], text["repo_url"].strip(),
                            text["branch"], text["checkout"]))
    return deps


def find_repos(root: Path) -> list[Path]:
    """Return the CK repositories of a tree: the root itself, else folders (two levels) with `.ckr.json`.

    Real artifacts often keep several CK repositories in one git repository, a folder each.
    """
    if (root / DESCRIPTOR).is_file():
        return [root]
    found = sorted(p.parent for p in root.glob(f"*/{DESCRIPTOR}") if p.is_file())
    found += sorted(p.parent for p in root.glob(f"*/*/{DESCRIPTOR}") if p.is_file())
    if not found:
        raise CkError(f"not a CK repository (no {DESCRIPTOR} at its root, nor in a folder one or two "
                      "levels down)")
    return found


def search_order(artifact: Path, available: Sequence[Path] = ()) -> list[Path]:
    """Return the artifact repo followed by its `repo_deps` (recursively) found among `available`.

    Dependencies are matched by alias or UID, breadth first, each repository once; missing ones are
    skipped, as an evaluator cannot fetch them.
    """
    known: dict[str, CkRepo] = {}
    for candidate in available:
        try:
            repo = read_repo(candidate)
        except CkError:
            continue
        known.setdefault(repo.alias, repo)
        if repo.uid:
            known.setdefault(repo.uid, repo)
    first = read_repo(artifact)
    order = [first]
    queue = [first]
    while queue:
        current = queue.pop(0)
        for dep in repo_dependencies(current):
            found = known.get(dep.uoa) or known.get(dep.uid)
            if found is not None and all(found.path != r.path for r in order):
                order.append(found)
                queue.append(found)
    return [r.path for r in order]
