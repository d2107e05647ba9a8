"""The fake Stripe delivers webhooks as Stripe does: two endpoints with their own secrets and API
versions, no guaranteed order, duplicates, retries with backoff on the fake's clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import stripe
from aiohttp import web
from stripe._api_version import _ApiVersion

from sandbox.stripe_fake.__main__ import _parse
from sandbox.stripe_fake.testing import StripeFake, running_stripe_fake
from sandbox.stripe_fake.versions import render_at
from tests.sandbox.stripe_helpers import direct_charge

from .stripe_helpers import stripe_client

PLATFORM_SECRET = "whsec_platform"
CONNECT_SECRET = "whsec_connect"
OLD = "2020-08-27"


@dataclass
class Receiver:
    """Two webhook URLs (/platform, /connect); `fail(path, event)` True answers 500."""

    url: str = ""
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    attempts: list[tuple[str, str]] = field(default_factory=list)
    fail: Callable[[str, dict[str, Any]], bool] = lambda path, event: False

    def events(self, path: str | None = None) -> list[dict[str, Any]]:
        return [e for p, e in self.received if path is None or p == path]

    def types(self, path: str | None = None) -> list[str]:
        return [e["type"] for e in self.events(path)]


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()

    async def hook(request: web.Request) -> web.Response:
        path = request.path.strip("/")
        payload = (await request.read()).decode()
        secret = PLATFORM_SECRET if path == "platform" else CONNECT_SECRET
        stripe.WebhookSignature.verify_header(
            payload, request.headers["Stripe-Signature"], secret, tolerance=300
        )
        event = json.loads(payload)
        receiver.attempts.append((path, event["id"]))
        if receiver.fail(path, event):
            return web.Response(status=500)
        receiver.received.append((path, event))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/platform", hook)
    app.router.add_post("/connect", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@asynccontextmanager
async def fake_and_receiver(**kwargs: Any) -> AsyncIterator[tuple[StripeFake, Receiver]]:
    async with receiving() as receiver:
        async with running_stripe_fake(
            webhook_url=f"{receiver.url}/platform",
            webhook_secret=PLATFORM_SECRET,
            connect_webhook_url=f"{receiver.url}/connect",
            connect_webhook_secret=CONNECT_SECRET,
            **kwargs,
        ) as fake:
            yield fake, receiver


async def until(check: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return result


async def test_platform_and_connected_events_go_to_their_own_endpoint_and_secret() -> None:
    async with fake_and_receiver() as (fake, receiver):
        async with stripe_client(fake.url) as c:
            acct, _ = await direct_charge(c)
        await fake.deliver()
        recorded = await fake.events()
    # The receiver verified each signature with the secret of the path it arrived at.
    platform, connect = receiver.events("platform"), receiver.events("connect")
    assert {e["type"] for e in platform} == {"customer.created", "payment_method.attached"} | {
        "application_fee.created"
    }
    assert all("account" not in e for e in platform)
    assert "payment_intent.succeeded" in receiver.types("connect")
    assert all(e["account"] == acct for e in connect)
    assert sorted(e["id"] for e in platform + connect) == sorted(e["id"] for e in recorded)
    assert all(e["delivery"]["status"] == "delivered" for e in recorded)
    assert all(e["pending_webhooks"] == 0 for e in recorded)


async def test_webhook_endpoints_listed_as_stripe_objects() -> None:
    async with fake_and_receiver() as (fake, receiver):
        async with stripe_client(fake.url) as c:
            listed = await c.v1.webhook_endpoints.list_async()
            one = await c.v1.webhook_endpoints.retrieve_async(listed.data[0].id)
            with pytest.raises(stripe.InvalidRequestError) as missing:
                await c.v1.webhook_endpoints.retrieve_async("we_nope")
            acct = (await c.v1.accounts.create_async(params={"type": "standard"})).id
            theirs = await c.v1.webhook_endpoints.list_async(options={"stripe_account": acct})
        log = await fake.requests()
    urls = {e.url for e in listed.data}
    assert urls == {f"{receiver.url}/platform", f"{receiver.url}/connect"}
    for endpoint in listed.data:
        assert endpoint.object == "webhook_endpoint" and endpoint.id.startswith("we_")
        assert endpoint.status == "enabled" and endpoint.enabled_events == ["*"]
        assert endpoint.api_version == _ApiVersion.CURRENT and endpoint.application is None
        assert "secret" not in endpoint  # only returned at creation
    assert one.id == listed.data[0].id
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert theirs.data == []
    assert [p for e in log for p in e["problems"]] == []  # fields stripe-python declares


async def test_an_endpoint_at_an_older_version_gets_charges_not_latest_charge() -> None:
    async with fake_and_receiver() as (fake, receiver):
        connect = await fake.webhook_endpoint(connect=True)
        await fake.update_webhook_endpoint(connect["id"], api_version=OLD)
        async with stripe_client(fake.url) as c:
            acct, pi = await direct_charge(c)
            await c.v1.refunds.create_async(
                params={"payment_intent": pi.id, "amount": 1000}, options={"stripe_account": acct}
            )
        await fake.deliver()
    by_type = {e["type"]: e for e in receiver.events("connect")}
    succeeded = by_type["payment_intent.succeeded"]
    assert succeeded["api_version"] == OLD
    intent = succeeded["data"]["object"]
    assert "latest_charge" not in intent
    assert intent["charges"]["object"] == "list" and intent["charges"]["total_count"] == 1
    charge = intent["charges"]["data"][0]
    assert charge["id"] == pi.latest_charge and charge["refunds"]["data"] == []
    refunded = by_type["charge.refunded"]["data"]["object"]
    assert [r["amount"] for r in refunded["refunds"]["data"]] == [1000]
    # The account endpoint stayed at the pinned version.
    fee_event = receiver.events("platform")[-1]
    assert fee_event["api_version"] == _ApiVersion.CURRENT


@pytest.mark.parametrize(
    ("version", "has_latest_charge"),
    [(_ApiVersion.CURRENT, True), ("2022-11-15", True), ("2022-08-01", False), (OLD, False)],
)
def test_version_table(version: str, has_latest_charge: bool) -> None:
    intent = {"id": "pi_1", "object": "payment_intent", "latest_charge": "ch_2", "amount": 5}
    charges = {
        "ch_1": {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "created": 1},
        "ch_2": {"id": "ch_2", "object": "charge", "payment_intent": "pi_1", "created": 2},
    }
    rendered = render_at(intent, version, charges)
    assert ("latest_charge" in rendered) is has_latest_charge
    assert ("charges" in rendered) is not has_latest_charge
    if not has_latest_charge:
        assert [c["id"] for c in rendered["charges"]["data"]] == ["ch_2", "ch_1"]
    assert intent["latest_charge"] == "ch_2"  # the stored object is untouched


async def test_enabled_events_and_disabled_endpoints() -> None:
    async with fake_and_receiver() as (fake, receiver):
        connect = await fake.webhook_endpoint(connect=True)
        await fake.update_webhook_endpoint(connect["id"], enabled_events=["account.updated"])
        async with stripe_client(fake.url) as c:
            acct, _ = await direct_charge(c)
        await fake.set_account(acct, charges_enabled=False)
        await fake.deliver()
        assert receiver.types("connect") == ["account.updated"]
        # Events generated while an endpoint is disabled are never sent to it.
        await fake.update_webhook_endpoint(connect["id"], status="disabled")
        await fake.set_account(acct, charges_enabled=True)
        await fake.update_webhook_endpoint(connect["id"], status="enabled")
        await fake.deliver()
        assert receiver.types("connect") == ["account.updated"]


async def test_failures_retry_with_backoff_on_the_fake_clock_then_fail() -> None:
    async with fake_and_receiver() as (fake, receiver):
        receiver.fail = lambda path, event: True
        async with stripe_client(fake.url) as c:
            await c.v1.customers.create_async(params={"email": "a@example.com"})
        gaps: dict[int, float] = {}  # attempts so far -> wait before the next one
        for attempts, wait in ((1, 0.0), (2, 0.5), (3, 1.0), (4, 2.0)):
            await fake.advance_clock(wait)  # one hour of Stripe's schedule per second
            await until(lambda n=attempts: len(receiver.attempts) >= n, f"attempt {attempts}")
            [delivery] = await fake.deliveries()
            if delivery["next_attempt"] is not None:
                gaps[delivery["attempts"]] = delivery["next_attempt"] - delivery["last_attempt"]
        # Doubling from half an hour; real time moves the clock too, so one may be skipped.
        assert gaps and all(gap == pytest.approx(0.5 * 2 ** (n - 1)) for n, gap in gaps.items())
        await fake.advance_clock(3600)
        await asyncio.sleep(0.2)
        assert len(receiver.attempts) == 4  # test mode: the first try and three retries
        [delivery] = await fake.deliveries()
        assert delivery["status"] == "failed" and delivery["attempts"] == 4
        [event] = await fake.events()
        assert event["pending_webhooks"] == 1 and event["delivery"]["status"] == "failed"


async def test_a_failing_event_does_not_hold_back_the_next_and_a_disabled_endpoint_waits() -> None:
    async with fake_and_receiver() as (fake, receiver):
        receiver.fail = lambda path, event: event["type"] == "customer.created"
        platform = await fake.webhook_endpoint(connect=False)
        async with stripe_client(fake.url) as c:
            cus = await c.v1.customers.create_async(params={"email": "a@example.com"})
            await c.v1.payment_methods.attach_async("pm_card_visa", params={"customer": cus.id})
        await until(lambda: receiver.types() == ["payment_method.attached"], "the second event")
        await fake.update_webhook_endpoint(platform["id"], status="disabled")
        receiver.fail = lambda path, event: False
        await fake.advance_clock(10)
        await asyncio.sleep(0.2)
        assert receiver.types() == ["payment_method.attached"]  # waits while disabled
        await fake.update_webhook_endpoint(platform["id"], status="enabled")
        await fake.deliver()
        assert receiver.types() == ["payment_method.attached", "customer.created"]


async def test_hold_and_release_by_type_and_all() -> None:
    async with fake_and_receiver() as (fake, receiver):
        await fake.webhook_rules(hold=["payment_intent.succeeded"])
        async with stripe_client(fake.url) as c:
            await direct_charge(c)
        await fake.deliver()
        assert "payment_intent.succeeded" not in receiver.types()
        assert "charge.succeeded" in receiver.types()
        held = [d for d in await fake.deliveries() if d["status"] == "held"]
        assert [d["type"] for d in held] == ["payment_intent.succeeded"]
        await fake.release_webhooks(["payment_intent.succeeded"])
        await fake.deliver()
        assert receiver.types()[-1] == "payment_intent.succeeded"

        await fake.webhook_rules(hold="all")
        async with stripe_client(fake.url) as c:
            await c.v1.customers.create_async(params={"email": "b@example.com"})
        await fake.deliver()
        assert receiver.types()[-1] == "payment_intent.succeeded"
        await fake.release_webhooks()
        await fake.deliver()
        assert receiver.types()[-1] == "customer.created"
        assert all(d["status"] == "delivered" for d in await fake.deliveries())


async def _released_order(seed: int) -> tuple[list[str], list[str]]:
    async with fake_and_receiver() as (fake, receiver):
        await fake.webhook_rules(hold="all", reorder=True, seed=seed)
        async with stripe_client(fake.url) as c:
            for n in range(8):
                await c.v1.customers.create_async(params={"email": f"c{n}@example.com"})
        await fake.release_webhooks()
        await fake.deliver()
        recorded = [e["id"] for e in await fake.events()]
        return recorded, [e["id"] for e in receiver.events()]


async def test_reordering_is_a_seeded_shuffle() -> None:
    recorded, received = await _released_order(seed=11)
    assert sorted(received) == sorted(recorded) and received != recorded
    again_recorded, again = await _released_order(seed=11)
    permutation = [recorded.index(i) for i in received]
    assert [again_recorded.index(i) for i in again] == permutation


async def test_duplicates_are_the_same_event_again() -> None:
    async with fake_and_receiver() as (fake, receiver):
        await fake.webhook_rules(duplicate_rate=1.0, seed=1)
        async with stripe_client(fake.url) as c:
            await c.v1.customers.create_async(params={"email": "d@example.com"})
        await fake.deliver()
        [event] = await fake.events()
    ids = [e["id"] for e in receiver.events()]
    assert ids == [event["id"], event["id"]]
    assert event["delivery"]["copies"] == 2 and event["pending_webhooks"] == 0


async def test_control_refuses_what_it_cannot_do() -> None:
    async with fake_and_receiver() as (fake, _):
        endpoint = await fake.webhook_endpoint(connect=True)
        for body in (
            {"api_version": "2019-12-03"},
            {"api_version": "next tuesday"},
            {"status": "off"},
            {"enabled_events": "charge.refunded"},
            {"secret": "whsec_x"},
        ):
            with pytest.raises(Exception, match="400"):
                await fake.update_webhook_endpoint(endpoint["id"], **body)
        for rules in ({"duplicate_rate": 2}, {"reorder": "yes"}, {"hold": [1]}, {"seed": "x"}):
            with pytest.raises(Exception, match="400"):
                await fake.webhook_rules(**rules)


async def test_without_a_url_events_are_recorded_and_none_delivered(
    stripe_fake: StripeFake,
) -> None:
    async with stripe_client(stripe_fake.url) as c:
        await c.v1.customers.create_async(params={"email": "e@example.com"})
        assert (await c.v1.webhook_endpoints.list_async()).data == []
    [event] = await stripe_fake.events()
    assert event["delivery"]["status"] == "none" and event["pending_webhooks"] == 0
    assert await stripe_fake.deliveries() == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--webhook-url", "http://x/h", "--webhook-secret", "whsec_a"],
        ["--connect-webhook-url", "http://x/c"],
        ["--webhook-api-version", "2019-01-01"],
    ],
)
def test_command_line_refuses_incomplete_webhook_settings(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _parse(argv)
    assert exit_.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_command_line_takes_both_endpoints() -> None:
    args = _parse(
        [
            "--webhook-url",
            "http://x/h",
            "--webhook-secret",
            "whsec_a",
            "--connect-webhook-secret",
            "whsec_b",
            "--webhook-api-version",
            OLD,
        ]
    )
    assert (args.connect_webhook_url, args.connect_webhook_secret) == (None, "whsec_b")
    assert args.webhook_api_version == OLD
