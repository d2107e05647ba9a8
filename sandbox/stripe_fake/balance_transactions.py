"""Balance transactions: every movement of money through an account's balance, built in one place.

A ``txn_…`` carries the fields of Stripe's BalanceTransaction object
(docs.stripe.com/api/balance_transactions/object; the fixture ``balance_transaction`` in Stripe's
openapi repository, ``stripe-fixtures3.json``): ``amount``, ``available_on``, ``balance_type``,
``created``, ``currency``, ``description``, ``exchange_rate``, ``fee``, ``fee_details``, ``id``,
``net``, ``object``, ``reporting_category``, ``source``, ``status``, ``type``.

* ``amount`` is signed: "A positive value represents funds charged to another party, and a
  negative value represents funds sent to another party"; ``fee`` is "Represented as a positive
  integer when assessed", the sum of ``fee_details``; ``net`` is "amount - fee" (stripe-python's
  ``BalanceTransaction``). :data:`SIGNS` says which way each type moves money here, and a
  transaction the other way round is a bug of the fake, refused at once.
* ``status`` is ``available`` or ``pending``: whether ``available_on`` ("The date that the
  transaction's net funds become available in the Stripe balance") has come. It is computed when
  the transaction is read, so a charge's funds become available as the fake's clock passes it.
* ``reporting_category`` follows docs.stripe.com/reports/reporting-categories; the values are
  the enum of ``parameters.reporting_category`` of ``POST /v1/reporting/report_runs`` in Stripe's
  OpenAPI document (``application_fee`` is a type, never a category: the platform's fee is a
  ``platform_earning``, its refund a ``platform_earning_refund``). An ``adjustment`` has no
  category of its own ("The reporting_category attribute separates balance transactions with
  type=adjustment into several different categories, including disputes, dispute reversals",
  same page), so its caller names it.
* ``balance_type`` is "The balance that this transaction impacts" (``issuing``, ``payments``,
  ``refund_and_dispute_prefunding``, ``risk_reserved``); everything the fake does moves the
  payments balance, as in Stripe's fixture.
"""

from __future__ import annotations

from .api import Ctx, Json, api
from .store import State, new_id, render, skeleton

#: Which way each type moves the holding account's money: +1 in, -1 out, 0 either way. An
#: application fee refund leaves the platform and comes back to the vendor; an adjustment is a
#: dispute's debit or its reversal.
SIGNS = {
    "charge": 1,
    "refund": -1,
    "payout": -1,
    "payout_failure": 1,
    "application_fee": 1,
    "application_fee_refund": 0,
    "adjustment": 0,
}
#: The reporting category of each type, where the type alone decides it (see the docstring).
CATEGORIES = {
    "charge": "charge",
    "refund": "refund",
    "payout": "payout",
    "payout_failure": "payout_reversal",
    "application_fee": "platform_earning",
    "application_fee_refund": "platform_earning_refund",
}


def fee_detail(
    amount: int, currency: str, description: str, type_: str, application: str | None = None
) -> Json:
    """One entry of ``fee_details`` (stripe-python's ``BalanceTransaction.FeeDetail``): type
    ``stripe_fee`` or ``application_fee`` (with the ``application`` that earned it)."""
    return {
        "amount": amount,
        "application": application,
        "currency": currency,
        "description": description,
        "type": type_,
    }


def balance_transaction(
    state: State,
    account: str | None,
    *,
    type_: str,
    amount: int,
    currency: str,
    source: str,
    fee_details: list[Json] | None = None,
    settles_in: int = 0,
    reporting_category: str | None = None,
    description: str | None = None,
) -> Json:
    """Record a balance transaction of ``amount`` on ``account`` (the platform when None).

    ``settles_in`` is how many seconds until its net funds are available (0: at once).
    ``reporting_category`` overrides the type's own (:data:`CATEGORIES`); a charge's
    ``description`` is the charge's, as in Stripe's fixtures. Refuses (ValueError) a
    type the fake does not make, an amount of the wrong sign for its type, and an ``adjustment``
    without a category: each would be a transaction Stripe never makes.
    """
    if type_ not in SIGNS:
        raise ValueError(f"the fake makes no balance transaction of type {type_!r}")
    if amount == 0 or SIGNS[type_] * amount < 0:
        raise ValueError(f"a {type_} balance transaction of {amount} moves money the wrong way")
    category = reporting_category or CATEGORIES.get(type_)
    if category is None:
        raise ValueError(f"a {type_} balance transaction needs its reporting_category")
    details = fee_details or []
    fee = sum(d["amount"] for d in details)
    created = state.clock.now()
    txn = skeleton("balance_transaction")
    txn.update(
        id=new_id("txn"),
        amount=amount,
        available_on=created + settles_in,
        balance_type="payments",
        created=created,
        currency=currency,
        description=description,
        fee=fee,
        fee_details=details,
        net=amount - fee,
        reporting_category=category,
        source=source,
        type=type_,
    )
    txn["status"] = status_at(txn, created)
    return state.put(txn, account)


def status_at(txn: Json, now: int) -> str:
    """``available`` once the transaction's ``available_on`` has come, else ``pending``."""
    return "available" if txn["available_on"] <= now else "pending"


@api("GET", "/v1/balance_transactions/{id}")
def retrieve_balance_transaction(ctx: Ctx) -> Json:
    txn = ctx.state.get(ctx.args[0], ctx.account, "balance_transaction")
    txn["status"] = status_at(txn, ctx.state.clock.now())
    return render(txn)
