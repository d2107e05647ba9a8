"""`GET /metrics` end to end: scraped after real charges, a refund and a Stripe error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.metrics import Metrics, stripe_endpoint, stripe_error_kind
from bot.workers import WORKERS
from storage.models import OutboxMessage, utcnow
from storage.repos import outbox
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card, refund
from tests.harness import OPERATOR, Connectbot

VENDOR = "U0VENDOR1"


async def scrape(cb: Connectbot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    status, text = await cb.get("/metrics")
    assert status == 200, text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def test_metrics_count_charges_refunds_events_messages_and_stripe_errors(
    cb: Connectbot,
) -> None:
    before = await scrape(cb)
    assert value(before, "connectbot_charges", status="succeeded") == 0
    assert value(before, "connectbot_stripe_request_errors_total", kind="server") == 0

    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    await cb.stripe.fault("POST", "/v1/payment_intents", "500")  # retried with the same key
    paid = await charge_through_modal(cb, f"<@{VENDOR}|vera> 100 jane@example.com", user=OPERATOR)
    assert paid.status == "succeeded"
    declined = await customer_with_card(cb, "dan@example.com", "pm_card_chargeDeclined")
    failed = await charge_through_modal(cb, f"<@{VENDOR}|vera> 20 {declined.email}", user=OPERATOR)
    assert failed.status == "failed"
    assert "Refunded $40.00" in await refund(cb, f"{paid.id} 40")
    await cb.settled()

    after = await scrape(cb)
    assert value(after, "connectbot_charges", status="succeeded") == 1
    assert value(after, "connectbot_charges", status="failed") == 1
    assert value(after, "connectbot_charges", status="pending") == 0
    assert value(after, "connectbot_charges_oldest_pending_seconds") == 0
    assert value(after, "connectbot_refunds", status="succeeded") == 1
    assert value(after, "connectbot_stripe_request_errors_total", kind="server") == 1
    # The decline is Stripe's 402: a card error, counted as such.
    assert value(after, "connectbot_stripe_request_errors_total", kind="card") == 1
    assert value(after, "connectbot_events", state="handled") >= 2
    assert value(after, "connectbot_events", state="failed") == 0
    assert value(after, "connectbot_outbox_messages", status="sent") >= 3
    assert value(after, "connectbot_outbox_messages", status="dead") == 0
    assert value(after, "connectbot_outbox_oldest_pending_seconds") == 0
    # The reconciler runs a pass at start-up.
    assert value(after, "connectbot_reconciler_passes_total", outcome="ok") >= 1


async def test_metrics_time_routes_slash_commands_and_stripe_endpoints(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    await cb.stripe.fault("POST", "/v1/payment_intents", "500")  # retried with the same key
    await charge_through_modal(cb, f"<@{VENDOR}|vera> 100 jane@example.com", user=OPERATOR)
    await cb.slack_sender.command("/fees", "", user_id=OPERATOR)
    await cb.slack_sender.command("/no-such-command", "", user_id=OPERATOR)
    assert (await cb.get("/checkout/done?session_id=cs_test_secret1"))[0] == 200
    assert (await cb.get("/no/such/page/42"))[0] == 404
    await cb.settled()

    samples = await scrape(cb)
    count = "connectbot_http_request_duration_seconds_count"
    assert value(samples, count, route="/slack/events", method="POST", status="2xx") >= 3
    assert value(samples, count, route="/slack/events", method="POST", status="4xx") == 1
    assert value(samples, count, route="/stripe/webhook", method="POST", status="2xx") >= 1
    assert value(samples, count, route="/checkout/done", method="GET", status="2xx") == 1
    assert value(samples, count, route="unmatched", method="GET", status="4xx") == 1
    # Labels name route templates and commands, never a raw URL, query or id.
    labels = {v for (_, sample_labels) in samples for _, v in sample_labels}
    assert not any("cs_test_secret1" in v or "42" in v or "acct_" in v for v in labels), labels

    commands = "connectbot_slack_command_duration_seconds_count"
    assert value(samples, commands, command="/charge") == 1
    assert value(samples, commands, command="/fees") == 1
    assert value(samples, commands, command="other") == 1

    stripe = "connectbot_stripe_request_duration_seconds_count"
    intents = {"method": "POST", "endpoint": "/v1/payment_intents"}
    assert value(samples, stripe, outcome="server", **intents) == 1
    assert value(samples, stripe, outcome="ok", **intents) == 1
    assert value(samples, stripe, method="POST", endpoint="/v1/customers", outcome="ok") >= 1
    assert value(samples, "connectbot_stripe_request_errors_total", kind="server") == 1


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://s/v1/customers", "/v1/customers"),
        (
            "http://s/v1/payment_intents/pi_3NxY9/confirm?expand[]=x",
            "/v1/payment_intents/{id}/confirm",
        ),
        ("http://s/v1/accounts/acct_1VENDOR/login_links", "/v1/accounts/{id}/login_links"),
        ("http://s/v1/checkout/sessions/cs_test_a1", "/v1/checkout/sessions/{id}"),
    ],
)
def test_stripe_endpoint_replaces_ids(url: str, endpoint: str) -> None:
    assert stripe_endpoint(url) == endpoint


async def test_metrics_show_messages_waiting_while_slack_is_down(cb: Connectbot) -> None:
    await cb.slack.outage()
    async with cb.sessions.begin() as session:
        await outbox.enqueue(
            session, kind="post", target="C0ALPHA", payload={"text": "hi"}, dedupe_key="hi"
        )
        await session.flush()
        await session.execute(  # queued 90 seconds ago
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "hi")
            .values(created_at=utcnow() - timedelta(seconds=90))
        )
    samples = await scrape(cb)
    assert value(samples, "connectbot_outbox_messages", status="pending") == 1
    assert 90 <= value(samples, "connectbot_outbox_oldest_pending_seconds") < 120
    await cb.slack.outage(on=False)
    cb.app[WORKERS].relay.wake()
    await cb.settled()
    samples = await scrape(cb)
    assert value(samples, "connectbot_outbox_messages", status="pending") == 0
    assert value(samples, "connectbot_outbox_messages", status="sent") == 1
    assert value(samples, "connectbot_outbox_oldest_pending_seconds") == 0


def test_each_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()  # would raise "Duplicated timeseries" if shared
    first.stripe_error("server")
    assert (
        first.registry.get_sample_value(
            "connectbot_stripe_request_errors_total", {"kind": "server"}
        )
        == 1
    )
    assert (
        second.registry.get_sample_value(
            "connectbot_stripe_request_errors_total", {"kind": "server"}
        )
        == 0
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, None),
        (302, None),
        (400, "invalid_request"),
        (401, "authentication"),
        (402, "card"),
        (403, "permission"),
        (404, "not_found"),
        (409, "conflict"),
        (418, "other_status"),
        (429, "rate_limit"),
        (500, "server"),
        (503, "server"),
    ],
)
def test_stripe_error_kind(status: int, kind: str | None) -> None:
    assert stripe_error_kind(status) == kind
