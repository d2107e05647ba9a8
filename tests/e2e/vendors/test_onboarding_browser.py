"""The OAuth result pages in a real headless Chromium, with screenshots kept as artifacts."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, chromium
from tests.e2e.vendors.test_onboarding import VENDOR, VENDOR_B, authorize, link_for
from tests.harness import Connectbot

pytestmark = pytest.mark.browser


async def test_success_and_declined_pages_render_in_chromium(cb: Connectbot) -> None:
    if cb.settings.database_url.startswith("postgresql"):
        pytest.skip("one backend is enough for the browser check")
    approved = await authorize(cb, await link_for(cb, VENDOR))
    declined = await authorize(cb, await link_for(cb, VENDOR_B), "deny")
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 900, "height": 700})
        response = await page.goto(approved)
        assert response is not None and response.status == 200
        assert await page.title() == "You're connected · connectbot"
        assert await page.locator("h1").inner_text() == "You're connected"
        badge = page.locator(".badge")
        color = await badge.evaluate("e => getComputedStyle(e).backgroundColor")
        assert color == "rgb(30, 166, 114)"  # the stylesheet applied (success green)
        await page.screenshot(path=str(ARTIFACTS / "oauth-connected.png"), full_page=True)

        response = await page.goto(declined)
        assert response is not None and response.status == 200
        assert "declined" in await page.locator("h1").inner_text()
        assert "/connect-vendor" in await page.locator("main").inner_text()
        await page.screenshot(path=str(ARTIFACTS / "oauth-declined.png"), full_page=True)

        response = await page.goto(approved)  # the same URL again: refused
        assert response is not None and response.status == 400
        await page.screenshot(path=str(ARTIFACTS / "oauth-reused.png"), full_page=True)
    assert (ARTIFACTS / "oauth-connected.png").stat().st_size > 5000
