"""Version splitting and comparison, checked against CK's own `soft` module functions."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ae.ck.versions import compare_versions, split_version, version_in_range


def _soft_module() -> Path:
    """Return where PyPI ck keeps its `soft` module in this environment (it need not be installed)."""
    spec = importlib.util.find_spec("ck")
    base = Path(spec.origin).parent if spec and spec.origin else Path("/nonexistent")
    return base / "repo" / "module" / "soft" / "module.py"


SOFT = _soft_module()


@pytest.fixture(scope="module")
def ck_soft() -> ModuleType:
    """CK's `soft` module, loaded from the installed PyPI ck (its functions are pure)."""
    if not SOFT.exists():
        pytest.skip(f"PyPI ck not installed at {SOFT}")
    spec = importlib.util.spec_from_file_location("ck_soft_module", SOFT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("text", "parts"), [
    ("12.2.0", [12, 2, 0]), ("12.2.0-rc1", [12, 2, 0, 0]), ("", []), ("3_11-2", [3, 11, 2]),
    ("v1.2", [0, 2]), ("1..2", [1, 0, 2]), (" 7 .8", [7, 8]),
])
def test_split_version(text: str, parts: list[int]) -> None:
    assert split_version(text) == parts


@pytest.mark.parametrize(("a", "b", "result"), [
    ("1.62", "1.63", -1), ("1.63", "1.63.0", 0), ("2", "1.99", 1), ([1, "a"], [1, 0], -1),
    ([1, 0], [1, "a"], 1), ([1, "b"], [1, "a"], 1), ("10.0", "9.9", 1),
])
def test_compare_versions(a: str | list, b: str | list, result: int) -> None:
    assert compare_versions(a, b) == result


def test_version_range_is_inclusive() -> None:
    assert version_in_range([12, 2, 0], [12], [12, 2, 0])
    assert not version_in_range([12, 2, 1], None, [12, 2])
    assert not version_in_range([4, 9], [5], None)
    assert version_in_range([4, 9], None, None)


VERSION = st.text(alphabet="0123456789.-_abrc ", max_size=12)
SYMBOL = {"<": -1, "=": 0, ">": 1}


@given(VERSION, VERSION)
def test_same_answers_as_ck(ck_soft: ModuleType, a: str, b: str) -> None:
    sa = ck_soft.split_version({"version": a})["version_split"]
    sb = ck_soft.split_version({"version": b})["version_split"]
    assert split_version(a) == sa
    expected = ck_soft.compare_versions({"version1": sa, "version2": sb})["result"]
    assert compare_versions(a, b) == SYMBOL[expected]
