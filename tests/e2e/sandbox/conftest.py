"""The guide's screenshot tests' fixtures: where the images go and the page that takes them.

The screenshots go to a temporary folder; with `UPDATE_SCREENSHOTS=1` they replace docs/images/
(commit them).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import new_page
from tests.e2e.sandbox.guide_images import IMAGES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where a guide test's screenshots go: docs/images/ with UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        return IMAGES
    return tmp_path


@pytest.fixture
async def guide_page() -> AsyncIterator[Any]:
    """The guide's screenshots are taken at 960 x 700."""
    async with new_page(960, 700) as opened:
        yield opened
