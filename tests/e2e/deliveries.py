"""Playing Stripe's webhook delivery by hand: any order, duplicates, late.

With `running_connectbot(..., deliver_webhooks=False)` the fake Stripe records its events and
sends none; these helpers post them to connectbot, signed as Stripe would, and wait until
connectbot has handled them and sent the Slack messages they caused (`cb.settled()`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from bot.services import SERVICES
from storage.models import Charge, StripeEvent
from tests.e2e.scenario import modal_inputs, open_charge_modal
from tests.harness import OPERATOR, WEBHOOK_SECRET, Connectbot
from tests.stripe_events import sign

Event = dict[str, Any]


async def post_event(cb: Connectbot, event: Event) -> None:
    """Deliver one of the fake's recorded events to connectbot, signed; it must answer 200."""
    body = json.dumps({k: v for k, v in event.items() if k != "delivery"}).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, WEBHOOK_SECRET)}
    async with cb.http.post(cb.url + "/stripe/webhook", data=body, headers=headers) as resp:
        assert resp.status == 200, await resp.text()


async def new_events(cb: Connectbot, seen: set[str]) -> list[Event]:
    """The fake's events not in `seen` (which is updated), in the order Stripe made them."""
    fresh = [e for e in await cb.stripe.events() if e["id"] not in seen]
    seen.update(e["id"] for e in fresh)
    return fresh


def of_type(events: list[Event], event_type: str) -> Event:
    [found] = [e for e in events if e["type"] == event_type]
    return found


async def stored_event(cb: Connectbot, event_id: str) -> StripeEvent:
    async with cb.sessions() as session:
        found = await session.get(StripeEvent, event_id)
    assert found is not None
    return found


async def charge_without_answer(cb: Connectbot, vendor_user: str) -> Charge:
    """Submit `/charge @vendor 100.00` whose every answer from Stripe is lost: Stripe makes the
    charge, connectbot's row stays `pending` without Stripe's ids (the listener gave up)."""
    await cb.stripe.fault("POST", "/v1/payment_intents", "drop", count=3)
    view = await open_charge_modal(cb, f"<@{vendor_user}> 100.00 jane@example.com", user=OPERATOR)
    reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=OPERATOR)
    assert reply.status == 200, reply.body

    async def gave_up() -> Charge | None:
        async with cb.sessions() as session:
            rows = (await session.scalars(select(Charge))).all()
        return rows[0] if rows and rows[0].attempts >= 1 else None

    charge = await cb.until(gave_up, what="the listener to give up on Stripe's answer")
    assert charge.status == "pending" and charge.payment_intent_id is None
    return charge


async def refund_command(cb: Connectbot, text: str) -> str:
    """Type `/refund text` as the operator; the private answer."""
    reply = await cb.slack_sender.command("/refund", text, user_id=OPERATOR)
    assert reply.status == 200
    if reply.body:
        return reply.body
    key = str(reply.response_key)
    responses = await cb.until(lambda: cb.slack.responses(key), what="the refund answer")
    return str(responses[-1]["text"])


async def dashboard_refund(
    cb: Connectbot, account: str, stripe_charge: str, amount: int, *, with_fee: bool = False
) -> None:
    """A refund made outside connectbot: `POST /v1/refunds` under the vendor's account, as the
    vendor's Dashboard (no fee refund) or another platform script (`with_fee`) would."""
    params: dict[str, Any] = {"charge": stripe_charge, "amount": amount}
    if with_fee:
        params["refund_application_fee"] = True
    await cb.app[SERVICES].stripe.api.v1.refunds.create_async(
        params=params,  # type: ignore[arg-type]
        options={"stripe_account": account},
    )


async def deauthorize(cb: Connectbot, account: str) -> None:
    """The vendor disconnects the platform (Connect OAuth `POST /oauth/deauthorize`)."""
    async with cb.http.post(
        cb.stripe.url + "/oauth/deauthorize",
        data={"client_id": "ca_connectbot", "stripe_user_id": account},
        headers={"Authorization": "Bearer sk_test_connectbot"},
    ) as resp:
        assert resp.status == 200, await resp.text()


_IDS = re.compile(r"\b(?:cb_ch|pi|ch|re|acct|dp|fee|fr|evt|po)_[A-Za-z0-9]+")


async def slack_posts(cb: Connectbot) -> list[tuple[str, str]]:
    """Every message posted, as (channel, text with Stripe and connectbot ids blanked), sorted."""
    posts = [c["params"] for c in await cb.posted()]
    return sorted((str(p["channel"]), _IDS.sub("<id>", str(p.get("text", "")))) for p in posts)
