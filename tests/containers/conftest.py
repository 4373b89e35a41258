"""The base image every container test builds on: made once per machine (debootstrap through the
host's Debian mirror, then `podman import`) and kept in podman's store between tests and runs."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def base_image() -> str:
    """Return the tag of ae's base image, building it when this machine has none yet."""
    missing = [tool for tool in ("podman", "runc", "debootstrap") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: apt-get install podman runc debootstrap")
    if os.geteuid() != 0:
        pytest.skip("the container tests run rootful podman")
    from ae.evaluators.container import base

    base.ensure_base(base.DEFAULT_TAG)
    return base.DEFAULT_TAG
