"""podman: build, import and run images (the only module that calls podman).

Every call runs with the OCI runtime `runc` (crun fails on hosts with hybrid cgroups v1 + v2), the
cgroupfs manager and file events (no systemd or journald needed), and every container and build
step runs with `--network=none` (podman's default bridge network writes iptables rules on the
host), explicit ulimits (root cannot raise rlimits above the host's, and podman's defaults are
higher) and `--pull=never`: images come from this machine only. Containers also run with every
capability dropped and `no-new-privileges` (build steps keep podman's defaults: they chown).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ae.errors import ContainerError

GLOBAL = ("--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file")
ULIMITS = ("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096")
BUILD = ("--network=none", "--pull=never", *ULIMITS)  # RUN steps keep podman's default capabilities
ISOLATION = (*BUILD, "--cap-drop=all", "--security-opt", "no-new-privileges")
BUILD_TIMEOUT_S = 1800


@dataclass(frozen=True)
class Mount:
    """A host path bound into a container, read-only unless `writable`."""

    source: Path
    target: Path
    writable: bool = False

    def option(self) -> str:
        """Return the `--volume` value (no relabelling: SELinux hosts need `:z` set by hand)."""
        return f"{self.source}:{self.target}:{'rw' if self.writable else 'ro'}"


def executable() -> str:
    """Return podman's path, or raise naming the packages to install."""
    found = shutil.which("podman")
    if found is None or shutil.which("runc") is None:
        raise ContainerError("podman and runc are needed to build and run containers "
                             "(Debian: apt-get install podman runc)")
    return found


def _podman(args: Sequence[str], *, timeout: float, stdin: bytes | None = None,
            ) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([executable(), *GLOBAL, *args], input=stdin, capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ContainerError(f"podman {args[0]} did not finish within {timeout:g} s") from exc


def _tail(data: bytes, lines: int = 20) -> str:
    return "\n".join(data.decode(errors="replace").rstrip().splitlines()[-lines:])


def image_id(tag: str) -> str | None:
    """Return the id of a local image, None when there is none by that name."""
    done = _podman(["image", "inspect", "--format", "{{.Id}}", tag], timeout=60)
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def build(context: Path, tag: str, *, containerfile: Path | None = None,
          timeout: float = BUILD_TIMEOUT_S) -> str:
    """Build `context` (its Containerfile, or `containerfile`) as `tag`; return the image id."""
    args = ["build", *BUILD, "--tag", tag, "--file", str(containerfile or context / "Containerfile"),
            str(context)]
    done = _podman(args, timeout=timeout)
    if done.returncode != 0:
        raise ContainerError(f"podman build of {tag} failed:\n{_tail(done.stdout + done.stderr)}")
    found = image_id(tag)
    if found is None:
        raise ContainerError(f"podman build said it built {tag}, but there is no such image")
    return found


def import_rootfs(tarball: Path, tag: str, *, changes: Sequence[str] = ()) -> str:
    """Import a root file system tarball as image `tag` (no registry involved); return its id."""
    args = ["import", *(f"--change={change}" for change in changes), str(tarball), tag]
    done = _podman(args, timeout=BUILD_TIMEOUT_S)
    if done.returncode != 0:
        raise ContainerError(f"podman import of {tag} failed: {_tail(done.stderr)}")
    return image_id(tag) or tag


def run(image: str, argv: Sequence[str], *, name: str, mounts: Sequence[Mount] = (),
        user: str | None = None, env: Mapping[str, str] | None = None, stdin: bytes | None = None,
        memory_bytes: int | None = None, pids: int | None = None, timeout: float,
        ) -> subprocess.CompletedProcess[bytes]:
    """Run `argv` in a new container of `image` and remove it; past `timeout` it is killed."""
    args = ["run", "--rm", "--name", name, *ISOLATION, *(["--interactive"] if stdin is not None else [])]
    args += [f"--volume={mount.option()}" for mount in mounts]
    if user:
        args += ["--user", user]
    if memory_bytes:
        args += ["--memory", str(memory_bytes)]
    if pids:
        args += ["--pids-limit", str(pids)]
    for key, value in (env or {}).items():
        args += ["--env", f"{key}={value}"]
    try:
        return _podman([*args, image, *argv], timeout=timeout, stdin=stdin)
    except ContainerError:
        remove(name)
        raise


def remove(name: str) -> None:
    """Remove a container by name, killing it first if it runs (nothing when there is none)."""
    _podman(["rm", "--force", "--ignore", name], timeout=120)


def remove_image(tag: str) -> None:
    """Remove a local image (nothing when there is none)."""
    _podman(["rmi", "--force", "--ignore", tag], timeout=120)
