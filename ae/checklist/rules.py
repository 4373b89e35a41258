"""Lint rules: each takes the parsed appendix in context and returns its findings.

A rule is a plain function over a `Context` (appendix, family layout, profile, requested badges,
claims, prose hits); `RULES` lists them in the order their findings are reported. Domain rules
live here: obligatory sections (placed where the template puts them), check-list items per badge
and template version, DOIs for Available, the camera-ready page limit, and the severity of what
the prose reading found; the claims/experiments and SC rules are in `family_rules.py`.

Rules that would contradict each other defer to content: a section counts as present when what
it holds was read elsewhere (twenty check-list items under another heading, experiments E1-E5
under "Evaluation"), and an archive found anywhere answers "Archived".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ae.checklist.context import SECTION_FIXES, Context
from ae.checklist.family_rules import CLAIMS_GROUPS, rule_experiments, rule_sc
from ae.checklist.findings import Finding
from ae.checklist.labels import ALL_ITEM_LABELS, ITEM_PREDECESSORS, VERSION_ITEMS
from ae.checklist.model import Item, Section
from ae.checklist.patterns import lazy

_VARIATION_RE = lazy(
    r"variation|variance|tolerance|deviat|within\s+(?:about\s+|roughly\s+)?\d|±|\+/-|noise|"
    r"error\s+bar|confidence|\bstd\b|standard\s+deviation|vary|varies|fluctuat",
    re.IGNORECASE,
)
_ARCHIVE_URL_RE = lazy(
    r"zenodo\.org/(?:records?|deposit)/(\d+)|zenodo\.org/badge/latestdoi/\d+"
    r"|figshare\.com/articles/[^\s/]+/[^\s/]+/\d+|archive\.softwareheritage\.org/[^\s)}]+")
__all__ = ["PROSE_CODES", "RULES", "SECTION_FIXES", "Context"]
PROSE_CODES = ("merge-conflict", "todo", "placeholder", "empty-link", "promised-link",
               "broken-anchor", "empty-code", "template-text", "wrong-directory")


def _content(c: Context, key: str) -> tuple[bool, bool]:
    """Return (present, filled) for what a section holds when it was read elsewhere."""
    a = c.appendix
    if key == "checklist":
        known = [i for i in a.items if i.key]
        return len(known) >= 3, any(not i.empty for i in known)
    held = {"major_claims": bool(a.major_claims), "experiments": bool(a.experiments),
            "contributions": bool(a.contributions), "artifacts": bool(a.artifacts),
            "identification": any(art.identified for art in a.artifacts)}.get(key, False)
    return held, held


def _placement(c: Context, key: str) -> tuple[str, int | None]:
    """Say where a missing section belongs, from the template's order of sections."""
    order = c.layout.order
    if key not in order:
        return "", None
    present: dict[str, Section] = {}
    for section in c.appendix.sections:
        if section.key and section.key not in present:
            present[section.key] = section
    index = order.index(key)
    before = next((present[k] for k in reversed(order[:index]) if k in present), None)
    if before is not None:
        return f'; it belongs after "{before.title}" (line {before.line})', before.line
    after = next((present[k] for k in order[index + 1:] if k in present), None)
    if after is not None:
        return f'; it belongs before "{after.title}" (line {after.line})', after.line
    return "", None


def _section_findings(c: Context, spec: str, reason: str) -> list[Finding]:
    keys = spec.split("|")
    found = [s for key in keys for s in c.sections(key)]
    content = [_content(c, key) for key in keys]
    present = bool(found) or any(p for p, _ in content)
    title = f'"{c.title(keys[0])}"'
    fix = SECTION_FIXES.get(keys[0], "write this section")
    if not present:
        where, line = _placement(c, keys[0])
        return [Finding("error", "missing-section", f"section {title} is missing ({reason}){where}",
                        f"add a section titled {title}: {fix}", line, keys[0])]
    if not any(s.filled for s in found) and not any(f for _, f in content):
        if keys[0] == "identification" and c.appendix.artifacts:
            return []  # each artifact's missing description is reported for that artifact
        section = found[0]
        why = section.empty_reason or "empty"
        return [Finding("error", "empty-section",
                        f'section "{section.title}" is still empty ({why}; {reason})',
                        f"replace the template text: {fix}", section.line, section.key)]
    return []


def rule_untouched(c: Context) -> list[Finding]:
    """An appendix with nothing but headings and hints is still the template."""
    if not c.appendix.sections and c.appendix.words == 0:
        return [Finding("error", "empty-appendix", "the appendix has no text",
                        "start from `ae appendix new --family ctuning-md` and fill it in", 1)]
    if c.appendix.sections and c.appendix.all_empty:
        first = c.appendix.sections[0]
        return [Finding("error", "untouched-template",
                        f"every section is still empty or the {c.appendix.family} template's "
                        f"own text",
                        "fill in the sections; keep the headings and replace the hints",
                        first.line)]
    return []


def rule_family(c: Context) -> list[Finding]:
    """Warn when the conference does not accept this appendix family."""
    accepted = c.profile.families
    if not accepted or c.appendix.family in accepted or c.group in accepted:
        return []
    return [Finding("warning", "family-not-accepted",
                    f"the appendix follows the {c.appendix.family} template, but this conference "
                    f"asks for {', '.join(accepted)}",
                    f"rewrite it with the {accepted[0]} template (`ae appendix new`)", 1)]


def rule_free(c: Context) -> list[Finding]:
    """Free text has no structure an evaluator can rely on."""
    if c.group != "free" or not c.appendix.words:
        return []
    return [Finding("warning", "no-structure",
                    "no known appendix template was recognised (no check-list, claims and "
                    "experiments, or SC contributions and artifacts)",
                    "start from your conference's template (`ae appendix new --family "
                    "ctuning-md` writes one) and move the text into its sections", 1)]


def rule_sections(c: Context) -> list[Finding]:
    """Obligatory sections and the sections each requested badge needs."""
    findings: list[Finding] = []
    for spec, reason in c.required_specs():
        findings.extend(_section_findings(c, spec, reason))
    return findings


def rule_items(c: Context) -> list[Finding]:
    """Check-list items: required ones filled, placeholders flagged, duplicates and strays noted.

    Requirements follow the template version the author used: an item that version did not ask
    for is not required, and "Experiments" is "Experiment workflow" before 2017. "Archived" is
    left to the DOI rule when a DOI badge is requested.
    """
    if c.group != "ctuning":
        return []
    findings: list[Finding] = []
    checklist = c.appendix.section("checklist")
    anchor = checklist.line if checklist else None
    allowed = VERSION_ITEMS.get(c.appendix.version or "")
    doi_rule = _doi_badges(c)
    required: dict[str, str] = {}
    for badge in c.badges:
        for key in c.profile.badge_items.get(badge, ()):
            if key == "archived" and doi_rule:
                continue
            if allowed is not None and key not in allowed:
                older = ITEM_PREDECESSORS.get(key)
                if older is None or older not in allowed:
                    continue
                key = older
            required.setdefault(key, badge)
    by_key: dict[str, Item] = {}
    for item in c.appendix.items:
        if item.key is None:
            findings.append(Finding("info", "unknown-item",
                                    f'item "{item.label}" is not a check-list item',
                                    "keep it if it helps evaluators, or rename it to one of "
                                    "the standard labels", item.line))
            continue
        if item.key in by_key and by_key[item.key].line != item.line:
            findings.append(Finding("warning", "duplicate-item",
                                    f'item "{item.label}" appears twice (first on line '
                                    f"{by_key[item.key].line})",
                                    "merge the two lines", item.line, item.key))
            continue
        by_key[item.key] = item
    for key, badge in required.items():
        label = ALL_ITEM_LABELS.get(key, key)
        given = by_key.get(key)
        if given is None:
            findings.append(Finding("error", "missing-item",
                                    f'item "{label}" is missing (needed for the {badge} badge)',
                                    f'add "{label}: ..." to the check-list', anchor, key))
        elif given.empty:
            findings.append(Finding("error", "empty-item",
                                    f'item "{given.label}" has no value yet ({given.empty_reason}); '
                                    f"it is needed for the {badge} badge",
                                    "write the actual value", given.line, key))
    left = [item for key, item in by_key.items()
            if item.empty and key not in required and not (key == "archived" and doi_rule)]
    if left:
        names = ", ".join(item.label if item.empty_reason == "empty"
                          else f"{item.label} ({item.empty_reason})" for item in left)
        findings.append(Finding("warning", "placeholder-item",
                                f"{len(left)} check-list item{'s' if len(left) > 1 else ''} "
                                f"{'have' if len(left) > 1 else 'has'} no value yet: {names}",
                                "fill them in, or delete the lines that do not apply",
                                left[0].line, left[0].key))
    return findings


def _doi_badges(c: Context) -> list[str]:
    if not c.layout.doi_required:
        return []
    return [b for b in c.requested if b in c.profile.doi_badges]


def rule_dois(c: Context) -> list[Finding]:
    """Available needs a real DOI; a placeholder DOI or an archive link without one is flagged."""
    dois = c.appendix.dois
    real = [d for d in dois if not d.placeholder]
    placeholders = [d for d in dois if d.placeholder]
    archived = c.appendix.item("archived")
    needs = _doi_badges(c)
    record = _ARCHIVE_URL_RE.search(c.text)
    findings: list[Finding] = []
    if needs and not real:
        if placeholders:
            d = placeholders[0]
            return [Finding("error", "placeholder-doi",
                            f"DOI {d.value} is still a placeholder, and the {needs[0]} badge "
                            f"needs a real one", "archive the artifact and write the DOI the "
                            "archive (Zenodo, FigShare, ...) assigned", d.line, "archived")]
        if record is not None:
            return [_archived_without_doi(c, record)]
        line = archived.line if archived else c.section_line("how_to_access", "description")
        return [Finding("error", "missing-doi",
                        f"no DOI found, but the {needs[0]} badge needs the artifact on an "
                        f"archival host",
                        "archive the artifact (e.g. Zenodo) and write its DOI (10.NNNN/...) "
                        "where the artifact is said to be", line, "archived")]
    findings += [Finding("warning", "placeholder-doi", f"DOI {d.value} is still a placeholder",
                         "replace it with the DOI the archive (Zenodo, FigShare, ...) assigned",
                         d.line) for d in placeholders]
    if not real and record is not None and archived is not None and not archived.empty:
        findings.append(_archived_without_doi(c, record))
    elif archived is not None and not archived.empty and "10." not in archived.value \
            and not real:
        findings.append(Finding(
            "warning", "archived-without-doi",
            f'item "{archived.label}" gives no DOI ({archived.value[:60]})',
            "a repository URL is not an archive: give a DOI such as 10.5281/zenodo.N",
            archived.line, "archived"))
    return findings


def _archived_without_doi(c: Context, record: re.Match[str]) -> Finding:
    line = c.text.count("\n", 0, record.start()) + 1
    number = record.group(1)
    doi = f"10.5281/zenodo.{number}" if number else None
    return Finding("warning", "archived-without-doi",
                   f"the artifact is archived ({record.group(0)}) but no DOI is written",
                   f"write the archive's DOI{f' ({doi})' if doi else ''} next to the link",
                   line, "archived")


def rule_claims(c: Context) -> list[Finding]:
    """Badges about results need claims: the template's, and a claims block to check them by."""
    wants = [b for b in c.requested if b in c.profile.claims_badges]
    if not wants or c.claims:
        return []
    if c.group in CLAIMS_GROUPS and not c.appendix.major_claims:
        return [Finding("error", "no-major-claims",
                        f"no major claims (C1), (C2), ... found, but the {wants[0]} badge is "
                        f"about reproducing them", SECTION_FIXES["major_claims"],
                        c.section_line("major_claims"), "major_claims")]
    line = c.section_line("major_claims", "evaluation", "expected_results", "evaluation_workflow")
    return [Finding("info", "no-claims",
                    f"no ```claims block, so results for the {wants[0]} badge can only be "
                    f"checked by hand",
                    "add a ```claims TOML block to the evaluation section with the measured "
                    "metrics and expected values (`ae appendix claims` drafts one)", line,
                    "evaluation")]


def rule_hints(c: Context) -> list[Finding]:
    """Template markers left next to real text."""
    severity = "warning" if c.profile.stage == "camera-ready" else "info"
    return [Finding(severity, "template-hint-left",
                    f'section "{s.title}" still carries a template marker '
                    "([Mandatory], Obligatory, Optional)",
                    "delete the template's hint text", s.line, s.key)
            for s in c.appendix.sections if s.hint_left]


def rule_variation(c: Context) -> list[Finding]:
    """cTuning asks for the maximum allowable variation of the results."""
    if c.group != "ctuning":
        return []
    section = c.appendix.section("evaluation") or c.appendix.section("expected_results")
    if section is None or not section.filled:
        return []
    text = " ".join(s.text for s in c.appendix.sections
                    if section.line <= s.line <= section.subtree_end_line)
    if _VARIATION_RE.search(text):
        return []
    if any(claim.tolerance is not None for claim in c.claims):
        return []
    return [Finding("info", "no-variation",
                    "the evaluation does not say how much results may vary",
                    "state the maximum allowable variation (e.g. within 10 %) or give a "
                    "tolerance in the claims block", section.line, section.key)]


def rule_pages(c: Context) -> list[Finding]:
    """Camera-ready appendices must fit the page limit (estimated from the word count)."""
    limit = c.profile.page_limit
    if c.profile.stage != "camera-ready" or limit is None:
        return []
    pages = c.appendix.words / c.profile.words_per_page
    if pages <= limit:
        return []
    return [Finding("error", "page-limit",
                    f"about {pages:.1f} pages ({c.appendix.words} words at "
                    f"{c.profile.words_per_page} per page); the camera-ready limit is {limit:g}",
                    "shorten it: move details to the artifact's README and keep the steps", 1)]


def rule_truncated(c: Context) -> list[Finding]:
    """Say what was left unread when the text has far more structure than any appendix."""
    return [Finding("warning", "structure-truncated",
                    f"the appendix has more {what}", "an appendix has a few dozen headings and "
                    "items; move long listings into the artifact", 1)
            for what in c.appendix.truncated]


def rule_prose(c: Context) -> list[Finding]:
    """Severity of what the prose reading found, by the section it is in.

    Conflict markers and TODO/TBD/FIXME/XXX notes are errors anywhere: the author says the text
    is unfinished. Placeholders, empty links and code blocks and promised links are errors in an
    obligatory section or one a requested badge needs, warnings elsewhere. Template
    instructions left next to real text and wrong `cd` directories are warnings.
    """
    required = _required_keys(c)
    spans = [(s.line, s.subtree_end_line, s) for s in c.appendix.sections]
    item_lines = {i.line for i in c.appendix.items if i.empty} if c.group == "ctuning" else set()
    findings = []
    for hit in c.hits:
        if hit.line in item_lines and hit.kind != "conflict":
            continue  # an empty check-list item is reported by the item rules
        enclosing = [s for start, end, s in spans if start <= hit.line <= end]
        if hit.kind == "template" and enclosing and enclosing[-1].empty:
            continue  # the whole section is template text: reported as empty
        if hit.kind in ("conflict", "todo"):
            severity = "error"
        elif hit.kind == "placeholder" and hit.code != "wrong-directory" \
                and any(s.key in required for s in enclosing):
            severity = "error"
        else:
            severity = "warning"
        where = next((s.key for s in reversed(enclosing) if s.key), None)
        findings.append(Finding(severity, hit.code, hit.message, hit.hint, hit.line, where))
    return findings


def _required_keys(c: Context) -> set[str]:
    keys: set[str] = set()
    for spec, _ in c.required_specs():
        for key in spec.split("|"):
            keys.add(key)
            keys.update(c.layout.parents.get(key, ()))
    return keys


RULES: tuple[Callable[[Context], list[Finding]], ...] = (
    rule_untouched, rule_family, rule_free, rule_sections, rule_items, rule_dois, rule_claims,
    rule_experiments, rule_sc, rule_hints, rule_variation, rule_pages, rule_truncated, rule_prose,
)
