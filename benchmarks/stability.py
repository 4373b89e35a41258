"""Verdict stability: one example artifact evaluated ten times by the same worker.

The pi-python example is submitted N times (default 10) with its own claims plus a timing claim
calibrated on this machine (the median kernel time of a first evaluation, ±10 %), which is the kind
of claim that noise can tip. One `ae worker --burst` process evaluates every submission. The script
prints each claim's verdict per evaluation and counts changes; a change between reproduced and
not-reproduced is the failure this benchmark guards against (inconclusive is allowed).

    python benchmarks/stability.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from ae.cli import cli; cli()"]


def ae(env: dict[str, str], *args: str) -> str:
    """Run an `ae` command and return its stdout (raise with its stderr on failure)."""
    result = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"ae {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def artifact(root: Path, timing_claim: str) -> Path:
    """Copy the pi-python example into a git repository with an extra calibrated claim."""
    from ae.intake.git import init_repository

    repo = root / "pi-python"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(ROOT / "examples" / "pi-python", repo)
    appendix = repo / "ARTIFACT-APPENDIX.md"
    text = appendix.read_text()
    appendix.write_text(text.replace("```\n\n## A.7", timing_claim + "```\n\n## A.7"))
    init_repository(repo, message="stability")
    return repo


def evaluate(env: dict[str, str], repo: Path, runs: int) -> list[dict]:
    """Submit `runs` times, run one burst worker, return each artifact's status."""
    for i in range(runs):
        ae(env, "submit", str(repo), "--title", f"stability-{i:02d}")
    ae(env, "worker", "--burst", "--quiet")
    items = json.loads(ae(env, "status", "--json"))
    return sorted(items, key=lambda item: item["title"])


def main() -> None:
    """Calibrate, evaluate N times, print the verdict table and the JSON result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ae-stability-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    env["AE_INSTANCE_PATH"] = str(work / "instance")
    try:
        started = time.monotonic()
        calibration = evaluate(env, artifact(work, ""), 1)[0]
        verdicts = json.loads(ae(env, "verdicts", calibration["id"], "--json"))
        median = next(v["measured_median"] for v in verdicts if v["claim"] == "fast")
        claim = ('[[claim]]\nid = "calibrated"\ntext = "kernel time as measured here"\n'
                 f'metric = "execution_time"\nexpected = {median!r}\nunit = "s"\n'
                 'relation = "approx"\ntolerance = "10%"\nprogram = "pi-python"\n')
        items = [i for i in evaluate(env, artifact(work, claim), args.runs)
                 if i["id"] != calibration["id"]]
        elapsed = time.monotonic() - started
    finally:
        subprocess.run([*CLI, "redis", "stop"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    claims = sorted({v["claim"] for item in items for v in item["verdicts"]})
    table = {c: [next((v["outcome"] for v in i["verdicts"] if v["claim"] == c), "-") for i in items]
             for c in claims}
    print(f"calibrated kernel time on this machine: {median:.6f} s; {len(items)} evaluations, "
          f"{elapsed:.1f} s in all\n")
    print(f"{'claim':<12} " + " ".join(f"{n:>3}" for n in range(1, len(items) + 1)) + "  changes  flips")
    short = {"reproduced": "R", "not-reproduced": "N", "inconclusive": "?", "-": "-"}
    changes = flips = 0
    for claim, outcomes in table.items():
        c = sum(a != b for a, b in zip(outcomes, outcomes[1:], strict=False))
        f = sum({a, b} == {"reproduced", "not-reproduced"}
                for a, b in zip(outcomes, outcomes[1:], strict=False))
        changes, flips = changes + c, flips + f
        print(f"{claim:<12} " + " ".join(f"{short[o]:>3}" for o in outcomes) + f"  {c:>7}  {f:>5}")
    print("\nR reproduced, N not reproduced, ? inconclusive; flips = reproduced <-> not reproduced")
    print(json.dumps({"benchmark": "stability", "ours": flips, "baseline": None,
                      "ratio": float(flips), "target": "0 flips between reproduced and not reproduced",
                      "met": flips == 0, "changes": changes, "evaluations": len(items)}))


if __name__ == "__main__":
    main()
