"""`ae ck`: look into CK repositories as `ck list/search/load` would (authors, evaluators)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ae.ck import CkEntry, CkIndex

_repo_option = click.option(
    "--repo", "repos", multiple=True, type=click.Path(path_type=Path), default=(Path("."),),
    show_default=True, help="CK repository root (repeatable; searched in the order given).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON, not a table.")


@click.group()
def ck() -> None:
    """Inspect CK repositories: list entries, search by tags, show one entry."""


def user_cache_dir() -> Path:
    """Return where the CLI keeps what it may reuse across calls (index, builds): ~/.cache/ae."""
    return Path.home() / ".cache" / "ae"


def _index(repos: Sequence[Path]) -> CkIndex:
    """Index the repositories, reusing the index of an earlier call while nothing in them changed."""
    return CkIndex.build_cached(list(repos), user_cache_dir() / "ck-index")


def _summary(entry: CkEntry) -> dict[str, Any]:
    return {"cid": entry.cid, "repo": entry.repo_alias, "module": entry.module,
            "alias": entry.alias, "uid": entry.uid, "name": entry.name, "tags": entry.tags,
            "path": str(entry.path)}


def _print_entries(index: CkIndex, entries: list[CkEntry], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"entries": [_summary(e) for e in entries],
                               "problems": [_problem(p) for p in index.problems]}, indent=2))
        return
    rows = [(e.cid, e.uid, ",".join(e.tags)) for e in entries]
    width = max([len(r[0]) for r in rows] + [3])
    click.echo(f"{'CID':<{width}}  {'UID':<16}  TAGS")
    for cid, uid, tags in rows:
        click.echo(f"{cid:<{width}}  {uid:<16}  {tags}")
    click.echo(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
    _warn_problems(index)


def _problem(p: Any) -> dict[str, str]:
    return {"path": str(p.path), "message": p.message}


def _warn_problems(index: CkIndex) -> None:
    if index.problems:
        click.echo(f"{len(index.problems)} problem(s) in the repositories; "
                   "see `ae ck check`.", err=True)


@ck.command("ls")
@click.argument("pattern", default="*:*")
@_repo_option
@_json_option
def ls(pattern: str, repos: tuple[Path, ...], as_json: bool) -> None:
    """List entries matching PATTERN (module, module:data or repo:module:data; * and ? allowed)."""
    index = _index(repos)
    _print_entries(index, index.list(pattern), as_json)


@ck.command("search")
@click.argument("module", default="*")
@click.option("--tags", default="", help="Comma-separated tags; an entry must have all of them.")
@_repo_option
@_json_option
def search(module: str, tags: str, repos: tuple[Path, ...], as_json: bool) -> None:
    """Search entries of MODULE having every tag in --tags (exact, case-sensitive)."""
    wanted = [t.strip() for t in tags.split(",")] if tags else []
    index = _index(repos)
    _print_entries(index, index.search(module, wanted), as_json)


@ck.command("show")
@click.argument("cid")
@_repo_option
@_json_option
def show(cid: str, repos: tuple[Path, ...], as_json: bool) -> None:
    """Show one entry (module:data or repo:module:data): identity, info and meta."""
    entry = _index(repos).load(cid)
    if as_json:
        click.echo(json.dumps({**_summary(entry), "meta": entry.meta, "info": entry.info},
                              indent=2, sort_keys=True))
        return
    for label, value in _summary(entry).items():
        if label != "tags":
            click.echo(f"{label + ':':<8} {value if value is not None else '-'}")
    click.echo(f"{'tags:':<8} {', '.join(entry.tags) or '-'}")
    click.echo("meta:")
    click.echo(json.dumps(entry.meta, indent=2, sort_keys=True))


@ck.command("check")
@_repo_option
@_json_option
def check(repos: tuple[Path, ...], as_json: bool) -> None:
    """Report every problem found in the repositories (exit status 1 when there is any)."""
    index = CkIndex.build(list(repos), verify_aliases=True)
    if as_json:
        click.echo(json.dumps([_problem(p) for p in index.problems], indent=2))
    else:
        for problem in index.problems:
            click.echo(f"{problem.path}: {problem.message}")
        count = sum(1 for _ in index.entries())
        click.echo(f"{count} entries, {len(index.problems)} problem(s)")
    if index.problems:
        raise SystemExit(1)
