"""Git intake: pinning commits, exporting snapshots, and every bad source."""

from __future__ import annotations

import tarfile
from pathlib import Path

import git
import pytest

from ae.errors import SourceError
from ae.intake import pin as git_source
from ae.intake import snapshot
from ae.intake.policy import SourcePolicy

LOCAL = SourcePolicy(allow_local=True)


def _repo(path: Path, files: dict[str, str]) -> git.Repo:
    repo = git.Repo.init(path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    repo.git.add(A=True)
    repo.index.commit("c1")
    return repo


def test_pin_head_and_older_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "src", {".ckr.json": "{}", "a.txt": "one"})
    first = repo.head.commit.hexsha
    (tmp_path / "src" / "a.txt").write_text("two")
    repo.git.add(A=True)
    second = repo.index.commit("c2").hexsha

    head = git_source.pin(str(tmp_path / "src"), None, tmp_path / "in", policy=LOCAL)
    assert head.commit == second
    old = git_source.pin(str(tmp_path / "src"), first[:8], tmp_path / "in", policy=LOCAL)
    assert old.commit == first
    with tarfile.open(old.tar_path) as archive:
        assert archive.extractfile("a.txt").read() == b"one"  # type: ignore[union-attr]


def test_snapshot_is_content_addressed_and_read_only(tmp_path: Path) -> None:
    _repo(tmp_path / "src", {".ckr.json": "{}", "d/b.txt": "x"})
    src = str(tmp_path / "src")
    store = tmp_path / "store"
    one = snapshot.store(git_source.pin(src, None, tmp_path / "in", policy=LOCAL).tar_path, store)
    two = snapshot.store(git_source.pin(src, None, tmp_path / "in", policy=LOCAL).tar_path, store)
    assert one.digest == two.digest == snapshot.digest_of(one.tar_path)
    assert (one.tree / "d" / "b.txt").read_text() == "x"
    assert not (one.tree / "d" / "b.txt").stat().st_mode & 0o222
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [one.digest, f"{one.digest}.tar"]


def test_missing_commit_is_named(tmp_path: Path) -> None:
    _repo(tmp_path / "src", {"a": "1"})
    with pytest.raises(SourceError, match="commit 'deadbeefcafe' does not exist"):
        git_source.pin(str(tmp_path / "src"), "deadbeefcafe", tmp_path / "in", policy=LOCAL)
    assert not list((tmp_path / "in").glob("*.tar")), "nothing half-written is left behind"


@pytest.mark.parametrize("source, message", [
    ("/no/such/dir", "no such directory and not a git URL"),
    ("ftp://example.org/x.git", "uses the ftp:// scheme, which is not allowed"),
    ("https://127.0.0.1:9/nothing.git", "resolves to a loopback address"),
])
def test_bad_sources(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as info:
        git_source.pin(source, None, tmp_path / "in", policy=LOCAL)
    assert source.split("/")[-1] in str(info.value)


def test_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(SourceError, match="cannot be cloned"):
        git_source.pin(str(tmp_path / "plain"), None, tmp_path / "in", policy=LOCAL)


def test_hostile_tar_members_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar"
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    with tarfile.open(bad, "w") as archive:
        archive.add(outside, arcname="../escape.txt")
    with pytest.raises(SourceError, match="unsafe member rejected"):
        snapshot.unpack(bad, tmp_path / "tree")
    assert not (tmp_path / "tree").exists() and list(tmp_path.glob("tree.partial*")) == []
    assert not (tmp_path / "escape.txt").exists()


def test_link_pointing_outside_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "link.tar"
    with tarfile.open(bad, "w") as archive:
        info = tarfile.TarInfo("etc-link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/shadow"
        archive.addfile(info)
    with pytest.raises(SourceError, match="unsafe member"):
        snapshot.unpack(bad, tmp_path / "tree")


def test_not_a_tar(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x00\x01 definitely not a tar" * 10)
    with pytest.raises(SourceError, match="not a valid tar archive"):
        snapshot.unpack(junk, tmp_path / "tree")
