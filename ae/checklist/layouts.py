"""Each template family's sections as data: order, titles, aliases, what is obligatory.

A layout is what a chair checks an appendix of that family against: the sections in the order
the template gives them (so a missing one can be placed), the family's own title for each key,
titles only this family uses, the sections that are obligatory whatever badges are requested,
the sections each badge needs, which sections a parent stands for ("Description & Requirements"
is there when "How to access" is), and whether the Available badge needs a DOI (PETS accepts a
persistent repository).

Sources (facts, read from the templates): cTuning `ae.tex` V20240722 and its 2015-2020 versions;
sysartifacts EuroSys'26 and secartifacts USENIX Security'24 appendix templates; secartifacts NDSS
2025-2026 `ndss_ae_appendix_template_v1.tex`; secartifacts PETS 2024-2026 `ARTIFACT-APPENDIX.md`;
hunsa/sc24-repro `sc24_ad_ae_template.tex`; the SC19-SC21 AD/AE online form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layout:
    """The sections of one family group, as a chair reads them."""

    group: str
    order: tuple[str, ...]
    obligatory: tuple[str, ...]
    badge_sections: Mapping[str, tuple[str, ...]]
    titles: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    doi_required: bool = True


CTUNING = Layout(
    group="ctuning",
    order=("appendix", "abstract", "checklist", "description", "how_to_access",
           "hardware_dependencies", "software_dependencies", "data_sets", "models", "installation",
           "experiment_workflow", "evaluation", "expected_results", "experiment_customization",
           "reusability", "notes", "methodology"),
    obligatory=("abstract", "checklist", "how_to_access", "installation",
                "evaluation|expected_results"),
    badge_sections={
        "functional": ("installation", "experiment_workflow|evaluation|expected_results"),
        "reusable": ("experiment_customization|reusability",),
        "reproduced": ("evaluation|expected_results",),
        "replicated": ("evaluation|expected_results",),
    },
    titles={"evaluation": "Evaluation and expected results"},
    aliases={"how software can be obtained": "how_to_access", "overview": "abstract",
             "artifact metadata": "checklist", "metadata": "checklist"},
    parents={"description": ("how_to_access", "hardware_dependencies", "software_dependencies",
                             "data_sets", "models")},
)

USENIX = Layout(
    group="usenix",
    order=("appendix", "abstract", "description", "how_to_access", "hardware_dependencies",
           "software_dependencies", "benchmarks", "installation", "evaluation_workflow",
           "major_claims", "experiments", "reusability", "notes"),
    obligatory=("abstract", "description", "installation", "evaluation_workflow"),
    badge_sections={
        "functional": ("installation", "experiments"),
        "reusable": ("reusability",),
        "reproduced": ("major_claims", "experiments"),
        "replicated": ("major_claims",),
    },
    titles={"description": "Description & Requirements", "installation": "Set-up",
            "reusability": "Notes on Reusability"},
    aliases={"artifact check list": "description", "artifact checklist": "description",
             "checklist": "description", "requirements": "description",
             "artifact evaluation": "appendix", "artifact": "appendix"},
    parents={"description": ("how_to_access", "hardware_dependencies", "software_dependencies",
                             "benchmarks"),
             "evaluation_workflow": ("major_claims", "experiments")},
)

NDSS = Layout(
    group="ndss",
    order=("appendix", "description", "how_to_access", "hardware_dependencies",
           "software_dependencies", "benchmarks", "installation", "experiment_workflow",
           "major_claims", "evaluation", "experiment_customization", "notes"),
    obligatory=("description", "how_to_access", "hardware_dependencies", "software_dependencies",
                "benchmarks", "installation"),
    badge_sections={
        "functional": ("evaluation",),
        "reproduced": ("major_claims", "evaluation"),
        "replicated": ("major_claims", "evaluation"),
    },
    titles={"description": "Description & Requirements",
            "installation": "Artifact Installation & Configuration",
            "experiment_workflow": "Experiment Workflow", "evaluation": "Evaluation",
            "experiment_customization": "Customization"},
    aliases={"artifact evaluation": "appendix", "artifact": "appendix"},
    parents={"description": ("how_to_access", "hardware_dependencies", "software_dependencies",
                             "benchmarks")},
)

PETS = Layout(
    group="pets",
    order=("appendix", "description", "security", "basic_requirements", "hardware_dependencies",
           "software_dependencies", "time_storage", "environment", "how_to_access",
           "installation", "testing", "evaluation_workflow", "major_claims", "experiments",
           "limitations", "reusability"),
    obligatory=("description", "security", "environment", "how_to_access"),
    badge_sections={
        "functional": ("basic_requirements", "installation", "testing", "evaluation_workflow",
                       "experiments", "limitations"),
        "reproduced": ("basic_requirements", "installation", "testing", "evaluation_workflow",
                       "major_claims", "experiments", "limitations"),
        "replicated": ("major_claims", "experiments"),
    },
    titles={"security": "Security/Privacy Issues and Ethical Concerns",
            "basic_requirements": "Basic Requirements",
            "hardware_dependencies": "Hardware Requirements",
            "software_dependencies": "Software Requirements",
            "time_storage": "Estimated Time and Storage Consumption",
            "environment": "Environment", "how_to_access": "Accessibility",
            "installation": "Set up the environment", "testing": "Testing the Environment",
            "evaluation_workflow": "Artifact Evaluation", "major_claims": "Main Results and Claims",
            "limitations": "Limitations", "reusability": "Notes on Reusability"},
    aliases={"artifact evaluation": "evaluation_workflow", "artifact appendix": "appendix",
             "evaluation": "evaluation_workflow"},
    parents={"environment": ("how_to_access", "installation", "testing"),
             "basic_requirements": ("hardware_dependencies", "software_dependencies",
                                    "time_storage"),
             "evaluation_workflow": ("major_claims", "experiments")},
    doi_required=False,
)

SC = Layout(
    group="sc",
    order=("ad", "overview", "contributions", "artifacts", "identification", "ae"),
    obligatory=("contributions", "artifacts", "identification"),
    badge_sections={"functional": ("ae",), "reusable": ("ae",), "reproduced": ("ae",)},
    aliases={"part 1 contributions and artifacts": "overview",
             "contributions and artifacts": "overview",
             "part 2 artifact identification": "identification",
             "part 3 artifact evaluation": "ae",
             "artifact description appendix": "ad"},
)

SC_LEGACY = Layout(
    group="sc-legacy",
    order=("appendix", "abstract", "summary", "description", "how_to_access", "baseline_setup",
           "installation", "evaluation", "ae", "notes"),
    obligatory=("summary|abstract", "how_to_access|description", "baseline_setup|description"),
    badge_sections={"functional": ("ae|evaluation",), "reproduced": ("ae|evaluation",)},
    titles={"summary": "Summary of the Experiments Reported",
            "how_to_access": "Artifact Availability",
            "baseline_setup": "Baseline Experimental Setup, and Modifications Made for the Paper",
            "ae": "Artifact Evaluation"},
    aliases={"experiments for reproducibility": "evaluation", "reproduce": "evaluation",
             "reproducibility": "evaluation"},
)

FREE = Layout(group="free", order=(), obligatory=(), badge_sections={})

LAYOUTS: dict[str, Layout] = {
    layout.group: layout for layout in (CTUNING, USENIX, NDSS, PETS, SC, SC_LEGACY, FREE)
}
GROUPS = tuple(LAYOUTS)
