"""The one rule `/notify add` and `connectbot check` apply to the webhook endpoints: every
endpoint at connectbot's URL enabled and sent each type (or `*`), and two endpoints there."""

from __future__ import annotations

from typing import Any

import pytest

from bot.stripe_ops.webhook_endpoints import coverage

URL = "https://bot.example.com/stripe/webhook"
TYPES = {"product.created", "customer.created"}
BOTH = ["customer.created", "product.created"]


def endpoint(name: str, *events: str, url: str = URL, status: str = "enabled") -> dict[str, Any]:
    return {"id": name, "url": url, "status": status, "enabled_events": list(events)}


@pytest.mark.parametrize(
    ("endpoints", "lacking", "too_few"),
    [
        ([], {}, True),
        ([endpoint("we_a", "*"), endpoint("we_c", "*")], {}, False),
        ([endpoint("we_a", *BOTH), endpoint("we_c", "*")], {}, False),
        # One endpoint sent a type is not enough: the other kind of account's events never come.
        (
            [endpoint("we_a", "customer.created"), endpoint("we_c", "product.created")],
            {"we_a": ("product.created",), "we_c": ("customer.created",)},
            False,
        ),
        ([endpoint("we_a", "*"), endpoint("we_c", "charge.failed")], {"we_c": tuple(BOTH)}, False),
        ([endpoint("we_a", "*")], {}, True),
        (
            [endpoint("we_a", "*"), endpoint("we_x", "*", url="https://elsewhere.example/h")],
            {},
            True,
        ),
        # A disabled endpoint is sent nothing, whatever it selects.
        ([endpoint("we_a", "*"), endpoint("we_c", "*", status="disabled")], {"we_c": ()}, False),
        (
            [endpoint("we_a", *BOTH), endpoint("we_c", "customer.created", status="disabled")],
            {"we_c": ("product.created",)},
            False,
        ),
    ],
)
def test_every_endpoint_at_the_url_must_be_enabled_and_sent_every_type(
    endpoints: list[dict[str, Any]], lacking: dict[str, tuple[str, ...]], too_few: bool
) -> None:
    found = coverage(endpoints, url=URL, types=TYPES)
    assert {e.id: e.missing for e in found.lacking} == lacking
    assert found.too_few is too_few
    assert found.complete is (not lacking and not too_few)


def test_endpoints_elsewhere_are_named_not_counted() -> None:
    found = coverage(
        [endpoint("we_a", "*"), endpoint("we_x", "*", url="https://elsewhere.example/h")],
        url=URL,
        types=TYPES,
    )
    assert [e.id for e in found.endpoints] == ["we_a"]
    assert found.elsewhere == ("https://elsewhere.example/h",)
