"""Seeded random CK repositories (every quirk mixed) compared with the original `ck`."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from ae.ck import CkEntry, CkIndex
from ae.errors import CkError

from .ckrepo import RepoWriter
from .oracle import MISSING, CkOracle, available, rows

pytestmark = pytest.mark.skipif(not available(), reason=MISSING)

NAMES = ["alpha", "beta", "beta-2", "gamma.x", "Delta", "eps_1", "zeta"]
TAGS = ["a", "b", "c", "A", "lang-c"]
MODULES = ["program", "dataset", "soft", "mod.x"]


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _entry(w: RepoWriter, rng: random.Random, module: str, name: str) -> None:
    kind = rng.choice(["plain"] * 8 + ["data.json", "none", "bad", "string-tags", "uid-only",
                                       "upper-uid", "no-alias-a", "no-alias-u", "junk-uid",
                                       "redirect", "no-cm"])
    meta = {"tags": rng.sample(TAGS, rng.randint(0, 3))}
    if kind == "plain":
        w.entry(module, name, meta)
    elif kind == "data.json":
        w.entry(module, name, meta, meta_name="data.json")
    elif kind == "none":
        w.entry(module, name, None)
    elif kind == "bad":
        w.entry(module, name, raw_meta=b'{"tags": ["a"')
    elif kind == "string-tags":
        w.entry(module, name, {"tags": ",".join(meta["tags"])})
    elif kind == "uid-only":
        w.entry(module, None, meta, entry_uid=_hex(rng))
    elif kind == "upper-uid":
        w.entry(module, None, meta, entry_uid=_hex(rng).upper())
    elif kind == "no-alias-a":
        w.entry(module, name, meta, alias_a=False)
    elif kind == "no-alias-u":
        w.entry(module, name, meta, alias_u=False)
    elif kind == "junk-uid":
        w.entry(module, name, meta, entry_uid=rng.choice(["x", "12", "", "zzzzzzzzzzzzzzzz"]))
    elif kind == "redirect":
        target = w.entry(module, name, meta)
        stray = _hex(rng)
        (target.parent / stray / ".cm").mkdir(parents=True)
        w.alias_files(target.parent, rng.choice([name, "missing-dir"]), stray, a=False)
    else:
        (w.root / module / name).mkdir(parents=True, exist_ok=True)
        w.alias_files(w.root / module, name, _hex(rng))


def _repo(base: Path, rng: random.Random, alias: str) -> RepoWriter:
    w = RepoWriter(base / alias, alias)
    for module in rng.sample(MODULES, 3):
        how = rng.choice(["aliased"] * 4 + ["uid-named", "unaliased"])
        if how == "aliased":
            w.module(module, rng.choice([_hex(rng), "b0ac08fe1d3c2615"]))
        elif how == "uid-named":
            module = _hex(rng)
            w.module(module, module, aliased=False)
        else:
            w.module(module, aliased=False)
        for name in rng.sample(NAMES, rng.randint(2, 6)):
            _entry(w, rng, module, name)
    return w


def _ours(entries: list[CkEntry], uids: set[str]) -> set[tuple[str, ...]]:
    return {(e.repo_alias, e.module, e.uoa, e.uid, os.path.realpath(e.path))
            for e in entries if e.repo_uid in uids}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_repositories_match_ck(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    repos = [_repo(tmp_path, rng, f"rand-{seed}-{n}") for n in range(2)]
    oracle = CkOracle(tmp_path / "home")
    oracle.register(*[r.root for r in repos])
    by_uid = {r.uid: r.root for r in repos}
    index = CkIndex.build([by_uid[u] for u in oracle.repo_order() if u in by_uid])
    uids = set(by_uid)
    listed = index.list("*:*:*")
    names = sorted({e.uoa for e in listed} | set(NAMES))
    modules = sorted({e.module for e in listed} | set(MODULES) | {"b0ac08fe1d3c2615"})
    patterns = ["*:*:*", "*:*", "rand-*:*:*", "*:*:?e*", "*:*:*a", "????????????????:*"]
    patterns += [f"{m}:*" for m in modules] + [f"*:{n}" for n in names]
    patterns += [f"{rng.choice(modules)}:{rng.choice(names)}" for _ in range(10)]
    searches = [(m, ",".join(rng.sample(TAGS, rng.randint(0, 2)))) for m in modules + ["*"]]
    loads = [f"{rng.choice(modules)}:{rng.choice(names)}" for _ in range(15)]
    loads += [f"{e.module}:{e.uid}" for e in listed[:8]] + [e.cid for e in listed[:8]]
    answers = oracle.batch(
        [{"action": "list", "cid": p, "time_out": "-1"} for p in patterns]
        + [{"action": "search", "cid": m, "tags": t, "time_out": "-1"} for m, t in searches]
        + [{"action": "load", "cid": c} for c in loads])
    it = iter(answers)
    for pattern in patterns:
        assert _ours(index.list(pattern), uids) == rows(next(it)["lst"], uids), pattern
    for module, tags in searches:
        wanted = tags.split(",") if tags else []
        got = _ours(index.search(module, wanted), uids)
        assert got == rows(next(it)["lst"], uids), (module, tags)
    for cid in loads:
        answer = next(it)
        if answer["return"] == 0 and answer.get("repo_uid") in uids:
            entry = index.load(cid)
            assert (os.path.realpath(entry.path), entry.uid, entry.meta) == (
                os.path.realpath(answer["path"]), answer["data_uid"], answer["dict"]), cid
        elif answer["return"] != 0:
            with pytest.raises(CkError):
                index.load(cid)
