"""`GET /checkout/done`: the page a customer sees after Stripe Checkout (saved or cancelled).

Nothing from the query string is shown, and no Stripe call is made: the card is recorded from
the `checkout.session.completed` webhook, not from this page, so a reload, an unknown or a
forged session id all get the same friendly page.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.pages.checkout import card_not_saved_page, card_saved_page


async def checkout_done(request: web.Request) -> web.Response:
    if "cancelled" in request.query:
        return card_not_saved_page()
    return card_saved_page()


def add_routes(app: web.Application) -> None:
    app.router.add_get("/checkout/done", checkout_done)
