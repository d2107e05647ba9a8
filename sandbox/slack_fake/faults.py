"""What the fake answers instead of doing a call: outage, rate limits, 5xx, hangs, drops.

Every Web API method and every response URL goes through here (`api.handle_api`,
`responses.handle_respond`), so any of them can be made to fail as Slack fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from .state import JSON, FakeState, Fault

KINDS = ("429", "500", "502", "503", "504", "timeout", "drop")
# Error names Slack's methods list for its own failures (https://api.slack.com/methods/
# chat.update#errors): `internal_error` "likely due to a transient issue on our end",
# `service_unavailable` "The service is temporarily unavailable", `fatal_error` "The server
# could not complete your operation(s) without encountering a catastrophic error".
SERVER_ERRORS = {500: "internal_error", 503: "service_unavailable"}


@dataclass
class Refusal:
    """An answer that replaces the call: HTTP status, JSON body, headers."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)


def refusal(state: FakeState, fault: Fault | None) -> Refusal | None:
    """The answer for an outage or a 429/5xx fault, or None when the call should go on.

    A rate-limited call is answered HTTP 429 with `Retry-After` in seconds and error
    `ratelimited` ("The request has been ratelimited. Refer to the Retry-After header for when
    to retry the request.", https://api.slack.com/docs/rate-limits and the methods' error
    lists); an outage is 503 `service_unavailable`.
    """
    if state.in_outage():
        return Refusal(503, {"ok": False, "error": "service_unavailable"})
    if fault is None:
        return None
    if fault.kind == "429":
        headers = {"Retry-After": str(fault.retry_after)}
        return Refusal(429, {"ok": False, "error": "ratelimited"}, headers)
    if fault.kind.startswith("5"):
        status = int(fault.kind)
        return Refusal(status, {"ok": False, "error": SERVER_ERRORS.get(status, "fatal_error")})
    return None


async def hang(fault: Fault) -> None:
    """A "timeout" fault: nothing happens and no answer comes for `fault.seconds`."""
    await asyncio.sleep(fault.seconds)


def drop_after(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """A "drop" fault: the call took effect; close the connection so the answer is lost."""
    if request.transport is not None:
        request.transport.close()
    return response
