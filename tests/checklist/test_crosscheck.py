"""Cross-checks against the artifact: scripts, linked files and claim programs must exist."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from ae.checklist import lint
from ae.checklist.crosscheck import referenced_paths
from ae.cli.checklist import lint_cmd

EXAMPLES = Path(__file__).parents[2] / "examples"
APPENDIX = """# Artifact Appendix

## Evaluation and expected results

Run `./scripts/run.sh` and `python3 plot.py`, or:

```bash
cd tools && bash build.sh
python -m analysis.figures
./a.out
git clone https://github.com/other/tool
./other-tool-setup.sh
```

See [the data](data/README.md), [the docs](https://example.org) and [below](#x).
"""


def test_what_an_appendix_names() -> None:
    named = {(path, how) for path, _, how in referenced_paths(APPENDIX, "markdown")}
    assert named == {("scripts/run.sh", "runs"), ("plot.py", "runs"), ("build.sh", "runs"),
                     ("analysis/figures.py", "runs"), ("data/README.md", "links to")}


def test_missing_files_are_warnings_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "run.sh").touch()
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "build.sh").touch()
    report = lint(APPENDIX, filename="a.md", artifact=tmp_path)
    missing = [(f.where, f.line, f.severity) for f in report.findings if f.code == "missing-file"]
    assert missing == [("plot.py", 5, "warning"), ("analysis/figures.py", 9, "warning"),
                       ("data/README.md", 15, "warning")]
    without = lint(APPENDIX, filename="a.md").findings
    assert not [f for f in without if f.code == "missing-file"]  # nothing without the artifact


def test_claims_name_programs_the_artifact_has(tmp_path: Path) -> None:
    tree = tmp_path / "pi"
    shutil.copytree(EXAMPLES / "pi-python", tree)
    text = (tree / "ARTIFACT-APPENDIX.md").read_text()
    assert not [f for f in lint(text, artifact=tree).findings if f.code == "unknown-program"]
    wrong = text.replace('program = "pi-python"\n\n[[claim]]', 'program = "pi-py"\n\n[[claim]]')
    (finding,) = [f for f in lint(wrong, artifact=tree).findings if f.code == "unknown-program"]
    assert finding.severity == "error" and finding.where == "pi"
    assert "'pi-py'" in finding.message and "it has pi-python" in finding.message


def test_cli_artifact_option(tmp_path: Path) -> None:
    appendix = tmp_path / "ARTIFACT-APPENDIX.md"
    appendix.write_text(APPENDIX)
    result = CliRunner().invoke(lint_cmd, [str(appendix), "--artifact", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{appendix}:5: warning [missing-file] the appendix runs plot.py" in result.output
