"""Web pages with 1,000 artifacts: p50/p95 of the artifact list (signed in as a chair, who sees
every artifact) and of one artifact page, served by the real `ae serve` (gunicorn) on a free port,
against a static file from the same server (`/static/robots.txt`) as the baseline.

    python benchmarks/web.py [--artifacts 1000] [--requests 300] [--database-url URL]
                             [--workers N] [--threads N] [--profile]

The artifacts are rows inserted directly, shaped like real ones: 1 or 2 versions each (every
fifth one resubmitted), the appendix of one of the sample artifacts with its real check-list
(`lint`) and claims, three runs per version with a full run record (this machine's platform, a
compiler dependency with its environment, per-repetition samples, logs), verdicts judged from
those samples by the real rule, badge recommendations from the real evidence, two evaluators
assigned. The database is a SQLite file in a temporary instance (the embedded default), or the
empty PostgreSQL database `--database-url` names (migrated, filled, and emptied again at the
end). Requests go one at a time over a kept-alive connection, the three pages in turn so that
load drifting on the machine hits them alike. `--profile` profiles the list page in-process
afterwards (the same database) and prints where its time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/queue.py would shadow the stdlib `queue` that redis imports: this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

TARGET_MS = 150.0
CONFERENCE = "ppopp-2019"
PASSWORD = "benchmark horse battery staple"
STATIC = "/static/robots.txt"
EXAMPLES = ("pi-python", "matmul-c", "knn-python", "perceptron-python", "crc32-programs")


# --- the data ------------------------------------------------------------------------------------

class Shapes:
    """What real rows hold, computed once: appendices with their check-lists and claims, the
    platform of this machine, a compiler dependency."""

    def __init__(self) -> None:
        from ae import conferences
        from ae.checklist.claims import parse_claims
        from ae.checklist.lint import lint
        from ae.evaluators.platform import detect_platform

        profile = conferences.get(CONFERENCE).lint_profile()
        self.appendices = []
        for name in EXAMPLES:
            text = (ROOT / "examples" / name / "ARTIFACT-APPENDIX.md").read_text()
            checklist = lint(text, profile=profile, badges=("functional", "reproduced"),
                             filename="ARTIFACT-APPENDIX.md").to_dict()
            self.appendices.append((name, text, checklist, parse_claims(text)))
        self.platform = detect_platform(with_gpus=False).to_dict()
        env = {f"CK_ENV_COMPILER_GCC_{k}": f"/usr/{k.lower()}" for k in ("BIN", "FILE", "INCLUDE", "LIB")}
        env.update({f"CK_FLAG_{k}": f"-{k.lower()}" for k in ("PREFIX_INCLUDE", "PREFIX_VAR", "OUTPUT",
                                                             "CREATE_OBJ", "STATIC_BIN", "DLL")})
        self.deps = {"compiler": {"name": "gcc", "version": "12.2.0", "path": "/usr/bin/gcc",
                                  "tags": ["compiler", "gcc", "lang-c", "lang-cpp", "v12", "v12.2"],
                                  "origin": "detected", "env": env}}


def _people(session: Any) -> dict[str, list[str]]:
    from ae.accounts import passwords, users
    from ae.storage.states import Role

    hashed = passwords.hash_password(PASSWORD)
    found: dict[str, list[str]] = {"chair": [], "author": [], "evaluator": []}
    counts = {"chair": 1, "author": 60, "evaluator": 20}
    for role, count in counts.items():
        for n in range(count):
            user = users.create_user(session=session, email=f"{role}{n}@bench.ae.test",
                                     name=f"{role.title()} {n}")
            user.password_hash = hashed
            session.flush()
            users.grant(session=session, user=user, conference=CONFERENCE, role=Role(role))
            found[role].append(user.id)
    return found


def populate(app: Any, count: int, seed: int = 7) -> str:
    """Insert `count` artifacts like real ones; return the id of the one the artifact page shows."""
    from sqlalchemy import insert

    from ae import conferences
    from ae.badges import schemes
    from ae.badges.recommend import as_dicts, recommend
    from ae.evaluation import evidence, judge, policy_for
    from ae.evaluators.record import RunRecord
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact, ArtifactVersion, Assignment, ClaimRecord, Run, VerdictRecord

    rng = random.Random(seed)
    with app.app_context():
        shapes, conference = Shapes(), conferences.get(CONFERENCE)
    policy, scheme = policy_for(conference), schemes.get(conference.badge_scheme)
    rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in (Artifact, ArtifactVersion, Run, ClaimRecord,
                                                             VerdictRecord, Assignment)}
    start = datetime(2026, 1, 5, tzinfo=UTC)
    with app.app_context(), session_scope() as session:
        people = _people(session)
        for n in range(count):
            name, text, checklist, claims = shapes.appendices[n % len(shapes.appendices)]
            created = start + timedelta(minutes=37 * n)
            title = f"{name.replace('-', ' ').title()}: artifact {n}"
            artifact = Artifact(conference=CONFERENCE, title=title,
                                source=f"https://github.com/ae-bench/{name}-{n}.git",
                                requested_badges=["functional", "reproduced"],
                                owner_id=rng.choice(people["author"]), created_at=created)
            rows[Artifact].append(artifact.model_dump())
            for evaluator in rng.sample(people["evaluator"], 2):
                rows[Assignment].append({"artifact_id": artifact.id, "user_id": evaluator,
                                         "created_at": created})
            for number in range(1, 3 if n % 5 == 0 else 2):
                when = created + timedelta(days=number - 1)
                version = ArtifactVersion(
                    artifact_id=artifact.id, number=number, ref="main", commit=f"{rng.getrandbits(160):040x}",
                    snapshot_digest=f"{rng.getrandbits(256):064x}", appendix_name="ARTIFACT-APPENDIX.md",
                    appendix_text=text, checklist=checklist, status="done", created_at=when, updated_at=when)
                runs = []
                for program in sorted({c.program or name for c in claims} | {name})[:3]:
                    record = RunRecord(ok=rng.random() > 0.1, failure_kind=None, message="", program=program,
                                       cmd_key="default", dataset=None, platform=shapes.platform,
                                       deps=shapes.deps, env={"OMP_NUM_THREADS": "1"},
                                       commands=[f"python3 {program}.py"], stdout_tail="ok\n" * 40)
                    for _ in range(3):
                        sample = {"execution_time": rng.uniform(0.05, 0.5)}
                        sample.update({c.metric: (c.expected or 1.0) * rng.uniform(0.97, 1.03) for c in claims
                                       if c.program in (None, program)})
                        record.add_sample(sample, "timer")
                    if not record.ok:
                        record.fail("run-error", f"{program} exited with status 1")
                    runs.append(Run(version_id=version.id, program=program, cmd_key="default",
                                    status="succeeded" if record.ok else "failed", repetitions=3,
                                    failure_kind=record.failure_kind, message=record.message or None,
                                    samples=record.samples, record=record.to_dict(), worker="bench.1",
                                    attempt=1, created_at=when, started_at=when, finished_at=when))
                verdicts = [judge(claim, runs, policy) for claim in claims]
                version.recommended_badges = {"scheme": conference.badge_scheme, "badges": as_dicts(
                    recommend(scheme, conference.badges, evidence(version, runs, verdicts)))}
                reports = Path(app.config["DATA_DIR"]) / "reports" / version.id
                version.report_path = str(reports / "report.pdf")
                rows[ArtifactVersion].append(version.model_dump())
                rows[Run].extend(r.model_dump() for r in runs)
                rows[ClaimRecord].extend({"version_id": version.id, "claim_id": c.id, "data": c.to_dict()}
                                         for c in claims)
                rows[VerdictRecord].extend({"version_id": version.id, "claim_id": v.claim_id,
                                            "outcome": v.outcome, "reason": v.reason, "data": v.to_dict(),
                                            "computed_at": when} for v in verdicts)
        for model, values in rows.items():  # parents first: the dict keeps that order
            for chunk in range(0, len(values), 500):
                session.execute(insert(model), values[chunk:chunk + 500])
    return str(rows[Artifact][count // 2]["id"])


def empty_database(url: str) -> None:
    """Empty every table of ours (PostgreSQL: what this run filled)."""
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import ae.storage.models  # noqa: F401

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


# --- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], port: int, args: argparse.Namespace,
                 log: Path) -> subprocess.Popen[bytes]:
    """Start `ae serve` (gunicorn) and wait until it answers."""
    extra = [f"--workers={args.workers}"] if args.workers else []
    extra += [f"--threads={args.threads}"] if args.threads else []
    with open(log, "wb") as err:
        process = subprocess.Popen([sys.executable, "-c", "from ae.cli import cli; cli()", "serve",
                                    "--port", str(port), *extra], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"ae serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def sign_in(port: int, email: str) -> str:
    """Sign in through the form; return the session cookie header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in form carries a CSRF token"
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, f"signing in answered {response.status}"
    connection.close()
    return response.getheader("Set-Cookie", "").split(";")[0]


def measure(port: int, cookie: str, paths: dict[str, str], requests: int) -> dict[str, list[float]]:
    """Request each path `requests` times, in turn, over one kept-alive connection; return ms each."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for n in range(requests + 10):
        for name in names[n % len(names):] + names[:n % len(names)]:
            began = time.perf_counter()
            connection.request("GET", paths[name], headers={"Cookie": cookie})
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - began) * 1000
            if response.status != 200:
                raise SystemExit(f"GET {paths[name]} answered {response.status}: {body[:300]!r}")
            if n >= 10:  # the first rounds warm the workers up
                times[name].append(elapsed)
    connection.close()
    return times


def profile(app: Any, chair_email: str, path: str, requests: int = 20) -> str:
    """Profile a page in-process (the same database, signed in as the chair): where its time goes,
    SQL statement by statement, template rendering, and the project's slowest functions."""
    from sqlalchemy import event

    from ae.storage.db import get_engine

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post("/login", data={"email": chair_email, "password": PASSWORD, "csrf_token": token.group(1)})
    client.get(path).close()
    sql: dict[str, list[float]] = {}

    def before(conn: Any, *_: Any) -> None:
        conn.info["ae.bench.t"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - conn.info["ae.bench.t"]
        sql.setdefault(" ".join(statement.split())[:90], []).append(elapsed)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path).close()
    profiler.disable()
    total = (time.perf_counter() - began) / requests * 1000
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    timings = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # (file, line, name) -> (.., cumulative, ..)
    rendering = sum(v[3] for k, v in timings.items()
                    if k[2] == "render_template" and k[0].endswith("flask/templating.py"))
    per = 1000 / requests
    lines = [f"{path}: {total:.1f} ms a request in-process ({requests} requests; the profiler adds a little)",
             f"  {sum(map(sum, sql.values())) * per:7.1f} ms  SQL, "
             f"{sum(map(len, sql.values())) / requests:.0f} statements:"]
    for statement, times in sorted(sql.items(), key=lambda kv: -sum(kv[1]))[:6]:
        lines.append(f"  {sum(times) * per:7.1f} ms    {len(times) / requests:>3.0f}x {statement}")
    lines.append(f"  {rendering * per:7.1f} ms  rendering templates")
    ours = sorted(((v[3], k) for k, v in timings.items()
                   if "/ae/" in k[0] and "/ae/web/templates/" not in k[0]), reverse=True)[:8]
    lines.append("  the project's functions by cumulative time:")
    lines += [f"  {cum * per:7.1f} ms    {Path(file).relative_to(ROOT)}:{line} {name}"
              for cum, (file, line, name) in ours]
    return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300, help="requests of each page")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a SQLite file)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: ae serve's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: ae serve's)")
    parser.add_argument("--profile", action="store_true", help="profile the list page in-process")
    args = parser.parse_args()

    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine
    from ae.storage.models import Artifact

    with tempfile.TemporaryDirectory(prefix="ae-bench-web-") as tmp:
        instance = Path(tmp) / "instance"
        database = args.database_url or f"sqlite:///{instance / 'ae.sqlite'}"
        settings = {"INSTANCE_PATH": str(instance), "DATABASE_URL": database,
                    "DATA_DIR": str(instance / "data"), "SECRET_KEY": os.urandom(16).hex(),
                    "SESSION_COOKIE_SECURE_FORCE": False, "CONFERENCES_DIR": str(ROOT / "conferences")}
        app = create_app(settings)
        migrate.upgrade(get_engine(app))
        with app.app_context():
            from sqlmodel import Session, func, select

            with Session(get_engine(app)) as session:
                if session.exec(select(func.count()).select_from(Artifact)).one():
                    raise SystemExit(f"{database} holds artifacts already: give an empty database")
        began = time.perf_counter()
        shown = populate(app, args.artifacts)
        filled = time.perf_counter() - began
        get_engine(app).dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
        env.update({f"AE_{k}": json.dumps(v) if isinstance(v, bool) else str(v) for k, v in settings.items()})
        port, log = free_port(), Path(tmp) / "serve.log"
        process = start_server(env, port, args, log)
        try:
            cookie = sign_in(port, "chair0@bench.ae.test")
            paths = {"static": STATIC, "list": "/", "artifact": f"/artifacts/{shown}"}
            times = measure(port, cookie, paths, args.requests)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        profiles = [profile(app, "chair0@bench.ae.test", paths[name]) for name in ("list", "artifact")
                    if args.profile]
        get_engine(app).dispose()
        if args.database_url:
            empty_database(args.database_url)

    kind = "PostgreSQL" if args.database_url else "SQLite"
    labels = {"static": f"static file {STATIC} (baseline)",
              "list": f"artifact list / (chair, {args.artifacts:,} artifacts, first page)",
              "artifact": "one artifact page /artifacts/<id> (2 versions, 6 runs)"}
    print(f"{args.artifacts:,} artifacts inserted in {filled:.1f} s ({kind}); ae serve (gunicorn); "
          f"{args.requests} requests of each page, one at a time")
    print(f"{'page':<58} {'p50 ms':>8} {'p95 ms':>8} {'vs static p95':>14}")
    p95 = {name: percentile(values, 0.95) for name, values in times.items()}
    for name, values in times.items():
        print(f"{labels[name]:<58} {statistics.median(values):>8.1f} {p95[name]:>8.1f} "
              f"{p95[name] / p95['static']:>13.1f}x")
    for found in profiles:
        print("\n" + found)
    print(json.dumps({"benchmark": "web", "ours": round(p95["list"], 1), "baseline": round(p95["static"], 1),
                      "ratio": round(p95["list"] / p95["static"], 2),
                      "target": f"artifact list p95 < {TARGET_MS:.0f} ms with {args.artifacts:,} artifacts",
                      "met": p95["list"] < TARGET_MS}))


if __name__ == "__main__":
    main()
