"""The one Tolerance type: read from claims and conference files, stored, and described."""

from __future__ import annotations

import pytest

from ae.checklist.claims import Claim
from ae.checklist.tolerance import Tolerance


@pytest.mark.parametrize("value, expected", [
    ("10%", Tolerance(relative=0.10)), (" 2.5 % ", Tolerance(relative=0.025)),
    ("0%", Tolerance(relative=0.0)),
    (0.5, Tolerance(absolute=0.5)), (3, Tolerance(absolute=3.0)), (0, Tolerance(absolute=0.0)),
])
def test_parse(value: object, expected: Tolerance) -> None:
    assert Tolerance.parse(value) == expected


@pytest.mark.parametrize("value, message", [
    ("-5%", "must not be negative"), ("0.1", 'percentage like "10%"'), (-1, "not negative"),
    (float("nan"), "finite"), (True, 'percentage like "10%"'), ([1], "(got [1])"),
])
def test_parse_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        Tolerance.parse(value)


def test_relative_and_absolute_answers() -> None:
    assert Tolerance(relative=0.1).relative_to(50) == pytest.approx(0.1)
    assert Tolerance(absolute=5).relative_to(-50) == pytest.approx(0.1)
    assert Tolerance(relative=0.1).allowed(-20) == pytest.approx(2.0)
    assert Tolerance(absolute=0.5).allowed(1000) == 0.5
    assert Tolerance(relative=0.0001).describe() == "±0.01 %"
    assert Tolerance(absolute=0.5).describe("s") == "±0.5 s"


def test_claims_round_trip_and_read_rows_stored_before_the_type() -> None:
    claim = Claim(id="t", text="t", metric="execution_time", expected=2.0, tolerance=Tolerance(absolute=0.3),
                  unit="s")
    assert Claim.from_dict(claim.to_dict()) == claim
    assert claim.to_dict()["tolerance"] == {"relative": None, "absolute": 0.3}
    old = {"id": "t", "text": "t", "metric": "m", "expected": 1.0, "tolerance": None, "tolerance_abs": 0.3}
    assert Claim.from_dict(old).tolerance == Tolerance(absolute=0.3)
    older = {**old, "tolerance": 0.08, "tolerance_abs": None}
    assert Claim.from_dict(older).tolerance == Tolerance(relative=0.08)
