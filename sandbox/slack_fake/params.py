"""Decode a Web API request the way Slack does: query string, form or JSON body, and the token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

JSON_FIELDS = ("blocks", "view", "attachments", "metadata")


@dataclass
class ApiRequest:
    params: dict[str, Any]
    token: str | None
    body_is_json: bool
    malformed: bool = False


def _decode_json_fields(params: dict[str, Any]) -> None:
    """Form bodies carry blocks/view as JSON strings; decode them (leave them if not JSON)."""
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                pass


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


async def read_api_request(request: web.Request) -> ApiRequest:
    params: dict[str, Any] = dict(request.query)
    body_is_json = False
    malformed = False
    if request.can_read_body:
        if request.content_type == "application/json":
            body_is_json = True
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                body, malformed = {}, True
            if isinstance(body, dict):
                params.update(body)
            else:
                malformed = True
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    _decode_json_fields(params)
    token = bearer_token(request)
    form_token = params.pop("token", None)
    # Slack ignores a token inside a JSON body: it must come in the Authorization header.
    if token is None and isinstance(form_token, str) and form_token and not body_is_json:
        token = form_token
    return ApiRequest(params=params, token=token, body_is_json=body_is_json, malformed=malformed)


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
