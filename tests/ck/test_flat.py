"""CK flat keys and statistics; our run records written as CK experiment points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ae.ck import CkIndex
from ae.ck.experiment import read_experiment, write_point
from ae.ck.flat import flatten, get, parse_key, split_statistic, unflatten, with_statistics
from ae.errors import CkError

from .ckrepo import RepoWriter


def test_flatten_uses_hash_for_dicts_and_at_for_lists() -> None:
    nested = {"characteristics": {"run": {"t": [1, 2], "ok": True}}, "empty": {}, "none": []}
    assert flatten(nested) == {"##characteristics#run#t@0": 1,
                               "##characteristics#run#t@1": 2,
                               "##characteristics#run#ok": True}
    assert flatten(nested, prune=["##characteristics#run#t*"]) == {
        "##characteristics#run#t@0": 1, "##characteristics#run#t@1": 2}


def test_keys_parse_and_resolve() -> None:
    assert parse_key("##a@0#b") == ["a", 0, "b"]
    nested = {"a": [{"b": 5}]}
    assert get(nested, "##a@0#b") == 5
    assert get(nested, "##a@3#b", "missing") == "missing"
    assert get({"##x#min": 1}, "##x#min") == 1
    assert split_statistic("##characteristics#run#execution_time#min") == (
        "##characteristics#run#execution_time", "min")
    assert split_statistic("##choices#cmd_key") == ("##choices#cmd_key", None)
    with pytest.raises(CkError, match="must start with"):
        parse_key("a#b")
    with pytest.raises(CkError, match="not a number"):
        parse_key("##a@x")


JSON = st.recursive(
    st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                            st.dictionaries(st.text("abc_", min_size=1, max_size=4), inner,
                                            min_size=1, max_size=3)),
    max_leaves=12)


@given(st.dictionaries(st.text("xyz", min_size=1, max_size=3), JSON, min_size=1, max_size=4))
def test_unflatten_inverts_flatten(d: dict[str, Any]) -> None:
    def non_empty(v: Any) -> bool:
        if isinstance(v, dict):
            return bool(v) and all(non_empty(x) for x in v.values())
        if isinstance(v, list):
            return bool(v) and all(non_empty(x) for x in v)
        return True
    if non_empty(d):
        assert unflatten(flatten(d)) == d


def test_statistics_over_samples() -> None:
    samples = [{"run": {"t": 2.0, "ok": True, "name": "a"}},
               {"run": {"t": 4.0, "ok": True, "name": "b"}},
               {"run": {"t": 3.0, "ok": False, "name": "a"}}]
    stats = with_statistics(samples)
    assert stats["##run#t#all"] == [2.0, 4.0, 3.0]
    assert stats["##run#t#min"] == 2.0 and stats["##run#t#max"] == 4.0
    assert stats["##run#t#mean"] == 3.0 and stats["##run#t#center"] == 3.0
    assert stats["##run#t#halfrange"] == 1.0 and stats["##run#t#range"] == 2.0
    assert stats["##run#t#range_percent"] == 1.0 and stats["##run#t#repeats"] == 3
    # booleans and strings are not numbers for CK: only #all, #all_unique, #min (first), #repeats
    assert stats["##run#ok#all_unique"] == [True, False] and stats["##run#ok#min"] is True
    assert "##run#ok#max" not in stats and stats["##run#name#min"] == "a"
    zero = with_statistics([{"v": 0}, {"v": 1}])
    assert "##v#range_percent" not in zero  # CK skips it when the minimum is 0


def test_written_point_reads_back_as_ck_does(tmp_path: Path) -> None:
    w = RepoWriter(tmp_path / "r", "results")
    entry_dir = w.entry("experiment", "our-run", {"tags": ["ae"], "points": "1"})
    runs = [{"run": {"execution_time": t, "run_success": "yes"}} for t in (0.5, 0.7, 0.6)]
    uid = write_point(entry_dir, choices={"cmd_key": "corners"}, features={"pool": "x86"},
                      characteristics_list=runs, pipeline_state={"repetitions": 3, "fail": "no"})
    point = read_experiment(CkIndex.build([w.root]).load("experiment:our-run"))[0]
    assert point.uid == uid and point.choices == {"cmd_key": "corners"}
    assert point.samples() == runs
    assert point.flat["##characteristics#run#execution_time#min"] == 0.5
    assert point.flat["##characteristics#run#execution_time#repeats"] == 3
    assert point.flat["##choices#cmd_key#all_unique"] == ["corners"]
    assert point.flat["##pipeline_state#repetitions#min"] == 3
    assert point.features_flat == {"##choices#cmd_key": "corners", "##features#pool": "x86"}
