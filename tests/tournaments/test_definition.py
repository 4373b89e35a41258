"""The `[tournament]` table: what it means, and every mistake named with a did-you-mean."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from ae.errors import TournamentError
from ae.tournaments.definition import Direction, Provenance, parse_tournament


def table(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "T", "constraints": ["top1 >= 0.7"], "entry_meta": ["platform"],
        "metric": [{"name": "top1", "key": "##characteristics#run#accuracy_top1#mean", "direction": "max"},
                   {"name": "latency", "key": "execution_time", "statistic": "min", "direction": "lower",
                    "unit": "s", "precision": 4},
                   {"name": "price", "meta": "platform_price", "direction": "min", "unit": "$"}],
    }
    return {**base, **changes}


def test_keys_statistics_directions_and_defaults() -> None:
    t = parse_tournament(table())
    top1, latency, price = t.metrics
    assert (top1.key, top1.statistic, top1.sample_key) == ("##characteristics#run#accuracy_top1", "mean",
                                                           "accuracy_top1")
    assert latency.flat_key == "##characteristics#run#execution_time#min"
    assert latency.direction is Direction.MIN and latency.title == "latency (s) ↓"
    assert latency.format(0.123456) == "0.1235" and latency.format(None) == "—"
    assert price.from_meta and price.sample_key is None and price.flat_key == "platform_price"
    assert t.front_metrics() == t.metrics  # default: every metric
    assert t.ranked == {Provenance.REPRODUCED, Provenance.AUTHOR}
    assert t.sort == "front" and t.pools is None
    assert parse_tournament(table(metric=[{"name": "pi", "key": "run_time_state.pi", "direction": "max"}],
                                  constraints=[])
                            ).metrics[0].key == "##characteristics#run#run_time_state#pi"


def test_which_repetitions_count() -> None:
    t = parse_tournament(table(repetitions={"skip_first": 1, "last": 2}))
    assert t.counted([9.0, 1.0, 2.0, 3.0]) == [2.0, 3.0]
    assert parse_tournament(table()).counted([9.0, 1.0]) == [9.0, 1.0]


def test_the_rules_round_trip_through_toml() -> None:
    t = parse_tournament(table(fronts=["top1", "latency"], pools=["default"], sort="latency",
                               ranked=["independently-reproduced"], repetitions={"skip_first": 1, "last": 0},
                               pool_meta={"default": {"platform": 'a "quoted"\tname', "platform_price": 35}},
                               description="two\nlines"))
    again = parse_tournament(tomllib.loads(t.to_toml())["tournament"])
    assert again == t


@pytest.mark.parametrize("change, message", [
    ({"nmae": "x"}, "[tournament]: unknown key 'nmae' (did you mean 'name'?)"),
    ({"metric": []}, "needs at least one [[tournament.metric]]"),
    ({"constraints": ["top1 about 0.7"]}, "is not like \"top1 >= 0.7\""),
    ({"constraints": ["top-1 >= 0.7"]}, "names an unknown metric 'top-1' (did you mean 'top1'?)"),
    ({"constraints": ["top2 >= 0.7"]}, "names an unknown metric 'top2' (did you mean 'top1'?)"),
    ({"constraints": ["top1 >= lots"]}, "'lots' is not a number"),
    ({"fronts": ["latncy"]}, "fronts: unknown metric 'latncy' (did you mean 'latency'?)"),
    ({"sort": "prise"}, "sort: unknown column 'prise' (did you mean 'price'?)"),
    ({"ranked": ["author-reportd"]}, "unknown provenance 'author-reportd' (did you mean 'author-reported'?)"),
    ({"repetitions": {"skip_frist": 1}}, "unknown key 'skip_frist' (did you mean 'skip_first'?)"),
    ({"repetitions": {"last": -1}}, "last must be a whole number >= 0"),
    ({"pool_meta": {"gpu": {"price": [1]}}}, "pool_meta.gpu must be a table of numbers and strings"),
])
def test_mistakes_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TournamentError) as info:
        parse_tournament(table(**change))
    assert message in str(info.value)


@pytest.mark.parametrize("metric, message", [
    ({"name": "t", "key": "execution_time", "direction": "smaller"}, "direction 'smaller' is not min or max"),
    ({"name": "t", "key": "execution_time", "direction": "mni"}, "(did you mean 'min'?)"),
    ({"name": "t", "key": "##characteristics#run#execution_time#mni", "direction": "min"},
     "unknown statistic '#mni' (did you mean '#min'?)"),
    ({"name": "t", "key": "##characteristics#run#execution_time#all", "direction": "min"},
     "statistic '#all' is a list of every repetition"),
    ({"name": "t", "key": "##characteristics#run#execution_time#min_imp", "direction": "min"},
     "statistic '#min_imp' is not one number per point"),
    ({"name": "t", "key": "execution_time", "statistic": "median", "direction": "min"},
     "statistic '#median' is unknown"),
    ({"name": "t", "key": "##charateristics#run#t", "direction": "min"},
     "must start with ##characteristics# or ##features# (did you mean '##characteristics#'?)"),
    ({"name": "t", "key": "execution time", "direction": "min"}, "is neither a CK flat key"),
    ({"name": "t", "key": "##characteristics#run#t#min", "statistic": "max", "direction": "min"},
     "key says #min but statistic says 'max'"),
    ({"name": "t", "direction": "min"}, "needs either key"),
    ({"name": "t", "key": "t", "meta": "t", "direction": "min"}, "not both"),
    ({"name": "t", "meta": "price", "statistic": "min", "direction": "min"}, "a meta value has no statistic"),
    ({"name": "t", "key": "t", "direction": "min", "precision": 20}, "precision must be a whole number"),
    ({"name": "t", "key": "t", "direction": "min", "unti": "s"}, "unknown key 'unti' (did you mean 'unit'?)"),
    ({"name": "1st", "key": "t", "direction": "min"}, "must start with a letter"),
])
def test_metric_mistakes_are_named(metric: dict[str, Any], message: str) -> None:
    with pytest.raises(TournamentError) as info:
        parse_tournament({"name": "T", "metric": [metric]})
    assert message in str(info.value)


def test_a_metric_defined_twice_is_refused() -> None:
    twice = {"name": "t", "key": "t", "direction": "min"}
    with pytest.raises(TournamentError, match="metric 't' is defined twice"):
        parse_tournament({"name": "T", "metric": [twice, twice]})


def test_rule_changes_are_validated_like_the_file() -> None:
    t = parse_tournament(table())
    assert t.with_rules(constraints=["top1 >= 0.8"]).constraints[0].value == 0.8
    with pytest.raises(TournamentError, match="did you mean 'latency'"):
        t.with_rules(fronts=["latenct"])
    with pytest.raises(TournamentError, match="unknown metric 'nope'"):
        t.front_metrics(["nope"])
