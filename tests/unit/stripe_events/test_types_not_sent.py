"""Which event types no webhook endpoint at connectbot's URL is sent (`/notify add`'s warning)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.stripe_ops.webhook_endpoints import types_not_sent

URL = "https://bot.example.com/stripe/webhook"


def endpoint(*events: str, url: str = URL, status: str = "enabled") -> dict[str, Any]:
    return {"url": url, "status": status, "enabled_events": list(events)}


@pytest.mark.parametrize(
    ("endpoints", "expected"),
    [
        ([], ["customer.created", "product.created"]),
        ([endpoint("*")], []),
        ([endpoint("customer.created")], ["product.created"]),
        ([endpoint("customer.created"), endpoint("product.created")], []),
        (
            [endpoint("*", url="https://elsewhere.example.com/hook")],
            ["customer.created", "product.created"],
        ),
        ([endpoint("*", status="disabled"), endpoint("customer.created")], ["product.created"]),
    ],
)
def test_types_not_sent(endpoints: list[dict[str, Any]], expected: list[str]) -> None:
    types = {"product.created", "customer.created"}
    assert types_not_sent(endpoints, url=URL, types=types) == expected
