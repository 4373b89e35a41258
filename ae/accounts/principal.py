"""Who is asking: a user's id, whether a site administrator, and their roles per conference."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ae.storage.states import Role


@dataclass(frozen=True)
class Principal:
    """A signed-in person as the permission policy sees them (anonymous visitors are None)."""

    user_id: str
    name: str = ""
    email: str = ""
    is_admin: bool = False
    roles: dict[str, frozenset[Role]] = field(default_factory=dict)
    token_scopes: frozenset[str] | None = None  # None: a browser session, every scope

    def has_role(self, conference: str, *roles: Role) -> bool:
        """Tell whether the person holds one of `roles` in `conference`."""
        return bool(self.roles.get(conference, frozenset()) & set(roles))

    def conferences(self, *roles: Role) -> set[str]:
        """Return the conferences where the person holds one of `roles`."""
        return {c for c, held in self.roles.items() if held & set(roles)}


def roles_from(memberships: Iterable[tuple[str, str]]) -> dict[str, frozenset[Role]]:
    """Group (conference, role) pairs into roles per conference."""
    grouped: dict[str, set[Role]] = {}
    for conference, role in memberships:
        grouped.setdefault(conference, set()).add(Role(role))
    return {c: frozenset(r) for c, r in grouped.items()}
