"""The base image of ae's containers, made from a local root file system (the only debootstrap user).

Why: no registry pull is assumed. `debootstrap --variant=minbase` builds a Debian root file
system through the Debian mirror this machine's apt already uses, with Python (the pipeline) and a
C toolchain (what artifacts build with; more with `include`), and `podman import` turns it into an
image. Detection and dependency resolution happen later, in the container, at run time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ae.errors import ContainerError
from ae.evaluators.container import podman
from ae.files.trees import remove_tree

DEFAULT_TAG = "localhost/ae-base:bookworm"
DEFAULT_SUITE = "bookworm"
DEFAULT_PACKAGES = ("python3", "gcc", "libc6-dev", "make")
APT_SOURCES = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))
_ONE_LINE = re.compile(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", re.MULTILINE)
_DEB822 = re.compile(r"^URIs:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def host_mirror(sources: Sequence[Path] = APT_SOURCES) -> str | None:
    """Return the Debian mirror this machine's apt uses (its first non-security source)."""
    files: list[Path] = []
    for path in sources:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".list", ".sources"))
        elif path.is_file():
            files.append(path)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found = _DEB822.findall(text) if path.suffix == ".sources" else [
            url for url, _ in _ONE_LINE.findall(text)]
        for url in found:
            if "security" not in url:
                return str(url)
    return None


def rootfs(target: Path, *, suite: str = DEFAULT_SUITE, mirror: str | None = None,
           packages: Sequence[str] = DEFAULT_PACKAGES, timeout: float = 1800) -> Path:
    """Build a minimal Debian root file system with `packages` in `target` (empty or absent)."""
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise ContainerError("debootstrap is needed to build the base image (apt-get install debootstrap)")
    mirror = mirror or host_mirror()
    if mirror is None:
        raise ContainerError("no Debian mirror found in this machine's apt sources; name one")
    argv = [debootstrap, "--variant=minbase", f"--include={','.join(packages)}", suite,
            str(target), mirror]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ContainerError(f"debootstrap did not finish within {timeout:g} s") from exc
    if done.returncode != 0:
        log = (target / "debootstrap" / "debootstrap.log")
        detail = log.read_text(errors="replace")[-2000:] if log.is_file() else done.stderr.decode()[-2000:]
        raise ContainerError(f"debootstrap {suite} failed:\n{detail}")
    return target


def build_base(tag: str = DEFAULT_TAG, *, suite: str = DEFAULT_SUITE, mirror: str | None = None,
               packages: Sequence[str] = DEFAULT_PACKAGES, workdir: Path | None = None) -> str:
    """Build the base image from a fresh root file system and import it as `tag`; return its id."""
    with tempfile.TemporaryDirectory(prefix="ae-base-", dir=workdir) as tmp:
        root = rootfs(Path(tmp) / "rootfs", suite=suite, mirror=mirror, packages=packages)
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (root / cache).glob("*.deb" if cache.endswith("archives") else "*_*"):
                entry.unlink()
        tarball = Path(tmp) / "rootfs.tar"
        with tarfile.open(tarball, "w") as archive:
            archive.add(root, arcname=".")
        remove_tree(root)
        return podman.import_rootfs(tarball, tag, changes=['CMD ["/bin/bash"]', "ENV LANG=C.UTF-8"])


def ensure_base(tag: str = DEFAULT_TAG, *, suite: str = DEFAULT_SUITE, mirror: str | None = None,
                packages: Sequence[str] = DEFAULT_PACKAGES) -> str:
    """Return the id of image `tag`, building it first when this machine has none."""
    return podman.image_id(tag) or build_base(tag, suite=suite, mirror=mirror, packages=packages)
