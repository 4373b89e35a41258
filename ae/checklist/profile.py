"""Lint profiles: what a conference requires of an appendix, as plain data.

A profile comes from the `[checklist]` table of a conference TOML file (keys documented in
docs/checklist.md); any key left out takes the default below. Section and item requirements are
lists of keys; "a|b" means either section satisfies the requirement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ae.checklist.labels import ALL_ITEM_LABELS, SECTION_TITLES
from ae.checklist.layouts import GROUPS as LAYOUT_GROUPS
from ae.checklist.layouts import LAYOUTS
from ae.errors import ConferenceError

BADGES = ("available", "functional", "reusable", "reproduced", "replicated")
STAGES = ("submission", "camera-ready")
GROUPS = LAYOUT_GROUPS
# Requirements of a badge include those of the badges it implies.
IMPLIES: dict[str, tuple[str, ...]] = {"reusable": ("functional",), "reproduced": ("functional",),
                                       "replicated": ()}

DEFAULT_OBLIGATORY: dict[str, tuple[str, ...]] = {
    group: layout.obligatory for group, layout in LAYOUTS.items()}
DEFAULT_BADGE_ITEMS: dict[str, tuple[str, ...]] = {
    "available": ("publicly_available", "archived"),
    "functional": ("run_time_environment", "hardware", "execution", "output", "experiments"),
    "reusable": ("code_licenses", "workflow_framework"),
    "reproduced": ("metrics", "output", "experiments", "experiments_time"),
    "replicated": ("metrics", "output"),
}
DEFAULT_BADGE_SECTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    group: dict(layout.badge_sections) for group, layout in LAYOUTS.items()}


@dataclass(frozen=True)
class LintProfile:
    """What one conference (or one phase of it) requires of an appendix."""

    name: str = "default"
    families: tuple[str, ...] = ()  # accepted families or groups; empty accepts all
    stage: str = "submission"
    page_limit: float | None = None  # checked at camera-ready only
    words_per_page: int = 1000
    obligatory_sections: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_OBLIGATORY))
    badge_items: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_BADGE_ITEMS))
    badge_sections: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_BADGE_SECTIONS.items()})
    doi_badges: tuple[str, ...] = ("available",)
    claims_badges: tuple[str, ...] = ("reproduced", "replicated")
    ignore: tuple[str, ...] = ()


PROFILES: dict[str, LintProfile] = {
    "default": LintProfile(),
    "camera-ready": LintProfile(name="camera-ready", stage="camera-ready", page_limit=2),
    "ctuning": LintProfile(name="ctuning", families=("ctuning",)),
    "usenix": LintProfile(name="usenix", families=("usenix",)),
    "sc": LintProfile(name="sc", families=("sc",)),
    "ndss": LintProfile(name="ndss", families=("ndss",)),
    "pets": LintProfile(name="pets", families=("pets",)),
}


def normalize_badge(name: str) -> str | None:
    """Map "acm:artifacts-evaluated-functional", "Results Reproduced", "usenix:available" to a key."""
    text = name.lower()
    for key, stem in (("available", "availab"), ("reusable", "reusab"), ("functional", "function"),
                      ("reproduced", "reproduc"), ("replicated", "replicat")):
        if stem in text:
            return key
    return None


def expand_badges(badges: tuple[str, ...]) -> tuple[str, ...]:
    """Return the badges plus those they imply, in the canonical order."""
    wanted = set(badges)
    for badge in badges:
        wanted.update(IMPLIES.get(badge, ()))
    return tuple(b for b in BADGES if b in wanted)


def profile_from_mapping(
    data: Mapping[str, Any], *, name: str = "conference", source: str = "[checklist]"
) -> LintProfile:
    """Build a profile from a conference file's `[checklist]` table; defaults fill the gaps.

    `camera_ready_pages` and `family` are accepted as the conference file's spellings of
    `page_limit` and `families`; `obligatory_sections` may be a plain list, which then applies to
    the named family (or to every family when none is named).
    """
    known = {"families", "family", "stage", "page_limit", "camera_ready_pages", "words_per_page",
             "obligatory_sections", "badge_items", "badge_sections", "doi_badges",
             "claims_badges", "ignore", "name"}
    for key in data:
        if key not in known:
            raise ConferenceError(
                f"{source}: unknown key {key!r} (allowed: {', '.join(sorted(known))})")
    base = LintProfile()
    stage = data.get("stage", base.stage)
    if stage not in STAGES:
        raise ConferenceError(f"{source}: stage must be one of {', '.join(STAGES)} (got {stage!r})")
    page_limit = data.get("page_limit", data.get("camera_ready_pages"))
    if page_limit is not None and (isinstance(page_limit, bool)
                                   or not isinstance(page_limit, int | float) or page_limit <= 0):
        raise ConferenceError(f"{source}: page_limit must be a positive number (got {page_limit!r})")
    per_page = data.get("words_per_page", base.words_per_page)
    if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page <= 0:
        raise ConferenceError(
            f"{source}: words_per_page must be a positive whole number (got {per_page!r})")
    families = data.get("families", data.get("family", ()))
    families = _strings([families] if isinstance(families, str) else families, f"{source} families")
    obligatory = dict(base.obligatory_sections)
    listed = data.get("obligatory_sections", {})
    if isinstance(listed, list):
        sections = _sections(listed, f"{source} obligatory_sections")
        groups = {_family_group(f) for f in families} & set(GROUPS) or set(GROUPS)
        obligatory.update({group: sections for group in groups})
    else:
        for group, sections in _table(data, "obligatory_sections", source).items():
            obligatory[_group(group, source)] = _sections(
                sections, f"{source} obligatory_sections.{group}")
    badge_items = dict(base.badge_items)
    for badge, items in _table(data, "badge_items", source).items():
        badge_items[_badge(badge, source)] = _items(items, f"{source} badge_items.{badge}")
    badge_sections = {k: dict(v) for k, v in base.badge_sections.items()}
    for group, table in _table(data, "badge_sections", source).items():
        where = f"{source} badge_sections.{group}"
        if not isinstance(table, Mapping):
            raise ConferenceError(f"{where}: must be a table of badge = [sections]")
        badge_sections[_group(group, source)] = {
            _badge(badge, where): _sections(sections, f"{where}.{badge}")
            for badge, sections in table.items()
        }
    return LintProfile(
        name=str(data.get("name", name)),
        families=families,
        stage=stage, page_limit=float(page_limit) if page_limit is not None else None,
        words_per_page=per_page, obligatory_sections=obligatory, badge_items=badge_items,
        badge_sections=badge_sections,
        doi_badges=tuple(_badge(b, source) for b in
                         _strings(data.get("doi_badges", base.doi_badges), f"{source} doi_badges")),
        claims_badges=tuple(_badge(b, source) for b in _strings(
            data.get("claims_badges", base.claims_badges), f"{source} claims_badges")),
        ignore=_strings(data.get("ignore", ()), f"{source} ignore"),
    )


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConferenceError(f"{source}: {key} must be a table")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) \
            or not all(isinstance(v, str) for v in value):
        raise ConferenceError(f"{where}: must be a list of strings (got {value!r})")
    return tuple(value)


def _family_group(family: str) -> str:
    """Return the group of a family name ("ctuning-md" -> "ctuning"); groups map to themselves."""
    if family in GROUPS:
        return family
    head = family.split("-", 1)[0]
    return head if head in GROUPS else family


def _group(group: str, source: str) -> str:
    if group not in GROUPS:
        raise ConferenceError(f"{source}: unknown family group {group!r} (one of {', '.join(GROUPS)})")
    return group


def _badge(badge: str, source: str) -> str:
    key = normalize_badge(badge)
    if key is None:
        raise ConferenceError(f"{source}: unknown badge {badge!r} (one of {', '.join(BADGES)})")
    return key


def _sections(value: Any, where: str) -> tuple[str, ...]:
    sections = _strings(value, where)
    for spec in sections:
        for key in spec.split("|"):
            if key not in SECTION_TITLES:
                raise ConferenceError(f"{where}: unknown section {key!r}")
    return sections


def _items(value: Any, where: str) -> tuple[str, ...]:
    items = _strings(value, where)
    for key in items:
        if key not in ALL_ITEM_LABELS:
            raise ConferenceError(f"{where}: unknown check-list item {key!r}")
    return items
