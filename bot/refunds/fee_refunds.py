"""How much of the platform fee a refund returned: what Stripe did, never an assumed share.

Stripe keeps one application fee per charge on the platform account, and each fee refund as its
own object, with nothing linking it to the charge refund it came with. So the charge's total
(`Charge.fee_refunded`, which /fees and the digest read) is always Stripe's figure, recorded
from the fee object; and a refund is attributed what Stripe's fee refunds add up to beyond the
charge's other refunds: the proportional share for a /refund (connectbot asked for it with
`refund_application_fee`), nothing for a refund made in the vendor's Dashboard.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge
from storage.repos import fees, refunds


async def fee_returned(
    session: AsyncSession, charge: Charge, fee: dict[str, Any] | None, *, at_most: int | None
) -> int:
    """Record Stripe's application fee `fee` of `charge`; the part attributed to one refund.

    That part is what Stripe has refunded of the fee beyond what the charge's other succeeded
    refunds are attributed, never below zero and never above `at_most` (the share connectbot
    asked for; None for a refund made outside connectbot). `fee` None means the charge has
    no application fee: nothing was refunded of it. Call before the refund is settled.
    """
    if fee is None:
        return 0
    await fees.record(session, fee)
    beyond = int(fee.get("amount_refunded") or 0) - await refunds.fee_attributed(session, charge.id)
    share = max(0, beyond)
    return share if at_most is None else min(share, at_most)
