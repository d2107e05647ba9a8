"""The pages a vendor sees at the end of Connect OAuth or Account Links onboarding."""

from __future__ import annotations

from aiohttp import web

from bot.stripe_ops.accounts import AccountState
from bot.web.pages import escape, render_page

_BACK_TO_SLACK = "<p class='next'>You can close this tab and go back to Slack.</p>"
_NEW_LINK = (
    "<p class='next'>Go back to Slack and run <code>/connect-vendor</code> to get a fresh "
    "link (or ask the person who invited you to send a new one).</p>"
)


def _due(account: AccountState) -> str:
    items = "".join(f"<li><code>{escape(item)}</code></li>" for item in account.currently_due[:10])
    return f"<ul>{items}</ul>" if items else ""


def connected_page(account_id: str, account: AccountState | None) -> web.Response:
    body = (
        f"<p>Your Stripe account <code>{escape(account_id)}</code> is now connected to the "
        "marketplace. We've sent you a message in Slack.</p>"
    )
    if account is not None and not account.charges_enabled:
        body += (
            "<p>Stripe still needs a few details before you can take payments. "
            "Finish them in your Stripe Dashboard:</p>" + _due(account)
        )
    return render_page("You're connected", body + _BACK_TO_SLACK, 200, tone="success")


def declined_page() -> web.Response:
    body = (
        "<p>You declined to connect your Stripe account, so nothing was connected and nothing "
        "was stored.</p><p class='next'>Changed your mind? Go back to Slack and run "
        "<code>/connect-vendor</code> whenever you're ready.</p>"
    )
    return render_page("You declined the connection", body, 200, tone="info")


def used_state_page(*, connected: bool) -> web.Response:
    """A link opened again; `connected` when the person it was for is a connected vendor now.

    The page names no account: whoever sees the address later learns nothing from it.
    """
    if connected:
        body = (
            "<p>This connection link was already used, and you're connected: your Stripe "
            "account is connected to the marketplace, so there is nothing more to do. This "
            "visit connected nothing new.</p>" + _BACK_TO_SLACK
        )
        return render_page("This link was already used", body, 400, tone="success")
    body = (
        "<p>This connection link was already used. Each link works once, so that nobody who "
        "sees the address later can use it. This visit connected nothing.</p>"
        "<p class='next'>If you just connected, you're done: connectbot sent you a message in "
        "Slack. Otherwise run <code>/connect-vendor</code> in Slack for a fresh link (or ask "
        "the person who invited you to send a new one).</p>"
    )
    return render_page("This link was already used", body, 400, tone="warning")


def expired_state_page() -> web.Response:
    body = (
        "<p>This connection link has expired: links work for 15 minutes, to keep your account "
        "safe. Nothing was connected.</p>" + _NEW_LINK
    )
    return render_page("This link has expired", body, 400, tone="warning")


def unknown_state_page() -> web.Response:
    body = (
        "<p>This address doesn't carry a connection link connectbot issued: it may have been "
        "cut short or changed when it was copied. Nothing was connected.</p>" + _NEW_LINK
    )
    return render_page("This link isn't one we issued", body, 400, tone="warning")


def invalid_state_page() -> web.Response:
    """For Account Links returns, whose state is looked up without being used up."""
    body = (
        "<p>This connection link has expired, was already used, or isn't one we issued. "
        "Links work once and only for 15 minutes, to keep your account safe. "
        "Nothing was connected.</p>" + _NEW_LINK
    )
    return render_page("This link can't be used", body, 400, tone="warning")


def incomplete_page() -> web.Response:
    body = (
        "<p>This address is missing the details Stripe adds when it sends you back, so there "
        "is nothing to connect. Please start from the link in Slack.</p>" + _NEW_LINK
    )
    return render_page("Incomplete link", body, 400, tone="warning")


_FRESH_LINK_SENT = (
    "<p class='next'>We've sent you a fresh <strong>Connect with Stripe</strong> link in Slack: "
    "use it to try again.</p>"
)


def rejected_code_page(*, link_sent: bool) -> web.Response:
    body = (
        "<p>Stripe did not accept this authorization: it was already used or has expired. "
        "Nothing was connected.</p>" + (_FRESH_LINK_SENT if link_sent else _NEW_LINK)
    )
    return render_page("Stripe rejected this authorization", body, 400, tone="error")


def unconfirmed_page(*, link_sent: bool) -> web.Response:
    """Stripe's answer to the code exchange was lost or an error: the code is not sent again."""
    body = (
        "<p>Stripe didn't confirm the connection, so we can't tell whether your account was "
        "connected. To keep your account safe, this authorization won't be used again, and "
        "connectbot hasn't recorded a connection.</p>"
        + (_FRESH_LINK_SENT if link_sent else _NEW_LINK)
    )
    return render_page("We couldn't confirm the connection", body, 502, tone="error")


def unreachable_page() -> web.Response:
    body = (
        "<p>We couldn't reach Stripe to finish connecting your account. Nothing was "
        "connected yet.</p><p class='next'>Please reload this page in a minute to try again. "
        "If it keeps failing, run <code>/connect-vendor</code> in Slack for a fresh link.</p>"
    )
    return render_page("Stripe is not answering", body, 502, tone="error")


def stripe_error_page(description_html: str) -> web.Response:
    body = (
        f"<p>Stripe could not complete the connection: {description_html}. Nothing was "
        "connected.</p>" + _NEW_LINK
    )
    return render_page("The connection did not go through", body, 400, tone="error")


def conflict_page(account_id: str, other_account: str | None) -> web.Response:
    if other_account is None:
        body = (
            f"<p>The Stripe account <code>{escape(account_id)}</code> is already connected to "
            "the marketplace by another person in Slack, so it can't be connected to you "
            "too.</p><p class='next'>Connect a different Stripe account, or ask a connectbot "
            "admin to disconnect the other vendor first.</p>"
        )
    else:
        body = (
            f"<p>You're already connected with the Stripe account "
            f"<code>{escape(other_account)}</code>, so <code>{escape(account_id)}</code> was "
            "not connected.</p><p class='next'>Ask a connectbot admin to disconnect your "
            "current account first if you want to switch.</p>"
        )
    return render_page("Already connected to someone else", body, 409, tone="warning")


def onboarding_incomplete_page(account: AccountState, continue_url: str) -> web.Response:
    body = (
        f"<p>Your Stripe account <code>{escape(account.account_id)}</code> isn't set up yet. "
        "Stripe still needs:</p>"
        + (_due(account) or "<p>a few more details.</p>")
        + f"<p><a class='button' href='{escape(continue_url)}'>Continue with Stripe</a></p>"
    )
    return render_page("Almost there", body, 200, tone="info")
