"""The permission policy, table-driven: who may do what to which artifact or conference."""

from __future__ import annotations

import pytest

from ae.accounts.principal import Principal
from ae.storage.states import Role
from ae.web.policy import On, Permission, allows, review_audience, visible_conferences

C = "ppopp-2019"
P = Permission


def person(user_id: str, *roles: Role, conference: str = C, admin: bool = False,
           scopes: frozenset[str] | None = None) -> Principal:
    return Principal(user_id=user_id, is_admin=admin, token_scopes=scopes,
                     roles={conference: frozenset(roles)} if roles else {})


ARTIFACT = On(conference=C, owner_id="alice", evaluators=frozenset({"eve"}), artifact=True)
OTHER_CONF = On(conference="micro-2023", owner_id="zed", artifact=True)
PEOPLE = {
    "anonymous": None,
    "owner": person("alice", Role.AUTHOR),
    "other author": person("bob", Role.AUTHOR),
    "assigned evaluator": person("eve", Role.EVALUATOR),
    "unassigned evaluator": person("ed", Role.EVALUATOR),
    "chair": person("carol", Role.CHAIR),
    "chair elsewhere": person("cate", Role.CHAIR, conference="micro-2023"),
    "organizer": person("olga", Role.ORGANIZER),
    "admin": person("root", admin=True),
    "owner, read token": person("alice", Role.AUTHOR, scopes=frozenset({"read"})),
}
# (permission, on) -> the people allowed; everyone else is refused
TABLE = [
    (P.VIEW_ARTIFACT, ARTIFACT, {"owner", "assigned evaluator", "chair", "organizer", "admin",
                                 "owner, read token"}),
    (P.VIEW_LOGS, ARTIFACT, {"owner", "assigned evaluator", "chair", "admin", "owner, read token"}),
    (P.RESUBMIT, ARTIFACT, {"owner", "chair", "admin"}),
    (P.RERUN, ARTIFACT, {"assigned evaluator", "chair", "admin"}),
    (P.SUBMIT, On(conference=C), {"owner", "other author", "chair", "admin"}),
    (P.VIEW_CONFERENCE, On(conference=C), {"chair", "organizer", "admin"}),
    (P.MANAGE_CONFERENCE, On(conference=C), {"chair", "admin"}),
    (P.VIEW_ARTIFACT, OTHER_CONF, {"chair elsewhere", "admin"}),
    (P.VIEW_WORKERS, None, {"chair", "chair elsewhere", "admin"}),
    (P.ADMIN, None, {"admin"}),
    (P.LIST_ARTIFACTS, None, set(PEOPLE) - {"anonymous"}),
    (P.OWN_ACCOUNT, None, set(PEOPLE) - {"anonymous", "owner, read token"}),
    (P.VIEW_SELF, None, set(PEOPLE) - {"anonymous"}),
    (P.VIEW_TOURNAMENT, On(conference=C), {"chair", "organizer", "admin"}),
    (P.VIEW_TOURNAMENT, On(conference=C, public=True), set(PEOPLE)),
    (P.MANAGE_TOURNAMENT, On(conference=C), {"chair", "organizer", "admin"}),
    (P.MANAGE_TOURNAMENT, On(conference=C, public=True), {"chair", "organizer", "admin"}),
    (P.REVIEW, ARTIFACT, {"assigned evaluator"}),  # not even an administrator writes a review
    (P.READ_REVIEWS, ARTIFACT, {"owner", "assigned evaluator", "chair", "admin", "owner, read token"}),
    (P.DISCUSS, ARTIFACT, {"owner", "assigned evaluator", "chair", "admin"}),
    (P.VIEW_BADGES, None, set(PEOPLE)),  # issued badges are public, signed in or not
    (P.VIEW_BADGES, On(conference=C), set(PEOPLE)),
    (P.ISSUE_BADGES, On(conference=C), {"chair", "admin"}),
    (P.ISSUE_BADGES, OTHER_CONF, {"chair elsewhere", "admin"}),
    (P.BID, On(conference=C), {"assigned evaluator", "unassigned evaluator", "admin"}),
    (P.BID, OTHER_CONF, {"admin"}),  # an evaluator bids only in a conference they evaluate for
    (P.DECLARE_CONFLICT, ARTIFACT, {"owner", "chair", "admin"}),
    (P.VIEW_SOLUTIONS, None, set(PEOPLE)),  # published solutions are public
    (P.CONTRIBUTE, None, set(PEOPLE) - {"anonymous", "owner, read token"}),  # a volunteer signed in
]


@pytest.mark.parametrize("permission, on, allowed", TABLE,
                         ids=[f"{p}-{n}" for n, (p, _, _) in enumerate(TABLE)])
def test_each_person_gets_exactly_what_the_rules_give(permission: Permission, on: On | None,
                                                      allowed: set[str]) -> None:
    granted = {name for name, who in PEOPLE.items() if allows(who, permission, on)}
    assert granted == allowed


def test_every_permission_is_in_the_table() -> None:
    assert {row[0] for row in TABLE} == set(Permission)


def test_listing_scope() -> None:
    assert visible_conferences(None) == set()
    assert visible_conferences(PEOPLE["admin"]) is None
    assert visible_conferences(PEOPLE["chair"]) == {C}
    assert visible_conferences(PEOPLE["owner"]) == set(), "authors list their own artifacts only"


def test_review_audience_decides_which_fields_one_reads() -> None:
    names = ("owner", "assigned evaluator", "chair", "admin", "organizer", "unassigned evaluator",
             "anonymous")
    assert [review_audience(PEOPLE[n], ARTIFACT) for n in names] == [
        "authors", "evaluators", "chairs", "chairs", None, None, None]
