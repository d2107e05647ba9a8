"""The fake Stripe as an aiohttp application: dispatch, auth, scoping, idempotency, faults, log.

``create_app()`` serves the API (``/v1/…``), Connect OAuth (``/oauth/…``), the hosted Checkout
page (``/checkout/pay/{id}``) and control routes (``/_fake/…``) on one base URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from aiohttp import web
from stripe._api_version import _ApiVersion

from . import accounts, checkout, control, events, oauth, payment_methods, payments, refunds
from .api import OPERATIONS, Ctx, Json, base_url, expand, json_response
from .errors import StripeError, invalid
from .fidelity import check_response, match_route, request_problems
from .forms import decode
from .store import STATE_KEY, Fault, IdempotentResult, State, new_id
from .webhook_control import add_routes as add_webhook_control_routes

_MODULES = (
    accounts,
    checkout,
    events,
    payment_methods,
    payments,
    refunds,
)  # they register operations


async def read_params(request: web.Request) -> Json:
    pairs = list(request.query.items())
    if request.method == "POST" and request.can_read_body:
        form = await request.post()
        pairs += [(k, v) for k, v in form.items() if isinstance(v, str)]
    return decode(pairs)


def take_fault(state: State, method: str, path: str) -> Fault | None:
    route = match_route(method, path)
    template = route[0] if route else None
    for fault in state.faults:
        if fault.method == method and fault.path in (path, template) and fault.count > 0:
            fault.count -= 1
            return fault
    return None


def _auth(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip()
    if not key.startswith(("sk_test_", "sk_live_")):
        raise StripeError(
            401,
            "invalid_request_error",
            "Invalid API Key provided: " + (key[:12] + "*" * 8 if key else "(none)")
            if key
            else "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    return key.startswith("sk_live_")


def _account(state: State, header: str | None) -> str | None:
    if not header or header == state.platform_id:
        return None
    acct = state.objects.get(header)
    if acct is None or acct.get("object") != "account" or header in state.deauthorized:
        raise StripeError(
            403,
            "invalid_request_error",
            f"The provided key does not have access to account '{header}' (or that account "
            "does not exist). Application access may have been revoked.",
            code="account_invalid",
        )
    return header


async def handle_api(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    request_id = new_id("req", 14)
    method, path = request.method, request.path
    params = await read_params(request)
    idem_key = request.headers.get("Idempotency-Key") if method == "POST" else None
    entry: Json = {
        "method": method,
        "path": path,
        "stripe_account": request.headers.get("Stripe-Account"),
        "idempotency_key": idem_key,
        "params": params,
        "status": None,
        "problems": [],
        "request_id": request_id,
    }
    state.requests.append(entry)
    fault = take_fault(state, method, path)
    drop = False
    headers: dict[str, str] = {"Request-Id": request_id}
    if idem_key:
        headers["Idempotency-Key"] = idem_key
    try:
        if fault and fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: cancellation-safe
                async with asyncio.timeout(fault.seconds):
                    await state.shutdown.wait()
        if fault and fault.kind == "500":
            raise StripeError(500, "api_error", "An unknown error occurred on Stripe's end.")
        if fault and fault.kind == "429":
            raise StripeError(
                429,
                "invalid_request_error",
                "Request rate limit exceeded. Learn more about rate limits here "
                "https://stripe.com/docs/rate-limits.",
                code="rate_limit",
                headers={"Retry-After": "1"},
            )
        drop = fault is not None and fault.kind == "drop"
        livemode = _auth(request)
        account = _account(state, request.headers.get("Stripe-Account"))
        route = match_route(method, path)
        handler = OPERATIONS.get((method, route[0])) if route else None
        if route is None or handler is None:
            raise invalid(
                f"Unrecognized request URL ({method}: {path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/."
            )
        if idem_key:
            stored = state.idempotency.get((account, idem_key))
            if stored is not None:
                if (stored.method, stored.path, stored.params) != (method, path, params):
                    raise StripeError(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other than "
                        f"'{idem_key}' if you meant to execute a different request.",
                    )
                entry["status"] = stored.status
                entry["replayed"] = True
                resp = web.Response(
                    body=stored.body, status=stored.status, content_type="application/json"
                )
                resp.headers.update(headers)
                resp.headers["Idempotent-Replayed"] = "true"
                return _maybe_drop(request, resp, drop)
        problems = request_problems(method, path, params)
        if problems:
            entry["problems"] = [str(p) for p in problems]
            first = problems[0]
            raise invalid(first.message, param=first.param, code=first.code)
        ctx = Ctx(
            state=state,
            account=account,
            params=params,
            args=route[1],
            livemode=livemode,
            request_id=request_id,
            base_url=base_url(request),
            idempotency_key=idem_key,
            api_version=request.headers.get("Stripe-Version", _ApiVersion.CURRENT),
        )
        status, body = 200, {}
        try:
            body = handler(ctx)
            expand(ctx, body, list(params.get("expand") or []))
        except StripeError as exc:
            status, body = exc.status, exc.body(request_id)
            headers.update(exc.headers)
        if idem_key:
            state.idempotency[(account, idem_key)] = IdempotentResult(
                method, path, params, status, json.dumps(body, indent=2).encode()
            )
    except StripeError as exc:
        status, body = exc.status, exc.body(request_id)
        headers.update(exc.headers)
    entry["status"] = status
    entry["problems"] += _response_problems(body)
    resp = json_response(body, status, request_id)
    resp.headers.update(headers)
    resp.headers["Stripe-Version"] = _ApiVersion.CURRENT
    return _maybe_drop(request, resp, drop)


def _response_problems(body: Json) -> list[str]:
    if "error" in body:
        error = body["error"]
        nested = [error[k] for k in ("payment_intent", "setup_intent") if k in error]
        return [p for obj in nested for p in check_response(obj, "error.payment_intent")]
    return check_response(body)


def _maybe_drop(request: web.Request, resp: web.Response, drop: bool) -> web.StreamResponse:
    if drop and request.transport is not None:
        request.transport.close()
    return resp


async def _start_delivery(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(events.deliver_forever(app[STATE_KEY]))
    yield
    app[STATE_KEY].shutdown.set()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _on_shutdown(app: web.Application) -> None:
    app[STATE_KEY].shutdown.set()


def create_app(
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    connect_webhook_url: str | None = None,
    connect_webhook_secret: str | None = None,
    webhook_api_version: str = _ApiVersion.CURRENT,
) -> web.Application:
    """The fake Stripe, with an account webhook endpoint (``webhook_url`` and secret) and a
    Connect one (``connect_webhook_url`` and secret, each defaulting to the account one's), both
    at ``webhook_api_version``. Without a URL, events are recorded and none is delivered."""
    app = web.Application()
    state = State()
    state.webhooks.endpoints = events.endpoints(
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        connect_webhook_url=connect_webhook_url,
        connect_webhook_secret=connect_webhook_secret,
        api_version=webhook_api_version,
    )
    app[STATE_KEY] = state
    app.router.add_route("*", "/v1/{tail:.*}", handle_api)
    oauth.add_routes(app)
    checkout.add_routes(app)
    control.add_routes(app)
    add_webhook_control_routes(app)
    app.cleanup_ctx.append(_start_delivery)
    app.on_shutdown.append(_on_shutdown)
    return app
