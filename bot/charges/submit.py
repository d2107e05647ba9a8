"""Storing a confirmed charge: the row (and its approval request) before any Stripe call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.charges.drafts import ChargeDraft, facts_of, needs_approval
from bot.charges.outcomes import tell_requester
from bot.money import Money
from bot.notifications.routing import tell_ops
from bot.services import Services
from bot.stripe_ops.charges import payment_intent_request
from bot.views.approvals import approval_pending_note, approval_request
from storage.models import Charge, Vendor
from storage.repos import audit, charges, response_urls
from storage.repos import customers as customer_repo


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
        charge_id = charges.new_charge_id()
        share = await customer_repo.share_of(session, customer.id, vendor.id)
        request = None
        if share is not None and customer_repo.is_complete(
            share, customer.default_payment_method_id
        ):
            request = _request(
                charge_id,
                draft,
                requested_by,
                share.vendor_customer_id,
                share.vendor_payment_method_id,
            )
        charge, created = await charges.add(
            session,
            id=charge_id,
            team_id=vendor.team_id,
            vendor_id=vendor.id,
            customer_id=customer.id,
            requested_by=requested_by,
            origin_channel_id=origin_channel,
            response_url=response_url,
            amount=draft.money.amount,
            currency=draft.money.currency,
            application_fee_amount=draft.fee,
            description=draft.description,
            idempotency_key=idempotency_key(view_id),
            request_params=request,
            status=status,
        )
        if created:
            if response_url:
                await response_urls.remember(
                    session, response_url, user_id=requested_by, received_at=received_at
                )
            await _record_request(session, charge, vendor, services, customer.email)
            if status == "awaiting_approval":
                await _ask_for_approval(session, services, charge, vendor, draft)
    return Submitted(charge.id, charge.status, created)


def _request(
    charge_id: str, draft: ChargeDraft, requested_by: str, customer: Any, method: Any
) -> dict[str, Any]:
    return payment_intent_request(
        stripe_account=draft.vendor.stripe_account_id,
        amount=draft.money.amount,
        currency=draft.money.currency,
        application_fee_amount=draft.fee,
        customer=str(customer),
        payment_method=str(method),
        description=draft.description,
        charge_id=charge_id,
        requested_by=requested_by,
    )


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
