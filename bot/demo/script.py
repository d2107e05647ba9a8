"""The demo's story, step by step: each step acts as people would, then checks the outcome.

A step raises `StepFailed` with one line when what it expects did not happen: the message
that should have appeared, the row the database should hold, the request Stripe should have
seen. Steps run in order and may leave notes for later ones in `stage.memo`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select

from bot.demo.checks import (
    all_charges,
    button_url,
    customer_row,
    modal_inputs,
    shared_csv,
    stripe_saw_the_fee,
    vendor_row,
)
from bot.demo.event_steps import dispute_won, fraud_warning, payout_fails
from bot.demo.notify import choose_new_customers, new_customer_announced
from bot.demo.payouts_step import vera_payouts
from bot.demo.stage import Stage, StepFailed
from bot.money import Money, format_money
from bot.sandbox_workspace import GENERAL_CHANNEL, OPERATOR, OPS_CHANNEL, VENDOR, VENDOR_2
from storage.models import AuditEntry, Charge, Customer, Refund, SharedCustomer, Vendor

VISA, DECLINING_VISA = "4242424242424242", "4000000000000002"
JANE, SAM = "jane@example.com", "sam@example.com"


@dataclass(frozen=True)
class Step:
    """A heading, and what happens under it (acting and checking)."""

    title: str
    run: Callable[[Stage], Awaitable[None]]


def connect(vendor: str, *, by_self: bool = False) -> Callable[[Stage], Awaitable[None]]:
    """Otto sends the vendor a Connect link by DM, or (`by_self`) the vendor types
    `/connect-vendor` in #general and gets the link privately; the vendor approves on Stripe's
    page."""

    async def run(stage: Stage) -> None:
        name = stage.first_name(vendor)
        if by_self:
            await stage.command(vendor, "/connect-vendor", channel=GENERAL_CHANNEL)
            where, for_user, what = GENERAL_CHANNEL, vendor, f"{name}'s private Connect link"
        else:
            await stage.command(OPERATOR, f"/connect-vendor @{name}", channel=OPS_CHANNEL)
            where, for_user, what = f"D{vendor}", None, f"{name}'s DM with a Connect link"
        dm = await stage.wait_for_message(where, "/oauth/authorize", for_user=for_user, what=what)
        url = button_url(dm, "Connect with Stripe")
        page = await stage.browse(
            name, url, "the link and approves on Stripe's page", sandbox_decision="approve"
        )
        if not page.url.startswith(f"{stage.urls.server}/stripe/oauth/callback"):
            raise StepFailed(f"approving on Stripe's page ended at {page.url}, not connectbot")

        async def connected() -> Vendor | None:
            row = await vendor_row(stage, vendor)
            return row if row is not None and row.status == "connected" else None

        row = await stage.until(connected, f"{name}'s vendor row to be connected")
        await stage.wait_for_message(
            f"D{vendor}", row.stripe_account_id, "is connected", what=f"{name}'s welcome DM"
        )
        await stage.wait_for_message(
            OPS_CHANNEL, row.stripe_account_id, "connected", what=f"#ops told {name} connected"
        )

    return run


def add_customer(email: str, name: str, card: str) -> Callable[[Stage], Awaitable[None]]:
    """Otto adds a customer; the customer saves `card` on the Checkout page he was given."""

    async def run(stage: Stage) -> None:
        await stage.command(OPERATOR, f"/add-customer {email} {name}", channel=OPS_CHANNEL)
        reply = await stage.wait_for_message(
            OPS_CHANNEL,
            email,
            "/checkout/pay/",
            for_user=OPERATOR,
            what=f"Otto's private reply with {email}'s card link",
        )
        url = button_url(reply, "Open the Checkout page")
        page = await stage.browse(
            name.split(" ")[0], url, f"Checkout and saves card {card}", sandbox_card=card
        )
        if not page.url.startswith(f"{stage.urls.server}/checkout/done"):
            raise StepFailed(f"saving the card ended at {page.url}, not connectbot's done page")

        async def saved() -> Customer | None:
            row = await customer_row(stage, email)
            return row if row is not None and row.card_last4 == card[-4:] else None

        await stage.until(saved, f"{email}'s card •••• {card[-4:]} to be on file")
        await stage.wait_for_message(
            OPS_CHANNEL, email, f"card on file: Visa •••• {card[-4:]}", what="#ops told the card"
        )

    return run


async def share_jane(stage: Stage) -> None:
    await stage.command(OPERATOR, f"/share-customer @Vera {JANE}", channel=OPS_CHANNEL)

    async def shared() -> SharedCustomer | None:
        async with stage.sessions() as session:
            return await session.scalar(
                select(SharedCustomer)
                .join(Vendor, Vendor.id == SharedCustomer.vendor_id)
                .where(
                    Vendor.slack_user_id == VENDOR,
                    SharedCustomer.vendor_payment_method_id.is_not(None),
                )
            )

    await stage.until(shared, "Jane's card to be shared onto Vera's Stripe account")
    await stage.wait_for_message(OPS_CHANNEL, JANE, "was shared with", what="#ops told the share")


def charge(
    vendor: str, amount: str, email: str, *, memo: str, declined: bool = False
) -> Callable[[Stage], Awaitable[None]]:
    """Otto types `/charge`, submits the modal unchanged, and the charge settles as expected."""

    async def run(stage: Stage) -> None:
        name = stage.first_name(vendor)
        before = {c.id for c in await all_charges(stage)}
        text = f"/charge @{name} {amount} {email}"
        view = await stage.open_charge_modal(OPERATOR, text, channel=OPS_CHANNEL)
        await stage.submit(OPERATOR, view, modal_inputs(view))

        async def settled() -> Charge | None:
            fresh = [c for c in await all_charges(stage) if c.id not in before]
            return fresh[0] if fresh and fresh[0].status != "pending" else None

        row = await stage.until(settled, f"the charge for {name} to settle")
        stage.memo[memo] = row.id
        expected = "failed" if declined else "succeeded"
        if row.status != expected:
            raise StepFailed(f"the charge for {name} is {row.status}, expected {expected}")
        await stripe_saw_the_fee(stage, row)
        if declined:
            if not row.failure_code:
                raise StepFailed("the declined charge has no failure code recorded")
            await stage.wait_for_message(
                OPS_CHANNEL, "was declined", for_user=OPERATOR, what="Otto told of the decline"
            )
        else:
            await stage.wait_for_message(
                OPS_CHANNEL, row.payment_intent_id or row.id, "Charged", what="#ops told the charge"
            )
            await stage.wait_for_message(
                f"D{vendor}", "Charged", row.payment_intent_id or row.id, what=f"{name}'s DM"
            )

    return run


async def split_cart(stage: Stage) -> None:
    """Otto charges Jane for Vera and Victor at once: one modal, one charge per vendor on their
    own accounts, one cart confirmation in #ops, each vendor a DM about their own part."""
    before = {c.id for c in await all_charges(stage)}
    text = f"/charge @Vera 60.00 @Victor 40.00 {JANE} order #1042"
    view = await stage.open_charge_modal(OPERATOR, text, channel=OPS_CHANNEL)
    await stage.submit(OPERATOR, view, modal_inputs(view))

    async def charged() -> list[Charge] | None:
        parts = [c for c in await all_charges(stage) if c.id not in before]
        done = len(parts) == 2 and all(c.status == "succeeded" for c in parts)
        return parts if done else None

    parts = await stage.until(charged, "both parts of the cart to be charged")
    if len({c.cart_id for c in parts}) != 1 or parts[0].cart_id is None:
        raise StepFailed("the two parts are not one cart")
    for part in parts:
        await stripe_saw_the_fee(stage, part)
    cart_id = parts[0].cart_id
    await stage.wait_for_message(
        OPS_CHANNEL, cart_id, "charged $100.00", what="#ops told the whole cart once"
    )
    await stage.wait_for_message(f"D{VENDOR}", "Charged $60.00", what="Vera's DM about her part")
    await stage.wait_for_message(
        f"D{VENDOR_2}", "Charged $40.00", what="Victor's DM about his part"
    )


async def refund_part(stage: Stage) -> None:
    charge_id = stage.memo["vera_charge"]
    await stage.command(OPERATOR, f"/refund {charge_id} 40", channel=OPS_CHANNEL)

    async def refunded() -> Refund | None:
        async with stage.sessions() as session:
            return await session.scalar(
                select(Refund).where(Refund.charge_id == charge_id, Refund.status == "succeeded")
            )

    refund = await stage.until(refunded, f"a refund of {charge_id} to succeed")
    if refund.amount != 4000:
        raise StepFailed(f"the refund is {refund.amount} cents, expected 4000")
    await stage.wait_for_message(OPS_CHANNEL, "$40.00 of $100.00", what="#ops told the refund")


async def dispute(stage: Stage) -> None:
    async with stage.sessions() as session:
        row = await session.get(Charge, stage.memo["victor_charge"])
    if row is None or not row.stripe_charge_id:
        raise StepFailed("Victor's charge has no Stripe charge id to dispute")
    stage.say(
        f"Jane disputes {row.stripe_charge_id} with her bank (the fake Stripe opens a dispute)"
    )
    opened = await stage.stripe_post("/_fake/disputes", {"charge": row.stripe_charge_id})
    stage.memo["victor_dispute"] = str(opened["id"])
    await stage.wait_for_message(OPS_CHANNEL, "Dispute", row.id, what="#ops told the dispute")
    await stage.wait_for_message(f"D{VENDOR_2}", "Dispute", what="Victor's DM about the dispute")

    async def audited() -> AuditEntry | None:
        async with stage.sessions() as session:
            return await session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == "dispute.created", AuditEntry.target == row.id
                )
            )

    await stage.until(audited, "the dispute's audit row")


async def fees_today(stage: Stage) -> None:
    await stage.command(OPERATOR, "/fees today", channel=OPS_CHANNEL)
    succeeded = [c for c in await all_charges(stage) if c.status == "succeeded"]
    needles = []
    for vendor in (VENDOR, VENDOR_2):
        row = await vendor_row(stage, vendor)
        mine = [c for c in succeeded if row is not None and c.vendor_id == row.id]
        kept = sum(c.application_fee_amount - c.fee_refunded for c in mine)
        needles.append(f"<@{vendor}>: {len(mine)} charge")
        needles.append(f"platform fees {format_money(Money(kept, 'usd'))}")
    await stage.wait_for_message(
        OPS_CHANNEL, *needles, what="the fee summary for both vendors, as the charges add up"
    )
    fees = sum(c.application_fee_amount - c.fee_refunded for c in succeeded)
    gross = sum(c.amount for c in succeeded)
    stage.memo["summary"] = (
        f"platform fees today {format_money(Money(fees, 'usd'))} "
        f"on {format_money(Money(gross, 'usd'))} charged"
    )


async def fees_csv(stage: Stage) -> None:
    await stage.command(OPERATOR, "/fees month csv", channel=OPS_CHANNEL)
    message = await stage.wait_for_message(
        OPS_CHANNEL, "as CSV", what="this month's fees shared as a CSV file"
    )
    rows = await shared_csv(stage, message)
    succeeded = [c for c in await all_charges(stage) if c.status == "succeeded"]
    charges = [r for r in rows if r["date"] != "TOTAL"]
    if sorted(r["charge"] for r in charges) != sorted(c.id for c in succeeded):
        raise StepFailed("the CSV does not hold one row per succeeded charge")
    [total] = [r for r in rows if r["date"] == "TOTAL"]
    gross = format_money(Money(sum(c.amount for c in succeeded), "usd"))
    if f"${total['gross']}" != gross.replace(",", ""):
        raise StepFailed(f"the CSV's gross {total['gross']} is not {gross}")


STORY: tuple[Step, ...] = (
    Step("Vera connects her Stripe account", connect(VENDOR)),
    Step(
        "Victor types /connect-vendor himself and connects his Stripe account",
        connect(VENDOR_2, by_self=True),
    ),
    Step("Ada has every new customer announced in #general (/notify)", choose_new_customers),
    Step(
        "Otto adds Jane Doe and she saves a card",
        new_customer_announced(add_customer(JANE, "Jane Doe", VISA)),
    ),
    Step("Otto shares Jane with Vera", share_jane),
    Step("Otto charges Jane $100.00 for Vera", charge(VENDOR, "100.00", JANE, memo="vera_charge")),
    Step(
        "Otto charges Jane $250.00 for Victor",
        charge(VENDOR_2, "250.00", JANE, memo="victor_charge"),
    ),
    Step("Otto charges Jane for Vera and Victor at once: a split cart", split_cart),
    Step(
        "Otto adds Sam, whose card will be declined", add_customer(SAM, "Sam Smith", DECLINING_VISA)
    ),
    Step(
        "Otto charges Sam $30.00 for Vera, and the card is declined",
        charge(VENDOR, "30.00", SAM, memo="declined_charge", declined=True),
    ),
    Step("Otto refunds $40.00 of Vera's charge", refund_part),
    Step("Jane disputes Victor's charge", dispute),
    Step("Victor wins the dispute", dispute_won),
    Step("Jane's bank warns that Vera's charge may be fraud", fraud_warning),
    Step("Vera's payout fails", payout_fails),
    Step("Otto asks for today's fees", fees_today),
    Step("Otto exports this month's charges as a CSV file", fees_csv),
    Step("Two days later Stripe pays Vera out, and she asks /payouts", vera_payouts),
)
