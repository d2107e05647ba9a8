"""The `/api/<method>` route: outage, faults, auth, dispatch, and the call log."""

from __future__ import annotations

import copy

from aiohttp import web

from . import faults, file_methods
from .methods import METHODS
from .params import ApiRequest, read_api_request
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
            "ts": state.now(),
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


async def handle_api(request: web.Request) -> web.StreamResponse:
    """Answer one Web API call: an outage or a fault first, then auth, then the method."""
    state = request.app[STATE_KEY]
    # Upload URLs and file links point back at this fake, where it is reached.
    state.base_url = f"{request.scheme}://{request.host}/"
    method = request.match_info["method"]
    api = await read_api_request(request)
    params = api.params
    fault = None if state.in_outage() else state.take_fault(method)
    refused = faults.refusal(state, fault)
    if refused is not None:
        return _answer(
            state, method, params, refused.body, status=refused.status, headers=refused.headers
        )
    if fault is not None and fault.kind == "timeout":
        _record(state, method, params, {"ok": False, "error": "timeout"}, 0)
        await faults.hang(fault)
        return web.json_response({"ok": False, "error": "request_timeout"})
    answer = await _call(state, method, api)
    if fault is not None and fault.kind == "drop":
        return faults.drop_after(request, answer)
    return answer


async def _call(state: FakeState, method: str, api: ApiRequest) -> web.Response:
    params = api.params
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


async def handle_upload(request: web.Request) -> web.Response:
    """An upload URL handed out by files.getUploadURLExternal (see `file_methods.upload`)."""
    state = request.app[STATE_KEY]
    answer = await file_methods.upload(request, state)
    _record(
        state,
        "file_upload",
        {"key": request.match_info["key"]},
        {"ok": answer.status == 200},
        answer.status,
    )
    return answer
