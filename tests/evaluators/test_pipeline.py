"""The whole pipeline on the CK programs written for these tests (real gcc, real sandbox)."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from ae.errors import AeError
from ae.evaluators.pipeline import RunSpec, Target, list_targets, run_program

REPO = Path(__file__).resolve().parent / "data" / "ck-pipeline"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build/software/package cache shared by the module's runs, as on one worker."""
    return tmp_path_factory.mktemp("cache")


def run(tmp_path: Path, cache: Path, program: str, **kw: object) -> object:
    spec = RunSpec(repo_paths=[REPO], program=program, work_dir=tmp_path / "work",
                   cache_dir=cache, references_dir=tmp_path / "refs", **kw)  # type: ignore[arg-type]
    return run_program(spec)


def test_several_sources_dataset_by_tags_filename_1_and_timer(tmp_path: Path, cache: Path) -> None:
    messages: list[str] = []
    spec = RunSpec(repo_paths=[REPO], program="sum-numbers", work_dir=tmp_path / "work",
                   cache_dir=cache, repetitions=2)
    record = run_program(spec, progress=messages.append)
    assert record.ok, record.message
    assert record.dataset == "numbers-pair"
    # both dataset files were substituted ($#dataset_filename#$ and $#dataset_filename_1#$)
    run_line = record.commands[-1]
    assert run_line.endswith("numbers-pair/a.txt " + str(REPO.resolve()) +
                             "/dataset/numbers-pair/b.txt tmp-output.tmp")
    assert len([c for c in record.commands if " -c " in c]) == 2  # one compile per source
    assert "-lrtlxopenme" in record.commands[2] and "-lm" in record.commands[2]
    assert record.deps["xopenme"]["origin"] == "built-in"
    assert record.deps["compiler"]["version"]
    assert len(record.samples) == 2
    for sample in record.samples:
        assert sample["run_time_state.values"] == 80.0  # written by the program through xOpenME
        assert 0 <= sample["execution_time"] <= sample["wall_time"]
    timer = json.loads((tmp_path / "work" / "tmp" / "tmp-ck-timer.json").read_text())
    assert timer["execution_time"] == pytest.approx(record.samples[-1]["execution_time"])
    assert record.output_check["tmp-output.tmp"] == {"ok": True, "diff": None,
                                                     "reference": "shipped"}
    assert "tmp-output.tmp" in record.outputs and len(record.outputs["tmp-output.tmp"]) == 64
    assert record.stdout_tail == "summarised 80 values\n"
    assert record.platform["fingerprint"] and record.platform["cores"] >= 1
    assert "compiling" in messages and "running 2/2" in messages


def test_dataset_file_named_by_the_caller_comes_first(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path / "a", cache, "sum-numbers", dataset_file="b.txt", repetitions=1)
    assert record.ok and record.dataset_file == "b.txt"
    # references are filed per dataset file, as in CK: the shipped one is for a.txt
    assert record.output_check["tmp-output.tmp"]["reference"] == "recorded-now"
    assert record.commands[-1].split()[1:3] == [
        f"{REPO.resolve()}/dataset/numbers-pair/b.txt", f"{REPO.resolve()}/dataset/numbers-pair/a.txt"]
    missing = run(tmp_path / "b", cache, "sum-numbers", dataset_file="c.txt", repetitions=1)
    assert missing.failure_kind == "missing-dataset" and "a.txt, b.txt" in missing.message


def test_build_is_cached_per_program_deps_and_flags(tmp_path: Path, cache: Path) -> None:
    first = run(tmp_path / "a", cache, "bit-count")
    again = run(tmp_path / "b", cache, "bit-count")
    other_flags = run(tmp_path / "c", cache, "bit-count", optimization="-O1")
    assert first.ok and again.ok and other_flags.ok
    assert again.build["cached"] is True and again.build["digest"] == first.build["digest"]
    assert other_flags.build["digest"] != first.build["digest"]


def test_dataset_number_substitution_and_run_vars_per_command(tmp_path: Path, cache: Path) -> None:
    plain = run(tmp_path / "a", cache, "bit-count")
    twice = run(tmp_path / "b", cache, "bit-count", cmd_key="twice")
    assert plain.commands[-1] == "./bits.out 100000"
    bits = sum(bin(i).count("1") for i in range(100000))  # dataset_number of number-small
    assert plain.stdout_tail == f"mode plain\nBits: {bits}\n"
    assert twice.stdout_tail == f"mode doubled\nBits: {2 * bits}\n"
    assert twice.env["BITS_MODE"] == "doubled"


def test_stdin_redirection_and_reference_recorded_by_first_run(tmp_path: Path,
                                                               cache: Path) -> None:
    refs = tmp_path / "refs"
    first = run_program(RunSpec(repo_paths=[REPO], program="count-words", dataset="text-short",
                                work_dir=tmp_path / "w1", cache_dir=cache, references_dir=refs,
                                repetitions=1))
    assert first.ok, first.message
    assert first.stdout_tail == "lines 2\nwords 9\nchars 44\n"
    assert first.output_check["tmp-output1.tmp"]["reference"] == "recorded-now"
    second = run_program(RunSpec(repo_paths=[REPO], program="count-words", dataset="text-short",
                                 work_dir=tmp_path / "w2", cache_dir=cache, references_dir=refs,
                                 repetitions=1))
    assert second.ok and second.output_check["tmp-output1.tmp"]["reference"] == "recorded"


def test_ambiguous_dataset_names_the_candidates(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "count-words")
    assert not record.ok and record.failure_kind == "ambiguous-dataset"
    assert "text-long" in record.message and "text-short" in record.message


def test_reference_output_mismatch_keeps_a_diff(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "wrong-output")
    assert not record.ok and record.failure_kind == "output-mismatch"
    check = record.output_check["tmp-output1.tmp"]
    assert check["ok"] is False and check["reference"] == "shipped"
    assert "-result: 41" in check["diff"] and "+result: 42" in check["diff"]


def test_missing_dependency_names_tags_and_range(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "needs-missing-lib")
    assert not record.ok and record.failure_kind == "missing-dependency"
    assert "lib,ae-test-absent-blas" in record.message and "2.0 to 3.1" in record.message


def test_python_program_with_pre_and_post_processing(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "hello-python", repetitions=1)
    assert record.ok, record.message
    assert record.compile_log == "" and record.deps["python"]["name"] == "python"
    out = record.stdout_tail.splitlines()
    assert out[1:] == ["CK_VAR1 123", "data forty-two", "pre prepared"]
    assert record.commands[0] == "echo prepared > pre.txt"
    assert record.commands[1].startswith("${CK_ENV_COMPILER_PYTHON_FILE} ../hello.py ")


def test_pkg_config_library_dependency_is_linked(tmp_path: Path, cache: Path) -> None:
    from ae.evaluators.inventory import detect_software

    if not any(s.name == "zlib" for s in detect_software(detectors=["pkg-config"])):
        pytest.skip("zlib's pkg-config file is not installed on this machine")
    record = run(tmp_path, cache, "zlib-crc", repetitions=1)
    assert record.ok, record.message + record.compile_log
    assert "-lz" in record.commands[1].split()
    data = (REPO / "dataset" / "text-short" / "short.txt").read_bytes()
    assert record.stdout_tail.startswith(f"crc32 {zlib.crc32(data):08x} zlib ")
    assert record.deps["zlib"]["version"] == record.stdout_tail.split()[-1]


def test_take_from_another_entry_and_base_uoa(tmp_path: Path, cache: Path) -> None:
    taken = run(tmp_path / "a", cache, "take-from", repetitions=1)
    assert taken.ok, taken.message + taken.compile_log
    assert taken.stdout_tail == "sum 108 max 42\n"
    sum_dir = str(REPO.resolve() / "program" / "sum-numbers")
    assert f"{sum_dir}/stats.c" in taken.commands[1] and f"-I{sum_dir} " in taken.commands[0]
    assert taken.commands[-1] == f"test -f {sum_dir}/stats.h"
    based = run(tmp_path / "b", cache, "based-on-bit-count", repetitions=1)
    assert based.ok, based.message + based.compile_log
    bits_dir = REPO.resolve() / "program" / "bit-count"
    assert based.stdout_tail == f"mode unset\nBits: 32\n{bits_dir}/bits.c\n"


def test_python_commands_find_python_on_path(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "hello-python", cmd_key="python-on-path", repetitions=1)
    assert record.ok, record.message + record.stderr_tail
    assert record.stdout_tail.splitlines()[2:] == ["data forty-two", "pre prepared"]


def test_compile_error_keeps_the_log(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "broken-c")
    assert not record.ok and record.failure_kind == "compile-error"
    assert "broken.c" in record.compile_log and "error" in record.compile_log
    assert record.samples == []


def test_declared_timer_file_missing_is_a_failure(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "missing-timer", repetitions=1)
    assert not record.ok and record.failure_kind == "run-error"
    assert "tmp-ck-timer.json" in record.message


def test_unsubstituted_placeholder_is_an_error_and_cpp_builds(tmp_path: Path, cache: Path) -> None:
    bad = run(tmp_path / "a", cache, "hello-cpp", cmd_key="default")
    good = run(tmp_path / "b", cache, "hello-cpp", cmd_key="plain", repetitions=1)
    assert not bad.ok and bad.failure_kind == "meta-error" and "$#unknown_key#$" in bad.message
    assert good.ok and good.stdout_tail == "cpp total 10\n"
    assert good.commands[0].startswith("g++ ")


def test_run_failure_and_timeout_are_classified(tmp_path: Path, cache: Path) -> None:
    from ae.evaluators.sandbox import Limits

    assert run(tmp_path / "a", cache, "sort-ints", repetitions=1).ok  # builds into the cache
    record = run(tmp_path / "b", cache, "sort-ints", limits=Limits(wall_s=0.02), repetitions=1)
    assert not record.ok and record.failure_kind == "timeout", record.message


def test_snapshot_is_never_written(tmp_path: Path, cache: Path) -> None:
    before = sorted(p.relative_to(REPO) for p in REPO.rglob("*"))
    record = run(tmp_path, cache, "sort-ints", repetitions=1)
    assert record.ok, record.message
    assert sorted(p.relative_to(REPO) for p in REPO.rglob("*")) == before
    assert (tmp_path / "work" / "tmp" / "tmp-output.tmp").is_file()


def test_program_and_dataset_by_cid_or_uid(tmp_path: Path, cache: Path) -> None:
    by_cid = run_program(RunSpec(
        repo_paths=[REPO], program="ae-pipeline-tests:program:count-words", work_dir=tmp_path / "a",
        dataset="dataset:text-long", cache_dir=cache, repetitions=1))
    by_uid = run(tmp_path / "b", cache, "ae00000000000003", repetitions=1)
    assert by_cid.ok and by_cid.dataset == "text-long" and by_cid.stdout_tail.startswith("lines 40")
    assert by_uid.ok and by_uid.program == "bit-count"


def test_caller_mistakes_raise(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(AeError, match="not found"):
        run(tmp_path / "a", cache, "no-such-program")
    with pytest.raises(AeError, match="default, twice"):
        run(tmp_path / "b", cache, "bit-count", cmd_key="thrice")
    with pytest.raises(AeError, match="Repetitions"):
        run(tmp_path / "c", cache, "bit-count", repetitions=0)


def test_list_targets_expands_ambiguous_datasets() -> None:
    targets = list_targets([REPO])
    assert Target("bit-count", "twice", None) in targets
    assert Target("count-words", "default", "text-long") in targets
    assert Target("count-words", "default", "text-short") in targets
    assert len({t.program for t in targets}) == 13


def test_record_as_ck_flat(tmp_path: Path, cache: Path) -> None:
    record = run(tmp_path, cache, "bit-count", repetitions=3)
    flat = record.to_ck_flat()
    times = [s["execution_time"] for s in record.samples]
    assert flat["##characteristics#run#execution_time#all"] == times
    assert flat["##characteristics#run#execution_time#min"] == min(times)
    assert flat["##characteristics#run#run_success#all"] == ["yes"] * 3
    assert flat["##choices#cmd_key#all"] == ["default"] * 3
    assert flat["##features#compiler_version#str#min"] == record.deps["compiler"]["version"]
    json.dumps(record.to_dict())


FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ck"


def _fixture_repos(*names: str) -> list[Path]:
    repos = [FIXTURES / n for n in names]
    if not all(r.is_dir() for r in repos):
        pytest.skip("shared CK fixtures (/work/shared/fixtures/ck) are not available")
    return repos


def test_real_cbench_meta_goes_through_resolve_build_and_dataset_choice(tmp_path: Path,
                                                                       cache: Path) -> None:
    """The fixtures hold real CK meta without sources: resolution, the xOpenME package and the
    dataset choice by tags all work; the build then stops on the missing susan.c."""
    repos = _fixture_repos("ctuning-programs", "ctuning-datasets-min")
    record = run_program(RunSpec(repo_paths=repos, program="cbench-automotive-susan",
                                 cmd_key="corners", work_dir=tmp_path / "w", cache_dir=cache))
    assert record.dataset == "image-pgm-0001" and record.dataset_file == "data.pgm"
    assert set(record.deps) == {"compiler", "xopenme"}
    assert record.deps["xopenme"]["origin"] == "built-in"
    assert record.failure_kind == "compile-error" and "susan.c" in record.message


def test_real_python_template_runs_its_exact_ck_command(tmp_path: Path, cache: Path) -> None:
    repos = _fixture_repos("ck-autotuning")
    record = run_program(RunSpec(repo_paths=repos, program="template-hello-world-python",
                                 work_dir=tmp_path / "w", cache_dir=cache, repetitions=1))
    assert record.commands == ["${CK_ENV_COMPILER_PYTHON_FILE} ../hello-world.py"]
    assert record.env["CK_VAR1"] == "123" and record.deps["python"]["name"] == "python"
    # the fixture copies meta only, so the script is absent and Python says so
    assert record.failure_kind == "run-error" and "hello-world.py" in record.stderr_tail


def test_unsandboxed_runs_are_logged_and_noted(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from ae.evaluators.pipeline import RunSpec, run_program

    examples = Path(__file__).resolve().parents[2] / "examples" / "pi-python"
    (tmp_path / "w").mkdir()
    with caplog.at_level(logging.WARNING, logger="ae.evaluators.pipeline"):
        record = run_program(RunSpec(repo_paths=[examples], program="pi-python",
                                     work_dir=tmp_path / "w", repetitions=1, sandbox_mode="none",
                                     cache_dir=tmp_path / "cache"))
    assert record.ok, record.message
    assert any("UNSANDBOXED" in note for note in record.notes)
    assert "AE_SANDBOX=none" in caplog.text
