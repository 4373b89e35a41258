"""The real conference editions shipped in conferences/: scheme, badges, dates and review set-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ae.badges import schemes
from ae.badges.recommend import Evidence, recommend
from ae.conferences import Conference, load_dir

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = load_dir(ROOT / "conferences")

#: slug -> (scheme, offered badges, review form, the last dated phase and its date)
EXPECTED = {
    "micro-2023": ("acm-1.1", ("available", "functional", "reusable", "reproduced"), "ctuning-micro23",
                   ("conference", dt.date(2023, 10, 28))),
    "osdi-2024": ("usenix", ("available", "functional", "reproduced"), "sysartifacts",
                  ("camera-ready", dt.date(2024, 6, 4))),
    "ppopp-2019": ("acm-1.0", ("available", "functional", "reusable", "reproduced", "replicated"),
                   "ctuning-micro23", ("camera-ready", dt.date(2019, 1, 4))),
    "request-asplos18": ("acm-1.0", ("available", "functional", "reusable", "replicated"), "ctuning-micro23",
                         ("decision", dt.date(2018, 3, 1))),
    "sc-2024": ("sc", ("available", "functional", "reproduced", "replicated"), "sysartifacts",
                ("conference", dt.date(2024, 11, 17))),
}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_edition_loads_with_its_scheme_badges_form_and_dates(slug: str) -> None:
    conference = EDITIONS[slug]
    scheme, badges, form, (last, date) = EXPECTED[slug]
    assert (conference.badge_scheme, conference.badges, conference.review.form.name) == (scheme, badges, form)
    assert (conference.phases[-1].name, conference.phases[-1].date) == (last, date)
    dates = [p.date for p in conference.phases]
    assert dates == sorted(dates), "phases in order"
    assert conference.rounds == ("kick-the-tires", "full-evaluation")


def test_osdi_and_micro_name_their_review_rounds_with_dates() -> None:
    osdi = {p.name: (p.date, p.end) for p in EDITIONS["osdi-2024"].phases}
    assert osdi["kick-the-tires"] == (dt.date(2024, 5, 1), dt.date(2024, 5, 8))
    assert osdi["decision"][0] == dt.date(2024, 5, 28)
    micro = {p.name: p.date for p in EDITIONS["micro-2023"].phases}
    assert (micro["artifact-submission"], micro["decision"]) == (dt.date(2023, 8, 7), dt.date(2023, 9, 14))
    assert EDITIONS["osdi-2024"].review.evaluators_per_artifact == 4


def _rerun_badge(conference: Conference) -> str:
    """Return the badge the workers' re-run evidence is recommended for in an edition."""
    good = Evidence(pinned_commit="c" * 40, doi="10.5281/zenodo.1", programs=("p",), programs_ok=("p",),
                    claims=2, reproduced=2, not_reproduced=0, inconclusive=0, checklist_ok=True)
    got = recommend(schemes.get(conference.badge_scheme), conference.badges, good)
    return next(r.title for r in got if r.why == "all 2 claims reproduced on our workers")


@pytest.mark.parametrize(("slug", "title"), [
    ("ppopp-2019", "Results Replicated"), ("request-asplos18", "Results Replicated"),
    ("micro-2023", "Results Reproduced"), ("osdi-2024", "Results Reproduced"),
    ("sc-2024", "Results Reproduced"),
])
def test_re_running_the_authors_artifact_earns_the_badge_of_the_editions_scheme(slug: str,
                                                                               title: str) -> None:
    assert _rerun_badge(EDITIONS[slug]) == title
