"""Running the fake Stripe in tests: ``async with running_stripe_fake() as fake: …``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from stripe._api_version import _ApiVersion

from .app import create_app
from .store import STATE_KEY


class StripeFake:
    """A running fake: its base ``url`` and helpers for the control routes."""

    def __init__(self, url: str, app: web.Application) -> None:
        self.url = url
        self.app = app

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.url + path, json=body) as resp:
                resp.raise_for_status()
                return await resp.json()

    def held(self, kind: str, account: str | None) -> list[dict[str, Any]]:
        """The objects of `kind` ("customer", "payment_method", …) the fake holds on `account`
        (None: the platform), as stored: read in-process, so no request is logged."""
        return self.app[STATE_KEY].all(kind, account)

    def stored(self, object_id: str) -> dict[str, Any]:
        """The object with `object_id` as stored; KeyError when the fake holds none."""
        return self.app[STATE_KEY].objects[object_id]

    def everything(self) -> dict[str, dict[str, Any]]:
        """Every object the fake holds, on every account, by id (a copy of the index)."""
        return dict(self.app[STATE_KEY].objects)

    def revoked(self, object_id: str) -> bool:
        """Whether the account holding `object_id` has deauthorized the platform."""
        state = self.app[STATE_KEY]
        return state.owner(object_id) in state.deauthorized

    def object_count(self) -> int:
        """How many objects the fake holds, on every account."""
        return len(self.app[STATE_KEY].objects)

    async def requests(self) -> list[dict[str, Any]]:
        """Every request so far: method, path, stripe_account, idempotency_key, params, status,
        problems."""
        result: list[dict[str, Any]] = await self._call("GET", "/_fake/requests")
        return result

    async def fault(
        self,
        method: str,
        path: str,
        kind: str,
        count: int = 1,
        seconds: float = 90,
        account: str | None = None,
    ) -> None:
        """The next ``count`` requests matching method and path (or template) fail: kind is
        ``500`` or ``429`` (in front of the API: nothing runs), ``timeout`` (the endpoint hangs
        ``seconds`` holding its idempotency key, then runs), ``drop`` (commit, then close) or
        ``500_after_commit`` (commit, then answer a 500 that is saved under the key) or
        ``decline`` (the issuer declines the payment the request confirms); with ``account``,
        only requests made under that ``Stripe-Account``."""
        body = {"method": method, "path": path, "kind": kind, "count": count, "seconds": seconds}
        if account:
            body["account"] = account
        await self._call("POST", "/_fake/faults", body)

    async def advance_clock(self, seconds: float) -> int:
        """Move the fake's clock forward by ``seconds``; returns the fake's time now."""
        result: dict[str, Any] = await self._call("POST", "/_fake/clock", {"advance": seconds})
        return int(result["now"])

    async def reset(self) -> None:
        await self._call("POST", "/_fake/reset")

    async def events(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/_fake/events")
        return result

    async def deliver(self) -> None:
        """Wait until pending webhook deliveries are done."""
        await self._call("POST", "/_fake/deliver")

    async def webhook_endpoints(self) -> list[dict[str, Any]]:
        """The webhook endpoints as Stripe lists them, plus the fake's private ``connect``."""
        result: dict[str, Any] = await self._call("GET", "/_fake/webhooks")
        return list(result["endpoints"])

    async def webhook_endpoint(self, *, connect: bool) -> dict[str, Any]:
        """The Connect endpoint (``connect=True``) or the account endpoint."""
        return next(e for e in await self.webhook_endpoints() if e["connect"] is connect)

    async def update_webhook_endpoint(self, endpoint_id: str, **changes: Any) -> dict[str, Any]:
        """Change ``status``, ``enabled_events``, ``api_version`` or ``url`` of an endpoint."""
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/webhook_endpoints/{endpoint_id}", changes
        )
        return result

    async def webhook_rules(self, **rules: Any) -> dict[str, Any]:
        """Set delivery rules: ``reorder``, ``seed``, ``duplicate_rate``, ``hold`` ("all", a list
        of event types, or None), ``release`` (True or a list of event types)."""
        result: dict[str, Any] = await self._call("POST", "/_fake/webhooks", rules)
        return result

    async def release_webhooks(self, types: list[str] | None = None) -> dict[str, Any]:
        """Stop holding and send what was held (of ``types``, or everything)."""
        if types is None:
            return await self.webhook_rules(hold=None, release=True)
        return await self.webhook_rules(release=types)

    async def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery: event, type, endpoint, status, attempts, duplicate, and the fake-clock
        times of its last and next attempt."""
        result: dict[str, Any] = await self._call("GET", "/_fake/webhooks")
        return list(result["deliveries"])

    async def set_account(self, account: str, **flags: Any) -> dict[str, Any]:
        """Change ``charges_enabled``, ``payouts_enabled``, ``details_submitted`` or
        ``requirements`` (lists, ``current_deadline``, ``disabled_reason``); ``account.updated``."""
        result: dict[str, Any] = await self._call("POST", f"/_fake/accounts/{account}", flags)
        return result

    async def dashboard_refund(
        self, account: str, charge: str, amount: int | None = None
    ) -> dict[str, Any]:
        """The vendor refunds ``charge`` in its own Dashboard (everything that remains when
        ``amount`` is None): a refund on ``account`` that refunds no application fee."""
        body: dict[str, Any] = {"charge": charge}
        if amount is not None:
            body["amount"] = amount
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/accounts/{account}/dashboard_refund", body
        )
        return result

    async def payout(self, account: str, **fields: Any) -> dict[str, Any]:
        """A payout on ``account`` (``amount``, ``currency``, ``status``, ``arrival_date``)."""
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/accounts/{account}/payouts", fields
        )
        return result

    async def dispute(self, charge: str, **fields: Any) -> dict[str, Any]:
        """A dispute on ``charge`` (``amount``, ``reason``, ``inquiry``): its funds withdrawn
        unless it is an inquiry."""
        result: dict[str, Any] = await self._call(
            "POST", "/_fake/disputes", {"charge": charge, **fields}
        )
        return result

    async def progress_dispute(self, dispute: str, status: str) -> dict[str, Any]:
        """Move a dispute on: ``under_review``, ``won``, ``lost`` or ``warning_closed``."""
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/disputes/{dispute}/progress", {"status": status}
        )
        return result

    async def settle_payout(
        self, account: str, payout: str, status: str, failure_code: str | None = None
    ) -> dict[str, Any]:
        """The bank pays ``payout`` out (``paid``) or returns it (``failed``, with a code)."""
        body: dict[str, Any] = {"status": status}
        if failure_code:
            body["failure_code"] = failure_code
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/accounts/{account}/payouts/{payout}/settle", body
        )
        return result

    async def early_fraud_warning(self, charge: str, fraud_type: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/charges/{charge}/early_fraud_warning", {"fraud_type": fraud_type}
        )
        return result

    async def set_capability(self, account: str, capability: str, status: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/accounts/{account}/capabilities/{capability}", {"status": status}
        )
        return result

    async def source_expiring(self, customer: str, **expiry: int) -> dict[str, Any]:
        """``customer.source.expiring`` for the customer's default card (``exp_month``,
        ``exp_year``: its expiry, default the saved card's); the Card object."""
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/customers/{customer}/source_expiring", expiry
        )
        return result

    async def dashboard_charge(self, account: str, **fields: Any) -> dict[str, Any]:
        """A payment the vendor takes in its own Dashboard (``amount``, ``currency``, ``card``:
        a test PaymentMethod id, ``description``); the PaymentIntent."""
        result: dict[str, Any] = await self._call(
            "POST", f"/_fake/accounts/{account}/dashboard_charge", fields
        )
        return result


@asynccontextmanager
async def running_stripe_fake(
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    connect_webhook_url: str | None = None,
    connect_webhook_secret: str | None = None,
    webhook_api_version: str = _ApiVersion.CURRENT,
    host: str = "127.0.0.1",
) -> AsyncIterator[StripeFake]:
    """Serve the fake on a free port of ``host`` for the duration of the block (webhook
    arguments as in ``create_app``)."""
    app = create_app(
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        connect_webhook_url=connect_webhook_url,
        connect_webhook_secret=connect_webhook_secret,
        webhook_api_version=webhook_api_version,
    )
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield StripeFake(f"http://{host}:{port}", app)
    finally:
        await runner.cleanup()
