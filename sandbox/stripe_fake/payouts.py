"""An account's balance and its payouts, computed from what the fake already holds.

``GET /v1/balance`` "Retrieves the current account balance, based on the authentication that
was used to make the request" (docs.stripe.com/api/balance/balance_retrieve): under
``Stripe-Account`` that is the connected account's. ``available`` is funds "that you can
transfer or pay out", ``pending`` funds "that aren't available in the balance yet", each a list
of ``{amount, currency, source_types}`` per currency (docs.stripe.com/api/balance/balance_object).
Here every balance transaction on the account counts its ``net`` (a charge less its application
fee, a refund negative) as pending until its ``available_on``, then as available; a payout
takes its amount from the available balance when it is created, as Stripe does. An account
with nothing yet answers a zero ``usd`` entry, as Stripe's example does.

``GET /v1/payouts`` "Returns a list of existing payouts ... The payouts return in sorted order,
with the most recently created payouts appearing first" (docs.stripe.com/api/payouts/list),
filtered by ``status`` ("pending, paid, failed, or canceled": stripe-python's
``PayoutListParams``) and ``arrival_date`` / ``created`` (a timestamp or a range of
``gt``/``gte``/``lt``/``lte``), with ``limit`` 1..100, default 10.

``POST /_fake/accounts/{acct}/payouts`` (not Stripe's) makes a payout on an account for tests:
``amount``, ``currency``, ``status`` (``pending`` by default; ``paid``, ``in_transit``,
``canceled``, ``failed``), ``arrival_date`` (two days from now by default). Like Stripe, it pays
out only what is available: a larger amount is refused with a 400 ``invalid_request_error`` of
code ``balance_insufficient``, Stripe's code for a transfer or payout the account's available
balance does not cover (https://docs.stripe.com/error-codes#balance-insufficient; the code is in
the enum of error codes generated from Stripe's OpenAPI spec, e.g.
https://pub.dev/documentation/client_stripe/0.1.3/models/ApiErrorsCode/balanceInsufficient-constant.html),
worded as Stripe words it to an API caller ("Insufficient funds in Stripe account. ...",
quoted at https://blog.csdn.net/weixin_34010461/article/details/114668904). Pending funds do
not count: "funds that aren't available in the balance yet"
(docs.stripe.com/api/balance/balance_object).
"""

from __future__ import annotations

from aiohttp import web

from .api import Ctx, Json, account_and_body, api, json_response, list_object
from .balance_transactions import balance_transaction
from .errors import StripeError
from .search import created_filter
from .store import State, new_id, render, skeleton

#: A payout's statuses (docs.stripe.com/api/payouts/object: status).
STATUSES = ("paid", "pending", "in_transit", "canceled", "failed")
#: Stripe's answer to a payout larger than the available balance (see the module's docstring).
INSUFFICIENT = (
    "Insufficient funds in Stripe account. In test mode, you can add funds to your available "
    "balance (bypassing your pending balance) by creating a charge with 4000 0000 0000 0077 as "
    "the card number. You can use the /v1/balance endpoint to view your Stripe balance (for "
    "more details, see stripe.com/docs/api#balance)."
)


def _amounts(totals: dict[str, int]) -> list[Json]:
    return [
        {"amount": amount, "currency": currency, "source_types": {"card": amount}}
        for currency, amount in sorted(totals.items())
    ]


def account_balance(state: State, account: str | None, *, livemode: bool) -> Json:
    """The balance object of ``account`` (the platform when None) at the fake's time now."""
    now = state.clock.now()
    available: dict[str, int] = {}
    pending: dict[str, int] = {}
    for txn in state.all("balance_transaction", account):
        # A currency the account has money in shows in both lists, zero where none is.
        available.setdefault(txn["currency"], 0)
        pending.setdefault(txn["currency"], 0)
        into = available if txn["available_on"] <= now else pending
        into[txn["currency"]] += txn["net"]
    balance = skeleton("balance")
    for key in ("connect_reserved", "instant_available", "issuing"):
        balance.pop(key, None)
    balance.pop("refund_and_dispute_prefunding", None)
    balance.update(
        available=_amounts(available or {"usd": 0}),
        pending=_amounts(pending or {"usd": 0}),
        livemode=livemode,
    )
    return balance


def available(state: State, account: str | None, currency: str) -> int:
    """What ``account`` could pay out in ``currency`` now (its available balance)."""
    balance = account_balance(state, account, livemode=False)
    return sum(e["amount"] for e in balance["available"] if e["currency"] == currency)


@api("GET", "/v1/balance")
def retrieve_balance(ctx: Ctx) -> Json:
    return account_balance(ctx.state, ctx.account, livemode=ctx.livemode)


@api("GET", "/v1/payouts")
def list_payouts(ctx: Ctx) -> Json:
    payouts = ctx.state.all("payout", ctx.account)
    payouts.sort(key=lambda p: p["created"], reverse=True)
    status = ctx.params.get("status")
    if status:
        payouts = [p for p in payouts if p["status"] == status]
    for key in ("arrival_date", "created"):
        payouts = created_filter(ctx, payouts, key)
    return list_object(ctx, "/v1/payouts", payouts)


def make_payout(
    state: State,
    account: str | None,
    *,
    amount: int,
    currency: str,
    status: str = "pending",
    arrival_date: int | None = None,
) -> Json:
    """A payout on ``account``, its amount taken from the available balance at once."""
    now = state.clock.now()
    payout = skeleton("payout")
    payout.update(
        id=new_id("po"),
        amount=amount,
        currency=currency,
        created=now,
        arrival_date=now + 2 * 86400 if arrival_date is None else arrival_date,
        status=status,
        livemode=bool((state.objects.get(account or "") or {}).get("_livemode", False)),
        metadata={},
        method="standard",
        type="bank_account",
        automatic=True,
    )
    txn = balance_transaction(
        state, account, type_="payout", amount=-amount, currency=currency, source=payout["id"]
    )
    payout["balance_transaction"] = txn["id"]
    return state.put(payout, account)


async def create_payout(request: web.Request) -> web.Response:
    """``POST /_fake/accounts/{acct}/payouts``: a payout on a connected account, for tests."""
    found = await account_and_body(request, "acct")
    if isinstance(found, web.Response):
        return found
    state, account, body = found
    status = str(body.get("status", "pending"))
    if status not in STATUSES:
        return json_response({"error": f"status must be one of {STATUSES}"}, 400)
    try:
        amount = int(body.get("amount", 1000))
        arrival = body.get("arrival_date")
        arrival_date = None if arrival is None else int(arrival)
    except (TypeError, ValueError):
        return json_response({"error": "amount and arrival_date must be integers"}, 400)
    if amount <= 0:
        return json_response({"error": "amount must be a positive integer"}, 400)
    currency = str(body.get("currency", "usd")).lower()
    if amount > available(state, account, currency):
        refused = StripeError(
            400, "invalid_request_error", INSUFFICIENT, code="balance_insufficient"
        )
        return json_response(refused.body(new_id("req")), 400)
    payout = make_payout(
        state,
        account,
        amount=amount,
        currency=currency,
        status=status,
        arrival_date=arrival_date,
    )
    return json_response(render(payout))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/accounts/{acct}/payouts", create_payout)
