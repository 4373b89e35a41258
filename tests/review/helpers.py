"""Artifacts as an evaluation leaves them, for the review tests (a claim, a run with logs and samples)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Made:
    """An artifact made for a test: its id, its version's id, the run's id."""

    artifact: str
    version: str
    run: str


def make_artifact(app: Any, owner_id: str, *, title: str = "Review me", data_dir: Path | None = None,
                  samples: tuple[float, ...] = (3.14159, 3.14158, 3.14160), evaluated: bool = False) -> Made:
    """Store an artifact of `owner_id` with one version, the claim "pi" and one succeeded run;
    `evaluated`: also judged, with badges recommended and its HTML/PDF report written (needs `data_dir`)."""
    from ae import conferences
    from ae.checklist.claims import Claim
    from ae.evaluation import evaluate
    from ae.evaluators.record import RunRecord
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact, ArtifactVersion, ClaimRecord, Run

    claim = Claim(id="pi", text="pi to five places", metric="pi", expected=3.14159, program="pi")
    with app.app_context(), session_scope() as session:
        artifact = Artifact(conference="ppopp-2019", title=title, source="https://git.ae.test/a.git",
                            requested_badges=["reproduced"], owner_id=owner_id)
        version = ArtifactVersion(artifact_id=artifact.id, ref="main", commit="a" * 40, status="running")
        record = RunRecord(ok=True, failure_kind=None, message="", program="pi", cmd_key="default",
                           dataset=None, outputs={"result.txt": "0" * 64})
        for value in samples:
            record.add_sample({"pi": value, "execution_time": 0.1}, "wall")
        run = Run(version_id=version.id, program="pi", cmd_key="default", status="succeeded",
                  repetitions=len(samples), samples=record.samples,
                  record={**record.to_dict(), "logs": {"stdout": "stdout.log", "stderr": "stderr.log"}})
        if data_dir is not None:
            work = data_dir / "runs" / run.id
            (work / "tmp").mkdir(parents=True)
            (work / "stdout.log").write_text("pi = 3.14159\ndone\n")
            (work / "stderr.log").write_text("")
            (work / "tmp" / "result.txt").write_text("3.14159\n")
        session.add_all([artifact, version, run])
        session.flush()
        session.add(ClaimRecord(version_id=version.id, claim_id=claim.id, data=claim.to_dict()))
        if evaluated:
            assert data_dir is not None
            evaluate(session=session, version=version, artifact=artifact, runs=[run], claims=[claim],
                     conference=conferences.get("ppopp-2019"), data_dir=data_dir)
        return Made(artifact.id, version.id, run.id)
