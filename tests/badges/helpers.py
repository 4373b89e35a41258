"""Artifacts as an evaluation leaves them, made directly in the database, for the badge tests."""

from __future__ import annotations

import re
from typing import Any

from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, VerdictRecord


def evaluated(app: Any, title: str, *, conference: str = "ppopp-2019", owner: str | None = None,
              commit: str | None = "c" * 40, outcomes: tuple[str, ...] = ("reproduced", "reproduced")) -> str:
    """Store an evaluated artifact (pinned commit, snapshot, verdicts, recommendations); return its id."""
    with app.app_context(), session_scope() as session:
        artifact = Artifact(conference=conference, title=title, source="https://github.com/example/sort",
                            requested_badges=["replicated"], owner_id=owner)
        version = ArtifactVersion(artifact_id=artifact.id, ref="main", commit=commit,
                                  snapshot_digest="sha256:" + "d" * 64, status="submitted",
                                  checklist={"dois": [{"value": "10.5281/zenodo.42"}], "ok": True},
                                  recommended_badges={"scheme": "acm-1.0", "badges": [
                                      {"badge": "replicated", "title": "Results Replicated",
                                       "status": "recommended",
                                       "why": "all 2 claims reproduced on our workers",
                                       "reasons": []}]})
        session.add_all([artifact, version])
        session.flush()
        for n, outcome in enumerate(outcomes):
            session.add(VerdictRecord(version_id=version.id, claim_id=f"c{n}", outcome=outcome, reason="r"))
        return artifact.id


def csrf(client: Any, path: str = "/badges/verify") -> str:
    """Return the CSRF token of a page (its meta tag)."""
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, "the page carries a CSRF token"
    return found.group(1)
