"""Fixtures of the smoke-stage tests: conferences with a smoke stage and budgets, a real SMTP server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.review.conftest import Mailbox, mailbox  # noqa: F401  (the real SMTP server fixture)

ROOT = Path(__file__).resolve().parents[2]

SMOKE = """[evaluation]
smoke = true
repetitions = 2
max_repetitions = 2
"""


def smoke_conference(directory: Path, slug: str, budget: str) -> None:
    """Write conference `slug`: the PPoPP file with a smoke stage, two repetitions and `budget`."""
    text = (ROOT / "conferences" / "ppopp-2019.toml").read_text()
    text = text.replace('slug = "ppopp-2019"', f'slug = "{slug}"')
    text = text.replace("[evaluation]\nrepetitions = 3 ", SMOKE + "# repetitions = 3 ")
    text = text.replace("max_repetitions = 15", "# max_repetitions = 15")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{slug}.toml").write_text(text + "\n" + budget)


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path, mailbox: Mailbox) -> dict[str, Any]:  # noqa: F811
    """ppopp-2019 with a smoke stage and a generous budget; tight-2019 with a budget a run exceeds;
    gpu-2019 with a GPU pool whose GPU-hour budget a run exceeds."""
    directory = tmp_path / "conferences"
    smoke_conference(directory, "ppopp-2019",
                     '[[budget]]\npool = "default"\ncpu_hours_per_artifact = 10\n')
    smoke_conference(directory, "tight-2019",
                     '[[budget]]\npool = "default"\ncpu_hours_per_artifact = 0.000001\n'
                     'cpu_hours_per_evaluator = 0.000001\n')
    smoke_conference(directory, "gpu-2019",
                     '[[pool]]\nname = "gpu"\ngpu_vendor = "nvidia"\n\n'
                     '[[budget]]\npool = "gpu"\ngpu_hours_per_artifact = 0.000001\n')
    return {**config, "CONFERENCES_DIR": str(directory), "MAIL_URL": mailbox.url,
            "TODAY": "2018-12-01"}
