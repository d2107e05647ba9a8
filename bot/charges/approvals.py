"""Deciding a charge that awaits a second operator's approval, in one transaction.

Operators only; the requester can't approve their own charge. The first decision wins
(`storage.repos.charges.decide` is a conditional update); a later one is told who decided.
Both are audited; the ops channel's request message is updated to show who decided, and a
rejected charge's requester is told. Charging an approved charge is `execute_charge`'s.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.drafts import load_facts
from bot.charges.outcomes import tell_requester
from bot.charges.submit import approval_key
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.views.approvals import approval_decided, rejected_note
from storage.models import Charge
from storage.repos import audit, charges, outbox


async def decide(
    services: Services, charge_id: str, *, approve: bool, user: str, message_ts: str | None
) -> Charge | Refusal:
    """The decided charge, or why the clicker is refused; in one transaction.

    Refuses non-operators, the requester approving their own charge, unknown charges and
    charges already decided (naming who decided).
    """
    verb = "approve" if approve else "reject"
    async with services.sessions.begin() as session:
        charge = await charges.by_id(session, charge_id)
        refusal = _refusal(services, charge, user=user, approve=approve)
        if refusal is not None:
            reason = refusal.message
            await _audit(session, charge, charge_id, user, f"charge.{verb}", "refused", reason)
            return refusal
        decided = await charges.decide(
            session, charge_id, approve=approve, by=user, message_ts=message_ts
        )
        if decided is None:
            approval = await charges.approval_of(session, charge_id)
            by = f" by <@{approval.decided_by}>" if approval and approval.decided_by else ""
            return Refusal(
                f"This charge was already {approval.status if approval else 'decided'}{by}."
            )
        await _audit(session, decided, charge_id, user, f"charge.{verb}", verb + "d", None)
        _, facts = await load_facts(session, decided)
        approval = await charges.approval_of(session, charge_id)
        channel = (approval.channel_id if approval else None) or services.settings.ops_channel_id
        if channel:
            payload = approval_decided(facts, approved=approve, by=user)
            await outbox.enqueue(
                session,
                kind="update",
                target=channel,
                payload={**payload, "update_of": f"{approval_key(charge_id)}:ops"},
                dedupe_key=f"charge:{charge_id}:decided",
            )
        if not approve:
            await tell_requester(
                session,
                decided,
                message=rejected_note(facts, by=user),
                key=f"charge:{charge_id}:rejected",
            )
    return decided


def _refusal(
    services: Services, charge: Charge | None, *, user: str, approve: bool
) -> Refusal | None:
    """Why `user` may not decide `charge`; None when they may."""
    if not is_operator(services.settings, user):
        return Refusal(NOT_OPERATOR)
    if charge is None:
        return Refusal("That charge doesn't exist.")
    if approve and charge.requested_by == user:
        return Refusal("You asked for this charge, so you can't approve it: another operator must.")
    return None


async def _audit(
    session: AsyncSession,
    charge: Charge | None,
    target: str,
    actor: str,
    action: str,
    outcome: str,
    reason: str | None,
) -> None:
    await audit.record(
        session,
        team_id=charge.team_id if charge else None,
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        detail={"reason": reason} if reason else None,
    )
