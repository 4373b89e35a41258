from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from ae.checklist.claims import Claim
from ae.verdicts.diffs import (
    NOT_RUN,
    claim_rows,
    environment_diff,
    mann_whitney_p,
    readable,
    repetitions_to_tell,
    run_diff,
    side_by_side,
    smallest_p,
    text_diff,
    unified_rows,
)
from ae.verdicts.rule import Outcome, decide

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
SUSAN = FIXTURES / "ck" / "ck-rpi-optimization-results" / "experiment" / \
    "rpi3-susan-corners-clang381-main-o3"


def claim(claim_id: str, **kw) -> Claim:
    base = {"id": claim_id, "text": f"claim {claim_id}", "metric": "execution_time",
            "expected": 2.0, "unit": "s"}
    base.update(kw)
    return Claim.from_dict(base)  # tolerance= (relative) and tolerance_abs= as rows once held


# --- claim_rows -----------------------------------------------------------------------------------

def test_claim_rows_pair_claims_with_verdicts_in_claim_order():
    claims = [claim("a", tolerance=0.1), claim("b", tolerance_abs=0.3), claim("c")]
    verdicts = [decide(claims[1], [2.1, 2.0, 1.9]), decide(claims[0], [2.0, 2.02, 1.98, 2.01])]
    rows = claim_rows(claims, verdicts)
    assert [r["claim_id"] for r in rows] == ["a", "b", "c"]
    a, b, c = rows
    assert a["outcome"] == Outcome.REPRODUCED and a["n"] == 4
    assert a["claimed"] == 2.0 and a["tolerance"] == "±10 %"
    assert a["measured_ci"][0] <= a["measured_median"] <= a["measured_ci"][1]
    assert a["ratio_ci"][0] <= a["ratio_median"] <= a["ratio_ci"][1]
    assert b["tolerance"] == "±0.3 s"
    assert c["outcome"] == NOT_RUN and c["tolerance"] is None and c["n"] == 0
    json.dumps(rows, allow_nan=False)


def test_claim_rows_keep_verdicts_without_a_claim():
    v = decide(claim("gone"), [2.0, 2.0, 2.0])
    rows = claim_rows([], [v])
    assert rows[0]["claim_id"] == "gone" and rows[0]["text"] is None
    assert rows[0]["outcome"] == Outcome.REPRODUCED


# --- text_diff ------------------------------------------------------------------------------------

def test_identical_text():
    d = text_diff(b"a\nb\n", b"a\nb\n", name="out.txt")
    assert d["identical"] and d["kind"] == "text" and d["diff"] is None
    assert d["first_difference"] is None


def test_text_unified_diff_counts_and_offsets():
    d = text_diff(b"one\ntwo\nthree\n", b"one\nTWO\nthree\nfour\n", name="tmp-output1.tmp")
    assert not d["identical"]
    assert d["diff"].startswith("--- expected/tmp-output1.tmp\n+++ actual/tmp-output1.tmp\n")
    assert "-two\n" in d["diff"] and "+TWO\n" in d["diff"] and "+four\n" in d["diff"]
    assert (d["added"], d["removed"]) == (2, 1)
    assert d["first_difference"] == 4 and d["first_difference_line"] == 2
    assert d["expected_sha256"] == hashlib.sha256(b"one\ntwo\nthree\n").hexdigest()
    assert not d["truncated"]


def test_missing_final_newline_is_marked():
    d = text_diff(b"x\ny", b"x\nz", name="f")
    assert "\\ No newline at end of file" in d["diff"]


def test_line_ending_and_trailing_space_notes():
    assert text_diff(b"a\nb\n", b"a\r\nb\r\n", name="f")["note"].startswith(
        "differs only in line endings")
    assert text_diff(b"a \nb\n", b"a\nb\n", name="f")["note"] == (
        "differs only in trailing whitespace")


def test_diff_is_capped_but_counts_everything():
    old = "".join(f"line {i}\n" for i in range(2000)).encode()
    new = "".join(f"LINE {i}\n" for i in range(2000)).encode()
    d = text_diff(old, new, name="big", max_lines=50)
    assert d["truncated"]
    assert len(d["diff"].splitlines()) == 50
    assert (d["added"], d["removed"]) == (2000, 2000)
    small = text_diff(old, new, name="big", max_bytes=1000)
    assert len(small["diff"]) <= 1000 and small["truncated"]


def test_too_large_text_gets_a_summary_only():
    old = b"a\n" * 1000
    new = b"a\n" * 500 + b"b\n" + b"a\n" * 499
    d = text_diff(old, new, name="f", max_input=1000)
    assert d["diff"] is None and d["truncated"]
    assert d["first_difference_line"] == 501
    assert "too large" in d["note"]


def test_binary_summary():
    old = bytes(range(256)) * 4
    new = bytearray(old)
    new[700] ^= 0xFF
    d = text_diff(old, bytes(new) + b"\0tail", name="image.bin")
    assert d["kind"] == "binary" and d["diff"] is None
    assert d["first_difference"] == 700
    assert (d["expected_size"], d["actual_size"]) == (1024, 1029)
    assert d["expected_sha256"] != d["actual_sha256"]
    json.dumps(d)


def test_prefix_differs_at_the_shorter_length():
    d = text_diff(b"\xff\xfe", b"\xff\xfe\x00", name="b")
    assert d["kind"] == "binary" and d["first_difference"] == 2


# --- environment_diff -----------------------------------------------------------------------------

def test_environment_diff_statuses_and_normalisation():
    author = {"compiler_flags": {"base_opt": "-O3"}, "repeat": "100", "host_os": "linux-32",
              "cpu": "armv7l", "fast": "yes"}
    worker = {"compiler_flags": {"base_opt": "-O2"}, "repeat": 100, "host_os": "linux-64",
              "gpu": "H100", "fast": "yes"}
    rows = environment_diff(author, worker)
    assert rows == [
        {"key": "compiler_flags.base_opt", "author": "-O3", "worker": "-O2", "status": "changed"},
        {"key": "cpu", "author": "armv7l", "worker": None, "status": "removed"},
        {"key": "gpu", "author": None, "worker": "H100", "status": "added"},
        {"key": "host_os", "author": "linux-32", "worker": "linux-64", "status": "changed"},
    ]
    every = environment_diff(author, worker, include_same=True)
    assert {r["key"] for r in every if r["status"] == "same"} == {"repeat", "fast"}


def test_environment_diff_of_a_recorded_ck_experiment():
    if not SUSAN.is_dir():
        pytest.skip(f"CK fixtures not found at {SUSAN}")
    features = json.loads((SUSAN / "ckp-a63f42ac837e38d0.features.json").read_text())
    author = features["choices"]
    worker = dict(author, target_os="linux-64", target_os_bits=64,
                  compiler_description_uoa="gcc-12-auto")
    rows = {r["key"]: r for r in environment_diff(author, worker)}
    assert set(rows) == {"target_os", "target_os_bits", "compiler_description_uoa"}
    assert rows["target_os_bits"]["author"] == "32" and rows["target_os_bits"]["worker"] == 64


# --- run_diff -------------------------------------------------------------------------------------

def _run(times: list[float], **kw) -> dict:
    record = {
        "samples": {"execution_time": times},
        "outputs": {"tmp-output1.tmp": {"sha256": "aa"}, "tmp-output2.tmp": "bb"},
        "deps": {"compiler": {"version": "12.2.0"}, "lib-xopenme": "1.0"},
        "platform": {"arch": "x86_64", "cores": 16},
        "env": {"CT_REPEAT_MAIN": "1"},
        "command": ["./a.out", "data.pgm"],
    }
    record.update(kw)
    return record


def test_run_diff_same_runs():
    rng = random.Random(1)
    a = _run([1.0 + rng.uniform(-0.01, 0.01) for _ in range(8)])
    b = _run([1.0 + rng.uniform(-0.01, 0.01) for _ in range(8)])
    d = run_diff(a, b)
    (row,) = d["samples"]
    assert row["status"] == "same" and row["ratio"] == pytest.approx(1.0, abs=0.02)
    assert row["a"]["n"] == 8 and row["a"]["min"] <= row["a"]["median"] <= row["a"]["max"]
    assert all(o["status"] == "same" for o in d["outputs"])
    assert d["deps"] == [] and d["platform"] == [] and d["env"] == []
    assert d["command"]["changed"] is False
    json.dumps(d, allow_nan=False)


def test_run_diff_reports_every_kind_of_change():
    rng = random.Random(2)
    a = _run([1.0 + rng.uniform(-0.01, 0.01) for _ in range(8)])
    b = _run([1.5 + rng.uniform(-0.01, 0.01) for _ in range(8)],
             outputs={"tmp-output1.tmp": "cc", "new.txt": "dd"},
             deps={"compiler": {"version": "13.1.0"}, "lib-xopenme": "1.0"},
             platform={"arch": "aarch64", "cores": 16}, command="./a.out other.pgm")
    b["samples"]["energy"] = [3.0, 3.1]
    d = run_diff(a, b)
    rows = {r["metric"]: r for r in d["samples"]}
    assert rows["execution_time"]["status"] == "changed"
    assert rows["execution_time"]["ratio"] == pytest.approx(1.5, abs=0.03)
    assert rows["execution_time"]["p_value"] < 0.01
    assert rows["energy"]["status"] == "added"
    assert {o["name"]: o["status"] for o in d["outputs"]} == {
        "new.txt": "added", "tmp-output1.tmp": "changed", "tmp-output2.tmp": "removed"}
    assert d["deps"] == [{"key": "compiler", "author": "12.2.0", "worker": "13.1.0",
                          "status": "changed"}]
    assert d["platform"][0]["key"] == "arch"
    assert d["command"]["changed"] is True


def test_large_but_noisy_difference_is_marked_noisy():
    d = run_diff(_run([1.0, 2.0, 1.2, 1.6, 1.1]), _run([1.9, 1.3, 1.5, 1.0, 1.45]))
    row = d["samples"][0]
    assert row["ratio"] == pytest.approx(1.45 / 1.2)
    assert row["smallest_p"] < 0.05  # 5 vs 5 could tell
    assert row["p_value"] > 0.05 and row["status"] == "changed-noisy"


def test_three_against_three_is_too_few_to_tell():
    """However far apart, 3 vs 3 samples never reach p < 0.05: no verdict, and how many would do."""
    d = run_diff(_run([1.0, 1.01, 0.99]), _run([2.0, 2.01, 1.99]))
    row = d["samples"][0]
    assert row["ratio"] == pytest.approx(2.0)
    assert row["smallest_p"] == pytest.approx(0.1)
    assert row["status"] == "too-few-repetitions"
    assert row["note"] == ("too few repetitions to tell: 3 vs 3 can never reach p < 0.05 (the smallest "
                           "attainable p is 0.1); 4 vs 4 could")


def test_a_deterministic_difference_needs_no_test():
    row = run_diff(_run([200000.0] * 3), _run([20.0] * 3))["samples"][0]
    assert row["status"] == "changed" and row["note"] is None


@pytest.mark.parametrize(("n1", "n2", "floor"), [(3, 3, 0.1), (4, 3, 2 / 35), (4, 4, 2 / 70), (2, 10, 2 / 66),
                                                 (1, 1, 1.0), (0, 5, 1.0)])
def test_smallest_attainable_p(n1: int, n2: int, floor: float):
    assert smallest_p(n1, n2) == pytest.approx(floor)
    if n1 and n2 and floor >= 0.05:
        xs, ys = [float(v) for v in range(n1)], [float(100 + v) for v in range(n2)]
        assert (mann_whitney_p(xs, ys) or 1.0) >= 0.05  # the test itself agrees: it cannot tell


def test_repetitions_to_tell():
    assert repetitions_to_tell(3, 3) == 4
    assert repetitions_to_tell(2, 2) == 4
    assert repetitions_to_tell(6, 2) == 6


def test_mann_whitney_p_values():
    assert mann_whitney_p([1, 2, 3, 4, 5, 6, 7, 8], [11, 12, 13, 14, 15, 16, 17, 18]) < 0.001
    assert mann_whitney_p([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) > 0.5
    assert mann_whitney_p([1.0, 1.0], [1.0, 1.0]) is None
    assert mann_whitney_p([], [1.0]) is None


def test_readable_normalises_paths_hashes_and_long_numbers():
    text = f"pi = 3.14159265 in /srv/ae/runs/1f2e/tmp, sha256 {'ab' * 32}, 12.5 kept, 1.000001e-3"
    assert readable(text, paths={"/srv/ae/runs/1f2e": "<work>"}) == \
        "pi = 3.142 in <work>/tmp, sha256 <hash>, 12.5 kept, 0.001"


def test_side_by_side_pairs_changes_and_folds_equal_stretches():
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "LINE 10") + "\nextra"
    rows = side_by_side(old, new)["rows"]
    assert {"tag": "replace", "left_no": 11, "left": "line 10", "right_no": 11, "right": "LINE 10"} in rows
    assert rows[3] == {"tag": "skipped", "count": 4}
    assert rows[-1] == {"tag": "insert", "left_no": None, "left": None, "right_no": 21, "right": "extra"}
    assert side_by_side("a\nb", "a\nb")["identical"]


def test_unified_rows_read_a_stored_reference_diff_side_by_side():
    d = text_diff(b"".join(f"v {n}\n".encode() for n in range(30)),
                  b"".join(f"v {n}\n".encode() for n in range(30)).replace(b"v 3\n", b"-- 3.14159265\n")
                  .replace(b"v 25\n", b""), name="out.txt")
    rows = unified_rows(d["diff"])["rows"]
    assert {"tag": "replace", "left_no": 4, "left": "v 3", "right_no": 4, "right": "-- 3.142"} in rows
    assert {"tag": "delete", "left_no": 26, "left": "v 25", "right_no": None, "right": None} in rows
    assert {"tag": "skipped", "count": None} in rows
    assert unified_rows("")["identical"]
