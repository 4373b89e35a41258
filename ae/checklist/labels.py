"""Check-list item labels and section titles: canonical keys and every alias seen in real appendices.

Labels are matched after `normalize_label`: lower case, parenthesised asides such as
"(approximately)" or "(provide DOI)" dropped, punctuation turned into spaces. The tables below list
normalised forms only; `item_key` and `section_key` fall back to keyword rules for the long
"How much ..." questions that authors rephrase freely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ae.checklist.patterns import lazy

# The 22 items of the current cTuning/ACM check-list (V20240722), in template order.
ITEMS: tuple[tuple[str, str], ...] = (
    ("algorithm", "Algorithm"),
    ("program", "Program"),
    ("compilation", "Compilation"),
    ("transformations", "Transformations"),
    ("binary", "Binary"),
    ("model", "Model"),
    ("data_set", "Data set"),
    ("run_time_environment", "Run-time environment"),
    ("hardware", "Hardware"),
    ("run_time_state", "Run-time state"),
    ("execution", "Execution"),
    ("metrics", "Metrics"),
    ("output", "Output"),
    ("experiments", "Experiments"),
    ("disk_space", "How much disk space required (approximately)?"),
    ("preparation_time", "How much time is needed to prepare workflow (approximately)?"),
    ("experiments_time", "How much time is needed to complete experiments (approximately)?"),
    ("publicly_available", "Publicly available?"),
    ("code_licenses", "Code licenses (if publicly available)?"),
    ("data_licenses", "Data licenses (if publicly available)?"),
    ("workflow_framework", "Workflow framework used?"),
    ("archived", "Archived (provide DOI)?"),
)
ITEM_KEYS = tuple(key for key, _ in ITEMS)
ITEM_LABELS = dict(ITEMS)

# Items of older template versions and common non-standard extras.
LEGACY_ITEMS: dict[str, str] = {
    "experiment_workflow": "Experiment workflow",
    "experiment_customization": "Experiment customization",
    "self_available": "Artifacts publicly available?",
    "self_functional": "Artifacts functional?",
    "self_reusable": "Artifacts reusable?",
    "self_validated": "Results validated?",
    "ck_workflow_url": "CK workflow URL",
    "ck_results_url": "CK results URL",
}
ALL_ITEM_LABELS = {**ITEM_LABELS, **LEGACY_ITEMS}

# The items each cTuning template version asks for (reference notes §1.4): a badge requirement
# for an item the author's version did not have is not held against them.
_ITEMS_2015 = frozenset({"algorithm", "program", "compilation", "transformations", "binary",
                         "data_set", "run_time_environment", "hardware", "run_time_state",
                         "execution", "output", "experiment_workflow", "publicly_available"})
_ITEMS_2018 = (_ITEMS_2015 - {"experiment_workflow"}) | {
    "experiments", "workflow_framework", "metrics", "disk_space", "preparation_time",
    "experiments_time", "code_licenses", "data_licenses", "archived"}
VERSION_ITEMS: dict[str, frozenset[str]] = {
    "20151015": _ITEMS_2015,
    "20160509": _ITEMS_2015 | {"experiment_customization"},
    "20170622": (_ITEMS_2015 - {"experiment_workflow"}) | {
        "experiments", "workflow_framework", "self_available", "self_functional",
        "self_reusable", "self_validated"},
    "20180713": _ITEMS_2018,
    "request-20180201": (_ITEMS_2018 - {"code_licenses", "data_licenses", "archived"})
    | {"ck_workflow_url", "ck_results_url"},
    "20190108": _ITEMS_2018,
    "20200102": _ITEMS_2018 | {"model"},
    "20201122": _ITEMS_2018 | {"model"},
    "20240722": _ITEMS_2018 | {"model"},
}
# What an older version asked instead of an item of the current list.
ITEM_PREDECESSORS: dict[str, str] = {"experiments": "experiment_workflow"}

# One label that stands for two items (2018 template): the value applies to both.
SPLIT_ITEMS: dict[str, tuple[str, ...]] = {
    "code data licenses": ("code_licenses", "data_licenses"),
    "code data license": ("code_licenses", "data_licenses"),
    "code and data licenses": ("code_licenses", "data_licenses"),
    "licenses code data": ("code_licenses", "data_licenses"),
}

_ITEM_ALIASES: dict[str, tuple[str, ...]] = {
    "algorithm": ("algorithm", "algorithms", "new algorithm"),
    "program": ("program", "programs", "benchmark", "benchmarks", "program benchmark"),
    "compilation": ("compilation", "compiler", "compilers"),
    "transformations": ("transformations", "transformation", "program transformations"),
    "binary": ("binary", "binaries"),
    "model": ("model", "models", "ml model", "ml models"),
    "data_set": ("data set", "data sets", "dataset", "datasets", "data"),
    "run_time_environment": (
        "run time environment", "runtime environment", "run time environments", "environment",
        "software environment", "execution environment",
    ),
    "hardware": ("hardware", "hardware platform", "platform"),
    "run_time_state": ("run time state", "runtime state"),
    "execution": ("execution",),
    "metrics": ("metrics", "metric"),
    "output": ("output", "outputs"),
    "experiments": ("experiments", "experiment"),
    "disk_space": (
        "how much disk space required", "how much disk space is required", "disk space",
        "disk space required", "how much disk space", "required disk space",
    ),
    "preparation_time": (
        "how much time is needed to prepare workflow", "how much time is needed to prepare the workflow",
        "time needed to prepare workflow", "preparation time", "setup time",
    ),
    "experiments_time": (
        "how much time is needed to complete experiments",
        "how much time is needed to complete the experiments",
        "time needed to complete experiments", "experiment time", "experiments time",
    ),
    "publicly_available": ("publicly available", "public", "publicly available artifact"),
    "code_licenses": (
        "code licenses", "code license", "code licence", "code licences", "code license s",
        "license", "licenses", "licence", "licences", "license s",
    ),
    "data_licenses": ("data licenses", "data license", "data licence", "data licences",
                      "data license s"),
    "workflow_framework": (
        "workflow framework used", "workflow automation framework used", "workflow frameworks used",
        "workflow framework", "automation", "automation framework used",
        "ck workflow framework used", "collective knowledge workflow framework used",
        "workflow automation",
    ),
    "archived": ("archived", "archive", "doi", "archived doi", "artifact doi"),
    "experiment_workflow": ("experiment workflow",),
    "experiment_customization": ("experiment customization", "experiment customisation"),
    "self_available": ("artifacts publicly available",),
    "self_functional": ("artifacts functional",),
    "self_reusable": ("artifacts reusable", "artifacts customizable and reusable"),
    "self_validated": ("results validated", "results reproduced", "results replicated"),
    "ck_workflow_url": ("ck workflow url",),
    "ck_results_url": ("ck results url",),
}
ITEM_ALIASES: dict[str, str] = {
    alias: key for key, aliases in _ITEM_ALIASES.items() for alias in aliases
}

# Section titles of every family, normalised, mapped to one key.
_SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "appendix": (
        "artifact appendix", "artifact description appendix", "artifact evaluation appendix",
        "appendix", "appendix artifact description", "ae appendix", "artifact appendices",
        "artifact description",  # the 2015-2016 templates' top-level section
    ),
    "abstract": ("abstract", "artifact abstract", "summary", "artifact summary", "overview"),
    "checklist": (
        "artifact check list meta information", "artifact checklist meta information",
        "artifact check list", "artifact checklist", "checklist", "check list",
        "check list artifact meta information", "checklist artifact meta information",
        "artifact meta information", "meta information", "reproducibility checklist",
    ),
    "description": (
        "description", "description requirements", "description and requirements",
    ),
    "how_to_access": (
        "how to access", "how delivered", "how to obtain", "how to get", "access",
        "artifact access", "how software can be obtained", "availability", "how to access the artifact",
        "how obtained", "accessibility", "artifact availability",
    ),
    "hardware_dependencies": ("hardware dependencies", "hardware requirements", "hardware"),
    "software_dependencies": ("software dependencies", "software requirements", "software"),
    "data_sets": ("data sets", "datasets", "data set", "dataset", "datasets inputs", "inputs"),
    "models": ("models", "model"),
    "benchmarks": ("benchmarks", "benchmark"),
    "installation": (
        "installation", "install", "set up", "setup", "installation and setup",
        "installation and deployment", "installation and configuration",
        "artifact installation configuration", "installation configuration",
        "set up the environment", "setup the environment", "environment setup", "prepare",
        "getting started", "build instructions", "build", "installation instructions",
        "setup and installation",
    ),
    "experiment_workflow": ("experiment workflow", "workflow", "experiment workflows"),
    "evaluation": (
        "evaluation and expected results", "evaluation and expected result", "evaluation",
        "evaluation and results",
    ),
    "experiment_customization": (
        "experiment customization", "experiment customisation", "customization", "customisation",
    ),
    "reusability": ("reusability", "notes on reusability", "reuse"),
    "testing": ("testing the environment", "testing", "basic tests", "basic test",
                "setup verification", "test the environment"),
    "limitations": ("limitations",),
    "security": ("security privacy issues and ethical concerns",
                 "security privacy and ethical concerns", "security privacy ethical concerns",
                 "ethical concerns", "security and privacy"),
    "basic_requirements": ("basic requirements",),
    "time_storage": ("estimated time and storage consumption", "time and storage consumption"),
    "environment": ("environment",),
    "summary": ("summary of the experiments reported",),
    "baseline_setup": ("baseline experimental setup and modifications made for the paper",
                       "baseline experimental setup"),
    "notes": ("notes", "general notes", "additional notes"),
    "methodology": ("methodology",),
    "evaluation_workflow": ("evaluation workflow",),
    "major_claims": ("major claims", "claims", "main claims", "key claims",
                     "main results and claims", "main results", "results and claims"),
    "experiments": ("experiments",),
    # SC AD/AE (2024)
    "ad": ("artifact description ad",),
    "ae": ("artifact evaluation ae", "artifact evaluation"),
    "overview": ("overview of contributions and artifacts",),
    "contributions": ("paper s main contributions", "main contributions", "contributions"),
    "artifacts": ("computational artifacts",),
    "identification": ("artifact identification",),
    "relation_to_contributions": ("relation to contributions",),
    "expected_results": ("expected results",),
    "reproduction_time": ("expected reproduction time", "expected reproduction time in minutes"),
    "artifact_setup": ("artifact setup", "artifact setup incl inputs"),
    "artifact_execution": ("artifact execution",),
    "artifact_analysis": ("artifact analysis", "artifact analysis incl outputs"),
    # ReQuEST extended abstract
    "technical_description": ("technical description",),
    "empirical_evaluation": ("empirical evaluation",),
}
SECTION_ALIASES: dict[str, str] = {
    alias: key for key, aliases in _SECTION_ALIASES.items() for alias in aliases
}
SECTION_TITLES: dict[str, str] = {
    "appendix": "Artifact Appendix", "abstract": "Abstract",
    "checklist": "Artifact check-list (meta-information)", "description": "Description",
    "how_to_access": "How to access", "hardware_dependencies": "Hardware dependencies",
    "software_dependencies": "Software dependencies", "data_sets": "Data sets", "models": "Models",
    "benchmarks": "Benchmarks", "installation": "Installation",
    "experiment_workflow": "Experiment workflow", "evaluation": "Evaluation and expected results",
    "experiment_customization": "Experiment customization", "reusability": "Reusability",
    "notes": "Notes", "methodology": "Methodology", "evaluation_workflow": "Evaluation workflow",
    "major_claims": "Major Claims", "experiments": "Experiments",
    "ad": "Artifact Description (AD)", "ae": "Artifact Evaluation (AE)",
    "overview": "Overview of Contributions and Artifacts",
    "contributions": "Paper's Main Contributions", "artifacts": "Computational Artifacts",
    "identification": "Artifact Identification",
    "relation_to_contributions": "Relation To Contributions", "expected_results": "Expected Results",
    "reproduction_time": "Expected Reproduction Time (in Minutes)",
    "artifact_setup": "Artifact Setup (incl. Inputs)", "artifact_execution": "Artifact Execution",
    "artifact_analysis": "Artifact Analysis (incl. Outputs)",
    "technical_description": "Technical Description", "empirical_evaluation": "Empirical Evaluation",
    "testing": "Testing the Environment", "limitations": "Limitations",
    "security": "Security/Privacy Issues and Ethical Concerns",
    "basic_requirements": "Basic Requirements",
    "time_storage": "Estimated Time and Storage Consumption", "environment": "Environment",
    "summary": "Summary of the Experiments Reported",
    "baseline_setup": "Baseline Experimental Setup",
}

_PAREN_RE = lazy(r"\([^()]*\)")
_NON_ALNUM_RE = lazy(r"[^a-z0-9]+")
_NUMBERING_RE = lazy(
    r"^\s*(?:(?:(?:[A-Z]|\d+|[ivxIVX]+)(?:\.\d+)+\.?|(?:[A-Z]|\d+|[IVX]+)[.)]|\([a-zA-Z0-9]+\))\s+"
    r"|(?:[A-Z]|\d{1,2})\.(?=[A-Z][A-Za-z])|\d{1,2}\s+(?=[A-Z][a-z]))"
)
_MARKER_RE = lazy(
    r"\s*[\[(]\s*(?:mandatory|obligatory|optional|recommended|required)\s*[\])]\s*", re.IGNORECASE
)


def normalize_label(label: str) -> str:
    """Return the comparison form of a label: lower case, no asides, words joined by one space."""
    text = label.lower().replace("&", " ").replace("’", "'")
    text = _PAREN_RE.sub(" ", text)
    return _NON_ALNUM_RE.sub(" ", text).strip()


def split_numbering(title: str) -> tuple[str | None, str]:
    """Split a heading like "A.2 Abstract" or "B. Description" into ("A.2", "Abstract")."""
    match = _NUMBERING_RE.match(title)
    if not match:
        return None, title.strip()
    number = match.group(0).strip().rstrip(".").strip("()") or None
    return number, title[match.end():].strip()


def strip_markers(text: str) -> str:
    """Remove "[Mandatory]"/"(Optional)" style markers from a title."""
    return _MARKER_RE.sub(" ", text).strip()


def item_key(label: str) -> str | None:
    """Return the canonical item key for a check-list label, or None when it is not one."""
    norm = normalize_label(label)
    if not norm:
        return None
    key = ITEM_ALIASES.get(norm)
    if key:
        return key
    words = norm.split()
    if len(words) > 14:
        return None
    if "disk" in words:
        return "disk_space"
    if "time" in words and any(w in words for w in ("prepare", "preparation", "install", "setup")):
        return "preparation_time"
    if "time" in words and any(w in words for w in ("complete", "experiments", "experiment", "run")):
        return "experiments_time"
    if any(w.startswith("licen") for w in words):
        return "data_licenses" if "data" in words and "code" not in words else "code_licenses"
    if "workflow" in words and ("framework" in words or "frameworks" in words):
        return "workflow_framework"
    if words[0].startswith("archiv") or "doi" in words:
        return "archived"
    if words[:2] == ["publicly", "available"]:
        return "publicly_available"
    return None


def split_item_keys(label: str) -> tuple[str, ...]:
    """Return the item keys one label stands for ("Code/data licenses" stands for two)."""
    norm = normalize_label(label)
    if norm in SPLIT_ITEMS:
        return SPLIT_ITEMS[norm]
    key = item_key(label)
    return (key,) if key else ()


def section_key(title: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """Return the canonical section key for a heading title, or None for an unknown heading.

    `aliases` are a family's own titles (normalised form -> key); they win over the shared ones.
    """
    _, rest = split_numbering(strip_markers(title))
    whole = _NON_ALNUM_RE.sub(" ", rest.lower()).strip()  # keeps "(AD)" in "Artifact Description (AD)"
    norm = normalize_label(rest)
    for table in (aliases, SECTION_ALIASES):
        if table and whole in table:
            return table[whole]
        if table and norm in table:
            return table[norm]
    if not norm:
        return None
    if norm.startswith("computational artifact"):
        return "artifact"
    words = norm.split()
    for size in range(min(len(words), 6), 1, -1):
        prefix = " ".join(words[:size])
        for table in (aliases, SECTION_ALIASES):
            if table and prefix in table:
                return table[prefix]
    return None
