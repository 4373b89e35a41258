"""The `ae` command: a FlaskGroup with one module per noun."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import FlaskGroup

from ae import __version__
from ae.errors import AeError


class UserError(click.ClickException):
    """A user-facing error: one line on stderr, exit status 2."""

    exit_code = 2


class AeGroup(FlaskGroup):
    """FlaskGroup that reports domain errors as one clear line with exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning AeError into UserError."""
        try:
            return super().invoke(ctx)
        except AeError as exc:
            raise UserError(str(exc)) from exc


def _create_app() -> Any:
    from ae.app import create_app

    return create_app()


@click.group(cls=AeGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.version_option(__version__, prog_name="ae")
def cli() -> None:
    """Artifact evaluation: submit CK artifacts, reproduce them on workers, compare, badge, report."""


def _register() -> None:
    from ae.cli import artifacts, checklist, ck, db, run, service, verdicts, workers
    from ae.cli import conferences as conferences_cli

    for command in (
        service.demo, service.serve, service.worker, service.redis, workers.workers,
        artifacts.submit, artifacts.resubmit, artifacts.status,
        verdicts.verdicts, verdicts.diff, verdicts.diff_versions,
        db.db, conferences_cli.conferences, ck.ck, checklist.lint_cmd, checklist.appendix,
        run.run_cmd,
    ):
        cli.add_command(command)


_register()
