"""Issue 23's done-when: two volunteers on two declared hardware profiles `init`, `benchmark` and `submit`
the published ML inference solution against a real `ae serve`; both results are on the solution's
scoreboard, volunteer-reported and grouped by hardware class; a result changed after sealing is refused,
one signed with another token is refused, and one whose output digest differs from the reference is
shown as failed validation."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ae.cli.remote import Remote
from ae.errors import AeError
from ae.pools import profile_from_platform
from ae.solutions import hardware
from ae.solutions.result import seal, sign
from tests.workers.conftest import PROFILES

ROOT = Path(__file__).resolve().parents[2]
NAME, CONFIG = "ml-inference", "offline-int8-b64-t1"


def _manifest(tmp_path: Path) -> Path:
    """The shipped manifest, its pins set to this interpreter's versions (CI may resolve newer ones)."""
    data = json.loads((ROOT / "examples" / "solutions" / "ml-inference.json").read_text())
    pins = data["environment"]["packages"]
    data["environment"]["packages"] = {n: importlib.metadata.version(n) for n in pins}
    path = tmp_path / "ml-inference.json"
    path.write_text(json.dumps(data))
    return path


def _volunteer(app: Any, name: str) -> str:
    """Create a volunteer (no role anywhere) with a read+submit token; return the token."""
    from ae.accounts import tokens, users
    from ae.storage.db import session_scope

    with app.app_context(), session_scope() as session:
        user = users.create_user(session=session, email=f"{name}@volunteers.test", name=name,
                                 password="x" * 16)
        session.flush()
        return tokens.create(session=session, user=user, name="crowd", scopes=["read", "submit"])[1]


def _ae(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", "solution", *args], env=env,
                          capture_output=True, text=True, timeout=600)


def _board(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/api/solutions/{NAME}/scoreboard", timeout=30) as answer:
        board: dict[str, Any] = json.load(answer)
    return board


def _rows(board: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {g["fingerprint"]: g["rows"] for g in board["groups"]}


@pytest.mark.slow
def test_two_volunteers_benchmark_and_submit_and_tampering_is_caught(app, runner, example_repo, ae_server,  # type: ignore[no-untyped-def]
                                                                     tmp_path) -> None:
    repo = example_repo("ml-inference")
    published = runner.invoke(["solution", "publish", str(_manifest(tmp_path)), "--source", str(repo)])
    assert published.exit_code == 0, published.output
    with urllib.request.urlopen(f"{ae_server}/api/solutions/schema.json", timeout=30) as answer:
        assert json.load(answer)["title"] == "ae solution manifest"

    volunteers = {}
    for who, kind in (("ada", "cpu"), ("bob", "avx512")):
        profile = tmp_path / f"{kind}.json"
        profile.write_text(json.dumps(PROFILES[kind]))
        token = _volunteer(app, who)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
        env.update(AE_REMOTE_URL=ae_server, AE_TOKEN=token, AE_WORKER_PROFILE=str(profile),
                   AE_SOLUTIONS_HOME=str(tmp_path / f"home-{who}"))
        init = _ae(env, "init", NAME, "--reuse-packages")
        assert init.returncode == 0, init.stderr[-2000:]
        assert f"onnxruntime {importlib.metadata.version('onnxruntime')}" in init.stdout
        bench = _ae(env, "benchmark", NAME, "--configuration", CONFIG)
        assert bench.returncode == 0, bench.stdout + bench.stderr[-2000:]
        assert "claim offline-int8-top1: reproduced" in bench.stdout
        sent = _ae(env, "submit", NAME)
        assert sent.returncode == 0, sent.stderr[-2000:]
        assert "(valid)" in sent.stdout
        assert "offline-int8-top1: reproduced (judged by the service)" in sent.stdout
        [result] = sorted((tmp_path / f"home-{who}" / NAME / "results").glob("*.json"))
        volunteers[who] = {"env": env, "token": token, "result": result,
                           "fingerprint": hardware.fingerprint(profile_from_platform(PROFILES[kind])),
                           "class": hardware.describe(profile_from_platform(PROFILES[kind]))}

    board = _board(ae_server)
    groups = _rows(board)
    assert set(groups) == {volunteers["ada"]["fingerprint"], volunteers["bob"]["fingerprint"]}
    for who in ("ada", "bob"):
        [row] = groups[volunteers[who]["fingerprint"]]
        assert row["provenance"] == "volunteer-reported" and "volunteer-reported" in row["notes"]
        assert row["hardware"] == volunteers[who]["class"] and row["validation"] == "valid"
        assert row["status"] == "measured"
        assert row["metrics"]["top1"]["value"] == pytest.approx(440 / 449)
    with app.app_context():
        from ae import standings
        from ae.storage.db import session_scope

        with session_scope() as session:
            _, tournament = standings.board(session=session, conference="mlperf-inference-demo")
            crowd_rows = [r for r in tournament.rows() if str(r.point.provenance) == "volunteer-reported"]
    assert len(crowd_rows) == 2 and not any(r.ranked for r in crowd_rows)
    assert all("volunteer-reported points are not ranked in this tournament" in r.reasons for r in crowd_rows)

    # samples changed after `benchmark` sealed them: refused, nothing stored
    sealed = json.loads(volunteers["ada"]["result"].read_text())
    sealed["body"]["runs"][0]["samples"][0]["throughput_samples_per_s"] *= 10
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(sealed))
    refused = _ae(volunteers["ada"]["env"], "submit", NAME, "--result", str(edited))
    assert refused.returncode == 2
    assert "does not match its digest" in refused.stderr

    # a sealed result signed with another volunteer's token: refused
    original = json.loads(volunteers["bob"]["result"].read_text())
    forged = sign(original, volunteers["ada"]["token"])
    with pytest.raises(AeError, match="signature does not match"):
        Remote(ae_server, volunteers["bob"]["token"]).post(f"/api/solutions/{NAME}/results", forged)
    # the same result twice: refused
    with pytest.raises(AeError, match="already received"):
        Remote(ae_server, volunteers["bob"]["token"]).post(f"/api/solutions/{NAME}/results",
                                                           sign(original, volunteers["bob"]["token"]))
    assert sum(len(rows) for rows in _rows(_board(ae_server)).values()) == 2

    # a cheat who re-seals a wrong output digest: taken in, shown as failed validation, never hidden
    body = json.loads(volunteers["ada"]["result"].read_text())["body"]
    body["runs"][0]["outputs"]["mlperf_log_accuracy.json"] = "0" * 64
    body["verdicts"] = {"offline-int8-top1": "reproduced", "offline-int8-throughput": "reproduced"}
    cheat = tmp_path / "cheat.json"
    cheat.write_text(json.dumps(seal(body)))
    taken = _ae(volunteers["ada"]["env"], "submit", NAME, "--result", str(cheat))
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert "FAILED VALIDATION" in taken.stdout
    assert "output mlperf_log_accuracy.json differs from the reference" in taken.stdout
    assert "offline-int8-top1: not-reproduced (judged by the service)" in taken.stdout

    groups = _rows(_board(ae_server))
    ada = groups[volunteers["ada"]["fingerprint"]]
    assert len(ada) == 2 and len(groups[volunteers["bob"]["fingerprint"]]) == 1
    failed = [r for r in ada if r["validation"] == "failed"]
    assert len(failed) == 1 and failed[0]["status"] == "failed"
    assert any("failed validation: output mlperf_log_accuracy.json differs" in n for n in failed[0]["notes"])
    assert [r["provenance"] for r in ada] == ["volunteer-reported"] * 2
