"""Links from a Slack message to the Stripe Dashboard page of the object it names.

Pure: an id, the mode it lives in and (for an object on a vendor's account) the account id in,
a URL or a Slack mrkdwn link out. Live objects live under `https://dashboard.stripe.com/…`,
test ones under `…/test/…`; an object on a connected account is opened from the platform with
the account id first (`…/acct_123/test/payments/pi_…`), so an operator lands in the vendor's
account rather than on "no such object" in the platform's.

Sources for the forms (Stripe documents no URL scheme for the Dashboard): dj-stripe builds
`https://dashboard.stripe.com/{acct_…/}{test/}{section}/{id}` for every object, with the owner
account first, after the platform's links to connected accounts' objects showed "not found"
(dj-stripe/dj-stripe#1198, fixed by #1223, `StripeModel.get_stripe_dashboard_url`), with the
sections `payments` (charges), `customers`, `payouts`, `disputes`; a connected account opens
at `https://dashboard.stripe.com{/test}/connect/accounts/acct_…` ("Manage individual
accounts", https://docs.stripe.com/connect/dashboard/managing-individual-accounts: the
connected account details page, reached from the Connected accounts list). Early fraud
warnings (`issfr_…`) and refunds have no page of their own: messages link their charge.
"""

from __future__ import annotations

BASE = "https://dashboard.stripe.com"

# Stripe id prefix → the Dashboard section that shows it. Charges and PaymentIntents both open
# on the payment's page; refunds have no page of their own on every account, so they are not
# linked (the caller shows the id as code instead).
_SECTIONS: dict[str, str] = {
    "pi_": "payments",
    "ch_": "payments",
    "py_": "payments",
    "cus_": "customers",
    "po_": "payouts",
    "dp_": "disputes",
    "du_": "disputes",
    "fee_": "connect/application_fees",
    "evt_": "events",
    "cs_": "checkout/sessions",
}


def dashboard_url(object_id: str, *, livemode: bool, account: str | None = None) -> str | None:
    """The Dashboard URL of `object_id`, or None for an id with no page of its own.

    `account` is the connected account the object lives on (None: the platform's own). A
    connected account itself (`acct_…`) opens on the platform's Connect page, whatever
    `account` says. Refuses nothing: an id it does not know simply has no link.
    """
    mode = "" if livemode else "/test"
    if object_id.startswith("acct_"):
        return f"{BASE}{mode}/connect/accounts/{object_id}"
    section = next((s for p, s in _SECTIONS.items() if object_id.startswith(p)), None)
    if section is None:
        return None
    owner = f"/{account}" if account else ""
    return f"{BASE}{owner}{mode}/{section}/{object_id}"


def dashboard_link(object_id: str, *, livemode: bool, account: str | None = None) -> str:
    """`object_id` as a Slack mrkdwn link to its Dashboard page, or as code when it has none."""
    url = dashboard_url(object_id, livemode=livemode, account=account)
    return f"<{url}|{object_id}>" if url else f"`{object_id}`"


def vendor_label(slack_user_id: str | None, account: str | None, *, livemode: bool) -> str:
    """Who a message is about: the vendor's mention, else the account linked to its Connect
    page, else "the platform" (an event on the platform's own account)."""
    if slack_user_id:
        return f"<@{slack_user_id}>"
    return dashboard_link(account, livemode=livemode) if account else "the platform"
