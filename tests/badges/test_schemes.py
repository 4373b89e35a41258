"""Badge schemes: the badges each offers, their titles, meanings, stable ids and the unknown-scheme error."""

from __future__ import annotations

import pytest

from ae.badges import schemes
from ae.badges.schemes import Meaning

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
NDSS_TITLES = {
    "available": "Artifacts Available",
    "functional": "Artifacts Functional",
    "reproduced": "Results Reproduced",
}
SC_TITLES = {key: ACM_TITLES[key] for key in ("available", "functional", "reproduced", "replicated")}
IEEE_TITLES = {"code-available": "Code Available", "code-reviewed": "Code Reviewed"}


@pytest.mark.parametrize(("name", "titles"), [
    ("acm-1.1", ACM_TITLES), ("acm-1.0", ACM_TITLES), ("usenix", USENIX_TITLES), ("ndss", NDSS_TITLES),
    ("sc", SC_TITLES), ("ieee", IEEE_TITLES),
])
def test_each_scheme_offers_its_badges_in_order_with_their_titles(name: str, titles: dict[str, str]) -> None:
    scheme = schemes.get(name)
    assert scheme.name == name
    assert scheme.keys() == list(titles)
    assert {key: scheme.title(key) for key in scheme.keys()} == titles
    assert all(b.definition and b.color.startswith("#") for b in scheme.badges)
    assert scheme.url.startswith("https://")


def test_the_registry_holds_the_six_schemes() -> None:
    assert list(schemes.SCHEMES) == ["acm-1.1", "acm-1.0", "usenix", "ndss", "sc", "ieee"]


def test_acm_versions_share_names_and_swap_the_meanings_of_reproduced_and_replicated() -> None:
    old, new = schemes.get("acm-1.0"), schemes.get("acm-1.1")
    assert [b.title for b in old.badges] == [b.title for b in new.badges]
    assert (old.version, new.version) == ("1.0", "1.1")
    assert old.badge("reproduced").meaning == new.badge("replicated").meaning == Meaning.INDEPENDENT
    assert old.badge("replicated").meaning == new.badge("reproduced").meaning == Meaning.RERUN
    assert old != new  # the version is part of the scheme, stored with every badge


def test_stable_ids_and_acm_export_names() -> None:
    acm = schemes.get("acm-1.0")
    assert acm.badge_id("replicated") == "acm-1.0/replicated"
    assert [b.acm_name for b in acm.badges] == [
        "Artifacts_Available", "Artifacts_Evaluated_Functional", "Artifacts_Evaluated_Reusable",
        "Results_Reproduced", "Results_Replicated"]
    assert schemes.get("usenix").badge("available").acm_name is None


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as caught:
        schemes.get("niso")
    assert caught.value.args[0] == (
        "unknown badge scheme 'niso' (known: acm-1.1, acm-1.0, usenix, ndss, sc, ieee)")


def test_an_unknown_badge_names_the_schemes_badges() -> None:
    with pytest.raises(KeyError) as caught:
        schemes.get("usenix").badge("reusable")
    assert caught.value.args[0] == (
        "badge 'reusable' is not in scheme usenix (available, functional, reproduced)")
