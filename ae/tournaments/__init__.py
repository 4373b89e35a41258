"""Tournaments: a conference's metrics, its entries' points, the scoreboard and its Pareto fronts.

Plain data in, plain data out (DESIGN §10): `definition` reads the `[tournament]` table of a
conference file, `points` holds what an entry measured or reported, `measures` turns samples and
stored CK statistics into values with intervals, `pareto` sorts points into fronts, `scoreboard`
ranks and sorts them, `ck_import` reads CK `experiment` entries, `plot` and `export` render a
board. No Flask, no database: the service gathers the points (`ae.standings`) and the web and CLI
show them.
"""
