"""The `ae` command: a plain click group whose commands are imported only when they are used.

Commands that need no service (`lint`, `appendix`, `ck`, `run`, `--help`, `--version`) import
neither Flask, SQLAlchemy, RQ nor redis; the others build the app when they run
(`ae.cli.app.with_app`). Each command module keeps its heavy imports inside its functions.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ae import __version__
from ae.errors import AeError

#: Command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "demo": "ae.cli.service:demo", "serve": "ae.cli.service:serve", "worker": "ae.cli.service:worker",
    "redis": "ae.cli.service:redis", "workers": "ae.cli.workers:workers",
    "reconcile": "ae.cli.workers:reconcile_cmd",
    "submit": "ae.cli.artifacts:submit", "resubmit": "ae.cli.artifacts:resubmit",
    "status": "ae.cli.artifacts:status", "verdicts": "ae.cli.verdicts:verdicts",
    "diff": "ae.cli.verdicts:diff", "diff-versions": "ae.cli.verdicts:diff_versions",
    "db": "ae.cli.db:db", "conferences": "ae.cli.conferences:conferences",
    "conference": "ae.cli.conferences:conferences", "ck": "ae.cli.ck:ck",
    "users": "ae.cli.users:users", "tokens": "ae.cli.users:tokens",
    "lint": "ae.cli.checklist:lint_cmd", "appendix": "ae.cli.checklist:appendix", "run": "ae.cli.run:run_cmd",
    "export": "ae.cli.export:export", "slurm": "ae.cli.slurm:slurm",
    "tournament": "ae.cli.tournaments:tournament", "tournaments": "ae.cli.tournaments:tournament",
    "badges": "ae.cli.badges:badges", "verify": "ae.cli.badges:verify_cmd",
    "chair": "ae.cli.chair:chair", "report": "ae.cli.report:report",
    "solution": "ae.cli.solutions:solution", "solutions": "ae.cli.solutions:solution",
}


class UserError(click.ClickException):
    """A user-facing error: one line on stderr, exit status 2."""

    exit_code = 2


class LazyGroup(click.Group):
    """A group that imports a command's module when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command name."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command `cmd_name`, or None if there is none."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning AeError into UserError."""
        try:
            return super().invoke(ctx)
        except AeError as exc:
            raise UserError(str(exc)) from exc


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="ae")
def cli() -> None:
    """Artifact evaluation: submit CK artifacts, reproduce them on workers, compare, badge, report."""
