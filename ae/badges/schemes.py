"""Badge schemes a conference can pick, and the badges each offers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Badge:
    """One badge of a scheme."""

    key: str
    title: str


@dataclass(frozen=True)
class Scheme:
    """A versioned badge scheme; the version is stored with every badge issued under it."""

    name: str
    badges: tuple[Badge, ...]

    def keys(self) -> list[str]:
        """Return the badge keys in the scheme's order."""
        return [b.key for b in self.badges]

    def title(self, key: str) -> str:
        """Return the display title of badge `key`."""
        return next(b.title for b in self.badges if b.key == key)


_ACM = (
    Badge("available", "Artifacts Available"),
    Badge("functional", "Artifacts Evaluated – Functional"),
    Badge("reusable", "Artifacts Evaluated – Reusable"),
    Badge("reproduced", "Results Reproduced"),
    Badge("replicated", "Results Replicated"),
)

#: acm-1.0 uses the same names as acm-1.1 with the meanings of Reproduced and Replicated swapped.
SCHEMES: dict[str, Scheme] = {
    "acm-1.1": Scheme("acm-1.1", _ACM),
    "acm-1.0": Scheme("acm-1.0", _ACM),
    "usenix": Scheme("usenix", (
        Badge("available", "Artifact Available"),
        Badge("functional", "Artifact Functional"),
        Badge("reproduced", "Results Reproduced"),
    )),
}


def get(name: str) -> Scheme:
    """Return the scheme called `name`; KeyError names the known ones."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown badge scheme {name!r} (known: {', '.join(SCHEMES)})") from None
