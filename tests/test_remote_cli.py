"""The CLI on another machine: `ae submit`, `ae resubmit` and `ae status` through a real `ae serve`
with an author's API token (AE_REMOTE_URL, AE_TOKEN), printing what they print on the instance."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ae.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PI = ROOT / "examples" / "pi-python"


def tarball(path: Path, extra: str = "") -> Path:
    """Write a .tar.gz of the pi-python example at `path` (`extra`: one more file, to tell two apart)."""
    with tarfile.open(path, mode="w:gz") as tar:
        tar.add(PI, arcname="pi-python")
        if extra:
            info = tarfile.TarInfo("pi-python/EXTRA")
            info.size = len(extra)
            tar.addfile(info, io.BytesIO(extra.encode()))
    return path


def ae(url: str, token: str | None, *args: str) -> Any:
    """Run `ae ARGS` in-process against the service at `url` with `token`."""
    env = {"AE_REMOTE_URL": url, "AE_TOKEN": token}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_an_author_submits_follows_and_resubmits_from_afar(ae_server: str, people: Any,
                                                          tmp_path: Path) -> None:
    author = people.tokens["author"]
    done = ae(ae_server, author, "submit", str(tarball(tmp_path / "pi.tar.gz")), "--title", "Pi",
              "--badge", "reproduced", "--appendix", str(PI / "ARTIFACT-APPENDIX.md"))
    assert done.exit_code == 0, done.output
    first = done.output.splitlines()[0]
    assert first.startswith("submitted artifact ") and "follow it with `ae status`" in first
    artifact = first.split()[2]
    assert f"check-list of {PI / 'ARTIFACT-APPENDIX.md'}:" in done.output, "linted at once, as locally"

    shown = ae(ae_server, author, "status")
    assert shown.exit_code == 0 and f"{artifact[:12]}  submitted Pi  [ppopp-2019]" in shown.output
    one = json.loads(ae(ae_server, author, "status", artifact[:8], "--json").output)
    assert [(a["id"], a["source"][:8]) for a in one] == [(artifact, "archive:")]

    again = ae(ae_server, author, "resubmit", artifact[:8], "--archive",
               str(tarball(tmp_path / "pi-2.tar.gz", "v2")))
    assert again.exit_code == 0, again.output
    assert again.output.startswith("submitted version ") and f"of artifact {artifact};" in again.output
    versions = json.loads(ae(ae_server, author, "status", artifact, "--json").output)
    assert versions[0]["version"] == 2

    hidden = ae(ae_server, people.tokens["other_author"], "status", artifact[:8])
    assert hidden.exit_code == 2 and f"no artifact with id {artifact[:8]!r}" in hidden.output
    assert "no artifacts yet" in ae(ae_server, people.tokens["other_author"], "status").output

    # and nothing of the service is loaded on the author's machine
    code = ("import json, sys\nfrom ae.cli import cli\ntry:\n    cli(['status', '--json'])\n"
            "except SystemExit:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'werkzeug', 'sqlalchemy', 'sqlmodel', 'rq', 'redis', 'alembic'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "AE_REMOTE_URL": ae_server,
                               "AE_TOKEN": people.tokens["other_author"]})
    assert done.returncode == 0, done.stderr
    *printed, loaded = done.stdout.splitlines()
    assert json.loads("\n".join(printed)) == [] and json.loads(loaded) == []


#: (arguments, whose token, what the one line of the refusal says)
REFUSALS = [
    (["status"], "ae_not-a-token", "the service answered 401: the API token is not valid"),
    (["submit", "https://git.ae.test/pi.git"], "author",
     "the service answered 400: https://git.ae.test/pi.git cannot be fetched"),
    (["submit", "https://git.ae.test/pi.git", "--conference", "micro-2023"], "author",
     "the service answered 403: you may not submit to this conference"),
    (["submit", "."], "author", "is a directory on this machine"),
    (["submit", "https://git.ae.test/pi.git"], "evaluator", "name the conference with --conference"),
    (["resubmit", "0123"], "author", "no artifact with id '0123'"),
]


def test_a_refusal_is_one_line(ae_server: str, people: Any) -> None:
    for args, token, message in REFUSALS:
        done = ae(ae_server, people.tokens.get(token, token), *args)
        assert done.exit_code == 2 and done.output.startswith("Error: "), (args, done.output)
        assert message in done.output and len(done.output.strip().splitlines()) == 1, (args, done.output)


def test_no_service_no_token(people: Any) -> None:
    done = ae("http://127.0.0.1:9", people.tokens["author"], "status")
    assert done.exit_code == 2 and "cannot reach the service at http://127.0.0.1:9" in done.output
    done = ae("http://127.0.0.1:9", None, "status")
    assert done.exit_code == 2 and "AE_TOKEN is not set" in done.output
