"""What a lint rule sees, and the fixes it suggests for each section."""

from __future__ import annotations

from dataclasses import dataclass

from ae.checklist.claims import Claim
from ae.checklist.labels import SECTION_TITLES
from ae.checklist.layouts import Layout
from ae.checklist.model import Appendix, Section
from ae.checklist.profile import LintProfile
from ae.checklist.prose import Hit

SECTION_FIXES: dict[str, str] = {
    "abstract": "summarise the artifact, what it needs (hardware, software) and the key results "
                "it reproduces; evaluators bid on it",
    "checklist": "list the check-list items (Algorithm, Program, ..., Archived) with a few "
                 "keywords each; drop the items that do not apply",
    "how_to_access": "say how to obtain the artifact (archive DOI, repository URL and commit) "
                     "and how much disk space it takes once unpacked",
    "installation": "give the exact commands that install the artifact and its dependencies",
    "evaluation": "give every step that reproduces the key results, the results to expect and "
                  "the variation you consider acceptable",
    "expected_results": "describe the results an evaluator should obtain",
    "experiment_workflow": "describe how the experiments are run (scripts, workflow)",
    "experiment_customization": "explain how to run the experiments on other data, parameters "
                                "or machines",
    "reusability": "explain how others can reuse the artifact beyond the paper",
    "description": "list what is needed: how to access the artifact, hardware, software, "
                   "benchmarks",
    "hardware_dependencies": 'name the hardware needed, or write "None."',
    "software_dependencies": 'name the software needed with versions, or write "None."',
    "benchmarks": 'name the data, models and workloads the experiments use, or write "None."',
    "evaluation_workflow": "list the major claims (C1, C2, ...) and the experiments (E1, ...) "
                           "that prove them",
    "major_claims": "enumerate the paper's claims as (C1): ..., each naming the experiment "
                    "that proves it",
    "experiments": "describe each experiment as Experiment (E1): name [human/compute time] with "
                   "preparation, execution and results",
    "contributions": "list the paper's main contributions as C_1, C_2, ...",
    "artifacts": "list the computational artifacts A_1, A_2, ... with their DOIs",
    "identification": "describe each artifact A_i: relation to contributions, expected results, "
                      "reproduction time, setup, execution, analysis",
    "ae": "add the Artifact Evaluation part: setup, execution and analysis for each artifact",
    "security": "say whether running the artifact carries security, privacy or ethical risks "
                "(or that it carries none)",
    "environment": "say how to access the artifact, set up its environment and test it",
    "basic_requirements": "state the hardware and software the artifact needs and the time and "
                          "disk space it takes",
    "testing": "give a quick test that shows the environment works, with its expected output",
    "limitations": "say which results the artifact cannot reproduce, and why",
    "summary": "summarise the experiments the paper reports and how they were run",
    "baseline_setup": "describe the hardware, operating system, compilers, libraries and inputs "
                      "of the experiments",
}
@dataclass(frozen=True)
class Context:
    """What a rule sees: the appendix, its family's layout, profile, badges, claims, prose hits."""

    appendix: Appendix
    profile: LintProfile
    badges: tuple[str, ...]  # canonical, with implied ones
    requested: tuple[str, ...]  # canonical, as requested
    group: str
    claims: tuple[Claim, ...]
    text: str
    layout: Layout
    hits: tuple[Hit, ...] = ()

    def title(self, key: str) -> str:
        """Return the family's own title for a section key."""
        return self.layout.titles.get(key) or SECTION_TITLES.get(key, key.replace("_", " "))

    def sections(self, key: str) -> list[Section]:
        """Return the sections with this key, or (for a parent) those of its children."""
        found = [s for s in self.appendix.sections if s.key == key]
        if found:
            return found
        children = self.layout.parents.get(key, ())
        return [s for s in self.appendix.sections if s.key in children]

    def section_line(self, *keys: str) -> int | None:
        """Return the line of the first section holding one of `keys`."""
        for key in keys:
            found = self.sections(key)
            if found:
                return found[0].line
        return None

    def required_specs(self) -> list[tuple[str, str]]:
        """Return (spec, reason) for the obligatory sections and those the badges need."""
        specs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for spec in self.profile.obligatory_sections.get(self.group, ()):
            seen.add(spec)
            specs.append((spec, "obligatory"))
        per_badge = self.profile.badge_sections.get(self.group, {})
        for badge in self.badges:
            for spec in per_badge.get(badge, ()):
                if spec not in seen:
                    seen.add(spec)
                    specs.append((spec, f"needed for the {badge} badge"))
        return specs
