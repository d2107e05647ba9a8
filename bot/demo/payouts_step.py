"""The demo's payouts step: two days on, Stripe pays part of Vera's balance out to her bank, and
she asks `/payouts` (docs/guide.md section 7). Its own module, so the story in `script.py` gains
one line."""

from __future__ import annotations

from bot.demo.checks import vendor_row
from bot.demo.stage import Stage, StepFailed
from bot.sandbox_workspace import GENERAL_CHANNEL, VENDOR

PAYOUT_CENTS = 2500  # within Vera's balance after the earlier steps ($100.00 net, less $40.00)
TWO_DAYS = 2 * 86400  # a card payment's funds become available two days on (the fake's rule)


async def vera_payouts(stage: Stage) -> None:
    """Make Vera's funds available on the fake's clock, pay $25.00 out (the fake refuses more
    than is available, as Stripe does), then Vera's private `/payouts` answer must show the
    payout on its way and what is left."""
    row = await vendor_row(stage, VENDOR)
    if row is None or not row.stripe_account_id:
        raise StepFailed("Vera has no connected Stripe account to pay out from")
    stage.say("Two days pass on the fake Stripe's clock: Vera's charge is available for payout")
    await stage.stripe_post("/_fake/clock", {"advance": TWO_DAYS})
    stage.say("Stripe pays $25.00 of Vera's balance out to her bank (the fake Stripe's payout)")
    await stage.stripe_post(
        f"/_fake/accounts/{row.stripe_account_id}/payouts",
        {"amount": PAYOUT_CENTS, "status": "in_transit"},
    )
    await stage.command(VENDOR, "/payouts", channel=GENERAL_CHANNEL)
    await stage.wait_for_message(
        GENERAL_CHANNEL,
        "Next payout",
        "$25.00",
        "in transit",
        for_user=VENDOR,
        what="Vera's private answer with the payout on its way",
    )
