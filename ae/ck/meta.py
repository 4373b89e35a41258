"""Typed views of `program`, `dataset`, `soft`, `package` and `env` meta; unknown keys kept.

Each `from_dict(d, where=...)` takes the parsed meta.json, checks the types of the keys it knows
(a wrong type is a CkError naming `where` and the key) and leaves every other key in `extra`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ae.ck.experiment import ExperimentMeta, ExperimentPoint, read_experiment
from ae.ck.versions import split_version
from ae.errors import CkError

__all__ = [
    "DatasetMeta", "Dependency", "EnvMeta", "ExperimentMeta", "ExperimentPoint", "PackageMeta",
    "ProgramMeta", "RunCmd", "RunTime", "SoftMeta", "read_experiment",
]


class _Reader:
    """Pulls typed values out of one meta dict, remembering which keys were consumed."""

    def __init__(self, d: Mapping[str, Any], where: str) -> None:
        if not isinstance(d, Mapping):
            raise CkError(f"{where}: meta must be a JSON object, not {type(d).__name__}.")
        self.d = d
        self.where = where
        self.used: set[str] = set()

    def _fail(self, key: str, what: str) -> CkError:
        return CkError(f"{self.where}: {key} must be {what}, not {self.d[key]!r:.60}.")

    def raw(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        return self.d.get(key, default)

    def text(self, key: str, default: str = "") -> str:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, "a string")

    def flag(self, key: str, default: bool = False) -> bool:
        """Read a CK yes/no flag (`"yes"` or true means yes)."""
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() in ("yes", "on", "true", "1")
        raise self._fail(key, '"yes" or "no"')

    def strings(self, key: str) -> list[str]:
        value = self.raw(key)
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return list(value)
        raise self._fail(key, "a list of strings")

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.raw(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return dict(value)
        raise self._fail(key, "an object")

    def env(self, key: str) -> dict[str, str]:
        """Read an env-like dict; scalar values become strings as CK writes them to scripts."""
        out = {}
        for name, value in self.mapping(key).items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise CkError(f"{self.where}: {key}.{name} must be a string or a number.")
            out[str(name)] = str(value)
        return out

    def versions(self, key: str) -> list[int] | None:
        value = self.raw(key)
        if value is None or value == []:
            return None
        if isinstance(value, str):
            return split_version(value)
        if isinstance(value, list) and all(isinstance(x, int) for x in value):
            return list(value)
        raise self._fail(key, "a list of integers")

    def extra(self) -> dict[str, Any]:
        return {k: v for k, v in self.d.items() if k not in self.used}


def _csv(value: str) -> list[str]:
    return [t.strip() for t in value.split(",") if t.strip()] if value else []


@dataclass(frozen=True)
class Dependency:
    """One entry of `compile_deps`, `run_deps` or a package's `deps`."""

    key: str
    tags: list[str]
    name: str = ""
    sort: int = 0
    local: bool = False
    no_tags: list[str] = field(default_factory=list)
    or_tags: list[list[str]] = field(default_factory=list)
    version_from: list[int] | None = None
    version_to: list[int] | None = None
    skip_default: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, key: str, d: Mapping[str, Any], where: str = "meta") -> Dependency:
        """Read one dependency; `tags`/`no_tags` are CSV, `or_tags` is `;`-separated CSVs."""
        r = _Reader(d, f"{where}: dependency {key!r}")
        tags = r.raw("tags", "")
        tag_list = _csv(tags) if isinstance(tags, str) else r.strings("tags")
        try:
            sort = int(r.raw("sort", 0) or 0)
        except (TypeError, ValueError) as exc:
            raise CkError(f"{r.where}: sort must be a number.") from exc
        or_tags = [_csv(part) for part in r.text("or_tags").split(";") if part.strip()]
        return cls(
            key=key, tags=tag_list, name=r.text("name"), sort=sort, local=r.flag("local"),
            no_tags=_csv(r.text("no_tags")), or_tags=or_tags,
            version_from=r.versions("version_from"), version_to=r.versions("version_to"),
            skip_default=r.flag("skip_default"), extra=r.extra(),
        )


def _deps(r: _Reader, key: str) -> dict[str, Dependency]:
    deps = r.mapping(key)
    for name, dep in deps.items():
        if not isinstance(dep, dict):
            raise CkError(f"{r.where}: {key}.{name} must be an object.")
    ordered = sorted(deps.items(), key=lambda kv: _sort_key(kv[1]))
    return {name: Dependency.from_dict(name, dep, r.where) for name, dep in ordered}


def _sort_key(dep: Mapping[str, Any]) -> int:
    try:
        return int(dep.get("sort", 0) or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class RunTime:
    """`run_cmds.<key>.run_time`, with the program's top-level fallbacks applied."""

    run_cmd_main: str
    run_cmd_out1: str = ""
    run_cmd_out2: str = ""
    run_output_files: list[str] = field(default_factory=list)
    run_correctness_output_files: list[str] = field(default_factory=list)
    fine_grain_timer_file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunCmd:
    """One run command of a program (`run_cmds.<key>`)."""

    key: str
    run_time: RunTime
    dataset_tags: list[str] = field(default_factory=list)
    ignore_return_code: bool = False
    run_vars: dict[str, str] = field(default_factory=dict)
    run_deps: dict[str, Dependency] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgramMeta:
    """A `program` entry's meta (see ck-format §2)."""

    data_name: str
    tags: list[str]
    main_language: str
    source_files: list[str]
    target_file: str
    compiler_env: str
    build_compiler_vars: dict[str, str]
    compile_deps: dict[str, Dependency]
    run_deps: dict[str, Dependency]
    run_cmds: dict[str, RunCmd]
    run_vars: dict[str, str]
    extra_ld_vars: str
    compile_vars: dict[str, str]
    process_in_tmp: bool
    is_program: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> ProgramMeta:
        """Read program meta; `deps` stands in for a missing `compile_deps`, as in CK."""
        r = _Reader(d, where)
        fallbacks = {k: r.raw(k) for k in (
            "run_output_files", "run_correctness_output_files", "fine_grain_timer_file")}
        cmds = {}
        for key, cmd in r.mapping("run_cmds").items():
            if not isinstance(cmd, dict):
                raise CkError(f"{where}: run_cmds.{key} must be an object.")
            cmds[key] = _run_cmd(key, cmd, fallbacks, where)
        compile_deps = _deps(r, "compile_deps")
        if not compile_deps and "compile_deps" not in d:
            compile_deps = _deps(r, "deps")
        return cls(
            data_name=r.text("data_name"), tags=r.strings("tags"),
            main_language=r.text("main_language"), source_files=r.strings("source_files"),
            target_file=r.text("target_file", "a"), compiler_env=r.text("compiler_env", "CK_CC"),
            build_compiler_vars=r.env("build_compiler_vars"), compile_deps=compile_deps,
            run_deps=_deps(r, "run_deps"), run_cmds=cmds, run_vars=r.env("run_vars"),
            extra_ld_vars=r.text("extra_ld_vars"), compile_vars=r.env("compile_vars"),
            process_in_tmp=r.flag("process_in_tmp", True), is_program=r.flag("program"),
            extra=r.extra(),
        )


def _run_cmd(key: str, d: Mapping[str, Any], fallbacks: dict[str, Any], where: str) -> RunCmd:
    r = _Reader(d, f"{where}: run_cmds.{key}")
    rt = _Reader(r.mapping("run_time"), f"{where}: run_cmds.{key}.run_time")
    merged = {k: v for k, v in fallbacks.items() if v is not None and k not in rt.d}
    if merged:
        rt = _Reader({**rt.d, **merged}, rt.where)
    run_time = RunTime(
        run_cmd_main=rt.text("run_cmd_main"), run_cmd_out1=rt.text("run_cmd_out1"),
        run_cmd_out2=rt.text("run_cmd_out2"), run_output_files=rt.strings("run_output_files"),
        run_correctness_output_files=rt.strings("run_correctness_output_files"),
        fine_grain_timer_file=rt.text("fine_grain_timer_file"), extra=rt.extra(),
    )
    return RunCmd(
        key=key, run_time=run_time, dataset_tags=r.strings("dataset_tags"),
        ignore_return_code=r.flag("ignore_return_code"), run_vars=r.env("run_vars"),
        run_deps=_deps(r, "run_deps"), extra=r.extra(),
    )


@dataclass(frozen=True)
class DatasetMeta:
    """A `dataset` entry's meta."""

    tags: list[str]
    dataset_files: list[str]
    cm_properties: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def run_cmd_substitutes(self) -> dict[str, str]:
        """Return `cm_properties.run_time.run_cmd_main` (extra `$#key#$` values for commands)."""
        run_time = self.cm_properties.get("run_time")
        subs = run_time.get("run_cmd_main") if isinstance(run_time, dict) else None
        if not isinstance(subs, dict):
            return {}
        return {str(k): str(v) for k, v in subs.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> DatasetMeta:
        """Read dataset meta."""
        r = _Reader(d, where)
        return cls(tags=r.strings("tags"), dataset_files=r.strings("dataset_files"),
                   cm_properties=r.mapping("cm_properties"), extra=r.extra())


@dataclass(frozen=True)
class SoftMeta:
    """A `soft` (detection plugin) entry's meta."""

    soft_name: str
    tags: list[str]
    auto_detect: bool
    deps: dict[str, Dependency]
    customize: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def env_prefix(self) -> str:
        """Return `customize.env_prefix` (e.g. `CK_ENV_COMPILER_GCC`)."""
        return str(self.customize.get("env_prefix", ""))

    def soft_file(self, platform: str = "linux") -> str:
        """Return the file name searched for on `platform` (`customize.soft_file`)."""
        files = self.customize.get("soft_file")
        return str(files.get(platform, "")) if isinstance(files, dict) else ""

    def version_cmd(self, platform: str = "linux") -> str:
        """Return the version command template for `platform` (`customize.soft_version_cmd`)."""
        cmds = self.customize.get("soft_version_cmd")
        return str(cmds.get(platform, "")) if isinstance(cmds, dict) else ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> SoftMeta:
        """Read soft meta."""
        r = _Reader(d, where)
        return cls(soft_name=r.text("soft_name"), tags=r.strings("tags"),
                   auto_detect=r.flag("auto_detect"), deps=_deps(r, "deps"),
                   customize=r.mapping("customize"), extra=r.extra())


@dataclass(frozen=True)
class PackageMeta:
    """A `package` entry's meta."""

    tags: list[str]
    soft_uoa: str
    deps: dict[str, Dependency]
    process_script: str
    end_full_path: dict[str, Any]
    customize: dict[str, Any]
    suggested_path: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Return `customize.version` (empty when absent)."""
        return str(self.customize.get("version", ""))

    @property
    def install_env(self) -> dict[str, Any]:
        """Return `customize.install_env` (`PACKAGE_URL`, `PACKAGE_GIT`, …)."""
        env = self.customize.get("install_env")
        return dict(env) if isinstance(env, dict) else {}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> PackageMeta:
        """Read package meta."""
        r = _Reader(d, where)
        return cls(tags=r.strings("tags"), soft_uoa=r.text("soft_uoa"), deps=_deps(r, "deps"),
                   process_script=r.text("process_script"),
                   end_full_path=r.mapping("end_full_path"),
                   customize=r.mapping("customize"), suggested_path=r.text("suggested_path"),
                   extra=r.extra())


@dataclass(frozen=True)
class EnvMeta:
    """An `env` entry's meta (a detected or installed piece of software)."""

    tags: list[str]
    setup: dict[str, Any]
    env: dict[str, str]
    customize: dict[str, Any]
    deps: dict[str, Any]
    soft_uoa: str
    package_uoa: str
    env_script: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> list[int]:
        """Return the version as CK takes it: setup.version_split, customize's, else split."""
        for source in (self.setup, self.customize):
            split = source.get("version_split")
            if isinstance(split, list) and split:
                return [x if isinstance(x, int) else 0 for x in split]
        return split_version(str(self.customize.get("version", "")))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "meta") -> EnvMeta:
        """Read env meta."""
        r = _Reader(d, where)
        return cls(tags=r.strings("tags"), setup=r.mapping("setup"), env=r.env("env"),
                   customize=r.mapping("customize"), deps=r.mapping("deps"),
                   soft_uoa=r.text("soft_uoa"),
                   package_uoa=r.text("package_uoa"), env_script=r.text("env_script", "env.sh"),
                   extra=r.extra())
