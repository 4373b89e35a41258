"""Anonymous threads between an artifact's author and its evaluators, about a claim, a run or a log line.

Rules (DESIGN §1, §3a): the author, the assigned evaluators and the chairs write in them; every
message is shown as the reader may know its writer — evaluators as "Evaluator A/B/…" (their
pseudonym on the artifact) to everyone but chairs, the owner as "Author", anyone else as "Chair";
chairs see names. A message notifies the other side by mail with the same labels. A thread is
about the artifact, a claim, a run, or one line of a run's log (run, stream, line number).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from ae import mail
from ae.errors import ThreadError
from ae.review.reviews import labels_of
from ae.storage.models import Artifact, ArtifactVersion, ClaimRecord, Run, ThreadMessage, User, new_id

MAX_BODY = 10_000
KINDS = ("artifact", "claim", "run", "log")
STREAMS = ("stdout", "stderr")
AUTHOR, CHAIR = "Author", "Chair"


def parse_anchor(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return the anchor a form or JSON body names (kind, and claim / run / stream + line), checked."""
    kind = str(raw.get("kind") or "artifact")
    if kind not in KINDS:
        raise ThreadError(f"a thread is about one of: {', '.join(KINDS)} (got {kind!r})")
    if kind == "artifact":
        return {"kind": kind}
    if kind == "claim":
        claim = str(raw.get("claim") or "").strip()
        if not claim:
            raise ThreadError("name the claim the thread is about")
        return {"kind": kind, "claim": claim}
    run = str(raw.get("run") or "").strip()
    if not run:
        raise ThreadError("name the run the thread is about")
    if kind == "run":
        return {"kind": kind, "run": run}
    stream = str(raw.get("stream") or "stdout")
    if stream not in STREAMS:
        raise ThreadError(f"a log line is in {' or '.join(STREAMS)} (got {stream!r})")
    try:
        line = int(str(raw.get("line", "")).strip())
    except ValueError:
        raise ThreadError("a log line needs its line number (1, 2, …)") from None
    if line < 1:
        raise ThreadError(f"log lines are numbered from 1 (got {line})")
    return {"kind": kind, "run": run, "stream": stream, "line": line}


def _check_anchor(session: Session, artifact_id: str, anchor: Mapping[str, Any]) -> None:
    versions = select(ArtifactVersion.id).where(ArtifactVersion.artifact_id == artifact_id)
    if anchor["kind"] == "claim":
        found = session.exec(select(ClaimRecord.id).where(ClaimRecord.claim_id == anchor["claim"],
                                                          col(ClaimRecord.version_id).in_(versions))).first()
        if found is None:
            raise ThreadError(f"this artifact has no claim {anchor['claim']!r}")
    elif anchor["kind"] in ("run", "log"):
        run = session.exec(select(Run.id).where(Run.id == anchor["run"],
                                                col(Run.version_id).in_(versions))).first()
        if run is None:
            raise ThreadError(f"this artifact has no run {anchor['run']!r}")


def _body(text: Any) -> str:
    body = str(text or "").strip()
    if not body:
        raise ThreadError("write something: the message is empty")
    if len(body) > MAX_BODY:
        raise ThreadError(f"a message holds at most {MAX_BODY} characters (got {len(body)})")
    return body


def post(*, session: Session, artifact: Artifact, author_id: str, body: Any,
         anchor: Mapping[str, Any] | None = None, thread_id: str | None = None) -> ThreadMessage:
    """Start a thread about `anchor`, or answer thread `thread_id`; the caller commits."""
    text = _body(body)
    if thread_id is not None:
        first = session.exec(select(ThreadMessage).where(ThreadMessage.id == thread_id,
                                                         ThreadMessage.artifact_id == artifact.id)).first()
        if first is None:
            raise ThreadError("no such thread on this artifact")
        message = ThreadMessage(artifact_id=artifact.id, thread_id=first.id, author_id=author_id,
                                anchor=dict(first.anchor), body=text)
    else:
        checked = parse_anchor(anchor or {})
        _check_anchor(session, artifact.id, checked)
        first_id = new_id()
        message = ThreadMessage(id=first_id, artifact_id=artifact.id, thread_id=first_id, author_id=author_id,
                                anchor=checked, body=text)
    session.add(message)
    session.flush()
    return message


def writer_label(user_id: str, *, artifact: Artifact, labels: Mapping[str, str]) -> str:
    """Return how the writer of a message is shown to anyone but a chair."""
    if user_id == artifact.owner_id:
        return AUTHOR
    return labels.get(user_id, CHAIR)


def describe(anchor: Mapping[str, Any]) -> str:
    """Say in words what a thread is about."""
    match anchor.get("kind"):
        case "claim":
            return f"claim {anchor['claim']}"
        case "run":
            return f"run {str(anchor['run'])[:12]}"
        case "log":
            return f"line {anchor['line']} of the {anchor['stream']} of run {str(anchor['run'])[:12]}"
    return "the artifact"


def threads_of(*, session: Session, artifact: Artifact, reader_id: str | None,
               names: bool = False) -> list[dict[str, Any]]:
    """Return an artifact's threads, oldest first, each message labelled as the reader may know its writer."""
    messages = session.exec(select(ThreadMessage).where(ThreadMessage.artifact_id == artifact.id)
                            .order_by(col(ThreadMessage.created_at), col(ThreadMessage.id))).all()
    labels = labels_of(session=session, artifact_id=artifact.id)
    real = dict(session.exec(select(User.id, User.name).where(
        col(User.id).in_({m.author_id for m in messages}))).all()) if names and messages else {}
    threads: dict[str, dict[str, Any]] = {}
    for message in messages:
        thread = threads.setdefault(message.thread_id, {
            "id": message.thread_id, "anchor": dict(message.anchor), "about": describe(message.anchor),
            "messages": []})
        label = writer_label(message.author_id, artifact=artifact, labels=labels)
        if message.author_id in real:
            label = f"{label} ({real[message.author_id]})"
        thread["messages"].append({
            "id": message.id, "by": label,
            "mine": message.author_id == reader_id, "body": message.body, "at": message.created_at})
    return list(threads.values())


def notify(*, session: Session, config: Mapping[str, Any], artifact: Artifact, message: ThreadMessage,
           link: str) -> list[str]:
    """Mail the other side of a thread (the author, or the assigned evaluators); return the addresses."""
    labels = labels_of(session=session, artifact_id=artifact.id)
    writer = writer_label(message.author_id, artifact=artifact, labels=labels)
    wanted = set(labels) if message.author_id == artifact.owner_id else {artifact.owner_id}
    if message.author_id not in labels and message.author_id != artifact.owner_id:
        wanted |= set(labels)  # a chair writes to both sides
    wanted.discard(message.author_id)
    wanted.discard(None)
    addresses = sorted(session.exec(select(User.email).where(col(User.id).in_(wanted),
                                                             col(User.active).is_(True))).all())
    if not addresses or not mail.configured(config):
        return []
    subject = f"{writer} wrote about {describe(message.anchor)} of \u201c{artifact.title}\u201d"
    body = f"{writer} wrote about {describe(message.anchor)}:\n\n{message.body}\n\nAnswer here: {link}\n"
    for address in addresses:
        mail.send(config, to=address, subject=subject, body=body)
    return addresses
