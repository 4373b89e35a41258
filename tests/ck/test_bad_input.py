"""Bad repositories: every defect is reported with its file, and indexing goes on."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ae.ck import CkIndex, read_repo
from ae.errors import CkError

from .ckrepo import RepoWriter, uid, write_json


def _messages(index: CkIndex) -> dict[str, str]:
    return {str(p.path): p.message for p in index.problems}


def test_missing_descriptor_is_an_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(CkError, match=r"not a CK repository \(no \.ckr\.json\)") as err:
        CkIndex.build([tmp_path])
    assert str(tmp_path) in str(err.value)


def test_invalid_descriptor_is_a_problem_and_the_directory_name_stands_in(tmp_path: Path) -> None:
    repo = tmp_path / "odd-repo"
    repo.mkdir()
    (repo / ".ckr.json").write_text("{not json", encoding="utf-8")
    index = CkIndex.build([repo])
    assert index.repos[0].alias == "odd-repo"
    assert "not valid JSON (line 1" in _messages(index)[str(repo / ".ckr.json")]
    with pytest.raises(CkError, match="not valid JSON"):
        read_repo(repo)
    write_json(repo / ".ckr.json", {"data_alias": "odd", "data_uid": "nope"})
    assert "'nope' is not a 16-hex-digit UID" in _messages(CkIndex.build([repo]))[
        str(repo / ".ckr.json")]


def test_every_problem_is_collected_in_one_pass(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "bad")
    w.entry("program", "good", {"tags": ["ok"]})
    w.entry("program", "broken", raw_meta=b'{"tags": [')
    w.entry("program", "bom", raw_meta=b'\xef\xbb\xbf{"tags": ["x"]}')
    w.entry("program", "latin1", raw_meta=b'{"tags": ["caf\xe9"]}')
    w.entry("program", "huge", raw_meta=b'{"pad": "' + b"x" * (4 * 1024 * 1024 + 10) + b'"}')
    w.entry("program", "empty", None)
    w.entry("program", "bad-uid", {"tags": []}, entry_uid="12345")
    w.entry("program", "no-back", {"tags": []}, alias_u=False)
    index = CkIndex.build([w.root], verify_aliases=True)
    got = _messages(index)
    cm = w.root / "program"
    assert "not valid JSON (line 1, column 11" in got[str(cm / "broken/.cm/meta.json")]
    assert "Unexpected UTF-8 BOM" in got[str(cm / "bom/.cm/meta.json")]  # as CK: no BOM
    assert "not UTF-8" in got[str(cm / "latin1/.cm/meta.json")]
    assert "larger than the 4 MiB limit" in got[str(cm / "huge/.cm/meta.json")]
    assert "neither .cm/meta.json nor .cm/data.json" in got[str(cm / "empty")]
    assert "not a 16-hex-digit UID" in got[str(cm / ".cm/alias-a-bad-uid")]
    assert "is missing" in got[str(cm / ".cm/alias-a-no-back")]
    # the rest is still indexed; broken entries are listed (like ck list) but never searched
    assert [e.uoa for e in index.search("program", ["ok"])] == ["good"]
    assert len(index.list("program:*")) == 8
    with pytest.raises(CkError, match=r"huge/\.cm/meta\.json: is larger than"):
        index.load("program:huge")


def test_inconsistent_and_duplicate_aliases(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "dups")
    first = uid()
    w.entry("program", "shared-name", {"tags": []}, entry_uid=first)
    other = uid()
    (w.root / "program" / ".cm" / f"alias-u-{other}").write_text("shared-name\n")
    liar = uid()
    w.entry("program", "liar", {"tags": []}, entry_uid=liar)
    (w.root / "program" / ".cm" / f"alias-u-{liar}").write_text("someone-else\n")
    twin = w.entry("program", "twin", {"tags": []}, entry_uid=first, alias_u=False)
    index = CkIndex.build([w.root], verify_aliases=True)
    got = _messages(index)
    cm = w.root / "program" / ".cm"
    assert "duplicate alias" in got[str(cm / f"alias-u-{other}")]
    assert "inconsistent alias files" in got[str(cm / f"alias-u-{liar}")]
    assert f"UID {first} is also used by" in got[str(twin)]


def test_symlinks_out_of_the_repository_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "entry" / ".cm").mkdir(parents=True)
    write_json(outside / "entry" / ".cm" / "meta.json", {"tags": ["secret"]})
    (outside / "passwd").write_text('{"tags": ["secret"]}')
    w = RepoWriter(tmp_path / "r", "links")
    w.entry("program", "fine", {"tags": ["ok"]})
    mod = w.root / "program"
    os.symlink(outside / "entry", mod / "linked-entry")
    w.alias_files(mod, "linked-entry", uid())
    meta_link = w.entry("program", "meta-link", None)
    os.symlink(outside / "passwd", meta_link / ".cm" / "meta.json")
    cm_link = mod / "cm-link"
    cm_link.mkdir()
    os.symlink(outside / "entry" / ".cm", cm_link / ".cm")
    w.alias_files(mod, "cm-link", uid())
    os.symlink(outside, w.root / "linked-module")
    w.alias_files(w.root, "linked-module", uid())
    escape = uid()
    (mod / escape).mkdir()
    (mod / ".cm" / f"alias-u-{escape}").write_text("../../outside/entry\n")
    inside = w.entry("program", "inner-target", {"tags": ["inner"]})
    os.symlink(inside, mod / "inner-link")
    w.alias_files(mod, "inner-link", uid())

    index = CkIndex.build([w.root])
    text = "\n".join(str(p) for p in index.problems)
    assert f"{mod / 'linked-entry'}: is a symbolic link that leaves the repository" in text
    assert f"{meta_link / '.cm' / 'meta.json'}: is a symbolic link that leaves" in text
    assert f"{cm_link / '.cm'}: is a symbolic link that leaves" in text
    assert f"{w.root / 'linked-module'}: is a symbolic link that leaves" in text
    assert "not a directory name" in text
    assert all("secret" not in e.tags for e in index.entries())
    # lookups by name refuse the link too, rather than read what lies outside
    with pytest.raises(CkError, match="leaves the repository"):
        index.load("program:linked-entry")
    assert index.list("program:linked-entry") == []
    # a link that stays inside the repository is followed
    assert {e.uoa for e in index.search("program", ["inner"])} == {"inner-target", "inner-link"}


def test_a_fifo_where_meta_should_be_does_not_hang(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "fifo")
    entry = w.entry("program", "pipe", None)
    os.mkfifo(entry / ".cm" / "meta.json")
    result: list[CkIndex] = []
    worker = threading.Thread(target=lambda: result.append(CkIndex.build([w.root])), daemon=True)
    worker.start()
    worker.join(10)
    assert result, "indexing hung on a FIFO"
    assert str(entry / ".cm" / "meta.json") in _messages(result[0])


def test_meta_nested_past_the_recursion_limit_is_a_problem(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "deep")
    entry = w.entry("program", "nested", raw_meta=b"[" * 100_000 + b"]" * 100_000)
    index = CkIndex.build([w.root])
    assert _messages(index)[str(entry / ".cm" / "meta.json")] == \
        "nests arrays or objects too deeply to be read"


def test_load_errors_name_the_cid(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "loads")
    w.entry("program", "x", {"tags": []})
    index = CkIndex.build([w.root])
    with pytest.raises(CkError, match="'program:nope' was not found"):
        index.load("program:nope")
    with pytest.raises(CkError, match="must look like module:data"):
        index.load("a:b:c:d")
    with pytest.raises(CkError, match="wildcards"):
        index.load("program:x*")
    with pytest.raises(CkError, match="names a module"):
        index.load("program:x", module="program")
    assert index.load("x", module="program").uoa == "x"
