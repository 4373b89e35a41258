"""POST /api/artifacts: the appendix must be a string under the size cap (400 / 413, never 500)."""

from __future__ import annotations

from typing import Any

import pytest

from ae.checklist.decoding import MAX_APPENDIX_BYTES


def _submit(client: Any, people: Any, appendix: object, url: str = "/api/artifacts") -> Any:
    return client.post(url, json={"conference": "ppopp-2019", "title": "Pi",
                                  "source": "https://example.org/pi.git", "appendix": appendix},
                       headers=people.headers("author"))


@pytest.mark.parametrize("appendix", [123, ["# Abstract"], {"text": "x"}, True])
def test_a_non_string_appendix_is_a_400(client: Any, people: Any, appendix: object) -> None:
    response = _submit(client, people, appendix)
    assert response.status_code == 400
    assert "appendix must be the appendix text as a string" in response.get_json()["detail"]


def test_an_appendix_over_the_cap_is_a_413(client: Any, people: Any) -> None:
    response = _submit(client, people, "x" * (MAX_APPENDIX_BYTES + 1))
    assert response.status_code == 413
    body = response.get_json()
    assert body["title"] == "AppendixTooLarge"
    assert f"at most {MAX_APPENDIX_BYTES:,} bytes (AE_MAX_APPENDIX_BYTES)" in body["detail"]


def test_the_cap_is_a_setting_and_counts_encoded_bytes(client: Any, people: Any) -> None:
    client.application.config["MAX_APPENDIX_BYTES"] = 100
    assert _submit(client, people, "é" * 51).status_code == 413  # 102 bytes in UTF-8
    response = client.post("/api/artifacts/some-id/versions", json={"appendix": "x" * 101},
                           headers=people.headers("author"))
    assert response.status_code == 404, "the policy answers first: no such artifact for this author"
