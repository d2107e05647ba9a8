"""`/notify`: admins choose more Stripe events; subscribed ones are announced in the generic
rendering, once per event and channel, however often Stripe delivers them.

The events are real ones the fake Stripe emits for the API calls connectbot and the set-up make
(`customer.created` on the platform, `charge.succeeded` on the vendor's account: Stripe sends
both, https://docs.stripe.com/api/events/types), delivered signed to /stripe/webhook, each
twice (the fake's `duplicate_rate`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.models import AuditEntry, NotifySubscription, StripeEvent
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.scenario import notify_answer as said
from tests.harness import ADMIN, OPERATOR, Connectbot

VERA, VERA_CHANNEL, SALES = "U0VERA", "C0VERA", "C0SALES"


def shown(message: dict[str, Any]) -> str:
    """A posted message's text and every text in its blocks."""
    texts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        texts.append(str((block.get("text") or {}).get("text", "")))
        texts += [str(e.get("text", "")) for e in block.get("elements") or []]
    return "\n".join(texts)


async def count(cb: Connectbot, model: Any, *where: Any) -> int:
    async with cb.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_admins_choose_events_which_are_announced_once_where_they_said(
    cb: Connectbot,
) -> None:
    vera = await connected_vendor(cb, VERA, channel_id=VERA_CHANNEL)
    account = vera.stripe_account_id

    # Who may: operators list, only admins change; nobody else even lists.
    refused = await said(cb, "add charge.succeeded", user=OPERATOR)
    assert refused.startswith("Only connectbot admins") and "Usage" not in refused, refused
    assert (await said(cb, "list", user="U0STRANGER")).startswith("Only connectbot")
    # Unknown types are refused with the closest real ones, and the usage.
    typo = await said(cb, "add charge.succeded")
    assert "Stripe has no event type `charge.succeded`" in typo, typo
    assert "Did you mean `charge.succeeded`" in typo and "Usage:" in typo, typo
    # A type connectbot announces itself needs a channel for a copy.
    own = await said(cb, "add payout.paid")
    assert "connectbot already announces `payout.paid` itself" in own, own
    assert await count(cb, NotifySubscription) == 0

    added = await said(cb, "add charge.succeeded")
    assert "From now on `charge.succeeded` events are announced in the vendor's channel" in added
    assert ":warning:" not in added, added  # the fake's endpoints are sent every event (`*`)
    again = await said(cb, "add Charge.Succeeded")
    assert (
        "already announced in the vendor's channel (else the ops channel); nothing changed" in again
    ), again
    to_sales = await said(cb, f"add customer.created <#{SALES}|sales>")
    assert f"`customer.created` events are announced in <#{SALES}>" in to_sales, to_sales
    # A group: every customer event in #sales too, yet each event once per channel.
    assert "`customer.*` events are announced" in await said(cb, f"add customer.* <#{SALES}>")
    # A group holding types connectbot handles: those keep its own message, no copy…
    payouts = await said(cb, "add payout.*")
    assert "`payout.failed`, `payout.paid`: connectbot handles these itself" in payouts, payouts
    # …unless a channel is named: that channel gets a copy.
    copy = await said(cb, f"add payout.paid <#{SALES}|sales>")
    assert "connectbot's own message for `payout.paid` stays; this is a copy" in copy, copy
    assert await count(cb, NotifySubscription) == 5

    listed = await said(cb, "list", user=OPERATOR)
    assert "• `charge.succeeded` → the vendor's channel (else the ops channel)" in listed, listed
    assert f"• `customer.created` → <#{SALES}> · added by <@{ADMIN}>" in listed, listed
    assert "`payout.paid`" in listed  # among the types connectbot handles itself

    # Every event Stripe sends from now on is delivered twice.
    await cb.stripe.webhook_rules(duplicate_rate=1.0)
    await customer_with_card(cb, "jane@example.com")  # customer.created, on the platform
    charge = await charge_through_modal(
        cb, f"<@{VERA}|vera> 1234.50 jane@example.com", user=OPERATOR
    )
    await cb.stripe.advance_clock(2 * 86400)  # Stripe pays out only what is available
    payout = await cb.stripe.payout(account, amount=4200, status="in_transit")
    await cb.stripe.settle_payout(account, payout["id"], "paid")  # payout.paid
    await cb.settled()

    [charged] = [shown(m) for m in await cb.posts_mentioning(VERA_CHANNEL, "charge.succeeded")]
    board = f"https://dashboard.stripe.com/{account}/test"
    assert f"of $1,234.50 on <@{VERA}>'s account" in charged, charged
    assert f"<https://dashboard.stripe.com/test/connect/accounts/{account}|{account}>" in charged
    assert f"<{board}/payments/{charge.stripe_charge_id}|{charge.stripe_charge_id}>" in charged
    assert f"<{board}/payments/{charge.payment_intent_id}|" in charged, charged
    assert f"<{board}/events/evt_" in charged and "test mode" in charged, charged
    # Two customers were created: Jane on the platform, and her copy on Vera's account when
    # /charge shared her: each event once in #sales, whatever account it happened on.
    platform, shared = [shown(m) for m in await cb.posts_mentioning(SALES, "customer.created")]
    assert "customer <https://dashboard.stripe.com/test/customers/cus_" in platform, platform
    assert "on the platform" in platform and " of " not in platform.split("\n")[0], platform
    assert f"customer <{board}/customers/cus_" in shared and f"<@{VERA}>'s account" in shared
    # Announced nowhere else: not in the ops channel, not in Vera's for the customer.
    assert await cb.posts_mentioning("C0OPS", "charge.succeeded") == []
    assert await cb.posts_mentioning(VERA_CHANNEL, "customer.created") == []
    # payout.paid: connectbot's own message in Vera's channel, the generic copy in #sales only.
    assert len(await cb.posts_mentioning(VERA_CHANNEL, "Payout of $42.00")) == 1
    assert await cb.posts_mentioning(VERA_CHANNEL, "payout.paid") == []
    [paid_copy] = [shown(m) for m in await cb.posts_mentioning(SALES, "payout.paid")]
    assert f"payout <{board}/payouts/po_" in paid_copy and "of $42.00" in paid_copy, paid_copy
    twice = [
        d
        for d in await cb.stripe.deliveries()
        if d["duplicate"] and d["type"] == "charge.succeeded"
    ]
    assert twice, "the fake delivered charge.succeeded twice"

    # Remove: no more announcements; the events are still stored.
    gone = await said(cb, "remove charge.succeeded")
    assert "`charge.succeeded` events are no longer announced in the vendor's channel" in gone
    not_there = await said(cb, f"remove charge.succeeded <#{SALES}|sales>")
    assert f"`charge.succeeded` is not announced in <#{SALES}>, so there is nothing" in not_there
    in_group = await said(cb, "remove payout.failed")
    assert "It is part of `payout.*`: remove that instead" in in_group, in_group
    await charge_through_modal(cb, f"<@{VERA}|vera> 20.00 jane@example.com", user=OPERATOR)
    await cb.settled()
    assert len(await cb.posts_mentioning(VERA_CHANNEL, "charge.succeeded")) == 1
    assert await count(cb, StripeEvent, StripeEvent.type == "charge.succeeded") == 2

    async with cb.sessions() as session:
        audited = (
            await session.execute(
                select(AuditEntry.actor, AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                .where(AuditEntry.action.like("notify.%"))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [tuple(a) for a in audited] == [
        (ADMIN, "notify.add", "charge.succeeded", {"channel": None}),
        (ADMIN, "notify.add", "customer.created", {"channel": SALES}),
        (ADMIN, "notify.add", "customer.*", {"channel": SALES}),
        (ADMIN, "notify.add", "payout.*", {"channel": None}),
        (ADMIN, "notify.add", "payout.paid", {"channel": SALES}),
        (ADMIN, "notify.remove", "charge.succeeded", {"channel": None}),
    ]

    # A type Stripe's endpoints are not sent: added, and the admin is told what to fix.
    for endpoint in await cb.stripe.webhook_endpoints():
        await cb.stripe.update_webhook_endpoint(endpoint["id"], enabled_events=["charge.succeeded"])
    warned = await said(cb, f"add product.* <#{SALES}|sales>")
    assert "From now on `product.*` events are announced" in warned, warned
    assert ":warning: Stripe will not tell connectbot" in warned, warned
    assert "is not sent `product.created`" in warned, warned


async def test_every_endpoint_at_connectbots_url_must_be_sent_the_type(cb: Connectbot) -> None:
    """Stripe sends the account endpoint only the platform's events and the Connect endpoint
    only connected accounts' (https://docs.stripe.com/connect/webhooks), so one endpoint sent
    `customer.created` is not enough: `/notify add` names the endpoint that lacks it, as
    `connectbot check` does (tests/e2e/server/test_check.py)."""
    platform = await cb.stripe.webhook_endpoint(connect=False)
    connect = await cb.stripe.webhook_endpoint(connect=True)
    url = f"{cb.url}/stripe/webhook"
    add = f"add customer.created <#{SALES}|sales>"

    # Two endpoints, only the account one sent the type: vendors' new customers never arrive.
    await cb.stripe.update_webhook_endpoint(connect["id"], enabled_events=["charge.succeeded"])
    one_sent = await said(cb, add)
    assert f"From now on `customer.created` events are announced in <#{SALES}>" in one_sent
    assert ":warning: Stripe will not tell connectbot" in one_sent, one_sent
    assert f"`{connect['id']}` is not sent `customer.created`: select them on it" in one_sent
    assert platform["id"] not in one_sent, one_sent
    assert "Stripe's Dashboard (Developers → Webhooks)" in one_sent, one_sent

    # Both sent it: nothing to say.
    both = ["charge.succeeded", "customer.created"]
    await cb.stripe.update_webhook_endpoint(connect["id"], enabled_events=both)
    both_sent = await said(cb, add)
    assert "already announced" in both_sent and ":warning:" not in both_sent, both_sent

    # Sent it, but disabled: Stripe sends a disabled endpoint nothing.
    await cb.stripe.update_webhook_endpoint(connect["id"], status="disabled")
    disabled = await said(cb, add)
    assert f"`{connect['id']}` is disabled, so Stripe sends it no events: enable it" in disabled
    assert platform["id"] not in disabled, disabled

    # One endpoint only at connectbot's URL, the other sending elsewhere.
    await cb.stripe.update_webhook_endpoint(
        connect["id"], status="enabled", url="https://elsewhere.example/hook"
    )
    alone = await said(cb, add)
    assert (
        f"Only 1 of the 2 webhook endpoints connectbot needs sends to {url} (other endpoints "
        "send to https://elsewhere.example/hook): create the other there" in alone
    ), alone
    assert connect["id"] not in alone and platform["id"] not in alone, alone

    # Stripe does not answer: said in one sentence, and the subscription is kept all along.
    await cb.stripe.fault("GET", "/v1/webhook_endpoints", "500", count=3)
    unchecked = await said(cb, "add product.created")
    assert "From now on `product.created` events are announced" in unchecked, unchecked
    assert "I could not check your webhook endpoints (Stripe did not answer)" in unchecked
    assert await count(cb, NotifySubscription) == 2
    # connectbot only reads the endpoints; it never changes them.
    touched = [r for r in await cb.stripe.requests() if r["path"].startswith("/v1/webhook")]
    assert touched and {r["method"] for r in touched} == {"GET"}, touched
