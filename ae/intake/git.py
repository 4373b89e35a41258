"""Git sources (the only GitPython user): clone, pin a commit, export it as a tar stream."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import git
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from ae.errors import SourceError

_ALLOWED_SCHEMES = ("https://", "http://", "git://", "ssh://", "file://")
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:[^/].*")
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false", "GIT_SSH_COMMAND": "ssh -oBatchMode=yes"}


@dataclass(frozen=True)
class Pinned:
    """A source pinned to one commit, exported as a tar file."""

    source: str
    commit: str
    tar_path: Path


def check_source(source: str) -> str:
    """Return the source if it is an allowed URL or an existing local directory, else raise."""
    if source.startswith(_ALLOWED_SCHEMES) or _SCP_LIKE.match(source):
        return source
    if "://" in source:
        raise SourceError(f"{source}: unsupported URL scheme (use https, http, git, ssh or file)")
    path = Path(source).expanduser()
    if not path.is_dir():
        raise SourceError(f"{source}: no such directory and not a git URL")
    return str(path.resolve())


def _describe(exc: GitCommandError) -> str:
    text = (exc.stderr or str(exc)).strip().replace("stderr: ", "").strip("' \n")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "git failed"


def pin(source: str, ref: str | None, dest_dir: Path, *, timeout: float = 300) -> Pinned:
    """Clone `source`, resolve `ref` (default HEAD) to a commit and export that commit to a tar file."""
    source = check_source(source)
    dest_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clone-", dir=dest_dir))
    try:
        try:
            repo = git.Repo.clone_from(
                source, work / "repo", multi_options=["--no-checkout", "--quiet"],
                env=_GIT_ENV, kill_after_timeout=timeout,
            )
        except GitCommandError as exc:
            raise SourceError(f"{source}: cannot be cloned: {_describe(exc)}") from exc
        except (InvalidGitRepositoryError, NoSuchPathError) as exc:
            raise SourceError(f"{source}: not a git repository") from exc
        with repo:
            try:
                commit = repo.commit(ref or "HEAD")
            except (BadName, ValueError, GitCommandError) as exc:
                what = f"commit {ref!r}" if ref else "a HEAD commit (empty repository?)"
                raise SourceError(f"{source}: {what} does not exist") from exc
            # unique per call: two intakes of the same commit may run at once
            tar_path = dest_dir / f"{commit.hexsha}-{work.name}.tar"
            partial = work / "export.tar"
            with open(partial, "wb") as handle:
                repo.archive(handle, treeish=commit.hexsha, format="tar")
            partial.rename(tar_path)
            return Pinned(source=source, commit=commit.hexsha, tar_path=tar_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def init_repository(path: Path, *, message: str) -> str:
    """Make `path` a git repository with everything committed once; return the commit SHA."""
    repo = git.Repo.init(path)
    with repo:
        repo.git.add(A=True)
        actor = git.Actor("ae demo", "demo@ae.invalid")
        commit = repo.index.commit(message, author=actor, committer=actor)
        return commit.hexsha
