"""Connected accounts: what connectbot needs to know about a vendor's Stripe account."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from stripe.params import AccountCreateParams

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import StripeUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountState:
    """A connected account's capabilities and what Stripe still needs from the vendor."""

    account_id: str
    email: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    currently_due: tuple[str, ...]
    past_due: tuple[str, ...] = ()
    eventually_due: tuple[str, ...] = ()
    current_deadline: int | None = None
    disabled_reason: str | None = None
    #: (capability, status) pairs: `card_payments`, `transfers`, … (the account's `capabilities`).
    capabilities: tuple[tuple[str, str], ...] = ()

    @property
    def ready(self) -> bool:
        """Onboarding is finished (details submitted or already able to charge)."""
        return self.details_submitted or self.charges_enabled


def account_state(account: dict[str, Any]) -> AccountState:
    """Read an account (its dict form, as in a webhook or `Account.to_dict()`)."""
    requirements = account.get("requirements") or {}
    due = requirements.get("currently_due") or []
    return AccountState(
        account_id=str(account["id"]),
        email=account.get("email"),
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        currently_due=tuple(str(item) for item in due),
        past_due=tuple(str(item) for item in requirements.get("past_due") or []),
        eventually_due=tuple(str(item) for item in requirements.get("eventually_due") or []),
        current_deadline=requirements.get("current_deadline"),
        disabled_reason=requirements.get("disabled_reason"),
        capabilities=tuple(
            sorted((str(k), str(v)) for k, v in (account.get("capabilities") or {}).items())
        ),
    )


async def retrieve_account(
    stripe_connection: StripeConnection, account_id: str
) -> AccountState | StripeUnavailable:
    """The account as Stripe has it now; `StripeUnavailable` when Stripe cannot tell (logged)."""
    try:
        account = await stripe_connection.api.v1.accounts.retrieve_async(account_id)
    except stripe.StripeError as exc:
        log.warning("could not retrieve account %s: %s", account_id, exc)
        return StripeUnavailable(type(exc).__name__)
    return account_state(account.to_dict())


async def create_standard_account(
    stripe_connection: StripeConnection, *, email: str | None, idempotency_key: str
) -> str | StripeUnavailable:
    """A new Standard account's id (Account Links onboarding); `StripeUnavailable` when Stripe
    fails (logged).

    The idempotency key makes a retried command the same account rather than a second one.
    """
    params: AccountCreateParams = {"type": "standard"}
    if email:
        params["email"] = email
    try:
        account = await stripe_connection.api.v1.accounts.create_async(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        log.warning("could not create a Standard account: %s", exc)
        return StripeUnavailable(type(exc).__name__)
    return str(account.id)
