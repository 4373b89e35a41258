"""The house's rules, read from the code: rooms import downward only, nothing in a circle, domain
packages never touch the web, the database or the queue, and service-free commands stay light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ae"

#: Rooms from the ground floor up; a room may import its own floor's other rooms only if listed
#: together, and any room below.
FLOORS: list[set[str]] = [
    {"ae", "ae.errors", "ae.markdown", "ae.config", "ae.mail"},
    {"ae.files", "ae.ck", "ae.storage", "ae.reports", "ae.pools", "ae.clusters"},
    {"ae.accounts", "ae.admission"},
    {"ae.checklist"},
    {"ae.intake"},
    {"ae.badges"},  # above intake: a credential or JWKS fetched by URL obeys the source policy
    {"ae.evaluators.sandbox"},
    {"ae.evaluators"},
    {"ae.verdicts"},
    {"ae.smoke"},  # smoke-stage rules (stated times, estimates, budgets): read by ae.conferences
    {"ae.tournaments"},
    {"ae.solutions"},
    {"ae.review"},
    {"ae.conferences"},
    {"ae.recommendation"},  # evidence + reviews: the one recommendation every reader shows
    {"ae.evaluation", "ae.issuance", "ae.reporting"},  # reporting gathers what reports show
    {"ae.awarding"},  # a chair's decision carried out through issuance
    {"ae.workers"},
    {"ae.status", "ae.submission", "ae.demo", "ae.standings", "ae.crowd"},
    {"ae.web"},
    {"ae.app"},
    {"ae.cli"},
]
DOMAIN = ("ae.files", "ae.ck", "ae.intake", "ae.checklist", "ae.evaluators", "ae.verdicts", "ae.badges",
          "ae.reports", "ae.tournaments", "ae.solutions", "ae.smoke")
SERVICE_LIBRARIES = ("flask", "werkzeug", "sqlalchemy", "sqlmodel", "rq", "redis", "alembic")
SERVICE_ROOMS = ("ae.storage", "ae.workers", "ae.web", "ae.cli", "ae.app", "ae.submission", "ae.status",
                 "ae.standings", "ae.crowd")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[str]:
    """Yield every absolute module name a file imports (at any depth of the file)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names
                        if f"{node.module}.{alias.name}" in MODULES)


def _room(module: str) -> str:
    parts = module.split(".")
    if parts[:3] == ["ae", "evaluators", "sandbox"]:
        return "ae.evaluators.sandbox"
    return ".".join(parts[:2])


def _floor(room: str) -> int:
    return next(n for n, rooms in enumerate(FLOORS) if room in rooms)


def test_every_room_has_a_floor() -> None:
    rooms = {_room(m) for m in MODULES}
    assert rooms <= set().union(*FLOORS), f"rooms without a floor: {rooms - set().union(*FLOORS)}"


def test_nothing_imports_upward() -> None:
    upward, edges = [], 0
    for module, path in MODULES.items():
        for target in _imports(path):
            if target.startswith("ae.") and target in MODULES:
                edges += 1
                if _floor(_room(target)) > _floor(_room(module)):
                    upward.append(f"{module} -> {target}")
    assert edges > 300, "the import graph was not read"
    assert upward == []


def test_no_module_imports_in_a_circle() -> None:
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    edges = {m: {t for t in _imports(p) if t in MODULES and t not in packages and t != m}
             for m, p in MODULES.items() if m not in packages}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    circles = sorted(f"{a} <-> {b}" for a in edges for b in edges[a] if reaches(b, a))
    assert circles == []


def test_domain_packages_never_import_the_service() -> None:
    found = []
    for module, path in MODULES.items():
        if not module.startswith(DOMAIN):
            continue
        for target in _imports(path):
            top = target.split(".")[0]
            if top in SERVICE_LIBRARIES or target.startswith(SERVICE_ROOMS):
                found.append(f"{module} imports {target}")
    assert found == []


@pytest.mark.parametrize("argv", [
    ["--version"], ["--help"], ["lint", "--help"], ["ck", "--help"], ["run", "--help"],
    ["appendix", "--help"], ["solution", "benchmark", "--help"], ["solution", "submit", "--help"],
    ["lint", str(ROOT / "examples" / "matmul-c" / "ARTIFACT-APPENDIX.md")],
])
def test_commands_without_a_service_load_none_of_it(argv: list[str]) -> None:
    code = ("import json, sys\nfrom ae.cli import cli\ntry:\n    cli(sys.argv[1:])\nexcept SystemExit:\n"
            "    pass\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{SERVICE_LIBRARIES!r})))")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
