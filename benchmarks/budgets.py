"""The chair's compute-budget page with 1,000 artifacts: p50/p95 of `/conferences/<slug>/budgets`
(signed in as the chair) against a static file served by the same app (`/static/robots.txt`),
through Flask's test client in one process (no network, no gunicorn: the page's own cost).

    python benchmarks/budgets.py [--artifacts 1000] [--requests 100]

The rows are those of benchmarks/web.py (1 or 2 versions per artifact, three runs each with
recorded samples), in a SQLite file in a temporary instance; the conference gets a `[[budget]]`
on its pool so that the limits are shown. Ends with one JSON line (target: p95 < 150 ms).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
TARGET_MS = 150.0


def _web_bench() -> Any:
    spec = importlib.util.spec_from_file_location("ae_bench_web", ROOT / "benchmarks" / "web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(client: Any, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    web = _web_bench()

    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine

    with tempfile.TemporaryDirectory(prefix="ae-bench-budgets-") as tmp:
        confs = Path(tmp) / "conferences"
        confs.mkdir()
        text = (ROOT / "conferences" / f"{web.CONFERENCE}.toml").read_text()
        budget = '[[budget]]\npool = "default"\ncpu_hours_per_artifact = 2\ncpu_hours_per_evaluator = 1\n'
        (confs / f"{web.CONFERENCE}.toml").write_text(f"{text}\n{budget}")
        instance = Path(tmp) / "instance"
        database = f"sqlite:///{instance / 'ae.sqlite'}"
        app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database,
                          "DATA_DIR": str(instance / "data"), "SECRET_KEY": os.urandom(16).hex(),
                          "SESSION_COOKIE_SECURE_FORCE": False, "CONFERENCES_DIR": str(confs),
                          "WTF_CSRF_ENABLED": True})
        migrate.upgrade(get_engine(app))
        began = time.perf_counter()
        web.populate(app, args.artifacts)
        print(f"{args.artifacts} artifacts stored in {time.perf_counter() - began:.1f} s")
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token, "the sign-in form carries a CSRF token"
        client.post("/login", data={"email": "chair0@bench.ae.test", "password": web.PASSWORD,
                                    "csrf_token": token.group(1)})
        page = f"/conferences/{web.CONFERENCE}/budgets"
        _timed(client, page, 3)  # warm
        ours, static = [], []
        for _ in range(args.requests):  # in turn, so that load drifting on the machine hits both alike
            ours += _timed(client, page, 1)
            static += _timed(client, web.STATIC, 1)
    p95 = statistics.quantiles(ours, n=20)[18]
    base95 = statistics.quantiles(static, n=20)[18]
    print(f"{'page':<12} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'budgets':<12} {statistics.median(ours):8.1f} {p95:8.1f}")
    print(f"{'static':<12} {statistics.median(static):8.1f} {base95:8.1f}")
    print(json.dumps({"benchmark": "budgets", "ours": round(p95, 1), "baseline": round(base95, 1),
                      "ratio": round(p95 / TARGET_MS, 3), "target": "p95 < 150 ms",
                      "met": p95 < TARGET_MS}))


if __name__ == "__main__":
    main()
