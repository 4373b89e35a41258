"""Conference set-up in the file: phases with dates, the current phase, the review form, k."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ae.conferences import parse
from ae.errors import ConferenceError
from ae.review import forms, phases
from ae.review.phases import Phase

PATH = Path("conferences/micro-2023.toml")
HEAD = """[conference]
slug = "micro-2023"
name = "MICRO 2023 AE"
badge_scheme = "acm-1.1"
badges = ["available", "functional", "reproduced"]
"""
TIMELINE = """
[[phase]]
name = "bidding"
date = 2023-07-01
[[phase]]
name = "kick-the-tires"
date = 2023-07-04
end = 2023-07-10
[[phase]]
name = "full-evaluation"
date = 2023-07-12
[[phase]]
name = "discussion"
date = 2023-08-01
[[phase]]
name = "decision"
date = 2023-08-08
end = 2023-08-10
"""


def test_phases_rounds_and_the_current_phase() -> None:
    conf = parse(PATH, HEAD + TIMELINE)
    assert [p.name for p in conf.phases] == list(phases.PROCESS)
    assert conf.rounds == ("kick-the-tires", "full-evaluation")
    on = {day: (phases.current(conf.phases, dt.date.fromisoformat(day)) or Phase("none", dt.date.min)).name
          for day in ("2023-06-30", "2023-07-01", "2023-07-04", "2023-07-10", "2023-07-11",
                      "2023-07-12", "2023-08-09", "2023-08-11")}
    assert on == {"2023-06-30": "none", "2023-07-01": "bidding", "2023-07-04": "kick-the-tires",
                  "2023-07-10": "kick-the-tires", "2023-07-11": "none", "2023-07-12": "full-evaluation",
                  "2023-08-09": "decision", "2023-08-11": "none"}


def test_chair_edits_replace_the_files_dates() -> None:
    conf = parse(PATH, HEAD + TIMELINE)
    edited = phases.merged(conf.phases, {"bidding": (dt.date(2023, 7, 20), None),
                                         "camera-ready": (dt.date(2023, 9, 1), None)})
    assert [p.name for p in edited] == ["kick-the-tires", "full-evaluation", "bidding", "discussion",
                                        "decision", "camera-ready"]
    assert phases.current(edited, dt.date(2023, 7, 25)) == Phase("bidding", dt.date(2023, 7, 20))


def test_default_form_and_rounds() -> None:
    conf = parse(PATH, HEAD)
    assert conf.review.form is forms.CTUNING_MICRO23
    assert conf.review.evaluators_per_artifact == 3
    assert conf.rounds == phases.ROUNDS
    fields = conf.review_fields()
    assert [f.key for f in fields][:3] == ["badge:available", "badge:functional", "badge:reproduced"]
    assert fields[1].label == "Artifacts Evaluated – Functional?"
    assert fields[1].values() == ["yes", "weak", "no", "not-requested"]
    assert "authors" not in next(f for f in fields if f.key == "committee").visible_to


def test_named_sysartifacts_form_and_k() -> None:
    conf = parse(PATH, HEAD + '[review]\nform = "sysartifacts"\nevaluators_per_artifact = 4\n'
                 'max_per_evaluator = 2\n')
    assert conf.review.form.name == "sysartifacts"
    assert (conf.review.evaluators_per_artifact, conf.review.max_per_evaluator) == (4, 2)
    assert conf.review_fields()[0].values() == ["yes", "no", "not-requested"]


def test_inline_form() -> None:
    conf = parse(PATH, HEAD + """
[review.form]
name = "ours"
recommendation = ["yes", {value = "no", label = "Not this time"}]
recommendation_label = "Award {badge}?"
[[review.form.field]]
key = "summary"
label = "Summary"
required = true
[[review.form.field]]
key = "time"
kind = "choice"
choices = ["<1h", "1-4h", ">4h"]
visible_to = ["evaluators"]
""")
    fields = conf.review_fields()
    assert [f.key for f in fields] == ["badge:available", "badge:functional", "badge:reproduced", "summary",
                                       "time"]
    assert fields[0].label == "Award Artifacts Available?"
    assert fields[0].choices[1] == forms.Choice("no", "Not this time")
    assert fields[4].visible_to == ("evaluators", "chairs")


@pytest.mark.parametrize("extra, message", [
    ('[review]\nform = "hotcrp"\n', "[review] form: unknown review form 'hotcrp' (known: ctuning-micro23, "
                                     "sysartifacts)"),
    ('[review]\nfrom = "sysartifacts"\n', "unknown key 'from' in [review] (did you mean 'form'?)"),
    ("[review]\nevaluators_per_artifact = 0\n", "evaluators_per_artifact must be between 1 and 20"),
    ('[review]\nevaluators_per_artifact = "2"\n', "[review] evaluators_per_artifact has the wrong type"),
    ("[review]\nmax_per_evaluator = 0\n", "max_per_evaluator must be at least 1"),
    ("[review.form]\nrecommendation = []\n", "recommendation needs a non-empty list of choices"),
    ('[review.form]\nrecommendation = ["y"]\nrecommendation_label = "Award?"\n', "holding {badge}"),
    ('[review.form]\nrecommendation = ["y"]\ncolour = 1\n', "unknown key 'colour'"),
    ('[review.form]\nrecommendation = ["y"]\n[[review.form.field]]\nkey = "a"\nkind = "stars"\n',
     "field 1 'a': kind must be 'choice' or 'text'"),
    ('[review.form]\nrecommendation = ["y"]\n[[review.form.field]]\nkey = "a"\nvisible_to = ["public"]\n',
     "visible_to must be a list of authors, evaluators, chairs"),
    ('[review.form]\nrecommendation = ["y"]\n[[review.form.field]]\nkey = "a"\n[[review.form.field]]\n'
     'key = "a"\n', "names a field key twice"),
    ('[review.form]\nrecommendation = ["y"]\n[[review.form.field]]\nkey = "badge:x"\n', "needs a key"),
    ('[[phase]]\nname = "bidding"\ndate = 2023-07-01\nend = 2023-06-01\n',
     "[[phase]] 'bidding' ends (2023-06-01) before it starts (2023-07-01)"),
    ('[[phase]]\nname = "bidding"\ndate = 2023-07-01\n[[phase]]\nname = "bidding"\ndate = 2023-07-02\n',
     "[[phase]] 'bidding' is named twice"),
    ('[[phase]]\ndate = 2023-07-01\n', "every [[phase]] needs a name"),
    ('[[phase]]\nname = "bidding"\ndate = 2023-07-01T10:00:00\n', "needs a date like"),
    ('[[phase]]\nname = "bidding"\ndate = 2023-07-01\nends = 2023-07-02\n',
     "unknown key 'ends' in [phase] (did you mean 'end'?)"),
])
def test_mistakes_name_file_and_key(extra: str, message: str) -> None:
    with pytest.raises(ConferenceError) as info:
        parse(PATH, HEAD + extra)
    assert str(info.value).startswith(f"{PATH}: ")
    assert message in str(info.value)
