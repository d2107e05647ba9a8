"""Demo steps for the Stripe events connectbot announces (issue 17, section 2): a dispute won,
an early fraud warning with refund advice, a payout returned by the bank. Each acts through the
fake Stripe's control routes, as the bank or the vendor's Dashboard would, and waits for the
message the person concerned gets.
"""

from __future__ import annotations

from bot.demo.checks import vendor_row
from bot.demo.stage import Stage, StepFailed
from bot.sandbox_workspace import OPS_CHANNEL, VENDOR, VENDOR_2
from storage.models import Charge


async def dispute_won(stage: Stage) -> None:
    """Victor sends evidence in his Stripe Dashboard and wins: the money comes back."""
    dispute_id = stage.memo["victor_dispute"]
    stage.say("Victor answers the dispute in his Stripe Dashboard; the bank decides for him")
    await stage.stripe_post(f"/_fake/disputes/{dispute_id}/progress", {"status": "under_review"})
    await stage.stripe_post(f"/_fake/disputes/{dispute_id}/progress", {"status": "won"})
    await stage.wait_for_message(f"D{VENDOR_2}", "was won", what="Victor's DM: the dispute won")
    await stage.wait_for_message(
        OPS_CHANNEL, "went back to", "$250.00", what="#ops told the funds were reinstated"
    )


async def fraud_warning(stage: Stage) -> None:
    """Jane's bank warns that Vera's charge may be fraud: connectbot suggests a refund."""
    async with stage.sessions() as session:
        row = await session.get(Charge, stage.memo["vera_charge"])
    if row is None or not row.stripe_charge_id:
        raise StepFailed("Vera's charge has no Stripe charge id")
    stage.say(f"Jane's bank reports {row.stripe_charge_id} as made with a stolen card")
    await stage.stripe_post(
        f"/_fake/charges/{row.stripe_charge_id}/early_fraud_warning",
        {"fraud_type": "made_with_stolen_card"},
    )
    await stage.wait_for_message(
        f"D{VENDOR}", "Early fraud warning", f"/refund {row.id}", what="Vera's DM: refund advice"
    )


async def payout_fails(stage: Stage) -> None:
    """Vera's payout comes back from her bank: she is told why and what to do."""
    vendor = await vendor_row(stage, VENDOR)
    if vendor is None:
        raise StepFailed("Vera has no vendor row")
    account = vendor.stripe_account_id
    # Stripe pays out only what is available (the fake refuses more, as Stripe does): a card
    # payment's funds become available two days on the fake's clock.
    stage.say("Two days pass on the fake Stripe's clock: Vera's charges are available")
    await stage.stripe_post("/_fake/clock", {"advance": 2 * 86400})
    payout = await stage.stripe_post(
        f"/_fake/accounts/{account}/payouts", {"amount": 5000, "status": "in_transit"}
    )
    stage.say("Vera's bank returns a $50.00 payout: the account was closed")
    await stage.stripe_post(
        f"/_fake/accounts/{account}/payouts/{payout['id']}/settle",
        {"status": "failed", "failure_code": "account_closed"},
    )
    await stage.wait_for_message(
        f"D{VENDOR}", "Payout of $50.00", "Add a new bank account", what="Vera's DM: the payout"
    )
