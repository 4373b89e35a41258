"""The worker's own virtual environment offers its packages to artifacts, with the dirs to mount."""

from __future__ import annotations

import sys
from pathlib import Path

from ae.evaluators.detectors import _environment_mounts, python_environments
from ae.evaluators.inventory import detect_software
from ae.evaluators.resolve import parse_deps, resolve_deps


def test_the_test_environment_is_a_virtual_environment() -> None:
    assert python_environments() == [Path(sys.prefix)], "the tests run in the project's .venv"


def test_packages_of_the_environment_resolve_with_its_interpreter_and_mounts(tmp_path: Path) -> None:
    found = detect_software(detectors=["python-package"], cache_path=tmp_path / "software.json")
    deps = parse_deps({"ort": {"tags": "lib,python-package,onnxruntime", "version_from": [1, 16]},
                       "skl": {"tags": "lib,python-package,scikit-learn", "version_to": [1, 99]}})
    chosen = resolve_deps(deps, found)
    import onnxruntime
    import sklearn

    assert chosen["ort"].version == onnxruntime.__version__
    assert chosen["skl"].version == sklearn.__version__
    for sw in chosen.values():
        assert sw.env["CK_ENV_COMPILER_PYTHON_FILE"] == str(Path(sys.prefix) / "bin" / "python3")
        assert sw.mounts[0] == sys.prefix
        assert Path(sw.env[f"CK_ENV_LIB_PYTHON_{sw.name.upper().replace('-', '_')}"]).is_dir()
    again = detect_software(detectors=["python-package"], cache_path=tmp_path / "software.json")
    assert [s.to_dict() for s in again] == [s.to_dict() for s in found], "read back from the cache"


def test_a_base_interpreter_outside_usr_is_mounted_too(tmp_path: Path) -> None:
    base = tmp_path / "pyenv" / "3.11.7"
    (base / "bin").mkdir(parents=True)
    env = tmp_path / "venv"
    env.mkdir()
    (env / "pyvenv.cfg").write_text(f"home = {base / 'bin'}\ninclude-system-site-packages = false\n")
    assert _environment_mounts(env) == [str(env), str(base)]
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert _environment_mounts(env) == [str(env)], "/usr is always visible in the sandbox"
