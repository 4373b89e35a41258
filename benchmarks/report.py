"""Report rendering: a typical artifact's PDF (< 1 s) and a 100-artifact conference report (< 10 s).

Both are timed from plain report data, as `ae report` and the evaluation pass render them: the
artifact report includes drawing its per-claim plots (matplotlib SVG), Markdown -> HTML and
WeasyPrint's PDF; the conference report is HTML -> PDF of 100 results and one-liners, plus its CSV
and JSON. The baseline, measured in the same run on the same machine, is WeasyPrint rendering a
trivial one-paragraph page: the ratios say how many "empty PDFs" each report costs, which stays
comparable across machines where the absolute times do not. Prints a table, ends with a JSON line.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ae.reports import artifact, conference  # noqa: E402
from ae.reports.pdf import render_pdf  # noqa: E402
from ae.verdicts.plot import claim_svg  # noqa: E402

ROUNDS = int(os.environ.get("AE_BENCH_ROUNDS", "5"))
ARTIFACT_TARGET_S, CONFERENCE_TARGET_S = 1.0, 10.0
TRIVIAL = "<!doctype html><html><head><meta charset='utf-8'></head><body><p>Hello.</p></body></html>"


def timed(work: Callable[[], object], rounds: int = ROUNDS) -> tuple[list[float], list[float]]:
    """Return the wall and CPU seconds of `rounds` runs of `work`."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def pages(pdf: bytes) -> str:
    """Count the pages of a PDF with poppler's pdfinfo ("?" without it)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, timeout=60)
    found = re.search(rb"^Pages:\s+(\d+)", done.stdout, re.M)
    return found.group(1).decode() if found else "?"


def typical_artifact(rng: random.Random) -> tuple[artifact.ArtifactReport, list[list[float]]]:
    """Return the data of a typical report: 5 claims (4 measured, with plots), 6 runs, 2 reviews."""
    claims: list[dict[str, object]] = []
    samples: list[list[float]] = []
    for n in range(5):
        values = [10 + rng.gauss(0, 0.3) for _ in range(7)]
        row: dict[str, object] = {
               "id": f"c{n}", "text": f"Kernel {n} runs in about 10 s on 4 cores", "metric": "execution_time",
               "claimed": "≈ 10 s", "measured": f"{statistics.median(values):.4g} s", "ci": "[0.990, 1.020]",
               "outcome": "reproduced", "reason": "the 95 % CI of the median ratio lies inside [0.92, 1.08]"}
        if n < 4:
            row["samples"] = [{"run": f"{n:012x}", "repetition": k + 1, "value": f"{v:.4g} s", "raw": v,
                               "source": "program timer"} for k, v in enumerate(values)]
            row["svg"] = ""  # drawn in the timed part
            samples.append(values)
        claims.append(row)
    runs = [{"program": "kernel", "cmd_key": f"size-{n}", "dataset": "—", "repetitions": 7,
             "status": "succeeded" if n else "failed", "median_time": "10.1", "time_source": "program timer",
             "failure": "" if n else "timeout: killed after 600 s"} for n in range(6)]
    findings = [{"severity": "warning", "message": f"item {n} is empty", "line": 10 + n} for n in range(10)]
    reviews = [{"evaluator": f"Evaluator {x}", "round": "full-evaluation",
                "answers": [{"label": "Results Reproduced", "value": "yes"},
                            {"label": "Comments for the authors", "value": "Clear instructions. " * 20}]}
               for x in "AB"]
    report = artifact.ArtifactReport(
        title="A typical artifact", conference="ppopp-2019", source="https://github.com/example/kernels.git",
        version=1, commit="c" * 40, snapshot_digest="d" * 64, status="done", claims=claims, runs=runs,
        badges=[{"title": "Artifacts Available", "status": "recommended", "why": "DOI, commit pinned"}],
        platform={"arch": "x86_64", "cores": 4, "cpu": "EPYC 7763", "os": "Debian 12"},
        checklist={"findings": findings}, artifact_id="a" * 32, conference_name="PPoPP 2019",
        scheme="acm-1.1", scheme_version="1.1", reviews=reviews, generated_at="2026-11-30 10:00 UTC",
        failures=[{"kind": "timeout", "count": 1, "runs": ["kernel size-0: killed after 600 s"]}])
    return report, samples


def artifact_pdf(report: artifact.ArtifactReport, samples: list[list[float]]) -> bytes:
    """Draw the plots, render the HTML and its PDF (what the evaluation pass does)."""
    claims = list(report.claims)
    for n, values in enumerate(samples):
        svg = claim_svg(values, claimed=10.0, band=(0.92, 1.08), scale="ratio", measured_ci=(9.9, 10.2),
                        label="execution_time (s)")
        claims[n] = {**claims[n], "svg": svg}
    return render_pdf(artifact.to_html(replace(report, claims=claims)))


def big_conference(rng: random.Random, size: int = 100) -> conference.ConferenceReport:
    """Return a conference report of `size` artifacts."""
    titles = ["Artifacts Available", "Artifacts Evaluated – Functional", "Results Reproduced"]
    results, lines = [], []
    for n in range(size):
        claims = rng.randint(1, 8)
        row = {"artifact_id": f"{n:032x}", "title": f"Artifact {n}: a paper title of ordinary length",
               "version": rng.randint(1, 3), "status": "done", "claims": claims,
               "reproduced": rng.randint(0, claims), "requested": titles,
               "recommended": titles[:rng.randint(0, 3)],
               "decision": rng.choice(["accepted", "rejected", "pending"]), "awarded": titles[:1],
               "issued": titles[:1], "doi": f"10.5281/zenodo.{n}", "commit": "c" * 40}
        results.append(row)
        lines.append(f"{row['title']} ({n:08x}, version {row['version']}, done): {row['reproduced']} of "
                     f"{claims} claims reproduced; runs: 5 succeeded; recommended: "
                     f"{', '.join(row['recommended']) or 'none'}; decision: {row['decision']}; issued: none")
    badges = [{"badge": t, "title": t, "requested": size, "recommended": 60, "not_recommended": 40,
               "awarded": 50, "issued": 45, "revoked": 1} for t in titles]
    timeline = [{"phase": p, "starts": "2018-11-23", "ends": "2018-12-19", "state": "over", "submitted": 10,
                 "evaluated": 10, "reviews": 20, "decisions": 10, "issued": 5}
                for p in ("bidding", "kick-the-tires", "full-evaluation", "discussion", "decision")]
    return conference.ConferenceReport(
        slug="big-2026", name="Big 2026", scheme="acm-1.1", scheme_version="1.1", today="2026-11-30",
        badges=badges, timeline=timeline, results=results, lines=lines,
        summary={"artifacts": size, "statuses": {"done": size}}, generated_at="2026-11-30 10:00 UTC")


def conference_files(report: conference.ConferenceReport) -> bytes:
    """Render the conference report's PDF, CSV and JSON."""
    conference.to_csv(report)
    conference.to_json(report)
    return render_pdf(conference.to_html(report))


def main() -> None:
    rng = random.Random(18)
    typical, samples = typical_artifact(rng)
    big = big_conference(rng)
    render_pdf(TRIVIAL)  # warm-up: imports, fonts
    artifact_pdf(typical, samples)
    rows = {
        "baseline: trivial page -> PDF": timed(lambda: render_pdf(TRIVIAL)),
        "typical artifact: plots + HTML + PDF": timed(lambda: artifact_pdf(typical, samples)),
        "100-artifact conference: HTML + PDF + CSV + JSON": timed(lambda: conference_files(big),
                                                                  max(2, ROUNDS // 2)),
    }
    counted = {"typical artifact": pages(artifact_pdf(typical, samples)),
               "conference": pages(conference_files(big))}
    base = statistics.median(rows["baseline: trivial page -> PDF"][0])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {ROUNDS} rounds; pages {counted}")
    print(f"{'what':<52} {'median s':>9} {'max s':>8} {'CPU s':>7} {'× baseline':>11}")
    for name, (wall, cpu) in rows.items():
        median = statistics.median(wall)
        print(f"{name:<52} {median:>9.3f} {max(wall):>8.3f} {statistics.median(cpu):>7.3f} "
              f"{median / base:>11.1f}")
    ours_a = statistics.median(rows["typical artifact: plots + HTML + PDF"][0])
    ours_c = statistics.median(rows["100-artifact conference: HTML + PDF + CSV + JSON"][0])
    cpu_a = statistics.median(rows["typical artifact: plots + HTML + PDF"][1])
    print(json.dumps({"benchmark": "report", "baseline": round(base, 4),
                      "artifact": round(ours_a, 3), "artifact_cpu": round(cpu_a, 3),
                      "artifact_ratio": round(ours_a / base, 1),
                      "conference": round(ours_c, 3), "conference_ratio": round(ours_c / base, 1),
                      "target": f"artifact < {ARTIFACT_TARGET_S:g} s, 100-artifact conference < "
                                f"{CONFERENCE_TARGET_S:g} s",
                      "met": ours_a < ARTIFACT_TARGET_S and ours_c < CONFERENCE_TARGET_S}))


if __name__ == "__main__":
    main()
