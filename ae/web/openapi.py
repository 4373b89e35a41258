"""The OpenAPI 3.1 document of `/api`, written as data beside the views it describes.

Why data and not a library: the views stay plain Flask views (the policy asks, the domain answers)
and the schemas are JSON Schema 2020-12 dicts, which OpenAPI 3.1 takes as they are. A test walks
the app's URL map against `PATHS` (a route missing here, or described but absent, fails it), and
schemathesis checks the running API against the document. `x-permission` names the policy
permission each operation asks (`ae.web.policy.Permission`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ae import __version__
from ae.solutions.schema import RESULT_SCHEMA
from ae.storage.states import Role, RunState, VersionState
from ae.web.policy import Permission

PROBLEM_TYPE = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
ID = {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "a 32-digit hex id"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {**_obj(["type", "title", "status", "detail"], type=STRING, title=STRING,
                       status={"type": "integer", "minimum": 400, "maximum": 599}, detail=STRING),
                "description": "RFC 9457 problem details: `detail` is one sentence a person can act on"},
    "Me": _obj(["id", "name", "email", "admin", "roles", "scopes"], id=ID, name=STRING, email=STRING,
               admin=BOOLEAN,
               roles={"type": "object", "description": "conference → the caller's roles there",
                      "additionalProperties": {"type": "array", "items": {"enum": list(Role)}}},
               scopes={"type": ["array", "null"], "items": STRING,
                       "description": "the token's scopes (null: a browser session)"}),
    "Badge": {**_obj(["badge", "title", "status", "why"], badge=STRING, title=STRING, why=STRING,
                     status={"enum": ["recommended", "not-recommended", "needs-review"]}),
              "description": "a badge recommendation: the evidence combined with the submitted reviews "
                             "(a chair issues badges)"},
    "IssuedBadge": _obj(["id", "badge", "title", "version", "issued_at", "status", "revoked_at",
                         "revoked_reason", "url", "image", "verify"],
                        id=ID, badge=STRING, title=STRING, version=_nullable("integer"),
                        issued_at={"type": "string", "format": "date-time"},
                        status={"enum": ["valid", "revoked"]},
                        revoked_at=_nullable("string", format="date-time"),
                        revoked_reason=_nullable("string"),
                        report_digest=_nullable("string", description="the digest of the report the "
                                                "credential names (sha256:…); GET …/report?issued=<digest> "
                                                "serves it"),
                        report_kind={"enum": ["html", "pdf"], "description": "the kind of that report"},
                        url={"type": "string", "format": "uri", "description": "the badge's public page"},
                        image={"type": "string", "format": "uri"},
                        verify={"type": "string", "format": "uri", "description": "the verification page"}),
    "Verdict": _obj(["claim", "outcome", "reason"], claim=STRING, outcome=STRING, reason=STRING),
    "ReviewAnswer": _obj(["key", "label", "kind", "value", "value_label", "badge"], key=STRING, label=STRING,
                         kind={"enum": ["recommendation", "choice", "text"]}, value=STRING,
                         value_label=_nullable("string"),
                         badge=_nullable("string", description="the badge of a recommendation")),
    "Review": {**_obj(["id", "round", "evaluator", "name", "mine", "submitted", "submitted_at", "edit_count",
                       "answers"],
                      id=ID, round=STRING, evaluator={"type": "string", "description": "Evaluator A, B, …"},
                      name=_nullable("string", description="the evaluator's name (chairs only)"),
                      mine=BOOLEAN, submitted=BOOLEAN, submitted_at=_nullable("string"),
                      edit_count={"type": "integer", "minimum": 0},
                      answers={"type": "array", "items": _ref("ReviewAnswer")}),
               "description": "one evaluator's review of a round, cut to the fields meant for the caller"},
    "Reviews": _obj(["audience", "reviews"], audience={"enum": ["authors", "evaluators", "chairs"]},
                    reviews={"type": "array", "items": _ref("Review")}),
    "ThreadMessage": _obj(["id", "by", "mine", "body", "at"], id=ID,
                          by={"type": "string", "description": "Author, Evaluator A, …, Chair"},
                          mine=BOOLEAN, body={"type": "string", "description": "Markdown"}, at=STRING),
    "MessageBody": {"type": "string", "minLength": 1, "maxLength": 10_000, "pattern": "\\S",
                    "description": "Markdown"},
    "ReviewInput": {"type": "object", "additionalProperties": False, "properties": {
        "answers": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20_000},
                    "description": "field key (badge:<badge>, comments, …) → answer"},
        "submit": {"type": "boolean", "description": "submit (true) or keep a draft (false)"}}},
    "ThreadInput": {"type": "object", "additionalProperties": False, "required": ["body"], "properties": {
        "body": _ref("MessageBody"),
        "about": {"type": "object", "required": ["kind"], "additionalProperties": False,
                  "description": "what the thread is about (default: the artifact)",
                  "properties": {"kind": {"enum": ["artifact", "claim", "run", "log"]}, "claim": STRING,
                                 "run": STRING, "stream": {"enum": ["stdout", "stderr"]},
                                 "line": {"type": "integer", "minimum": 1}}}}},
    "Thread": _obj(["id", "anchor", "about", "messages"], id=ID,
                   anchor={"type": "object", "description": "kind (artifact, claim, run, log) and its keys"},
                   about=STRING, messages={"type": "array", "items": _ref("ThreadMessage")}),
    "Run": _obj(["id", "program", "cmd_key", "dataset", "repetitions", "status", "failure_kind", "message",
                 "time_source", "pool", "attempt", "waiting"],
                id=ID, program=STRING, cmd_key=STRING, dataset=_nullable("string"), repetitions=INTEGER,
                status={"enum": list(RunState)}, failure_kind=_nullable("string"),
                message=_nullable("string"), time_source=STRING, pool=STRING, attempt=INTEGER,
                waiting=_nullable("string", description="why a queued run waits (no live worker…), or why "
                                  "a held one does (the smoke stage, a chair's approval beyond the budget)"),
                stage={"enum": ["smoke", "full"],
                       "description": "smoke: the version's one-repetition kick-the-tires run"}),
    "Progress": _obj(["stage", "repetition", "total", "elapsed_s", "remaining_s", "logs"],
                     stage=STRING, repetition=INTEGER, total=INTEGER, elapsed_s={"type": "number"},
                     remaining_s={"type": ["number", "null"]},
                     logs={"type": "object", "additionalProperties": STRING}),
    "RunDetail": {"allOf": [_ref("Run"), _obj(
        ["artifact", "version", "started_at", "finished_at", "progress"], artifact=ID, version=INTEGER,
        started_at=_nullable("string", format="date-time"),
        finished_at=_nullable("string", format="date-time"),
        progress={"oneOf": [_ref("Progress"), {"type": "null"}],
                  "description": "live progress while a worker runs it (null: none recorded)"})]},
    "Artifact": _obj(["id", "title", "conference", "source", "version", "commit", "snapshot", "status",
                      "error", "report", "dependencies", "badges", "runs", "verdicts"],
                     id=ID, title=STRING, conference=STRING,
                     source={"type": "string",
                             "description": "git URL (credentials removed) or archive:<sha256>"},
                     version={"type": "integer", "description": "the latest version's number"},
                     commit=_nullable("string"), snapshot=_nullable("string"),
                     status={"enum": list(VersionState)}, error=_nullable("string"),
                     report=_nullable("string", format="uri", description="the latest report's URL"),
                     dependencies={"type": "array", "items": {"type": "object"}},
                     badges={"type": "array", "items": _ref("Badge")},
                     issued={"type": "array", "items": _ref("IssuedBadge"),
                             "description": "badges a chair issued to the artifact, revoked ones included"},
                     runs={"type": "array", "items": _ref("Run")},
                     verdicts={"type": "array", "items": _ref("Verdict")},
                     smoke={"type": ["object", "null"],
                            "description": "the smoke stage: stage, outcome per command, estimates per "
                                           "claim and pool, the appendix's stated time and any mismatch, "
                                           "what waits for approval (null: no smoke stage)"}),
    "Version": _obj(["id", "number", "ref", "commit", "snapshot", "status", "error", "appendix", "checklist",
                     "report", "created_at"],
                    id=ID, number=INTEGER, ref=_nullable("string"), commit=_nullable("string"),
                    snapshot=_nullable("string"), status={"enum": list(VersionState)},
                    error=_nullable("string"), appendix=_nullable("string"),
                    checklist={"type": ["object", "null"], "additionalProperties": INTEGER,
                               "description": "check-list findings per severity"},
                    report=_nullable("string", format="uri"),
                    created_at={"type": "string", "format": "date-time"}),
    "Submitted": _obj(["artifact", "version", "checklist"], artifact=ID, version=ID,
                      checklist={"type": ["object", "null"],
                                 "description": "the appendix's check-list (null: no appendix sent)"}),
    "Submission": _obj(
        ["conference", "title", "source"], conference={**STRING, "minLength": 1},
        title={**STRING, "minLength": 1},
        source={"type": "string", "minLength": 1, "description": "a git URL the source policy allows"},
        ref=_nullable("string", description="branch, tag or commit (default: HEAD)"),
        badges={"type": "array", "items": STRING, "description": "requested badges"},
        appendix=_nullable("string", description="the Artifact Appendix text")),
    "SubmissionForm": _obj(
        ["conference", "title"], conference={**STRING, "minLength": 1}, title={**STRING, "minLength": 1},
        source={**STRING, "description": "a git URL (leave out with an archive)"}, ref=STRING,
        badges={"type": "array", "items": STRING},
        archive={"type": "string", "contentMediaType": "application/octet-stream",
                 "description": ".tar[.gz|.xz|.bz2] or .zip upload (instead of a git source)"},
        appendix={"type": "string", "description": "the appendix as text, or as a file part"}),
    "Resubmission": _obj([], ref=_nullable("string", description="a new ref of a git artifact"),
                         appendix=_nullable("string", description="the Artifact Appendix text")),
    "ResubmissionForm": _obj([], ref=STRING, appendix=STRING,
                             archive={"type": "string", "contentMediaType": "application/octet-stream",
                                      "description": "a new archive of an archive artifact"}),
    "Worker": _obj(["name", "host", "pid", "pools", "state", "alive", "current_run"],
                   name=STRING, host=STRING, pid=INTEGER, pools={"type": "array", "items": STRING},
                   queues={"type": "array", "items": STRING}, profile=STRING, remote=BOOLEAN, state=STRING,
                   alive=BOOLEAN, current_run=_nullable("string"), last_heartbeat=STRING, started_at=STRING),
    "Tournament": _obj(["conference", "name", "published", "metrics", "edited"], conference=STRING,
                       name=STRING, published=BOOLEAN, metrics={"type": "array", "items": STRING},
                       edited={**BOOLEAN, "description": "the organizer edited the conference file's rules"}),
    "Scoreboard": {**_obj(["tournament", "points", "ranked", "fronts", "frontier", "front_metrics", "sort",
                           "descending", "entries", "rows"],
                          tournament={"type": "object", "description": "the rules (see TournamentRules)"},
                          points=INTEGER, ranked=INTEGER, fronts=INTEGER, frontier=INTEGER,
                          front_metrics={"type": "array", "items": STRING}, sort=STRING, descending=BOOLEAN,
                          entries=INTEGER, rows={"type": "array", "items": {"type": "object"}}),
                   "description": "points ranked from reproduced runs; fronts are Pareto fronts 1..k"},
    "TournamentRules": _obj(["conference", "published", "edited", "revision", "rules", "toml"],
                            conference=STRING, published=BOOLEAN, edited=BOOLEAN, revision=INTEGER,
                            rules={"type": "object"},
                            toml={**STRING, "description": "the [tournament] table an organizer edits"}),
    "Solution": _obj(["name", "title", "conference", "digest", "commit", "published_at", "configurations",
                      "results"], name=STRING, title=STRING, conference=STRING,
                     digest={**STRING, "description": "sha256 of the canonical manifest"},
                     commit=_nullable("string"), published_at=STRING,
                     configurations={"type": "array", "items": STRING}, results=INTEGER),
    "CrowdResult": {**_obj(["id", "solution", "hardware", "fingerprint", "valid", "problems", "verdicts",
                            "claimed", "received_at"],
                           id=ID, solution=STRING, hardware={**STRING, "description": "the hardware class"},
                           fingerprint=STRING, valid=BOOLEAN,
                           problems={"type": "object", "description": "cmd_key -> why it failed"},
                           verdicts={"type": "object", "description": "the service's, from the samples"},
                           claimed={"type": "object", "description": "the volunteer's own (not trusted)"},
                           received_at=STRING),
                    "description": "a volunteer's result as stored: always volunteer-reported"},
    "SolutionBoard": _obj(["solution", "conference", "metrics", "groups"], solution=_ref("Solution"),
                          conference=STRING, metrics={"type": "array", "items": STRING},
                          groups={"type": "array", "description": "one per hardware class: fingerprint, "
                                  "hardware, rows (scoreboard rows with provenance and validation)",
                                  "items": _obj(["fingerprint", "hardware", "rows"],
                                                fingerprint=_nullable("string"), hardware=STRING,
                                                rows={"type": "array", "items": {"type": "object"}})}),
    "ResultSubmission": {k: v for k, v in RESULT_SCHEMA.items() if k not in ("$schema", "$id")},
    "Pool": _obj(["pool", "live_workers", "waiting_runs", "stuck"], pool=STRING, live_workers=INTEGER,
                 waiting_runs=INTEGER, stuck=_nullable("string", description="why its runs wait")),
}

_TITLES = {400: "the request is refused: the problem's detail says why",
           401: "no valid API token (or session)", 403: "the policy refuses this action",
           404: "no such thing, or one the caller may not see", 413: "the body is over its size cap",
           422: "the result's digest or signature does not hold: it is refused",
           429: "too many submissions: try again later"}


def _problems(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": _TITLES[c], "content": {PROBLEM_TYPE: {"schema": _ref("Problem")}}}
            for c in codes}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list(name: str) -> dict[str, Any]:
    return _json({"type": "array", "items": _ref(name)})


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or ID}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _op(summary: str, permission: Permission | str, responses: dict[str, Any], *,
        tag: str, parameters: list[dict[str, Any]] | None = None, body: dict[str, Any] | None = None,
        public: bool = False, description: str = "", optional_body: bool = False,
        token_optional: bool = False) -> dict[str, Any]:
    """Return one operation: its text, the permission it asks, parameters, body and responses
    (`public`: no token needed; `token_optional`: anyone, and a token shows more)."""
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "x-permission": str(permission),
                          "responses": responses}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = {"required": not optional_body, "content": body}
    if public:
        op["security"] = []
    if token_optional:
        op["security"] = [{"bearerAuth": []}, {}]
    return op


ARTIFACT_ID = _path("artifact_id", "the artifact's id")
RUN_ID = _path("run_id", "the run's id")
SLUG = _path("slug", "the conference's slug", STRING)
SOLUTION = _path("name", "the solution's name", STRING)
_BINARY = {"archive": {"contentType": "application/octet-stream"}}
_SUBMIT_BODY = {"application/json": {"schema": _ref("Submission")},
                "multipart/form-data": {"schema": _ref("SubmissionForm"), "encoding": _BINARY}}
_RESUBMIT_BODY = {"application/json": {"schema": _ref("Resubmission")},
                  "multipart/form-data": {"schema": _ref("ResubmissionForm"), "encoding": _BINARY}}
_CREATED = {"201": {**_json(_ref("Submitted"), "submitted: intake is queued"),
                    "headers": {"Location": {"description": "the artifact's URL", "schema": STRING}}}}

PATHS: dict[str, dict[str, Any]] = {
    "/api/me": {"get": _op(
        "Who the caller is", Permission.VIEW_SELF, {"200": _json(_ref("Me")), **_problems(401)},
        tag="account")},
    "/api/artifacts": {
        "get": _op("List the artifacts the caller may see", Permission.LIST_ARTIFACTS,
                   {"200": _list("Artifact"), **_problems(401)}, tag="artifacts",
                   parameters=[_query("conference", "only this conference's", STRING)],
                   description="Authors see their own, evaluators those assigned to them, chairs and "
                               "organizers their conference's; newest first."),
        "post": _op("Submit an artifact", Permission.SUBMIT,
                    {**_CREATED, **_problems(400, 401, 403, 404, 413, 429)}, tag="artifacts",
                    body=_SUBMIT_BODY,
                    description="A git source as JSON, or multipart/form-data with an `archive` file "
                                "(and no source). The appendix is linted at once; intake runs on a "
                                "worker. Needs a token with the submit scope and the author role."),
    },
    "/api/artifacts/{artifact_id}": {"get": _op(
        "Show an artifact's status", Permission.VIEW_ARTIFACT,
        {"200": _json(_ref("Artifact")), **_problems(401, 404)}, tag="artifacts", parameters=[ARTIFACT_ID])},
    "/api/artifacts/{artifact_id}/versions": {
        "get": _op("List an artifact's versions", Permission.VIEW_ARTIFACT,
                   {"200": _list("Version"), **_problems(401, 404)}, tag="artifacts",
                   parameters=[ARTIFACT_ID]),
        "post": _op("Resubmit: add a version", Permission.RESUBMIT,
                    {**_CREATED, **_problems(400, 401, 403, 404, 413, 429)}, tag="artifacts",
                    parameters=[ARTIFACT_ID], body=_RESUBMIT_BODY, optional_body=True,
                    description="A git artifact takes a new `ref` (default: HEAD again); an archive "
                                "artifact a new `archive` upload (default: the last one again)."),
    },
    "/api/artifacts/{artifact_id}/report": {"get": _op(
        "Download an artifact's report", Permission.VIEW_ARTIFACT,
        {"200": {"description": "the report",
                 "content": {"text/html": {"schema": STRING},
                             "application/pdf": {"schema": {"type": "string",
                                                            "contentMediaType": "application/pdf"}}}},
         **_problems(400, 401, 404)}, tag="artifacts",
        parameters=[ARTIFACT_ID, _query("format", "html (default) or pdf", {"enum": ["html", "pdf"]}),
                    _query("version", "a version number (default: the latest)",
                           {"type": "integer", "minimum": 1}),
                    _query("issued", "the report a credential names, by its report digest (sha256:… or "
                           "the hex digits): kept as it was when the badge was issued",
                           {"type": "string", "pattern": "^(sha256:)?[0-9a-f]{64}$"})])},
    "/api/artifacts/{artifact_id}/reviews": {"get": _op(
        "Read an artifact's reviews", Permission.READ_REVIEWS,
        {"200": _json(_ref("Reviews")), **_problems(401, 403, 404)}, tag="reviews", parameters=[ARTIFACT_ID],
        description="Authors read submitted reviews, only the fields meant for authors; evaluators their own "
                    "(drafts too) and the others' submitted ones; chairs everything, with names. Evaluators "
                    "are Evaluator A, B, … to everyone but the chairs.")},
    "/api/artifacts/{artifact_id}/reviews/{round_name}": {"post": _op(
        "Save the caller's review of a round", Permission.REVIEW,
        {"200": _json(_ref("Review")), **_problems(400, 401, 403, 404)}, tag="reviews",
        parameters=[ARTIFACT_ID, _path("round_name", "a review round (kick-the-tires, full-evaluation)",
                                       STRING)],
        body={"application/json": {"schema": _ref("ReviewInput")}},
        description="An assigned evaluator's token only. Without `submit`, a draft; with it, every "
                    "required answer is needed. A submitted review stays submitted: saving it again "
                    "records an edit.")},
    "/api/artifacts/{artifact_id}/threads": {
        "get": _op("Read an artifact's anonymous threads", Permission.READ_REVIEWS,
                   {"200": _list("Thread"), **_problems(401, 403, 404)}, tag="reviews",
                   parameters=[ARTIFACT_ID]),
        "post": _op("Start an anonymous thread", Permission.DISCUSS,
                    {"201": _json(_ref("Thread")), **_problems(400, 401, 403, 404)}, tag="reviews",
                    parameters=[ARTIFACT_ID], body={"application/json": {"schema": _ref("ThreadInput")}},
                    description="About the artifact (no `about`), a claim, a run or a line of a run's log; "
                                "the other side is mailed."),
    },
    "/api/artifacts/{artifact_id}/threads/{thread_id}": {"post": _op(
        "Answer a thread", Permission.DISCUSS,
        {"201": _json(_ref("Thread")), **_problems(400, 401, 403, 404)},
        tag="reviews", parameters=[ARTIFACT_ID, _path("thread_id", "the thread's id")],
        body={"application/json": {"schema": _obj(["body"], body=_ref("MessageBody"))}})},
    "/api/runs/{run_id}": {"get": _op(
        "Show a run's status and progress", Permission.VIEW_ARTIFACT,
        {"200": _json(_ref("RunDetail")), **_problems(401, 404)}, tag="runs", parameters=[RUN_ID])},
    "/api/runs/{run_id}/logs/{stream}": {"get": _op(
        "Read the end of a run's log", Permission.VIEW_LOGS,
        {"200": {"description": "the log's last bytes", "content": {"text/plain": {"schema": STRING}}},
         **_problems(400, 401, 404)}, tag="runs",
        parameters=[RUN_ID, _path("stream", "which log", {"enum": ["stdout", "stderr"]}),
                    _query("bytes", "how many of its last bytes (at most 1 MiB)",
                           {"type": "integer", "minimum": 1, "maximum": 1 << 20})],
        description="Read back without following links and capped, as the worker reads it.")},
    "/api/workers": {"get": _op(
        "List the workers", Permission.VIEW_WORKERS, {"200": _list("Worker"), **_problems(401, 403)},
        tag="workers")},
    "/api/pools": {"get": _op(
        "List the pools and why runs wait", Permission.VIEW_WORKERS,
        {"200": _list("Pool"), **_problems(401, 403)},
        tag="workers")},
    "/api/snapshots/{digest}": {"get": {**_op(
        "Download a snapshot (remote workers)", "worker token",
        {"200": {"description": "the snapshot tar",
                 "content": {"application/x-tar": {"schema": {"type": "string",
                                                              "contentMediaType": "application/x-tar"}}}},
         **_problems(401, 403, 404)}, tag="workers",
        parameters=[_path("digest", "the snapshot's sha256",
                          {"type": "string", "pattern": "^[0-9a-f]{64}$"})]),
        "security": [{"workerToken": []}]}},
    "/api/tournaments": {"get": _op(
        "List the tournaments the caller may see", Permission.VIEW_TOURNAMENT, {"200": _list("Tournament")},
        tag="tournaments", token_optional=True,
        description="Published ones for everyone; private ones for their organizers and chairs.")},
    "/api/tournaments/{slug}": {"get": _op(
        "Read a tournament's scoreboard", Permission.VIEW_TOURNAMENT,
        {"200": _json(_ref("Scoreboard")), **_problems(400, 401, 404)}, tag="tournaments",
        token_optional=True,
        parameters=[SLUG, _query("sort", "the column to sort by", STRING),
                    _query("desc", "1 (descending) or 0", {"enum": ["0", "1", "true", "false", "yes", "no"]}),
                    _query("fronts", "metrics of the Pareto fronts, comma-separated", STRING),
                    _query("offset", "rows to skip", {"type": "integer", "minimum": 0}),
                    _query("limit", "rows to return (at most 1000)", {"type": "integer", "minimum": 0})])},
    "/api/tournaments/{slug}/rules": {"get": _op(
        "Read a tournament's rules", Permission.VIEW_TOURNAMENT,
        {"200": _json(_ref("TournamentRules")), **_problems(401, 404)}, tag="tournaments",
        token_optional=True,
        parameters=[SLUG])},
    "/api/solutions": {"get": _op(
        "List the published solutions", Permission.VIEW_SOLUTIONS, {"200": _list("Solution")},
        tag="solutions", token_optional=True)},
    "/api/solutions/schema.json": {"get": _op(
        "The JSON Schema of a solution manifest", "none", {"200": _json({"type": "object"})},
        tag="solutions", public=True)},
    "/api/solutions/result-schema.json": {"get": _op(
        "The JSON Schema of a volunteer's result", "none", {"200": _json({"type": "object"})},
        tag="solutions", public=True)},
    "/api/solutions/{name}": {"get": _op(
        "Read a solution's manifest", Permission.VIEW_SOLUTIONS,
        {"200": _json({"type": "object", "description": "the manifest (see schema.json)"}), **_problems(404)},
        tag="solutions", token_optional=True, parameters=[SOLUTION])},
    "/api/solutions/{name}/scoreboard": {"get": _op(
        "Read a solution's scoreboard", Permission.VIEW_SOLUTIONS,
        {"200": _json(_ref("SolutionBoard")), **_problems(404)}, tag="solutions", token_optional=True,
        parameters=[SOLUTION],
        description="The committee's reproduced runs of the solution's commit and the volunteers' results, "
                    "grouped by hardware class; volunteers' points are marked volunteer-reported, a result "
                    "whose outputs differ from the reference is shown as failed validation, outliers "
                    "are flagged in the row's notes.")},
    "/api/solutions/{name}/results": {"post": _op(
        "Send a volunteer's result", Permission.CONTRIBUTE,
        {"201": {**_json(_ref("CrowdResult"), "received, judged and stored"),
                 "headers": {"Location": {"description": "the solution's scoreboard", "schema": STRING}}},
         **_problems(400, 401, 403, 404, 413, 422, 429)},
        tag="solutions", parameters=[SOLUTION],
        body={"application/json": {"schema": _ref("ResultSubmission")}},
        description="The result file `ae solution benchmark` wrote, signed by `ae solution submit`: the "
                    "digest must match the body and the signature the token. Verdicts are judged again "
                    "from the samples; rate-limited per user (AE_RATELIMIT_CROWD).")},
    "/api/health": {"get": _op("Liveness", "none", {"200": _json(_obj(["status"], status={"const": "ok"}))},
                               tag="service", public=True)},
    "/api/openapi.json": {"get": _op("This document", "none", {"200": _json({"type": "object"})},
                                     tag="service", public=True)},
    "/api/docs": {"get": _op("This document as a page", "none",
                             {"200": {"description": "HTML", "content": {"text/html": {"schema": STRING}}}},
                             tag="service", public=True)},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "ae API", "version": __version__,
             "description": "The author's operations of the artifact-evaluation service as JSON. Send an "
                          "API token (`ae tokens create`, or the account page) as `Authorization: Bearer "
                          "ae_…`; a signed-in browser session may read but not change anything. Errors "
                          "are RFC 9457 problem details (application/problem+json)."},
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "ae_…",
                           "description": "a user's API token, narrowed to its scopes "
                                          "(read, submit, review)"},
            "workerToken": {"type": "http", "scheme": "bearer",
                            "description": "the shared worker token (AE_WORKER_TOKEN)"},
        },
    },
}


def document() -> dict[str, Any]:
    """Return the OpenAPI document (a copy: callers may change it)."""
    return copy.deepcopy(DOCUMENT)


@dataclass(frozen=True)
class Operation:
    """One documented operation, as the docs page lists it."""

    method: str
    path: str
    spec: dict[str, Any]

    @property
    def anchor(self) -> str:
        """Return an id for the operation's section of the docs page."""
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "").strip("-")


def operations() -> list[Operation]:
    """Return every operation in document order."""
    return [Operation(method, path, spec) for path, item in PATHS.items() for method, spec in item.items()]
