"""Domain errors: small, flat, each one a sentence a user can act on."""

from __future__ import annotations


class AeError(Exception):
    """Base of every error the service reports to a user."""

    http_status = 400


class ConfigError(AeError):
    """The service configuration is invalid."""

    http_status = 500


class ConferenceError(AeError):
    """A conference file is missing or invalid."""


class NotFound(AeError):
    """A requested object does not exist (or the asker may not know that it does)."""

    http_status = 404


class Unauthorized(AeError):
    """The request needs a signed-in user or a valid API token."""

    http_status = 401


class Forbidden(AeError):
    """The signed-in user may not do this."""

    http_status = 403


class TooLarge(AeError):
    """An upload or a request body is over its size cap."""

    http_status = 413


class IllegalTransition(AeError):
    """A run or version was asked to move between two states that its transition table forbids."""

    http_status = 409


class Overloaded(AeError):
    """The service refuses new work for now (a per-conference limit or a full queue): retry later."""

    http_status = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceError(AeError):
    """An artifact source (git URL, commit, archive) cannot be used."""


class UploadTooLarge(SourceError, TooLarge):
    """An uploaded archive is over the size cap (AE_MAX_UPLOAD_BYTES): a refused source, and a 413."""


class CkError(AeError):
    """A CK repository or entry is missing or malformed."""


class AppendixError(AeError):
    """An Artifact Appendix cannot be read."""


class AppendixTooLarge(AppendixError):
    """An Artifact Appendix is over the size cap (AE_MAX_APPENDIX_BYTES)."""

    http_status = 413


class ClaimsError(AeError):
    """A claims block is invalid; the message names the line."""


class PipelineError(AeError):
    """A program pipeline stage failed; `kind` classifies the failure."""

    def __init__(self, message: str, kind: str = "run-error") -> None:
        super().__init__(message)
        self.kind = kind


class SandboxUnavailable(AeError):
    """No sandbox is available and unsandboxed runs are not allowed."""

    http_status = 503


class VerdictError(AeError):
    """A verdict cannot be computed: the policy, the claim's relation or its metric is unusable."""


class TournamentError(AeError):
    """A tournament's rules, a point or an import cannot be used; the message names what and where."""


class ContainerError(AeError):
    """A container image could not be built or a container could not be run (podman, base image)."""

    http_status = 503


class ClusterError(AeError):
    """The batch scheduler (Slurm) refused a job or cannot be reached."""

    http_status = 503


class BadgeError(AeError):
    """A badge cannot be issued, revoked or exported as asked."""


class BadgeKeyError(BadgeError):
    """The badge signing keys cannot be read, written or used."""

    http_status = 500


class CredentialInvalid(BadgeError):
    """A badge credential failed verification; the message says why."""


class ReviewError(AeError):
    """A review cannot be saved as asked (unknown round, a bad or missing answer); the message says which."""


class ThreadError(AeError):
    """A thread message cannot be posted (empty or too long, or about something the artifact lacks)."""


class SolutionError(AeError):
    """A solution manifest, a crowd result or a solution's set-up is not valid; the message says why."""


class ResultRefused(SolutionError):
    """A volunteer's result fails its integrity check (digest or signature): it is refused, not stored."""

    http_status = 422


class BudgetError(AeError):
    """A compute-budget action cannot be done as asked (nothing waits for approval); the message says why."""
