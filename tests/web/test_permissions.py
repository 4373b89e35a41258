"""The permission matrix: every route of the app, every method, every kind of person, in a browser
session and with an API token, against real objects — generated from `app.url_map`.

HOW TO ADD A ROW (when `test_every_route_has_a_row` names your new endpoint)
1. Find the endpoint's name in the failure message (blueprint.function, e.g. "pages.artifact"); it
   also prints the statuses the route answers today. Do not copy them blindly: decide each cell
   from the rules in ae/web/policy.py (its docstring), then check the route agrees.
2. Add `"bp.view": {"METHOD": GRID}` to EXPECTED (alphabetical). A GRID is ten statuses, one per
   person in PEOPLE's order (the column header is repeated above each block). One string: the same
   for a browser session and an API token; a pair `(session, token)` where they differ.
   - session: signed in through the real sign-in form, CSRF token sent (X-CSRFToken).
   - token: `Authorization: Bearer ae_…` (every scope), no cookie, no CSRF token.
   - "anon": no sign-in (session) / a bearer token that is not valid (token).
   Usual answers: pages send an anonymous visitor to sign in (302), the API says 401; a person who
   may not see an artifact gets 404 (as if absent), one who sees it but may not act gets 403; API
   writes refuse a cookie (401); forms refuse a bearer client without a CSRF token (400); an API
   token never manages its user's account (403).
   HEAD is checked like GET and OPTIONS answers 200 on every route; give them a grid only if they
   differ. A method a path does not allow must answer 405 (checked for every rule).
3. URL parameters come from ARGS by name (the artifact of `owner` with `assigned` assigned, its
   run, version 1, …). A route that must not touch the shared artifact (a write) or needs another
   value names it in ROUTE_ARGS; a one-time object (an invitation, a reset link) is a function
   that makes a fresh one per request.
4. A request body goes in BODIES (form `data=` or `json=`), valid enough that an allowed person
   gets the real answer (201, 302) rather than a 400 about the body.
Never encode a status the policy does not give: if the route disagrees with the policy, fix the
route (or raise it), and leave the row saying what the policy says.
"""

from __future__ import annotations

import hashlib
import io
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
C, OTHER = "ppopp-2019", "other-2024"  # the conference of the objects; another one, with its own chair

#: The people of every column, in order.
PEOPLE = ("anon", "owner", "author_b", "assigned", "unassigned", "chair", "chair_other", "organizer",
          "admin", "outsider")
#: Their roles (conference, role); "owner" owns the artifact, "assigned" is assigned to it.
ROLES: dict[str, list[tuple[str, str]]] = {
    "owner": [(C, "author")], "author_b": [(C, "author")], "assigned": [(C, "evaluator")],
    "unassigned": [(C, "evaluator")], "chair": [(C, "chair")], "chair_other": [(OTHER, "chair")],
    "organizer": [(C, "organizer")], "admin": [], "outsider": [],
}
MODES = ("session", "token")
Grid = str | tuple[str, str]

# fmt: off
EXPECTED: dict[str, dict[str, Grid]] = {
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "api.create_artifact":   {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                       "401 201 201 403 403 201 403 403 201 403")},
    "api.create_version":    {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                       "401 201 404 403 404 201 404 403 201 404")},
    "api.docs":              {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "api.health":            {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "api.list_artifacts":    {"GET":   "401 200 200 200 200 200 200 200 200 200"},
    "api.list_versions":     {"GET":   "401 200 404 200 404 200 404 200 200 404"},
    "api.me":                {"GET":   "401 200 200 200 200 200 200 200 200 200"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "api.openapi_document":  {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "api.report":            {"GET":   "401 200 404 200 404 200 404 200 200 404"},
    "api.run_log":           {"GET":   "401 200 404 200 404 200 404 404 200 404"},
    "api.show_artifact":     {"GET":   "401 200 404 200 404 200 404 200 200 404"},
    "api.show_run":          {"GET":   "401 200 404 200 404 200 404 200 200 404"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "auth.account":          {"GET":  ("302 200 200 200 200 200 200 200 200 200",
                                       "302 403 403 403 403 403 403 403 403 403")},
    "auth.create_token":     {"POST": ("401 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "auth.invite":           {"GET":   "200 200 200 200 200 200 200 200 200 200",
                              "POST": ("302 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "auth.login":            {"GET":   "200 200 200 200 200 200 200 200 200 200",
                              "POST": ("302 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "auth.logout":           {"POST": ("302 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "auth.reset":            {"GET":   "200 200 200 200 200 200 200 200 200 200",
                              "POST": ("302 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "auth.reset_request":    {"GET":   "200 200 200 200 200 200 200 200 200 200",
                              "POST": ("302 302 302 302 302 302 302 302 302 302",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "auth.revoke_token":     {"POST": ("401 302 404 404 404 404 404 404 404 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "artifacts.log_file":    {"GET":   "302 200 404 200 404 200 404 404 200 404"},
    "artifacts.output_file": {"GET":   "302 200 404 200 404 200 404 404 200 404"},
    "artifacts.progress":    {"GET":   "302 200 404 200 404 200 404 200 200 404"},
    "artifacts.report":      {"GET":   "302 200 404 200 404 200 404 200 200 404"},
    "artifacts.stream":      {"GET":   "302 200 404 200 404 200 404 404 200 404"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # badges: public pages for everyone (signed in or not); decisions and exports for C's chairs
    "badges.check":          {"GET":   "200 200 200 200 200 200 200 200 200 200",
                              "POST": ("200 200 200 200 200 200 200 200 200 200",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "badges.credential":     {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.export":         {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "badges.feed":           {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.issue":          {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "badges.jwks":           {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "badges.manage":         {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "badges.picture":        {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.reproduced":     {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.revoke":         {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "badges.show":           {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.status_list":    {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "badges.withhold":       {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # bids: the conference's evaluators; an artifact's conflicts: its owner and the chairs
    "bidding.declare":       {"POST": ("401 303 404 403 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "bidding.conflicts":     {"GET":   "302 200 404 403 404 200 404 403 200 404"},
    "bidding.save":          {"POST": ("401 403 403 303 303 403 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "bidding.sheet":         {"GET":   "302 403 403 200 200 403 403 403 200 403"},
    "bidding.withdraw":      {"POST": ("401 303 404 403 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # the chair's side of the review: C's chairs (and administrators) only
    "chair.approve_budget":  {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "chair.budgets":         {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "chair.commit":          {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "chair.dashboard":       {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "chair.decide":          {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "chair.export_csv":      {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "chair.export_hotcrp":   {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "chair.export_json":     {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "chair.import_hotcrp":   {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "chair.proposal":        {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "chair.set_phase":       {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "conference.assign":     {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "conference.invite":     {"POST": ("401 403 403 403 403 303 403 403 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "conference.page":       {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "pages.artifact":        {"GET":   "302 200 404 200 404 200 404 200 200 404"},
    "pages.index":           {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    # the conference report (HTML, PDF, CSV, JSON) is the chairs', like their dashboard
    "reports.conference":    {"GET":   "302 403 403 403 403 200 403 403 200 403"},
    "submit.again":          {"POST": ("401 303 404 403 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "submit.form":           {"GET":   "302 200 200 403 403 200 200 403 200 403",
                              "POST": ("401 302 302 403 403 302 403 403 302 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # reviews are written by assigned evaluators only (not even an administrator); threads by the
    # owner, the assigned evaluators and the chairs
    "review.output_check":   {"GET":   "302 200 404 200 404 200 404 404 200 404"},
    "review.reply":          {"POST": ("401 303 404 303 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "review.rerun":          {"POST": ("401 403 404 303 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "review.run_vs_run":     {"GET":   "302 200 404 200 404 200 404 404 200 404"},
    "review.save_review":    {"POST": ("401 403 404 303 404 403 404 403 403 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "review.start_thread":   {"POST": ("401 303 404 303 404 303 404 403 303 404",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "review.version_vs_version": {"GET": "302 200 404 200 404 200 404 200 200 404"},
    "review_api.api_reply":   {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                        "401 201 404 201 404 201 404 403 201 404")},
    "review_api.api_reviews": {"GET":  "401 200 404 200 404 200 404 403 200 404"},
    "review_api.api_save_review": {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                            "401 403 404 200 404 403 404 403 403 404")},
    "review_api.api_start_thread": {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                             "401 201 404 201 404 201 404 403 201 404")},
    "review_api.api_threads": {"GET":  "401 200 404 200 404 200 404 403 200 404"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # C's tournament is not published: its organizers and chairs see it (published: everyone)
    "tournaments.events":    {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    "tournaments.export":    {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    "tournaments.fragment":  {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    "tournaments.index":     {"GET":   "200 200 200 200 200 200 200 200 200 200"},
    "tournaments.manage":    {"GET":   "302 403 403 403 403 200 403 200 200 403"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "tournaments.page":      {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    "tournaments.plot":      {"GET":   "302 404 404 404 404 200 404 200 200 404"},
    "tournaments.publish":   {"POST": ("401 403 403 403 403 303 403 303 303 403",
                                       "400 400 400 400 400 400 400 400 400 400")},
    "tournaments.save_rules": {"POST": ("401 403 403 403 403 303 403 303 303 403",
                                        "400 400 400 400 400 400 400 400 400 400")},
    "tournaments_api.api_board": {"GET": "401 404 404 404 404 200 404 200 200 404"},
    "tournaments_api.api_list":  {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "tournaments_api.api_rules": {"GET": "401 404 404 404 404 200 404 200 200 404"},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    # solutions: public; a result needs a token (any signed-in person); the matrix's is signed wrongly
    "solutions_api.list_solutions":  {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "solutions_api.manifest_schema": {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "solutions_api.result_schema":   {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "solutions_api.scoreboard":      {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "solutions_api.show":            {"GET": "200 200 200 200 200 200 200 200 200 200"},
    "solutions_api.submit_result":   {"POST": ("401 401 401 401 401 401 401 401 401 401",
                                               "401 422 422 422 422 422 422 422 422 422")},
    #                              anon own  B   ev+ ev- chr chr2 org adm out
    "workers.pools":         {"GET":   "401 403 403 403 403 200 200 403 200 403"},
    "workers.snapshot":      {"GET":   "401 401 401 401 401 401 401 401 401 401"},
    "workers.workers":       {"GET":   "401 403 403 403 403 200 200 403 200 403"},
}
# fmt: on

#: Cells where a route is known to disagree with its row (a bug reported, not encoded):
#: (endpoint pattern, method, person, expected status) -> (what it answers today, why). Strict: a
#: cell that starts to give the expected status fails the test until its entry is removed.
KNOWN: dict[tuple[str, str, str, str], tuple[str, str]] = {}


@dataclass(frozen=True)
class Objects:
    """An artifact of the owner's with the assigned evaluator assigned: its version and run."""

    artifact: str
    version: str
    run: str


@dataclass
class World:
    """One app with its people and objects, shared by every request of this module."""

    app: Any
    data_dir: Path
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # person -> (cookie, CSRF token)
    main: Objects = Objects("", "", "")  # what safe methods (GET, HEAD, OPTIONS) ask about
    scratch: Objects = Objects("", "", "")  # its twin, for the writes: the main one never changes
    digest: str = ""
    spare_token: str = ""  # an API token of the owner's that no request signs in with
    worker_token: str = "worker-token-for-the-matrix"
    errors: dict[str, str] = field(default_factory=dict)  # endpoint -> the traceback of a request that raised

    def invitation(self) -> str:
        """Return a fresh invitation link token (to a new address) of the chair's."""
        from ae.accounts import links
        from ae.storage.db import session_scope
        from ae.storage.models import new_id
        from ae.storage.states import Role

        with self.app.app_context(), session_scope() as session:
            return links.invite(session=session, email=f"{new_id()[:10]}@new.ae.test", conference=C,
                                role=Role.AUTHOR, invited_by=self.ids["chair"])

    def reset_link(self) -> str:
        """Return a fresh password-reset token of a person who is in no column."""
        from ae.accounts import links
        from ae.storage.db import session_scope

        with self.app.app_context(), session_scope() as session:
            token = links.request_reset(session=session, email="resetee@ae.test")
        assert token is not None
        return token

    def objects(self, method: str) -> Objects:
        """Return the objects a request with `method` is about: a write never touches the main ones."""
        return self.main if method in ("GET", "HEAD", "OPTIONS") else self.scratch


Arg = Callable[[World, Objects], Any]
#: URL parameter -> its value, by name (given the world and the objects of the request's method).
ARGS: dict[str, Arg] = {
    "artifact_id": lambda w, o: o.artifact, "run_id": lambda w, o: o.run,
    "version_id": lambda w, o: o.version,
    "number": lambda w, o: 1, "kind": lambda w, o: "html", "stream": lambda w, o: "stdout",
    "name": lambda w, o: "stdout", "slug": lambda w, o: C, "digest": lambda w, o: w.digest,
    "token_id": lambda w, o: w.spare_token,
    "badge_id": lambda w, o: w.ids[f"badge:{o.artifact}"],
    "conflict_id": lambda w, o: _conflict(w, o),
    "round_name": lambda w, o: "kick-the-tires", "other_id": lambda w, o: o.run, "other": lambda w, o: 1,
}
#: Per endpoint: parameters that differ from ARGS.
ROUTE_ARGS: dict[str, dict[str, Arg]] = {
    "artifacts.output_file": {"name": lambda w, o: "result.txt"},
    "auth.invite": {"token": lambda w, o: w.invitation()},
    "auth.reset": {"token": lambda w, o: w.reset_link()},
    "tournaments.export": {"fmt": lambda w, o: "csv"},
    "badges.export": {"fmt": lambda w, o: "csv"},
    "review.reply": {"thread_id": lambda w, o: _thread(w, o)},
    "review_api.api_reply": {"thread_id": lambda w, o: _thread(w, o)},
    "solutions_api.scoreboard": {"name": lambda w, o: _solution(w)},
    "solutions_api.show": {"name": lambda w, o: _solution(w)},
    "solutions_api.submit_result": {"name": lambda w, o: _solution(w)},
}
#: Per endpoint and method: the request body (keyword arguments of the test client's `open`).
BODIES: dict[str, dict[str, Callable[[World], dict[str, Any]]]] = {
    "api.create_artifact": {"POST": lambda w: {"json": {
        "conference": C, "title": "Matrix submission", "source": "https://git.ae.test/matrix.git"}}},
    "api.create_version": {"POST": lambda w: {"json": {"ref": "main"}}},
    "auth.create_token": {"POST": lambda w: {"data": {"name": "matrix", "scopes": ["read"]}}},
    "auth.invite": {"POST": lambda w: {"data": {"name": "Invited Person", "password": PASSWORD}}},
    "auth.login": {"POST": lambda w: {"data": {"email": "visitor@ae.test", "password": PASSWORD}}},
    "auth.reset": {"POST": lambda w: {"data": {"password": "another horse battery staple"}}},
    "auth.reset_request": {"POST": lambda w: {"data": {"email": "resetee@ae.test"}}},
    "badges.check": {"POST": lambda w: {"data": {"credential": w.ids["credential"]}}},
    "solutions_api.submit_result": {"POST": lambda w: _wrongly_signed(w)},
    "badges.issue": {"POST": lambda w: {"data": {"artifact": w.scratch.artifact, "badge": "available"}}},
    "badges.revoke": {"POST": lambda w: {"data": {"reason": "a matrix revocation"}}},
    "bidding.declare": {"POST": lambda w: {"data": {"pattern": "someone@matrix.example.org"}}},
    "bidding.save": {"POST": lambda w: {"data": {f"bid-{w.scratch.artifact}": "willing"}}},
    "chair.commit": {"POST": lambda w: {"data": {"pair": []}}},
    "chair.decide": {"POST": lambda w: {"data": {"artifact": w.scratch.artifact, "outcome": "rejected"}}},
    "chair.import_hotcrp": {"POST": lambda w: {"data": {"file": (io.BytesIO(b"[]"), "hotcrp.json")}}},
    "chair.set_phase": {"POST": lambda w: {"data": {"name": "bidding", "starts": "2018-11-01"}}},
    "badges.withhold": {"POST": lambda w: {"data": {"artifact": w.scratch.artifact, "badge": "reusable",
                                                    "note": "a matrix decision"}}},
    "conference.assign": {"POST": lambda w: {"data": {"artifact": w.scratch.artifact,
                                                      "evaluator": w.ids["assigned"]}}},
    "conference.invite": {"POST": lambda w: {"data": {"email": "invited@new.ae.test", "role": "author"}}},
    "review.reply": {"POST": lambda w: {"data": {"body": "A matrix answer."}}},
    "review.rerun": {"POST": lambda w: {"data": {"run": w.scratch.run, "repetitions": "1"}}},
    "review.save_review": {"POST": lambda w: {"data": {"action": "save", "comments": "A matrix draft."}}},
    "review.start_thread": {"POST": lambda w: {"data": {"kind": "artifact", "body": "A matrix thread."}}},
    "review_api.api_reply": {"POST": lambda w: {"json": {"body": "A matrix answer."}}},
    "review_api.api_save_review": {"POST": lambda w: {"json": {"answers": {"comments": "A matrix draft."}}}},
    "review_api.api_start_thread": {"POST": lambda w: {"json": {
        "body": "A matrix thread.", "about": {"kind": "run", "run": w.scratch.run}}}},
    "submit.again": {"POST": lambda w: {"data": {"ref": "main"}}},
    # both leave C's tournament as it is (private, the file's rules): the GET rows hold for every order
    "tournaments.publish": {"POST": lambda w: {"data": {"published": "0"}}},
    "tournaments.save_rules": {"POST": lambda w: {"data": {"action": "reset"}}},
    "submit.form": {"POST": lambda w: {"data": {"conference": C, "title": "Matrix form submission",
                                                "source": "https://git.ae.test/form.git",
                                                "badges": ["reproduced"]}}},
}


def _conflict(world: World, objects: Objects) -> int:
    """Return the id of a conflict the owner declared on the objects' artifact (declared once)."""
    key = f"conflict:{objects.artifact}"
    if key not in world.ids:
        from ae.review import bidding
        from ae.storage.db import session_scope

        with world.app.app_context(), session_scope() as session:
            row = bidding.declare(session=session, conference=C, artifact_id=objects.artifact,
                                  pattern="@conflict.example.org", declared_by=world.ids["owner"])
            session.flush()
            world.ids[key] = str(row.id)
    return int(world.ids[key])


def _solution(world: World) -> str:
    """Return the name of a solution published for C (published once)."""
    if "solution" not in world.ids:
        from ae import crowd
        from ae.solutions.manifest import from_data
        from ae.storage.db import session_scope

        manifest = from_data({"name": "matrix", "title": "Matrix solution", "conference": C,
                              "artifact": {"source": "https://git.ae.test/matrix.git", "commit": "a" * 40},
                              "configurations": [{"program": "p", "cmd_key": "default"}],
                              "metrics": ["execution_time"]})
        with world.app.app_context(), session_scope() as session:
            crowd.publish(session=session, manifest=manifest, user_id=None)
        world.ids["solution"] = manifest.name
        world.ids["solution_digest"] = manifest.digest
    return world.ids["solution"]


def _wrongly_signed(world: World) -> dict[str, Any]:
    """Return a result of the matrix solution whose digest holds and whose signature is no token's."""
    from ae.solutions.result import seal

    _solution(world)
    body = {"solution": "matrix", "manifest_digest": world.ids["solution_digest"], "ae_version": "0",
            "created_at": "2026-11-30T10:00:00+00:00",
            "hardware": {"fingerprint": "0" * 16, "class": "x86_64 Matrix CPU", "profile": {}},
            "runs": [{"program": "p", "cmd_key": "default", "ok": True, "samples": [{"execution_time": 1.0}],
                      "outputs": {}}]}
    return {"json": {**seal(body), "signature": "0" * 64}}


def _thread(world: World, objects: Objects) -> str:
    """Return the id of a thread the owner started on the objects' artifact (started once)."""
    key = f"thread:{objects.artifact}"
    if key not in world.ids:
        from ae.review import threads
        from ae.storage.db import session_scope
        from ae.storage.models import Artifact

        with world.app.app_context(), session_scope() as session:
            artifact = session.get(Artifact, objects.artifact)
            world.ids[key] = threads.post(session=session, artifact=artifact, author_id=world.ids["owner"],
                                          body="A question from the owner.").thread_id
    return world.ids[key]


# --- the world --------------------------------------------------------------------------------

#: C runs a (private) tournament, so its routes answer for real; OTHER runs none.
TOURNAMENT = """
[tournament]
name = "Matrix tournament"
[[tournament.metric]]
name = "time"
key = "execution_time"
statistic = "min"
direction = "min"
"""


def _conferences(directory: Path) -> Path:
    directory.mkdir()
    text = (ROOT / "conferences" / f"{C}.toml").read_text()
    (directory / f"{C}.toml").write_text(text + TOURNAMENT)
    (directory / f"{OTHER}.toml").write_text(text.replace(f'slug = "{C}"', f'slug = "{OTHER}"')
                                             .replace("PPoPP 2019", "Other 2024"))
    return directory


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None) -> Iterator[World]:
    """The app (PostgreSQL when reachable, else SQLite; its own embedded Redis), people, objects."""
    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine
    from ae.workers import embedded_redis

    tmp = tmp_path_factory.mktemp("matrix")
    instance = tmp / "instance"
    # Hundreds of sign-ins, invitations and resets: argon2 at its cheapest (the parameters travel in
    # each hash, so nothing else changes; tests/web/test_auth.py uses the real ones).
    cheap = pytest.MonkeyPatch()
    cheap.setattr("ae.accounts.passwords._HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    embedded_redis.ensure(instance)
    database = postgres_url or f"sqlite:///{tmp / 'ae.sqlite'}"
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance), "DATABASE_URL": database,
        "REDIS_URL": embedded_redis.url(instance),
        "RATELIMIT_STORAGE_URI": f"redis+unix://{embedded_redis.socket_path(instance)}",
        "RATELIMIT_LOGIN": "10000 per minute", "RATELIMIT_SUBMIT": "10000 per hour",
        "DATA_DIR": str(tmp / "data"), "CONFERENCES_DIR": str(_conferences(tmp / "conferences")),
        "SOURCE_ALLOWED_HOSTS": "git.ae.test", "WORKER_TOKEN": World.worker_token,
    })
    migrate.upgrade(get_engine(app))
    built = World(app=app, data_dir=tmp / "data")
    try:
        with app.app_context():
            _people(built)
            _objects(built)
        for person in PEOPLE:
            built.sessions[person] = _sign_in(app, person)
        yield built
    finally:
        get_engine(app).dispose()
        if postgres_url is not None:
            _truncate(postgres_url)
        embedded_redis.stop(instance)
        cheap.undo()


def _people(world: World) -> None:
    from ae.accounts import passwords, tokens, users
    from ae.storage.db import session_scope
    from ae.storage.states import Role

    hashed = passwords.hash_password(PASSWORD)  # once: argon2 is slow on purpose
    with session_scope() as session:
        for person in [*PEOPLE[1:], "visitor", "resetee"]:
            user = users.create_user(session=session, email=f"{person}@ae.test", name=person.title(),
                                     is_admin=person == "admin")
            user.password_hash = hashed
            session.flush()
            for conference, role in ROLES.get(person, []):
                users.grant(session=session, user=user, conference=conference, role=Role(role))
            _, world.tokens[person] = tokens.create(session=session, user=user, name="matrix",
                                                    scopes=["read", "submit", "review"])
            world.ids[person] = user.id
            if person == "owner":
                spare, _ = tokens.create(session=session, user=user, name="spare", scopes=["read"])
                session.flush()
                world.spare_token = spare.id
    world.tokens["anon"] = "ae_" + "0" * 43  # a bearer token that is no one's


def _objects(world: World) -> None:
    """An artifact of the owner's as a real evaluation leaves it (snapshot, run with logs and
    outputs, claim, verdict, badges, HTML and PDF report) with the assigned evaluator assigned, and
    its twin for the writes."""
    from ae import conferences
    from ae.checklist.claims import Claim
    from ae.evaluation import evaluate
    from ae.evaluators.record import RunRecord
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact, ArtifactVersion, Assignment, ClaimRecord, Run

    snapshot = b"a snapshot tar stands here"
    world.digest = hashlib.sha256(snapshot).hexdigest()
    (world.data_dir / "snapshots").mkdir(parents=True)
    (world.data_dir / "snapshots" / f"{world.digest}.tar").write_bytes(snapshot)
    claim = Claim(id="pi", text="pi to five places", metric="pi", expected=3.14159, program="pi")
    for name in ("artifact", "scratch"):
        with session_scope() as session:
            artifact = Artifact(conference=C, title=f"Matrix {name}", source="https://git.ae.test/a.git",
                                requested_badges=["reproduced"], owner_id=world.ids["owner"])
            version = ArtifactVersion(artifact_id=artifact.id, ref="main", commit="a" * 40,
                                      snapshot_digest=world.digest, status="running")
            record = RunRecord(ok=True, failure_kind=None, message="", program="pi", cmd_key="default",
                               dataset=None, outputs={"result.txt": "0" * 64})
            for value in (3.14159, 3.14158, 3.14160):
                record.add_sample({"pi": value, "execution_time": 0.1}, "wall")
            run = Run(version_id=version.id, program="pi", cmd_key="default", status="succeeded",
                      repetitions=3, samples=record.samples,
                      record={**record.to_dict(), "logs": {"stdout": "stdout.log", "stderr": "stderr.log"}})
            work = world.data_dir / "runs" / run.id
            (work / "tmp").mkdir(parents=True)
            (work / "stdout.log").write_text("pi = 3.14159\n")
            (work / "stderr.log").write_text("")
            (work / "tmp" / "result.txt").write_text("3.14159\n")
            session.add_all([artifact, version, run])
            session.flush()
            session.add_all([ClaimRecord(version_id=version.id, claim_id=claim.id, data=claim.to_dict()),
                             Assignment(artifact_id=artifact.id, user_id=world.ids["assigned"])])
            evaluate(session=session, version=version, artifact=artifact, runs=[run], claims=[claim],
                     conference=conferences.get(C), data_dir=world.data_dir)
            objects = Objects(artifact.id, version.id, run.id)
            setattr(world, "main" if name == "artifact" else "scratch", objects)
    from ae import issuance

    issuer = issuance.issuer_for(base_url=world.app.config["BASE_URL"], instance_path=world.app.instance_path)
    for objects in (world.main, world.scratch):  # a badge each, issued by C's chair
        with session_scope() as session:
            row = issuance.issue(session=session, issuer=issuer, conference=conferences.get(C),
                                 artifact_id=objects.artifact, badge="reproduced",
                                 actor_id=world.ids["chair"])
            world.ids[f"badge:{objects.artifact}"], world.ids["credential"] = row.id, row.credential


def _sign_in(app: Any, person: str) -> tuple[str, str]:
    """Sign `person` in through the form (anon: only visit it); return the session cookie and CSRF token."""
    client = app.test_client()
    if person != "anon":
        response = client.post("/login", data={"email": f"{person}@ae.test", "password": PASSWORD,
                                                "csrf_token": _csrf(client.get("/login"))})
        assert response.status_code == 302, f"{person} could not sign in"
    token = _csrf(client.get("/login"))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value, token


def _csrf(response: Any) -> str:
    found = re.search(r'name="csrf[-_]token" (?:value|content)="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page carries a CSRF token"
    return found.group(1)


# --- asking --------------------------------------------------------------------------------------

def _url(world: World, rule: Any, method: str) -> str:
    objects = world.objects(method)
    values = {name: (ROUTE_ARGS.get(rule.endpoint, {}).get(name) or ARGS[name])(world, objects)
              for name in rule.arguments}
    return str(world.app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False))


def ask(world: World, person: str, mode: str, method: str, rule: Any, body: bool = True) -> str:
    """Request `rule` as `person` in `mode`; return the status (or the exception a bug raised)."""
    client = world.app.test_client()
    headers: dict[str, str] = {}
    if mode == "token":
        headers["Authorization"] = f"Bearer {world.tokens[person]}"
    else:
        cookie, csrf = world.sessions[person]
        client.set_cookie(world.app.config["SESSION_COOKIE_NAME"], cookie)
        headers["X-CSRFToken"] = csrf
    kwargs = BODIES.get(rule.endpoint, {}).get(method, lambda w: {})(world) if body else {}
    try:
        response = client.open(_url(world, rule, method), method=method, headers=headers, **kwargs)
    except Exception as exc:  # a bug: show it in the grid rather than stop at the first one
        world.errors.setdefault(rule.endpoint, traceback.format_exc())
        return f"!{type(exc).__name__}"
    status = str(response.status_code)
    response.close()  # an event stream is never read to its end
    return status


def _grids(row: dict[str, Grid]) -> dict[str, tuple[str, str]]:
    grids = {method: (grid, grid) if isinstance(grid, str) else grid for method, grid in row.items()}
    if "GET" in grids:
        grids.setdefault("HEAD", grids["GET"])
    return grids


def _rules(world: World) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint != "static":
            found.setdefault(rule.endpoint, []).append(rule)
    return found


def _observed(world: World, endpoint: str) -> str:
    """Return the row the endpoint's routes answer today, formatted like EXPECTED's."""
    cells = []
    for rule in _rules(world)[endpoint]:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            got = [" ".join(ask(world, p, mode, method, rule) for p in PEOPLE) for mode in MODES]
            grid = f'"{got[0]}"' if got[0] == got[1] else f'("{got[0]}",\n{" " * 39}"{got[1]}")'
            cells.append(f'"{method}": {grid}')
    return f'    "{endpoint}": {{' + f",\n{' ' * 30}".join(cells) + "},"


# --- the tests -----------------------------------------------------------------------------------

def _known(endpoint: str, method: str, person: str, expected: str) -> tuple[str, str] | None:
    for (pattern, *cell), answer in KNOWN.items():
        if fnmatch(endpoint, pattern) and cell == [method, person, expected]:
            return answer
    return None


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_each_person_gets_the_expected_status(world: World, endpoint: str) -> None:
    rules = _rules(world).get(endpoint)
    if not rules:
        pytest.fail(f"{endpoint} is in EXPECTED but not in the app: remove its row")
    wrong, known, fixed = [], set(), []
    for rule in rules:
        for method, grid in _grids(EXPECTED[endpoint]).items():
            if method not in rule.methods:
                continue
            for mode, expected in zip(MODES, grid, strict=True):
                statuses = expected.split()
                assert len(statuses) == len(PEOPLE), f"{endpoint} {method} {mode}: one status per person"
                got = [ask(world, person, mode, method, rule) for person in PEOPLE]
                for n, person in enumerate(PEOPLE):
                    bug = _known(endpoint, method, person, statuses[n])
                    if bug and got[n] == bug[0]:
                        known.add(bug[1])
                        got[n] = statuses[n]
                    elif bug:
                        fixed.append(f"{method} {rule.rule} as {person} ({mode}): {got[n]} — remove its "
                                     f"KNOWN entry ({bug[1]})")
                if got != statuses:
                    wrong.append(f"{method} {rule.rule} ({mode})\n  expected {' '.join(statuses)}\n"
                                 f"  got      {' '.join(got)}")
    header = "columns: " + " ".join(PEOPLE)
    raised = f"\n\nThe first exception:\n{world.errors[endpoint]}" if endpoint in world.errors else ""
    assert not wrong, header + "\n" + "\n".join(wrong) + raised
    assert not fixed, "\n".join(fixed)
    if known:
        pytest.xfail("; ".join(sorted(known)))


def test_options_answer_and_other_methods_are_refused(world: World) -> None:
    adapter = world.app.url_map.bind("localhost")
    wrong = []
    for endpoint, rules in _rules(world).items():
        for rule in rules:
            url = _url(world, rule, "GET")
            allowed = set(adapter.allowed_methods(url))
            for person, mode in (("anon", "session"), ("admin", "token")):
                if (got := ask(world, person, mode, "OPTIONS", rule, body=False)) != "200":
                    wrong.append(f"OPTIONS {url} as {person}: {got}, expected 200")
                for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - allowed):
                    if (status := ask(world, person, mode, method, rule, body=False)) != "405":
                        wrong.append(f"{method} {url} ({endpoint}) as {person}: {status}, expected 405")
    assert not wrong, "\n".join(wrong)


def test_the_worker_token_fetches_snapshots(world: World) -> None:
    client = world.app.test_client()
    url = f"/api/snapshots/{world.digest}"
    with client.get(url, headers={"Authorization": f"Bearer {world.worker_token}"}) as response:
        assert response.status_code == 200 and response.data == b"a snapshot tar stands here"
    assert client.get(url.replace(world.digest[:8], "f" * 8),
                      headers={"Authorization": f"Bearer {world.worker_token}"}).status_code == 404


def test_every_route_has_a_row(world: World) -> None:
    """Last in the module: what it requests of a route without a row may change the objects."""
    rules = _rules(world)
    missing = sorted(set(rules) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(rules))
    methods = {e: {m for r in rules[e] for m in r.methods} for e in rules}
    wrong = sorted(f"{e} {m}" for e in set(rules) & set(EXPECTED) for m in EXPECTED[e] if m not in methods[e])
    unlisted = sorted(f"{e} {m}" for e in set(rules) & set(EXPECTED)
                      for m in methods[e] - {"HEAD", "OPTIONS"} - set(EXPECTED[e]))
    message = []
    if missing:
        message.append("These routes have no row in EXPECTED (tests/web/test_permissions.py; how to add "
                       "one is at its top). What they answer today — check every cell against "
                       "ae/web/policy.py before copying:\n" + "\n".join(_observed(world, e) for e in missing))
    if unlisted:
        message.append(f"These methods have no grid in their row: {', '.join(unlisted)}")
    if stale or wrong:
        message.append(f"Rows for routes or methods the app no longer has: {', '.join(stale + wrong)}")
    assert not message, "\n\n".join(message)
