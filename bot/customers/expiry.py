"""Saved cards about to expire: the ops channel hears once per card per expiry.

Two ways in, one message: Stripe's `customer.source.expiring` ("Occurs whenever a card or
source will expire at the end of the month", https://docs.stripe.com/api/events/types), sent
for cards saved as sources; and, for cards saved as PaymentMethods (Checkout saves those, and
Stripe sends no such event for them), a daily check of the customers table for cards that
expire at the end of the current month (in `DIGEST_TZ`): from the month's first day, a month
ahead of the card's last valid day, as Stripe's event is. The check runs once a day across all
processes, in the one that wins that day's digest (`bot/daily_digest.py`), so from the first
digest on (the morning after connectbot first starts). Both ways queue under the same outbox
key (customer, last four digits, expiry month), so whichever comes first, and however often
the check runs, a card is told once per expiry.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.notifications.routing import tell_ops
from bot.services import Services
from bot.views.customers import card_expiring_message, describe_card
from bot.views.dashboard import dashboard_link
from storage.models import Customer
from storage.repos import audit, customers

log = logging.getLogger(__name__)


def expiry_key(stripe_customer_id: str, last4: str | None, year: int, month: int) -> str:
    return f"card_expiring:{stripe_customer_id}:{last4 or '----'}:{year:04d}-{month:02d}"


async def _tell(
    session: AsyncSession,
    settings: Settings,
    customer: Customer,
    *,
    brand: str | None,
    last4: str | None,
    year: int,
    month: int,
) -> None:
    msg = card_expiring_message(
        email=customer.email,
        card=describe_card(brand, last4, month, year),
        exp_month=month,
        exp_year=year,
        customer_link=dashboard_link(customer.stripe_customer_id, livemode=settings.livemode),
    )
    key = expiry_key(customer.stripe_customer_id, last4, year, month)
    await tell_ops(session, settings, message=msg, key=key)


async def tell_source_expiring(
    session: AsyncSession, settings: Settings, card: dict[str, Any]
) -> None:
    """`customer.source.expiring`: the card (or a source's card) of one of connectbot's
    customers expires this month; an unknown customer's card is not connectbot's business."""
    customer = await customers.by_stripe_id(session, str(card.get("customer") or ""))
    details = card.get("card") if card.get("object") == "source" else card
    if customer is None or not isinstance(details, dict):
        return
    year, month = details.get("exp_year"), details.get("exp_month")
    if not year or not month:
        return
    await _tell(
        session,
        settings,
        customer,
        brand=details.get("brand"),
        last4=details.get("last4"),
        year=int(year),
        month=int(month),
    )


async def cards_expiring_pass(services: Services, now: datetime | None = None) -> int:
    """Queue a note for every saved card expiring at the end of this month (in `DIGEST_TZ`)
    not yet told; returns how many cards were looked at. `now` (aware) defaults to the clock.
    Each check leaves an audit entry (`cards.expiring_checked`, the day and the count) with the
    notes it queues."""
    settings = services.settings
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(settings.digest_tz))
    async with services.sessions.begin() as session:
        expiring = await customers.with_card_expiring(session, year=today.year, month=today.month)
        for customer in expiring:
            await _tell(
                session,
                settings,
                customer,
                brand=customer.card_brand,
                last4=customer.card_last4,
                year=today.year,
                month=today.month,
            )
        await audit.record(
            session,
            actor="connectbot",
            action="cards.expiring_checked",
            target=today.date().isoformat(),
            outcome="queued",
            detail={"cards": len(expiring)},
        )
    if expiring:
        log.info("%d saved card(s) expire this month", len(expiring))
    return len(expiring)
