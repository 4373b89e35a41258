"""Conference edition files (TOML): loaded and validated when the app starts."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from ae.badges import schemes
from ae.checklist.profile import LintProfile, profile_from_mapping
from ae.checklist.tolerance import Tolerance
from ae.clusters import settings_from_mapping
from ae.errors import ConferenceError, NotFound, TournamentError
from ae.intake.dependencies import Pin
from ae.pools import pool_from_mapping
from ae.review import forms
from ae.review.phases import PROCESS, Phase, rounds
from ae.smoke.budgets import PoolBudget, parse_budgets
from ae.tournaments.definition import Tournament, parse_tournament

_SECTIONS: dict[str, set[str]] = {
    "conference": {"slug", "name", "badge_scheme", "badges", "appendix_family", "url"},
    "phase": {"name", "date", "end"},
    "review": {"form", "evaluators_per_artifact", "max_per_evaluator"},
    "evaluation": {"repetitions", "max_repetitions", "tolerance", "network", "smoke"},
    "limits": {"wall_s", "cpu_s", "memory_bytes", "processes", "file_size_bytes", "open_files",
               "output_bytes"},
    "pool": {"name", "arch", "cpu_flags", "min_cores", "min_memory_bytes", "gpu_vendor", "gpu_model",
             "min_gpu_memory_bytes", "min_compute_capability", "os", "slurm"},
    "dependency": {"repo", "url", "commit"},
    "tournament": set(),  # validated by ae.tournaments.definition
    "budget": set(),  # validated by ae.smoke.budgets
}
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class ReviewSetup:
    """The `[review]` table: the review form, evaluators per artifact, the most one evaluator takes."""

    form: forms.ReviewForm = forms.CTUNING_MICRO23
    evaluators_per_artifact: int = 3
    max_per_evaluator: int | None = None  # None: as even a share as the solver can make


@dataclass(frozen=True)
class Conference:
    """One conference edition: badge scheme, phases, evaluation defaults, limits and pools."""

    slug: str
    name: str
    badge_scheme: str
    badges: tuple[str, ...]
    path: Path
    phases: tuple[Phase, ...] = ()
    repetitions: int = 3
    max_repetitions: int = 15
    tolerance: float = 0.08
    network: bool = False
    limits: dict[str, Any] = field(default_factory=dict)
    pools: tuple[dict[str, Any], ...] = ({"name": "default"},)
    checklist: dict[str, Any] = field(default_factory=dict)
    appendix_family: str | None = None
    dependencies: tuple[Pin, ...] = ()
    tournament: Tournament | None = None
    review: ReviewSetup = ReviewSetup()
    smoke: bool = False  # a smoke stage before the full runs (ae.smoke)
    budgets: tuple[PoolBudget, ...] = ()

    @property
    def rounds(self) -> tuple[str, ...]:
        """Return the review rounds (kick-the-tires, full-evaluation) in order."""
        return rounds(self.phases)

    def review_fields(self) -> list[forms.FormField]:
        """Return the review form's concrete fields for the badges this conference offers."""
        titles = {b.key: b.title for b in schemes.get(self.badge_scheme).badges}
        return self.review.form.for_badges([(key, titles[key]) for key in self.badges])

    def lint_profile(self) -> LintProfile:
        """Return the check-list profile of this conference's `[checklist]` table."""
        return profile_from_mapping(self.checklist, name=self.slug, source=f"{self.path}: [checklist]")

    def dependency_pins(self) -> dict[str, Pin]:
        """Return the conference's pins of CK dependency repositories by repo alias or UID."""
        return {pin.repo: pin for pin in self.dependencies}

    def pool_names(self) -> list[str]:
        """Return the names of the conference's hardware pools."""
        return [p["name"] for p in self.pools]

    def budget_for(self, pool: str) -> PoolBudget | None:
        """Return the compute budget of a pool, or None when it has none."""
        return next((b for b in self.budgets if b.pool == pool), None)


def _unknown(path: Path, section: str, keys: set[str]) -> None:
    extra = sorted(keys - _SECTIONS[section])
    if extra:
        hint = difflib.get_close_matches(extra[0], _SECTIONS[section], n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConferenceError(f"{path}: unknown key {extra[0]!r} in [{section}]{suggestion}")


def _percent(path: Path, value: Any) -> float:
    """Read the conference's default tolerance: relative, below 100 %."""
    try:
        relative = Tolerance.parse(value).relative if isinstance(value, str) else None
    except ValueError:
        relative = None
    if relative is None or not 0 <= relative < 1:
        raise ConferenceError(f"{path}: [evaluation] tolerance must look like \"8%\" (got {value!r})")
    return relative


def _typed(path: Path, where: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConferenceError(f"{path}: {where} has the wrong type ({value!r})")
    return value


def parse(path: Path, text: str) -> Conference:
    """Parse and validate one conference file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConferenceError(f"{path}: invalid TOML: {exc}") from exc
    top = set(data) - set(_SECTIONS) - {"checklist"}
    if top:
        hint = difflib.get_close_matches(sorted(top)[0], [*_SECTIONS, "checklist"], n=1)
        suggestion = f" (did you mean [{hint[0]}]?)" if hint else ""
        raise ConferenceError(f"{path}: unknown section [{sorted(top)[0]}]{suggestion}")
    conf = data.get("conference")
    if not isinstance(conf, dict):
        raise ConferenceError(f"{path}: missing [conference] section")
    _unknown(path, "conference", set(conf))
    for key in ("slug", "name", "badge_scheme", "badges"):
        if key not in conf:
            raise ConferenceError(f"{path}: [conference] needs {key!r}")
    slug = _typed(path, "[conference] slug", conf["slug"], str)
    if slug != path.stem:
        raise ConferenceError(f"{path}: slug {slug!r} must match the file name {path.stem!r}")
    try:
        scheme = schemes.get(conf["badge_scheme"])
    except KeyError as exc:
        raise ConferenceError(f"{path}: {exc.args[0]}") from None
    badges = tuple(_typed(path, "[conference] badges", conf["badges"], list))
    for badge in badges:
        if badge not in scheme.keys():
            raise ConferenceError(
                f"{path}: badge {badge!r} is not in scheme {scheme.name} ({', '.join(scheme.keys())})"
            )
    phases = _phases(path, data.get("phase", []))
    review = _review(path, data.get("review", {}))
    evaluation = data.get("evaluation", {})
    _unknown(path, "evaluation", set(evaluation))
    limits = data.get("limits", {})
    _unknown(path, "limits", set(limits))
    for key, value in limits.items():
        if _typed(path, f"[limits] {key}", value, (int, float)) <= 0:
            raise ConferenceError(f"{path}: [limits] {key} must be positive")
    pools = data.get("pool") or [{"name": "default"}]
    for pool in pools:
        _unknown(path, "pool", set(pool))
        if "name" not in pool:
            raise ConferenceError(f"{path}: every [[pool]] needs a name")
        pool_from_mapping(pool, source=str(path))  # types of every constraint
        if "slurm" in pool:  # a Slurm pool: its runs are batch jobs (ae.workers.slurm)
            settings_from_mapping(pool["name"], pool["slurm"], source=str(path))
    dependencies = _dependency_pins(path, data.get("dependency", []))
    tournament = _tournament(path, data.get("tournament"), [str(p["name"]) for p in pools])
    checklist = data.get("checklist", {})
    profile_from_mapping(checklist, name=slug, source=f"{path}: [checklist]")
    repetitions = _typed(path, "[evaluation] repetitions", evaluation.get("repetitions", 3), int)
    max_repetitions = _typed(path, "[evaluation] max_repetitions",
                             evaluation.get("max_repetitions", 15), int)
    if not 1 <= repetitions <= max_repetitions:
        raise ConferenceError(f"{path}: [evaluation] needs 1 <= repetitions <= max_repetitions")
    return Conference(
        slug=slug, name=str(conf["name"]), badge_scheme=scheme.name, badges=badges, path=path,
        phases=tuple(phases), repetitions=repetitions, max_repetitions=max_repetitions,
        tolerance=_percent(path, evaluation.get("tolerance", "8%")),
        network=_typed(path, "[evaluation] network", evaluation.get("network", False), bool),
        limits=dict(limits), pools=tuple(pools), checklist=dict(checklist),
        appendix_family=conf.get("appendix_family"), dependencies=dependencies, tournament=tournament,
        review=review,
        smoke=_typed(path, "[evaluation] smoke", evaluation.get("smoke", False), bool),
        budgets=parse_budgets(data.get("budget", []), [str(p["name"]) for p in pools], source=str(path)),
    )


def _phases(path: Path, items: Any) -> tuple[Phase, ...]:
    """Validate `[[phase]]` tables: a unique name, a start `date` and an optional `end` not before it."""
    phases = []
    for item in _typed(path, "[[phase]]", items, list):
        _unknown(path, "phase", set(_typed(path, "[[phase]]", item, dict)))
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ConferenceError(f"{path}: every [[phase]] needs a name (e.g. one of {', '.join(PROCESS)})")
        if not isinstance(item.get("date"), dt.date) or isinstance(item["date"], dt.datetime):
            raise ConferenceError(f"{path}: [[phase]] {name!r} needs a date like 2019-01-04")
        end = item.get("end")
        if end is not None and (not isinstance(end, dt.date) or isinstance(end, dt.datetime)):
            raise ConferenceError(f"{path}: [[phase]] {name!r} end must be a date like 2019-01-04")
        if end is not None and end < item["date"]:
            raise ConferenceError(f"{path}: [[phase]] {name!r} ends ({end}) before it starts "
                                  f"({item['date']})")
        phases.append(Phase(name, item["date"], end))
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ConferenceError(f"{path}: [[phase]] {twice!r} is named twice")
    return tuple(phases)


def _review(path: Path, table: Any) -> ReviewSetup:
    """Validate the `[review]` table: `form` (a named form or an inline table) and the load settings."""
    _unknown(path, "review", set(_typed(path, "[review]", table, dict)))
    form = table.get("form", forms.DEFAULT)
    try:
        chosen = forms.parse_inline(form) if isinstance(form, dict) else forms.get(
            _typed(path, "[review] form", form, str))
    except forms.FormError as exc:
        raise ConferenceError(f"{path}: [review] form: {exc}") from None
    k = _typed(path, "[review] evaluators_per_artifact", table.get("evaluators_per_artifact", 3), int)
    if not 1 <= k <= 20:
        raise ConferenceError(f"{path}: [review] evaluators_per_artifact must be between 1 and 20 (got {k})")
    most = table.get("max_per_evaluator")
    if most is not None and _typed(path, "[review] max_per_evaluator", most, int) < 1:
        raise ConferenceError(f"{path}: [review] max_per_evaluator must be at least 1 (got {most})")
    return ReviewSetup(form=chosen, evaluators_per_artifact=k, max_per_evaluator=most)


def _tournament(path: Path, table: Any, pools: list[str]) -> Tournament | None:
    """Validate the `[tournament]` table (metrics, constraints, pools, repetitions, meta), if any."""
    if table is None:
        return None
    try:
        return parse_tournament(table, where="[tournament]", pools=pools)
    except TournamentError as exc:
        raise ConferenceError(f"{path}: {exc}") from None


def _dependency_pins(path: Path, items: Any) -> tuple[Pin, ...]:
    """Validate `[[dependency]]` tables: a repo alias/UID with a URL and/or a commit to pin it to."""
    pins = []
    for item in _typed(path, "[[dependency]]", items, list):
        _unknown(path, "dependency", set(_typed(path, "[[dependency]]", item, dict)))
        repo = item.get("repo")
        if not isinstance(repo, str) or not repo:
            raise ConferenceError(f"{path}: [[dependency]] needs a repo (the alias or UID in repo_deps)")
        url = item.get("url")
        commit = item.get("commit")
        if url is not None:
            _typed(path, f"[[dependency]] {repo!r} url", url, str)
        if commit is not None and not _COMMIT.match(str(commit)):
            raise ConferenceError(f"{path}: [[dependency]] {repo!r} commit must be a hex commit id "
                                  f"(got {commit!r})")
        if url is None and commit is None:
            raise ConferenceError(f"{path}: [[dependency]] {repo!r} needs a url, a commit or both")
        pins.append(Pin(repo=repo, url=url, commit=commit))
    if len({p.repo for p in pins}) != len(pins):
        raise ConferenceError(f"{path}: [[dependency]] names a repository twice")
    return tuple(pins)


def load_dir(directory: Path) -> dict[str, Conference]:
    """Load every `*.toml` conference file of a directory."""
    if not directory.is_dir():
        raise ConferenceError(f"conferences directory {directory} does not exist (set AE_CONFERENCES_DIR)")
    found = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConferenceError(f"{path}: cannot be read: {exc}") from exc
        conference = parse(path, text)
        found[conference.slug] = conference
    return found


def init_app(app: Flask) -> None:
    """Load and validate the conference files when the app starts."""
    app.extensions.setdefault("ae", {})["conferences"] = load_dir(Path(app.config["CONFERENCES_DIR"]))


def all_conferences(app: Flask | None = None) -> dict[str, Conference]:
    """Return every loaded conference by slug."""
    conferences: dict[str, Conference] = (app or current_app).extensions["ae"]["conferences"]
    return conferences


def get(slug: str, app: Flask | None = None) -> Conference:
    """Return conference `slug` or raise NotFound naming the known ones."""
    found = all_conferences(app)
    if slug not in found:
        raise NotFound(f"unknown conference {slug!r} (known: {', '.join(found) or 'none'})")
    return found[slug]
