"""`ae demo`: the sample artifacts of examples/ as real git repositories, submitted for evaluation.

An example that another example names in its `.ckr.json` `repo_deps` is a dependency repository,
not an artifact: the demo serves it as an operator would, a local git mirror of its `repo_url`
(git's `url.<mirror>.insteadOf`, given to the demo's worker only).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from ae.checklist.claims import parse_claims
from ae.ck.repository import read_repo, repo_dependencies
from ae.conferences import Conference
from ae.config import PROJECT_ROOT
from ae.errors import AeError
from ae.intake import appendix
from ae.intake.git import init_repository

EXAMPLES = PROJECT_ROOT / "examples"


@dataclass(frozen=True)
class Example:
    """One sample artifact of examples/."""

    name: str
    path: Path


def examples(root: Path = EXAMPLES) -> list[Example]:
    """Return the sample artifacts (directories holding a .ckr.json)."""
    return [Example(p.name, p) for p in sorted(root.iterdir()) if (p / ".ckr.json").is_file()]


def unroutable(example: Example, conference: Conference) -> str | None:
    """Say why `conference` cannot evaluate an example: no program, or hardware it has no pool for.

    The demo submits only what its conference can route (`examples/ml-inference` claims a GPU
    configuration: it plays `mlperf-inference-demo`, whose `gpu` pool the default conference lacks).
    """
    from ae.pools import pool_for_requirement, pool_from_mapping

    if not (example.path / "program").is_dir():  # examples/request-results: recorded experiments only
        return "it holds no CK program to run (its entries are recorded results)"
    found = appendix.find(example.path)
    if found is None:
        return None
    name, text = found
    try:
        pools = [pool_from_mapping(p, source=str(conference.path)) for p in conference.pools]
        for claim in parse_claims(text, source=name):
            pool_for_requirement(claim.hardware, pools, source=f"{name}: claim {claim.id!r}")
    except AeError as exc:
        return str(exc)
    return None


def dependency_urls(found: list[Example]) -> dict[str, str]:
    """Return the `repo_url` by which other examples name each example that is a dependency."""
    repos = {e.name: read_repo(e.path) for e in found}
    urls = {}
    for example in found:
        for dep in repo_dependencies(repos[example.name]):
            for other in found:
                if dep.url and dep.names() & {repos[other.name].alias, repos[other.name].uid}:
                    urls[other.name] = dep.url
    return urls


def mirror_env(mirrors: dict[str, Path]) -> dict[str, str]:
    """Return git's environment entries that rewrite each URL to its local mirror (insteadOf)."""
    env = {"GIT_CONFIG_COUNT": str(len(mirrors))}
    for n, (url, path) in enumerate(sorted(mirrors.items())):
        env[f"GIT_CONFIG_KEY_{n}"] = f"url.{path.as_uri()}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{n}"] = url
    return env


#: The demo's commits carry this date, so an unchanged example is the same commit every time.
COMMIT_DATE = "1767225600 +0000"  # 2026-01-01 00:00 UTC, in git's own date format


def as_git_repository(example: Example, dest_root: Path) -> tuple[Path, str]:
    """Copy an example into a fresh git repository with one reproducible commit; return path and SHA."""
    dest = dest_root / example.name
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(example.path, dest, ignore=shutil.ignore_patterns("tmp", "__pycache__"))
    return dest, init_repository(dest, message=f"Sample artifact {example.name}", date=COMMIT_DATE)


def earlier_submission(*, session: Session, conference: str, source: str, commit: str) -> str | None:
    """Return the artifact an earlier demo submitted from `source` whose latest version is (or may
    become, once taken in) this very commit and has not failed; None when it must be submitted."""
    from sqlmodel import col, select

    from ae.storage.models import Artifact
    from ae.storage.queries import latest_version
    from ae.storage.states import VersionState

    query = select(Artifact).where(Artifact.conference == conference, Artifact.source == source)
    for artifact in session.exec(query.order_by(col(Artifact.created_at).desc())):
        version = latest_version(session=session, artifact_id=artifact.id)
        if version.status != VersionState.FAILED and version.commit in (None, commit):
            return artifact.id
    return None
