"""Deciding a charge that awaits a second operator's approval, in one transaction.

Operators only; the requester can't approve their own charge. The first decision wins
(`storage.repos.charges.decide` is a conditional update); a later one is told who decided.
Both are audited; the ops channel's request message is updated to show who decided, and a
rejected charge's requester is told. Charging an approved charge is `execute_charge`'s.
"""

from __future__ import annotations

from bot.charges.deciding import audit_decision, decider_refusal, update_ops_request
from bot.charges.drafts import load_facts
from bot.charges.outcomes import tell_requester
from bot.charges.submit import approval_key
from bot.refusal import Refusal
from bot.services import Services
from bot.views.approvals import approval_decided, rejected_note
from storage.models import Charge
from storage.repos import charges


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
        refusal = decider_refusal(
            services.settings, charge, noun="charge", user=user, approve=approve
        )
        if refusal is not None:
            await audit_decision(
                session,
                charge,
                target=charge_id,
                actor=user,
                action=f"charge.{verb}",
                outcome="refused",
                reason=refusal.message,
            )
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
        await audit_decision(
            session,
            decided,
            target=charge_id,
            actor=user,
            action=f"charge.{verb}",
            outcome=verb + "d",
        )
        _, facts = await load_facts(session, decided)
        approval = await charges.approval_of(session, charge_id)
        channel = (approval.channel_id if approval else None) or services.settings.ops_channel_id
        if channel:
            await update_ops_request(
                session,
                channel,
                approval_decided(facts, approved=approve, by=user),
                request_key=approval_key(charge_id),
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
