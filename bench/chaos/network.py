"""The network between the crowd, the fakes and the servers, as a load balancer would be.

`Network` is one aiohttp server with two roles:

* ``/in/…``: the public address (`PUBLIC_URL`) of all three servers. Each request (Slack's
  slash commands, clicks and events, Stripe's webhooks, people's browsers) goes to a live server
  chosen at random. A server that refuses the connection (it was just killed) is skipped, as a
  load balancer's health check would; one that dies mid-request leaves the caller a 502.
* ``/slack/{incarnation}/…``: each server process's `SLACK_API_URL`. Calls are passed to the
  fake Slack and logged with the process that made them and whether its answer came back, so a
  message posted twice can be traced to its cause (a kill right after Slack's answer, or an
  answer the network lost) instead of being guessed at.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

# Hop-by-hop and length headers are the proxy's own business on each leg.
_SKIP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


@dataclass(frozen=True)
class SlackCall:
    """One Web API call a server made: who, when, what, and whether its answer reached it."""

    incarnation: int
    method: str
    params: dict[str, Any]
    at: float
    answered: bool


@dataclass
class NetworkLog:
    slack_calls: list[SlackCall] = field(default_factory=list)
    routed: int = 0
    refused: int = 0  # requests no live server could take (answered 502)
    leaks: list[str] = field(default_factory=list)  # what answers showed that they must not


def _params(body: bytes, content_type: str) -> dict[str, Any]:
    """The call's parameters as slack_sdk sent them (JSON or a form)."""
    try:
        if "json" in content_type:
            found = json.loads(body or b"{}")
            return found if isinstance(found, dict) else {}
        return dict(parse_qsl(body.decode()))
    except (ValueError, UnicodeDecodeError):
        return {}


class Network:
    """Routes `/in/` to `live()` servers' base URLs and `/slack/N/` to the fake Slack."""

    def __init__(
        self,
        live: Callable[[], list[str]],
        slack_url: str,
        rng: random.Random,
        scan: Callable[[str], list[str]],
    ) -> None:
        self._live = live
        self._scan = scan
        self._slack_url = slack_url.rstrip("/")
        self._rng = rng
        self.log = NetworkLog()
        self._http: aiohttp.ClientSession | None = None
        self.app = web.Application(client_max_size=8 * 1024 * 1024)
        self.app.router.add_route("*", "/in/{tail:.*}", self._ingress)
        self.app.router.add_route("*", "/slack/{incarnation}/{tail:.*}", self._slack)
        self.app.on_cleanup.append(self._close)

    async def _close(self, _app: web.Application) -> None:
        if self._http is not None:
            await self._http.close()

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            timeout = aiohttp.ClientTimeout(total=60)
            self._http = aiohttp.ClientSession(timeout=timeout, auto_decompress=False)
        return self._http

    @staticmethod
    def _headers(headers: Any) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k.lower() not in _SKIP}

    async def _ingress(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        path = "/" + request.match_info["tail"]
        if request.query_string:
            path += "?" + request.query_string
        backends = self._live()
        self._rng.shuffle(backends)
        for base in backends:
            try:
                async with self._session().request(
                    request.method,
                    base + path,
                    data=body,
                    headers=self._headers(request.headers),
                    allow_redirects=False,
                ) as resp:
                    payload = await resp.read()
                    self.log.routed += 1
                    shown = payload.decode(errors="replace")
                    self.log.leaks += [
                        f"{request.method} {path[:60]}: {w}" for w in self._scan(shown)
                    ]
                    return web.Response(
                        status=resp.status, body=payload, headers=self._headers(resp.headers)
                    )
            except aiohttp.ClientConnectorError:
                continue  # not listening (killed, or not started yet): try another
            except (aiohttp.ClientError, TimeoutError):
                break  # died mid-request: the caller sees a bad gateway, as behind a real one
        self.log.refused += 1
        return web.Response(status=502, text="bad gateway")

    async def _slack(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        tail = request.match_info["tail"]
        if request.query_string:  # slack_sdk sends some methods' arguments in the query
            tail += "?" + request.query_string
        incarnation = int(request.match_info["incarnation"])
        method = request.match_info["tail"].removeprefix("api/")
        params = {**request.query, **_params(body, request.content_type)}
        at = time.monotonic()
        try:
            async with self._session().request(
                request.method,
                f"{self._slack_url}/{tail}",
                data=body,
                headers=self._headers(request.headers),
            ) as resp:
                payload = await resp.read()
                answer = web.Response(
                    status=resp.status, body=payload, headers=self._headers(resp.headers)
                )
        except (aiohttp.ClientError, TimeoutError):
            # The fake Slack closed the connection after the call took effect ("drop"): the
            # server gets no answer either.
            self.log.slack_calls.append(SlackCall(incarnation, method, params, at, False))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=502)
        self.log.slack_calls.append(SlackCall(incarnation, method, params, at, True))
        return answer
