"""/add-customer → Stripe Checkout (setup) → webhook → card on file → /share-customer."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.services import SERVICES
from storage.models import AuditEntry, Customer, StripeEvent
from tests import stripe_events
from tests.e2e.scenario import connected_vendor, customer_with_card
from tests.harness import OPERATOR, OPS_CHANNEL, TEAM_ID, WEBHOOK_SECRET, Connectbot

VENDOR = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDOR1"


async def private_reply(cb: Connectbot, key: str | None) -> dict[str, Any]:
    """The first respond() of a command: what only the caller sees."""
    assert key is not None
    responses = await cb.until(lambda: cb.slack.responses(key), what="a private reply")
    reply: dict[str, Any] = responses[0]
    assert reply["ok"], reply
    assert reply.get("response_type") == "ephemeral"
    return reply


def link_in(reply: dict[str, Any]) -> str:
    buttons = [
        element
        for block in reply["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    url = str(buttons[0]["url"])
    assert url in reply["text"]  # also as text, to pass on
    return url


async def customer_row(cb: Connectbot, email: str) -> Customer | None:
    async with cb.sessions() as session:
        return await session.scalar(select(Customer).where(Customer.email == email))


async def add_and_pay(cb: Connectbot, text: str, card: str = "4242424242424242") -> str:
    """/add-customer, then complete the Checkout page with `card`; returns the success URL."""
    sent = await cb.slack_sender.command("/add-customer", text, user_id=OPERATOR)
    assert sent.status == 200
    url = link_in(await private_reply(cb, sent.response_key))
    async with cb.http.get(url, params={"sandbox_card": card}, allow_redirects=False) as page:
        assert page.status == 303
        return page.headers["Location"]


async def test_add_pay_share_end_to_end(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR, channel_id=VENDOR_CHANNEL)
    services = cb.app[SERVICES]

    success = await add_and_pay(cb, "Jane@Example.com Jane Doe")

    assert success.startswith(f"{cb.url}/checkout/done?session_id=cs_test_")
    status, page = await cb.get(success.removeprefix(cb.url))
    assert status == 200 and "Thank you" in page
    [session_request] = [
        r for r in await cb.stripe.requests() if r["path"] == "/v1/checkout/sessions"
    ]
    params = session_request["params"]
    assert params["mode"] == "setup" and params["currency"] == "usd"
    assert params["success_url"] == f"{cb.url}/checkout/done?session_id={{CHECKOUT_SESSION_ID}}"
    await cb.stripe.deliver()
    saved = await cb.until(
        lambda: _with_card(cb, "jane@example.com"), what="the card to be recorded"
    )
    assert saved.name == "Jane Doe" and saved.team_id == TEAM_ID
    assert (saved.card_brand, saved.card_last4, saved.card_exp_month) == ("visa", "4242", 12)
    stripe_customer = await services.stripe.api.v1.customers.retrieve_async(
        saved.stripe_customer_id
    )
    assert stripe_customer.invoice_settings is not None
    assert (
        stripe_customer.invoice_settings.default_payment_method == saved.default_payment_method_id
    )
    card = f"Visa •••• 4242 (exp 12/{(saved.card_exp_year or 0) % 100:02d})"
    notes = await cb.until(lambda: _card_notes(cb, 1), what="the ops note")
    assert notes == [f"jane@example.com now has a card on file: {card}."]
    dms = await cb.until(lambda: cb.posted(), what="the operator's DM")
    assert any("card on file" in c["params"].get("text", "") for c in dms)

    first = await cb.slack_sender.command(
        "/share-customer", f"<@{VENDOR}|vendor> JANE@example.com", user_id=OPERATOR
    )
    confirmation = await private_reply(cb, first.response_key)

    assert confirmation["text"].startswith("Shared jane@example.com with <@U0VENDOR1>")
    acct = vendor.stripe_account_id
    [clone] = cb.stripe.held("payment_method", acct)
    [vendor_customer] = cb.stripe.held("customer", acct)
    assert vendor_customer["email"] == "jane@example.com"
    assert vendor_customer["invoice_settings"]["default_payment_method"] == clone["id"]
    shares = [r for r in await cb.stripe.requests() if r["stripe_account"] == acct]
    assert [(r["method"], r["path"]) for r in shares] == [
        ("POST", "/v1/payment_methods"),
        ("POST", "/v1/customers"),
    ]
    channel = await cb.until(lambda: cb.slack.messages(VENDOR_CHANNEL), what="the vendor note")
    assert "jane@example.com was shared with <@U0VENDOR1>" in channel[0]["text"]

    before = len(await cb.stripe.requests())
    second = await cb.slack_sender.command(
        "/share-customer", f"<@{VENDOR}> jane@example.com", user_id=OPERATOR
    )
    again = await private_reply(cb, second.response_key)
    assert "already shared" in again["text"] and vendor_customer["id"] in again["text"]
    assert len(await cb.stripe.requests()) == before  # answered from the stored mapping
    assert len(cb.stripe.held("customer", acct)) == 1


async def _with_card(cb: Connectbot, email: str) -> Customer | None:
    row = await customer_row(cb, email)
    return row if row is not None and row.default_payment_method_id else None


async def test_invalid_email_is_refused_privately_and_nothing_is_created(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/add-customer", "jane@example", user_id=OPERATOR)

    assert reply.status == 200
    assert "the domain needs a dot" in reply.body and "Usage:" in reply.body
    assert await cb.stripe.requests() == []
    async with cb.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 0


async def test_only_operators_add_customers(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/add-customer", "jane@example.com", user_id="U0RANDOM")
    assert "Only connectbot operators" in reply.body
    assert await cb.stripe.requests() == []


async def test_help_answers_with_usage(cb: Connectbot) -> None:
    for command in ("/add-customer", "/share-customer"):
        reply = await cb.slack_sender.command(command, "help", user_id=OPERATOR)
        assert "Usage:" in reply.body and command in reply.body
        # Someone who may not run it is told so, not shown its usage.
        reply = await cb.slack_sender.command(command, "help", user_id="U0RANDOM")
        assert "Usage:" not in reply.body and "Only connectbot operators can" in reply.body


async def test_an_existing_stripe_customer_is_found_by_email_not_created(cb: Connectbot) -> None:
    api = cb.app[SERVICES].stripe.api.v1
    existing = await api.customers.create_async(params={"email": "Jane@Example.com"})
    before = len(await cb.stripe.requests())

    sent = await cb.slack_sender.command("/add-customer", "jane@example.com", user_id=OPERATOR)
    await private_reply(cb, sent.response_key)

    row = await customer_row(cb, "jane@example.com")
    assert row is not None and row.stripe_customer_id == existing.id
    made = [(r["method"], r["path"]) for r in (await cb.stripe.requests())[before:]]
    assert made == [("GET", "/v1/customers/search"), ("POST", "/v1/checkout/sessions")]

    # Known locally now: the second time asks Stripe only for a new Checkout link.
    before = len(await cb.stripe.requests())
    sent = await cb.slack_sender.command("/add-customer", "JANE@example.com", user_id=OPERATOR)
    await private_reply(cb, sent.response_key)
    made = [(r["method"], r["path"]) for r in (await cb.stripe.requests())[before:]]
    assert made == [("POST", "/v1/checkout/sessions")]
    async with cb.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("customer.add") == 1 and actions.count("customer.card_link") == 2


async def test_a_new_card_replaces_the_default_and_a_later_share_uses_it(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await add_and_pay(cb, "jane@example.com", card="4242424242424242")
    await cb.stripe.deliver()
    first = await cb.until(lambda: _with_card(cb, "jane@example.com"))
    shared = await cb.slack_sender.command(
        "/share-customer", f"<@{VENDOR}> jane@example.com", user_id=OPERATOR
    )
    assert "Visa •••• 4242" in (await private_reply(cb, shared.response_key))["text"]

    await add_and_pay(cb, "jane@example.com", card="5555555555554444")
    await cb.stripe.deliver()

    async def replaced() -> Customer | None:
        row = await customer_row(cb, "jane@example.com")
        ok = row and row.default_payment_method_id != first.default_payment_method_id
        return row if ok else None

    row = await cb.until(replaced, what="the new card")
    assert (row.card_brand, row.card_last4) == ("mastercard", "4444")
    stripe_customer = await cb.app[SERVICES].stripe.api.v1.customers.retrieve_async(
        row.stripe_customer_id
    )
    assert stripe_customer.invoice_settings is not None
    assert stripe_customer.invoice_settings.default_payment_method == row.default_payment_method_id
    notes = await cb.until(lambda: _card_notes(cb, 2), what="two card notes")
    assert "Visa •••• 4242" in notes[0] and "Mastercard •••• 4444" in notes[1]

    again = await cb.slack_sender.command(
        "/share-customer", f"<@{VENDOR}> jane@example.com", user_id=OPERATOR
    )
    text = (await private_reply(cb, again.response_key))["text"]
    assert text.startswith("Shared") and "Mastercard •••• 4444" in text
    [vendor_customer] = cb.stripe.held("customer", vendor.stripe_account_id)
    default = vendor_customer["invoice_settings"]["default_payment_method"]
    assert cb.stripe.stored(default)["card"]["last4"] == "4444"


async def _card_notes(cb: Connectbot, n: int) -> list[str] | None:
    texts = [str(m["text"]) for m in await cb.slack.messages(OPS_CHANNEL)]
    notes = [t for t in texts if "card on file" in t]
    return notes if len(notes) >= n else None


async def test_share_refusals_reach_the_operator_privately(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await connected_vendor(cb, "U0VENDOR2", status="disconnected")
    await connected_vendor(cb, "U0VENDOR3", charges_enabled=False)
    await customer_with_card(cb, "jane@example.com")
    sent = await cb.slack_sender.command("/add-customer", "bob@example.com", user_id=OPERATOR)
    await private_reply(cb, sent.response_key)  # bob exists, without a card
    before = len(await cb.stripe.requests())

    async def answer(text: str) -> str:
        reply = await cb.slack_sender.command("/share-customer", text, user_id=OPERATOR)
        return str((await private_reply(cb, reply.response_key))["text"])

    assert "isn't a connected vendor" in await answer("<@U0NOBODY> jane@example.com")
    assert "disconnected" in await answer("<@U0VENDOR2> jane@example.com")
    assert "hasn't enabled charges" in await answer("<@U0VENDOR3> jane@example.com")
    assert "no card on file" in await answer(f"<@{VENDOR}> bob@example.com")
    assert "isn't a customer" in await answer(f"<@{VENDOR}> nobody@example.com")
    assert len(await cb.stripe.requests()) == before
    refused = await cb.slack_sender.command("/share-customer", "jane@example.com", user_id=OPERATOR)
    assert "Give a vendor and an email" in refused.body


async def test_checkout_done_is_friendly_for_any_session(cb: Connectbot) -> None:
    for query in ("?session_id=cs_test_nope", "?session_id=<script>", "", "?cancelled=1"):
        status, page = await cb.get("/checkout/done" + query)
        assert status == 200
        assert "<script>" not in page and "Traceback" not in page
    assert "No card was saved" in (await cb.get("/checkout/done?cancelled=1"))[1]
    assert "Thank you" in (await cb.get("/checkout/done?session_id=cs_test_nope"))[1]


async def test_a_late_event_for_an_older_card_does_not_replace_the_newer_one(
    cb: Connectbot,
) -> None:
    await add_and_pay(cb, "jane@example.com", card="4242424242424242")
    await asyncio.sleep(1.05)  # Stripe's `created` has one-second resolution
    await add_and_pay(cb, "jane@example.com", card="5555555555554444")
    await cb.stripe.deliver()
    await cb.until(lambda: _card_notes(cb, 2), what="both cards")
    completed = [e for e in await cb.stripe.events() if e["type"] == "checkout.session.completed"]
    older = completed[0] if completed[0]["created"] <= completed[-1]["created"] else completed[-1]
    assert older["data"]["object"]["setup_intent"]

    late = stripe_events.event("checkout.session.completed", older["data"]["object"])
    body = stripe_events.encode(late)
    signature = stripe_events.sign(body, WEBHOOK_SECRET)
    async with cb.http.post(
        f"{cb.url}/stripe/webhook", data=body, headers={"Stripe-Signature": signature}
    ) as resp:
        assert resp.status == 200

    async def handled() -> bool:
        async with cb.sessions() as session:
            event = await session.get(StripeEvent, late["id"])
            return event is not None and event.processed_at is not None

    await cb.until(handled, what="the late event to be handled")
    row = await customer_row(cb, "jane@example.com")
    assert row is not None and (row.card_brand, row.card_last4) == ("mastercard", "4444")
    assert len(await _card_notes(cb, 0) or []) == 2


async def test_a_saved_error_from_stripe_does_not_block_the_card_for_a_day(cb: Connectbot) -> None:
    # Stripe saves a 500 under the idempotency key when the update had begun executing, and
    # replays it to every retry with that key for 24 hours (bot/stripe_ops/keys.py). Setting a
    # default card is the same however often it is done: connectbot asks again under a new key.
    await cb.stripe.fault("POST", "/v1/customers/{customer}", "500_after_commit")
    await add_and_pay(cb, "dora@example.com")
    await cb.stripe.deliver()
    saved = await cb.until(
        lambda: _with_card(cb, "dora@example.com"), what="the card to be recorded"
    )
    updates = [
        r
        for r in await cb.stripe.requests()
        if r["method"] == "POST" and r["path"] == f"/v1/customers/{saved.stripe_customer_id}"
    ]
    assert [u.get("replayed", False) for u in updates][-1] is False
    keys = {u["idempotency_key"] for u in updates}
    assert len(keys) == 2  # the saved key (replayed by stripe-python's retries) and a new one
    customer = cb.stripe.stored(saved.stripe_customer_id)
    assert customer["invoice_settings"]["default_payment_method"] == saved.default_payment_method_id
    notes = await cb.until(lambda: _card_notes(cb, 1), what="the ops note")
    assert len(notes) == 1
