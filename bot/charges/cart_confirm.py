"""The split cart's confirmation modal, for a `/charge` with two or more `@vendor amount` pairs.

Nothing is stored or charged until it is submitted; everything that needs no Stripe call is
checked first (every vendor, every part's fee, the customer when named, the approval channel),
so the modal opens only for a cart that could go through.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.charges.cart_drafts import CartTerms, check_cart_customer, check_cart_terms
from bot.charges.confirm import picker_choices
from bot.charges.drafts import needs_approval
from bot.money import Money
from bot.parsing import CartArgs
from bot.refusal import Refusal
from bot.services import Services
from bot.views.cart_modal import cart_modal
from storage.db import EACH_STATEMENT
from storage.repos import customers as customer_repo
from storage.repos import vendors

APPROVAL_NOTE = (
    ":raised_hand: The total is above the approval threshold: a second operator approves "
    "before anything is charged."
)


async def cart_confirmation_modal(
    services: Services,
    args: CartArgs,
    *,
    team_id: str,
    requested_by: str,
    channel: str | None,
    response_url: str | None,
    received_at: datetime,
) -> dict[str, Any] | Refusal:
    """The modal for `args`, or why it is refused (see `check_cart_terms`, and a customer named
    but unknown or without a card, or no customer with a card at all).

    Its private_metadata carries each part as shown (vendor row id, amount, fee): a submission
    is charged only if the same check still gives the same parts and fees."""
    settings = services.settings
    async with services.engine.connect() as conn:
        await conn.execution_options(**EACH_STATEMENT)
        found = [
            (p.vendor_user_id, await vendors.glance_by_slack_user(conn, team_id, p.vendor_user_id))
            for p in args.parts
        ]
        customer, choices = await customer_repo.for_charge_form(conn, team_id, args.customer_email)
    terms = check_cart_terms(
        settings,
        [
            (user, vendor, part.money)
            for (user, vendor), part in zip(found, args.parts, strict=True)
        ],
    )
    if isinstance(terms, Refusal):
        return terms
    if args.customer_email:
        draft = check_cart_customer(terms, customer, args.customer_email, args.description)
        if isinstance(draft, Refusal):
            return draft
    picked = picker_choices(customer, choices)
    if isinstance(picked, Refusal):
        return picked
    note = APPROVAL_NOTE if needs_approval(settings, terms.total) else None
    return cart_modal(
        lines=terms.lines,
        customers=picked,
        customer_id=customer.id if customer else None,
        description=args.description,
        note=note,
        private_metadata=json.dumps(
            {
                "parts": shown_parts(terms),
                "currency": terms.total.currency,
                "requested_by": requested_by,
                "channel": channel,
                "response_url": response_url,
                "received_at": received_at.isoformat(),
            }
        ),
    )


def shown_parts(terms: CartTerms) -> list[list[int]]:
    """`[[vendor row id, amount, fee], …]`: what the modal shows, compact (Slack keeps 3,000
    characters of private_metadata; ten parts fit many times over)."""
    return [
        [v.id, line.money.amount, line.fee]
        for v, line in zip(terms.vendors, terms.lines, strict=True)
    ]


def parts_money(shown: Any, currency: Any) -> list[tuple[int, Money]] | None:
    """The parts a modal's metadata holds, or None when it holds no well-formed cart."""
    if not isinstance(shown, list) or not isinstance(currency, str) or len(shown) < 2:
        return None
    parts: list[tuple[int, Money]] = []
    for item in shown:
        if not (isinstance(item, list) and len(item) == 3 and all(type(x) is int for x in item)):
            return None
        parts.append((item[0], Money(item[1], currency)))
    return parts
