"""Solution manifests against their schema, sealed and signed results, and the outlier rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ae.errors import ResultRefused, SolutionError
from ae.solutions import manifest as manifests
from ae.solutions.outliers import outliers
from ae.solutions.result import check_against, seal, sign, validation, verify

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = json.loads((ROOT / "examples" / "solutions" / "ml-inference.json").read_text())


def _body(manifest: manifests.Manifest, **run: Any) -> dict[str, Any]:
    return {"solution": manifest.name, "manifest_digest": manifest.digest, "ae_version": "0",
            "created_at": "2026-11-30T10:00:00+00:00",
            "hardware": {"fingerprint": "0123456789abcdef", "class": "x86_64 CPU", "profile": {}},
            "runs": [{"program": "digits-onnx-bench", "cmd_key": "offline-int8-b64-t1", "ok": True,
                      "samples": [{"accuracy_top1": 0.98}], "outputs": {}, **run}]}


def test_the_shipped_manifest_is_valid_and_reads_its_claims() -> None:
    found = manifests.from_data(SHIPPED)
    assert found.name == "ml-inference" and found.conference == "mlperf-inference-demo"
    assert {c.id for c in found.claims()} >= {"offline-int8-top1", "offline-int8-throughput"}
    defaults = [c.cmd_key for c in found.configurations() if c.default]
    assert defaults == ["singlestream-fp32", "offline-int8-b64-t1"]
    assert found.references("offline-int8-b64-t1")["mlperf_log_accuracy.json"].startswith("69bc96")


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m.update(name="Not A Name"), "at name"),
    (lambda m: m.pop("configurations"), "'configurations' is a required property"),
    (lambda m: m["environment"]["packages"].update(numpy="1.0; rm -rf /"), "at environment/packages/numpy"),
    (lambda m: m["reference_outputs"]["singlestream-fp32"].update(x="not-a-digest"), "reference_outputs"),
    (lambda m: m.update(unknown=1), "Additional properties are not allowed"),
    (lambda m: m["claims"][0].update(cmd_key="no-such-key"), "which is no configuration"),
    (lambda m: m["claims"][0].update(relation="roughly"), "at claims/0/relation"),
])
def test_a_manifest_that_breaks_the_schema_is_refused_with_where(change: Any, message: str) -> None:
    data = copy.deepcopy(SHIPPED)
    change(data)
    with pytest.raises(SolutionError, match=message):
        manifests.from_data(data)


def test_a_sealed_result_verifies_only_unchanged_and_with_its_token() -> None:
    manifest = manifests.from_data({**SHIPPED, "artifact": {"source": "x", "commit": "a" * 40}})
    sealed = seal(_body(manifest))
    body = verify(sign(sealed, "ae_one"), "ae_one")
    check_against(manifest, body)
    with pytest.raises(ResultRefused, match="signature does not match"):
        verify(sign(sealed, "ae_one"), "ae_two")
    changed = sign(sealed, "ae_one")
    changed["body"]["runs"][0]["samples"][0]["accuracy_top1"] = 1.0
    with pytest.raises(ResultRefused, match="does not match its digest"):
        verify(changed, "ae_one")
    other = manifests.from_data({**SHIPPED, "title": "another",
                                 "artifact": {"source": "x", "commit": "b" * 40}})
    with pytest.raises(SolutionError, match="another version of the manifest"):
        check_against(other, body)
    stranger = sign(seal(_body(manifest, cmd_key="not-a-configuration")), "ae_one")
    with pytest.raises(SolutionError, match="no configuration"):
        check_against(manifest, verify(stranger, "ae_one"))


def test_output_digests_are_validated_against_the_reference() -> None:
    manifest = manifests.from_data(SHIPPED)
    reference = manifest.references("offline-int8-b64-t1")["mlperf_log_accuracy.json"]
    run = _body(manifest)["runs"][0]
    assert validation(manifest, {**run, "outputs": {"mlperf_log_accuracy.json": reference}}) == (True, [])
    ok, problems = validation(manifest, {**run, "outputs": {"mlperf_log_accuracy.json": "f" * 64}})
    assert not ok and "differs from the reference" in problems[0]
    assert validation(manifest, run) == (False, ["output mlperf_log_accuracy.json is missing"])


def test_outliers_need_three_results_and_a_large_modified_z_score() -> None:
    assert outliers({"a": 1.0, "b": 100.0}) == {}
    found = outliers({"a": 100.0, "b": 101.0, "c": 99.0, "d": 100.5, "e": 400.0})
    assert set(found) == {"e"} and found["e"] > 3.5
    assert outliers({"a": 5.0, "b": 5.0, "c": 6.0}) == {"c": float("inf")}
