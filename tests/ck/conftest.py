"""Shared fixtures for the CK tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ck"


@pytest.fixture(scope="session")
def ck_fixtures() -> Path:
    """Return the real CK meta fixtures, skipping when /work/shared/fixtures is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"real CK fixtures not found at {FIXTURES.resolve()}")
    return FIXTURES.resolve()
