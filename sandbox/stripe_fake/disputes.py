"""A dispute's life after it is opened, as Stripe tells a platform about it (control routes).

Stripe's events (docs.stripe.com/api/events/types):

* ``charge.dispute.funds_withdrawn`` "Occurs when funds are removed from your account due to a
  dispute": when a dispute is opened (not an inquiry, ``warning_needs_response``), Stripe
  debits the disputed amount and a dispute fee (docs.stripe.com/disputes/how-disputes-work:
  "Stripe debits the disputed amount and a dispute fee from your balance"). The dispute's
  ``balance_transactions`` lists the debit (an ``adjustment`` whose ``reporting_category`` is
  ``dispute``, docs.stripe.com/reports/reporting-categories).
* ``charge.dispute.updated`` "Occurs when the dispute is updated (usually with evidence)": the
  status becomes ``under_review`` (``warning_under_review`` for an inquiry).
* ``charge.dispute.closed`` "Occurs when a dispute is closed and the dispute status changes to
  lost, warning_closed, or won".
* ``charge.dispute.funds_reinstated`` "Occurs when funds are reinstated to your account after a
  dispute is closed": a won dispute credits the disputed amount back (``dispute_reversal``);
  the fee is not returned in the US ("the dispute fee is non-refundable", same page).

``POST /_fake/disputes/{dispute}/progress {"status": "under_review" | "won" | "lost" |
"warning_closed"}`` (not Stripe's) moves a dispute on and records those events, in Stripe's
order: ``charge.dispute.closed`` then, for a won dispute, ``charge.dispute.funds_reinstated``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import json_response, object_and_body
from .balance_transactions import balance_transaction, fee_detail
from .events import record
from .store import State, render

#: Stripe's dispute fee in the US, in cents (stripe.com/pricing: "$15.00 per dispute").
DISPUTE_FEE = 1500
#: Which status each request moves a dispute to, for a dispute and for an inquiry
#: (docs.stripe.com/api/disputes/object: status).
_NEXT = {
    "under_review": ("under_review", "warning_under_review"),
    "won": ("won", "warning_closed"),
    "lost": ("lost", "warning_closed"),
    "warning_closed": ("warning_closed", "warning_closed"),
}
_OPEN = {"needs_response", "under_review", "warning_needs_response", "warning_under_review"}


def _adjustment(
    state: State, account: str | None, dispute: dict[str, Any], amount: int, fee: int, category: str
) -> dict[str, Any]:
    currency = dispute["currency"]
    txn = balance_transaction(
        state,
        account,
        type_="adjustment",
        amount=amount,
        currency=currency,
        source=dispute["id"],
        fee_details=[fee_detail(fee, currency, "Dispute fee", "stripe_fee")] if fee else [],
        reporting_category=category,
    )
    dispute["balance_transactions"].append(render(txn))
    return txn


def withdraw_funds(state: State, account: str | None, dispute: dict[str, Any]) -> None:
    """Debit the disputed amount and the fee, and record ``charge.dispute.funds_withdrawn``
    (nothing for an inquiry: no funds move until it becomes a dispute)."""
    if dispute["status"].startswith("warning_"):
        return
    _adjustment(state, account, dispute, -dispute["amount"], DISPUTE_FEE, "dispute")
    record(
        state,
        "charge.dispute.funds_withdrawn",
        dispute,
        account=account,
        livemode=dispute["livemode"],
    )


async def progress_dispute(request: web.Request) -> web.Response:
    found = await object_and_body(request, "dispute", "dispute")
    if isinstance(found, web.Response):
        return found
    state, dispute, body = found
    wanted = str(body.get("status", ""))
    if wanted not in _NEXT:
        return json_response({"error": f"status must be one of {sorted(_NEXT)}"}, 400)
    if dispute["status"] not in _OPEN:
        return json_response({"error": f"the dispute is already {dispute['status']}"}, 400)
    inquiry = dispute["status"].startswith("warning_")
    account = state.owner(dispute["id"])
    previous = {"status": dispute["status"]}
    dispute["status"] = _NEXT[wanted][1 if inquiry else 0]
    livemode = dispute["livemode"]
    if wanted == "under_review":
        dispute["evidence_details"]["has_evidence"] = True
        dispute["evidence_details"]["submission_count"] += 1
        record(
            state,
            "charge.dispute.updated",
            dispute,
            account=account,
            livemode=livemode,
            previous=previous,
        )
        return json_response(render(dispute))
    dispute["is_charge_refundable"] = False
    record(
        state,
        "charge.dispute.closed",
        dispute,
        account=account,
        livemode=livemode,
        previous=previous,
    )
    if dispute["status"] == "won":
        _adjustment(state, account, dispute, dispute["amount"], 0, "dispute_reversal")
        record(
            state, "charge.dispute.funds_reinstated", dispute, account=account, livemode=livemode
        )
    return json_response(render(dispute))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/disputes/{dispute}/progress", progress_dispute)
