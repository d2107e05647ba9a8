"""docs/images/ holds exactly the screenshots the guide shows, and a browser story takes each."""

from __future__ import annotations

import re

from tests.e2e.sandbox import test_guide_marketplace_screenshots as marketplace
from tests.e2e.sandbox import test_guide_screenshots as story
from tests.e2e.sandbox.guide_images import IMAGES

GUIDE = IMAGES.parent / "guide.md"


def test_every_image_is_shown_by_the_guide_and_taken_by_a_story() -> None:
    shown = set(re.findall(r"!\[[^\]]*\]\(images/([\w-]+)\.png\)", GUIDE.read_text()))
    stored = {p.stem for p in IMAGES.glob("*.png")}
    taken = set(story.SHOTS) | set(marketplace.SHOTS)
    assert not set(story.SHOTS) & set(marketplace.SHOTS), "two stories take the same image"
    assert shown == stored == taken
