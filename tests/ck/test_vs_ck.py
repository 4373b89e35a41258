"""Our list/search/load answers against the original `ck` on generated repositories with quirks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ae.ck import CkEntry, CkIndex
from ae.errors import CkError

from .ckrepo import RepoWriter, uid
from .oracle import MISSING, CkOracle, available, rows

pytestmark = pytest.mark.skipif(not available(), reason=MISSING)

UPPER_UID = "ABCDEF0123456789"
PROGRAM_UID = "b0ac08fe1d3c2615"
HELLO_UID = "1111222233334444"


def _quirky_repos(base: Path) -> list[RepoWriter]:
    """Two repositories with every layout quirk of ck-format §1 and §9."""
    a = RepoWriter(base / "repo-a", "quirks-a")
    a.module("program", PROGRAM_UID)
    a.entry("program", "hello", {"tags": ["program", "lang-c", "small"]}, entry_uid=HELLO_UID)
    a.entry("program", "Hello-Upper", {"tags": ["program", "Lang-C"]})
    a.entry("program", "old-cm", {"tags": ["program", "lang-c", "cm"]}, meta_name="data.json")
    a.entry("program", None, {"tags": ["program", "uid-only"]})           # UID-named, no alias
    a.entry("program", None, {"tags": ["program", "upper"]}, entry_uid=UPPER_UID)
    a.entry("program", "no-alias-file", {"tags": ["program"]}, alias_a=False)  # skipped
    a.entry("program", "no-meta", None)                                   # list only
    a.entry("program", "bad-json", raw_meta=b'{"tags": ["program",]')     # list only
    a.entry("program", "string-tags", {"tags": "program,lang-c"})          # never tag-matched
    a.entry("program", "no-tags", {"data_name": "x"})
    a.entry("program", "empty-tags", {"tags": []})
    a.entry("program", "junk-uid", {"tags": ["program", "junk"]}, entry_uid="not-a-uid!")
    a.entry("program", "données", {"tags": ["program", "unicode"]})
    a.entry("program", "bad-info", {"tags": ["program", "bad-info"]})
    (a.root / "program" / "bad-info" / ".cm" / "info.json").write_text("{oops", encoding="utf-8")
    # a UID-named directory redirected by alias-u to an aliased one
    target_uid = uid()
    a.entry("program", "redirected", {"tags": ["program", "redirected"]}, entry_uid=target_uid)
    stray = uid()
    (a.root / "program" / stray / ".cm").mkdir(parents=True)
    a.alias_files(a.root / "program", "redirected", stray, a=False)
    # inconsistent alias-u (names another alias)
    inc = uid()
    a.entry("program", "inconsistent", {"tags": ["program", "inc"]}, entry_uid=inc)
    (a.root / "program" / ".cm" / f"alias-u-{inc}").write_text("other\n", encoding="utf-8")
    # not entries: a plain dir, files, .git/.svn
    (a.root / "program" / "plain-dir").mkdir()
    (a.root / "program" / "convert.py").write_text("print(1)\n", encoding="utf-8")
    (a.root / ".git" / "x" / ".cm").mkdir(parents=True)
    (a.root / "program" / ".svn" / ".cm").mkdir(parents=True)
    # datasets and a module that is named by UID only, one without alias files
    a.entry("dataset", "image-pgm-0001", {"tags": ["dataset", "image", "pgm"],
                                          "dataset_files": ["data.pgm"]})
    a.entry("dataset", "image-pgm-0002", {"tags": ["dataset", "image", "pgm", "large"]})
    a.entry("dataset", "text-0001", {"tags": ["dataset", "text"]})
    module_uid = uid()
    a.module(module_uid, module_uid, aliased=False)
    a.entry(module_uid, "in-uid-module", {"tags": ["x"]})
    a.module("unaliased", aliased=False)
    a.entry("unaliased", "lost", {"tags": ["x"]})
    a.entry("dataset.features", "feat-1", {"tags": ["dataset", "features"]})

    b = RepoWriter(base / "repo-b", "quirks-b")
    b.entry("program", "hello", {"tags": ["program", "lang-c", "from-b"]})   # shadowed alias
    b.entry("program", "only-b", {"tags": ["program", "lang-cpp"]})
    b.entry("dataset", "image-pgm-0003", {"tags": ["dataset", "image", "pgm"]})
    b.entry("experiment", "exp-1", {"tags": ["crowdtuning", "tmp"], "points": "1"})
    return [a, b]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[CkOracle, CkIndex, set[str]]:
    base = tmp_path_factory.mktemp("ckworld")
    repos = _quirky_repos(base)
    oracle = CkOracle(base / "home")
    oracle.register(*[r.root for r in repos])
    # our search order = ck's (its registry cache order), so that first-hit answers compare too
    by_uid = {r.uid: r.root for r in repos}
    index = CkIndex.build([by_uid[u] for u in oracle.repo_order() if u in by_uid],
                          verify_aliases=True)
    return oracle, index, {r.uid for r in repos}


def _ours(entries: list[CkEntry]) -> set[tuple[str, ...]]:
    return {(e.repo_alias, e.module, e.uoa, e.uid, os.path.realpath(e.path)) for e in entries}


LIST_PATTERNS = [
    "program", "program:*", "*:*", "*:*:*", "quirks-a:program:*", "quirks-*:*:*", "quirks-b:*:*",
    "program:h*", "program:?ello", "program:*-*", "prog*:*", "data*:image-pgm-000?",
    "dataset.features:*", "*:hello", "program:hello", "program:redirected", "program:no-alias-file",
    "unaliased:*", "program:" + UPPER_UID, "program:" + UPPER_UID.lower(), "program:données",
    "program:bad-json", "nothing:*", "quirks-a:*:*-tags", PROGRAM_UID + ":*",
    "program:" + HELLO_UID, "*:" + HELLO_UID, "????????????????:*", "*:????????????????",
    "quirks-?:program:hello", "1*:*:*",
]


def test_list_matches_ck(world: tuple[CkOracle, CkIndex, set[str]]) -> None:
    oracle, index, uids = world
    answers = oracle.batch([{"action": "list", "cid": p, "time_out": "-1"}
                            for p in LIST_PATTERNS])
    for pattern, answer in zip(LIST_PATTERNS, answers, strict=True):
        assert answer["return"] == 0, (pattern, answer)
        assert _ours(index.list(pattern)) == rows(answer["lst"], uids), pattern


SEARCHES = [
    ("program", ""), ("program", "program"), ("program", "lang-c"), ("program", "Lang-C"),
    ("program", "program,lang-c"), ("program", "lang-c,program"), ("program", "lang-c, small"),
    ("program", "uid-only"), ("program", "upper"), ("program", "redirected"),
    ("program", "program,nothing"), ("dataset", "image,pgm"), ("dataset", "dataset"),
    ("dataset", "image,pgm,large"), ("*", "program"), ("*", ""), ("experiment", "tmp"),
    ("program", "unicode"), ("program", "junk"), ("program", "bad-info"), ("data*", "dataset"),
]


def test_search_matches_ck(world: tuple[CkOracle, CkIndex, set[str]]) -> None:
    oracle, index, uids = world
    queries = [{"action": "search", "cid": m, "tags": t, "time_out": "-1"} for m, t in SEARCHES]
    answers = oracle.batch(queries)
    for (module, tags), answer in zip(SEARCHES, answers, strict=True):
        assert answer["return"] == 0, (module, tags, answer)
        wanted = [t.strip() for t in tags.split(",")] if tags else []
        assert _ours(index.search(module, wanted)) == rows(answer["lst"], uids), (module, tags)


LOADS = [
    "program:hello", "quirks-a:program:hello", "quirks-b:program:hello", PROGRAM_UID + ":only-b",
    "program:only-b", "program:old-cm",
    "program:données", "dataset:image-pgm-0003", "program:" + UPPER_UID,
    "program:no-alias-file", "program:no-meta", "program:bad-json", "program:bad-info",
    "program:missing", "quirks-a:program:only-b", "program:redirected", "program:inconsistent",
    PROGRAM_UID + ":hello", "program:" + HELLO_UID, "quirks-a:" + PROGRAM_UID + ":" + HELLO_UID,
]


def test_load_matches_ck(world: tuple[CkOracle, CkIndex, set[str]]) -> None:
    oracle, index, _ = world
    answers = oracle.batch([{"action": "load", "cid": cid} for cid in LOADS])
    for cid, answer in zip(LOADS, answers, strict=True):
        if answer["return"] == 0:
            entry = index.load(cid)
            assert os.path.realpath(entry.path) == os.path.realpath(answer["path"]), cid
            assert entry.uid == answer["data_uid"], cid
            assert entry.meta == answer["dict"], cid
        else:
            with pytest.raises(CkError) as err:
                index.load(cid)
            assert cid in str(err.value)


def test_ck_command_line_agrees(world: tuple[CkOracle, CkIndex, set[str]]) -> None:
    oracle, index, _ = world
    out = oracle.ck("search", "dataset", "--tags=image,pgm", "--time_out=-1").stdout
    printed = {line.strip() for line in out.splitlines() if line.strip()}
    assert printed == {e.cid for e in index.search("dataset", ["image", "pgm"])}


def test_problems_name_every_defect(world: tuple[CkOracle, CkIndex, set[str]]) -> None:
    _, index, _ = world
    text = "\n".join(str(p) for p in index.problems)
    for needle in ("no-alias-file", "bad-json", "not valid JSON", "no-meta", "bad-info",
                   "not-a-uid!", "alias-u-", "unaliased", "inconsistent"):
        assert needle in text, needle
