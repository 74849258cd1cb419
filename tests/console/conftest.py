"""Console fixtures. Helpers live in tests/console/console_support.py."""

from __future__ import annotations

import pytest

from tests.console.console_support import build_world


@pytest.fixture
def world(db):
    return build_world()
