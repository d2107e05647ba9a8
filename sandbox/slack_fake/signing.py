"""Slack's request signing (v0), computed here independently of slack_sdk's verifier."""

from __future__ import annotations

import hashlib
import hmac


def slack_signature(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"
