"""`GET /checkout/done`: the page a customer sees after Stripe Checkout (saved or cancelled).

Nothing from the query string is shown, and no Stripe call is made: the card is recorded from
the `checkout.session.completed` webhook, not from this page, so a reload, an unknown or a
forged session id all get the same friendly page.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import render_page


async def checkout_done(request: web.Request) -> web.Response:
    if "cancelled" in request.query:
        return render_page(
            "No card was saved",
            "<p>You left the card page before saving a card. Open the link you were sent "
            "again whenever you are ready.</p>",
            tone="info",
        )
    return render_page(
        "Thank you, your card is saved",
        "<p>Your card was saved securely with Stripe. You can close this page now.</p>",
        tone="success",
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/checkout/done", checkout_done)
