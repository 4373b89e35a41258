"""Exporting a pinned commit: caps checked before anything is written, a byte-identical snapshot."""

from __future__ import annotations

import inspect
import os
import stat
import subprocess
import sys
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ae.errors import SourceError
from ae.files import trees
from ae.intake import pin as git_source
from ae.intake import snapshot
from ae.intake.policy import SourcePolicy
from ae.intake.snapshot import Caps

LOCAL = SourcePolicy(allow_local=True)
Git = Callable[..., str]
MakeRepo = Callable[[Path, dict[str, bytes | str]], str]


def _written() -> int:
    """Bytes this thread has written so far (the export tar is written by it; git's output is not)."""
    with open(f"/proc/self/task/{threading.get_native_id()}/io") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("wchar:"))


def _commit_tree(git: Git, repo: Path, tree: str) -> str:
    commit = git("commit-tree", tree, "-m", "crafted", cwd=repo)
    git("update-ref", "refs/heads/main", commit, cwd=repo)
    return commit


def _mktree(git: Git, repo: Path, entries: list[tuple[str, str, str, str]]) -> str:
    text = "".join(f"{mode} {kind} {oid}\t{name}\n" for mode, kind, oid, name in entries)
    return git("mktree", cwd=repo, stdin=text.encode())


def _refused(source: str, dest: Path, policy: SourcePolicy = LOCAL) -> str:
    """Pin and expect a refusal; check nothing stays in `dest` and little was written; the message."""
    before = _written()
    with pytest.raises(SourceError) as info:
        git_source.pin(source, None, dest, policy=policy)
    assert _written() - before < 1 << 20, "refused before anything large was written"
    assert os.listdir(dest) == [], "no clone, tar or partial file stays in incoming/"
    return str(info.value)


@pytest.fixture
def bare(tmp_path: Path, git: Git) -> Path:
    """An empty repository to craft trees in."""
    repo = tmp_path / "crafted"
    git("init", "-q", "-b", "main", str(repo))
    return repo


def test_a_tree_bomb_is_refused_before_export(tmp_path: Path, git: Git, bare: Path) -> None:
    blob = git("hash-object", "-w", "--stdin", cwd=bare, stdin=b"x" * 1024)
    tree = _mktree(git, bare, [("100644", "blob", blob, f"f{i}") for i in range(10)])
    for _ in range(6):  # 10**7 files of 1 KiB from a repository of a few KiB
        tree = _mktree(git, bare, [("040000", "tree", tree, f"d{i}") for i in range(10)])
    commit = _commit_tree(git, bare, tree)
    message = _refused(str(bare), tmp_path / "incoming")
    assert message == (f"source refused: {bare} at {commit[:12]}: it holds more than 100000 files "
                       "(AE_SNAPSHOT_MAX_FILES)")


def test_a_byte_bomb_is_refused_before_export(tmp_path: Path, git: Git, bare: Path) -> None:
    blob = git("hash-object", "-w", "--stdin", cwd=bare, stdin=bytes(1 << 20))
    tree = _mktree(git, bare, [("100644", "blob", blob, f"f{i:04}") for i in range(3000)])
    commit = _commit_tree(git, bare, tree)
    message = _refused(str(bare), tmp_path / "incoming")
    assert message == (f"source refused: {bare} at {commit[:12]}: its files hold more than {2 << 30} "
                       "bytes (AE_SNAPSHOT_MAX_BYTES)")


def test_a_1200_level_tree_is_refused_cleanly(tmp_path: Path, git: Git, bare: Path) -> None:
    stream = ("commit refs/heads/main\ncommitter a <a@ae.invalid> 0 +0000\ndata 4\ndeep\n"
              f"M 100644 inline {'d/' * 1200}f\ndata 3\nhi\n\n")
    git("fast-import", "--quiet", cwd=bare, stdin=stream.encode())
    commit = git("rev-parse", "main", cwd=bare)
    message = _refused(str(bare), tmp_path / "incoming")
    path = "d/" * 1200 + "f"
    shown = repr(path[:40] + "…" + path[-30:])
    assert message == (f"source refused: {bare} at {commit[:12]}: {shown} is 1201 levels deep, past the "
                       "cap of 64 (AE_SNAPSHOT_MAX_DEPTH)")


def test_the_depth_cap_is_a_setting(tmp_path: Path, make_repo: MakeRepo) -> None:
    make_repo(tmp_path / "src", {"a/b/c/d.txt": "deep", "top.txt": "top"})
    shallow = SourcePolicy(allow_local=True, caps=Caps(max_depth=3))
    assert "'a/b/c/d.txt' is 4 levels deep, past the cap of 3 (AE_SNAPSHOT_MAX_DEPTH)" in \
        _refused(str(tmp_path / "src"), tmp_path / "in", shallow)
    deep_enough = SourcePolicy(allow_local=True, caps=Caps(max_depth=4))
    assert git_source.pin(str(tmp_path / "src"), None, tmp_path / "in", policy=deep_enough).tar_path.is_file()


@pytest.mark.parametrize("links", [
    {"escape": "../outside"},
    {"abs": "/etc/passwd"},
    {"deep": "a/../../outside"},
    # resolved lexically "a" stays inside; through the link x/up it leaves the tree
    {"a": "x/up/..", "x/up": ".."},
    {"loop1": "loop2", "loop2": "loop1"},
])
def test_links_out_of_the_tree_are_refused(tmp_path: Path, git: Git, bare: Path,
                                           links: dict[str, str]) -> None:
    entries = [("100644", "blob", git("hash-object", "-w", "--stdin", cwd=bare, stdin=b"ok"), "file")]
    nested: dict[str, list[tuple[str, str, str, str]]] = {}
    for path, target in links.items():
        blob = git("hash-object", "-w", "--stdin", cwd=bare, stdin=target.encode())
        folder, _, name = path.rpartition("/")
        (nested.setdefault(folder, []) if folder else entries).append(("120000", "blob", blob, name))
    for folder, inner in nested.items():
        entries.append(("040000", "tree", _mktree(git, bare, inner), folder))
    _commit_tree(git, bare, _mktree(git, bare, entries))
    assert "points outside the tree (or loops)" in _refused(str(bare), tmp_path / "incoming")


def test_a_submodule_is_refused_by_name(tmp_path: Path, git: Git, bare: Path) -> None:
    blob = git("hash-object", "-w", "--stdin", cwd=bare, stdin=b"ok")
    tree = _mktree(git, bare, [("100644", "blob", blob, "file"),
                               ("160000", "commit", "1" * 40, "vendor")])
    _commit_tree(git, bare, tree)
    assert "it has a submodule at 'vendor', and submodules are not fetched" in \
        _refused(str(bare), tmp_path / "incoming")


def test_the_snapshot_is_byte_identical_to_the_commit(tmp_path: Path, git: Git, make_repo: MakeRepo) -> None:
    src = tmp_path / "src"
    make_repo(src, {
        ".gitattributes": ("version.txt export-subst\nignored/ export-ignore\nsecret.txt export-ignore\n"
                           "*.crlf text eol=crlf\nid.c ident\n*.lfs filter=lfs\n"),
        "version.txt": "commit $Format:%H$ of $Format:%cd$\n",
        "ignored/data.txt": "still evaluated\n",
        "secret.txt": "kept\n",
        "lines.crlf": "one\ntwo\n",
        "id.c": "/* $Id$ */\n",
        "big.lfs": "not a pointer\n",
        "bin/run.sh": "#!/bin/sh\necho ok\n",
        "blob.bin": bytes(range(256)) * 64,
        "d/e/f.txt": "nested\n",
        "caf\xe9.txt": "latin name\n",
    })
    (src / "bin" / "run.sh").chmod(0o755)
    os.symlink("d/e/f.txt", src / "link")
    git("add", "-A", cwd=src)
    git("commit", "-qm", "exec bit and a link", cwd=src)
    commit = git("rev-parse", "HEAD", cwd=src)
    pinned = git_source.pin(str(src), None, tmp_path / "in", policy=LOCAL)
    assert pinned.commit == commit
    snap = snapshot.store(pinned.tar_path, tmp_path / "store")
    listed = [n for n in git("ls-tree", "-r", "-z", "--name-only", commit, cwd=src).split("\0") if n]
    stored = sorted(os.path.relpath(os.path.join(d, n), snap.tree)
                    for d, _, names in os.walk(snap.tree) for n in names)
    assert stored == sorted(listed)
    for name in listed:
        path = snap.tree / name
        if path.is_symlink():
            assert os.readlink(path) == git("cat-file", "blob", f"{commit}:{name}", cwd=src)
            continue
        assert path.read_bytes() == _blob(src, commit, name), name
    assert (snap.tree / "version.txt").read_text() == "commit $Format:%H$ of $Format:%cd$\n"
    assert (snap.tree / "lines.crlf").read_bytes() == b"one\ntwo\n"
    assert (snap.tree / "id.c").read_text() == "/* $Id$ */\n"
    assert (snap.tree / "bin" / "run.sh").stat().st_mode & stat.S_IXUSR
    assert not (snap.tree / "blob.bin").stat().st_mode & stat.S_IXUSR


def _blob(repo: Path, commit: str, name: str) -> bytes:
    """The bytes of a file of a commit, as git stores them."""
    return subprocess.run(["git", "cat-file", "blob", f"{commit}:{name}"], cwd=repo, check=True,
                          capture_output=True).stdout


def test_a_failed_export_leaves_nothing(tmp_path: Path, make_repo: MakeRepo,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(tmp_path / "src", {f"f{i}.txt": "x" * 10_000 for i in range(20)})
    real_open = git_source._Blobs.open
    calls = {"n": 0}

    def failing_open(self: git_source._Blobs, oid: str) -> int:
        calls["n"] += 1
        if calls["n"] > 10:  # half the files are in the partial tar
            raise OSError("disk trouble")
        return real_open(self, oid)

    monkeypatch.setattr(git_source._Blobs, "open", failing_open)
    with pytest.raises(SourceError, match="its tree cannot be exported"):
        git_source.pin(str(tmp_path / "src"), None, tmp_path / "in", policy=LOCAL)
    assert os.listdir(tmp_path / "in") == []


def test_unpack_and_removal_need_no_recursion(tmp_path: Path) -> None:
    levels = 300
    tar_path = tmp_path / "deep.tar"
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as archive:
        for depth in range(1, levels + 1):
            info = tarfile.TarInfo("/".join(["d"] * depth))
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(info)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)  # a recursive walk of 300 levels would fail
    try:
        tree = snapshot.unpack(tar_path, tmp_path / "tree", caps=Caps(max_depth=levels))
        assert (tree / "/".join(["d"] * levels)).is_dir()
        assert not (tree / "/".join(["d"] * levels)).stat().st_mode & stat.S_IWUSR, "read-only"
        trees.remove_tree(tree)
    finally:
        sys.setrecursionlimit(limit)
    assert not tree.exists()
    with pytest.raises(SourceError, match=f"{levels} levels deep exceed the cap of 64"):
        snapshot.unpack(tar_path, tmp_path / "tree2")
    assert sorted(p.name for p in tmp_path.glob("tree*")) == [], "no partial tree stays"
