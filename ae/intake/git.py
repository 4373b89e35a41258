"""The git tool (GitPython and the git command run only here and in `pin.py`): processes, configuration.

Every git process runs in a session of its own and, at its deadline, is killed with its whole
process group (GitPython's kill_after_timeout kills git alone, and a child such as
git-remote-http kept a clone of a silent host alive). `remote_url` and `insteadof_rules` read the
operator's own git configuration, which the source policy judges URLs by.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ae.errors import SourceError


def remote_url(url: str) -> str:
    """Return the URL git would contact for `url`, after the operator's `url.<base>.insteadOf` rules."""
    result = subprocess.run(["git", "ls-remote", "--get-url", "--", url], cwd="/", env=git_env(),
                            capture_output=True, timeout=60, check=False)
    if result.returncode:
        raise SourceError("not a git URL")
    return os.fsdecode(result.stdout).rstrip("\n")


def insteadof_rules() -> list[tuple[str, str]]:
    """Return the operator's rewrite rules as (prefix the user writes, base git uses instead)."""
    result = subprocess.run(["git", "config", "-z", "--get-regexp", r"^url\..*\.insteadof$"], cwd="/",
                            env=git_env(), capture_output=True, timeout=60, check=False)
    rules = []
    for record in result.stdout.split(b"\0"):
        key, _, value = os.fsdecode(record).partition("\n")
        if key.startswith("url.") and key.endswith(".insteadof") and value:
            rules.append((value, key[len("url."):-len(".insteadof")]))
    return rules


def init_repository(path: Path, *, message: str, date: str | None = None) -> str:
    """Make `path` a git repository with everything committed once; return the commit SHA.

    With `date` (git's "SECONDS +HHMM") the commit is reproducible: same files, same SHA.
    """
    import git  # GitPython takes ~0.1 s to import: only the commands that make repositories pay it

    repo = git.Repo.init(path)
    with repo:
        repo.git.add(A=True)
        actor = git.Actor("ae demo", "demo@ae.invalid")
        commit = repo.index.commit(message, author=actor, committer=actor, author_date=date,
                                   commit_date=date)
        return commit.hexsha


@dataclass
class GitProcess:
    """A git process leading its own process group; the group dies at the deadline or at the end."""

    process: subprocess.Popen[bytes]
    errors: IO[bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)
    timed_out: bool = False
    reaped: bool = False

    def kill(self, *, expired: bool = False) -> None:
        """Kill the whole group; until git is reaped its pid is still the group's id."""
        with self.lock:
            if self.reaped:
                return
            if expired and self.running():  # a git that already exited did not time out
                self.timed_out = True
            self._kill_group()

    def _kill_group(self) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def running(self) -> bool:
        """Tell whether git has not exited yet (without reaping it)."""
        return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None

    def finish(self) -> tuple[int, str]:
        """Wait for git, kill what it left in its group, reap it; return its status and stderr tail."""
        os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOWAIT)
        with self.lock:  # what git left in its group dies with it, then git is reaped
            self._kill_group()
            self.reaped = True
        code = self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with suppress(OSError):
                    pipe.close()
        self.errors.seek(0, os.SEEK_END)
        self.errors.seek(max(0, self.errors.tell() - 4000))
        return code, self.errors.read().decode(errors="replace").strip()


@contextmanager
def run_git(args: list[str], *, work: Path, timeout: float, env: dict[str, str] | None = None,
         stdin: int = subprocess.DEVNULL, stdout: int = subprocess.DEVNULL,
         max_file: int | None = None) -> Iterator[GitProcess]:
    """Run git in a new session, killing its whole process group after `timeout` seconds."""
    with tempfile.NamedTemporaryFile(dir=work, prefix="stderr-") as errors:  # named: counted in `work`
        # with a file-size cap, git inherits Python's ignored SIGXFSZ: a write past the cap fails
        # with EFBIG ("File too large", which we can tell apart) instead of killing a helper
        process = subprocess.Popen(["git", *args], cwd="/", env=env or git_env(), stdin=stdin, stdout=stdout,
                                   stderr=errors, start_new_session=True, restore_signals=max_file is None)
        run = GitProcess(process, errors)
        if max_file is not None:  # set at once, before git has fetched anything
            with suppress(OSError, AttributeError):
                resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (max_file, max_file))
        timer = threading.Timer(timeout, run.kill, kwargs={"expired": True})
        timer.daemon = True
        timer.start()
        try:
            yield run
        finally:
            timer.cancel()
            if not run.reaped:
                run.kill()
                run.finish()


def git_env() -> dict[str, str]:
    """Return git's environment: no prompts, no askpass, none of the service's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="/bin/false", SSH_ASKPASS="/bin/false", LC_ALL="C")
    env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env
