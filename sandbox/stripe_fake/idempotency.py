"""Idempotent requests, as Stripe documents them for API v1.

Sources: the API reference, "Idempotent requests" (https://docs.stripe.com/api/idempotent_requests)
and "Advanced error handling" (https://docs.stripe.com/error-low-level#idempotency):

* "Stripe saves the status code and body of the first request made with a given idempotency key
  after endpoint execution begins. Retries with the same key return the saved response,
  including 500 errors." → :meth:`IdempotencyKeys.save` keeps every result of an endpoint that
  ran, errors and 500s included; a retry gets it back with ``Idempotent-Replayed: true``.
* "We save results only after the execution of an endpoint begins. If incoming parameters fail
  validation, or the request conflicts with another request that's executing concurrently, we
  don't save the idempotent result" → authentication, account, unknown-URL and parameter
  validation errors, and 429s and 500s raised in front of the endpoint (the fault controls'
  ``429`` and ``500``), leave no result: the caller releases its claim without saving.
* "You can remove keys from the system automatically after they're at least 24 hours old. We
  generate a new request if a key is reused after the original is pruned." → a saved result is
  forgotten once it is :data:`KEY_LIFETIME_SECONDS` old on the fake's clock (the earliest Stripe
  may prune it: the fake is never kinder than Stripe), and the key then runs as a new request.
* "The idempotency layer compares incoming parameters to those of the original request and
  errors if they're not the same" → 400 ``idempotency_error``, Stripe's wording as answered by
  the API (quoted by stripe-stateful-mock and in public bug reports).
* Keys are scoped per endpoint: stripe-python's ``ErrorObject.type`` documents
  ``idempotency_error`` for a key "re-used on a request that does not match the first request's
  API endpoint and parameters"; the API's message for another endpoint is "Keys for idempotent
  requests can only be used for the same endpoint they were first used for ('…' vs '…')".
  They are scoped per account too (``Stripe-Account``): the same key under another account is
  another request. Only POST requests carry keys ("Don't send idempotency keys in GET and DELETE
  requests because it has no effect"), so the method is part of the endpoint compared.
* A request whose key belongs to a request still executing gets 409 ``idempotency_key_in_use``
  (stripe-python lists the code in ``ErrorObject.code`` and retries 409s by itself); the body is
  the one the API answers: ``invalid_request_error``, "There is currently another in-progress
  request using this Idempotent Key (that probably means you submitted twice, and the other
  request is still going through): KEY. Please try again later.". Nothing is saved for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import StripeError

#: Stripe may prune a key once it is at least 24 hours old ("Idempotent requests").
KEY_LIFETIME_SECONDS = 24 * 60 * 60

Scope = tuple[str | None, str]  # (Stripe-Account or None for the platform, Idempotency-Key)


@dataclass(frozen=True)
class SavedResult:
    """The first executed request under a key and what it answered."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    body: bytes
    request_id: str
    saved_at: float


@dataclass(frozen=True)
class _Claim:
    method: str
    path: str
    params: dict[str, Any]


@dataclass
class IdempotencyKeys:
    """Saved results and keys whose request is executing, per (account, key)."""

    saved: dict[Scope, SavedResult] = field(default_factory=dict)
    in_flight: dict[Scope, _Claim] = field(default_factory=dict)

    def claim(
        self, scope: Scope, method: str, path: str, params: dict[str, Any], *, now: float
    ) -> SavedResult | None:
        """Take the key for this request, or return the saved result to replay.

        Refuses (raises a StripeError) a key first used on another endpoint or with other
        params (400 ``idempotency_error``) and a key whose request is still executing (409
        ``idempotency_key_in_use``). A result older than 24 hours is pruned first, so the
        request runs anew. After a None return the caller must ``save`` or ``release``.
        """
        saved = self.saved.get(scope)
        if saved is not None and now - saved.saved_at >= KEY_LIFETIME_SECONDS:
            del self.saved[scope]
            saved = None
        first: SavedResult | _Claim | None = saved or self.in_flight.get(scope)
        if first is not None:
            _check_same_request(scope[1], first, method, path, params)
        if saved is not None:
            return saved
        if scope in self.in_flight:
            raise StripeError(
                409,
                "invalid_request_error",
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                f"going through): {scope[1]}. Please try again later.",
                code="idempotency_key_in_use",
            )
        self.in_flight[scope] = _Claim(method, path, params)
        return None

    def save(self, scope: Scope, result: SavedResult) -> None:
        """The endpoint ran: keep its answer for replays and free the key."""
        self.saved[scope] = result
        self.in_flight.pop(scope, None)

    def release(self, scope: Scope) -> None:
        """The request ended before the endpoint ran (or without saving): free the key."""
        self.in_flight.pop(scope, None)


def _check_same_request(
    key: str, first: SavedResult | _Claim, method: str, path: str, params: dict[str, Any]
) -> None:
    if (first.method, first.path) != (method, path):
        raise StripeError(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used for the same endpoint they were "
            f"first used for ('{first.path}' vs '{path}'). Try using a key other than "
            f"'{key}' if you meant to execute a different request.",
        )
    if first.params != params:
        raise StripeError(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
        )


def saved_result(entry: dict[str, Any], status: int, body: Any, *, now: float) -> SavedResult:
    """What to keep of an executed request (its log ``entry``) and its answer."""
    return SavedResult(
        method=entry["method"],
        path=entry["path"],
        params=entry["params"],
        status=status,
        body=json.dumps(body, indent=2).encode(),
        request_id=entry["request_id"],
        saved_at=now,
    )


def replay(saved: SavedResult, entry: dict[str, Any], headers: dict[str, str]) -> web.Response:
    """The saved answer again, marked as Stripe marks a replay (``Idempotent-Replayed``, and
    ``Original-Request`` naming the request that executed)."""
    entry["status"] = saved.status
    entry["replayed"] = True
    resp = web.Response(body=saved.body, status=saved.status, content_type="application/json")
    resp.headers.update(headers)
    resp.headers["Idempotent-Replayed"] = "true"
    resp.headers["Original-Request"] = saved.request_id
    return resp
