"""examples/ml-inference end to end: submitted to the MLPerf-style tournament, reproduced by real
workers in the sandbox (six CPU configurations, one for the GPU pool), judged, and ranked."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest
import sklearn

from ae import standings
from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import submit
from ae.verdicts.diffs import run_diff
from tests.conftest import worker_env

SLUG = "mlperf-inference-demo"
CPU_CONFIGS = {"singlestream-fp32", "singlestream-int8", "offline-fp32-b64-t1", "offline-fp32-b64-t2",
               "offline-int8-b64-t1", "offline-small-int8-b64-t1"}
GPU_PROFILE = {"arch": "x86_64", "os": "linux", "cores": 2, "memory_bytes": 4 * 2**30,
               "cpu_flags": ["sse2"], "cpu_model": "Test CPU",
               "gpus": [{"name": "NVIDIA A100-SXM4-40GB", "memory_bytes": 40 * 2**30,
                         "compute_capability": "8.0"}]}


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ml-inference"


def _expected_top1(cmd_key: str) -> float:
    """Top-1 accuracy of one run command, computed here with this machine's onnxruntime.

    Int8 results depend on the CPU's integer kernels (and dynamic quantization on the batch), so the
    oracle is the same model on the same split and batches, run in this process rather than a
    number measured elsewhere."""
    meta = json.loads((EXAMPLE / "program" / "digits-onnx-bench" / ".cm" / "meta.json").read_text())
    run_vars = meta["run_cmds"][cmd_key]["run_vars"]
    split = json.loads((EXAMPLE / "dataset" / "digits-sklearn" / "digits-split.json").read_text())
    with gzip.open(Path(sklearn.__file__).parent.parent / split["source"], "rt") as handle:
        data = np.loadtxt(handle, delimiter=",")
    test = np.random.RandomState(split["split_seed"]).permutation(len(data))
    test = test[: int(len(data) * split["test_fraction"])]
    x = (data[test, :-1] / split["pixel_scale"]).astype(np.float32)
    y = data[test, -1].astype(np.int64)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(run_vars["THREADS"])
    model = EXAMPLE / "model" / "digits-mlp" / f"{run_vars['MODEL']}-{run_vars['PRECISION']}.onnx"
    session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    name, batch = session.get_inputs()[0].name, int(run_vars["BATCH_SIZE"])
    predicted = np.concatenate([session.run(["label"], {name: x[i:i + batch]})[0]
                                for i in range(0, len(x), batch)])
    return float(np.mean(predicted == y))


def _item(app: Any) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        [item] = all_status(session=session)
    return item


def _board(app: Any) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        _, board = standings.board(session=session, conference=SLUG)
        return board.to_dict()


def _gpu_worker(config: dict[str, Any], tmp_path: Path) -> None:
    """Run a burst worker that declares an NVIDIA GPU and serves only the gpu pool."""
    profile = tmp_path / "gpu-profile.json"
    profile.write_text(json.dumps(GPU_PROFILE))
    env = {**worker_env(config), "AE_WORKER_PROFILE": str(profile)}
    done = subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", "worker", "--burst",
                           "--pool", "gpu"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_ml_inference_reproduced_judged_and_ranked(app, config, example_repo, burst_worker,  # type: ignore[no-untyped-def]
                                                  runner, tmp_path) -> None:
    submit(conference=SLUG, title="ML inference", source=str(example_repo("ml-inference")))
    burst_worker("default")  # the CPU pool only, whatever this machine has

    item = _item(app)
    runs = {r["cmd_key"]: r for r in item["runs"]}
    assert set(runs) == CPU_CONFIGS | {"offline-fp32-b64-gpu"}
    for key in CPU_CONFIGS:
        assert runs[key]["status"] == "succeeded", runs[key]
    gpu = runs["offline-fp32-b64-gpu"]
    assert gpu["status"] == "queued" and gpu["pool"] == "gpu"
    assert "no live worker serves pool 'gpu'" in gpu["waiting"], "the status says why it waits"
    assert item["verdicts"] == [], "judged once every run has finished"

    board = _board(app)
    rows = {r["configuration"].split(":", 1)[1].split(" ")[0]: r for r in board["rows"]}
    assert rows["offline-fp32-b64-gpu"]["status"] == "pending"
    assert "not measured yet" in rows["offline-fp32-b64-gpu"]["reasons"]
    measured = {k: r for k, r in rows.items() if k in CPU_CONFIGS}
    assert all(r["ranked"] for r in measured.values()), [r["reasons"] for r in measured.values()]
    front = {k for k, r in measured.items() if r["front"] == 1}
    top1 = {k: r["metrics"]["top1"]["value"] for k, r in measured.items()}
    assert top1 == {k: pytest.approx(_expected_top1(k)) for k in CPU_CONFIGS}
    assert all(top1[k] == pytest.approx(440 / 449) for k in CPU_CONFIGS if "small" not in k), \
        "the 256-unit model answers the same in fp32 and int8 on every CPU seen so far"
    # the front: the most accurate point with the best throughput among the accurate ones, and
    # the small model, less accurate but unbeaten in throughput among its peers (none here)
    speed = {k: r["metrics"]["throughput"]["value"] for k, r in measured.items()}
    small = "offline-small-int8-b64-t1"
    best_accurate = max((k for k in measured if k != small), key=speed.__getitem__)
    assert best_accurate in front
    assert (small in front) == (speed[small] > speed[best_accurate])
    assert all(speed[k] <= speed[best_accurate] for k in front - {small})
    assert board["front_metrics"] == ["top1", "throughput"]
    ss = measured["singlestream-fp32"]["metrics"]["latency"]
    assert ss["value"] is not None and ss["claimed"] == 1.0

    _gpu_worker(config, tmp_path)
    item = _item(app)
    assert item["status"] == "done", item["error"]
    verdicts = {v["claim"]: v for v in item["verdicts"]}
    for claim in ("singlestream-fp32-top1", "singlestream-int8-top1", "offline-int8-top1",
                  "offline-small-top1", "singlestream-fp32-p90", "offline-int8-throughput"):
        assert verdicts[claim]["outcome"] == "reproduced", verdicts[claim]
    cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    assert verdicts["gpu-top1"]["outcome"] == ("reproduced" if cuda else "not-reproduced")

    again = runner.invoke(["verdicts", item["id"][:8]])
    assert again.exit_code == 0, again.output
    assert "7 identical to the stored ones" in again.output

    with app.app_context(), session_scope() as session:
        from sqlmodel import select

        from ae.storage.models import Run

        run = session.exec(select(Run).where(Run.cmd_key == "offline-int8-b64-t1")).one()
        deps = run.record["deps"]
        on_gpu = session.exec(select(Run).where(Run.cmd_key == "offline-fp32-b64-gpu")).one()
        if not cuda:  # the worker said it had a GPU; this onnxruntime has no CUDA provider
            assert on_gpu.status == "failed"
            assert "CUDAExecutionProvider is not available" in on_gpu.record["stderr_tail"]
    import numpy
    import sklearn

    assert deps["lib-python-onnxruntime"]["version"] == onnxruntime.__version__
    assert deps["lib-python-scikit-learn"]["version"] == sklearn.__version__
    assert deps["lib-python-numpy"]["version"] == numpy.__version__
    assert deps["lib-python-onnxruntime"]["env"]["CK_ENV_COMPILER_PYTHON_FILE"].startswith(sys.prefix)
    older = {**deps, "lib-python-onnxruntime": {"version": "1.16.0"}}
    rows = run_diff({"deps": older}, {"deps": deps})["deps"]  # an author with an older ONNX Runtime
    assert rows == [{"key": "lib-python-onnxruntime", "author": "1.16.0",
                     "worker": onnxruntime.__version__, "status": "changed"}]
    state = run.samples[0]
    assert state["run_time_state.seed"] == 2026 and state["run_time_state.queries"] >= 256

    shown = runner.invoke(["tournament", "show", SLUG])
    assert shown.exit_code == 0, shown.output
    assert "fronts over top1, throughput" in shown.output


def test_the_appendix_lints_without_errors_and_claims_every_configuration_it_names() -> None:
    from ae.checklist.lint import lint

    root = Path(__file__).resolve().parents[2] / "examples" / "ml-inference"
    report = lint((root / "ARTIFACT-APPENDIX.md").read_bytes(), filename="ARTIFACT-APPENDIX.md",
                  artifact=root)
    assert [f for f in report.findings if f.severity == "error"] == []
    meta = json.loads((root / "program" / "digits-onnx-bench" / ".cm" / "meta.json").read_text())
    assert {c.cmd_key for c in report.claims} <= set(meta["run_cmds"])
    assert {c.hardware for c in report.claims} == {None, "gpu"}
