"""Archive intake: real tar and zip files made here, stored as uploads, taken in like a commit; each
hostile archive refused with its own sentence and nothing half-written in the data dir."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import stat
import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ae.errors import AeError, SourceError, UploadTooLarge
from ae.intake import tree
from ae.intake.archive import fetch_archive, store_upload
from ae.intake.policy import check, judge, policy_from_config
from ae.intake.snapshot import Caps
from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import resubmit, submit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Entry = tuple[str, str, bytes, int]  # (kind, name, data or link target, mode)


def file(name: str, data: bytes = b"hi\n", mode: int = 0o644) -> Entry:
    return ("file", name, data, mode)


def folder(name: str) -> Entry:
    return ("dir", name, b"", 0o755)


def symlink(name: str, target: str) -> Entry:
    return ("symlink", name, target.encode(), 0o777)


def hardlink(name: str, target: str) -> Entry:
    return ("hardlink", name, target.encode(), 0o644)


def special(name: str, kind: str) -> Entry:
    return (kind, name, b"", 0o644)


_TAR_TYPES = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
              "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}


def make_tar(path: Path, *entries: Entry, compression: str = "gz", mtime: int = 1_700_000_000) -> Path:
    """Write a tar (plain, gz, xz or bz2) holding exactly `entries`, in order."""
    with tarfile.open(path, f"w:{compression}", format=tarfile.PAX_FORMAT) as tar:
        for kind, name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.mode, info.mtime = mode, mtime
            if kind == "file":
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = _TAR_TYPES[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = data.decode()
            tar.addfile(info)
    return path


_ZIP_MODES = {"file": stat.S_IFREG, "dir": stat.S_IFDIR, "symlink": stat.S_IFLNK, "fifo": stat.S_IFIFO,
              "chr": stat.S_IFCHR}


def make_zip(path: Path, *entries: Entry) -> Path:
    """Write a zip holding exactly `entries` (unix mode bits in the external attributes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of duplicate names
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for kind, name, data, mode in entries:
                info = zipfile.ZipInfo(name + ("/" if kind == "dir" else ""), (2023, 11, 14, 22, 13, 20))
                info.create_system = 3
                info.external_attr = (_ZIP_MODES[kind] | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return path


def tree_of(root: Path) -> dict[str, Any]:
    """Return {relative path: bytes, ('link', target) or 'dir'} for a snapshot tree, with exec bits."""
    found: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = (path.read_bytes(), bool(path.stat().st_mode & 0o111))
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def take_in(path: Path, store: Path, caps: Caps | None = None) -> Any:
    """Store `path` as an upload and take it in as the intake job does."""
    source = store_upload(path, path.name, store, max_bytes=1 << 30)
    return fetch_archive(source, store_root=store, caps=caps or Caps())


def refusal(path: Path, store: Path, caps: Caps | None = None) -> str:
    """Take in `path`, expecting a refusal; check nothing was left behind; return the sentence."""
    with pytest.raises(SourceError) as caught:
        take_in(path, store, caps)
    assert_clean(store, kept=[path])
    return str(caught.value)


def assert_clean(store: Path, kept: list[Path]) -> None:
    """The store holds the uploads (nothing a user submitted is deleted) and nothing else."""
    left = sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if not p.is_dir())
    assert left == sorted(f"archives/{digest(p)}" for p in kept), left
    assert not (store / "incoming").exists() or os.listdir(store / "incoming") == []


def where(path: Path) -> str:
    return f"source refused: archive {digest(path)[:12]}"


# -- good archives ----------------------------------------------------------------------------

GOOD = (folder("paper-1.0"), file("paper-1.0/README.md", b"# paper\n"),
        file("paper-1.0/run.sh", b"#!/bin/sh\necho hi\n", 0o755), folder("paper-1.0/src"),
        file("paper-1.0/src/a.c", b"int main(void) { return 0; }\n"),
        symlink("paper-1.0/latest", "src/a.c"), hardlink("paper-1.0/src/b.c", "paper-1.0/src/a.c"))
GOOD_TREE = {"README.md": (b"# paper\n", False), "latest": ("link", "src/a.c"),
             "run.sh": (b"#!/bin/sh\necho hi\n", True), "src": "dir",
             "src/a.c": (b"int main(void) { return 0; }\n", False),
             "src/b.c": (b"int main(void) { return 0; }\n", False)}


@pytest.mark.parametrize("compression", ["", "gz", "xz", "bz2"])
def test_a_tar_becomes_a_snapshot_like_a_commit(tmp_path: Path, compression: str) -> None:
    # the name says .zip: the content decides
    archive = make_tar(tmp_path / "paper.zip", *GOOD, compression=compression)
    fetched = take_in(archive, tmp_path / "data")
    assert fetched.commit == "" and len(fetched.digest) == 64
    assert tree_of(fetched.tree) == GOOD_TREE, "top directory stripped, hard link copied, modes kept"
    with tarfile.open(tmp_path / "data" / "snapshots" / f"{fetched.digest}.tar") as stored:
        owners = {(m.uid, m.gid, m.uname, m.mtime) for m in stored.getmembers()}
    assert owners == {(0, 0, "", 1_700_000_000)}
    assert os.listdir(tmp_path / "data" / "incoming") == []


def test_every_tar_compression_gives_the_same_snapshot(tmp_path: Path) -> None:
    digests = {take_in(make_tar(tmp_path / f"p{c}", *GOOD, compression=c), tmp_path / "data").digest
               for c in ("", "gz", "xz", "bz2")}
    assert len(digests) == 1


def test_a_zip_becomes_a_snapshot_with_its_links_and_modes(tmp_path: Path) -> None:
    entries = [e for e in GOOD if e[0] != "hardlink"]
    fetched = take_in(make_zip(tmp_path / "paper.tar.gz", *entries), tmp_path / "data")
    assert tree_of(fetched.tree) == {k: v for k, v in GOOD_TREE.items() if k != "src/b.c"}


def test_two_top_level_names_are_kept(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tgz", file("a/x"), file("b"))
    assert set(tree_of(take_in(archive, tmp_path / "data").tree)) == {"a", "a/x", "b"}


def test_a_deep_tree_within_the_caps_is_taken_in_without_recursion(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "deep.tar.gz", file("d/" * 300 + "f"), file("top"))
    fetched = take_in(archive, tmp_path / "data", Caps(max_depth=400))
    assert (fetched.tree / ("d/" * 300 + "f")).read_bytes() == b"hi\n"


# -- hostile archives: each refused with its rule, nothing half-written ------------------------

def test_path_traversal(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), file("sub/../../evil"))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: 'sub/../../evil' leads out of the archive (a '..' part)"
    archive = make_zip(tmp_path / "a.zip", file("ok"), file("../evil"))
    assert refusal(archive, tmp_path / "data2") == \
        f"{where(archive)}: '../evil' leads out of the archive (a '..' part)"


def test_absolute_path(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar", file("ok"), file("/etc/cron.d/evil"), compression="")
    assert refusal(archive, tmp_path / "data") == f"{where(archive)}: '/etc/cron.d/evil' is an absolute path"


@pytest.mark.parametrize("target", ["../../etc/passwd", "/etc/passwd"])
def test_symlink_out(tmp_path: Path, target: str) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), symlink("out", target))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: symbolic link 'out' points outside the tree (or loops)"


def test_symlink_out_through_another_link(tmp_path: Path) -> None:
    # d/inner -> .. stays inside; d/out -> inner/.. climbs one more level, out of the tree
    entries = (file("ok"), folder("d"), symlink("d/inner", ".."), symlink("d/out", "inner/.."))
    archive = make_tar(tmp_path / "a.tar.gz", *entries)
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: symbolic link 'd/out' points outside the tree (or loops)"
    archive = make_zip(tmp_path / "a.zip", *entries)  # zip links by their unix mode bits
    assert refusal(archive, tmp_path / "data2") == \
        f"{where(archive)}: symbolic link 'd/out' points outside the tree (or loops)"


def test_symlink_loop(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), symlink("a", "b"), symlink("b", "a"))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: symbolic link 'a' points outside the tree (or loops)"


def test_a_file_written_through_a_link(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), folder("sub"), symlink("link", "sub"),
                       file("link/x"))
    assert refusal(archive, tmp_path / "data") == f"{where(archive)}: 'link' is both a file and a directory"


@pytest.mark.parametrize("target", ["/etc/passwd", "../outside", "later"])
def test_hard_link_out(tmp_path: Path, target: str) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), hardlink("h", target), file("later"))
    assert refusal(archive, tmp_path / "data") == (
        f"{where(archive)}: hard link 'h' points to {target!r}, which is not a file before it in the archive")


@pytest.mark.parametrize(("kind", "what"), [("chr", "character device"), ("blk", "block device"),
                                            ("fifo", "FIFO")])
def test_device_and_fifo_members(tmp_path: Path, kind: str, what: str) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"), special("dev", kind))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: 'dev' is a {what}; an archive may hold only files, directories and links"


@pytest.mark.parametrize(("kind", "what"), [("chr", "character device"), ("fifo", "FIFO")])
def test_device_and_fifo_zip_entries(tmp_path: Path, kind: str, what: str) -> None:
    archive = make_zip(tmp_path / "a.zip", file("ok"), special("dev", kind))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: 'dev' is a {what}; an archive may hold only files, directories and links"


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_too_many_files(tmp_path: Path, maker: Any) -> None:
    archive = maker(tmp_path / "many", *(file(f"f{i}") for i in range(7)))
    assert refusal(archive, tmp_path / "data", Caps(max_files=5)) == \
        f"{where(archive)}: it holds more than 5 files (AE_SNAPSHOT_MAX_FILES)"


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_too_many_declared_bytes(tmp_path: Path, maker: Any) -> None:
    archive = maker(tmp_path / "big", file("a", b"\0" * 600), file("b", b"\0" * 600))
    assert refusal(archive, tmp_path / "data", Caps(max_bytes=1000)) == \
        f"{where(archive)}: its files hold more than 1000 bytes (AE_SNAPSHOT_MAX_BYTES)"


def test_zip_bomb_whose_header_lies_about_its_size(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", file("ok"), file("bomb", b"\0" * (4 << 20)))
    data = bytearray(archive.read_bytes())
    local, central = data.rfind(b"PK\x03\x04"), data.rfind(b"PK\x01\x02")
    data[local + 22:local + 26] = data[central + 24:central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    assert refusal(archive, tmp_path / "data", Caps(max_bytes=1000)) == (
        f"{where(archive)}: 'bomb' does not unpack to the size and checksum its header declares (a zip "
        "bomb, or a corrupt archive)")


def test_tar_stream_that_unpacks_past_the_caps(tmp_path: Path) -> None:
    plain = make_tar(tmp_path / "a.tar", file("ok"), compression="")
    archive = tmp_path / "padded.tar.gz"  # a valid tar followed by 4 MiB of zero blocks
    archive.write_bytes(gzip.compress(plain.read_bytes() + b"\0" * (4 << 20)))
    limit = 1000 + 3 * (8 << 10)
    assert refusal(archive, tmp_path / "data", Caps(max_files=2, max_bytes=1000)) == (
        f"{where(archive)}: it unpacks to more than {limit} bytes of files and headers "
        "(AE_SNAPSHOT_MAX_BYTES, AE_SNAPSHOT_MAX_FILES)")


def test_too_deep(tmp_path: Path) -> None:
    name = "/".join(f"d{i}" for i in range(64)) + "/f"  # 65 levels, and no single top directory
    archive = make_tar(tmp_path / "deep.tar.gz", file(name), file("top"))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: {tree.show(name.encode())} is 65 levels deep, past the cap of 64 " \
        "(AE_SNAPSHOT_MAX_DEPTH)"


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_a_1200_level_tree_is_refused_without_recursion(tmp_path: Path, maker: Any) -> None:
    name = "d/" * 1200 + "f"
    archive = maker(tmp_path / "deep", file("top"), file(name))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: {tree.show(name.encode())} is 1201 levels deep, past the cap of 64 " \
        "(AE_SNAPSHOT_MAX_DEPTH)"
    assert refusal(archive, tmp_path / "data2", Caps(max_depth=5000)) == \
        f"{where(archive)}: {tree.show(name.encode())} is longer than 2048 bytes"


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_duplicate_paths(tmp_path: Path, maker: Any) -> None:
    archive = maker(tmp_path / "dup", file("a.txt", b"one"), file("b"), file("./a.txt", b"two"))
    assert refusal(archive, tmp_path / "data") == f"{where(archive)}: 'a.txt' appears twice"


def test_case_clashing_paths(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("src/Main.c"), file("README"), file("readme"))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: 'README' and 'readme' differ only in case (one file on macOS and Windows)"
    archive = make_zip(tmp_path / "a.zip", file("src/Main.c"), file("SRC/x"))  # directories too
    assert refusal(archive, tmp_path / "data2") == \
        f"{where(archive)}: 'SRC' and 'src' differ only in case (one file on macOS and Windows)"


def test_a_git_directory(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("repo/ok"), file("repo/.git/config"))
    assert refusal(archive, tmp_path / "data") == (
        f"{where(archive)}: 'repo/.git/config' is inside a .git directory (pack the files without it, "
        "e.g. with `git archive`, or submit the git URL)")


def test_a_backslash_path(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", file("ok"), file("..\\..\\evil.bat"))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: '..\\\\..\\\\evil.bat' holds a backslash or NUL, which is not a safe path"


def test_a_header_too_large_to_read(tmp_path: Path) -> None:
    archive = tmp_path / "pax.tar.gz"
    with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("ok")
        info.pax_headers = {"comment": "x" * (2 << 20)}  # read whole into memory by tarfile
        tar.addfile(info, io.BytesIO(b""))
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: a member header is larger than 1048576 bytes"


def test_an_encrypted_zip_entry(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", file("ok"), file("secret"))
    data = bytearray(archive.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    archive.write_bytes(bytes(data))
    assert refusal(archive, tmp_path / "data") == f"{where(archive)}: 'secret' is encrypted"


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_an_empty_archive(tmp_path: Path, maker: Any) -> None:
    archive = maker(tmp_path / "empty", folder("only"))
    assert refusal(archive, tmp_path / "data") == f"{where(archive)}: it holds no files"


@pytest.mark.parametrize("name", ["paper.zip", "paper.tar.gz"])
def test_not_an_archive_is_refused_at_upload(tmp_path: Path, name: str) -> None:
    pdf = tmp_path / name
    content = b"%PDF-1.7\n" + os.urandom(4000)
    pdf.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    store = tmp_path / "data"
    with pytest.raises(SourceError) as caught:
        store_upload(pdf, name, store, max_bytes=1 << 20)
    assert str(caught.value) == (f"{name!r} is not a .tar, .tar.gz, .tar.xz, .tar.bz2 or .zip archive "
                                 "(its content decides, not its name)")
    assert_clean(store, kept=[])


def test_a_stored_file_that_is_not_an_archive(tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    (tmp_path / "data" / "archives").mkdir(parents=True)
    shutil.copy(pdf, tmp_path / "data" / "archives" / digest(pdf))
    with pytest.raises(SourceError) as caught:
        fetch_archive(f"archive:{digest(pdf)}", store_root=tmp_path / "data", caps=Caps())
    assert str(caught.value) == \
        f"{where(pdf)}: it is not a .tar, .tar.gz, .tar.xz, .tar.bz2 or .zip archive"


@pytest.mark.parametrize(("compression", "kind"), [("gz", "tar.gz"), ("", "tar"), ("zip", "zip")])
def test_truncated_archive(tmp_path: Path, compression: str, kind: str) -> None:
    entries = (file("a", os.urandom(30_000)), file("b", os.urandom(30_000)))
    whole = make_zip(tmp_path / "w", *entries) if kind == "zip" else \
        make_tar(tmp_path / "w", *entries, compression=compression)
    archive = tmp_path / "cut"
    archive.write_bytes(whole.read_bytes()[:whole.stat().st_size // 2])
    assert refusal(archive, tmp_path / "data") == \
        f"{where(archive)}: the {kind} archive is truncated or corrupt"


def test_the_stored_copy_must_match_its_digest(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"))
    source = store_upload(archive, "a.tar.gz", tmp_path / "data", max_bytes=1 << 20)
    stored = tmp_path / "data" / "archives" / digest(archive)
    os.chmod(stored, 0o644)
    stored.write_bytes(make_tar(tmp_path / "b.tar.gz", file("other")).read_bytes())
    with pytest.raises(SourceError) as caught:
        fetch_archive(source, store_root=tmp_path / "data", caps=Caps())
    assert str(caught.value) == \
        f"{where(archive)}: the stored copy does not match its digest (submit it again)"


# -- uploads ----------------------------------------------------------------------------------

def test_an_upload_is_stored_once_by_digest_read_only(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"))
    store = tmp_path / "data"
    with open(archive, "rb") as stream:
        first = store_upload(stream, "a.tar.gz", store, max_bytes=1 << 20)
    again = store_upload(archive, "again.tgz", store, max_bytes=1 << 20)
    assert first == again == f"archive:{digest(archive)}"
    stored = store / "archives" / digest(archive)
    assert stored.read_bytes() == archive.read_bytes() and not stored.stat().st_mode & 0o222
    assert_clean(store, kept=[archive])


@pytest.mark.parametrize("as_path", [True, False])
def test_an_upload_over_the_cap_is_refused_while_it_streams(tmp_path: Path, as_path: bool) -> None:
    archive = make_tar(tmp_path / "big.tar.gz", file("a", os.urandom(5000)))
    store = tmp_path / "data"
    with pytest.raises(UploadTooLarge) as caught, open(archive, "rb") as stream:
        store_upload(archive if as_path else stream, "big.tar.gz", store, max_bytes=1000)
    assert str(caught.value) == \
        "'big.tar.gz' is larger than the upload cap of 1000 bytes (AE_MAX_UPLOAD_BYTES)"
    assert caught.value.http_status == 413
    assert_clean(store, kept=[])


def test_archive_sources_are_judged_by_their_own_rule(tmp_path: Path) -> None:
    from ae.config import defaults

    web = policy_from_config({**defaults(tmp_path), "SOURCE_ALLOW_LOCAL": True}, web=True)
    source = "archive:" + "ab" * 32
    assert check(f" {source} ", web) == source, "an upload is allowed from the web"
    with pytest.raises(SourceError, match="is a path on the server"):
        check("/srv/repo", web)
    with pytest.raises(SourceError) as caught:
        judge(source, web)  # e.g. a CK repo_deps URL: archives are never fetched as git sources
    assert str(caught.value) == (f"source refused: {source} is not a git URL (an archive is taken in "
                                 "only when it is uploaded with a submission)")


# -- through the service: submission, the real intake job, the CLI ----------------------------

def _status(app: Any) -> dict[str, dict[str, Any]]:
    with app.app_context(), session_scope() as session:
        return {item["title"]: item for item in all_status(session=session)}


def _pi_archive(tmp_path: Path, kind: str) -> Path:
    """Pack examples/pi-python under one top directory, as GitHub and Zenodo archives come."""
    return Path(shutil.make_archive(str(tmp_path / f"pi-{kind}"), kind, EXAMPLES, "pi-python"))


@pytest.mark.slow
def test_a_tar_gz_and_a_zip_are_reproduced_end_to_end(app: Any, tmp_path: Path, burst_worker: Any) -> None:
    uploads = {"tgz": _pi_archive(tmp_path, "gztar"), "zip": _pi_archive(tmp_path, "zip")}
    for title, path in uploads.items():
        with open(path, "rb") as stream:  # as the web hands it over: a stream and a declared name
            submit(conference="ppopp-2019", title=title, archive=stream, archive_name=path.name,
                   badges=["reproduced"])
    burst_worker()
    items = _status(app)
    for title, path in uploads.items():
        item = items[title]
        assert item["status"] == "done", (item["error"], item["runs"])
        assert item["source"] == f"archive:{digest(path)}" and item["commit"] is None
        assert len(item["snapshot"]) == 64 and [r["status"] for r in item["runs"]] == ["succeeded"]
        assert {v["claim"]: v["outcome"] for v in item["verdicts"]} == \
            {"pi": "reproduced", "fast": "not-reproduced"}


@pytest.mark.slow
def test_hostile_archives_fail_intake_with_their_rule(app: Any, tmp_path: Path, burst_worker: Any) -> None:
    cases = {"traversal": make_tar(tmp_path / "t.tar.gz", file(".ckr.json", b"{}"), file("../x")),
             "link": make_zip(tmp_path / "l.zip", file(".ckr.json", b"{}"), symlink("out", "/etc")),
             "cut": tmp_path / "cut.tar.gz"}
    whole = make_tar(tmp_path / "w.tar.gz", file(".ckr.json", b"{}"), file("a", os.urandom(40_000)))
    cases["cut"].write_bytes(whole.read_bytes()[:20_000])
    for title, path in cases.items():
        submit(conference="ppopp-2019", title=title, archive=path)
    burst_worker()
    items = _status(app)
    assert {t: (items[t]["status"], items[t]["error"]) for t in cases} == {
        "traversal": ("failed",
                      f"{where(cases['traversal'])}: '../x' leads out of the archive (a '..' part)"),
        "link": ("failed", f"{where(cases['link'])}: symbolic link 'out' points outside the tree (or loops)"),
        "cut": ("failed", f"{where(cases['cut'])}: the tar.gz archive is truncated or corrupt")}
    assert_clean(Path(app.config["DATA_DIR"]), kept=list(cases.values()))


def test_submissions_take_an_archive_or_a_git_source(app: Any, tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", file("ok"))
    with pytest.raises(SourceError, match="^source refused: an archive is submitted by uploading it"):
        submit(conference="ppopp-2019", title="typed", source=f"archive:{digest(archive)}")
    with pytest.raises(AeError, match="^submit either a git source"):
        submit(conference="ppopp-2019", title="both", source="https://example.org/x.git", archive=archive)
    app.config["MAX_UPLOAD_BYTES"] = 100
    with pytest.raises(UploadTooLarge):
        submit(conference="ppopp-2019", title="big", archive=archive)
    assert _status(app) == {}
    assert_clean(Path(app.config["DATA_DIR"]), kept=[])


def test_resubmitting_an_archive_artifact(app: Any, tmp_path: Path, example_repo: Any) -> None:
    first, second = make_tar(tmp_path / "1.tar.gz", file("one")), make_tar(tmp_path / "2.tar.gz", file("two"))
    ids = submit(conference="ppopp-2019", title="arch", archive=first)
    again = resubmit(artifact_id=ids.artifact_id, archive=second)
    same = resubmit(artifact_id=ids.artifact_id)
    with pytest.raises(SourceError, match="^an archive artifact has no refs"):
        resubmit(artifact_id=ids.artifact_id, ref="main")
    git_ids = submit(conference="ppopp-2019", title="git", source=str(example_repo("pi-python")))
    with pytest.raises(SourceError, match="comes from git: resubmit it with a ref, not an archive$"):
        resubmit(artifact_id=git_ids.artifact_id, archive=second)
    from ae.storage.models import Artifact, ArtifactVersion

    with session_scope() as session:
        assert session.get(Artifact, ids.artifact_id).source == f"archive:{digest(first)}"
        refs = [session.get(ArtifactVersion, v).ref
                for v in (ids.version_id, again.version_id, same.version_id)]
    assert refs == [f"archive:{digest(first)}", f"archive:{digest(second)}", f"archive:{digest(second)}"]


def test_ae_submit_takes_an_archive_file(app: Any, runner: Any, tmp_path: Path) -> None:
    archive = _pi_archive(tmp_path, "gztar")
    result = runner.invoke(["submit", str(archive)])
    assert result.exit_code == 0 and "submitted artifact" in result.output, result.output
    [item] = _status(app).values()
    assert item["title"] == "pi-gztar" and item["source"] == f"archive:{digest(archive)}"
    assert (Path(app.config["DATA_DIR"]) / "archives" / digest(archive)).is_file()
