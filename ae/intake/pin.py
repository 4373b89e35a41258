"""Pin a source: clone it under the source policy, resolve the commit, check its tree, export it.

A clone is watched and killed past its byte cap. The commit's tree is listed (`git ls-tree -r -l
-z`) and checked against the caps before anything is exported, and the tar is written from the
blobs themselves, so `.gitattributes` (export-subst, export-ignore, eol, filters) cannot make the
snapshot differ from the commit.
"""

from __future__ import annotations

import logging
import os
import shlex
import stat
import subprocess
import tarfile
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ae.errors import SourceError
from ae.files.trees import remove_tree
from ae.intake import tree
from ae.intake.git import GitProcess, git_env, remote_url, run_git
from ae.intake.policy import SourcePolicy, Target, judge, redact, unreachable

log = logging.getLogger(__name__)

_READ = 1 << 16


@dataclass(frozen=True)
class Pinned:
    """A source pinned to one commit, exported as a tar file."""

    source: str
    commit: str
    tar_path: Path


def pin(source: str, ref: str | None, dest_dir: Path, *, policy: SourcePolicy) -> Pinned:
    """Clone `source` under `policy`, resolve `ref` (default HEAD) and export that commit as a tar."""
    target = judge(source, policy)
    dest_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"clone-{os.getpid()}-", dir=dest_dir))
    try:
        clone = work / "repo.git"
        _clone(target, clone, work, policy)
        commit = _commit(clone, ref, work, target, policy)
        entries = _list_tree(clone, commit, work, target, policy)
        partial = work / "export.tar"
        _export(clone, commit, entries, partial, work, target, policy)
        tar_path = dest_dir / f"{commit}-{work.name}.tar"  # unique: one commit may be taken in twice
        partial.rename(tar_path)
        return Pinned(source=target.source, commit=commit, tar_path=tar_path)
    finally:
        remove_tree(work)



def _clone(target: Target, clone: Path, work: Path, policy: SourcePolicy) -> None:
    """Clone bare, connecting only to the addresses the policy checked, within time and size caps."""
    env = git_env()
    env["GIT_ALLOW_PROTOCOL"] = target.scheme
    options = ["-c", "http.followRedirects=false"]
    url = target.url if target.local else target.source
    if target.addresses and target.scheme in ("http", "https"):
        pinned = ",".join(f"[{a}]" if ":" in a else a for a in target.addresses)
        options += ["-c", f"http.curloptResolve={target.host}:{target.port}:{pinned}"]
    elif target.addresses and target.scheme == "git":
        url = _with_host(target.url, target.addresses[0])
        if remote_url(url) != url:
            raise SourceError(f"source refused: {redact(target.source)}: the operator's url rewrites "
                              "also apply to its pinned address")
    elif target.addresses and target.scheme == "ssh":
        alias = target.host if target.port == 22 else f"[{target.host}]:{target.port}"
        env["GIT_SSH_COMMAND"] += (f" -o HostName={shlex.quote(target.addresses[0])}"
                                   f" -o HostKeyAlias={shlex.quote(alias)}")
        env["GIT_SSH_VARIANT"] = "ssh"
    args = [*options, "clone", "--bare", "--quiet", "--no-local", "--", url, str(clone)]
    too_big = False
    with run_git(args, work=work, timeout=policy.clone_timeout, env=env,
                 max_file=policy.clone_max_bytes) as run:
        delay = 0.005
        while run.running():
            if _usage(work)[0] > policy.clone_max_bytes:
                too_big = True
                run.kill()
                break
            time.sleep(delay)
            delay = min(0.2, delay * 2)
        code, errors = run.finish()
    too_big = too_big or (code != 0 and (_usage(work)[1] >= policy.clone_max_bytes or any(
        "File too large" in line and not line.startswith("remote:") for line in errors.splitlines())))
    if too_big:
        raise SourceError(f"source refused: {redact(target.source)}: its clone grew past the cap of "
                          f"{policy.clone_max_bytes} bytes (AE_CLONE_MAX_BYTES)")
    if run.timed_out:
        log.warning("clone of %s timed out after %g s", redact(target.source), policy.clone_timeout)
        raise unreachable(target.source, policy)
    if code:
        log.info("clone of %s failed (%s): %s", redact(target.source), code,
                 _scrub(errors, target))
        if target.local and not target.rewritten:
            reason = (errors.splitlines() or [f"git exited with status {code}"])[-1]
            raise SourceError(f"{target.source}: cannot be cloned: {reason}")
        raise unreachable(target.source, policy)


def _with_host(url: str, address: str) -> str:
    """Return `url` with its host replaced by an address (git:// connects to what was checked)."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    host = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def _usage(root: Path) -> tuple[int, int]:
    """Return the bytes of every file under `root` and the largest file's size, without recursion."""
    total = largest = 0
    pending = [os.fspath(root)]
    while pending:
        with suppress(OSError), os.scandir(pending.pop()) as entries:
            for entry in entries:
                with suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(entry.path)
                    else:
                        total += info.st_size
                        largest = max(largest, info.st_size)
    return total, largest


def _scrub(text: str, target: Target) -> str:
    """Return git's output with the source's credentials removed (for the server log)."""
    for url in {target.source, target.url}:
        text = text.replace(url, redact(url))
    return text


# -- the commit and its tree ------------------------------------------------------------------


def _commit(clone: Path, ref: str | None, work: Path, target: Target, policy: SourcePolicy) -> str:
    """Resolve `ref` (default HEAD) to a commit of the clone."""
    args = ["--git-dir", str(clone), "rev-parse", "--verify", "--quiet", "--end-of-options",
            f"{ref or 'HEAD'}^{{commit}}"]
    with run_git(args, work=work, timeout=policy.clone_timeout, stdout=subprocess.PIPE) as run:
        assert run.process.stdout is not None
        out = run.process.stdout.read(200).decode(errors="replace").strip()
        code, _ = run.finish()
    if code or len(out) not in (40, 64):
        what = f"commit {ref!r}" if ref else "a HEAD commit (empty repository?)"
        raise SourceError(f"{redact(target.source)}: {what} does not exist")
    return out


def _list_tree(clone: Path, commit: str, work: Path, target: Target,
               policy: SourcePolicy) -> list[tree.Entry]:
    """List the commit's tree, refusing it at the first entry past a cap (nothing is written yet)."""
    where = f"source refused: {redact(target.source)} at {commit[:12]}"
    args = ["--git-dir", str(clone), "ls-tree", "-r", "-l", "-z", "--full-tree", commit]
    entries: list[tree.Entry] = []
    total = 0
    with run_git(args, work=work, timeout=policy.clone_timeout, stdout=subprocess.PIPE) as run:
        assert run.process.stdout is not None
        for record in tree.records(run.process.stdout, where, policy.caps):
            entry = tree.parse_entry(record, where)
            total += entry.size
            reason = tree.refusal(entry, len(entries) + 1, total, policy.caps)
            if reason:
                raise SourceError(f"{where}: {reason}")
            entries.append(entry)
        code, errors = run.finish()
    if code or run.timed_out:
        log.info("ls-tree of %s failed (%s): %s", redact(target.source), code, _scrub(errors, target))
        raise SourceError(f"{redact(target.source)} at {commit[:12]}: its tree cannot be read"
                          + (f" within {policy.clone_timeout:g} s" if run.timed_out else ""))
    tree.check_paths(entries, where)
    return entries


# -- export -----------------------------------------------------------------------------------


class _Blobs:
    """Objects read through one `git cat-file --batch` process."""

    def __init__(self, run: GitProcess) -> None:
        assert run.process.stdin is not None and run.process.stdout is not None
        self.stdin, self.stdout = run.process.stdin, run.process.stdout

    def open(self, oid: str) -> int:
        """Ask for an object; return its size (its bytes follow on stdout)."""
        self.stdin.write(f"{oid}\n".encode())
        self.stdin.flush()
        header = self.stdout.readline(256).split()
        if len(header) != 3 or header[0].decode() != oid:
            raise OSError(f"object {oid} cannot be read")
        return int(header[2])

    def read(self, oid: str, limit: int) -> bytes:
        """Return a small object's bytes."""
        size = self.open(oid)
        data = self.stdout.read(size) if size <= limit else b""
        if size > limit:
            self.skip(size)
        self.end()
        return data

    def skip(self, size: int) -> None:
        """Discard `size` bytes of the current object."""
        while size > 0:
            chunk = self.stdout.read(min(size, _READ))
            if not chunk:
                raise OSError("git cat-file stopped")
            size -= len(chunk)

    def end(self) -> None:
        """Consume the newline after an object."""
        if self.stdout.read(1) != b"\n":
            raise OSError("git cat-file stopped")


def _export(clone: Path, commit: str, entries: list[tree.Entry], partial: Path, work: Path,
            target: Target, policy: SourcePolicy) -> None:
    """Write the commit's tree to a tar from its blobs: bytes, modes and links exactly as committed."""
    where = f"source refused: {redact(target.source)} at {commit[:12]}"
    args = ["--git-dir", str(clone), "cat-file", "--batch"]
    with run_git(args, work=work, timeout=policy.clone_timeout, stdin=subprocess.PIPE,
              stdout=subprocess.PIPE) as run:
        blobs = _Blobs(run)
        try:
            mtime = tree.commit_time(blobs.read(commit, 1 << 20))
            links = {e.path: blobs.read(e.oid, tree.MAX_LINK_BYTES) for e in entries if e.mode == "120000"}
            escaping = tree.escaping_link(links)
            if escaping is not None:
                raise SourceError(f"{where}: symbolic link {tree.show(escaping)} points outside the tree "
                                  "(or loops)")
            _write_tar(partial, entries, links, blobs, mtime)
        except (OSError, ValueError, tarfile.TarError) as exc:
            run.kill()
            run.finish()
            log.info("export of %s failed: %s", redact(target.source), exc)
            raise SourceError(f"{redact(target.source)} at {commit[:12]}: its tree cannot be exported"
                              + (f" within {policy.clone_timeout:g} s" if run.timed_out else "")) from exc
        blobs.stdin.close()
        run.finish()


def _write_tar(partial: Path, entries: list[tree.Entry], links: dict[bytes, bytes], blobs: _Blobs,
               mtime: int) -> None:
    """Write directories, files and links in tree order; file bytes stream from git."""
    made: set[bytes] = set()
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as tar:
        for entry in entries:
            parts = entry.path.split(b"/")
            for depth in range(1, len(parts)):
                directory = b"/".join(parts[:depth])
                if directory not in made:
                    made.add(directory)
                    tar.addfile(_info(directory, tarfile.DIRTYPE, 0o755, mtime))
            if entry.mode == "120000":
                info = _info(entry.path, tarfile.SYMTYPE, 0o777, mtime)
                info.linkname = os.fsdecode(links[entry.path])
                tar.addfile(info)
                continue
            info = _info(entry.path, tarfile.REGTYPE, 0o755 if entry.mode == "100755" else 0o644, mtime)
            info.size = blobs.open(entry.oid)
            if info.size != entry.size:
                raise OSError(f"{entry.oid}: {info.size} bytes, the tree said {entry.size}")
            tar.addfile(info, blobs.stdout)
            blobs.end()


def _info(path: bytes, kind: bytes, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(os.fsdecode(path))
    info.type, info.mode, info.mtime = kind, mode, mtime
    return info
