"""Badge schemes a conference can pick, as data: badges, their meanings and where each is defined.

Rule: a badge's *meaning* decides what evidence can support it, never its name. ACM's policy v1.0
(2016) and v1.1 (2020) use the same five names with Reproduced and Replicated swapped: re-running
the authors' own artifact (what our workers do) earns "Results Replicated" under v1.0 and "Results
Reproduced" under v1.1. So every issued badge stores its scheme id, which names the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    """What a badge certifies, whatever a scheme calls it."""

    AVAILABLE = "available"      # archived publicly with a permanent identifier
    FUNCTIONAL = "functional"    # documented, complete, exercisable
    REUSABLE = "reusable"        # functional and carefully documented for reuse
    RERUN = "rerun"              # main results obtained by others with the authors' artifact
    INDEPENDENT = "independent"  # main results obtained by others without the authors' artifact


@dataclass(frozen=True)
class Badge:
    """One badge of a scheme: stable key, display title, meaning, definition and export names."""

    key: str
    title: str
    meaning: Meaning
    definition: str  # the scheme's criterion, paraphrased
    acm_name: str | None = None  # ACM artifact DTD v1.1 `badge` value, where ACM publishes it
    color: str = "#555555"


@dataclass(frozen=True)
class Scheme:
    """A versioned badge scheme; its id (with the version) is stored with every badge issued."""

    name: str
    label: str  # the scheme's own name, e.g. "ACM Artifact Review and Badging"
    version: str
    url: str
    badges: tuple[Badge, ...]

    def keys(self) -> list[str]:
        """Return the badge keys in the scheme's order."""
        return [b.key for b in self.badges]

    def badge(self, key: str) -> Badge:
        """Return badge `key`; KeyError names the scheme's badges."""
        for badge in self.badges:
            if badge.key == key:
                return badge
        raise KeyError(f"badge {key!r} is not in scheme {self.name} ({', '.join(self.keys())})")

    def title(self, key: str) -> str:
        """Return the display title of badge `key`."""
        return self.badge(key).title

    def badge_id(self, key: str) -> str:
        """Return the stable id of badge `key` (scheme id and key), used in exports and credentials."""
        return f"{self.name}/{self.badge(key).key}"


_ACM_URL = "https://www.acm.org/publications/policies/artifact-review-and-badging-current"
_ACM_1_0_URL = "https://www.acm.org/publications/policies/artifact-review-badging"
_AVAILABLE = "placed on a publicly accessible archival repository with a DOI or a unique identifier"
_FUNCTIONAL = "documented, consistent, complete and exercisable, with evidence of verification"
_REUSABLE = "functional, and so carefully documented and structured that reuse is facilitated"
_RERUN = "main results obtained by someone other than the authors, using the authors' artifact"
_INDEPENDENT = "main results obtained by another team without the authors' artifact"


def _acm(reproduced: Meaning, replicated: Meaning) -> tuple[Badge, ...]:
    text = {Meaning.RERUN: _RERUN, Meaning.INDEPENDENT: _INDEPENDENT}
    return (
        Badge("available", "Artifacts Available", Meaning.AVAILABLE, _AVAILABLE, "Artifacts_Available",
              "#2e7d32"),
        Badge("functional", "Artifacts Evaluated – Functional", Meaning.FUNCTIONAL, _FUNCTIONAL,
              "Artifacts_Evaluated_Functional", "#c62828"),
        Badge("reusable", "Artifacts Evaluated – Reusable", Meaning.REUSABLE, _REUSABLE,
              "Artifacts_Evaluated_Reusable", "#8e1b1b"),
        Badge("reproduced", "Results Reproduced", reproduced, text[reproduced], "Results_Reproduced",
              "#1a237e"),
        Badge("replicated", "Results Replicated", replicated, text[replicated], "Results_Replicated",
              "#1e88e5"),
    )


_USENIX = (
    Badge("available", "Artifact Available", Meaning.AVAILABLE,
          "permanently and publicly retrievable (Zenodo, FigShare, Software Heritage, GitHub or GitLab)",
          color="#f15e24"),
    Badge("functional", "Artifact Functional", Meaning.FUNCTIONAL,
          "documented, complete and exercisable", color="#1475bc"),
    Badge("reproduced", "Results Reproduced", Meaning.RERUN,
          "main results obtained with the artifact, within tolerance", color="#6e4199"),
)
_NDSS = (
    Badge("available", "Artifacts Available", Meaning.AVAILABLE,
          "archived with a permanent DOI (the final version)", color="#f15e24"),
    Badge("functional", "Artifacts Functional", Meaning.FUNCTIONAL,
          "documented, complete, exercisable, and usable on other machines (no hard-coded paths or "
          "addresses)", color="#1475bc"),
    Badge("reproduced", "Results Reproduced", Meaning.RERUN,
          "main results obtained with the artifact, within tolerance", color="#6e4199"),
)
_SC = (  # SC's Reproducibility Initiative: AD/AE appendices reviewed, badges after ACM's v1.1 names
    Badge("available", "Artifacts Available", Meaning.AVAILABLE,
          "the Artifact Description's artifacts are archived publicly with a permanent identifier",
          "Artifacts_Available", "#2e7d32"),
    Badge("functional", "Artifacts Evaluated – Functional", Meaning.FUNCTIONAL,
          "the Artifact Evaluation appendix's experiments run as described", "Artifacts_Evaluated_Functional",
          "#c62828"),
    Badge("reproduced", "Results Reproduced", Meaning.RERUN,
          "the main results of the Artifact Evaluation appendix obtained by the reviewers with the artifact",
          "Results_Reproduced", "#1a237e"),
    Badge("replicated", "Results Replicated", Meaning.INDEPENDENT, _INDEPENDENT, "Results_Replicated",
          "#1e88e5"),
)
_IEEE = (
    Badge("code-available", "Code Available", Meaning.AVAILABLE,
          "the code is published with the article in a public repository", color="#00629b"),
    Badge("code-reviewed", "Code Reviewed", Meaning.FUNCTIONAL,
          "the code was run and reviewed and produces the article's results", color="#00843d"),
)

SCHEMES: dict[str, Scheme] = {
    "acm-1.1": Scheme("acm-1.1", "ACM Artifact Review and Badging", "1.1", _ACM_URL,
                      _acm(Meaning.RERUN, Meaning.INDEPENDENT)),
    "acm-1.0": Scheme("acm-1.0", "ACM Artifact Review and Badging", "1.0", _ACM_1_0_URL,
                      _acm(Meaning.INDEPENDENT, Meaning.RERUN)),
    "usenix": Scheme("usenix", "USENIX Artifact Evaluation", "2024",
                     "https://sysartifacts.github.io/osdi2024/badges", _USENIX),
    "ndss": Scheme("ndss", "NDSS/secartifacts Artifact Evaluation", "2024",
                   "https://secartifacts.github.io/ndss2024/", _NDSS),
    "sc": Scheme("sc", "SC Reproducibility Initiative (AD/AE)", "2024",
                 "https://sc24.supercomputing.org/program/papers/reproducibility-appendices-badges/", _SC),
    "ieee": Scheme("ieee", "IEEE Reproducibility Badges", "2020",
                   "https://ieeeaccess.ieee.org/reproducibility/", _IEEE),
}


def get(name: str) -> Scheme:
    """Return the scheme called `name`; KeyError names the known ones."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown badge scheme {name!r} (known: {', '.join(SCHEMES)})") from None
