"""What an evaluator's artifact page shows besides the verdicts: per-claim samples with a plot, and
the diffs of two runs' outputs read from this machine's run directories (noise normalised away)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from sqlmodel import Session

from ae.checklist.claims import Claim
from ae.errors import VerdictError
from ae.storage.models import Run
from ae.storage.queries import claims_of, runs_of, verdicts_of
from ae.verdicts.diffs import as_text, readable, side_by_side
from ae.verdicts.plot import claim_svg
from ae.verdicts.rule import Verdict, samples_for

IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
          ".webp": "image/webp"}


def _matches(claim: Claim, run: Run) -> bool:
    dataset = run.dataset or run.record.get("dataset")
    return (claim.program in (None, run.program) and claim.cmd_key in (None, run.cmd_key)
            and claim.dataset in (None, dataset))


def claim_plots(*, session: Session, version_id: str) -> dict[str, dict[str, Any]]:
    """Return, per claim id, its measured samples (every succeeded run of its target) and an SVG plot."""
    runs = [r for r in runs_of(session=session, version_id=version_id) if r.samples]
    judged = {v.claim_id: Verdict.from_dict(v.data)
              for v in verdicts_of(session=session, version_id=version_id)}
    found: dict[str, dict[str, Any]] = {}
    for record in claims_of(session=session, version_id=version_id):
        claim = Claim.from_dict(record.data)
        try:
            samples = samples_for(claim, [s for r in runs if _matches(claim, r) for s in r.samples])
        except VerdictError:
            continue
        if not samples:
            continue
        verdict = judged.get(claim.id)
        svg = claim_svg(samples, claimed=claim.expected, band=verdict.band if verdict else None,
                        scale=verdict.scale if verdict else None,
                        measured_ci=verdict.measured_ci if verdict else None,
                        label=f"{claim.metric}{f' ({claim.unit})' if claim.unit else ''}")
        found[claim.id] = {"samples": [float(f"{s:.4g}") for s in samples], "n": len(samples),
                           "svg": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()}
    return found


def output_diffs(names_a: Sequence[str], names_b: Sequence[str], read_a: Callable[[str], bytes | None],
                 read_b: Callable[[str], bytes | None], *, noise: dict[str, str]) -> list[dict[str, Any]]:
    """Compare the outputs two runs left, by name: text side by side (normalised), images as images."""
    rows = []
    for name in sorted(set(names_a) | set(names_b)):
        a = read_a(name) if name in names_a else None
        b = read_b(name) if name in names_b else None
        row: dict[str, Any] = {"name": name, "kind": "missing", "a": a is not None, "b": b is not None}
        suffix = PurePosixPath(name).suffix.lower()
        if a is not None and b is not None:
            if suffix in IMAGES:
                row.update(kind="image", identical=a == b, mime=IMAGES[suffix],
                           a_src=_data_uri(a, IMAGES[suffix]), b_src=_data_uri(b, IMAGES[suffix]))
            else:
                ta, tb = as_text(a), as_text(b)
                if ta is None or tb is None:
                    row.update(kind="binary", identical=a == b)
                else:
                    pairs = side_by_side(readable(ta, paths=noise), readable(tb, paths=noise))
                    row.update(kind="text", **pairs)
        rows.append(row)
    return rows


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


#: What an author declares about the environment (check-list items and appendix sections, by key)
#: next to what the worker recorded, per aspect.
_DECLARED = {"hardware": (("hardware",), ("hardware_dependencies",)),
             "software": (("run_time_environment",), ("software_dependencies",)),
             "compilation": (("compilation",), ())}
_CAP = 600


def declared_environment(checklist: Mapping[str, Any], record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Set the environment the author declared (check-list and appendix) beside the one a run had.

    One row per aspect — hardware, software, compilation — with the author's words (each item and
    section named, capped) and the worker's recorded facts (platform, resolved dependencies with
    versions); an aspect neither side says anything about is left out.
    """
    items = {i.get("key"): i for i in checklist.get("items") or [] if isinstance(i, Mapping)}
    sections = {s.get("key"): s for s in checklist.get("sections") or [] if isinstance(s, Mapping)}
    platform = record.get("platform") or {}
    deps = record.get("deps") or {}
    worker = {"hardware": _hardware(platform), "software": _software(platform, deps),
              "compilation": [f"{name} {_version(dep)}".strip() for name, dep in sorted(deps.items())
                              if "compiler" in name or name.startswith(("gcc", "clang", "llvm"))]}
    rows = []
    for aspect, (item_keys, section_keys) in _DECLARED.items():
        said = [f"{items[k].get('label') or k}: {items[k].get('value')}" for k in item_keys
                if k in items and items[k].get("value") and not items[k].get("empty")]
        said += [f"{sections[k].get('title') or k}: {str(sections[k].get('text'))[:_CAP]}"
                 for k in section_keys
                 if k in sections and sections[k].get("text") and not sections[k].get("empty")]
        if said or worker[aspect]:
            rows.append({"aspect": aspect, "declared": said, "worker": worker[aspect]})
    return rows


def _version(dep: Any) -> str:
    return str(dep.get("version", "")) if isinstance(dep, Mapping) else str(dep or "")


def _hardware(platform: Mapping[str, Any]) -> list[str]:
    facts = []
    if platform.get("cpu_model") or platform.get("arch"):
        cores = f", {platform['cores']} cores" if platform.get("cores") else ""
        facts.append(f"{platform.get('cpu_model') or 'CPU'} ({platform.get('arch', '?')}{cores})")
    if platform.get("memory_bytes"):
        facts.append(f"{int(platform['memory_bytes']) / 2**30:.1f} GiB memory")
    for gpu in platform.get("gpus") or []:
        if isinstance(gpu, Mapping):
            facts.append(f"GPU {gpu.get('name', '?')}")
    return facts


def _software(platform: Mapping[str, Any], deps: Mapping[str, Any]) -> list[str]:
    facts = []
    system = platform.get("distro") or platform.get("os")
    if system:
        kernel = platform.get("kernel")
        facts.append(f"{system} (kernel {kernel})" if kernel else str(system))
    facts += [f"{name} {_version(dep)}".strip() for name, dep in sorted(deps.items())]
    return facts
