"""Fixed cost of the sandbox per command: `/bin/true` through `sandbox.run` vs. run bare.

Run: `python benchmarks/sandbox.py [repetitions]`. Prints a table, then one JSON line. Both sides
write stdout/stderr to files and wait for the process, so the difference is the sandbox's own
cost: bubblewrap's namespace and mount setup, the in-sandbox supervisor, output pumping, reaping.

The fixed cost is the difference of the fastest runs: on a shared 2-core machine other work only
ever adds time, so the minimum is the stable estimate; medians are printed beside it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ae.evaluators import sandbox  # noqa: E402

TARGET_MS = 30.0
COMMAND = ["/bin/true"]
ENV = {"PATH": "/usr/bin:/bin"}


def timed(step: Callable[[], object], repetitions: int) -> list[float]:
    """Return the wall time in ms of each of `repetitions` calls of `step` (after one warm-up)."""
    step()
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Measure the bare command, the sandbox and the unsandboxed mode; print the result."""
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory(prefix="ae-bench-sandbox-") as name:
        root = Path(name)
        work = root / "work"
        work.mkdir()
        out, err = root / "stdout", root / "stderr"

        def bare() -> None:
            with open(out, "wb") as o, open(err, "wb") as e:
                subprocess.run(COMMAND, stdout=o, stderr=e, env=ENV, cwd=work, check=True)

        def boxed(mode: str) -> Callable[[], object]:
            def step() -> object:
                result = sandbox.run(COMMAND, work_dir=work, env=ENV, stdout_path=out,
                                     stderr_path=err, mode=mode)
                assert result.termination == "ok", result
                return result
            return step

        inside = sandbox.run(COMMAND, work_dir=work, env=ENV, stdout_path=out, stderr_path=err)
        rows = {
            "bare": timed(bare, repetitions),
            "sandbox (bwrap)": timed(boxed("auto"), repetitions),
            "supervisor only (mode none)": timed(boxed("none"), repetitions),
        }
    base, base_median = min(rows["bare"]), statistics.median(rows["bare"])
    print(f"{'/bin/true, ' + str(repetitions) + ' runs':<30} {'min ms':>8} {'median ms':>10} "
          f"{'p90 ms':>8} {'cost (min)':>11} {'cost (median)':>14}")
    for label, samples in rows.items():
        p90 = statistics.quantiles(samples, n=10)[-1]
        median = statistics.median(samples)
        print(f"{label:<30} {min(samples):>8.2f} {median:>10.2f} {p90:>8.2f} "
              f"{min(samples) - base:>11.2f} {median - base_median:>14.2f}")
    print(f"wall time the sandbox reports for the command itself: {inside.wall_s * 1000:.2f} ms")
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    ours = min(rows["sandbox (bwrap)"]) - base
    print(json.dumps({
        "benchmark": "sandbox", "ours": round(ours, 2), "baseline": round(base, 2),
        "ratio": round((base + ours) / base, 2), "target": f"<= {TARGET_MS:g} ms fixed cost",
        "met": ours <= TARGET_MS,
    }))


if __name__ == "__main__":
    main()
