"""Every database table of the service (SQLModel)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlalchemy.orm import validates
from sqlmodel import Field, SQLModel

from ae.storage import states
from ae.storage.states import Role, RunState, VersionState, WorkerState


def new_id() -> str:
    """Return a new row id (also the RQ job id of the job working on that row)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Return the current time, timezone-aware."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """Return a stored time UTC-aware (SQLite hands timestamps back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _time(nullable: bool = False) -> Any:
    return Field(
        default_factory=None if nullable else utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=nullable),
    )


def _json(default: Any = dict) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Artifact(SQLModel, table=True):
    """A submission to a conference: the thing that gets versions, runs and badges."""

    id: str = Field(default_factory=new_id, primary_key=True)
    conference: str = Field(index=True)
    title: str
    source: str
    requested_badges: list[str] = _json(list)
    owner_id: str | None = Field(default=None, foreign_key="user.id", index=True)  # None: the operator's CLI
    created_at: datetime = _time()


class ArtifactVersion(SQLModel, table=True):
    """One submitted state of an artifact: a pinned commit, its snapshot and check-list."""

    __table_args__ = (UniqueConstraint("artifact_id", "number"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    number: int = 1
    ref: str | None = None
    commit: str | None = None
    snapshot_digest: str | None = None
    dependencies: list[dict[str, Any]] = _json(list)  # CK repo_deps pinned: repo, url, commit, digest
    appendix_name: str | None = None
    appendix_text: str | None = Field(default=None, sa_column=Column(Text))
    checklist: dict[str, Any] = _json()
    status: str = VersionState.SUBMITTED
    error: str | None = Field(default=None, sa_column=Column(Text))
    recommended_badges: dict[str, Any] = _json()
    report_path: str | None = None
    report_written_at: datetime | None = _time(nullable=True)  # as of the data the report shows
    smoke: dict[str, Any] = _json()  # the smoke stage's outcome, estimates and budget check (ae.smoke)
    worker: str | None = None  # the worker taking it in (intake)
    attempt: int = 0  # intake attempts started
    retry_at: datetime | None = _time(nullable=True)  # intake retried after a fault: not before
    created_at: datetime = _time()
    updated_at: datetime = _time()

    @validates("status")
    def _check_status(self, _key: str, value: str) -> str:
        return states.check("version", self.__dict__.get("status"), value)


class ClaimRecord(SQLModel, table=True):
    """A claim of the paper, as extracted from the appendix or the CK experiments."""

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("version_id", "claim_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: str = Field(foreign_key="artifactversion.id", index=True)
    claim_id: str
    data: dict[str, Any] = _json()


class Run(SQLModel, table=True):
    """One reproduction job: a program, command and dataset on a hardware pool."""

    id: str = Field(default_factory=new_id, primary_key=True)
    version_id: str = Field(foreign_key="artifactversion.id", index=True)
    program: str
    cmd_key: str
    dataset: str | None = None
    pool: str = "default"
    repetitions: int = 3
    status: str = Field(default=RunState.QUEUED, index=True)
    failure_kind: str | None = None
    message: str | None = Field(default=None, sa_column=Column(Text))
    samples: list[dict[str, Any]] = _json(list)
    record: dict[str, Any] = _json()
    worker: str | None = None
    attempt: int = 0
    retry_at: datetime | None = _time(nullable=True)  # retried after a fault: not before
    stage: str = "full"  # "smoke": the version's kick-the-tires run (one repetition); "full"
    held_reason: str | None = Field(default=None, sa_column=Column(Text))  # why a held run waits
    requested_by: str | None = None  # the evaluator whose re-run this is (their compute budget)
    approved_by: str | None = None  # the chair who let it run beyond the budget ("cli": the operator)
    created_at: datetime = _time()
    started_at: datetime | None = _time(nullable=True)
    finished_at: datetime | None = _time(nullable=True)

    @validates("status")
    def _check_status(self, _key: str, value: str) -> str:
        return states.check("run", self.__dict__.get("status"), value)


class VerdictRecord(SQLModel, table=True):
    """The latest verdict on one claim of a version, re-derivable from the stored samples."""

    __tablename__ = "verdict"
    __table_args__ = (UniqueConstraint("version_id", "claim_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: str = Field(foreign_key="artifactversion.id", index=True)
    claim_id: str
    outcome: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()
    computed_at: datetime = _time()


class Worker(SQLModel, table=True):
    """A registered `ae worker` process: its hardware profile, pools and heartbeat."""

    name: str = Field(primary_key=True)
    host: str
    pid: int
    pools: list[str] = _json(list)
    queues: list[str] = _json(list)
    profile: dict[str, Any] = _json()
    remote: bool = False
    state: str = Field(default=WorkerState.ALIVE, index=True)
    started_at: datetime = _time()
    last_heartbeat: datetime = _time()
    expires_at: datetime = _time()
    stopped_at: datetime | None = _time(nullable=True)
    current_job: str | None = None  # the RQ job (row id) its work horse runs, as of its last heartbeat


class User(SQLModel, table=True):
    """A person with an account: an author, evaluator, chair or organizer (roles are per conference)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    email: str = Field(unique=True, index=True)  # stored lower-cased
    name: str
    password_hash: str | None = None  # argon2; None until the person sets a password
    is_admin: bool = False
    active: bool = True
    session_epoch: int = 0  # raised on password change and logout everywhere: old sessions end
    created_at: datetime = _time()
    last_login_at: datetime | None = _time(nullable=True)


class Membership(SQLModel, table=True):
    """A role of a user in one conference."""

    __table_args__ = (UniqueConstraint("user_id", "conference", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    conference: str = Field(index=True)
    role: str = Role.AUTHOR
    created_at: datetime = _time()


class Invitation(SQLModel, table=True):
    """A chair's invitation to a role in a conference; the link carries a token stored hashed."""

    token_hash: str = Field(primary_key=True)
    email: str = Field(index=True)
    conference: str
    role: str
    invited_by: str | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _time()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)


class PasswordReset(SQLModel, table=True):
    """A password-reset link; its token is stored hashed and works once."""

    token_hash: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    created_at: datetime = _time()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)


class ApiToken(SQLModel, table=True):
    """A token for the CLI and scripts: stored hashed, scoped, revocable."""

    id: str = Field(default_factory=new_id, primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    name: str
    token_hash: str = Field(unique=True, index=True)
    prefix: str  # the first characters, to tell tokens apart in listings
    scopes: list[str] = _json(list)
    created_at: datetime = _time()
    last_used_at: datetime | None = _time(nullable=True)
    revoked_at: datetime | None = _time(nullable=True)


class Assignment(SQLModel, table=True):
    """An evaluator assigned to an artifact by a chair."""

    __table_args__ = (UniqueConstraint("artifact_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    created_at: datetime = _time()


class TournamentPoint(SQLModel, table=True):
    """A point imported into a conference's tournament (one point of a CK experiment entry).

    `flat` holds the numbers of its stored `ckp-*.flat.json` as recorded (never recomputed); `notes`
    the quirks met while reading it (NUL characters removed, 0.0 read as not measured, …).
    """

    __tablename__ = "tournament_point"
    __table_args__ = (UniqueConstraint("conference", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    conference: str = Field(index=True)
    key: str  # experiment alias / point UID
    entry: str
    configuration: str
    provenance: str = "author-reported"
    artifact_id: str | None = Field(default=None, foreign_key="artifact.id", index=True)
    flat: dict[str, Any] = _json()
    meta: dict[str, Any] = _json()
    notes: list[str] = _json(list)
    source: str = Field(default="", sa_column=Column(Text, nullable=False))
    imported_at: datetime = _time()


class TournamentState(SQLModel, table=True):
    """An organizer's decisions on a conference's tournament: rules as edited, and whether it is public."""

    __tablename__ = "tournament_state"

    conference: str = Field(primary_key=True)
    rules: str | None = Field(default=None, sa_column=Column(Text))  # TOML; None: the conference file's
    published: bool = False
    published_at: datetime | None = _time(nullable=True)
    revision: int = 0  # raised by every change, so live boards know to redraw
    updated_by: str | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = _time()


# --- reviews and threads


class Review(SQLModel, table=True):
    """An assigned evaluator's review of an artifact in one round: a draft until submitted.

    Edits after submission replace `answers` here and add a `ReviewEdit` row each, so what was
    submitted first, and every later change, stays readable.
    """

    __table_args__ = (UniqueConstraint("artifact_id", "user_id", "round"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    version_id: str = Field(foreign_key="artifactversion.id", index=True)  # the version last reviewed
    user_id: str = Field(foreign_key="user.id", index=True)
    round: str
    answers: dict[str, Any] = _json()
    submitted_at: datetime | None = _time(nullable=True)
    created_at: datetime = _time()
    updated_at: datetime = _time()


class ReviewEdit(SQLModel, table=True):
    """A submitted state of a review: its submission, then every later edit (never overwritten)."""

    __tablename__ = "review_edit"

    id: int | None = Field(default=None, primary_key=True)
    review_id: str = Field(foreign_key="review.id", index=True)
    version_id: str = Field(foreign_key="artifactversion.id")
    answers: dict[str, Any] = _json()
    edited_at: datetime = _time()


class ThreadMessage(SQLModel, table=True):
    """A message of an anonymous thread between an artifact's author and its evaluators.

    A thread is the messages sharing `thread_id` (its first message's id); `anchor` says what it is
    about: the artifact, a claim, a run, or a line of a run's log.
    """

    __tablename__ = "thread_message"

    id: str = Field(default_factory=new_id, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    thread_id: str = Field(index=True)
    author_id: str = Field(foreign_key="user.id", index=True)
    anchor: dict[str, Any] = _json()
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _time()


# --- bidding, conflicts, decisions


class Bid(SQLModel, table=True):
    """An evaluator's bid on an artifact: eager, willing, reluctant, or conflict (a declared conflict)."""

    __table_args__ = (UniqueConstraint("artifact_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    level: str
    updated_at: datetime = _time()


class Conflict(SQLModel, table=True):
    """A conflict declared for an artifact by its author or a chair: an e-mail address or an @domain."""

    __table_args__ = (UniqueConstraint("artifact_id", "pattern"),)

    id: int | None = Field(default=None, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    pattern: str  # "alice@uni.edu" or "@uni.edu", lower-cased
    reason: str = ""
    declared_by: str | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _time()


class Paper(SQLModel, table=True):
    """The paper behind an artifact as the submission system knows it: HotCRP id, abstract, authors."""

    artifact_id: str = Field(foreign_key="artifact.id", primary_key=True)
    hotcrp_pid: int | None = Field(default=None, index=True)
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False))
    authors: list[dict[str, Any]] = _json(list)  # name, email, affiliation
    imported_at: datetime = _time()


class Decision(SQLModel, table=True):
    """A chair's decision on an artifact: accepted or rejected, the badges awarded, a text for the authors."""

    artifact_id: str = Field(foreign_key="artifact.id", primary_key=True)
    outcome: str  # "accepted" | "rejected"
    badges: list[str] = _json(list)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_by: str | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime = _time()


class PhaseDate(SQLModel, table=True):
    """A chair's dates for one phase of a conference; they replace the conference file's."""

    __tablename__ = "phase_date"

    conference: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    starts: date
    ends: date | None = None
    updated_by: str | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = _time()


# --- issued badges


class IssuedBadge(SQLModel, table=True):
    """A badge a chair issued to an artifact version, with its signed credential; revoked, never deleted."""

    __tablename__ = "issued_badge"

    id: str = Field(default_factory=new_id, primary_key=True)  # the credential is urn:uuid:<id as UUID>
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    version_id: str = Field(foreign_key="artifactversion.id")
    conference: str = Field(index=True)
    scheme: str  # the scheme id, which names its version (acm-1.0 vs acm-1.1)
    scheme_version: str
    badge: str
    status_index: int = Field(unique=True)  # its bit in the revocation status list
    kid: str  # the key that signed it
    credential: str = Field(sa_column=Column(Text, nullable=False))  # the compact JWT
    evidence_digest: str
    report_digest: str | None = None
    issued_by: str | None = Field(default=None, foreign_key="user.id")  # None: the operator's CLI
    issued_at: datetime = _time()
    revoked_at: datetime | None = _time(nullable=True)
    revoked_by: str | None = Field(default=None, foreign_key="user.id")
    revoked_reason: str | None = Field(default=None, sa_column=Column(Text))


class BadgeEvent(SQLModel, table=True):
    """The audit trail of badge decisions: issued, withheld or revoked, by whom, when and why."""

    __tablename__ = "badge_event"

    id: int | None = Field(default=None, primary_key=True)
    artifact_id: str = Field(foreign_key="artifact.id", index=True)
    badge: str
    action: str  # "issued" | "withheld" | "revoked"
    issued_badge_id: str | None = Field(default=None, foreign_key="issued_badge.id")
    actor_id: str | None = Field(default=None, foreign_key="user.id")  # None: the operator's CLI
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = _time()


# --- solutions and crowd results


class Solution(SQLModel, table=True):
    """A published solution: its manifest (validated against the schema), pinned to a commit."""

    name: str = Field(primary_key=True)
    conference: str = Field(index=True)
    title: str
    manifest: dict[str, Any] = _json()
    digest: str  # sha256 of the canonical manifest; results name the one they ran
    published_by: str | None = Field(default=None, foreign_key="user.id")  # None: the operator's CLI
    published_at: datetime = _time()


class CrowdResult(SQLModel, table=True):
    """A volunteer's result of a solution, as received (digest and signature checked), judged again.

    `runs` holds the volunteer's samples and output digests; `verdicts` the service's own verdicts
    from those samples (`claimed` what the volunteer's machine said); `problems` why a configuration
    failed validation (a failed run, an output digest that differs from the reference).
    """

    __tablename__ = "crowd_result"

    id: str = Field(default_factory=new_id, primary_key=True)
    solution: str = Field(foreign_key="solution.name", index=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    token_id: str | None = Field(default=None, foreign_key="apitoken.id")
    digest: str = Field(unique=True)
    manifest_digest: str
    hardware_fingerprint: str = Field(index=True)
    hardware_class: str
    hardware: dict[str, Any] = _json()
    environment: dict[str, Any] = _json()
    runs: list[dict[str, Any]] = _json(list)
    claimed: dict[str, Any] = _json()
    verdicts: dict[str, Any] = _json()
    problems: dict[str, Any] = _json()
    valid: bool = True
    received_at: datetime = _time()
