"""benchmarks/queue.py runs end to end on a few jobs and ends with its JSON result line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_queue_benchmark_prints_its_result_line() -> None:
    # its own embedded redis-server: the benchmark empties the Redis it is given, and a test's claimed
    # DB of the shared server would then look free to another test process
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "queue.py"), "--jobs", "15"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["benchmark"] == "queue" and line["target"] == ">= 0.8"
    assert line["ours"] > 0 and line["baseline"] > 0
    assert line["ratio"] == pytest.approx(line["ours"] / line["baseline"], rel=0.01)
    assert "bare RQ" in result.stdout and "ae enqueue/record" in result.stdout
