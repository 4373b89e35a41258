"""Exports of issued badges: ACM DL XML valid against the artifact DTD v1.1, CSV, JSON, sysartifacts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from lxml import etree

from ae.badges import schemes
from ae.badges.exports import Awarded, Published, acm_xml, sysartifacts, to_csv, to_json

DTD = etree.DTD(str(Path(__file__).parent / "data" / "acm_artifact_v1.1.dtd"))
AT = datetime(2019, 1, 4, 12, 0, tzinfo=UTC)


def item(n: int, badges: tuple[str, ...], *, doi: str | None = None, revoked: tuple[str, ...] = (),
         title: str = "Fast & <sorted> \"things\"") -> Published:
    scheme = schemes.get("acm-1.0")
    return Published(
        artifact_id=f"a{n}", title=title, url=f"https://ae.example.org/artifacts/a{n}",
        repository_url=f"https://github.com/example/a{n}", doi=doi, commit="c" * 40,
        snapshot_digest="sha256:" + "d" * 64,
        badges=tuple(Awarded(b, scheme.title(b), AT, f"https://ae.example.org/badges/{n}{b}", b in revoked)
                     for b in badges),
        verdicts={"reproduced": 2, "inconclusive": 1}, authors=("Ada King Lovelace", "Turing"))


def validate(text: str) -> etree._Element:
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    assert DTD.validate(root), DTD.error_log.filter_from_errors()
    return root


def test_the_acm_xml_is_valid_against_the_dtd_and_names_the_v1_0_badges() -> None:
    items = [item(1, ("available", "functional", "replicated"), doi="10.5281/zenodo.1"),
             item(2, ("reusable", "reproduced"), revoked=("reproduced",)),
             item(3, ("available",), revoked=("available",))]  # nothing current: left out
    root = validate(acm_xml(items, schemes.get("acm-1.0")))
    artifacts = root.findall("artifact")
    assert [a.findtext("title") for a in artifacts] == ['Fast & <sorted> "things"'] * 2
    assert [[r.get("reproducible_types") for r in a.iter("reproducible_type")] for a in artifacts] == [
        ["Artifacts_Available", "Artifacts_Evaluated_Functional", "Results_Replicated"],
        ["Artifacts_Evaluated_Reusable"]]
    assert artifacts[0].findtext("artifact_doi") == "10.5281/zenodo.1"
    assert artifacts[1].findtext("artifact_url") == "https://ae.example.org/artifacts/a2"
    assert artifacts[0].findtext("artifact_publication_date") == "01/04/2019"
    assert [(c.findtext("first_name"), c.findtext("last_name")) for c in artifacts[0].iter("contrib")] == [
        ("Ada King", "Lovelace"), (None, "Turing")]


def test_the_dtd_catches_what_acm_would_refuse() -> None:
    good = acm_xml([item(1, ("available",))], schemes.get("acm-1.1"))
    validate(good)
    bad = good.replace('reproducible_types="Artifacts_Available"', 'reproducible_types="Results_Validated"')
    root = etree.fromstring(bad.encode("utf-8"))
    assert not DTD.validate(root)
    missing = etree.fromstring(good.replace("<license>", "<!--").replace("</license>", "-->").encode())
    assert not DTD.validate(missing)


def test_a_scheme_without_acm_names_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme usenix has no ACM Digital Library badge names"):
        acm_xml([item(1, ("available",))], schemes.get("usenix"))


def test_csv_has_one_row_per_artifact_and_no_formulas() -> None:
    text = to_csv([item(1, ("available", "replicated"), revoked=("replicated",), title="=HYPERLINK(1)")])
    [header, row] = list(csv.reader(io.StringIO(text)))
    data = dict(zip(header, row, strict=True))
    assert data["title"] == "'=HYPERLINK(1)"
    assert (data["badges"], data["badge_titles"]) == ("available", "Artifacts Available")
    assert (data["reproduced"], data["not_reproduced"], data["inconclusive"]) == ("2", "0", "1")


def test_json_carries_the_scheme_version_and_stable_badge_ids() -> None:
    doc = to_json([item(1, ("replicated",))], schemes.get("acm-1.0"))
    assert (doc["scheme"], doc["scheme_version"]) == ("acm-1.0", "1.0")
    [badge] = doc["artifacts"][0]["badges"]
    assert badge["badge_id"] == "acm-1.0/replicated" and badge["issued_at"] == "2019-01-04T12:00:00+00:00"


def test_sysartifacts_front_matter_parses_as_yaml() -> None:
    text = sysartifacts([item(1, ("available", "replicated"), doi="10.1145/1"), item(2, ())],
                        schemes.get("acm-1.0"), "PPoPP'19: results")
    assert text.startswith("---\n") and text.endswith("---\n")
    page = yaml.safe_load(text.strip().strip("-"))
    assert page["title"] == "PPoPP'19: results"
    assert page["artifacts"] == [{"title": 'Fast & <sorted> "things"', "doi": "10.1145/1",
                                  "artifact_url": "https://ae.example.org/artifacts/a1",
                                  "github_url": "https://github.com/example/a1",
                                  "badges": "available,replicated"}]
    assert page["replicated_name"] == "Results Replicated"
