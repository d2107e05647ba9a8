"""The /charge modal, built as plain Block Kit: what slack_sdk's models render, validated, and
new for every request (nothing one request shows can leak into another's modal)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.money import Money, plain_amount
from bot.views.charge import CustomerChoice, charge_modal
from bot.views.dashboard import dashboard_link

CUSTOMERS = [
    CustomerChoice(1, "ann@example.com", "Visa •••• 4242"),
    CustomerChoice(2, "bob@example.com", None),
    CustomerChoice(3, "a-very-long-address-" * 4 + "@example.com", "Amex •••• 0005"),
]


def _given(**changes: Any) -> dict[str, Any]:
    return {
        "vendor_user_id": "U1",
        "vendor_account": "acct_1",
        "money": Money(10050, "usd"),
        "currencies": ["eur", "jpy", "usd"],
        "customers": CUSTOMERS,
        "customer_id": 2,
        "description": "Lunch",
        "fee_preview": "Platform fee *$3.30*",
        "private_metadata": '{"vendor_id": 1}',
    } | changes


def _modal(**changes: Any) -> dict[str, Any]:
    return charge_modal(**_given(**changes))


def _with_models(
    *,
    vendor_user_id: str,
    vendor_account: str,
    money: Money,
    currencies: list[str],
    customers: list[CustomerChoice],
    customer_id: int | None,
    description: str | None,
    fee_preview: str,
    private_metadata: str,
    vendor_livemode: bool = False,
) -> dict[str, Any]:
    """The same modal through slack_sdk's models (how it was built before), validated."""

    def option(c: CustomerChoice) -> Option:
        text = f"{c.email} · {c.card}" if c.card else c.email
        return Option(value=str(c.id), text=text[:75])

    options = [option(c) for c in customers]
    selected = next(
        (o for o, c in zip(options, customers, strict=True) if c.id == customer_id), None
    )
    currency_options = [Option(value=c, text=c.upper()) for c in currencies]
    chosen = next((o for o in currency_options if o.value == money.currency), None)
    trigger = {"trigger_actions_on": ["on_enter_pressed", "on_character_entered"]}
    view = View(
        type="modal",
        callback_id="charge_confirm",
        title="Confirm charge",
        submit="Charge",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=[
            SectionBlock(
                block_id="vendor",
                text=MarkdownTextObject(
                    text=f"*Vendor:* <@{vendor_user_id}> "
                    f"({dashboard_link(vendor_account, livemode=vendor_livemode)})\n"
                    "The charge is made on the vendor's Stripe account, with the platform fee."
                ),
            ),
            InputBlock(
                block_id="amount",
                label="Amount",
                dispatch_action=True,
                element=PlainTextInputElement(
                    action_id="amount",
                    initial_value=plain_amount(money),
                    max_length=64,
                    dispatch_action_config=trigger,
                ),
            ),
            InputBlock(
                block_id="currency",
                label="Currency",
                dispatch_action=True,
                element=StaticSelectElement(
                    action_id="currency", options=currency_options, initial_option=chosen
                ),
            ),
            InputBlock(
                block_id="customer",
                label="Customer",
                hint="Customers with a card on file.",
                element=StaticSelectElement(
                    action_id="customer",
                    placeholder="Choose a customer",
                    options=options,
                    initial_option=selected,
                ),
            ),
            InputBlock(
                block_id="description",
                label="Description",
                optional=True,
                element=PlainTextInputElement(
                    action_id="description", initial_value=description or None, max_length=500
                ),
            ),
            ContextBlock(block_id="fee_preview", elements=[MarkdownTextObject(text=fee_preview)]),
        ],
    )
    view.validate_json()
    rendered: dict[str, Any] = view.to_dict()
    return rendered


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"customer_id": None, "description": None},
        {"customer_id": 99, "description": ""},
        {"money": Money(500, "jpy"), "customer_id": 3},
        {"money": Money(100, "gbp")},  # a currency not offered: no initial option
        {"vendor_livemode": True},
        {"customers": [CustomerChoice(i, f"c{i}@example.com", None) for i in range(100)]},
    ],
)
def test_the_modal_is_what_slack_sdk_renders(changes: dict[str, Any]) -> None:
    given = _given(**changes)
    assert charge_modal(**given) == _with_models(**given)
    View(**_modal(**changes)).validate_json()


def test_the_vendor_account_links_to_its_connect_page_in_its_mode() -> None:
    for livemode, mode in ((False, "/test"), (True, "")):
        vendor = _modal(vendor_livemode=livemode)["blocks"][0]["text"]["text"]
        url = f"https://dashboard.stripe.com{mode}/connect/accounts/acct_1"
        assert vendor.startswith(f"*Vendor:* <@U1> (<{url}|acct_1>)\n"), vendor


def test_no_modal_shares_anything_with_another() -> None:
    first = _modal()
    kept = copy.deepcopy(first)
    second = _modal(
        vendor_user_id="U2",
        money=Money(777, "eur"),
        customer_id=1,
        description="Other",
        fee_preview="Other fee",
        private_metadata='{"vendor_id": 2}',
    )
    assert first == kept
    # Changing one request's modal in place changes nothing in the next one's.
    for block in second["blocks"]:
        block.clear()
    second["title"]["text"] = "changed"
    assert _modal() == kept


def test_refuses_what_slack_would_refuse() -> None:
    many = [CustomerChoice(i, f"c{i}@example.com", None) for i in range(101)]
    with pytest.raises(ValueError, match="100 options"):
        _modal(customers=many)
    with pytest.raises(ValueError, match="3000"):
        _modal(private_metadata="x" * 3001)
