"""A volunteer's result: its body, the digest that seals it and the signature that binds it to a token.

Integrity rule: `digest` = sha256 of the canonical JSON of `body` (written by `ae solution benchmark`),
`signature` = HMAC-SHA256(key = the API token, message = digest) (added by `ae solution submit`). The
service recomputes both from what it received: a body changed after benchmarking (samples edited in the
file) no longer matches its digest, and a digest signed with another token no longer matches the
presenter's signature; either is refused. This proves the result was not altered after it was sealed
and that the token's holder sent it; it cannot prove the volunteer measured honestly, which is why the
service never trusts the volunteer's verdicts (it judges the samples again), compares output digests
with the reference and flags outliers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ae.checklist.claims import Claim
from ae.errors import ResultRefused, SolutionError, VerdictError
from ae.solutions.manifest import Manifest, canonical
from ae.solutions.schema import check_result
from ae.verdicts.rule import Verdict, decide, samples_for


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """Return the result file's content: the body and its digest (no signature yet)."""
    return {"body": body, "digest": hashlib.sha256(canonical(body)).hexdigest()}


def sign(sealed: Mapping[str, Any], token: str) -> dict[str, Any]:
    """Return the submission: the sealed result and the HMAC of its digest keyed with `token`."""
    signature = hmac.new(token.encode(), str(sealed["digest"]).encode(), hashlib.sha256).hexdigest()
    return {"body": sealed["body"], "digest": sealed["digest"], "signature": signature}


def verify(submission: Any, token: str) -> dict[str, Any]:
    """Check a submission's shape, digest and signature; return its body or raise why it is refused."""
    check_result(submission)
    body = submission["body"]
    try:
        digest = hashlib.sha256(canonical(body)).hexdigest()
    except ValueError as exc:  # NaN or infinity
        raise ResultRefused(f"the result holds a number JSON cannot carry: {exc}") from None
    if not hmac.compare_digest(digest, submission["digest"]):
        raise ResultRefused("the result's body does not match its digest: it was changed after it was "
                            "sealed by `ae solution benchmark`")
    expected = sign({"body": body, "digest": digest}, token)["signature"]
    if not hmac.compare_digest(expected, submission["signature"]):
        raise ResultRefused("the result's signature does not match the API token that sent it")
    return dict(body)


def check_against(manifest: Manifest, body: Mapping[str, Any]) -> None:
    """Raise SolutionError when a body is not a result of this manifest (name, digest, configurations)."""
    if body["solution"] != manifest.name:
        raise SolutionError(f"the result is of solution {body['solution']!r}, not {manifest.name!r}")
    if body["manifest_digest"] != manifest.digest:
        raise SolutionError("the result was benchmarked from another version of the manifest: run "
                            "`ae solution init` again")
    seen = set()
    for run in body["runs"]:
        config = manifest.configuration(run["cmd_key"])
        if run["program"] != config.program or run["cmd_key"] in seen:
            raise SolutionError(f"run {run['program']}:{run['cmd_key']} is not a configuration of the "
                                "solution, or is given twice")
        seen.add(run["cmd_key"])


def validation(manifest: Manifest, run: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Compare a run's output digests with the manifest's references; return (valid, problems)."""
    problems = []
    if not run["ok"]:
        problems.append(f"the run failed ({run.get('failure_kind') or 'failed'})")
    for name, reference in sorted(manifest.references(run["cmd_key"]).items()):
        got = run["outputs"].get(name)
        if got is None:
            problems.append(f"output {name} is missing")
        elif got != reference:
            problems.append(f"output {name} differs from the reference (sha256 {got[:12]}…, "
                            f"reference {reference[:12]}…)")
    return not problems, problems


def judge(claims: Sequence[Claim], run: Mapping[str, Any], *, outputs_ok: bool | None) -> dict[str, Verdict]:
    """Judge each claim of this run's configuration again from its samples, with the verdict rule
    (`outputs_ok` None: no reference outputs to compare)."""
    found = {}
    for claim in claims:
        if claim.cmd_key != run["cmd_key"] or claim.program not in (None, run["program"]):
            continue
        try:
            values = samples_for(claim, run["samples"])
        except VerdictError:
            values = []
        found[claim.id] = decide(claim, values, runs_ok=bool(run["ok"]) and bool(values),
                                 outputs_ok=outputs_ok)
    return found


def numbers(run: Mapping[str, Any], metric: str) -> list[float]:
    """Return a run's finite values of `metric`, one per repetition."""
    out = []
    for sample in run["samples"]:
        value = sample.get(metric)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            out.append(float(value))
    return out
