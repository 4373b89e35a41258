"""Badge schemes: the badges each offers, their titles and the error for an unknown scheme."""

from __future__ import annotations

import pytest

from ae.badges import schemes

ACM_TITLES = {
    "available": "Artifacts Available",
    "functional": "Artifacts Evaluated – Functional",
    "reusable": "Artifacts Evaluated – Reusable",
    "reproduced": "Results Reproduced",
    "replicated": "Results Replicated",
}
USENIX_TITLES = {
    "available": "Artifact Available",
    "functional": "Artifact Functional",
    "reproduced": "Results Reproduced",
}


@pytest.mark.parametrize(("name", "titles"), [
    ("acm-1.1", ACM_TITLES), ("acm-1.0", ACM_TITLES), ("usenix", USENIX_TITLES),
])
def test_each_scheme_offers_its_badges_in_order_with_their_titles(name: str, titles: dict[str, str]) -> None:
    scheme = schemes.get(name)
    assert scheme.name == name
    assert scheme.keys() == list(titles)
    assert {key: scheme.title(key) for key in scheme.keys()} == titles


def test_the_registry_holds_exactly_the_three_schemes() -> None:
    assert list(schemes.SCHEMES) == ["acm-1.1", "acm-1.0", "usenix"]


def test_acm_versions_are_distinct_schemes_with_the_same_names() -> None:
    old, new = schemes.get("acm-1.0"), schemes.get("acm-1.1")
    assert old.badges == new.badges
    assert old != new  # the version is part of the scheme, stored with every badge


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as caught:
        schemes.get("ieee")
    assert caught.value.args[0] == "unknown badge scheme 'ieee' (known: acm-1.1, acm-1.0, usenix)"
