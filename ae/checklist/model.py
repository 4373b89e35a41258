"""The parsed appendix: sections, check-list items, DOIs, USENIX claims/experiments, SC artifacts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One heading and its own text (up to the next heading of any level)."""

    key: str | None
    title: str
    level: int
    line: int
    end_line: int
    subtree_end_line: int
    number: str | None = None
    text: str = ""
    empty: bool = True
    empty_reason: str | None = "empty"
    filled: bool = False  # own text or any sub-section has content
    hint_left: bool = False


@dataclass(frozen=True)
class Item:
    """One check-list item: canonical key (None when non-standard), label as written, value."""

    key: str | None
    label: str
    value: str
    line: int
    empty: bool
    empty_reason: str | None = None


@dataclass(frozen=True)
class Doi:
    """A DOI found in the text; `placeholder` when it still holds XXXX."""

    value: str
    line: int
    placeholder: bool = False


@dataclass(frozen=True)
class TimeEstimate:
    """Human and compute time of a USENIX experiment, in minutes."""

    text: str
    human_minutes: float | None = None
    compute_minutes: float | None = None


@dataclass(frozen=True)
class MajorClaim:
    """A USENIX "(C1): ..." claim and the experiments it cites."""

    id: str
    text: str
    line: int
    experiments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Experiment:
    """A USENIX "Experiment (E1): ..." entry, the claims it cites and its time estimate."""

    id: str
    name: str
    text: str
    line: int
    claims: tuple[str, ...] = ()
    time: TimeEstimate | None = None
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contribution:
    """An SC "C_i" contribution."""

    id: str
    text: str
    line: int


@dataclass(frozen=True)
class ScArtifact:
    """An SC computational artifact "A_i": its DOIs, supported contributions, filled sub-sections."""

    id: str
    text: str
    line: int
    dois: tuple[str, ...] = ()
    contributions: tuple[str, ...] = ()
    described: tuple[str, ...] = ()  # AD sub-section keys with content
    evaluated: tuple[str, ...] = ()  # AE sub-section keys with content
    identified: bool = False


@dataclass(frozen=True)
class Appendix:
    """Everything read from one appendix; `family` says which template it follows."""

    family: str
    syntax: str
    version: str | None = None
    sections: tuple[Section, ...] = ()
    items: tuple[Item, ...] = ()
    dois: tuple[Doi, ...] = ()
    major_claims: tuple[MajorClaim, ...] = ()
    experiments: tuple[Experiment, ...] = ()
    contributions: tuple[Contribution, ...] = ()
    artifacts: tuple[ScArtifact, ...] = ()
    words: int = 0
    lines: int = 0
    detection: str = ""  # why this family was chosen, e.g. 'titles "Major Claims", "Set-up"'
    truncated: tuple[str, ...] = ()  # what the readers left unread past their bounds

    def section(self, key: str) -> Section | None:
        """Return the first section with this key, or None."""
        return next((s for s in self.sections if s.key == key), None)

    def item(self, key: str) -> Item | None:
        """Return the first check-list item with this key, or None."""
        return next((i for i in self.items if i.key == key), None)

    @property
    def all_empty(self) -> bool:
        """True when no section and no item holds anything but placeholders."""
        if not self.sections:
            return self.words == 0
        boilerplate = ("methodology",)  # the template ships this section already filled
        written = [s for s in self.sections if not s.empty and s.key not in boilerplate]
        if len(written) > len(self.sections) // 10:
            return False
        return all(i.empty for i in self.items) \
            and not self.major_claims and not self.experiments and not self.contributions

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)
