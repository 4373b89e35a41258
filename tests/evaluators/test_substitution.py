"""`$#…#$` and `$<<…>>$` substitution, run-command planning and output comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.errors import PipelineError
from ae.evaluators.build import compile_commands, compile_script
from ae.evaluators.run import plan_run
from ae.evaluators.software import Software
from ae.evaluators.template import check_complete, env_to_shell, expand_env, substitute
from ae.evaluators.validate import file_diff, reference_key


def test_hash_keys_are_substituted_and_leftovers_are_errors() -> None:
    text = substitute("$#BIN_FILE#$ $#dataset_path#$$#dataset_filename#$ -x $#nope#$",
                      {"BIN_FILE": "./a.out", "dataset_path": "/d/", "dataset_filename": "f.pgm"})
    assert text == "./a.out /d/f.pgm -x $#nope#$"
    with pytest.raises(PipelineError, match=r"\$#nope#\$") as err:
        check_complete(text, "run_cmd_main")
    assert err.value.kind == "meta-error"


def test_env_references() -> None:
    assert env_to_shell("$<<CK_ENV_COMPILER_PYTHON_FILE>>$ x.py") == "${CK_ENV_COMPILER_PYTHON_FILE} x.py"
    assert expand_env("$<<CK_EXTRA_LIB_M>>$ $<<UNSET>>$", {"CK_EXTRA_LIB_M": "-lm"}) == "-lm "


def test_compile_commands_follow_ck() -> None:
    entry = Path("/repo/program/p")
    lib = Software("xopenme", ["lib", "xopenme"], "0.3", include_dirs=["/x/include"],
                   lib_dirs=["/x/lib"], libs=["rtlxopenme"])
    env = {"CK_CC": "gcc", "CK_EXTRA_LIB_M": "-lm", "CK_COMPILER_FLAGS_OBLIGATORY": ""}
    meta = {"build_compiler_vars": {"XOPENME": "", "N": "$<<CK_EXTRA_LIB_M>>$"},
            "include_dirs": ["inc"], "extra_ld_vars": "$<<CK_EXTRA_LIB_M>>$", "target_file": "b"}
    cmds = compile_commands(entry, meta, [entry / "a.c", entry / "sub" / "b.c"], {"x": lib}, env,
                            "-O2")
    assert cmds[0][:3] == ["gcc", "-O2", "-c"]
    assert "-DXOPENME" in cmds[0] and "-DN=-lm" in cmds[0] and "-DCK_HOST_OS_NAME_LINUX=1" in cmds[0]
    assert ["-I/repo/program/p", "-I/repo/program/p/inc", "-I/x/include"] == [
        a for a in cmds[0] if a.startswith("-I")]
    assert cmds[1][-2:] == ["-o", "sub_b.o"]
    assert cmds[2] == ["gcc", "a.o", "sub_b.o", "-o", "b.out", "-L/x/lib", "-lrtlxopenme", "-lm"]
    with pytest.raises(PipelineError) as err:
        compile_commands(entry, {"compiler_env": "CK_FC"}, [entry / "a.f"], {}, env, "")
    assert err.value.kind == "missing-dependency"


def test_compile_script_runs_sources_in_batches_then_links() -> None:
    script = compile_script(["cc -c a.c", "cc -c b.c", "cc -c c.c", "cc a.o b.o c.o"], jobs=2)
    lines = script.splitlines()
    third = "cc -c c.c > .compile-2.log 2>&1 & pid2=$!"
    assert lines.index("wait $pid1 || failed=1") < lines.index(third)
    assert lines[-1] == "cc a.o b.o c.o"


def test_run_plan_redirections_run_vars_and_cm_properties(tmp_path: Path) -> None:
    from ae.evaluators.datasets import ChosenDataset

    class FakeEntry:
        path = tmp_path / "ds"
        uoa, uid = "number-0001", "0123456789abcdef"
        meta = {"cm_properties": {"run_time": {"run_cmd_main": {"dataset_number": 1125000}}}}

    entry_dir = tmp_path / "prog"
    entry_dir.mkdir()
    (entry_dir / "script.py").write_text("")
    meta = {"run_vars": {"CT_REPEAT_MAIN": "3", "SRC": "$#src_path#$x"},
            "run_cmds": {"k": {"run_vars": {"CT_REPEAT_MAIN": "5"}, "run_time": {
                "run_cmd_main": "$#BIN_FILE#$ $#dataset_number#$ < $#dataset_path#$$#dataset_filename#$",
                "run_cmd_out1": "out.txt", "pre_process_cmds": ["echo $#repeat#$"]}}}}
    dataset = ChosenDataset(FakeEntry(), ["in.txt", "in2.txt"])  # type: ignore[arg-type]
    plan = plan_run(cmd_key="k", meta=meta, entry_path=entry_dir, work_dir=tmp_path / "w",
                    binary=None, binary_name="a.out", dataset=dataset, env={"PATH": "/bin"})
    assert plan.command == f"./a.out 1125000 < {tmp_path}/ds/in.txt"
    assert plan.repeat == 5 and plan.env["SRC"] == f"{entry_dir}/x"
    assert plan.env["CK_DATASET_FILENAME"] == "in.txt"
    assert plan.stdout_file == tmp_path / "w" / "tmp" / "out.txt"
    assert plan.pre_commands == ["echo 5"]
    assert (tmp_path / "w" / "script.py").resolve() == entry_dir / "script.py"
    assert dataset.substitutions()["dataset_filename_1"] == "in2.txt"


def test_reference_dir_naming_follows_ck() -> None:
    key = reference_key(program_uid="ffbf51c23a91343c", cmd_key="corners", run_time={},
                        dataset_uid="b7a6c2d1e0f9a8b7", dataset_file="data.pgm", repeat=1, env={})
    assert (key.entry_uoa, key.subdir) == ("program-uid-ffbf51c23a91343c",
                                           "corners-b7a6c2d1e0f9a8b7-data.pgm-1")
    inv = reference_key(program_uid="u", cmd_key="default", run_time={
        "output_invariant_of_repeat": "yes", "run_correctness_vars": ["V"],
        "program_output_uoa": "shared"}, dataset_uid=None, dataset_file=None, repeat=7,
        env={"V": "x"})
    assert (inv.entry_uoa, inv.subdir) == ("shared", "default-x")


def test_diffs_for_text_and_binary() -> None:
    diff = file_diff(b"1\n2\n3\n", b"1\n2\n4\n", "out.txt")
    assert diff is not None and "-3\n+4\n" in diff and "reference/out.txt" in diff
    assert "Files differ" in (file_diff(b"\xff\x00", b"1\n2\n4\n", "x") or "")
    big = b"line\n" * 300_000
    assert "Files differ" in (file_diff(big, big + b"x\n", "big") or "")
    assert file_diff(b"\xff\x00", b"\xff\x00", "x") is None
