"""Stripe-shaped events and Stripe's webhook signature, for tests that play Stripe's part."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header: t=…,v1=HMAC-SHA256(secret, "t.payload")."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event(
    event_type: str,
    obj: dict[str, Any],
    *,
    account: str | None = None,
    livemode: bool = False,
    event_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        body["account"] = account
    return body


def payout(amount: int, *, status: str = "paid", currency: str = "usd") -> dict[str, Any]:
    return {
        "id": f"po_{secrets.token_hex(8)}",
        "object": "payout",
        "amount": amount,
        "currency": currency,
        "arrival_date": 1795651200,
        "status": status,
        "failure_message": "The bank account has been closed." if status == "failed" else None,
    }


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
