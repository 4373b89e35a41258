"""`ae appendix new` templates: untouched they are all empty, filled in they lint clean."""

from __future__ import annotations

import re

import pytest

from ae.checklist import lint, parse_appendix, parse_claims
from ae.checklist.labels import ITEM_KEYS
from ae.checklist.templates import TEMPLATES, template
from ae.checklist.tolerance import Tolerance

BADGES = ("available", "functional", "reusable", "reproduced", "replicated")


def fill(text: str) -> str:
    """Fill the template the way an author would: replace every hint, uncomment the claims."""
    counter = iter(range(1, 1000))

    def answer(match: re.Match[str]) -> str:
        n = next(counter)
        return (f"Answer {n}: archived as 10.5281/zenodo.77{n:05d}; results vary within 5 %; "
                f"run `make all` on Linux.")

    text = re.sub(r"<!--.*?-->", answer, text, flags=re.DOTALL)
    return re.sub(r"^# (\[\[claim\]\]|\w+ = .*)$", r"\1", text, flags=re.MULTILINE)


def test_untouched_template_parses_as_all_empty() -> None:
    appendix = parse_appendix(template("ctuning-md"))
    assert appendix.family == "ctuning-md"
    assert appendix.all_empty
    assert [item.key for item in appendix.items] == list(ITEM_KEYS)
    assert all(item.empty_reason == "empty" for item in appendix.items)
    assert parse_claims(template("ctuning-md")) == []


def test_untouched_template_lints_as_untouched() -> None:
    report = lint(template("ctuning-md"), badges=BADGES)
    assert not report.ok
    assert report.findings[0].code == "untouched-template"


@pytest.mark.parametrize("badges", [(), ("available",), BADGES])
def test_filled_template_lints_clean(badges: tuple[str, ...]) -> None:
    filled = fill(template("ctuning-md"))
    assert "<!--" not in filled
    report = lint(filled, badges=badges, filename="ARTIFACT-APPENDIX.md")
    assert report.findings == (), [f.format("t") for f in report.findings]
    assert report.version == "20240722"
    assert all(not item.empty for item in report.items)
    (claim,) = report.claims
    assert claim.id == "c1" and claim.tolerance == Tolerance(relative=pytest.approx(0.10))


def test_filled_template_at_camera_ready_fits_two_pages() -> None:
    from ae.checklist import PROFILES

    report = lint(fill(template("ctuning-md")), profile=PROFILES["camera-ready"], badges=BADGES)
    assert report.ok and report.findings == ()


def test_template_registry() -> None:
    assert set(TEMPLATES) == {"ctuning-md"}
    with pytest.raises(KeyError, match="available: ctuning-md"):
        template("usenix-docx")
