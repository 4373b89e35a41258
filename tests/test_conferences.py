"""Conference edition files: the shipped one loads; every kind of mistake names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.conferences import load_dir, parse
from ae.errors import ConferenceError

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "conferences" / "ppopp-2019.toml").read_text()


def test_shipped_conference_loads() -> None:
    conf = load_dir(ROOT / "conferences")["ppopp-2019"]
    assert conf.badge_scheme == "acm-1.0"
    assert conf.tolerance == pytest.approx(0.08)
    assert [p.name for p in conf.phases][-1] == "camera-ready"
    assert conf.pool_names() == ["default"]
    assert conf.limits["wall_s"] == 300


@pytest.mark.parametrize("old, new, message", [
    ("[evaluation]", "[evaluaton]", "unknown section [evaluaton] (did you mean [evaluation]?)"),
    ("badge_scheme = \"acm-1.0\"", "badge_scheme = \"acm-9\"", "unknown badge scheme 'acm-9'"),
    ("\"replicated\"]", "\"replicated\", \"shiny\"]", "badge 'shiny' is not in scheme acm-1.0"),
    ("tolerance = \"8%\"", "tolerance = \"eight\"", "tolerance must look like \"8%\""),
    ("date = 2019-01-04", "date = \"soon\"", "needs a date like 2019-01-04"),
    ("wall_s = 300", "wall_s = -1", "[limits] wall_s must be positive"),
    ("repetitions = 3 ", "repetitions = 30 ", "1 <= repetitions <= max_repetitions"),
    ("slug = \"ppopp-2019\"", "slug = \"other\"", "must match the file name"),
    ("[[pool]]\nname = \"default\"", "[[pool]]\narch = \"x86_64\"", "every [[pool]] needs a name"),
    ("name = \"PPoPP", "nam = \"PPoPP", "unknown key 'nam' in [conference] (did you mean 'name'?)"),
])
def test_mistakes_are_named(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(ConferenceError) as info:
        parse(Path("conferences/ppopp-2019.toml"), GOOD.replace(old, new, 1))
    assert message in str(info.value)
    assert str(info.value).startswith("conferences/ppopp-2019.toml: ")


def test_invalid_toml_names_the_line() -> None:
    with pytest.raises(ConferenceError, match=r"invalid TOML: .*line 3"):
        parse(Path("x.toml"), "[conference]\nslug = 'x'\nname = \n")


def test_missing_directory() -> None:
    with pytest.raises(ConferenceError, match="does not exist"):
        load_dir(Path("/no/such/conferences"))


def test_dependency_pins_are_read() -> None:
    text = GOOD + ('\n[[dependency]]\nrepo = "ctuning-datasets-min"\n'
                   'url = "https://github.com/ctuning/ctuning-datasets-min"\ncommit = "5efde26"\n'
                   '\n[[dependency]]\nrepo = "ck-env"\ncommit = "0123456789abcdef0123456789abcdef01234567"\n')
    conf = parse(Path("conferences/ppopp-2019.toml"), text)
    pins = conf.dependency_pins()
    assert pins["ctuning-datasets-min"].url == "https://github.com/ctuning/ctuning-datasets-min"
    assert pins["ctuning-datasets-min"].commit == "5efde26"
    assert pins["ck-env"].url is None


@pytest.mark.parametrize("table, message", [
    ('repo = "x"\ncommit = "main"', "[[dependency]] 'x' commit must be a hex commit id (got 'main')"),
    ('repo = "x"', "[[dependency]] 'x' needs a url, a commit or both"),
    ('url = "https://h/x"', "[[dependency]] needs a repo"),
    ('repo = "x"\ncomit = "5efde26"', "unknown key 'comit' in [dependency] (did you mean 'commit'?)"),
    ('repo = "x"\nurl = 7', "[[dependency]] 'x' url has the wrong type"),
])
def test_dependency_pin_mistakes_are_named(table: str, message: str) -> None:
    with pytest.raises(ConferenceError) as info:
        parse(Path("conferences/ppopp-2019.toml"), GOOD + "\n[[dependency]]\n" + table + "\n")
    assert message in str(info.value)


def test_a_dependency_pinned_twice_is_refused() -> None:
    twice = '\n[[dependency]]\nrepo = "x"\ncommit = "5efde26"\n' * 2
    with pytest.raises(ConferenceError, match="names a repository twice"):
        parse(Path("conferences/ppopp-2019.toml"), GOOD + twice)


def test_a_tournament_table_is_validated_not_dropped() -> None:
    text = GOOD + '\n[tournament]\nname = "ReQuEST"\nmetrics = ["accuracy"]\n'
    with pytest.raises(ConferenceError) as info:
        parse(Path("conferences/ppopp-2019.toml"), text)
    assert str(info.value) == ("conferences/ppopp-2019.toml: [tournament]: unknown key 'metrics' "
                               "(did you mean 'metric'?)")


def test_the_shipped_tournament_edition_loads() -> None:
    conf = load_dir(ROOT / "conferences")["request-asplos18"]
    assert conf.tournament is not None
    assert conf.tournament.metric_names() == ["top1", "latency", "price", "power"]
    assert [c.text for c in conf.tournament.constraints] == ["top1 >= 0.7"]
    assert load_dir(ROOT / "conferences")["ppopp-2019"].tournament is None


def test_a_tournament_pool_must_be_a_pool_of_the_conference() -> None:
    text = GOOD + ('\n[tournament]\nname = "T"\npools = ["defualt"]\n[[tournament.metric]]\n'
                   'name = "t"\nkey = "execution_time"\ndirection = "min"\n')
    with pytest.raises(ConferenceError, match=r"'defualt' is not a \[\[pool\]\] of this conference "
                                              r"\(did you mean 'default'\?\)"):
        parse(Path("conferences/ppopp-2019.toml"), text)
