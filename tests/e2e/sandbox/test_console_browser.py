"""The sandbox console in a real headless Chromium: connect → add customer → card → charge.

The sandbox runs in-process (`running_sandbox`), exactly as `connectbot sandbox` starts it;
the browser does what a person would, and screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from bot.sandbox_workspace import ADMIN, BOT_TOKEN, SandboxUrls
from tests.browser import (
    ARTIFACTS,
    CONSOLE_WAIT,
    be,
    click_to_open,
    message,
    open_conversation,
    shot,
    type_command,
    vendor_invite,
)

pytestmark = pytest.mark.browser


async def test_help_reply_is_private_and_only_for_its_caller(
    page: Any, sandbox: SandboxUrls
) -> None:
    await page.goto(sandbox.console)
    await be(page, "Vera")
    await open_conversation(page, "general")
    await type_command(page, "/connect-vendor help")
    reply = message(page, "/connect-vendor")
    await reply.wait_for(timeout=CONSOLE_WAIT)
    assert "Only visible to you" in await reply.inner_text()
    # Help lists only the forms the caller may run: Vera's own link, not sending one to others.
    assert await reply.locator("code", has_text="get your own Connect").count() == 1
    assert await reply.locator("code", has_text="/connect-vendor @vendor").count() == 0
    await shot(page, "help-reply")

    await be(page, "Otto")
    await open_conversation(page, "general")
    await page.wait_for_timeout(1500)  # at least one poll as Otto
    assert await page.locator(".message", has_text="/connect-vendor").count() == 0


async def test_text_from_messages_is_never_markup(page: Any, sandbox: SandboxUrls) -> None:
    await page.goto(sandbox.console)
    await open_conversation(page, "general")
    await type_command(page, "<img src=x onerror=alert(1)> *bold* <b>no</b>")
    said = message(page, "bold")
    await said.wait_for(timeout=CONSOLE_WAIT)
    assert await said.locator("img").count() == 0
    assert await said.locator("b").count() == 0
    assert await said.locator("strong", has_text="bold").count() == 1
    assert "<img src=x onerror=alert(1)>" in await said.inner_text()


async def test_connect_card_and_charge_by_clicking(page: Any, sandbox: SandboxUrls) -> None:
    await page.goto(sandbox.console)

    # Otto sends Vera her Connect link; she gets it by DM from the app.
    invite = await vendor_invite(page)
    await shot(page, "vendor-dm")

    # The URL button opens the fake Stripe's OAuth page; approving shows connectbot's page.
    oauth = await click_to_open(page, invite, "Connect with Stripe")
    await oauth.locator("button", has_text="Approve").click()
    await oauth.wait_for_url(re.compile(r"/stripe/oauth/callback"), timeout=CONSOLE_WAIT)
    assert "connected" in (await oauth.locator("h1").inner_text()).lower()
    await oauth.screenshot(path=str(ARTIFACTS / "console-oauth-callback.png"))
    await oauth.close()
    await message(page, "is connected to the marketplace").wait_for(timeout=CONSOLE_WAIT)

    # The seeded customer already has a card, and #ops holds no card link nobody asked for.
    await be(page, "Otto")
    await open_conversation(page, "ops")
    await message(page, "carol@example.com").wait_for(timeout=CONSOLE_WAIT)
    assert await page.locator(".message", has_text="/checkout/pay/").count() == 0
    # A new customer: Otto's private reply has the card link; Dan types his own expiry.
    await type_command(page, "/add-customer dan@example.com Dan Doe")
    card_link = message(page, "dan@example.com")
    await card_link.locator("button", has_text="Checkout").wait_for(timeout=CONSOLE_WAIT)
    checkout = await click_to_open(page, card_link, "Checkout")
    await checkout.fill("#exp", "04 / 32")
    await checkout.locator("button", has_text="Save card").click()
    await checkout.wait_for_load_state()
    await checkout.screenshot(path=str(ARTIFACTS / "console-checkout-done.png"))
    await checkout.close()
    # the card on file has the expiry Dan typed, not the form's default
    await message(page, "exp 04/32").wait_for(timeout=CONSOLE_WAIT)

    # /charge opens the modal; a bad amount shows the error under its input; then it charges.
    await type_command(page, "/charge @Vera 100 carol@example.com Tuning session")
    modal = page.locator("#modal")
    await modal.wait_for(state="visible", timeout=CONSOLE_WAIT)
    await shot(page, "charge-modal")
    amount = modal.locator(".input-block", has_text="Amount").locator("input")
    await amount.fill("0")
    await modal.locator("#modal-submit").click()
    error = modal.locator(".input-error:not(:empty)")
    await error.wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "charge-modal-error")
    await amount.fill("100")
    await modal.locator("#modal-submit").click()
    await modal.wait_for(state="hidden", timeout=CONSOLE_WAIT)
    charged = message(page, "$100.00")
    await charged.wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "charged")

    # A plain button sends block_actions with its message; the reply replaces the message.
    await be(page, "Ada")
    await type_command(page, "/vendors disconnect @Vera")
    question = message(page, "Disconnect")
    await question.wait_for(timeout=CONSOLE_WAIT)
    assert await question.locator("button.danger", has_text="Disconnect").count() == 1
    await shot(page, "disconnect-question")
    await question.locator("button", has_text="Cancel").click()
    await message(page, "Cancelled: nothing was disconnected.").wait_for(timeout=CONSOLE_WAIT)
    assert await page.locator(".message", has_text="Disconnect @Vera").count() == 0


async def publish_home(sandbox: SandboxUrls, user: str, blocks: list[dict[str, Any]]) -> None:
    """Publish a Home tab through the fake's Web API, as an app would."""
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{sandbox.slack}/api/views.publish",
            json={"user_id": user, "view": {"type": "home", "blocks": blocks}},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        ) as resp:
            assert (await resp.json())["ok"]


async def test_app_home_tab_sends_app_home_opened_and_renders_the_view(
    page: Any, sandbox: SandboxUrls
) -> None:
    await page.goto(sandbox.console)
    await be(page, "Ada")
    await open_conversation(page, "connectbot")
    async with page.expect_request("**/console/api/home") as sent:
        await page.locator("#tab-home").click()
    assert (await sent.value).post_data_json == {"user": ADMIN}
    await page.locator("#home .header-block", has_text="Vendors").wait_for(timeout=CONSOLE_WAIT)
    assert await page.locator("#composer").is_hidden()

    await publish_home(
        sandbox,
        ADMIN,
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Marketplace today"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Volume*\n$1,200.00"},
                    {"type": "mrkdwn", "text": "*Fees*\n$120.00"},
                ],
            },
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated _just now_"}]},
        ],
    )
    home = page.locator("#home")
    await home.locator(".header-block", has_text="Marketplace today").wait_for(timeout=CONSOLE_WAIT)
    assert await home.locator(".field").count() == 2
    assert await home.locator("hr.divider").count() == 1
    assert await home.locator(".context em", has_text="just now").count() == 1
    await shot(page, "app-home")
