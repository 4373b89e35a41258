"""The built-in xOpenME-compatible timer library: built once into the cache, whole API exercised."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ae.evaluators import packages
from ae.evaluators.inventory import detect_software

PROGRAM = r"""
#include <stdio.h>
#include <time.h>
#include <xopenme.h>

int main(void)
{
  struct timespec pause = {0, 20 * 1000 * 1000};
  char name[] = "susan";
  char raw[4] = {1, 2, 3, 4};
  xopenme_init(2, 4);
  xopenme_add_var_i(0, "  \"image_size_x\":%d", 600);
  xopenme_add_var_f(1, "  \"ratio\":%.2f", 0.5f);
  xopenme_add_var_d(2, "  \"scale\":%.3f", 1.25);
  xopenme_add_var_s(3, "  \"name\":\"%s\"", name);
  xopenme_clock_start(0);
  nanosleep(&pause, NULL);
  xopenme_clock_end(0);
  xopenme_clock_start(1);
  xopenme_clock_end(1);
  xopenme_clock_start(1);
  xopenme_clock_end(1);
  xopenme_dump_memory("raw.bin", raw, 4);
  xopenme_dump_state();
  xopenme_finish();
  return 0;
}
"""


def test_library_builds_once_and_writes_ck_timer_json(tmp_path: Path) -> None:
    gcc = detect_software(detectors=["gcc"])[0]
    package = packages.get("xopenme")
    built = packages.build(package, gcc, tmp_path / "cache")
    again = packages.build(package, gcc, tmp_path / "cache", on_build=lambda m: 1 / 0)
    assert again == built  # cached: no second build (on_build would raise)
    assert {"lib", "xopenme", "v0.3", "host-os-linux-64"} <= set(built.tags)
    include, lib = built.env["CK_ENV_LIB_RTL_XOPENME_INCLUDE"], built.env["CK_ENV_LIB_RTL_XOPENME_LIB"]
    assert (Path(lib) / "librtlxopenme.a").is_file() and (Path(include) / "xopenme.h").is_file()
    (tmp_path / "t.c").write_text(PROGRAM)
    subprocess.run([gcc.path, "-O2", f"-I{include}", "t.c", f"-L{lib}", "-lrtlxopenme", "-o", "t"],
                   cwd=tmp_path, check=True)
    done = subprocess.run(["./t"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout == ""  # the library never writes to the program's stdout
    timer = json.loads((tmp_path / "tmp-ck-timer.json").read_text())
    assert timer["execution_time"] == timer["execution_time_kernel_0"]
    assert 0.015 < timer["execution_time"] < 5
    assert 0 <= timer["execution_time_kernel_1"] < timer["execution_time"]
    assert timer["run_time_state"] == {"image_size_x": 600, "ratio": 0.5, "scale": 1.25,
                                       "name": "susan"}
    assert (tmp_path / "raw.bin").read_bytes() == b"\x01\x02\x03\x04"
