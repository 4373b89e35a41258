"""The one place that answers "may this person do this to that?"; every view and API call asks it.

Rules (DESIGN §1, §3a):
- a site administrator may do everything;
- an author sees and resubmits only their own artifacts, and submits to a conference where they
  hold the author role (or chair it);
- an evaluator sees, and re-runs, only the artifacts a chair assigned to them;
- a chair sees and manages everything of their conference: artifacts, people, assignments;
- an organizer sees the artifacts of their conference (the tournament's entries), nothing else;
- the workers' page is for chairs and administrators (it names machines);
- a tournament's scoreboard is for its conference's organizers and chairs, and for everyone (signed
  in or not) once it is published; its organizers and chairs define its rules and publish it;
- anyone signed in may ask who they are (a token needs its read scope);
- an artifact's assigned evaluators, and no one else (not even an administrator), write its
  reviews; its owner, its assigned evaluators and its
  conference's chairs read them (each the fields meant for them: `review_audience`) and write in
  its anonymous threads;
- issued badges are public (signed in or not): the reproduced-papers pages, credentials, badge
  images, the key set, the status list and the verification page; only a conference's chairs
  issue, withhold or revoke its badges and export them;
- a conference's evaluators bid on its artifacts (and declare their own conflicts there); an
  artifact's owner and its conference's chairs declare its conflicts (e-mails, @domains);
- published solutions, their schemas and scoreboards are public (signed in or not); anyone signed
  in sends volunteers' results of them (a token needs its submit scope);
- an API token acts for its user, narrowed to its scopes (read, submit, review), and never manages
  its user's account or tokens (a browser session does that);
A person who may not see an artifact is told it does not exist (404), never that it is theirs not
to see; a signed-in person refused an action on something they can see gets 403; an anonymous
visitor is asked to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ae.accounts.principal import Principal
from ae.accounts.tokens import Scope
from ae.storage.states import Role


class Permission(StrEnum):
    """Everything a view or an API call may ask about."""

    LIST_ARTIFACTS = "list-artifacts"    # the list of what one may see (filtered by the rules below)
    VIEW_ARTIFACT = "view-artifact"      # its page, status, verdicts, report
    VIEW_LOGS = "view-logs"              # run logs and outputs, downloads, the live stream
    SUBMIT = "submit"                    # submit an artifact to a conference
    RESUBMIT = "resubmit"                # add a version to an artifact
    RERUN = "rerun"                      # queue more repetitions or another pool
    VIEW_CONFERENCE = "view-conference"  # every artifact of a conference, its people
    MANAGE_CONFERENCE = "manage-conference"  # invite people, assign evaluators
    VIEW_WORKERS = "view-workers"        # the worker fleet
    ADMIN = "admin"                      # the site: users, every conference
    OWN_ACCOUNT = "own-account"          # one's own account and API tokens (a browser session only)
    VIEW_SELF = "view-self"              # who one is: id, name, roles (`GET /api/me`)
    VIEW_TOURNAMENT = "view-tournament"  # a tournament's scoreboard, plots, exports, live updates
    MANAGE_TOURNAMENT = "manage-tournament"  # its rules, its publication
    REVIEW = "review"                    # write one's review of an artifact (drafts, submission, edits)
    READ_REVIEWS = "read-reviews"        # an artifact's reviews (fields by audience) and threads
    DISCUSS = "discuss"                  # write in an artifact's anonymous threads
    VIEW_BADGES = "view-badges"          # issued badges: reproduced-papers page, credentials, JWKS, checks
    ISSUE_BADGES = "issue-badges"        # issue, withhold, revoke badges; export them with authors
    BID = "bid"                          # bid on a conference's artifacts (as one of its evaluators)
    DECLARE_CONFLICT = "declare-conflict"  # declare an artifact's conflicts (e-mail addresses, @domains)
    VIEW_SOLUTIONS = "view-solutions"    # published solutions, their schema and scoreboards (everyone)
    CONTRIBUTE = "contribute"            # send a volunteer's result of a solution (anyone signed in)


#: Permissions about seeing something: refused, they look like "not found".
SEEING = frozenset({Permission.VIEW_ARTIFACT, Permission.VIEW_LOGS, Permission.VIEW_CONFERENCE,
                    Permission.VIEW_TOURNAMENT})

_SCOPE = {
    Permission.LIST_ARTIFACTS: Scope.READ, Permission.VIEW_ARTIFACT: Scope.READ,
    Permission.VIEW_LOGS: Scope.READ,
    Permission.VIEW_CONFERENCE: Scope.READ, Permission.VIEW_WORKERS: Scope.READ,
    Permission.SUBMIT: Scope.SUBMIT, Permission.RESUBMIT: Scope.SUBMIT,
    Permission.RERUN: Scope.REVIEW, Permission.MANAGE_CONFERENCE: Scope.REVIEW,
    Permission.ADMIN: Scope.REVIEW, Permission.OWN_ACCOUNT: Scope.REVIEW, Permission.VIEW_SELF: Scope.READ,
    Permission.VIEW_TOURNAMENT: Scope.READ, Permission.MANAGE_TOURNAMENT: Scope.REVIEW,
    Permission.REVIEW: Scope.REVIEW, Permission.READ_REVIEWS: Scope.READ, Permission.DISCUSS: Scope.REVIEW,
    Permission.VIEW_BADGES: Scope.READ, Permission.ISSUE_BADGES: Scope.REVIEW,
    Permission.BID: Scope.REVIEW, Permission.DECLARE_CONFLICT: Scope.SUBMIT,
    Permission.VIEW_SOLUTIONS: Scope.READ, Permission.CONTRIBUTE: Scope.SUBMIT,
}


@dataclass(frozen=True)
class On:
    """What an action is on: a conference, and for an artifact its owner and assigned evaluators."""

    conference: str | None = None
    owner_id: str | None = None
    evaluators: frozenset[str] = field(default_factory=frozenset)
    artifact: bool = False
    public: bool = False  # a published tournament: its board is for everyone


def allows(who: Principal | None, permission: Permission, on: On | None = None) -> bool:
    """Tell whether `who` (None: anonymous) may do `permission` on `on`."""
    if (permission is Permission.VIEW_TOURNAMENT and on is not None and on.public
            or permission in (Permission.VIEW_BADGES, Permission.VIEW_SOLUTIONS)):
        return who is None or who.token_scopes is None or Scope.READ in who.token_scopes
    if who is None:
        return False
    if who.token_scopes is not None and (_SCOPE[permission] not in who.token_scopes
                                         or permission == Permission.OWN_ACCOUNT):
        return False
    if permission is Permission.REVIEW:  # an assigned evaluator's own act: not even an administrator's
        return on is not None and on.artifact and who.user_id in on.evaluators
    if who.is_admin:
        return True
    on = on or On()
    conference = on.conference or ""
    chair = who.has_role(conference, Role.CHAIR)
    owner = on.artifact and on.owner_id is not None and on.owner_id == who.user_id
    assigned = on.artifact and who.user_id in on.evaluators
    match permission:
        case Permission.LIST_ARTIFACTS:
            return True
        case Permission.VIEW_ARTIFACT:
            return owner or assigned or chair or who.has_role(conference, Role.ORGANIZER)
        case Permission.VIEW_LOGS:
            return owner or assigned or chair
        case Permission.SUBMIT:
            return who.has_role(conference, Role.AUTHOR, Role.CHAIR)
        case Permission.RESUBMIT:
            return owner or chair
        case Permission.RERUN:
            return assigned or chair
        case Permission.VIEW_CONFERENCE:
            return chair or who.has_role(conference, Role.ORGANIZER)
        case Permission.MANAGE_CONFERENCE:
            return chair
        case Permission.VIEW_WORKERS:
            return bool(who.conferences(Role.CHAIR))
        case Permission.ADMIN:
            return False
        case Permission.OWN_ACCOUNT | Permission.VIEW_SELF:
            return True
        case Permission.VIEW_TOURNAMENT | Permission.MANAGE_TOURNAMENT:
            return chair or who.has_role(conference, Role.ORGANIZER)
        case Permission.READ_REVIEWS | Permission.DISCUSS:
            return owner or assigned or chair
        case Permission.ISSUE_BADGES:
            return chair
        case Permission.BID:
            return who.has_role(conference, Role.EVALUATOR)
        case Permission.DECLARE_CONFLICT:
            return owner or chair
        case Permission.CONTRIBUTE:
            return True
    return False


def visible_conferences(who: Principal | None) -> set[str] | None:
    """Return the conferences whose every artifact `who` may list (None: all of them)."""
    if who is None:
        return set()
    if who.is_admin:
        return None
    return who.conferences(Role.CHAIR, Role.ORGANIZER)


def review_audience(who: Principal | None, on: On) -> str | None:
    """Return whose fields of an artifact's reviews `who` reads: chairs, evaluators, authors (None: none)."""
    if not allows(who, Permission.READ_REVIEWS, on):
        return None
    assert who is not None
    if who.is_admin or who.has_role(on.conference or "", Role.CHAIR):
        return "chairs"
    return "evaluators" if who.user_id in on.evaluators else "authors"
