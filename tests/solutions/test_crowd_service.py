"""The service's side of crowd results: outliers flagged (not hidden) per hardware class, and the
per-user rate limit of POST /api/solutions/<name>/results."""

from __future__ import annotations

from typing import Any

import pytest

from ae import crowd, standings
from ae.solutions.manifest import from_data
from ae.solutions.result import seal, sign
from ae.storage.db import session_scope

MANIFEST = {"name": "tiny", "title": "Tiny solution", "conference": "mlperf-inference-demo",
            "artifact": {"source": "https://git.ae.test/tiny.git", "commit": "c" * 40},
            "configurations": [{"program": "digits-onnx-bench", "cmd_key": "offline-int8-b64-t1"}],
            "metrics": ["throughput_samples_per_s"]}


def _result(throughput: float, fingerprint: str, n: int) -> dict[str, Any]:
    manifest = from_data(MANIFEST)
    return seal({"solution": "tiny", "manifest_digest": manifest.digest, "ae_version": "0",
                 "created_at": f"2026-11-30T10:00:0{n}+00:00",
                 "hardware": {"fingerprint": fingerprint, "class": f"class {fingerprint[:4]}", "profile": {}},
                 "runs": [{"program": "digits-onnx-bench", "cmd_key": "offline-int8-b64-t1", "ok": True,
                           "samples": [{"throughput_samples_per_s": throughput, "accuracy_top1": 0.98}] * 3,
                           "outputs": {}}]})


@pytest.fixture
def tiny(app: Any) -> None:
    with session_scope() as session:
        crowd.publish(session=session, manifest=from_data(MANIFEST), user_id=None)


def test_an_outlier_on_its_hardware_class_is_flagged_and_still_shown(app, people, tiny) -> None:  # type: ignore[no-untyped-def]
    token = people.tokens["outsider"]
    speeds = {"aaaaaaaaaaaaaaaa": [20000, 20500, 19800, 21000, 90000], "bbbbbbbbbbbbbbbb": [5000, 90000]}
    with session_scope() as session:
        n = 0
        for fingerprint, values in speeds.items():
            for value in values:
                n += 1
                submission = sign(_result(value, fingerprint, n), token)
                crowd.accept(session=session, name="tiny", submission=submission, token=token,
                             user_id=people.ids["outsider"])
    with session_scope() as session:
        board = standings.solution_board(session=session, name="tiny")
    groups = {g["fingerprint"]: g["rows"] for g in board["groups"]}
    assert {k: len(v) for k, v in groups.items()} == {"aaaaaaaaaaaaaaaa": 5, "bbbbbbbbbbbbbbbb": 2}
    flagged = [r for r in groups["aaaaaaaaaaaaaaaa"] if any(n.startswith("outlier:") for n in r["notes"])]
    assert len(flagged) == 1 and flagged[0]["metrics"]["throughput"]["value"] == 90000
    assert "among 5 results on this hardware class" in " ".join(flagged[0]["notes"])
    assert not any(n.startswith("outlier:") for r in groups["bbbbbbbbbbbbbbbb"] for n in r["notes"]), \
        "two results are too few to call one an outlier"


def test_results_are_rate_limited_per_volunteer(app, client, people, tiny) -> None:  # type: ignore[no-untyped-def]
    app.config["RATELIMIT_CROWD"] = "2 per hour"
    token = people.tokens["outsider"]
    answers = [client.post("/api/solutions/tiny/results", json=sign(_result(20000.0 + n, "c" * 16, n), token),
                           headers=people.headers("outsider")).status_code for n in range(3)]
    assert answers == [201, 201, 429]
    theirs = sign(_result(1.0, "c" * 16, 7), people.tokens["author"])
    other = client.post("/api/solutions/tiny/results", json=theirs, headers=people.headers("author"))
    assert other.status_code == 201, "the limit is per volunteer"
