"""The guide's marketplace features, walked in the sandbox console, with their screenshots.

Vera and Victor connect; Ada has new customers announced in #general (/notify); Otto adds Jane,
charges her for both vendors in one split cart, and exports the month's fees as a CSV file;
Vera's bank returns a payout and she is told by DM. Each step in a real headless Chromium, as a
person would type and click it; the Stripe side (time passing, the bank's answer) goes through
the fake Stripe's control routes, as the demo's do (bot/demo/event_steps.py).
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
    connect_vendor,
    message,
    open_conversation,
    type_command,
)
from tests.e2e.sandbox.guide_images import check_images

pytestmark = pytest.mark.browser

# The screenshots of docs/guide.md this story takes, in its order.
SHOTS = ("notify", "cart-modal", "cart-charged", "fees-csv", "payout-failed")
CART = "/charge @Vera 60.00 @Victor 40.00 jane@example.com order #1042"


async def stripe(sandbox: SandboxUrls, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A control route of the fake Stripe (what the bank or time does); its JSON answer."""
    async with aiohttp.ClientSession() as http:
        async with http.post(sandbox.stripe + path, json=body) as answer:
            assert answer.status == 200, await answer.text()
            result: dict[str, Any] = await answer.json()
            return result


async def test_the_marketplace_story_in_the_console(
    guide_page: Any, sandbox: SandboxUrls, folder: Path
) -> None:
    page = guide_page

    async def shot(name: str) -> None:
        assert name in SHOTS
        await page.screenshot(path=str(folder / f"{name}.png"))

    await page.goto(sandbox.console)
    vera = await connect_vendor(page, "Vera")
    await connect_vendor(page, "Victor")

    # Ada has every new customer announced in #general, and lists what is announced.
    await be(page, "Ada")
    await open_conversation(page, "ops")
    await type_command(page, "/notify add customer.created #general")
    added = message(page, "events are announced in")
    await added.wait_for(timeout=CONSOLE_WAIT)
    # `<#C0GENERAL>` shows the channel's name, as in Slack.
    assert "in #general." in await added.inner_text()
    await type_command(page, "/notify list")
    listing = message(page, "because an admin chose them")
    await listing.wait_for(timeout=CONSOLE_WAIT)
    assert "customer.created" in await listing.inner_text()
    await shot("notify")

    # Otto adds Jane; she saves her card; #general hears of the new customer.
    await be(page, "Otto")
    await open_conversation(page, "ops")
    await type_command(page, "/add-customer jane@example.com Jane Doe")
    card_link = message(page, "jane@example.com")
    await card_link.locator("button", has_text="Checkout").wait_for(timeout=CONSOLE_WAIT)
    checkout = await click_to_open(page, card_link, "Checkout")
    await checkout.locator("button", has_text="Save card").click()
    await checkout.wait_for_load_state()
    await checkout.close()
    saved = page.locator(".message", has_text="card on file").filter(has_text="jane@example.com")
    await saved.last.wait_for(timeout=CONSOLE_WAIT)
    await open_conversation(page, "general")
    await message(page, "customer.created").wait_for(timeout=CONSOLE_WAIT)

    # The split cart: one modal with each part, then one confirmation for the whole cart.
    await open_conversation(page, "ops")
    await type_command(page, CART)
    modal = page.locator("#modal")
    await modal.wait_for(state="visible", timeout=CONSOLE_WAIT)
    await modal.locator("text=Victor").first.wait_for(timeout=CONSOLE_WAIT)
    await shot("cart-modal")
    await modal.locator("#modal-submit").click()
    await modal.wait_for(state="hidden", timeout=CONSOLE_WAIT)
    cart = message(page, "charged $100.00")
    await cart.wait_for(timeout=CONSOLE_WAIT)
    assert "cb_cart_" in await cart.inner_text()
    await shot("cart-charged")

    # This month's charges as a CSV file, shared in #ops.
    await type_command(page, "/fees month csv")
    shared = message(page, "as CSV")
    await shared.wait_for(timeout=CONSOLE_WAIT)
    card = await shared.locator(".file-card").inner_text()
    assert re.search(r"fees-[0-9.-]+\.csv · CSV · \d+ bytes", card), card
    await shot("fees-csv")

    # Two days on, Vera's $50.00 payout comes back from her bank: she is told by DM.
    await stripe(sandbox, "/_fake/clock", {"advance": 2 * 86400})
    payout = await stripe(
        sandbox, f"/_fake/accounts/{vera}/payouts", {"amount": 5000, "status": "in_transit"}
    )
    await stripe(
        sandbox,
        f"/_fake/accounts/{vera}/payouts/{payout['id']}/settle",
        {"status": "failed", "failure_code": "account_closed"},
    )
    await be(page, "Vera")
    await open_conversation(page, "connectbot")
    await message(page, "Payout of $50.00").wait_for(timeout=CONSOLE_WAIT)
    await shot("payout-failed")

    check_images(folder, SHOTS)
