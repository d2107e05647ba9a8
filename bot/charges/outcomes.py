"""Recording what Stripe said about a charge, with its messages, in the caller's transaction.

The listener, the reconciler and the webhook handler all come through `apply_attempt`; the
status change is conditional (`storage.repos.charges.settle`) and every message has a dedupe
key named after the charge and its outcome, so whichever path arrives first announces it and
the others change nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.cart_settlement import announce_part, part_settled
from bot.charges.drafts import load_facts
from bot.config import Settings
from bot.notifications.routing import announce, tell_privately, tell_user
from bot.stripe_ops.charges import Attempt
from bot.stripe_ops.keys import NOT_FOUND_AFTER_KEY_EXPIRY, REPLAYED_ERROR
from bot.views.charge_messages import (
    abandoned_message,
    authentication_message,
    declined_message,
    delayed_message,
    failed_message,
    succeeded_message,
)
from storage.models import Charge
from storage.repos import audit, charges


async def tell_requester(
    session: AsyncSession, charge: Charge, *, message: dict[str, Any], key: str
) -> None:
    """Privately to whoever asked for the charge: through their /charge response URL while it
    is good, else by DM; never into the conversation where they typed it (the app may not be
    in it)."""
    await tell_privately(
        session,
        charge.requested_by,
        message=message,
        key=key,
        response_url=charge.response_url,
    )


async def apply_attempt(
    session: AsyncSession, settings: Settings, charge_id: str, attempt: Attempt, *, actor: str
) -> bool:
    """Record `attempt` and queue its messages; False when it changed nothing (already known).

    `unknown` keeps the charge `pending` (counted in `attempts`) and tells the requester once
    that it will be settled automatically. `actor` is who caused it (a user id or `stripe`).
    """
    if attempt.outcome == "unknown":
        return await _no_answer(session, charge_id, attempt, actor=actor)
    values: dict[str, Any] = {}
    if attempt.payment_intent_id:
        values["payment_intent_id"] = attempt.payment_intent_id
    if attempt.stripe_charge_id:
        values["stripe_charge_id"] = attempt.stripe_charge_id
    if attempt.outcome == "succeeded":
        values.update(failure_code=None, failure_message=None)
    else:
        values.update(
            failure_code=(attempt.decline_code or attempt.failure_code or "")[:64] or None,
            failure_message=attempt.message,
        )
    charge = await charges.settle(session, charge_id, attempt.outcome, **values)
    if charge is None:
        return False
    await audit.record(
        session,
        team_id=charge.team_id,
        actor=actor,
        action="charge.settle",
        target=charge.id,
        outcome=attempt.outcome,
        detail={
            "payment_intent": attempt.payment_intent_id,
            "charge": attempt.stripe_charge_id,
            "code": attempt.failure_code,
            "decline_code": attempt.decline_code,
            "message": attempt.message,
        },
    )
    await _announce(session, settings, charge, attempt)
    if charge.cart_id:
        await part_settled(session, settings, charge)
    return True


async def _announce(
    session: AsyncSession, settings: Settings, charge: Charge, attempt: Attempt
) -> None:
    vendor, facts = await load_facts(session, charge)
    key = f"charge:{charge.id}:{attempt.outcome}"
    if charge.cart_id:
        await announce_part(session, vendor, facts, attempt.outcome, key)
    elif attempt.outcome == "succeeded":
        msg = succeeded_message(facts)
        await announce(session, settings, vendor=vendor, message=msg, key=key)
        own = succeeded_message(facts, refundable=False)
        await tell_user(session, vendor.slack_user_id, message=own, key=key)
    elif attempt.outcome == "requires_action":
        msg = authentication_message(facts)
        await announce(session, settings, vendor=vendor, message=msg, key=key)
    elif attempt.failure_code == NOT_FOUND_AFTER_KEY_EXPIRY:
        await tell_requester(session, charge, message=abandoned_message(facts), key=key)
    elif attempt.card_error:
        reason = attempt.message or "The card was declined."
        code = attempt.decline_code or attempt.failure_code
        await tell_requester(
            session, charge, message=declined_message(facts, reason, code), key=key
        )
    else:
        reason = attempt.message or "Stripe refused the request."
        await tell_requester(session, charge, message=failed_message(facts, reason), key=key)


async def _no_answer(
    session: AsyncSession, charge_id: str, attempt: Attempt, *, actor: str
) -> bool:
    charge = await charges.by_id(session, charge_id)
    if charge is None or charge.status != "pending":
        return False
    await charges.note_attempt(
        session,
        charge_id,
        attempt.message or "no answer from Stripe",
        code=REPLAYED_ERROR if attempt.replayed else None,
    )
    await audit.record(
        session,
        team_id=charge.team_id,
        actor=actor,
        action="charge.attempt",
        target=charge.id,
        outcome="no_answer",
        detail={
            "error": attempt.message,
            "attempts": charge.attempts + 1,
            "replayed": attempt.replayed,
        },
    )
    _, facts = await load_facts(session, charge)
    await tell_requester(
        session, charge, message=delayed_message(facts), key=f"charge:{charge.id}:delayed"
    )
    return True
