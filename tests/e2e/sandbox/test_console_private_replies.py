"""The console shows what Slack would: a private reply in a private channel without the app.

The sandbox seeds #vendor-lounge (Ada and the vendors, the app never invited): connectbot's
answers after the ack come through the command's response URL, so Ada sees them there and the
vendors in the same channel do not.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox_workspace import SandboxUrls
from tests.browser import CONSOLE_WAIT, be, message, open_conversation, shot, type_command

pytestmark = pytest.mark.browser


async def test_replies_after_the_ack_reach_the_caller_in_a_channel_without_the_app(
    page: Any, sandbox: SandboxUrls
) -> None:
    await page.goto(sandbox.console)
    await be(page, "Ada")
    await open_conversation(page, "vendor-lounge")
    await type_command(page, "/add-customer dave@example.com Dave")
    await message(page, "dave@example.com").wait_for(timeout=CONSOLE_WAIT)
    await type_command(page, "/refund cb_ch_nosuchcharge")
    await message(page, "No connectbot charge").wait_for(timeout=CONSOLE_WAIT)
    await shot(page, "private-replies-lounge")

    await be(page, "Vera")  # in the same channel, she sees neither
    await open_conversation(page, "vendor-lounge")
    await page.wait_for_timeout(1500)  # a console poll
    assert await page.locator(".message", has_text="dave@example.com").count() == 0
    assert await page.locator(".message", has_text="No connectbot charge").count() == 0
