"""Claims from recorded CK experiments."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.checklist.recorded import allowable_variation, claims_from_points
from ae.checklist.tolerance import Tolerance
from ae.ck.experiment import read_experiment, write_point


@pytest.mark.parametrize("text, expected", [
    ("The maximum allowable variation of empirical results is 5%.", 0.05),
    ("Maximum allowable variation:\n  around 12.5 % on a quiet machine", 0.125),
    ("results vary; allowed variation is up to 20 %", 0.20),
    ("no statement about noise at all, 5 % of the time", None),
    (None, None),
])
def test_allowable_variation(text: str | None, expected: float | None) -> None:
    found = allowable_variation(text)
    assert (found.relative if found else None) == (pytest.approx(expected) if expected else None)


def test_one_claim_per_point_and_characteristic_of_a_known_program(tmp_path: Path) -> None:
    class Entry:
        path = tmp_path / "exp"

    write_point(Entry.path, choices={"data_uoa": "pi-python", "cmd_key": "default"},
                features={}, characteristics_list=[
                    {"run": {"execution_time": t}} for t in (0.020, 0.022, 0.021)])
    write_point(Entry.path, choices={"data_uoa": "elsewhere", "cmd_key": "default"},
                features={}, characteristics_list=[{"run": {"execution_time": 1.0}}])
    points = read_experiment(Entry)  # type: ignore[arg-type]
    [claim] = claims_from_points("recorded-pi", points, programs={"pi-python"},
                                 tolerance=Tolerance(relative=0.05))
    assert claim.metric == "execution_time" and claim.relation == "approx"
    assert claim.expected == pytest.approx(0.021, rel=0.06)
    assert claim.tolerance == Tolerance(relative=0.05)
    assert claim.program == "pi-python" and claim.cmd_key == "default"
    assert claim.id.startswith("recorded-pi:") and claim.source == "ck-experiment"
