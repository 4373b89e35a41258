"""`ae lint` and `ae appendix ...`: check an Artifact Appendix, start one from a template."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import click

from ae.checklist.decoding import MAX_APPENDIX_BYTES, check_size, decode_appendix
from ae.checklist.families import parse_appendix
from ae.checklist.lint import lint
from ae.checklist.profile import BADGES, PROFILES, STAGES, LintProfile, normalize_badge, profile_from_mapping
from ae.checklist.templates import TEMPLATES, template
from ae.errors import ConferenceError


def load_profile(value: str) -> LintProfile:
    """Return a built-in profile by name, or the `[checklist]` table of a TOML file."""
    if value in PROFILES:
        return PROFILES[value]
    path = Path(value)
    if not path.is_file():
        raise click.UsageError(
            f"--profile {value!r} is neither a built-in profile ({', '.join(PROFILES)}) nor a "
            f"TOML file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConferenceError(f"{path}: not valid TOML ({exc})") from exc
    table = data.get("checklist", data if "conference" not in data else {})
    if not isinstance(table, dict):
        raise ConferenceError(f"{path}: [checklist] must be a table")
    return profile_from_mapping(table, name=path.stem, source=f"{path} [checklist]")


def _badges(values: tuple[str, ...]) -> list[str]:
    badges = []
    for value in values:
        for part in value.split(","):
            if part.strip() and normalize_badge(part) is None:
                raise click.UsageError(f"--badge {part.strip()!r}: use one of {', '.join(BADGES)}")
            if part.strip():
                badges.append(part.strip())
    return badges


@click.command("lint")
@click.argument("appendix", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profile_name", default="default", show_default=True,
              help=f"Built-in profile ({', '.join(PROFILES)}) or a conference TOML file.")
@click.option("--badge", "badge_values", multiple=True,
              help=f"Requested badge, repeatable or comma-separated: {', '.join(BADGES)}.")
@click.option("--stage", type=click.Choice(STAGES), default=None,
              help="Override the profile's stage (camera-ready checks the page limit).")
@click.option("--artifact", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The artifact's directory: check the files, scripts and claim "
                                 "programs the appendix names.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_APPENDIX_BYTES,
              show_default=True, help="Refuse appendices larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def lint_cmd(appendix: Path, profile_name: str, badge_values: tuple[str, ...],
             stage: str | None, artifact: Path | None, max_bytes: int, as_json: bool) -> None:
    """Check an Artifact Appendix; exit status 1 when it has errors."""
    profile = load_profile(profile_name)
    if stage is not None:
        from dataclasses import replace

        profile = replace(profile, stage=stage)
    check_size(appendix.stat().st_size, str(appendix), max_bytes)
    report = lint(appendix.read_bytes(), profile=profile, badges=_badges(badge_values),
                  filename=str(appendix), artifact=artifact, max_bytes=max_bytes)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        version = f" {report.version}" if report.version else ""
        encoding = f", {report.encoding}" if report.encoding != "UTF-8" else ""
        click.echo(f"{appendix}: {report.family}{version} ({report.syntax}{encoding}), "
                   f"{len(report.sections)} sections, "
                   f"{sum(1 for i in report.items if not i.empty)}/{len(report.items)} items "
                   f"filled, {len(report.claims)} claims, {len(report.dois)} DOIs")
        click.echo(f"  family {report.family}: {report.detection}")
        for finding in report.findings:
            click.echo(finding.format(str(appendix)))
        counts = {s: sum(1 for f in report.findings if f.severity == s)
                  for s in ("error", "warning", "info")}
        click.echo(f"{counts['error']} errors, {counts['warning']} warnings, "
                   f"{counts['info']} notes: {'OK' if report.ok else 'NOT OK'}")
    if not report.ok:
        raise SystemExit(1)


@click.group("appendix")
def appendix() -> None:
    """Start an Artifact Appendix from a template, or draft its claims."""


@appendix.command("new")
@click.option("--family", type=click.Choice(sorted(TEMPLATES)), default="ctuning-md",
              show_default=True, help="Template family.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def new_cmd(family: str, output: Path | None, force: bool) -> None:
    """Write an empty appendix template to fill in."""
    text = template(family)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists() and not force:
        raise click.UsageError(f"{output} already exists; pass --force to overwrite it")
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output} ({family}); fill it in, then run `ae lint {output}`")


@appendix.command("claims")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def claims_cmd(source: Path) -> None:
    """Draft a ```claims block from the appendix's USENIX major claims (C1), (C2), ..."""
    text = decode_appendix(source.read_bytes(), str(source))
    parsed = parse_appendix(text)
    if not parsed.major_claims:
        raise click.ClickException(
            f"{source}: no major claims (C1), (C2), ... found to draft from")
    from ae.checklist.drafts import draft_claims

    click.echo(draft_claims(parsed), nl=False)
