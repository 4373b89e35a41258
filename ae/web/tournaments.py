"""Tournament pages and their JSON API: the live scoreboard, plots, exports, and the organizer's page.

A board is computed on each request from the current rules (`ae.standings`), so a rule change
re-ranks at once. The page follows `/events` (server-sent events): the stream polls a fingerprint
of the conference's runs and rules every second and says `board` when it changes; the page then
fetches the table again. A stream lasts at most `STREAM_S` seconds and the browser reconnects, so
no server thread is held for long. Everyone may see a published board; before that only the
conference's organizers and chairs (ae.web.policy).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from ae import standings
from ae.errors import TournamentError
from ae.storage.db import session_scope
from ae.tournaments.scoreboard import Scoreboard
from ae.web.guard import require
from ae.web.identity import current_principal
from ae.web.policy import On, Permission, allows

bp = Blueprint("tournaments", __name__, url_prefix="/tournaments")
api_bp = Blueprint("tournaments_api", __name__, url_prefix="/api/tournaments")

PAGE_ROWS = 500      # rows a page shows (exports hold every row)
API_LIMIT = 1000     # rows an API call returns at most
POLL_S = 1.0
STREAM_S = 55.0
RETRY_MS = 1000


def _query() -> dict[str, Any]:
    """Read the board's view from the query string: sort, direction, front metrics."""
    desc = request.args.get("desc")
    fronts = [f for value in request.args.getlist("fronts") for f in value.split(",") if f]
    return {"sort": request.args.get("sort") or None,
            "descending": None if desc in (None, "") else desc in ("1", "true", "yes"),
            "fronts": fronts or None}


def _see(now: standings.Standing) -> None:
    """Ask the policy whether the caller (perhaps anonymous) may see the board; raise the refusal."""
    on = On(conference=now.conference, public=now.published)
    if not allows(current_principal(), Permission.VIEW_TOURNAMENT, on):
        require(Permission.VIEW_TOURNAMENT, on)


def _board(slug: str) -> tuple[standings.Standing, Scoreboard]:
    """Return the standing and board of `slug` for a caller the policy allows to see it."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        _see(now)
        return standings.board(session=session, conference=slug, **_query())


def _visible() -> list[standings.Standing]:
    who = current_principal()
    with session_scope() as session:
        found = [standings.standing(session=session, conference=slug)
                 for slug in standings.tournament_slugs()]
    return [s for s in found if allows(who, Permission.VIEW_TOURNAMENT, On(conference=s.conference,
                                                                            public=s.published))]


@bp.get("")
def index() -> Any:
    """List the tournaments the visitor may see."""
    return render_template("tournaments/list.html", tournaments=_visible())


@bp.get("/<slug>")
def page(slug: str) -> Any:
    """Show a tournament's live scoreboard, its plot and the controls to re-rank it."""
    now, board = _board(slug)
    manage = allows(current_principal(), Permission.MANAGE_TOURNAMENT, On(conference=slug))
    names = [m.name for m in board.front_metrics]
    y = request.args.get("y") or names[0]
    x = request.args.get("x") or (names[1] if len(names) > 1 else names[0])
    for axis in (x, y):
        board.tournament.metric(axis)
    return render_template("tournaments/page.html", now=now, board=board, view=_view(board), manage=manage,
                           x=x, y=y, limit=PAGE_ROWS)


@bp.get("/<slug>/board")
def fragment(slug: str) -> Any:
    """Return the scoreboard table alone (what the live page swaps in)."""
    now, board = _board(slug)
    return render_template("tournaments/_board.html", now=now, board=board, view=_view(board),
                           limit=PAGE_ROWS)


def _view(board: Scoreboard) -> dict[str, Any]:
    """Return what the templates need to link sorting and front choices back to this view."""
    query = _query()
    kept = [(k, v) for k, v in request.args.items(multi=True) if k in ("x", "y", "fronts")]

    def link(column: str) -> str:
        """Return the query string that sorts by `column` (again: the other way round)."""
        flip = "0" if board.descending else "1"
        return "?" + urlencode([("sort", column), *([("desc", flip)] if column == board.sort else []), *kept])

    return {"sort": board.sort, "descending": board.descending,
            "fronts": [m.name for m in board.front_metrics], "chosen_fronts": query["fronts"] or [],
            "links": {column: link(column) for column in board.tournament.columns()}}


@bp.get("/<slug>/plot.svg")
def plot(slug: str) -> Response:
    """Return an SVG plot of two metrics (?x=&y=) with their Pareto front."""
    from ae.tournaments.plot import plot_svg

    _, board = _board(slug)
    names = board.tournament.metric_names()
    x = request.args.get("x") or names[min(1, len(names) - 1)]
    y = request.args.get("y") or names[0]
    response = Response(plot_svg(board, x, y), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/<slug>/export.<fmt>")
def export(slug: str, fmt: str) -> Response:
    """Download the whole board as CSV or JSON."""
    from ae.tournaments.export import to_csv, to_json

    if fmt not in ("csv", "json"):
        abort(404)
    _, board = _board(slug)
    text, mimetype = (to_csv(board), "text/csv") if fmt == "csv" else (to_json(board), "application/json")
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{slug}-scoreboard.{fmt}"'})


@bp.get("/<slug>/events")
def events(slug: str) -> Response:
    """Stream `board` events whenever the board may have changed (server-sent events)."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        _see(now)
    seen = request.headers.get("Last-Event-ID") or request.args.get("since")

    def stream() -> Iterator[str]:
        last = seen
        yield f"retry: {RETRY_MS}\n\n"
        deadline = time.monotonic() + STREAM_S
        while time.monotonic() < deadline:
            with session_scope() as session:
                mark = standings.fingerprint(session=session, conference=slug)
            if mark != last:
                if last is not None:
                    yield f"event: board\nid: {mark}\ndata: {mark}\n\n"
                else:
                    yield f"id: {mark}\ndata: hello\n\n"
                last = mark
            else:
                yield ": still here\n\n"  # a closed connection is noticed at the next poll
            time.sleep(POLL_S)

    response = Response(stream_with_context(stream()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/<slug>/manage")
def manage(slug: str) -> Any:
    """Show the organizer's page: the rules to edit, publication, imported points."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        require(Permission.MANAGE_TOURNAMENT, On(conference=slug, public=now.published))
        _, board = standings.board(session=session, conference=slug)
    return render_template("tournaments/manage.html", now=now, board=board, rules=now.rules.to_toml(),
                           error=None)


@bp.post("/<slug>/manage/rules")
def save_rules(slug: str) -> Any:
    """Save edited rules (validated; the board re-ranks at once), or go back to the file's."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        who = require(Permission.MANAGE_TOURNAMENT, On(conference=slug, public=now.published))
        reset = request.form.get("action") == "reset"
        text = None if reset else request.form.get("rules", "")
        try:
            standings.save_rules(session=session, conference=slug, text=text, user_id=who.user_id)
        except TournamentError as exc:
            session.rollback()
            _, board = standings.board(session=session, conference=slug)
            return render_template("tournaments/manage.html", now=now, board=board, rules=text,
                                   error=str(exc)), 400
    flash("Rules reset to the conference file's." if reset else "Rules saved; the board is re-ranked.",
          "info")
    return redirect(url_for("tournaments.manage", slug=slug), code=303)


@bp.post("/<slug>/manage/publish")
def publish(slug: str) -> Any:
    """Publish the board (public to everyone), or make it private again."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        who = require(Permission.MANAGE_TOURNAMENT, On(conference=slug, public=now.published))
        published = request.form.get("published") == "1"
        standings.publish(session=session, conference=slug, published=published, user_id=who.user_id)
    flash("The scoreboard is public." if published else "The scoreboard is private again.", "info")
    return redirect(url_for("tournaments.manage", slug=slug), code=303)


@api_bp.get("")
def api_list() -> Response:
    """List the tournaments the caller may see."""
    return jsonify([{"conference": s.conference, "name": s.rules.name, "published": s.published,
                     "metrics": s.rules.metric_names(), "edited": s.edited} for s in _visible()])


@api_bp.get("/<slug>")
def api_board(slug: str) -> Response:
    """Return the scoreboard as JSON (?sort=&desc=&fronts=&offset=&limit=)."""
    _, board = _board(slug)
    offset = _int("offset", 0)
    limit = min(_int("limit", API_LIMIT), API_LIMIT)
    return jsonify(board.to_dict(offset, limit))


@api_bp.get("/<slug>/rules")
def api_rules(slug: str) -> Response:
    """Return the tournament's current rules, as data and as the TOML table an organizer edits."""
    with session_scope() as session:
        now = standings.standing(session=session, conference=slug)
        _see(now)
    return jsonify(conference=slug, published=now.published, edited=now.edited, revision=now.revision,
                   rules=now.rules.to_dict(), toml=now.rules.to_toml())


def _int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise TournamentError(f"{name} must be a whole number >= 0 (got {raw!r})")
    return int(raw)
