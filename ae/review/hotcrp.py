"""HotCRP JSON: importing its submissions (papers: pid, title, authors with e-mails, abstract) onto
the conference's artifacts, and exporting reviews and decisions in HotCRP's shape.

A paper is matched to an artifact by the pid imported before, else by its title (case, spacing and
punctuation ignored); papers matching no artifact are reported, not created (an artifact needs its
source). The import is all or nothing: one malformed paper refuses the file, naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from ae.errors import AeError
from ae.review import decisions
from ae.review.forms import FormField
from ae.storage.models import Artifact, Paper, Review, User, utcnow

MAX_BYTES = 16 * 1024 * 1024
_DECISIONS = {"accepted": "Artifact passed evaluation with at least one badge",
              "rejected": "Artifact did not pass evaluation"}


class HotcrpError(AeError):
    """A HotCRP file cannot be imported."""


@dataclass
class Imported:
    """What an import did: papers attached to artifacts, papers that match none."""

    matched: list[tuple[int, str]] = field(default_factory=list)  # (pid, artifact id)
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (pid, title)


def _key(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))


def _authors(where: str, items: Any) -> list[dict[str, str]]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise HotcrpError(f"{where}: authors must be a list")
    found = []
    for item in items:
        if not isinstance(item, dict):
            raise HotcrpError(f"{where}: each author is an object (first, last, email, affiliation)")
        name = " ".join(str(item.get(k) or "").strip() for k in ("first", "last")).strip() or str(
            item.get("name") or "").strip()
        email = str(item.get("email") or "").strip().lower()
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            raise HotcrpError(f"{where}: author e-mail {email[:80]!r} is not an address")
        found.append({"name": name[:200], "email": email[:200],
                      "affiliation": str(item.get("affiliation") or "")[:200]})
    return found


def parse(data: bytes | str) -> list[dict[str, Any]]:
    """Read HotCRP's submissions JSON (a list of papers, or {"papers": [...]}) into checked dicts."""
    if len(data) > MAX_BYTES:
        raise HotcrpError(f"the HotCRP file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        loaded = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HotcrpError(f"not JSON: {exc}") from None
    papers = loaded.get("papers") if isinstance(loaded, dict) else loaded
    if not isinstance(papers, list):
        raise HotcrpError("HotCRP's export is a list of papers (or an object with \"papers\")")
    found, seen = [], set()
    for n, paper in enumerate(papers, 1):
        if not isinstance(paper, dict):
            raise HotcrpError(f"paper {n}: not an object")
        pid, title = paper.get("pid"), paper.get("title")
        where = f"paper {n} (pid {pid!r})"
        if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
            raise HotcrpError(f"paper {n}: pid must be a positive number (got {pid!r})")
        if pid in seen:
            raise HotcrpError(f"{where}: pid {pid} appears twice")
        seen.add(pid)
        if not isinstance(title, str) or not title.strip():
            raise HotcrpError(f"{where}: needs a title")
        abstract = paper.get("abstract") or ""
        if not isinstance(abstract, str):
            raise HotcrpError(f"{where}: abstract must be text")
        found.append({"pid": pid, "title": title.strip()[:500], "abstract": abstract.strip()[:20000],
                      "authors": _authors(where, paper.get("authors"))})
    return found


def import_papers(*, session: Session, conference: str, data: bytes | str) -> Imported:
    """Attach HotCRP's papers to the conference's artifacts (by pid, else by title)."""
    papers = parse(data)
    artifacts = list(session.exec(select(Artifact).where(Artifact.conference == conference)))
    ids = [a.id for a in artifacts]
    existing = {p.artifact_id: p for p in session.exec(select(Paper).where(col(Paper.artifact_id).in_(ids)))}
    by_pid = {p.hotcrp_pid: p.artifact_id for p in existing.values() if p.hotcrp_pid is not None}
    by_title: dict[str, list[str]] = {}
    for artifact in artifacts:
        by_title.setdefault(_key(artifact.title), []).append(artifact.id)
    done = Imported()
    for paper in papers:
        candidates = by_title.get(_key(paper["title"]), [])
        artifact_id = by_pid.get(paper["pid"]) or (candidates[0] if len(candidates) == 1 else None)
        if artifact_id is None:
            done.unmatched.append((paper["pid"], paper["title"]))
            continue
        row = existing.get(artifact_id) or Paper(artifact_id=artifact_id)
        row.hotcrp_pid, row.abstract, row.authors = paper["pid"], paper["abstract"], paper["authors"]
        row.imported_at = utcnow()
        session.add(row)
        existing[artifact_id] = row
        done.matched.append((paper["pid"], artifact_id))
    return done


def export(*, session: Session, conference: str, fields: Sequence[FormField]) -> list[dict[str, Any]]:
    """Return the conference's reviews and decisions in HotCRP's JSON shape, one object per paper."""
    artifacts = list(session.exec(select(Artifact).where(Artifact.conference == conference)
                                  .order_by(col(Artifact.created_at), col(Artifact.id))))
    ids = [a.id for a in artifacts]
    papers = {p.artifact_id: p for p in session.exec(select(Paper).where(col(Paper.artifact_id).in_(ids)))}
    decided = decisions.decisions_of(session=session, artifact_ids=ids)
    reviews = list(session.exec(select(Review).where(col(Review.artifact_id).in_(ids),
                                                     col(Review.submitted_at).is_not(None))
                                .order_by(col(Review.created_at))))
    writers = sorted({r.user_id for r in reviews})
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(writers)))}
    labels = {f.key: f.label for f in fields}
    out = []
    for artifact in artifacts:
        paper, decision = papers.get(artifact.id), decided.get(artifact.id)
        entry: dict[str, Any] = {"pid": paper.hotcrp_pid if paper else None, "title": artifact.title,
                                 "ae_artifact": artifact.id}
        if decision is not None:
            entry["decision"] = _DECISIONS[decision.outcome]
            entry["tags"] = [f"badge:{b}" for b in decision.badges]
            entry["decision_comment"] = decision.text
        entry["reviews"] = []
        for n, review in enumerate(r for r in reviews if r.artifact_id == artifact.id):
            reviewer = users.get(review.user_id)
            entry["reviews"].append({
                "rid": n + 1, "round": review.round,
                "reviewer": reviewer.name if reviewer else None,
                "reviewer_email": reviewer.email if reviewer else None,
                "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
                **{labels.get(k, k): v for k, v in review.answers.items()}})
        out.append(entry)
    return out
