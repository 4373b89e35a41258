"""The author's feedback when a version's smoke stage ends: what built and ran, estimates, waits."""

from __future__ import annotations

from typing import Any

from ae.smoke.budgets import Cost
from ae.smoke.times import human_seconds


def lines(smoke: dict[str, Any]) -> list[str]:
    """Return the smoke outcome as sentences, one per line (the mail's body and the CLI's)."""
    out = []
    for row in smoke.get("commands") or []:
        what = f"{row['program']} {row['cmd_key']}" + (f" on {row['dataset']}" if row.get("dataset") else "")
        if row["ok"]:
            out.append(f"- {what}: built and ran once in {human_seconds(Cost.from_dict(row['cost']).wall_s)}")
        else:
            out.append(f"- {what}: FAILED ({row['failure_kind']}): {row['message']}")
    total = Cost.from_dict(smoke.get("total"))
    if total.wall_s:
        out.append(f"Estimated full evaluation: {human_seconds(total.wall_s)} "
                   f"(at most {human_seconds(Cost.from_dict(smoke.get('at_most')).wall_s)} "
                   "if claims need the maximum repetitions).")
    if smoke.get("stated"):
        out.append(f"Your appendix says: \u201c{smoke['stated']}\u201d.")
    if smoke.get("mismatch"):
        out.append(f"Mismatch: {smoke['mismatch']}; please check the appendix's time estimate.")
    for pool, why in sorted((smoke.get("waiting") or {}).items()):
        out.append(f"The full runs on pool {pool} wait for the chair's approval: {why}.")
    return out


def mail(title: str, number: int, smoke: dict[str, Any]) -> tuple[str, str]:
    """Return the subject and body of the author's smoke-stage mail."""
    commands = smoke.get("commands") or []
    failed = sum(not r["ok"] for r in commands)
    verdict = (f"all {len(commands)} command{'s' * (len(commands) != 1)} built and ran" if not failed
               else f"{failed} of {len(commands)} command{'s' * (len(commands) != 1)} failed")
    subject = f"Smoke test of \u201c{title}\u201d version {number}: {verdict}"
    body = "\n".join([f"The smoke test of version {number} has finished: every program was built and "
                      "each command run once on its smallest dataset, before the full runs.", "",
                      *lines(smoke), "", "The artifact page shows the details and the logs."])
    return subject, body + "\n"


def approval(title: str, number: int, smoke: dict[str, Any], page: str) -> tuple[str, str]:
    """Return the subject and body of the chairs' mail: an artifact's full runs wait for approval."""
    subject = f"Approval needed: \u201c{title}\u201d version {number} is beyond its compute budget"
    waits = [f"- pool {pool}: {why}" for pool, why in sorted((smoke.get("waiting") or {}).items())]
    body = "\n".join([f"The smoke test of \u201c{title}\u201d version {number} has finished; its full runs "
                      "wait for a chair's approval:", "", *waits, "",
                      f"Approve them on {page} or with `ae chair approve`."])
    return subject, body + "\n"
