"""The registry of API operations and what a handler receives."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import invalid
from .store import STATE_KEY, State, new_id, render

Json = dict[str, Any]


@dataclass
class Ctx:
    """One API request as a handler sees it."""

    state: State
    account: str | None
    params: Json
    args: list[str]
    livemode: bool
    request_id: str
    base_url: str
    idempotency_key: str | None = None
    api_version: str = ""
    events: list[Json] = field(default_factory=list)
    # A `decline` fault: the card issuer declines whatever payment this request confirms.
    issuer_declines: bool = False

    def scope_of(self, obj_id: str) -> str | None:
        return self.state.owner(obj_id)


Handler = Callable[[Ctx], Json]
OPERATIONS: dict[tuple[str, str], Handler] = {}


def api(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for (method, path template as in Stripe's OpenAPI document)."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[(method, template)] = handler
        return handler

    return register


def matching(ctx: Ctx, items: list[Json], *keys: str) -> list[Json]:
    """The ``items`` whose ``key`` equals the request's ``key`` parameter, for each of ``keys``
    the request sets (a list endpoint's exact-match filters); an unset one filters nothing.
    """
    for key in keys:
        if ctx.params.get(key):
            items = [o for o in items if o.get(key) == ctx.params[key]]
    return items


def list_object(ctx: Ctx, url: str, items: list[Json]) -> Json:
    """A Stripe list with ``limit``, ``starting_after`` and ``ending_before``."""
    limit = int(ctx.params.get("limit") or 10)
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be between 1 and 100", param="limit")
    after, before = ctx.params.get("starting_after"), ctx.params.get("ending_before")
    ids = [o["id"] for o in items]
    if after in ids:
        items = items[ids.index(after) + 1 :]
    elif before in ids:
        items = items[: ids.index(before)][-limit:]
    page = items[:limit]
    return {
        "object": "list",
        "data": [render(o) for o in page],
        "has_more": len(items) > limit,
        "url": url,
    }


def expand(ctx: Ctx, body: Json, paths: list[str]) -> Json:
    """Replace ids at ``paths`` (``setup_intent``, ``data.latest_charge``) by the objects."""
    for path in paths:
        _expand(ctx, body, path.split("."))
    return body


def _expand(ctx: Ctx, node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _expand(ctx, item, parts)
        return
    if not isinstance(node, dict) or not parts:
        return
    key, rest = parts[0], parts[1:]
    value = node.get(key)
    if isinstance(value, str):
        found = ctx.state.objects.get(value)
        if found is None:
            raise invalid(f"This property cannot be expanded ({key}).", param="expand")
        node[key] = value = render(found)
    if rest:
        _expand(ctx, value, rest)


def require(ctx: Ctx, name: str) -> Any:
    value = ctx.params.get(name)
    if value is None or value == "":
        raise invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
    return value


def base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def json_response(
    body: Any, status: int = 200, request_id: str | None = None, **headers: str
) -> web.Response:
    resp = web.Response(
        text=json.dumps(body, indent=2), status=status, content_type="application/json"
    )
    resp.headers["Request-Id"] = request_id or new_id("req", 14)
    resp.headers.update(headers)
    return resp


async def object_and_body(
    request: web.Request, key: str, kind: str
) -> tuple[State, Json, Json] | web.Response:
    """For a control route on one object (its id as ``{key}`` in the path, its ``object``
    `kind`): the state, the object and the JSON body (empty when none), or a 404 answer
    naming the kind when there is no such object."""
    state = request.app[STATE_KEY]
    obj = state.objects.get(request.match_info[key])
    if obj is None or obj.get("object") != kind:
        return json_response({"error": f"no such {kind}"}, 404)
    body: Json = await request.json() if request.can_read_body else {}
    return state, obj, body


async def account_and_body(
    request: web.Request, key: str
) -> tuple[State, str, Json] | web.Response:
    """For a control route on an account (``{key}`` in its path): the state, the account id
    and the JSON body (empty when none), or a 404 answer when there is no such account."""
    found = await object_and_body(request, key, "account")
    if isinstance(found, web.Response):
        return found
    state, _, body = found
    return state, request.match_info[key], body
