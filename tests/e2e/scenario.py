"""Set-ups that many end-to-end tests share: a connected vendor, a customer with a saved card;
then what those tests type (/charge, /refund, /notify), read (charge rows, PaymentIntents) and
check.

They go through the fake Stripe's real API (with the server's own stripe-python client) and
write the rows the product would have written, so a test can start where its feature starts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.demo.checks import modal_inputs as shown_inputs
from bot.services import SERVICES
from storage.models import Charge, Customer, Vendor, utcnow
from tests.harness import ADMIN, OPERATOR, TEAM_ID, Connectbot


async def connected_vendor(
    cb: Connectbot,
    slack_user_id: str,
    *,
    charges_enabled: bool = True,
    status: str = "connected",
    channel_id: str | None = None,
    email: str | None = None,
    livemode: bool = False,
) -> Vendor:
    """A Standard account on the fake Stripe, and its vendor row linked to `slack_user_id`.

    `livemode`: the account is made with a live key (a live account, as a live platform's OAuth
    connects); only for a vendor that is not charged (the platform's key is a test one)."""
    assert not (livemode and charges_enabled), "a live vendor cannot be charged with a test key"
    api = cb.app[SERVICES].stripe.api.v1
    account = await api.accounts.create_async(
        params={"type": "standard", "email": email or f"{slack_user_id.lower()}@vendor.test"},
        options={"api_key": "sk_live_e2e"} if livemode else None,
    )
    if charges_enabled:
        await cb.stripe.set_account(
            account.id, charges_enabled=True, payouts_enabled=True, details_submitted=True
        )
        await cb.events_handled()  # the account.updated webhook is handled before the test goes on
    vendor = Vendor(
        team_id=TEAM_ID,
        slack_user_id=slack_user_id,
        stripe_account_id=account.id,
        status=status,
        livemode=livemode,
        scope="read_write",
        email=email,
        charges_enabled=charges_enabled,
        payouts_enabled=charges_enabled,
        channel_id=channel_id,
        connected_at=utcnow(),
    )
    async with cb.sessions.begin() as session:
        session.add(vendor)
    return vendor


async def customer_with_card(
    cb: Connectbot, email: str, card: str = "pm_card_visa", *, name: str | None = None
) -> Customer:
    """A platform customer whose default card is a fresh `card` (a Stripe test method id).

    The same state a completed /add-customer Checkout leaves, without the Checkout round trip.
    """
    api = cb.app[SERVICES].stripe.api.v1
    params: dict[str, Any] = {"email": email.lower(), "metadata": {"connectbot_team": TEAM_ID}}
    if name:
        params["name"] = name
    stripe_customer = await api.customers.create_async(params=params)  # type: ignore[arg-type]
    method = await api.payment_methods.attach_async(card, params={"customer": stripe_customer.id})
    await api.customers.update_async(
        stripe_customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    assert method.card is not None
    customer = Customer(
        team_id=TEAM_ID,
        email=email.lower(),
        name=name,
        stripe_customer_id=stripe_customer.id,
        default_payment_method_id=method.id,
        card_brand=method.card.brand,
        card_last4=method.card.last4,
        card_exp_month=method.card.exp_month,
        card_exp_year=method.card.exp_year,
    )
    async with cb.sessions.begin() as session:
        session.add(customer)
    return customer


# --- charges (issue 7) -------------------------------------------------------------------------


async def open_charge_modal(
    cb: Connectbot, text: str, *, user: str, channel: str = "C_GENERAL"
) -> dict[str, Any]:
    """Type `/charge text` as `user`; the confirmation modal the fake Slack now holds."""
    before = cb.slack.view_ids()
    reply = await cb.slack_sender.command("/charge", text, user_id=user, channel_id=channel)
    assert reply.status == 200 and not reply.body, f"/charge refused: {reply.body}"

    def opened() -> list[str]:
        return cb.slack.views_since(before)

    new = await cb.until(opened, what="the charge modal")
    return await cb.slack.view(new[0])


def modal_inputs(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The modal's input blocks as shown (initial values), with `changes` by block id."""
    return {**shown_inputs(view), **changes}


async def vendor_payment_intents(cb: Connectbot, account: str) -> list[dict[str, Any]]:
    """Every PaymentIntent on `account` in the fake Stripe."""
    api = cb.app[SERVICES].stripe.api.v1
    listed = await api.payment_intents.list_async(
        params={"limit": 100}, options={"stripe_account": account}
    )
    return [intent.to_dict() for intent in listed.data]


async def charge_through_modal(
    cb: Connectbot, text: str, *, user: str, channel: str = "C_GENERAL"
) -> Charge:
    """Type `/charge text`, submit the modal unchanged, and return the charge once settled."""
    before = {c.id for c in await charges_in_db(cb)}
    view = await open_charge_modal(cb, text, user=user, channel=channel)
    reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=user)
    assert reply.status == 200, reply.body

    async def settled() -> Charge | None:
        fresh = [c for c in await charges_in_db(cb) if c.id not in before]
        return fresh[0] if fresh and fresh[0].status != "pending" else None

    return await cb.until(settled, what="the charge to settle")


async def charge_left_pending(cb: Connectbot) -> Charge:
    """Wait (20 s at most) until the listener gave up on the first charge: still `pending`
    after at least one attempt, as a lost or refused answer from Stripe leaves it; that row."""

    async def given_up() -> Charge | None:
        rows = await charges_in_db(cb)
        return rows[0] if rows and rows[0].status == "pending" and rows[0].attempts else None

    return await cb.until(given_up, timeout=20, what="the listener to give up")


# --- what many tests type, read and check ------------------------------------------------------


async def refund(cb: Connectbot, text: str, *, user: str = OPERATOR) -> str:
    """Type `/refund text`; the private answer (ack text or the response that follows)."""
    reply = await cb.slack_sender.command("/refund", text, user_id=user)
    assert reply.status == 200
    if reply.body:
        return reply.body
    assert reply.response_key is not None
    key = reply.response_key
    responses = await cb.until(lambda: cb.slack.responses(key), what="the refund answer")
    return str(responses[-1]["text"])


async def notify_answer(cb: Connectbot, text: str, *, user: str = ADMIN) -> str:
    """Type `/notify text`; everything the caller was told: the ack's text, else the private
    replies that followed."""
    reply = await cb.slack_sender.command("/notify", text, user_id=user)
    assert reply.status == 200
    if reply.body:
        return reply.body
    answers = await cb.slack.responses_when(str(reply.response_key))
    return "\n".join(str(a.get("text") or "") for a in answers)


async def stripe_state(cb: Connectbot, charge: Charge, vendor: Vendor) -> tuple[int, int]:
    """(amount refunded on the Stripe charge, amount refunded of its application fee)."""
    api = cb.app[SERVICES].stripe.api.v1
    stripe_charge = await api.charges.retrieve_async(
        str(charge.stripe_charge_id), options={"stripe_account": vendor.stripe_account_id}
    )
    fees = await api.application_fees.list_async(params={"charge": stripe_charge.id})
    [fee] = fees.data
    return stripe_charge.amount_refunded, fee.amount_refunded


async def intent_creates(cb: Connectbot) -> list[dict[str, Any]]:
    """Every PaymentIntent create the fake Stripe received (retries and replays included)."""
    return [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "POST" and r["path"] == "/v1/payment_intents"
    ]


async def charge_row(cb: Connectbot, charge_id: str) -> Charge:
    """The charge row `charge_id`, which must exist."""
    async with cb.sessions() as session:
        found = await session.get(Charge, charge_id)
    assert found is not None
    return found


async def charges_in_db(cb: Connectbot) -> list[Charge]:
    """connectbot's charge rows, oldest first."""
    async with cb.sessions() as session:
        return list((await session.scalars(select(Charge).order_by(Charge.created_at))).all())


async def assert_db_matches_stripe(cb: Connectbot, account: str) -> None:
    """Every charge row and every PaymentIntent on the vendor's account agree to the cent."""
    intents = {i["id"]: i for i in await vendor_payment_intents(cb, account)}
    rows = [c for c in await charges_in_db(cb) if c.payment_intent_id]
    assert sorted(intents) == sorted(str(c.payment_intent_id) for c in rows)
    expected_status = {
        "succeeded": "succeeded",
        "failed": "requires_payment_method",
        "requires_action": "requires_payment_method",
    }
    for row in rows:
        intent = intents[str(row.payment_intent_id)]
        assert intent["amount"] == row.amount
        assert intent["currency"] == row.currency
        assert intent["application_fee_amount"] == row.application_fee_amount
        assert intent["metadata"]["connectbot_charge_id"] == row.id
        assert intent["status"] == expected_status[row.status]


async def submit(cb: Connectbot, view: dict[str, Any], **changes: Any) -> Any:
    """The operator submits the charge modal `view` with its inputs as shown, but `changes`."""
    return await cb.slack_sender.view_submission(
        view, modal_inputs(view, **changes), user_id=OPERATOR
    )


async def deauthorized_in_stripe(cb: Connectbot, account: str) -> None:
    """The vendor of `account` disconnects connectbot in their Stripe Dashboard (the fake's
    `/oauth/deauthorize`); returns once connectbot has handled the webhook."""
    form = {
        "client_id": "ca_connectbot",
        "stripe_user_id": account,
        "client_secret": "sk_test_connectbot",
    }
    async with cb.http.post(f"{cb.stripe.url}/oauth/deauthorize", data=form) as resp:
        assert resp.status == 200
    await cb.events_handled()
