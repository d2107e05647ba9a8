"""The pages a customer sees back from Stripe Checkout, where they save a card.

They show nothing from the address: the card is recorded from Stripe's webhook, not here.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import render


def card_saved_page() -> web.Response:
    return render("card_saved.html.j2", 200)


def card_not_saved_page() -> web.Response:
    """The customer cancelled on Checkout's page: no card, and the link still works."""
    return render("card_not_saved.html.j2", 200)
