"""Checkout Sessions in ``mode=setup``, SetupIntents, and the hosted Checkout page.

``GET /checkout/pay/{cs_id}`` shows a plain card form that posts back; ``?sandbox_card=<number>``
completes at once. Completion: a card PaymentMethod attached to the session's customer, the
SetupIntent ``succeeded``, the session ``complete``, events ``setup_intent.succeeded`` and
``checkout.session.completed``, then 303 to ``success_url`` (``{CHECKOUT_SESSION_ID}`` filled in).
"""

from __future__ import annotations

import datetime

from aiohttp import web

from .api import Ctx, Json, api, base_url, require
from .cards import CARDS, DECLINES_ON_SETUP, card_method
from .errors import StripeError, invalid
from .events import emit
from .pages import html_page
from .payment_methods import attach
from .store import STATE_KEY, new_id, render, skeleton


@api("POST", "/v1/checkout/sessions")
def create_session(ctx: Ctx) -> Json:
    p = ctx.params
    if require(ctx, "mode") != "setup":
        raise invalid("The fake Stripe supports only mode=setup Checkout Sessions.", param="mode")
    require(ctx, "success_url")
    if not p.get("currency") and not p.get("allowed_payment_method_types"):
        raise invalid(
            "You must provide `currency` in `setup` mode when "
            "`allowed_payment_method_types` is not set.",
            param="currency",
            code="parameter_missing",
        )
    customer = ctx.state.get(require(ctx, "customer"), ctx.account, "customer", param="customer")
    seti = skeleton("setup_intent")
    seti.update(
        id=new_id("seti"),
        created=ctx.state.clock.now(),
        customer=customer["id"],
        livemode=ctx.livemode,
        metadata={},
        payment_method_types=["card"],
        status="requires_payment_method",
        usage="off_session",
        payment_method_options={
            "card": {
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
    )
    seti["client_secret"] = f"{seti['id']}_secret_{new_id('s', 16)[2:]}"
    ctx.state.put(seti, ctx.account)
    session = skeleton("checkout.session")
    created = ctx.state.clock.now()
    session.update(
        id=new_id("cs_test" if not ctx.livemode else "cs_live", 58),
        created=created,
        expires_at=created + 86400,
        mode="setup",
        status="open",
        payment_status="no_payment_required",
        customer=customer["id"],
        currency=p.get("currency"),
        success_url=p["success_url"],
        cancel_url=p.get("cancel_url"),
        livemode=ctx.livemode,
        metadata=p.get("metadata") or {},
        setup_intent=seti["id"],
        payment_method_types=["card"],
        locale=p.get("locale"),
        client_reference_id=p.get("client_reference_id"),
        ui_mode="hosted",
        customer_creation=None,
        payment_method_collection="always",
        billing_address_collection=p.get("billing_address_collection"),
        automatic_tax={"enabled": False, "liability": None, "status": None, "provider": None},
        custom_fields=[],
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
    )
    session["url"] = f"{ctx.base_url}/checkout/pay/{session['id']}"
    ctx.state.put(session, ctx.account)
    return render(session)


@api("GET", "/v1/checkout/sessions/{session}")
def retrieve_session(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "checkout.session", param="session"))


@api("GET", "/v1/setup_intents/{intent}")
def retrieve_setup_intent(ctx: Ctx) -> Json:
    return render(ctx.state.get(ctx.args[0], ctx.account, "setup_intent", param="intent"))


def complete(ctx: Ctx, session: Json, number: str, expiry: tuple[int, int] | None = None) -> None:
    """Finish the session with a card; raises a card error when the card is declined."""
    if number.replace(" ", "") in DECLINES_ON_SETUP:
        raise StripeError(
            402,
            "card_error",
            "Your card was declined.",
            code="card_declined",
            decline_code="generic_decline",
        )
    month, year = expiry or (None, None)
    pm = ctx.state.put(card_method(ctx, number, month, year), ctx.account)
    attach(ctx, pm, session["customer"])
    seti = ctx.state.objects[session["setup_intent"]]
    seti.update(status="succeeded", payment_method=pm["id"])
    session.update(status="complete")
    emit(ctx, "setup_intent.succeeded", seti)
    emit(ctx, "checkout.session.completed", session)


#: What the form shows before anyone types; after a refusal it shows what was typed instead.
_DEFAULTS = {"card_number": "4242 4242 4242 4242", "exp": "12 / 34", "cvc": "123"}


def parse_expiry(text: str, today: tuple[int, int]) -> tuple[int, int] | str:
    """(month, four-digit year) from "MM / YY" or "MM/YYYY", or the refusal Stripe gives.

    The messages and codes are the API's card errors for an expiry (stripe-python
    ``ErrorObject.code`` lists ``invalid_expiry_month`` and ``invalid_expiry_year``); an expiry
    before this month (`today`, the fake clock's (year, month)) is refused as a past year or
    month, never accepted: the fake is never kinder than Stripe.
    """
    parts = [p.strip() for p in text.replace(" ", "").split("/")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return "Your card's expiration date is incomplete."
    month, year = int(parts[0]), int(parts[1])
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        return "Your card's expiration month is invalid."
    if year < today[0] or year > today[0] + 50:
        return "Your card's expiration year is invalid."
    if (year, month) < today:
        return "Your card's expiration month is invalid."
    return month, year


def _page(
    session: Json, customer: Json, error: str = "", typed: dict[str, str] | None = None
) -> web.Response:
    shown = {**_DEFAULTS, **(typed or {})}
    return html_page(
        "checkout.html.j2",
        402 if error else 200,
        number=shown["card_number"],
        exp=shown["exp"],
        cvc=shown["cvc"],
        customer=customer.get("email") or customer["id"],
        error=error,
        cancel=session.get("cancel_url") or "#",
    )


async def pay_page(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    session = state.objects.get(request.match_info["cs_id"])
    if session is None or session.get("object") != "checkout.session":
        return web.Response(text="No such Checkout Session.", status=404)
    account = state.owner(session["id"])
    customer = state.objects[session["customer"]]
    number = request.query.get("sandbox_card")
    typed: dict[str, str] = {}
    expiry: tuple[int, int] | None = None
    if request.method == "POST":
        form = await request.post()
        typed = {name: str(form.get(name, "")) for name in _DEFAULTS}
        number = typed["card_number"]
    if session["status"] != "open":
        return web.Response(text="This Checkout Session is no longer open.", status=410)
    if not number:
        return _page(session, customer)
    if number.replace(" ", "") not in CARDS:
        return _page(session, customer, "Your card number is incorrect.", typed)
    if typed:
        now = datetime.datetime.fromtimestamp(state.clock.now(), datetime.UTC)
        parsed = parse_expiry(typed["exp"], (now.year, now.month))
        if isinstance(parsed, str):
            return _page(session, customer, parsed, typed)
        expiry = parsed
    ctx = Ctx(
        state=state,
        account=account,
        params={},
        args=[],
        livemode=session["livemode"],
        request_id=new_id("req", 14),
        base_url=base_url(request),
    )
    try:
        complete(ctx, session, number, expiry)
    except StripeError as exc:
        return _page(session, customer, exc.message, typed)
    target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
    raise web.HTTPSeeOther(target)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/checkout/pay/{cs_id}", pay_page)
    app.router.add_post("/checkout/pay/{cs_id}", pay_page)
