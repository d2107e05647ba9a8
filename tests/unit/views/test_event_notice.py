"""The generic rendering of a subscribed Stripe event: type, object, amount, vendor, links."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.money import Money
from bot.views.event_notice import amount_of, event_notice


def event(obj: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "type": "charge.succeeded",
        "livemode": False,
        "data": {"object": obj},
        **fields,
    }


CHARGE = {
    "id": "ch_1",
    "object": "charge",
    "amount": 123450,
    "currency": "usd",
    "customer": "cus_9",
    "payment_intent": "pi_3",
}


def shown(msg: dict[str, Any]) -> str:
    """Everything a reader sees: the section and context texts."""
    return "\n".join(
        str(block.get("text", {}).get("text", ""))
        + "".join(str(e.get("text", "")) for e in block.get("elements", []))
        for block in msg["blocks"]
    )


def test_a_vendors_charge_in_test_mode() -> None:
    msg = event_notice(
        event(CHARGE, account="acct_1"), vendor_user_id="U0VERA", subscription="charge.*"
    )
    text = shown(msg)
    test = "https://dashboard.stripe.com/acct_1/test"
    assert msg["text"].startswith("`charge.succeeded`: charge ")
    assert f"<{test}/payments/ch_1|ch_1> of $1,234.50" in text
    assert (
        "<@U0VERA>'s account <https://dashboard.stripe.com/test/connect/accounts/acct_1|acct_1>"
        in text
    )
    assert f"customer <{test}/customers/cus_9|cus_9>" in text
    assert f"payment intent <{test}/payments/pi_3|pi_3>" in text
    assert f"<{test}/events/evt_1|evt_1>" in text
    assert "`/notify add charge.*`" in text and "test mode" in text


def test_a_live_platform_event_without_amount() -> None:
    msg = event_notice(
        event(
            {"id": "cus_1", "object": "customer", "email": "<@U1>"},
            livemode=True,
            type="customer.created",
        ),
        vendor_user_id=None,
        subscription="customer.created",
    )
    text = shown(msg)
    assert "customer <https://dashboard.stripe.com/customers/cus_1|cus_1> on the platform" in text
    assert " of " not in msg["text"] and "test mode" not in text
    assert "<@U1>" not in text  # no field but the known ones is shown


def test_an_unknown_account_and_an_object_without_a_dashboard_page() -> None:
    msg = event_notice(
        event({"id": "prod_1", "object": "product"}, account="acct_9", type="product.created"),
        vendor_user_id=None,
        subscription="product.*",
    )
    text = shown(msg)
    assert (
        "product `prod_1` on account <https://dashboard.stripe.com/test/connect/accounts/acct_9|acct_9>"
        in text
    )


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"amount": 500, "currency": "usd"}, Money(500, "usd")),
        ({"amount": 500, "currency": "JPY"}, Money(500, "jpy")),
        ({"amount": "500", "currency": "usd"}, None),
        ({"amount": True, "currency": "usd"}, None),
        ({"amount": 500}, None),
        ({"amount": 500, "currency": "dollars"}, None),
        ({"amount": 5.0, "currency": "usd"}, None),
    ],
)
def test_amount_of(obj: dict[str, Any], expected: Money | None) -> None:
    assert amount_of(obj) == expected


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30))


@given(
    st.dictionaries(
        st.sampled_from(["id", "object", "amount", "currency", "customer", "charge", "x"]),
        _values,
    ),
    st.one_of(st.none(), st.text(max_size=20)),
    st.booleans(),
)
@example(obj={}, account="<", live=False)  # an `account` that is no id once broke a link
def test_any_object_renders_without_raw_control_characters(
    obj: dict[str, Any], account: str | None, live: bool
) -> None:
    """Whatever the object holds, the message renders (valid Block Kit) and no value from
    Stripe opens a link or a mention of its own."""
    msg = event_notice(
        event(obj, account=account, livemode=live), vendor_user_id=None, subscription="x.*"
    )
    text = shown(msg)
    links = text.count("<https://dashboard.stripe.com")
    assert text.count("<") == links and "<!" not in text and "<@" not in text
