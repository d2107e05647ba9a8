"""The pages a vendor sees at the end of Connect OAuth or Account Links onboarding.

Each page is a template in `bot/web/templates/` (its title, tone and wording live there); these
functions choose the HTTP status and hand over the values, which the templates escape.
"""

from __future__ import annotations

from aiohttp import web

from bot.stripe_ops.accounts import AccountState
from bot.web.pages import render


def connected_page(account_id: str, account: AccountState | None) -> web.Response:
    """Connected; lists what Stripe still needs when `account` cannot take payments yet."""
    return render("connected.html.j2", 200, account_id=account_id, account=account)


def declined_page() -> web.Response:
    return render("declined.html.j2", 200)


def used_state_page(*, connected: bool) -> web.Response:
    """A link opened again; `connected` when the person it was for is a connected vendor now.

    The page names no account: whoever sees the address later learns nothing from it.
    """
    return render("used_state.html.j2", 400, connected=connected)


def expired_state_page() -> web.Response:
    return render("expired_state.html.j2", 400)


def unknown_state_page() -> web.Response:
    return render("unknown_state.html.j2", 400)


def invalid_state_page() -> web.Response:
    """For Account Links returns, whose state is looked up without being used up."""
    return render("invalid_state.html.j2", 400)


def incomplete_page() -> web.Response:
    return render("incomplete.html.j2", 400)


def rejected_code_page(*, link_sent: bool) -> web.Response:
    return render("rejected_code.html.j2", 400, link_sent=link_sent)


def unconfirmed_page(*, link_sent: bool) -> web.Response:
    """Stripe's answer to the code exchange was lost or an error: the code is not sent again."""
    return render("unconfirmed.html.j2", 502, link_sent=link_sent)


def unreachable_page() -> web.Response:
    return render("unreachable.html.j2", 502)


def stripe_error_page(description_html: str) -> web.Response:
    """Stripe's error description, escaped here unless it is already markup (from `escape`)."""
    return render("stripe_error.html.j2", 400, description=description_html)


def conflict_page(account_id: str, other_account: str | None) -> web.Response:
    """`account_id` belongs to someone else (`other_account` None), or the vendor has another."""
    return render("conflict.html.j2", 409, account_id=account_id, other_account=other_account)


def onboarding_incomplete_page(account: AccountState, continue_url: str) -> web.Response:
    return render("onboarding_incomplete.html.j2", 200, account=account, continue_url=continue_url)
