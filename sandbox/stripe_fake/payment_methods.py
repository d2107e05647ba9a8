"""PaymentMethods: create, clone onto connected accounts, attach, and one-use methods.

A PaymentMethod attached to no Customer is good for one payment: confirming a PaymentIntent
with it (whatever the outcome) or cloning it to a connected account without a ``customer``
consumes it, and any later use or attach is refused with Stripe's message (see
:data:`CONSUMED_MESSAGE`). Attached methods (Checkout's, or a clone given to
``customers.create(payment_method=…)`` or ``/attach``) can be used again and again.
"""

from __future__ import annotations

from .api import Ctx, Json, api, list_object, require
from .cards import card_method, test_number
from .errors import StripeError, invalid
from .events import emit
from .store import render

# Stripe's answer to a second use of a method attached to no Customer: the body quoted in
# Automattic/woocommerce-payments#323 shows it as a 400 ``invalid_request_error`` with this
# message and no ``code`` or ``param`` (liberapay/liberapay.com#2686 quotes it too); the Connect
# guide ("Share payment methods across multiple accounts", docs.stripe.com/connect/
# direct-charges-multiple-accounts): "Creating a charge with the cloned PaymentMethod consumes
# it, because it's not attached to a customer ... You can't reuse the consumed clone".
CONSUMED_MESSAGE = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer "
    "attachment, shared with a connected account without Customer attachment, or was detached "
    "from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must "
    "attach it to a Customer first."
)


def resolve(ctx: Ctx, pm_id: str, param: str = "payment_method") -> Json:
    """The PaymentMethod ``pm_id`` on the request's account; test ids make a new one."""
    number = test_number(pm_id)
    if number is not None:
        return ctx.state.put(card_method(ctx, number), ctx.account)
    return ctx.state.get(pm_id, ctx.account, "payment_method", param=param)


def usable(pm: Json) -> Json:
    """``pm`` itself; refuses a method consumed by an earlier single use."""
    if pm.get("_consumed"):
        raise invalid(CONSUMED_MESSAGE)
    return pm


def consume(pm: Json) -> None:
    """Record one use of ``pm``: a method attached to no Customer cannot be used again."""
    if not pm.get("customer"):
        pm["_consumed"] = True


def not_attached(pm_id: str, param: str) -> StripeError:
    """Stripe's refusal of a method that is not attached to the customer it is used for.

    The wording Stripe answers ``invoice_settings.default_payment_method`` with (quoted in
    getlago/lago-api#3665 and flutter-stripe/flutter_stripe#379); stripe-python documents the
    rule on ``CustomerCreateParamsInvoiceSettings.default_payment_method``: "ID of a payment
    method that's attached to the customer".
    """
    return invalid(
        f"The customer does not have a payment method with the ID {pm_id}. "
        "The payment method must be attached to the customer.",
        param=param,
    )


def attach(ctx: Ctx, pm: Json, customer_id: str) -> Json:
    """Attach ``pm`` to the customer; refuses a used-up method and one attached elsewhere."""
    customer = ctx.state.get(customer_id, ctx.account, "customer", param="customer")
    usable(pm)
    if pm.get("customer") and pm["customer"] != customer["id"]:
        raise invalid(
            "The payment method you provided has already been attached to a customer.",
            code="payment_method_unexpected_state",
        )
    pm["customer"] = customer["id"]
    emit(ctx, "payment_method.attached", pm)
    return pm


@api("POST", "/v1/payment_methods")
def create_payment_method(ctx: Ctx) -> Json:
    if ctx.params.get("payment_method"):
        return render(clone(ctx))
    if require(ctx, "type") != "card":
        raise invalid("The fake Stripe only supports type=card.", param="type")
    card = ctx.params.get("card") or {}
    if card.get("token"):
        number = test_number(card["token"])
        if number is None:
            raise invalid(
                f"No such token: '{card['token']}'", param="card[token]", code="resource_missing"
            )
    elif card.get("number"):
        number = card["number"]
    else:
        raise invalid("Missing required param: card.", param="card", code="parameter_missing")
    pm = card_method(
        ctx,
        number,
        int(card.get("exp_month") or 12),
        int(card["exp_year"]) if card.get("exp_year") else None,
    )
    ctx.state.put(pm, ctx.account)
    return render(pm)


def clone(ctx: Ctx) -> Json:
    """Clone a platform method onto the connected account named by ``Stripe-Account``.

    As the Connect guide "Share payment methods across multiple accounts" documents it
    (docs.stripe.com/connect/direct-charges-multiple-accounts): the platform's Customer and
    PaymentMethod ids under the connected account's header; only ``card`` (and
    ``us_bank_account``) methods clone; the clone is "an independent object with a unique ID",
    attached to no customer on the connected account, so it is good for one charge unless it
    is attached there. stripe-python: ``customer`` is "The Customer to whom the original
    PaymentMethod is attached". A method attached to a customer must be cloned with that
    customer (our stricter reading: Stripe does not say what it does without one); one attached
    to nobody may be cloned once (Stripe's consumed message names "shared with a connected
    account without Customer attachment"). Objects of the other mode are not found, with
    Stripe's "a similar object exists" wording.
    """
    source = ctx.params["payment_method"]
    if ctx.account is None:
        raise invalid(
            "Cloning a PaymentMethod needs the Stripe-Account header.", param="payment_method"
        )
    original = ctx.state.get(source, None, "payment_method", param="payment_method")
    if original["livemode"] != ctx.livemode:
        mode, key = ("live", "test") if original["livemode"] else ("test", "live")
        raise StripeError(
            404,
            "invalid_request_error",
            f"No such PaymentMethod: '{source}'; a similar object exists in {mode} mode, "
            f"but a {key} mode key was used to make this request.",
            code="resource_missing",
            param="payment_method",
        )
    if original["type"] not in ("card", "us_bank_account"):
        raise invalid("Only card and us_bank_account PaymentMethods can be cloned.")
    usable(original)
    customer = ctx.params.get("customer")
    if customer:
        ctx.state.get(customer, None, "customer", param="customer")
        if original.get("customer") != customer:
            raise not_attached(source, "payment_method")
    elif original.get("customer"):
        raise invalid(
            f"The PaymentMethod {source} is attached to a Customer; pass that Customer as "
            "`customer` to clone it.",
            param="customer",
        )
    else:
        consume(original)
    copy = card_method(
        ctx, original["_number"], original["card"]["exp_month"], original["card"]["exp_year"]
    )
    copy["billing_details"] = dict(original["billing_details"])
    return ctx.state.put(copy, ctx.account)


@api("GET", "/v1/payment_methods/{payment_method}")
def retrieve_payment_method(ctx: Ctx) -> Json:
    return render(resolve(ctx, ctx.args[0]))


@api("POST", "/v1/payment_methods/{payment_method}/attach")
def attach_payment_method(ctx: Ctx) -> Json:
    pm = resolve(ctx, ctx.args[0])
    return render(attach(ctx, pm, require(ctx, "customer")))


@api("GET", "/v1/customers/{customer}/payment_methods")
def list_customer_methods(ctx: Ctx) -> Json:
    customer = ctx.state.get(ctx.args[0], ctx.account, "customer", param="customer")
    items = [
        p
        for p in ctx.state.all("payment_method", ctx.account)
        if p.get("customer") == customer["id"]
    ]
    return list_object(ctx, f"/v1/customers/{customer['id']}/payment_methods", items)
