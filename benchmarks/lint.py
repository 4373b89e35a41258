r"""Appendix lint time: typical appendices (target p95 < 20 ms), 1 MB pathological ones (< 200 ms).

Generates, with a fixed seed, 100 filled-in appendices in the shapes the parser supports (cTuning
LaTeX and Markdown with all 22 check-list items, USENIX claims/experiments in LaTeX and Markdown,
SC AD/AE, free text), 1 to 4 pages each, adds the real public appendices of the test corpus
(tests/checklist/data/<family>/), then times `lint()` on each one (the median of 5 runs, so a busy
machine does not decide the result) with every badge requested. Then it times the inputs that
were reported slow, at 1 MB each (backticks, repeated `\subsection{`, a check-list; the median of
3 runs). Prints p50/p95 per family and overall, the pathological times, and ends with one JSON
line (DESIGN.md §12).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ae.checklist import lint  # noqa: E402
from ae.checklist.labels import ITEMS  # noqa: E402

TARGET_MS = 20.0
COUNT = 100
RUNS = 5
BADGES = ("available", "functional", "reusable", "reproduced")
WORDS = ("kernel", "GPU", "latency", "throughput", "trace", "compiler", "cache", "the", "of",
         "runs", "within", "percent", "figure", "table", "speed-up", "benchmark", "script",
         "dataset", "model", "scheduler", "memory", "threads", "results", "baseline", "and")


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paragraphs(rng: random.Random, scale: int) -> str:
    return "\n\n".join(_prose(rng, rng.randint(20, 60)) for _ in range(scale))


def ctuning_latex(rng: random.Random, scale: int) -> str:
    items = "\n".join(f"  \\item {{\\bf {label}: }} {_prose(rng, rng.randint(2, 8))}"
                      for _, label in ITEMS)
    sections = ["Installation", "Experiment workflow", "Evaluation and expected results",
                "Experiment customization", "Notes"]
    body = "\n".join(f"\\subsection{{{s}}}\n{_paragraphs(rng, scale)}" for s in sections)
    return (f"\\appendix\n\\section{{Artifact Appendix}}\n\\subsection{{Abstract}}\n"
            f"{_paragraphs(rng, scale)}\n\\subsection{{Artifact check-list (meta-information)}}\n"
            f"{{\\small\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}\n}}\n"
            f"\\subsection{{Description}}\n\\subsubsection{{How to access}}\n"
            f"DOI 10.5281/zenodo.{rng.randint(10**6, 10**7)}. {_paragraphs(rng, 1)}\n{body}\n")


def ctuning_md(rng: random.Random, scale: int) -> str:
    items = "\n".join(f"* **{label}:** {_prose(rng, rng.randint(2, 8))}" for _, label in ITEMS)
    sections = ["Installation", "Experiment workflow", "Evaluation and expected results",
                "Experiment customization", "Reusability", "Notes"]
    body = "\n\n".join(f"## {s}\n\n{_paragraphs(rng, scale)}" for s in sections)
    claims = "\n".join(
        f'[[claim]]\nid = "c{i}"\nmetric = "execution_time"\nexpected = {rng.uniform(0.1, 9):.2f}'
        f'\ntolerance = "10%"\n' for i in range(rng.randint(1, 6)))
    return (f"# Artifact Appendix\n\n## Abstract\n\n{_paragraphs(rng, scale)}\n\n"
            f"## Artifact check-list (meta-information)\n\n{items}\n\n## Description\n\n"
            f"### How to access\n\n10.5281/zenodo.{rng.randint(10**6, 10**7)}\n\n{body}\n\n"
            f"```claims\n{claims}```\n")


def usenix(rng: random.Random, scale: int) -> str:
    n = rng.randint(2, 6)
    claims = "\n".join(f"  \\item (C{i}): {_prose(rng, 15)} Proven by experiment (E{i})."
                       for i in range(1, n + 1))
    experiments = "\n\n".join(
        f"\\textbf{{Experiment (E{i}):}} [Name {i}] [{rng.randint(5, 60)} human-minutes + "
        f"{rng.randint(1, 5)} compute-hours]: {_prose(rng, 20)}\n\n\\textit{{[Preparation]}} "
        f"{_prose(rng, 10)}\n\n\\textit{{[Execution]}} {_prose(rng, 10)}\n\n"
        f"\\textit{{[Results]}} {_prose(rng, 10)} (C{i})" for i in range(1, n + 1))
    return (f"\\appendix\n\\section{{Artifact Appendix}}\n\\subsection{{Abstract}}\n"
            f"{_paragraphs(rng, scale)}\n\\subsection{{Description \\& Requirements}}\n"
            f"\\subsubsection{{How to access}}\n10.5281/zenodo.{rng.randint(10**6, 10**7)}\n"
            f"\\subsubsection{{Hardware dependencies}}\n{_paragraphs(rng, 1)}\n"
            f"\\subsubsection{{Software dependencies}}\n{_paragraphs(rng, 1)}\n"
            f"\\subsubsection{{Benchmarks}}\nNone.\n\\subsection{{Set-up}}\n{_paragraphs(rng, scale)}"
            f"\n\\subsection{{Evaluation workflow}}\n\\subsubsection{{Major Claims}}\n"
            f"\\begin{{itemize}}\n{claims}\n\\end{{itemize}}\n\\subsubsection{{Experiments}}\n"
            f"{experiments}\n\\subsection{{Notes on Reusability}}\n{_paragraphs(rng, scale)}\n")


def usenix_md(rng: random.Random, scale: int) -> str:
    n = rng.randint(2, 6)
    claims = "\n".join(f"- **(C{i})**: {_prose(rng, 15)} See E{i}." for i in range(1, n + 1))
    experiments = "\n\n".join(
        f"#### Experiment (E{i}): name [{rng.randint(5, 60)} human-minutes + "
        f"{rng.randint(1, 5)} compute-hours]\n\n**Execution:** {_prose(rng, 12)}\n\n"
        f"**Results:** {_prose(rng, 12)} (C{i})" for i in range(1, n + 1))
    return (f"# Artifact Appendix\n\n## Abstract\n\n{_paragraphs(rng, scale)}\n\n"
            f"## Description & Requirements\n\n### How to access\n\n"
            f"10.5281/zenodo.{rng.randint(10**6, 10**7)}\n\n## Set-up\n\n{_paragraphs(rng, scale)}"
            f"\n\n## Evaluation workflow\n\n### Major Claims\n\n{claims}\n\n### Experiments\n\n"
            f"{experiments}\n")


def sc(rng: random.Random, scale: int) -> str:
    n = rng.randint(1, 4)
    contributions = "\n".join(f"\\item[$C_{i}$] {_prose(rng, 12)}" for i in range(1, n + 2))
    artifacts = "\n".join(f"\\item[$A_{i}$] https://doi.org/10.5281/zenodo.{rng.randint(10**6, 10**7)}"
                          for i in range(1, n + 1))
    rows = "\n".join(f"$A_{i}$ & $C_{i}$ & Figure {i} \\\\" for i in range(1, n + 1))
    parts = "\n".join(
        f"\\newartifact\n\\artrel\n{_prose(rng, 20)}\n\\artexp\n{_prose(rng, 20)}\n\\arttime\n"
        f"{rng.randint(10, 300)}\n\\artin\n\\artinpart{{Hardware}}\n{_prose(rng, 10)}\n"
        f"\\artinpart{{Software}}\n{_prose(rng, 10)}\n\\artcomp\n{_paragraphs(rng, scale)}\n"
        f"\\artout\n{_paragraphs(rng, scale)}" for _ in range(n))
    evaluation = "\n".join(f"\\arteval{{{i}}}\n\\artin\n{_prose(rng, 10)}\n\\artcomp\n"
                           f"{_prose(rng, 10)}\n\\artout\n{_prose(rng, 10)}"
                           for i in range(1, n + 1))
    return (f"\\appendixAD\n\\section{{Overview of Contributions and Artifacts}}\n"
            f"\\subsection{{Paper's Main Contributions}}\n\\begin{{description}}\n{contributions}"
            f"\n\\end{{description}}\n\\subsection{{Computational Artifacts}}\n"
            f"\\begin{{description}}\n{artifacts}\n\\end{{description}}\n"
            f"\\begin{{tabular}}{{rll}}\n{rows}\n\\end{{tabular}}\n"
            f"\\section{{Artifact Identification}}\n{parts}\n\\appendixAE\n{evaluation}\n")


def free(rng: random.Random, scale: int) -> str:
    return f"Reproducing the results\n=======================\n\n{_paragraphs(rng, 3 * scale)}\n"


GENERATORS: dict[str, Callable[[random.Random, int], str]] = {
    "ctuning-latex": ctuning_latex, "ctuning-md": ctuning_md, "usenix": usenix,
    "usenix-md": usenix_md, "sc": sc, "free": free,
}


def corpus(seed: int = 20260101) -> list[tuple[str, str]]:
    """Return COUNT (kind, text) appendices, every kind present, 1 to 4 pages each."""
    rng = random.Random(seed)
    kinds = list(GENERATORS)
    return [(kind, GENERATORS[kind](rng, rng.randint(1, 4)))
            for kind in (kinds[i % len(kinds)] for i in range(COUNT))]


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) by linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


MEGABYTE = 1_000_000
PATHOLOGICAL_TARGET_MS = 200.0
_CHECKLIST = "".join(f"* **{label}:** x\n" for _, label in ITEMS)
PATHOLOGICAL: dict[str, tuple[str, str]] = {
    "backticks": ("appendix.md", "# Abstract\n" + "`" * MEGABYTE),
    "subsection{": ("ae.tex", "\\subsection{" * (MEGABYTE // 12)),
    "check-list": ("appendix.md", "## Artifact check-list\n" + _CHECKLIST * (MEGABYTE // len(_CHECKLIST))),
}


def real_corpus() -> list[tuple[str, str]]:
    """Return (family folder, text) of the real appendices the tests hold (empty when absent)."""
    data = ROOT / "tests" / "checklist" / "data"
    return [(f"real-{path.parent.name}", path.read_text(encoding="utf-8", errors="replace"))
            for path in sorted(data.glob("*/*"))
            if path.suffix in (".md", ".tex") and path.name != "README.md"]


def pathological() -> dict[str, float]:
    """Return the median lint time (ms) of each 1 MB pathological appendix."""
    times = {}
    for name, (filename, text) in PATHOLOGICAL.items():
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            lint(text, filename=filename, badges=BADGES)
            samples.append((time.perf_counter() - start) * 1000)
        times[name] = statistics.median(samples)
    return times


def main() -> None:
    appendices = corpus() + real_corpus()
    lint(appendices[0][1], badges=BADGES)  # warm up imports and regex compilation
    times: dict[str, list[float]] = {}
    words: list[int] = []
    for kind, text in appendices:
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            report = lint(text, badges=BADGES)
            samples.append((time.perf_counter() - start) * 1000)
        times.setdefault(kind, []).append(statistics.median(samples))
        words.append(report.appendix.words)
        expected = "usenix" if kind == "usenix-md" else kind
        if not kind.startswith("real-") and report.family != expected:
            raise SystemExit(f"generated {kind} appendix was detected as {report.family}")
    print(f"{len(appendices)} appendices ({COUNT} generated, {len(appendices) - COUNT} real), "
          f"{min(words)}-{max(words)} words (median {statistics.median(words):.0f}), "
          f"median of {RUNS} runs each")
    print(f"{'family':<14} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    every = [t for ts in times.values() for t in ts]
    for kind, ts in [*times.items(), ("all", every)]:
        print(f"{kind:<14} {len(ts):>3} {percentile(ts, 0.5):>8.2f} {percentile(ts, 0.95):>8.2f} "
              f"{max(ts):>8.2f}")
    p95 = percentile(every, 0.95)
    slow = pathological()
    print(f"{'1 MB pathological':<18} {'ms':>8}")
    for name, ms in slow.items():
        print(f"{name:<18} {ms:>8.1f}")
    worst = max(slow.values())
    print(json.dumps({"benchmark": "lint", "ours": round(p95, 3), "baseline": None,
                      "ratio": round(p95 / TARGET_MS, 3), "pathological_ms": round(worst, 1),
                      "pathological_ratio": round(worst / PATHOLOGICAL_TARGET_MS, 3),
                      "target": "p95 < 20 ms; 1 MB pathological appendix < 200 ms",
                      "met": p95 < TARGET_MS and worst < PATHOLOGICAL_TARGET_MS}))


if __name__ == "__main__":
    main()
