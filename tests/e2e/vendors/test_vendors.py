"""`/vendors`: the list by role, paging, admins' fee/channel settings, and disconnecting."""

from __future__ import annotations

from sqlalchemy import select

from bot.permissions import not_admin
from storage.models import AuditEntry, Vendor
from tests.e2e.vendors.test_onboarding import (
    VENDOR,
    VENDOR_B,
    channel_texts,
    connect,
    reply_to,
    stored_vendor,
)
from tests.harness import ADMIN, OPERATOR, TEAM_ID, Connectbot


async def test_operators_see_every_vendor_a_vendor_only_themselves(cb: Connectbot) -> None:
    first = await connect(cb, VENDOR)
    second = await connect(cb, VENDOR_B)
    reply = await cb.slack_sender.command("/vendors", "", user_id=OPERATOR)
    listed = str(await reply_to(cb, reply.response_key))
    assert first.stripe_account_id in listed and second.stripe_account_id in listed
    for account in (first.stripe_account_id, second.stripe_account_id):
        assert f"<https://dashboard.stripe.com/test/connect/accounts/{account}|{account}>" in listed
    assert "default (10%)" in listed and "connected" in listed

    reply = await cb.slack_sender.command("/vendors", "", user_id=VENDOR)
    own = str(await reply_to(cb, reply.response_key))
    assert first.stripe_account_id in own and second.stripe_account_id not in own
    # Their own account is code: its link opens the platform's Connect page.
    assert f"`{first.stripe_account_id}`" in own and "connect/accounts" not in own

    # Refused privately (in the ack: the role is known before it), with no vendor's account.
    reply = await cb.slack_sender.command("/vendors", "", user_id="U0STRANGER")
    assert "Only connectbot operators" in reply.body and "acct_" not in reply.body
    assert await cb.slack.responses(str(reply.response_key)) == []


async def test_the_list_pages_past_twenty(cb: Connectbot) -> None:
    async with cb.sessions.begin() as session:
        for n in range(25):
            session.add(
                Vendor(
                    team_id=TEAM_ID,
                    slack_user_id=f"U0PAGE{n:02d}",
                    stripe_account_id=f"acct_page{n:02d}",
                    status="connected",
                )
            )
    reply = await cb.slack_sender.command("/vendors", "", user_id=ADMIN)
    first = await reply_to(cb, reply.response_key)
    text = str(first["blocks"])
    assert "acct_page00" in text and "acct_page19" in text and "acct_page20" not in text
    assert "Showing 1–20 of 25" in text
    message = {"blocks": first["blocks"], "channel": "C_GENERAL"}
    click = await cb.slack_sender.block_action("vendors_page_next", user_id=ADMIN, message=message)
    second = await reply_to(cb, click.response_key)
    assert second["replace_original"] is True
    text = str(second["blocks"])
    assert "acct_page20" in text and "acct_page24" in text and "acct_page19" not in text


async def test_admin_sets_a_fee_and_a_channel_and_both_are_audited(cb: Connectbot) -> None:
    await connect(cb, VENDOR)
    reply = await cb.slack_sender.command("/vendors", f"fee <@{VENDOR}|v> 5% + 0.30", user_id=ADMIN)
    answer = await reply_to(cb, reply.response_key)
    assert "5% + $0.30" in answer["text"]
    reply = await cb.slack_sender.command(
        "/vendors", f"channel <@{VENDOR}|v> <#C0SHOP|shop>", user_id=ADMIN
    )
    assert "<#C0SHOP>" in (await reply_to(cb, reply.response_key))["text"]
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.channel_id == "C0SHOP"
    assert (str(vendor.fee_percent), vendor.fee_fixed, vendor.fee_currency) == ("5.000", 30, "usd")
    async with cb.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert {"vendor.fee", "vendor.channel"} <= set(actions)

    # Malformed text is refused in the ack (privately), with the usage, like every command's.
    reply = await cb.slack_sender.command("/vendors", f"fee <@{VENDOR}|v> 200%", user_id=ADMIN)
    assert "below 100%" in reply.body and "Usage:" in reply.body


async def test_only_admins_change_vendors(cb: Connectbot) -> None:
    await connect(cb, VENDOR)
    for text, what in (
        (f"fee <@{VENDOR}> 5%", "change a vendor's platform fee"),
        (f"channel <@{VENDOR}> <#C0X>", "choose where a vendor's notifications go"),
        (f"disconnect <@{VENDOR}>", "disconnect a vendor"),
    ):
        reply = await cb.slack_sender.command("/vendors", text, user_id=OPERATOR)
        assert reply.body == not_admin(what), reply.body
        assert "Ask a connectbot admin" in reply.body and "USER_IDS" not in reply.body
    vendor = await stored_vendor(cb, VENDOR)
    assert vendor is not None and vendor.fee_percent is None and vendor.status == "connected"


async def test_disconnect_asks_first_then_deauthorizes_once(cb: Connectbot) -> None:
    vendor = await connect(cb, VENDOR)
    await cb.until(lambda: channel_texts(cb), what="the connected note")
    reply = await cb.slack_sender.command("/vendors", f"disconnect <@{VENDOR}|v>", user_id=ADMIN)
    question = await reply_to(cb, reply.response_key)
    account = vendor.stripe_account_id
    link = f"<https://dashboard.stripe.com/test/connect/accounts/{account}|{account}>"
    assert question["text"].startswith(f"Disconnect <@{VENDOR}> ({link})? ")
    assert f":warning: Disconnect <@{VENDOR}> ({link})? " in str(question["blocks"])
    assert [r for r in await cb.stripe.requests() if r["path"] == "/oauth/deauthorize"] == []

    message = {"blocks": question["blocks"], "channel": "C_GENERAL"}
    click = await cb.slack_sender.block_action(
        "vendors_disconnect_confirm", user_id=ADMIN, message=message
    )
    done = await reply_to(cb, click.response_key)
    assert "is disconnected" in done["text"]
    calls = [r for r in await cb.stripe.requests() if r["path"] == "/oauth/deauthorize"]
    assert [(c["params"]["stripe_user_id"], c["status"]) for c in calls] == [
        (vendor.stripe_account_id, 200)
    ]
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and row.status == "disconnected"

    await cb.stripe.deliver()  # the account.application.deauthorized webhook: a no-op now
    await cb.until(lambda: _disconnect_messages(cb), what="the disconnection message", timeout=5)
    await cb.settled()
    assert len(await _disconnect_messages(cb)) == 1
    assert f"by <@{ADMIN}>" in (await _disconnect_messages(cb))[0]


async def _disconnect_messages(cb: Connectbot) -> list[str]:
    return [t for t in await channel_texts(cb) if "disconnected" in t]


async def test_help_and_unknown_subcommands(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/vendors", "help", user_id=VENDOR)
    assert (
        "Usage:" not in reply.body and "Only connectbot operators, admins and vendors" in reply.body
    )
    await connect(cb, VENDOR)  # now a vendor: the one form they may run, and only that
    reply = await cb.slack_sender.command("/vendors", "help", user_id=VENDOR)
    assert "Usage:" in reply.body and "/vendors — list vendors" in reply.body
    assert "fee" not in reply.body and "disconnect" not in reply.body
    reply = await cb.slack_sender.command("/vendors", "help", user_id=ADMIN)
    assert "/vendors fee @vendor 5% + 0.30" in reply.body
    reply = await cb.slack_sender.command("/vendors", "explode", user_id=ADMIN)
    assert "don't know" in reply.body and "Usage:" in reply.body
