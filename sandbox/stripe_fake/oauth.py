"""Connect OAuth: ``/oauth/authorize`` (Approve/Deny page), ``/oauth/token``, ``/deauthorize``.

Errors use OAuth's shape ``{"error": "invalid_grant", "error_description": …}``, not the API's
(Connect OAuth reference, https://docs.stripe.com/connect/oauth-reference). Approving for a
``stripe_user[email]`` seen before reuses that account. Codes, tokens and revocation live in
``oauth_grants``.

A code's mode: at Stripe it follows the client id the link used (a platform has a test-mode and
a live-mode client id; a live key with a code from the test client id gets ``invalid_grant``,
stripe/stripe-dotnet#696). The fake cannot tell one ``ca_`` id from another, so a code is
test-mode unless the authorize link carries ``sandbox_livemode=true``.

Faults set with ``POST /_fake/faults`` apply here as on ``/v1``: ``500``, ``429``, ``timeout``
(hold the request, then carry it out) and ``drop`` (carry it out, then close the connection so
the answer is lost). Every request is logged with its params (never ``client_secret``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from .api import json_response
from .errors import OAuthError
from .forms import decode
from .oauth_grants import deauthorize_account, exchange_code, issue_code, refresh
from .pages import html_page
from .store import STATE_KEY, Fault, State, new_id


def _redirect(uri: str, params: dict[str, str]) -> web.HTTPFound:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return web.HTTPFound(urlunsplit(parts._replace(query=query)))


async def authorize(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    q = request.query
    email = q.get("stripe_user[email]")
    redirect_uri = q.get("redirect_uri")
    if not redirect_uri or not q.get("client_id"):
        return web.Response(status=400, text="Missing client_id or redirect_uri.")
    if q.get("sandbox_livemode", "false") not in ("true", "false"):
        return web.Response(status=400, text="sandbox_livemode must be true or false.")
    decision = q.get("sandbox_decision")
    extra = {"state": q["state"]} if "state" in q else {}
    if decision == "deny":
        raise _redirect(
            redirect_uri,
            {
                "error": "access_denied",
                "error_description": "The user denied your request",
                **extra,
            },
        )
    if decision == "approve":
        scope = q.get("scope", "read_write")
        code = issue_code(
            state,
            email=email,
            scope=scope,
            client_id=q["client_id"],
            livemode=q.get("sandbox_livemode") == "true",
        )
        raise _redirect(redirect_uri, {"code": code, "scope": scope, **extra})
    return html_page(
        "authorize.html.j2",
        client=q["client_id"],
        scope=q.get("scope", "read_write"),
        email=email or "a new user",
        hidden=[(k, v) for k, v in q.items() if k != "sandbox_decision"],
    )


async def _params(request: web.Request) -> dict[str, str]:
    form = await request.post()
    params = decode([*request.query.items(), *((k, str(v)) for k, v in form.items())])
    return {k: v for k, v in params.items() if isinstance(v, str)}


def _secret(request: web.Request, params: dict[str, str]) -> str:
    key = (
        params.get("client_secret")
        or request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    )
    if not key.startswith(("sk_test_", "sk_live_")):
        raise OAuthError(
            401,
            "invalid_client",
            "No authentication was provided. Send your "
            "secret API key using the Authorization header, or as a "
            "client_secret POST parameter.",
        )
    return key


class _Call:
    """One OAuth request: logged on arrival, answered (or dropped) as its fault says."""

    def __init__(self, request: web.Request, params: dict[str, str]) -> None:
        from .app import take_fault  # app imports this module

        self.request = request
        self.state = request.app[STATE_KEY]
        self.entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "stripe_account": None,
            "idempotency_key": request.headers.get("Idempotency-Key"),
            "params": {k: v for k, v in params.items() if k != "client_secret"},
            "status": None,
            "problems": [],
            "request_id": new_id("req", 14),
        }
        # Logged before anything happens, so a request whose answer never came still counts.
        self.state.requests.append(self.entry)
        self.fault: Fault | None = take_fault(self.state, request.method, request.path)

    async def before(self) -> web.Response | None:
        """The fault's answer instead of carrying the request out (500, 429), else None.

        A ``timeout`` holds the request for the fault's seconds first (as on ``/v1``).
        """
        kind = self.fault.kind if self.fault else None
        if kind == "timeout" and self.fault is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.fault.seconds):
                    await self.state.shutdown.wait()
        if kind == "500":
            body = {
                "error": {
                    "type": "api_error",
                    "message": "An unknown error occurred on Stripe's end.",
                }
            }
            return self.answer(body, 500)
        if kind == "429":
            # Stripe's rate-limit answer (https://stripe.com/docs/rate-limits), as on /v1.
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "code": "rate_limit",
                    "message": "Request rate limit exceeded. Learn more about rate limits here "
                    "https://stripe.com/docs/rate-limits.",
                }
            }
            return self.answer(body, 429, {"Retry-After": "1"})
        return None

    def answer(
        self, body: dict[str, Any], status: int, headers: dict[str, str] | None = None
    ) -> web.Response:
        self.entry["status"] = status
        resp = json_response(body, status)
        resp.headers["Request-Id"] = self.entry["request_id"]
        resp.headers.update(headers or {})
        if self.fault is not None and self.fault.kind == "drop":
            # Carried out; now the answer is lost on the way back.
            self.entry["dropped"] = True
            if self.request.transport is not None:
                self.request.transport.close()
        return resp


OAuthWork = Callable[[State, dict[str, str], bool], dict[str, Any]]


def _endpoint(work: OAuthWork) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A POST endpoint: logged, its fault applied, the key checked, then `work` carried out.

    `work(state, params, live)` returns the answer's body or raises `OAuthError`, which is
    answered in OAuth's shape.
    """

    async def handler(request: web.Request) -> web.StreamResponse:
        params = await _params(request)
        call = _Call(request, params)
        faulted = await call.before()
        if faulted is not None:
            return faulted
        try:
            live = _secret(request, params).startswith("sk_live_")
            body = work(call.state, params, live)
        except OAuthError as exc:
            return call.answer(exc.body(), exc.status)
        return call.answer(body, 200)

    return handler


def _token(state: State, params: dict[str, str], live: bool) -> dict[str, Any]:
    grant = params.get("grant_type")
    if grant == "authorization_code":
        return exchange_code(state, params.get("code", ""), key_live=live)
    if grant == "refresh_token":
        return refresh(state, params.get("refresh_token", ""), params.get("scope"), key_live=live)
    if not grant:
        raise OAuthError(400, "invalid_request", "No grant type provided")
    raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")


def _deauthorize(state: State, params: dict[str, str], live: bool) -> dict[str, Any]:
    account = params.get("stripe_user_id", "")
    obj = state.objects.get(account)
    if not params.get("client_id"):
        raise OAuthError(400, "invalid_request", "No client_id provided.")
    if obj is None or obj.get("object") != "account" or account in state.deauthorized:
        raise OAuthError(
            401,
            "invalid_client",
            "This application is not connected to "
            f"stripe account {account}, or that account does not exist.",
        )
    deauthorize_account(state, account, client_id=params["client_id"], livemode=live)
    return {"stripe_user_id": account}


token = _endpoint(_token)
deauthorize = _endpoint(_deauthorize)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/oauth/authorize", authorize)
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/oauth/deauthorize", deauthorize)
