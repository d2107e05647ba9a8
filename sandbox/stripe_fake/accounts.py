"""Accounts (the platform and connected Standard accounts), account links, customers."""

from __future__ import annotations

import re
from typing import Any

from .api import Ctx, Json, api, list_object, matching, require
from .cards import test_number
from .errors import StripeError, invalid
from .events import emit
from .payment_methods import not_attached, resolve, usable
from .store import State, new_id, render, skeleton


def make_account(state: State, *, email: str | None, enabled: bool, livemode: bool = False) -> Json:
    """A connected Standard account (``enabled``: charges, payouts and details complete)."""
    acct = skeleton("account")
    acct.update(
        id=new_id("acct", 16),
        type="standard",
        email=email,
        country="US",
        default_currency="usd",
        created=state.clock.now(),
        charges_enabled=enabled,
        payouts_enabled=enabled,
        details_submitted=enabled,
        metadata={},
        capabilities={"card_payments": "active" if enabled else "inactive"},
        business_profile={"name": None, "url": None, "mcc": None},
        settings={"dashboard": {"display_name": email, "timezone": "Etc/UTC"}},
        requirements={
            "currently_due": [] if enabled else ["business_profile.url"],
            "eventually_due": [],
            "past_due": [],
            "pending_verification": [],
            "disabled_reason": None if enabled else "requirements.past_due",
            "current_deadline": None,
            "errors": [],
            "alternatives": [],
        },
    )
    acct["_livemode"] = livemode
    return state.put(acct, None)


def platform_account(state: State) -> Json:
    acct = state.objects.get(state.platform_id)
    if acct is None:
        acct = make_account(state, email="platform@example.com", enabled=True)
        del state.objects[acct["id"]]
        acct["id"] = state.platform_id
        acct["settings"]["dashboard"]["display_name"] = "Connectbot platform"
        state.put(acct, None)
    return acct


@api("GET", "/v1/account")
def retrieve_current(ctx: Ctx) -> Json:
    if ctx.account:
        return render(ctx.state.get(ctx.account, None, "account"))
    return render(platform_account(ctx.state))


@api("POST", "/v1/accounts")
def create_account(ctx: Ctx) -> Json:
    type_ = ctx.params.get("type") or (ctx.params.get("controller") and "standard")
    if type_ != "standard":
        raise invalid(
            "The fake Stripe only creates Standard accounts (type=standard).", param="type"
        )
    # An account made with a live key is a live account, and its events say `livemode: true`:
    # "All Stripe API requests occur in either test mode or live mode. … Objects in one mode
    # aren't accessible to the other." (API keys, "Test mode versus live mode",
    # https://docs.stripe.com/keys)
    account = make_account(
        ctx.state, email=ctx.params.get("email"), enabled=False, livemode=ctx.livemode
    )
    return render(account)


@api("GET", "/v1/accounts/{account}")
def retrieve_account(ctx: Ctx) -> Json:
    if ctx.args[0] == ctx.state.platform_id:
        return render(platform_account(ctx.state))
    return render(ctx.state.get(ctx.args[0], None, "account", param="account"))


@api("POST", "/v1/account_links")
def create_account_link(ctx: Ctx) -> Json:
    acct = ctx.state.get(require(ctx, "account"), None, "account", param="account")
    require(ctx, "type")
    link = skeleton("account_link")
    created = ctx.state.clock.now()
    link.update(
        created=created,
        expires_at=created + 300,
        url=f"{ctx.base_url}/setup/s/{acct['id']}/{new_id('al', 12)}",
    )
    return link


def _customer_fields(ctx: Ctx, customer: Json) -> None:
    """Apply the request's fields to ``customer``; a refused default changes nothing."""
    params = ctx.params
    settings = params.get("invoice_settings") or {}
    default = settings.get("default_payment_method") or None
    if default is not None:
        _check_default(ctx, customer["id"], default)
    for key in ("email", "name", "description", "phone"):
        if key in params:
            customer[key] = params[key] or None
    if "metadata" in params:
        metadata = params["metadata"] or {}
        merged = {**customer["metadata"], **metadata}
        customer["metadata"] = {k: v for k, v in merged.items() if v != ""}
    if "default_payment_method" in settings:
        customer["invoice_settings"]["default_payment_method"] = default


def _check_default(ctx: Ctx, customer_id: str, pm_id: str) -> None:
    """The default must be a method on this account attached to this customer.

    stripe-python, ``invoice_settings.default_payment_method``: "ID of a payment method that's
    attached to the customer"; Stripe's refusals are "No such PaymentMethod" (an unknown id)
    and the "does not have a payment method with the ID" message of :func:`not_attached`.
    """
    param = "invoice_settings[default_payment_method]"
    pm = ctx.state.find(pm_id, ctx.account)
    if pm is None and test_number(pm_id) is None:
        ctx.state.get(pm_id, ctx.account, "payment_method", param=param)  # raises No such …
    if pm is None or pm.get("customer") != customer_id:
        raise not_attached(pm_id, param)


@api("POST", "/v1/customers")
def create_customer(ctx: Ctx) -> Json:
    """A customer; ``payment_method`` is attached to it before the default is checked.

    Stripe's API reference, Create a customer (docs.stripe.com/api/customers/create,
    ``payment_method``): "The ID of the PaymentMethod to attach to the customer." A method
    already attached elsewhere or used up is refused as ``/attach`` refuses it. Nothing is
    stored when any part is refused.
    """
    customer = skeleton("customer")
    customer.update(
        id=new_id("cus", 14),
        created=ctx.state.clock.now(),
        livemode=ctx.livemode,
        metadata={},
        balance=0,
        delinquent=False,
        invoice_prefix=new_id("X", 6)[2:].upper(),
        invoice_settings={
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        preferred_locales=[],
        tax_exempt="none",
        next_invoice_sequence=1,
    )
    for key in ("deleted", "sources", "subscriptions", "tax_ids", "tax", "cash_balance"):
        customer.pop(key, None)
    method = None
    if ctx.params.get("payment_method"):
        method = resolve(ctx, ctx.params["payment_method"])
        usable(method)
        if method.get("customer"):
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                code="payment_method_unexpected_state",
                param="payment_method",
            )
        method["customer"] = customer["id"]  # attached first, so it may be the default
    try:
        _customer_fields(ctx, customer)
    except StripeError:
        if method is not None:
            method["customer"] = None
        raise
    ctx.state.put(customer, ctx.account)
    emit(ctx, "customer.created", customer)
    if method is not None:
        emit(ctx, "payment_method.attached", method)
    return render(customer)


@api("GET", "/v1/customers/{customer}")
def retrieve_customer(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "customer", param="customer"))


@api("POST", "/v1/customers/{customer}")
def update_customer(ctx: Ctx) -> Json:
    customer = ctx.state.get(ctx.args[0], ctx.account, "customer", param="customer")
    _customer_fields(ctx, customer)
    emit(ctx, "customer.updated", customer)
    return render(customer)


@api("GET", "/v1/customers")
def list_customers(ctx: Ctx) -> Json:
    items = matching(ctx, ctx.state.all("customer", ctx.account), "email")
    return list_object(ctx, "/v1/customers", items)


_CLAUSE = re.compile(r"^\s*(\w+(?:\[[^\]]+\])?)\s*(:|~)\s*'([^']*)'\s*$")


def _matches(customer: Json, clause: str) -> bool:
    found = _CLAUSE.match(clause)
    if not found:
        raise invalid(f"Invalid search query: {clause}", param="query")
    field, op, value = found.groups()
    if field.startswith("metadata["):
        actual: Any = customer["metadata"].get(field[9:-1])
    elif field in ("email", "name", "phone"):
        actual = customer.get(field)
    else:
        raise invalid(f"Field '{field}' is an unsupported search field.", param="query")
    if actual is None:
        return False
    return (
        str(actual).lower() == value.lower() if op == ":" else value.lower() in str(actual).lower()
    )


@api("GET", "/v1/customers/search")
def search_customers(ctx: Ctx) -> Json:
    query = require(ctx, "query")
    clauses = re.split(r"\s+AND\s+", query)
    items = [
        c for c in ctx.state.all("customer", ctx.account) if all(_matches(c, q) for q in clauses)
    ]
    limit = int(ctx.params.get("limit") or 10)
    return {
        "object": "search_result",
        "data": [render(c) for c in items[:limit]],
        "has_more": len(items) > limit,
        "next_page": None,
        "url": "/v1/customers/search",
    }
