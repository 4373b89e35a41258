"""The OpenAPI document: it names every /api route and no other, its schemas are valid, its page
renders it, and schemathesis finds the running API true to it (no 5xx, no schema violation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from ae.web import openapi
from ae.web.openapi import DOCUMENT, PATHS, operations
from ae.web.policy import Permission

ROOT = Path(__file__).resolve().parents[2]

FIELD = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in PATHS.items() for method in item}


def test_every_api_route_is_documented_and_nothing_else(app: Any) -> None:
    routed = {(method, FIELD.sub(r"{\1}", rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed - documented() == set(), "routes missing from ae/web/openapi.py PATHS"
    assert documented() - routed == set(), "documented operations the app does not route"


def test_each_operation_names_its_permission_and_its_path_parameters() -> None:
    for op in operations():
        assert op.spec["x-permission"] in {*Permission, "none", "worker token"}, op.path
        named = {p["name"] for p in op.spec.get("parameters", []) if p["in"] == "path"}
        assert named == set(re.findall(r"{(\w+)}", op.path)), op.path
        assert op.spec["summary"] and op.spec["responses"], op.path


def test_the_document_is_valid_openapi_3_1() -> None:
    import jsonschema_rs

    for name, schema in DOCUMENT["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
    refs = set(re.findall(r"#/components/schemas/(\w+)", str(DOCUMENT)))
    assert refs <= set(DOCUMENT["components"]["schemas"]), "every $ref resolves"
    loaded = schemathesis.openapi.from_dict(DOCUMENT)
    assert len([op for op in loaded.get_all_operations() if op.ok()]) == len(operations())


def test_the_document_and_its_page_are_served(client: Any) -> None:
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served.get_json() == DOCUMENT
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "<script" not in text, "no JavaScript: the page is rendered on the server"
    for op in operations():
        assert f'id="{op.anchor}"' in text and op.path in text
    assert "Bearer" in text and 'id="schema-Submission"' in text


# --- schemathesis --------------------------------------------------------------------------------

#: What schema-valid requests may still be refused with: a source the policy refuses, an unknown
#: conference or badge (400), an id that names nothing (404), the policy (403).
ACCEPTED = ["2xx", "400", "401", "403", "404", "413", "429"]
#: The administrator's API token (stored hashed by the fixture, like any token), which schemathesis
#: sends where the document asks for `bearerAuth` and leaves out in the cases that test its absence.
TOKEN = "ae_" + "schemathesis-administrator-token".ljust(43, "x")
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20260101,  # the same cases on every run: a failure here is one to fix, never a flake
    "auth": {"openapi": {"bearerAuth": {"bearer": TOKEN}}},
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "generation": {"max-examples": 10, "database": "none"},
})
schema = schemathesis.openapi.from_dict(openapi.document(), config=CONFIG)


@dataclass
class Api:
    """One app for every operation's cases: an administrator's token and real ids to aim at."""

    app: Any
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None) -> Iterator[Api]:
    """The app (PostgreSQL when reachable, else SQLite; its own embedded Redis) with an artifact
    that has a run, logs and a report, and an administrator who may see all of it."""
    from ae.accounts import users
    from ae.accounts.secrets import hash_token
    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine, session_scope
    from ae.storage.models import ApiToken, Run
    from ae.storage.queries import create_artifact
    from ae.workers import embedded_redis

    tmp = tmp_path_factory.mktemp("openapi")
    instance, data = tmp / "instance", tmp / "data"
    embedded_redis.ensure(instance)
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance),
        "DATABASE_URL": postgres_url or f"sqlite:///{tmp / 'ae.sqlite'}",
        "REDIS_URL": embedded_redis.url(instance), "DATA_DIR": str(data),
        "RATELIMIT_STORAGE_URI": f"redis+unix://{embedded_redis.socket_path(instance)}",
        "RATELIMIT_SUBMIT": "100000 per hour", "MAX_UPLOAD_BYTES": 1 << 20,
        "CONFERENCES_DIR": str(ROOT / "conferences"), "SOURCE_ALLOWED_HOSTS": "git.ae.test",
        "WORKER_TOKEN": "a-worker-token-schemathesis-does-not-have",
    })
    migrate.upgrade(get_engine(app))
    found = Api(app)
    try:
        with app.app_context(), session_scope() as session:
            admin = users.create_user(session=session, email="admin@ae.test", name="Admin", is_admin=True)
            session.flush()
            session.add(ApiToken(user_id=admin.id, name="schemathesis", token_hash=hash_token(TOKEN),
                                 prefix=TOKEN[:10], scopes=["read", "review", "submit"]))
            artifact, version = create_artifact(session=session, conference="ppopp-2019", title="Pi",
                                                source="https://git.ae.test/pi.git", ref="main")
            run = Run(version_id=version.id, program="pi", cmd_key="default", status="succeeded",
                      record={"logs": {"stdout": "stdout.log", "stderr": "stderr.log"}})
            session.add(run)
            (data / "reports" / version.id).mkdir(parents=True)
            (data / "reports" / version.id / "report.html").write_text("<p>report</p>")
            version.report_path = str(data / "reports" / version.id / "report.html")
            (data / "runs" / run.id).mkdir(parents=True)
            (data / "runs" / run.id / "stdout.log").write_text("pi = 3.14159\n")
            found.ids = {"artifact_id": artifact.id, "run_id": run.id, "slug": "request-asplos18"}
        yield found
    finally:
        get_engine(app).dispose()
        if postgres_url is not None:
            _truncate(postgres_url)
        embedded_redis.stop(instance)


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # see below
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case: Any, api: Api) -> None:
    """Every check of schemathesis on every operation, positive and negative cases; each positive
    case with ids in its path is sent again at an artifact and a run that exist.

    (schemathesis's in-process client never closes a response, so a report sent as a file is
    closed by the garbage collector: the warning that raises is the client's, not the app's.)
    """
    case.operation.schema.app = api.app  # where the cases and the checks' own requests go
    case.call_and_validate(app=api.app)
    path = case.path_parameters or {}
    aimed = {name: api.ids.get(name, value) for name, value in path.items()}
    if aimed != path and case.meta is not None and case.meta.generation.mode.is_positive:
        case.path_parameters = aimed
        case.call_and_validate(app=api.app)
