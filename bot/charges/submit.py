"""Storing a confirmed charge: the row (and its approval request) before any Stripe call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.charges.drafts import ChargeDraft, facts_of, needs_approval
from bot.charges.outcomes import tell_requester
from bot.charges.rows import add_charge_row, remember_response_url
from bot.money import Money
from bot.notifications.routing import tell_ops
from bot.services import Services
from bot.views.approvals import approval_pending_note, approval_request
from storage.models import Charge, Vendor
from storage.repos import audit, charges


@dataclass(frozen=True)
class Submitted:
    charge_id: str
    status: str
    created: bool  # False: this view was already submitted (a double click or a retry)


def idempotency_key(view_id: str) -> str:
    """One key per confirmation modal: every submission of it is the same charge."""
    return f"charge:{view_id}"


async def submit_charge(
    services: Services,
    draft: ChargeDraft,
    *,
    view_id: str,
    requested_by: str,
    origin_channel: str | None,
    response_url: str | None = None,
    received_at: datetime | None = None,
) -> Submitted:
    """Store the charge `pending`, or `awaiting_approval` with its request posted to the ops
    channel, in one transaction. A second submission of the same view returns the first row.

    `response_url` (the /charge command's, received at `received_at`) is where the requester's
    private replies go while it is good (`tell_requester`).
    """
    vendor, customer = draft.vendor, draft.customer
    status = "awaiting_approval" if needs_approval(services.settings, draft.money) else "pending"
    async with services.sessions.begin() as session:
        charge, created = await add_charge_row(
            session,
            vendor=vendor,
            customer=customer,
            money=draft.money,
            fee=draft.fee,
            description=draft.description,
            requested_by=requested_by,
            origin_channel=origin_channel,
            response_url=response_url,
            idempotency_key=idempotency_key(view_id),
            status=status,
        )
        if created:
            await remember_response_url(
                session, response_url, user_id=requested_by, received_at=received_at
            )
            await _record_request(session, charge, vendor, services, customer.email)
            if status == "awaiting_approval":
                await _ask_for_approval(session, services, charge, vendor, draft)
    return Submitted(charge.id, charge.status, created)


async def _record_request(
    session: Any, charge: Charge, vendor: Vendor, services: Services, email: str
) -> None:
    await audit.record(
        session,
        team_id=charge.team_id,
        actor=charge.requested_by,
        action="charge.request",
        target=charge.id,
        outcome=charge.status,
        detail={
            "vendor": vendor.stripe_account_id,
            "customer": email,
            "amount": charge.amount,
            "currency": charge.currency,
            "application_fee_amount": charge.application_fee_amount,
            "idempotency_key": charge.idempotency_key,
        },
    )


async def _ask_for_approval(
    session: Any, services: Services, charge: Charge, vendor: Vendor, draft: ChargeDraft
) -> None:
    settings = services.settings
    assert settings.ops_channel_id and settings.approval_threshold is not None
    facts = facts_of(charge, vendor, draft.customer)
    await charges.add_approval(
        session,
        charge_id=charge.id,
        requested_by=charge.requested_by,
        channel_id=settings.ops_channel_id,
    )
    threshold = Money(settings.approval_threshold, charge.currency)
    await tell_ops(
        session,
        settings,
        message=approval_request(facts, threshold=threshold),
        key=approval_key(charge.id),
    )
    await tell_requester(
        session, charge, message=approval_pending_note(facts), key=f"charge:{charge.id}:awaiting"
    )


def approval_key(charge_id: str) -> str:
    """The cause key of the approval request; its ops-channel message is `…:ops`."""
    return f"charge:{charge_id}:approval"
