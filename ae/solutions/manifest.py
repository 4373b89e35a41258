"""A solution manifest as plain data: read, validated against the schema, and digested."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ae.checklist.claims import Claim, parse_claims_toml
from ae.errors import ClaimsError, SolutionError
from ae.solutions.schema import check_manifest

MAX_MANIFEST_BYTES = 256 << 10


def canonical(data: Any) -> bytes:
    """Return the canonical JSON bytes of `data` (sorted keys, no spaces): what digests cover."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


@dataclass(frozen=True)
class Configuration:
    """One (program, cmd_key, dataset) a volunteer may benchmark."""

    program: str
    cmd_key: str
    dataset: str | None = None
    default: bool = True


@dataclass(frozen=True)
class Manifest:
    """A validated manifest; `data` is the document as published."""

    data: dict[str, Any]

    @property
    def name(self) -> str:
        """Return the solution's name."""
        return str(self.data["name"])

    @property
    def conference(self) -> str:
        """Return the conference whose tournament shows the solution's results."""
        return str(self.data["conference"])

    @property
    def digest(self) -> str:
        """Return the sha256 of the canonical manifest (results name the manifest they ran)."""
        return hashlib.sha256(canonical(self.data)).hexdigest()

    @property
    def source(self) -> str:
        """Return the artifact's source (git URL or local repository)."""
        return str(self.data["artifact"]["source"])

    @property
    def commit(self) -> str | None:
        """Return the pinned commit (None before publishing pins it)."""
        commit = self.data["artifact"].get("commit")
        return None if commit is None else str(commit)

    @property
    def repetitions(self) -> int:
        """Return the repetitions each configuration runs (default 3)."""
        return int(self.data.get("repetitions", 3))

    @property
    def packages(self) -> dict[str, str]:
        """Return the pinned Python distributions: name -> version."""
        return dict(self.data.get("environment", {}).get("packages", {}))

    @property
    def tools(self) -> list[str]:
        """Return the software detectors that must find something on the volunteer's machine."""
        return list(self.data.get("environment", {}).get("tools", []))

    @property
    def metrics(self) -> list[str]:
        """Return the characteristics a result reports."""
        return list(self.data["metrics"])

    def configurations(self) -> list[Configuration]:
        """Return every configuration, in manifest order."""
        return [Configuration(c["program"], c["cmd_key"], c.get("dataset"), bool(c.get("default", True)))
                for c in self.data["configurations"]]

    def configuration(self, cmd_key: str) -> Configuration:
        """Return the configuration of `cmd_key`, or raise SolutionError naming the others."""
        for found in self.configurations():
            if found.cmd_key == cmd_key:
                return found
        names = ", ".join(c.cmd_key for c in self.configurations())
        raise SolutionError(f"solution {self.name} has no configuration {cmd_key!r} (it has: {names})")

    def references(self, cmd_key: str) -> dict[str, str]:
        """Return the reference output digests of a configuration (file -> sha256)."""
        return dict(self.data.get("reference_outputs", {}).get(cmd_key, {}))

    def claims(self) -> list[Claim]:
        """Return the claims, read by the appendix's own claim parser (same keys as `[[claim]]`)."""
        tables = []
        for claim in self.data.get("claims", []):
            lines = [f"{key} = {json.dumps(value)}" for key, value in claim.items()]
            tables.append("[[claim]]\n" + "\n".join(lines))
        try:
            return parse_claims_toml("\n\n".join(tables), source=f"solution {self.name}")
        except ClaimsError as exc:
            raise SolutionError(str(exc)) from exc


def load(raw: bytes | str) -> Manifest:
    """Parse and validate a manifest's JSON text; raise SolutionError saying what is wrong."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise SolutionError(f"the manifest is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SolutionError(f"the manifest is not JSON: {exc}") from None
    return from_data(data)


def from_data(data: Any) -> Manifest:
    """Validate a manifest already parsed from JSON."""
    check_manifest(data)
    manifest = Manifest(data)
    keys = {c.cmd_key for c in manifest.configurations()}
    for claim in manifest.claims():
        if claim.cmd_key not in keys:
            raise SolutionError(f"claim {claim.id} names cmd_key {claim.cmd_key!r}, which is no "
                                "configuration of the solution")
    return manifest
