"""The fake Stripe as an aiohttp application: dispatch, auth, scoping, idempotency, faults, log.

``create_app()`` serves the API (``/v1/…``), Connect OAuth (``/oauth/…``), the hosted Checkout
page (``/checkout/pay/{id}``) and control routes (``/_fake/…``) on one base URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

from aiohttp import web
from stripe._api_version import _ApiVersion

from . import (
    account_changes,
    accounts,
    balance_transactions,
    cancel,
    charges,
    checkout,
    control,
    dashboard,
    disputes,
    events,
    happenings,
    oauth,
    payment_methods,
    payments,
    payouts,
    refunds,
    search,
)
from .api import OPERATIONS, Ctx, Json, base_url, expand, json_response
from .errors import StripeError, invalid
from .faults import answer_after_commit, hang_while_executing, raise_fault_in_front
from .fidelity import check_response, match_route, request_problems, wrong_account_problems
from .forms import decode
from .idempotency import Scope, replay, saved_result
from .store import STATE_KEY, Fault, State, new_id
from .values import value_problems
from .webhook_control import add_routes as add_webhook_control_routes

_MODULES = (
    accounts,
    balance_transactions,
    cancel,
    charges,
    checkout,
    events,
    payment_methods,
    payments,
    payouts,
    refunds,
    search,
)  # they register operations


async def read_params(request: web.Request) -> Json:
    pairs = list(request.query.items())
    if request.method == "POST" and request.can_read_body:
        form = await request.post()
        pairs += [(k, v) for k, v in form.items() if isinstance(v, str)]
    return decode(pairs)


def take_fault(state: State, method: str, path: str, account: str | None = None) -> Fault | None:
    route = match_route(method, path)
    template = route[0] if route else None
    for fault in state.faults:
        if fault.account is not None and fault.account != account:
            continue
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
    fault = take_fault(state, method, path, request.headers.get("Stripe-Account"))
    drop = fault is not None and fault.kind == "drop"
    headers: dict[str, str] = {"Request-Id": request_id}
    if idem_key:
        headers["Idempotency-Key"] = idem_key
    scope: Scope | None = None  # the idempotency key this request holds while it executes
    try:
        raise_fault_in_front(fault)
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
            now = state.clock.time()
            saved = state.idempotency.claim((account, idem_key), method, path, params, now=now)
            if saved is not None:
                return _maybe_drop(request, replay(saved, entry, headers), drop)
            scope = (account, idem_key)
        # Names and types first, then values (sandbox/stripe_fake/values.py): a refused
        # request runs no handler, so it changes nothing on any account.
        problems = request_problems(method, path, params) or value_problems(
            method, route[0], params
        )
        if problems:
            entry["problems"] = [str(p) for p in problems]
            first = problems[0]
            raise invalid(first.message, param=first.param, code=first.code)
        await hang_while_executing(state, fault)
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
            issuer_declines=fault is not None and fault.kind == "decline",
        )
        status, body = 200, {}
        try:
            body = handler(ctx)
            expand(ctx, body, list(params.get("expand") or []))
        except StripeError as exc:
            status, body = exc.status, exc.body(request_id)
            headers.update(exc.headers)
            if exc.code == "resource_missing":
                # "No such payment_intent: 'pi_…'": is that object on another account?
                missing = re.findall(r"'([^']+)'", exc.message)
                entry["problems"] += wrong_account_problems(
                    state.objects, state.owners, account, missing
                )
        status, body = answer_after_commit(fault, status, body, request_id)
        if scope is not None:
            state.idempotency.save(scope, saved_result(entry, status, body, now=state.clock.time()))
            scope = None
    except StripeError as exc:
        status, body = exc.status, exc.body(request_id)
        headers.update(exc.headers)
    finally:
        if scope is not None:  # the endpoint never ran (or failed unexpectedly): save nothing
            state.idempotency.release(scope)
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
    payouts.add_routes(app)
    dashboard.add_routes(app)
    disputes.add_routes(app)
    happenings.add_routes(app)
    account_changes.add_routes(app)
    add_webhook_control_routes(app)
    app.cleanup_ctx.append(_start_delivery)
    app.on_shutdown.append(_on_shutdown)
    return app
