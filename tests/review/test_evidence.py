"""What the evaluator's page shows beside the verdicts: the author's declared environment next to the
worker's, and two runs' outputs compared."""

from __future__ import annotations

from pathlib import Path

from ae.checklist import lint
from ae.review.evidence import declared_environment, output_diffs

ROOT = Path(__file__).resolve().parents[2]


def test_the_declared_environment_stands_beside_the_workers() -> None:
    checklist = lint((ROOT / "examples" / "pi-python" / "ARTIFACT-APPENDIX.md").read_text(),
                     filename="ARTIFACT-APPENDIX.md").to_dict()
    record = {"platform": {"arch": "x86_64", "cpu_model": "AMD EPYC 7B13", "cores": 2, "distro": "Debian 12",
                           "kernel": "6.1.0", "memory_bytes": 8 * 2**30, "gpus": [{"name": "H200"}]},
              "deps": {"compiler,lang-python": {"version": "3.11.7"}, "lib,numpy": "2.1.0"}}
    rows = {r["aspect"]: r for r in declared_environment(checklist, record)}
    assert rows["hardware"] == {"aspect": "hardware", "declared": ["Hardware: any"],
                                "worker": ["AMD EPYC 7B13 (x86_64, 2 cores)", "8.0 GiB memory", "GPU H200"]}
    assert rows["software"]["declared"] == ["Run-time environment: Linux with Python 3",
                                            "Software dependencies: Python 3 (CK tags compiler,lang-python)."]
    assert rows["software"]["worker"] == ["Debian 12 (kernel 6.1.0)", "compiler,lang-python 3.11.7",
                                          "lib,numpy 2.1.0"]
    assert rows["compilation"] == {"aspect": "compilation", "declared": [],
                                   "worker": ["compiler,lang-python 3.11.7"]}
    assert declared_environment({}, {}) == [], "neither side says anything: no rows"


def test_outputs_compare_as_text_images_binary_or_missing() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    a = {"out.txt": b"pi 3.14159265\nwork /w/a/x\n", "plot.png": png, "blob.bin": b"\x00\x01", "only-a": b"x"}
    b = {"out.txt": b"pi 3.14159999\nwork /w/b/x\n", "plot.png": png + b"\x01", "blob.bin": b"\x00\x01"}
    rows = {r["name"]: r for r in output_diffs(sorted(a), sorted(b), a.get, b.get,
                                                 noise={"/w/a": "<work>", "/w/b": "<work>"})}
    assert rows["out.txt"]["kind"] == "text" and rows["out.txt"]["identical"], "noise only: identical"
    assert rows["plot.png"]["kind"] == "image" and not rows["plot.png"]["identical"]
    assert rows["plot.png"]["a_src"].startswith("data:image/png;base64,")
    assert rows["blob.bin"] == {"name": "blob.bin", "kind": "binary", "a": True, "b": True, "identical": True}
    assert rows["only-a"]["kind"] == "missing" and rows["only-a"]["a"] and not rows["only-a"]["b"]
