"""The story of docs/guide.md, walked in the sandbox console, with its screenshots.

Connect a vendor, add a customer and save a card, charge, refund, /fees, /payouts, App Home:
each step in a real headless Chromium, as a person would click it. The screenshots go to a
temporary folder and are checked to exist; with `UPDATE_SCREENSHOTS=1` they replace
docs/images/ (commit them). The marketplace's features (carts, /notify, exports, Stripe events)
have their own story (test_guide_marketplace_screenshots.py). Without Chromium the test skips
and says why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox_workspace import SandboxUrls
from tests.browser import (
    CONSOLE_WAIT,
    be,
    click_to_open,
    message,
    open_conversation,
    type_command,
    vendor_invite,
)
from tests.e2e.sandbox.guide_images import check_images

pytestmark = pytest.mark.browser

# Every screenshot docs/guide.md shows, in the order the story takes them.
SHOTS = (
    "connect-invite",
    "connect-oauth",
    "connect-done",
    "add-customer",
    "checkout",
    "card-saved",
    "charge-modal",
    "charged",
    "refunded",
    "fees",
    "payouts",
    "app-home",
)


async def test_the_guide_story_in_the_console(
    guide_page: Any, sandbox: SandboxUrls, folder: Path
) -> None:
    page = guide_page

    async def shot(target: Any, name: str) -> None:
        assert name in SHOTS
        await target.screenshot(path=str(folder / f"{name}.png"))

    await page.goto(sandbox.console)

    # An operator sends Vera her Connect link; she opens it from her DM with the app.
    invite = await vendor_invite(page)
    await shot(page, "connect-invite")
    oauth = await click_to_open(page, invite, "Connect with Stripe")
    await oauth.set_viewport_size({"width": 720, "height": 480})
    await oauth.locator("button", has_text="Approve").wait_for(timeout=CONSOLE_WAIT)
    await shot(oauth, "connect-oauth")
    await oauth.locator("button", has_text="Approve").click()
    await oauth.wait_for_url(re.compile(r"/stripe/oauth/callback"), timeout=CONSOLE_WAIT)
    await shot(oauth, "connect-done")
    await oauth.close()
    connected = message(page, "is connected to the marketplace")
    await connected.wait_for(timeout=CONSOLE_WAIT)
    account = re.search(r"acct_\w+", await connected.inner_text())
    assert account, "the welcome names Vera's Stripe account"

    # The operator adds a customer; the customer saves a card on Stripe's Checkout page.
    await be(page, "Otto")
    await open_conversation(page, "ops")
    await type_command(page, "/add-customer dave@example.com Dave Diaz")
    card_link = message(page, "dave@example.com")
    await card_link.wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "add-customer")
    checkout = await click_to_open(page, card_link, "Checkout")
    await checkout.set_viewport_size({"width": 720, "height": 560})
    await checkout.locator("button", has_text="Save card").wait_for(timeout=CONSOLE_WAIT)
    await shot(checkout, "checkout")
    await checkout.locator("button", has_text="Save card").click()
    await checkout.wait_for_load_state()
    await checkout.close()
    await message(page, "4242").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "card-saved")

    # A charge: the modal with its fee preview, then the confirmation in the channel.
    await type_command(page, "/charge @Vera 100 dave@example.com Tuning session")
    modal = page.locator("#modal")
    await modal.wait_for(state="visible", timeout=CONSOLE_WAIT)
    await modal.locator("text=platform fee").first.wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "charge-modal")
    await modal.locator("#modal-submit").click()
    await modal.wait_for(state="hidden", timeout=CONSOLE_WAIT)
    charged = message(page, "Charged $100.00")
    await charged.wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "charged")
    found = re.search(r"cb_ch_\w+", await charged.inner_text())
    assert found, "the confirmation names the connectbot charge id"

    # A partial refund, then the fee summary.
    await type_command(page, f"/refund {found.group(0)} 40")
    await message(page, "Refunded $40.00").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "refunded")
    await type_command(page, "/fees today")
    await message(page, "Net to vendor").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "fees")

    # Two days on, Stripe pays $25.00 of Vera's balance out; Vera asks for her payouts.
    async with aiohttp.ClientSession() as http:
        for path, body in (
            ("/_fake/clock", {"advance": 2 * 86400}),
            (
                f"/_fake/accounts/{account.group(0)}/payouts",
                {"amount": 2500, "status": "in_transit"},
            ),
        ):
            async with http.post(sandbox.stripe + path, json=body) as answer:
                assert answer.status == 200, await answer.text()
    await be(page, "Vera")
    await open_conversation(page, "connectbot")
    await type_command(page, "/payouts")
    await message(page, "Next payout").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "payouts")

    # App Home, as the admin sees it.
    await be(page, "Ada")
    await open_conversation(page, "connectbot")
    await page.locator("#tab-home").click()
    await page.locator("#home .header-block", has_text="Vendors").wait_for(timeout=CONSOLE_WAIT)
    await page.locator("#home", has_text="$100.00").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "app-home")

    check_images(folder, SHOTS)
