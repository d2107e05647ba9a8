"""Stripe webhooks: the signature check on a delivery.

`verify_event` checks `Stripe-Signature` on the raw body with stripe-python against each
configured secret (platform and Connect endpoints), with Stripe's 300-second tolerance. What
happens to a verified event is not Stripe's business: the registry of its handlers is
`bot/stripe_events.py`.
"""

from __future__ import annotations

import json
from typing import Any

import stripe

from bot.refusal import Refusal

TOLERANCE_SECONDS = 300
WEBHOOK_PATH = "/stripe/webhook"  # both endpoints, platform and Connect, send here


def verify_event(
    payload: bytes, signature: str | None, *, secrets: list[str], livemode: bool
) -> dict[str, Any] | Refusal:
    """The event, when `signature` is valid for `payload` under one of `secrets`; else why not,
    for the sender (answered with a 400 and logged; the secret never appears in it).

    Refuses: no secret configured, missing or malformed header, wrong signature, a timestamp
    outside the tolerance, a body that is not an event, and an event whose mode (test/live)
    differs from the platform key's.
    """
    if not secrets:
        return Refusal("no webhook signing secret is configured")
    if not signature:
        return Refusal("missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("body is not UTF-8")
    last_error = "signature does not match"
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, signature, secret, TOLERANCE_SECONDS)
            break
        except stripe.SignatureVerificationError as exc:
            last_error = str(exc.user_message or "signature does not match")
    else:
        return Refusal(last_error)
    try:
        event = json.loads(text)
    except ValueError:
        return Refusal("body is not JSON")
    if not _looks_like_event(event):
        return Refusal("body is not a Stripe event")
    if bool(event.get("livemode")) != livemode:
        mode = "live" if event.get("livemode") else "test"
        return Refusal(
            f"{mode}-mode event refused by a {'live' if livemode else 'test'}-mode server"
        )
    result: dict[str, Any] = event
    return result


def _looks_like_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.get("object") == "event"
        and isinstance(event.get("id"), str)
        and event["id"].startswith("evt_")
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    )
