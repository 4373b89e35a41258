"""Report data the report tests share: a small artifact report, an empty one, and a full one with
every section, a plot per measured claim and values long and hostile enough to test the layout."""

from __future__ import annotations

from dataclasses import replace

from ae.reports.artifact import ArtifactReport
from ae.verdicts.plot import claim_svg

REPORT = ArtifactReport(
    title="Fast <script>alert(1)</script> sorting", conference="ppopp-2019",
    source="https://example.org/sort.git", version=2, commit="0123456789abcdef0123456789abcdef01234567",
    snapshot_digest="ab" * 32, status="done",
    claims=[
        {"id": "c1", "text": "1|2 <b>10 s</b>", "metric": "execution_time", "claimed": "≈ 10 s",
         "measured": "10.2 s", "ci": "[1.010, 1.030]", "outcome": "reproduced",
         "reason": "median of 3 runs within ±8 %"},
        {"id": "out", "text": "prints the sorted list", "metric": "output", "claimed": "reference output",
         "measured": "—", "ci": "—", "outcome": "not-reproduced", "reason": "output differs"},
    ],
    runs=[
        {"program": "sort", "cmd_key": "default", "dataset": "—", "repetitions": 3, "status": "succeeded",
         "median_time": "10.2", "time_source": "program timer", "failure": ""},
        {"program": "sort", "cmd_key": "big", "dataset": "list-1m", "repetitions": 5, "status": "failed",
         "median_time": "—", "time_source": "wall clock ×3, program timer ×2",
         "failure": "timeout: killed after 60 s"},
    ],
    badges=[
        {"badge": "available", "title": "Artifacts Available", "status": "recommended",
         "why": "DOI 10.5281/zenodo.1 and commit 0123456789ab are pinned"},
        {"badge": "reproduced", "title": "Results Reproduced", "status": "not-recommended",
         "why": "1 of 2 claims not reproduced"},
    ],
    platform={"arch": "x86_64", "os": "linux", "cores": 2},
    checklist={"ok": False, "findings": [{"severity": "error", "message": "no <DOI> given", "line": 3},
                                         {"severity": "warning", "message": "no licence"}]},
    dependencies=[{"repo": "ck-env", "url": "https://github.com/ctuning/ck-env", "commit": "abc1234",
                   "pinned_by": "conference", "required_by": "sort"}],
)

EMPTY = ArtifactReport(title="Bare", conference="usenix-sec-2024", source="/srv/bare.tar.gz", version=1,
                       commit=None, snapshot_digest=None, status="failed")

LONG_URL = "https://git.example.org/" + "very-long-group-name/" * 6 + "repository-without-any-space.git"
LONG_METRIC = "##characteristics#run#" + "nested_characteristic_without_spaces_" * 3 + "execution_time"
SAMPLES = [10.1, 10.3, 9.9, 10.2, 10.0]


def _svg() -> str:
    return claim_svg(SAMPLES, claimed=10.0, band=(0.92, 1.08), scale="ratio", measured_ci=(9.95, 10.25),
                     label="execution_time (s)")


def full() -> ArtifactReport:
    """Return a report with every section filled, long unbreakable values and a plot."""
    samples = [{"run": "0123456789ab", "repetition": n + 1, "value": f"{v} s", "raw": v,
                "source": "program timer" if n % 2 else "wall clock"} for n, v in enumerate(SAMPLES)]
    claims = [
        {**REPORT.claims[0], "text": "Sorting " + "x" * 160 + " is fast", "metric": LONG_METRIC,
         "samples": samples, "samples_left_out": 0, "svg": _svg()},
        REPORT.claims[1],
    ]
    return replace(
        REPORT, artifact_id="a1b2c3d4e5f6a7b8c9d0", conference_name="PPoPP 2019", scheme="acm-1.1",
        scheme_version="1.1", doi="10.5281/zenodo.1", source=LONG_URL, claims=claims,
        paper={"pid_text": "HotCRP paper #12", "authors": ["Ada <Lovelace>"]},
        dependencies=[{**REPORT.dependencies[0], "url": LONG_URL + "?a=1&b=2"}],
        headline=[{"badge": "available", "title": "Artifacts Available", "requested": True,
                   "outcome": "awarded", "basis": "issued on 2026-11-29 (credential below)"},
                  {"badge": "reproduced", "title": "Results Reproduced", "requested": True,
                   "outcome": "not awarded", "basis": "the chair's decision"}],
        failures=[{"kind": "timeout", "count": 1, "runs": ["sort big on list-1m: killed after 60 s"]}],
        environment={"declared": [{"label": "Hardware", "value": "x86-64, 4 cores, " + "y" * 120}],
                     "first": "worker-1", "other": "worker-2",
                     "between": "2 distinct platforms; the first two",
                     "differences": [{"key": "cpu.model", "author": "Xeon E5", "worker": "EPYC 7763",
                                      "status": "changed"}]},
        changes={"from": 1, "lines": ["commit 0000000000aa → 0123456789ab",
                                      "claim c1: not-reproduced → reproduced",
                                      "sort default: execution_time changed (×0.5)"]},
        reviews=[{"evaluator": "Evaluator A", "round": "full-evaluation",
                  "answers": [{"label": "Results Reproduced", "value": "yes"},
                              {"label": "Comments for the authors", "value": "Worked **well** | nice"}]}],
        threads=[{"about": "claim c1", "messages": [{"by": "Evaluator A", "body": "Which compiler?"},
                                                    {"by": "Author", "body": "gcc 12 [see](javascript:x)"}]}],
        decision={"outcome": "accepted", "badges": ["Artifacts Available"], "text": "Thank you."},
        issued=[{"badge": "available", "title": "Artifacts Available", "issued": "2026-11-29",
                 "status": "valid", "url": "https://ae.example.org/badges/00ff",
                 "verify": "https://ae.example.org/badges/verify"}],
        generated_at="2026-11-30 10:00 UTC",
    )
