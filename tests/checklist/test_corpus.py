"""Real public appendices of every family: the linter reports exactly what a chair would write.

Each appendix under data/<family>/ has a hand-written NAME.expected (see data/README.md for the
sources): the badges it is checked for, the family it must be read as, and one line per finding
(line, severity, code). Lines starting with "artifact" are added when the artifact's tree
(NAME.tree) is at hand.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ae.checklist import lint

DATA = Path(__file__).parent / "data"
FAMILIES = ("ctuning", "usenix", "ndss", "pets", "sc", "free")
APPENDICES = sorted(p for family in FAMILIES for p in (DATA / family).iterdir()
                    if p.suffix in (".md", ".tex") and p.name != "README.md")
Expected = tuple[int | None, str, str]


def expected(path: Path) -> tuple[tuple[str, ...], str, list[Expected], list[Expected]]:
    """Read NAME.expected: badges, family, findings, and findings added with the artifact."""
    badges: tuple[str, ...] = ()
    family = ""
    plain: list[Expected] = []
    with_artifact: list[Expected] = []
    for raw in path.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
        line = raw.split(" - ", 1)[0].strip()
        if line.startswith("# badges:"):
            badges = tuple(line.split(":", 1)[1].split())
        elif line.startswith("# family:"):
            family = line.split(":", 1)[1].strip()
        elif line and not line.startswith("#"):
            target = plain
            if line.startswith("artifact "):
                target, line = with_artifact, line.removeprefix("artifact ")
            number, severity, code = line.split()
            target.append((None if number == "-" else int(number), severity, code))
    return badges, family, plain, with_artifact


def found(report) -> list[Expected]:  # type: ignore[no-untyped-def]
    return [(f.line, f.severity, f.code) for f in report.findings]


def materialise(listing: Path, root: Path) -> Path:
    """Build an empty-file copy of an artifact from its tree listing (submodules left empty)."""
    for name in listing.read_text(encoding="utf-8").splitlines():
        target = root / name
        if name.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    return root


def test_the_corpus_covers_every_family_with_real_appendices() -> None:
    real = [p for p in APPENDICES if not p.stem.startswith("template")]
    assert len(real) >= 12 and len(APPENDICES) - len(real) >= 5
    assert {p.parent.name for p in real} == set(FAMILIES)
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in APPENDICES:
        assert f"`{path.parent.name}/{path.name}`" in readme, f"{path} has no source in README.md"


@pytest.mark.parametrize("path", APPENDICES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_exactly_what_a_chair_writes(path: Path) -> None:
    badges, family, plain, _ = expected(path)
    report = lint(path.read_bytes(), badges=badges, filename=path.name)
    assert report.family == family, report.detection
    assert Counter(found(report)) == Counter(plain), "\n".join(
        f.format(path.name) for f in report.findings)


@pytest.mark.parametrize("path", [p for p in APPENDICES if p.with_suffix(".tree").is_file()],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_with_the_artifact_at_hand(path: Path, tmp_path: Path) -> None:
    badges, _, plain, with_artifact = expected(path)
    tree = materialise(path.with_suffix(".tree"), tmp_path)
    report = lint(path.read_bytes(), badges=badges, filename=path.name, artifact=tree)
    assert Counter(found(report)) == Counter(plain + with_artifact), "\n".join(
        f.format(path.name) for f in report.findings)
