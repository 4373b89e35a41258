"""Index behaviour of our own: cache per snapshot digest, search order over repo_deps, typed errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ae.ck import CkIndex, search_order
from ae.ck.meta import DatasetMeta, Dependency, ProgramMeta
from ae.errors import CkError

from .ckrepo import RepoWriter


@pytest.fixture
def repo(tmp_path: Path) -> RepoWriter:
    w = RepoWriter(tmp_path / "r", "cached")
    w.entry("program", "one", {"tags": ["a", "b"]})
    w.entry("program", "two", {"tags": ["a"]})
    return w


def test_cache_is_used_for_the_same_digest(repo: RepoWriter, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = CkIndex.build([repo.root], cache_dir=cache, cache_key="sha256:abc")
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].name.startswith("ck-index-")
    # the snapshot is immutable in real use; changing it here proves the cache answered
    repo.entry("program", "three", {"tags": ["a"]})
    again = CkIndex.build([repo.root], cache_dir=cache, cache_key="sha256:abc")
    assert [e.uoa for e in again.search("program", ["a"])] == ["one", "two"]
    assert [e.cid for e in again.entries()] == [e.cid for e in first.entries()]
    fresh = CkIndex.build([repo.root], cache_dir=cache, cache_key="sha256:def")
    assert [e.uoa for e in fresh.search("program", ["a"])] == ["one", "three", "two"]


def test_invalid_cache_is_rebuilt(repo: RepoWriter, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    CkIndex.build([repo.root], cache_dir=cache, cache_key="k1")
    (cache_file,) = cache.iterdir()
    for junk in ("{broken", json.dumps({"format": 999}), json.dumps({"format": 1, "paths": []}),
                 json.dumps({"format": 1, "paths": [str(repo.root)], "scans": [{"x": 1}]})):
        cache_file.write_text(junk)
        index = CkIndex.build([repo.root], cache_dir=cache, cache_key="k1")
        assert [e.uoa for e in index.search("program", ["b"])] == ["one"]
    assert json.loads(cache_file.read_text())["format"] == 1


def test_cache_survives_problems_and_odd_keys(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "probs")
    w.entry("program", "bad", raw_meta=b"[1,")
    cache = tmp_path / "cache"
    built = CkIndex.build([w.root], cache_dir=cache, cache_key="../../etc/passwd")
    loaded = CkIndex.build([w.root], cache_dir=cache, cache_key="../../etc/passwd")
    assert [p.message for p in loaded.problems] == [p.message for p in built.problems]
    assert all(f.parent == cache for f in cache.iterdir())


def test_search_order_follows_repo_deps(tmp_path: Path) -> None:
    env = RepoWriter(tmp_path / "ck-env", "ck-env")
    tuning = RepoWriter(tmp_path / "ck-autotuning", "ck-autotuning", repo_deps=["ck-env"])
    RepoWriter(tmp_path / "unrelated", "unrelated")
    art = RepoWriter(tmp_path / "artifact", "my-artifact",
                     repo_deps=["ck-autotuning", "ck-missing", "ck-env"])
    available = [tmp_path / n for n in ("unrelated", "ck-env", "ck-autotuning")]
    assert search_order(art.root, available) == [art.root, tuning.root, env.root]
    art.entry("program", "shared", {"tags": ["mine"]})
    env.entry("program", "shared", {"tags": ["theirs"]})
    index = CkIndex.build(search_order(art.root, available))
    assert index.load("program:shared").tags == ["mine"]  # first repo in order wins
    assert {e.repo_alias for e in index.list("program:shared")} == {"my-artifact", "ck-env"}
    assert index.repos[0].repo_deps == ("ck-autotuning", "ck-missing", "ck-env")


def test_typed_meta_rejects_wrong_types_naming_the_key() -> None:
    with pytest.raises(CkError, match=r"susan/meta\.json: source_files must be a list"):
        ProgramMeta.from_dict({"source_files": "susan.c"}, "susan/meta.json")
    with pytest.raises(CkError, match=r"run_cmds\.x must be an object"):
        ProgramMeta.from_dict({"run_cmds": {"x": []}}, "m")
    with pytest.raises(CkError, match="meta must be a JSON object"):
        DatasetMeta.from_dict([], "d")  # type: ignore[arg-type]


def test_program_meta_fallbacks_and_dependency_rules() -> None:
    meta = ProgramMeta.from_dict({
        "deps": {"b": {"tags": "lib,xopenme", "sort": 20},
                 "a": {"tags": "compiler, lang-c", "sort": 10, "no_tags": "icc",
                       "or_tags": "gcc;llvm,clang", "version_from": [4, 8]}},
        "run_correctness_output_files": ["out.txt"],
        "run_cmds": {"default": {"run_time": {"run_cmd_main": "$#BIN_FILE#$"}}},
        "run_vars": {"CT_REPEAT_MAIN": 1}, "weird": 1})
    assert list(meta.compile_deps) == ["a", "b"]  # `deps` stands in, sorted by `sort`
    dep: Dependency = meta.compile_deps["a"]
    assert dep.tags == ["compiler", "lang-c"] and dep.no_tags == ["icc"]
    assert dep.or_tags == [["gcc"], ["llvm", "clang"]] and dep.version_from == [4, 8]
    run = meta.run_cmds["default"]
    assert run.run_time.run_correctness_output_files == ["out.txt"]
    assert meta.run_vars == {"CT_REPEAT_MAIN": "1"} and meta.extra == {"weird": 1}
    assert meta.target_file == "a" and meta.compiler_env == "CK_CC" and meta.process_in_tmp


def test_import_pulls_in_no_web_queue_or_db_code() -> None:
    code = ("import sys, ae.ck, ae.ck.meta, ae.ck.flat, ae.ck.experiment; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'rq', 'redis', 'sqlmodel', 'sqlalchemy', 'click')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_working_tree_cache_is_reused_until_anything_it_read_changes(
        repo: RepoWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from ae.ck import index as index_module

    cache = tmp_path / "cache"
    scans: list[Path] = []
    real_scan = index_module.scan_repo
    monkeypatch.setattr(index_module, "scan_repo", lambda repo, *a, **k: scans.append(repo.path) or
                        real_scan(repo, *a, **k))

    def tags() -> dict[str, list[str]]:
        return {e.uoa: e.tags for e in CkIndex.build_cached([repo.root], cache).search("program")}

    assert tags() == {"one": ["a", "b"], "two": ["a"]} and len(scans) == 1
    assert tags() == {"one": ["a", "b"], "two": ["a"]} and len(scans) == 1, "second call: from the cache"
    meta = repo.root / "program" / "one" / ".cm" / "meta.json"
    meta.write_text(meta.read_text().replace('"b"', '"c"'))  # same size, new content
    os.utime(meta, ns=(meta.stat().st_atime_ns, meta.stat().st_mtime_ns + 1_000_000))
    assert tags()["one"] == ["a", "c"] and len(scans) == 2
    repo.entry("program", "three", {"tags": ["z"]})
    assert tags()["three"] == ["z"] and len(scans) == 3
    (repo.root / "program" / ".cm" / "alias-a-two").unlink()
    assert "two" not in tags() and len(scans) == 4
    assert len(list(cache.iterdir())) == 1, "one cache file per set of repositories, rewritten"
