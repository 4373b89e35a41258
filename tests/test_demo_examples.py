"""Which examples `ae demo` submits to a conference: only those whose claims it can route."""

from __future__ import annotations

from ae import conferences
from ae.demo import dependency_urls, examples, unroutable


def test_the_demo_leaves_out_what_its_conference_cannot_route(app) -> None:  # type: ignore[no-untyped-def]
    found = {e.name: e for e in examples()}
    ppopp, mlperf = conferences.get("ppopp-2019"), conferences.get("mlperf-inference-demo")
    why = unroutable(found["ml-inference"], ppopp)
    assert why is not None and "claim 'gpu-top1': hardware 'gpu' is not a pool of this conference" in why
    assert unroutable(found["ml-inference"], mlperf) is None
    submitted = {n: e for n, e in found.items() if n not in dependency_urls(list(found.values()))}
    assert [n for n, e in submitted.items() if unroutable(e, ppopp)] == ["ml-inference", "request-results"]
