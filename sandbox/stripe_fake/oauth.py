"""Connect OAuth: ``/oauth/authorize`` (Approve/Deny page), ``/oauth/token``, ``/deauthorize``.

Errors use OAuth's shape ``{"error": "invalid_grant", "error_description": …}``, not the API's.
Approving for a ``stripe_user[email]`` seen before reuses that account.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from .accounts import make_account
from .api import json_response
from .errors import OAuthError
from .events import record
from .forms import decode
from .store import STATE_KEY, State, new_id

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect with the platform</title>
<style>body{{font-family:system-ui,sans-serif;background:#f6f9fc;display:flex;justify-content:center}}
main{{background:#fff;margin-top:4em;padding:2em 2.5em;border-radius:8px;
box-shadow:0 2px 8px #0002;width:24em}}
button{{padding:.6em 1.4em;margin-right:.6em;border-radius:4px;border:1px solid #635bff}}
.approve{{background:#635bff;color:#fff}}</style></head>
<body><main><h1>Connect your Stripe account</h1>
<p><strong>{client}</strong> asks for <code>{scope}</code> access to the Stripe account of
<strong>{email}</strong>.</p>
<form method="get" action="/oauth/authorize">{hidden}
<button class="approve" name="sandbox_decision" value="approve">Approve</button>
<button name="sandbox_decision" value="deny">Deny</button></form></main></body></html>"""


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
        acct = _account_for(state, email)
        code = new_id("ac", 32)
        scope = q.get("scope", "read_write")
        state.oauth_codes[code] = {
            "account": acct,
            "scope": scope,
            "used": False,
            "client_id": q["client_id"],
        }
        raise _redirect(redirect_uri, {"code": code, "scope": scope, **extra})
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in q.items()
        if k != "sandbox_decision"
    )
    page = _PAGE.format(
        client=html.escape(q["client_id"]),
        scope=html.escape(q.get("scope", "read_write")),
        email=html.escape(email or "a new user"),
        hidden=hidden,
    )
    return web.Response(text=page, content_type="text/html")


def _account_for(state: State, email: str | None) -> str:
    if email:
        for obj_id, obj in state.objects.items():
            if (
                obj.get("object") == "account"
                and obj.get("email") == email
                and (obj_id != state.platform_id)
            ):
                return obj_id
    return str(make_account(state, email=email, enabled=True)["id"])


def _token(state: State, account: str, scope: str, livemode: bool) -> dict[str, object]:
    refresh = new_id("rt", 32)
    state.refresh_tokens[refresh] = account
    state.deauthorized.discard(account)
    mode = "live" if livemode else "test"
    return {
        "access_token": new_id(f"sk_{mode}", 32),
        "livemode": livemode,
        "refresh_token": refresh,
        "scope": scope,
        "stripe_publishable_key": new_id(f"pk_{mode}", 32),
        "stripe_user_id": account,
        "token_type": "bearer",
    }


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


def _fault(request: web.Request, params: dict[str, str]) -> web.StreamResponse | None:
    """A 500 or 429 fault set with /_fake/faults for this OAuth path (API error shape)."""
    from .app import take_fault  # app imports this module

    fault = take_fault(request.app[STATE_KEY], request.method, request.path)
    if fault is None or fault.kind not in ("500", "429"):
        return None
    status = int(fault.kind)
    kind = "api_error" if status == 500 else "invalid_request_error"
    body: dict[str, object] = {
        "error": {"type": kind, "message": "An unknown error occurred on Stripe's end."}
    }
    return _answer(request, params, body, status)


async def token(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    params = await _params(request)
    faulted = _fault(request, params)
    if faulted is not None:
        return faulted
    try:
        live = _secret(request, params).startswith("sk_live_")
        grant = params.get("grant_type")
        if grant == "authorization_code":
            code = params.get("code", "")
            entry = state.oauth_codes.get(code)
            if entry is None:
                raise OAuthError(400, "invalid_grant", f"Authorization code does not exist: {code}")
            if entry["used"]:
                raise OAuthError(
                    400,
                    "invalid_grant",
                    "This authorization code has already "
                    "been used. All tokens issued with this code have been revoked.",
                )
            entry["used"] = True
            body = _token(state, entry["account"], entry["scope"], live)
            record(
                state,
                "account.application.authorized",
                {"id": entry["client_id"], "object": "application", "name": "Connectbot"},
                account=entry["account"],
                livemode=live,
            )
        elif grant == "refresh_token":
            account = state.refresh_tokens.get(params.get("refresh_token", ""))
            if account is None or account in state.deauthorized:
                raise OAuthError(
                    400,
                    "invalid_grant",
                    f"Refresh token does not exist: {params.get('refresh_token')}",
                )
            body = _token(state, account, params.get("scope", "read_write"), live)
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")
    except OAuthError as exc:
        return _answer(request, params, exc.body(), exc.status)
    return _answer(request, params, body, 200)


async def deauthorize(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    params = await _params(request)
    try:
        live = _secret(request, params).startswith("sk_live_")
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
        state.deauthorized.add(account)
        record(
            state,
            "account.application.deauthorized",
            {"id": params["client_id"], "object": "application", "name": "Connectbot"},
            account=account,
            livemode=live,
        )
    except OAuthError as exc:
        return _answer(request, params, exc.body(), exc.status)
    return _answer(request, params, {"stripe_user_id": account}, 200)


def _answer(
    request: web.Request, params: dict[str, str], body: dict[str, object], status: int
) -> web.Response:
    entry: dict[str, object] = {
        "method": request.method,
        "path": request.path,
        "stripe_account": None,
        "idempotency_key": request.headers.get("Idempotency-Key"),
        "params": {k: v for k, v in params.items() if k != "client_secret"},
        "status": status,
        "problems": [],
    }
    request.app[STATE_KEY].requests.append(entry)
    return json_response(body, status)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/oauth/authorize", authorize)
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/oauth/deauthorize", deauthorize)
