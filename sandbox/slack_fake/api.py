"""The `/api/<method>` route: outage, faults, auth, dispatch, and the call log."""

from __future__ import annotations

import asyncio
import copy
import time

from aiohttp import web

from .methods import METHODS
from .params import read_api_request
from .state import JSON, FakeState

STATE_KEY: web.AppKey[FakeState] = web.AppKey("slack_fake_state", FakeState)


def _record(state: FakeState, method: str, params: JSON, body: JSON, status: int) -> None:
    state.calls.append(
        {
            "method": method,
            "params": copy.deepcopy(params),
            "ok": bool(body.get("ok")),
            "error": body.get("error"),
            "status": status,
            "ts": time.time(),
        }
    )


def _answer(
    state: FakeState,
    method: str,
    params: JSON,
    body: JSON,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    _record(state, method, params, body, status)
    return web.json_response(body, status=status, headers=headers)


async def handle_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    method = request.match_info["method"]
    api = await read_api_request(request)
    params = api.params
    if state.in_outage():
        body = {"ok": False, "error": "service_unavailable"}
        return _answer(state, method, params, body, status=503)
    fault = state.take_fault(method)
    if fault is not None and fault.kind == "429":
        body = {"ok": False, "error": "ratelimited"}
        headers = {"Retry-After": str(fault.retry_after)}
        return _answer(state, method, params, body, status=429, headers=headers)
    if fault is not None and fault.kind == "500":
        return _answer(state, method, params, {"ok": False, "error": "internal_error"}, status=500)
    if fault is not None and fault.kind == "timeout":
        _record(state, method, params, {"ok": False, "error": "timeout"}, 0)
        await asyncio.sleep(fault.seconds)
        return web.json_response({"ok": False, "error": "request_timeout"})
    handler = METHODS.get(method)
    if handler is None:
        return _answer(state, method, params, {"ok": False, "error": "unknown_method"})
    if api.malformed:
        return _answer(state, method, params, {"ok": False, "error": "invalid_json"})
    if api.token is None:
        return _answer(state, method, params, {"ok": False, "error": "not_authed"})
    if api.token != state.identity.token:
        return _answer(state, method, params, {"ok": False, "error": "invalid_auth"})
    body = await handler(state, params)
    return _answer(state, method, params, body)
