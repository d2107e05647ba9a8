"""In-memory state of the fake Stripe: objects scoped per account, codes, idempotency, events.

Every object is a plain dict shaped like Stripe's JSON. Keys starting with ``_`` are private to
the fake (for example a card's full number) and are stripped by :func:`render`.
An object's owner is the account it was created under: ``None`` for the platform, or a
connected account id (the ``Stripe-Account`` header).
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from stripe._object_classes import OBJECT_CLASSES

from .errors import StripeError
from .idempotency import IdempotencyKeys
from .webhook_state import WebhookState

_ALPHABET = string.ascii_letters + string.digits

# Stripe's wording in "No such …" messages, by id prefix.
_NOUNS = {
    "acct": "account",
    "cus": "customer",
    "pm": "PaymentMethod",
    "pi": "payment_intent",
    "seti": "setupintent",
    "cs": "checkout.session",
    "ch": "charge",
    "re": "refund",
    "fee": "application fee",
    "fr": "fee refund",
    "txn": "balance transaction",
    "evt": "event",
    "dp": "dispute",
}


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class Clock:
    """The fake's notion of time: real time plus an offset that tests advance.

    Everything Stripe lets expire (idempotency keys after 24 hours, OAuth codes, Checkout
    sessions, ...) is measured on this clock, so a test can age it with
    ``POST /_fake/clock {"advance": seconds}`` instead of waiting. Webhook signatures use real
    time: the receiver checks them against its own clock, as with real Stripe.
    """

    offset: float = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def now(self) -> int:
        return int(self.time())

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the fake clock only moves forward")
        self.offset += seconds


def skeleton(object_name: str) -> dict[str, Any]:
    """All public fields stripe-python declares for ``object_name``, set to ``None``."""
    module_name, class_name = OBJECT_CLASSES[object_name]
    cls = getattr(importlib.import_module(module_name), class_name)
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in getattr(klass, "__annotations__", {}).items():
            if not name.startswith("_") and "ClassVar" not in str(annotation):
                fields[name] = None
    fields["object"] = object_name
    return fields


def render(obj: Any) -> Any:
    """A deep copy of ``obj`` without the fake's private ``_`` keys."""
    if isinstance(obj, dict):
        return {k: render(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [render(v) for v in obj]
    return copy.deepcopy(obj)


@dataclass
class Fault:
    method: str
    path: str
    kind: str
    count: int
    seconds: float = 90.0
    account: str | None = None  # only requests with this Stripe-Account header (None: any)


@dataclass
class State:
    """Everything the fake knows. ``reset`` clears it."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    owners: dict[str, str | None] = field(default_factory=dict)
    platform_id: str = field(default_factory=lambda: new_id("acct", 16))
    oauth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    deauthorized: set[str] = field(default_factory=set)
    idempotency: IdempotencyKeys = field(default_factory=IdempotencyKeys)
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    shutdown: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    webhooks: WebhookState = field(default_factory=WebhookState)

    def reset(self) -> None:
        """Forget every object, code, key, fault, request and event."""
        fresh = State()
        for name in self.__dataclass_fields__:
            if name not in ("shutdown", "wake", "webhooks"):
                setattr(self, name, getattr(fresh, name))
        self.webhooks.reset()

    def put(self, obj: dict[str, Any], account: str | None) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        self.owners[obj["id"]] = account
        return obj

    def find(self, obj_id: str, account: str | None) -> dict[str, Any] | None:
        obj = self.objects.get(obj_id)
        if obj is None or self.owners.get(obj_id) != account:
            return None
        return obj

    def get(
        self, obj_id: str, account: str | None, object_name: str, param: str = "id"
    ) -> dict[str, Any]:
        obj = self.find(obj_id, account)
        if obj is None or obj.get("object") != object_name:
            noun = _NOUNS.get(obj_id.split("_", 1)[0], object_name)
            raise StripeError(
                404,
                "invalid_request_error",
                f"No such {noun}: '{obj_id}'",
                code="resource_missing",
                param=param,
            )
        return obj

    def owner(self, obj_id: str) -> str | None:
        return self.owners.get(obj_id)

    def all(self, object_name: str, account: str | None) -> list[dict[str, Any]]:
        """Objects of a kind under ``account``, newest first (Stripe's list order)."""
        found = [
            o
            for i, o in self.objects.items()
            if o.get("object") == object_name and self.owners.get(i) == account
        ]
        found.reverse()
        return found


STATE_KEY = web.AppKey("state", State)
