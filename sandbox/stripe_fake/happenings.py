"""Control routes (not Stripe's) for what happens outside the API, with the events Stripe sends.

* ``POST /_fake/accounts/{acct}/payouts/{payout}/settle {"status": "paid" | "failed",
  "failure_code": …}``: the bank pays a payout out, or returns it. A failed payout carries
  Stripe's ``failure_code`` and ``failure_message`` (docs.stripe.com/api/payouts/failures, the
  wording of support.stripe.com/questions/payout-failure-codes-in-brazil-and-how-to-resolve)
  and a ``failure_balance_transaction`` returning the amount to the balance ("If the payout
  fails or is canceled, this is the ID of the balance transaction that reverses the initial
  balance transaction", docs.stripe.com/api/payouts/object). Events ``payout.paid`` /
  ``payout.failed``.
* ``POST /_fake/charges/{charge}/early_fraud_warning {"fraud_type": …}``: the card network
  reports the charge as likely fraudulent; a ``radar.early_fraud_warning`` (``issfr_…``) on
  the charge's account and ``radar.early_fraud_warning.created``
  (docs.stripe.com/api/radar/early_fraud_warnings/object).

A capability changing and a card expiring are in ``account_changes``.
"""

from __future__ import annotations

from aiohttp import web

from .api import account_and_body, json_response, object_and_body
from .balance_transactions import balance_transaction
from .events import record
from .store import new_id, render, skeleton

#: Stripe's failure message for each payout failure code (docs.stripe.com/api/payouts/failures).
PAYOUT_FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on either the type or the "
    "number of payouts allowed. This normally indicates that the bank account is a savings or "
    "other non-checking account.",
    "bank_ownership_changed": "The destination bank account is no longer valid because its "
    "branch has changed ownership.",
    "could_not_process": "The bank could not process this payout.",
    "debit_not_authorized": "Debit transactions are not approved on the bank account. (Stripe "
    "requires bank accounts to be set up for both credit and debit payouts.)",
    "declined": "The bank has declined this transfer. Please contact the bank before retrying.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The routing number seems correct, but the account number is "
    "invalid.",
    "incorrect_account_holder_name": "Your bank notified us that the bank account holder name "
    "on file is incorrect.",
    "incorrect_account_holder_address": "Your bank notified us that the bank account holder "
    "address on file is incorrect.",
    "incorrect_account_holder_tax_id": "Your bank notified us that the bank account holder tax "
    "ID on file is incorrect.",
    "invalid_currency": "The bank was unable to process this payout because of its currency. "
    "This is probably because the bank account cannot accept payments in that currency.",
    "no_account": "The bank account details on file are probably incorrect. No bank account "
    "could be located with those details.",
    "unsupported_card": "The bank no longer supports payouts to this card.",
}
#: docs.stripe.com/api/radar/early_fraud_warnings/object: fraud_type.
FRAUD_TYPES = (
    "card_never_received",
    "fraudulent_card_application",
    "made_with_counterfeit_card",
    "made_with_lost_card",
    "made_with_stolen_card",
    "misc",
    "unauthorized_use_of_card",
)


async def settle_payout(request: web.Request) -> web.Response:
    found = await account_and_body(request, "acct")
    if isinstance(found, web.Response):
        return found
    state, account, body = found
    payout = state.objects.get(request.match_info["payout"])
    if payout is None or payout.get("object") != "payout" or state.owner(payout["id"]) != account:
        return json_response({"error": "no such payout on that account"}, 404)
    status = str(body.get("status", "paid"))
    code = str(body.get("failure_code", "account_closed"))
    if status not in ("paid", "failed") or (status == "failed" and code not in PAYOUT_FAILURES):
        return json_response(
            {"error": f"status paid or failed; failure_code one of {sorted(PAYOUT_FAILURES)}"}, 400
        )
    if payout["status"] in ("failed", "canceled"):
        return json_response({"error": f"the payout is already {payout['status']}"}, 400)
    previous = {"status": payout["status"]}
    payout["status"] = status
    if status == "failed":
        reversal = balance_transaction(
            state,
            account,
            type_="payout_failure",
            amount=payout["amount"],
            currency=payout["currency"],
            source=payout["id"],
        )
        payout.update(
            failure_code=code,
            failure_message=PAYOUT_FAILURES[code],
            failure_balance_transaction=reversal["id"],
        )
    record(state, f"payout.{status}", payout, account=account, previous=previous)
    return json_response(render(payout))


async def early_fraud_warning(request: web.Request) -> web.Response:
    found = await object_and_body(request, "charge", "charge")
    if isinstance(found, web.Response):
        return found
    state, charge, body = found
    fraud_type = str(body.get("fraud_type", "made_with_stolen_card"))
    if fraud_type not in FRAUD_TYPES:
        return json_response({"error": f"fraud_type must be one of {FRAUD_TYPES}"}, 400)
    account = state.owner(charge["id"])
    warning = skeleton("radar.early_fraud_warning")
    warning.update(
        id=new_id("issfr"),
        # "An EFW is actionable if it has not received a dispute and has not been fully
        # refunded" (the object's `actionable`).
        actionable=not charge.get("disputed") and not charge.get("refunded"),
        charge=charge["id"],
        created=state.clock.now(),
        fraud_type=fraud_type,
        livemode=charge["livemode"],
        payment_intent=charge.get("payment_intent"),
    )
    state.put(warning, account)
    record(
        state,
        "radar.early_fraud_warning.created",
        warning,
        account=account,
        livemode=charge["livemode"],
    )
    return json_response(render(warning))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/accounts/{acct}/payouts/{payout}/settle", settle_payout)
    app.router.add_post("/_fake/charges/{charge}/early_fraud_warning", early_fraud_warning)
